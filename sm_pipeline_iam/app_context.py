"""The sample app's context keys (``app.py``, ``cdk synth -c key=value``), read and checked
in one place: :meth:`AppSettings.from_context` returns typed settings, or raises
:class:`AppContextError` listing every problem at once, one line each. No CDK import: it
reads any object with ``try_get_context`` (an ``App``'s node).

The keys are a stable interface (defaults in cdk.json):

- ``account`` / ``region``: the environment. Given (``-c region=eu-west-1``, or set in
  cdk.json, where both are empty by default), they win; else the CDK CLI's default
  environment (``CDK_DEFAULT_ACCOUNT`` / ``CDK_DEFAULT_REGION``, from the AWS profile);
  else 111122223333 / us-east-1. An account is 12 digits, a region a region name
  (``eu-west-1``, ``us-gov-west-1``: lower case, no wildcard).
- ``step_types``: comma-separated step ``Type`` strings (``Processing,Training``).
- ``job_prefix``: the pipeline's custom job prefix; empty for the default naming.
- ``json_get_s3``: comma-separated ``s3://bucket/prefix`` folders that JsonGet reads;
  each bucket name follows S3's naming rules (no IP address, ``xn--``, upper case...).
- ``principal_tag``: ``key=value`` tagged on the role for an SCP exception; empty for none.
- ``teams``: ``name=Type,Type;name=Type`` adds one ``PrefixedStepRole`` per team, with the
  team name as its job prefix (``rsch=Training,Tuning;analytics=Processing``); empty for
  none. A name given twice, names that overlap (``rsch`` and ``rsch-a``, ``Ana`` and
  ``ana``) or ``pipelines`` are errors.
- ``scp_targets``: comma-separated root, OU or account ids; when given, an ``OrgStack``
  (meant for the management account: SCPs never apply to it) holds the SCP exception
  attached to them, and the workload roles carry its tag (``principal_tag``, by default
  ``sm-pipeline-exception=true``). Empty for no OrgStack.
- ``rcp``: ``true`` (the default) or ``false``; with ``scp_targets``, the OrgStack also
  holds the resource control policy beside the SCP (``OrgRcpException``, attached to the
  same targets): the exception tag cannot be set from outside the organization, and its
  S3 data leaves the VPC only for its tagged principals. It needs ``organization_id``.
- ``organization_id``: the organization's id (``o-...``), for the RCP. Empty for none.
- ``pipeline_definition``: a path to ``pipeline.definition()`` JSON (a missing or
  unreadable file is an error); when given, the execution role is derived from it
  (``step_types`` and ``job_prefix`` are then unused).
- ``pipeline_name``: with ``pipeline_definition``, the pipeline's name
  (``Execution.PipelineName``, which names its Experiments records); SageMaker's pattern
  ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}``. When given, the stack deploys the pipeline
  itself (``LeastPrivilegePipeline``: the pipeline, its execution role and job roles, every
  step's role pointed at its generated role); empty for the roles only.
- ``job_roles``: with ``pipeline_definition``, the roles its SageMaker jobs run as:
  ``per-step`` (the default: one ``PipelineJobRoles`` role per step that runs a job),
  ``shared`` (one role for all of them) or ``none`` (the definition's own roles). The
  execution role then passes the generated roles instead of the definition's. A
  definition with no step whose job runs as a role of its own (EMR or Lambda steps only, a
  Transform of a model made outside the pipeline) gets no job roles. Without a
  definition the jobs run as the execution role (its ``executionRoleRunsJobs`` warning is
  acknowledged: the sample's step types name no data to grant).
- ``keep_roles_for``: with ``pipeline_definition``, comma-separated step names whose jobs
  keep the definition's own role (no role is generated for them). Empty for none.
- ``parameter_values``: with ``pipeline_definition``, the values executions may give
  pipeline parameters, ``Name=value|value;Other=value``
  (``InputDataUrl=s3://bucket/input``); binding a parameter narrows what depends on it.
  A name the definition does not declare is an error. Empty for none. A parameter a grant
  depends on is otherwise scoped to its default (with a warning); one without a default
  is an error, unless opted in:
- ``any_value_parameters``: with ``pipeline_definition``, comma-separated parameters whose
  every value the roles allow (the widest grants, each a finding of the review report);
  not one of ``parameter_values``. Empty for none.
- ``vpc_endpoint_ids`` / ``vpc_ids``: comma-separated; where S3 stays reachable.
- ``tag_admin_principal_arns``: comma-separated roles that may set the exception tag
  (the CDK deployment roles that create the tagged roles must be among them); an ARN that
  any principal could satisfy (``arn:aws:iam::*:role/*``) is an error.
- ``stackset_ou_ids`` / ``stackset_regions``: comma-separated; when OUs are given, the
  workload stack is not deployed directly but emitted as a service-managed StackSet
  (``PipelineIamStackSet``, from the management account) that auto-deploys it to every
  account of those OUs, in those regions (default: ``region``).

Teams are spread over stacks of at most :data:`TEAMS_PER_STACK`
(:attr:`AppSettings.team_groups`), so that no stack reaches CloudFormation's 500
resources; more roles than an account's default 1,000 is an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .core.definition.reader import load_definition, parameter_names
from .core.errors import DefinitionError
from .core.execution_role.pipeline import PIPELINE_NAME
from .core.locations import bucket_name_problems
from .core.organization.scp import admin_problems, organization_problems
from .core.organization.stackset import consistency_problems

__all__ = [
    "JOB_ROLE_MODES",
    "ROLES_PER_ACCOUNT",
    "TEAMS_PER_STACK",
    "AppContextError",
    "AppSettings",
    "ContextSource",
]

#: Teams per stack: each team is a role and its policy, far below 500 resources a stack.
TEAMS_PER_STACK = 200

#: IAM's default quota of roles per account.
ROLES_PER_ACCOUNT = 1_000

#: The exception tag when an OrgStack is configured and principal_tag is not given.
DEFAULT_EXCEPTION_TAG = ("sm-pipeline-exception", "true")

#: The values of the ``job_roles`` context key; the first is the default.
JOB_ROLE_MODES = ("per-step", "shared", "none")

#: A region name of any partition (us-east-1, us-gov-west-1, cn-north-1, eu-isoe-west-1).
#: A pattern rather than aws_cdk.region_info's list, which is frozen at the pinned
#: aws-cdk-lib's release and would refuse a region launched since; what must never reach
#: an ARN (``us-east-1*``, ``US-EAST-1``, spaces) is refused all the same.
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")

#: An AWS account id.
ACCOUNT_ID = re.compile(r"[0-9]{12}")

#: The environment when neither the context nor the CDK CLI gives one.
FALLBACK_ACCOUNT, FALLBACK_REGION = "111122223333", "us-east-1"

#: Teams as read: (name, its step types), in the order given.
Teams = tuple[tuple[str, tuple[str, ...]], ...]


class ContextSource(Protocol):
    """What the settings are read from: an ``App``'s node (``app.node``), or any object
    that answers ``try_get_context``."""

    def try_get_context(self, key: str) -> Any:
        """The context value of ``key``, or None."""


class AppContextError(ValueError):
    """The sample app's context keys are wrong; ``problems`` holds one line per problem.

    Its text is the line itself for one problem, else a heading and one ``  - `` line each.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            super().__init__(self.problems[0])
            return
        lines = "".join(f"\n  - {problem}" for problem in self.problems)
        super().__init__(
            f"the sample app's context has {len(self.problems)} problems (cdk.json, or cdk "
            "synth -c key=value):" + lines
        )


class _Context:
    """Reads context keys as text and collects one problem line per bad value."""

    def __init__(self, source: ContextSource) -> None:
        self.source = source
        self.problems: list[str] = []

    def text(self, key: str) -> str:
        value = self.source.try_get_context(key)
        return "" if value is None else str(value).strip()

    def listed(self, key: str) -> tuple[str, ...]:
        return tuple(item.strip() for item in self.text(key).split(",") if item.strip())

    def environment(self, key: str, variable: str, pattern: re.Pattern[str], fallback: str,
                    form: str) -> str:
        """The context key when given (it beats the CDK CLI's default environment), else
        ``variable`` (which the CLI sets), else ``fallback``."""
        given = self.text(key)
        value = given or os.environ.get(variable, "").strip() or fallback
        if not pattern.fullmatch(value):
            where = f"context {key}" if given else f"{variable} (the CDK CLI's default)"
            self.problems.append(f"{where} {value!r} is not {form}: give e.g. -c {key}="
                                 f"{fallback}")
        return value


@dataclass(frozen=True)
class AppSettings:
    """The sample app's settings, read from its context keys (see the module docstring).

    To add a context key: a field (with a default), one line in ``from_context`` that reads
    and checks it (``_Context`` collects its problems), a default in cdk.json, and a line
    in the module docstring and the README ("The sample app").
    """

    account: str
    region: str
    step_types: tuple[str, ...]
    job_prefix: str | None
    json_get_locations: tuple[str, ...]
    principal_tag: tuple[str, str] | None
    teams: Teams = ()
    scp_targets: tuple[str, ...] = ()
    vpc_endpoint_ids: tuple[str, ...] = ()
    vpc_ids: tuple[str, ...] = ()
    tag_admin_principal_arns: tuple[str, ...] = ()
    pipeline_definition: str | None = None
    stackset_ou_ids: tuple[str, ...] = ()
    stackset_regions: tuple[str, ...] = ()
    job_roles: str | None = None
    pipeline_name: str | None = None
    parameter_values: tuple[tuple[str, tuple[str, ...]], ...] = ()
    any_value_parameters: tuple[str, ...] = ()
    keep_roles_for: tuple[str, ...] = ()
    rcp: bool = True
    organization_id: str | None = None

    @classmethod
    def from_context(cls, source: ContextSource) -> AppSettings:
        """Read the settings from ``source``'s context (an ``App``'s node).

        Raises:
            AppContextError: (a ``ValueError``) every problem of every key at once, one
                line each.
        """
        context = _Context(source)
        settings = cls(
            account=context.environment("account", "CDK_DEFAULT_ACCOUNT", ACCOUNT_ID,
                                        FALLBACK_ACCOUNT, "a 12-digit account id"),
            region=context.environment("region", "CDK_DEFAULT_REGION", REGION_NAME,
                                       FALLBACK_REGION, "a region name (like eu-west-1)"),
            step_types=context.listed("step_types"),
            job_prefix=context.text("job_prefix") or None,
            json_get_locations=_json_get_locations(context),
            principal_tag=_principal_tag(context),
            teams=_teams(context),
            scp_targets=context.listed("scp_targets"),
            vpc_endpoint_ids=context.listed("vpc_endpoint_ids"),
            vpc_ids=context.listed("vpc_ids"),
            tag_admin_principal_arns=_tag_admins(context),
            pipeline_definition=_pipeline_definition(context),
            stackset_ou_ids=context.listed("stackset_ou_ids"),
            stackset_regions=_stackset_regions(context),
            job_roles=_job_roles(context),
            pipeline_name=_pipeline_name(context),
            parameter_values=_parameter_values(context),
            any_value_parameters=context.listed("any_value_parameters"),
            keep_roles_for=context.listed("keep_roles_for"),
            rcp=_flag(context, "rcp", default=True),
            organization_id=_organization_id(context),
        )
        problems = [*context.problems, *settings.problems()]
        if problems:
            raise AppContextError(problems)
        return settings

    @property
    def exception_tag(self) -> tuple[str, str]:
        """The tag that the SCP exempts: ``principal_tag``, else
        ``sm-pipeline-exception=true``."""
        return self.principal_tag or DEFAULT_EXCEPTION_TAG

    @property
    def job_role_mode(self) -> str:
        """How the definition's jobs get their roles (``per-step`` unless given)."""
        return self.job_roles or JOB_ROLE_MODES[0]

    @property
    def generates_job_roles(self) -> bool:
        """Whether the definition's jobs run as generated roles (``job_roles`` is not
        ``none``)."""
        return self.job_role_mode != "none"

    @property
    def per_step_roles(self) -> bool:
        """One job role per step (True), or one shared by all (``job_roles=shared``)."""
        return self.job_role_mode != "shared"

    @property
    def parameter_mapping(self) -> dict[str, list[str]] | None:
        """``parameter_values`` as the constructs take them (None when empty)."""
        return {name: list(values) for name, values in self.parameter_values} or None

    @property
    def team_groups(self) -> tuple[Teams, ...]:
        """The teams in groups of at most :data:`TEAMS_PER_STACK`, one group per stack;
        one empty group when there are no teams (the workload stack still exists)."""
        return tuple(self.teams[i : i + TEAMS_PER_STACK]
                     for i in range(0, len(self.teams), TEAMS_PER_STACK)) or ((),)

    def problems(self) -> list[str]:
        """What no single construct can see: account quotas, keys that need others,
        StackSet/SCP consistency."""
        problems = []
        roles = 1 + len(self.teams)
        if roles > ROLES_PER_ACCOUNT:
            problems.append(
                f"{roles} roles (one per team, and the execution role) exceed IAM's default "
                f"{ROLES_PER_ACCOUNT} roles per account: raise the quota or split the teams "
                "across accounts"
            )
        if self.stackset_ou_ids and len(self.teams) > TEAMS_PER_STACK:
            problems.append(
                f"{len(self.teams)} teams do not fit one StackSet template (at most "
                f"{TEAMS_PER_STACK}): split them across apps"
            )
        if self.job_roles is not None and not self.pipeline_definition:
            problems.append(
                f"job_roles={self.job_roles} needs pipeline_definition: the job roles are "
                "derived from a definition (give -c pipeline_definition=PATH)"
            )
        if self.pipeline_name and self.job_roles == "none":
            problems.append(
                "job_roles=none with pipeline_name: the deployed pipeline's steps run as "
                "generated roles (per-step or shared); keep chosen steps' roles with "
                "-c keep_roles_for=Step, or leave pipeline_name out for the roles only"
            )
        if self.keep_roles_for and (not self.pipeline_definition or self.job_roles == "none"):
            problems.append(
                "keep_roles_for needs pipeline_definition with generated job roles: it names "
                "the steps that keep the definition's role (give -c pipeline_definition=PATH)"
            )
        problems += self._parameter_problems()
        if self.scp_targets and self.rcp and not self.organization_id:
            problems.append(
                "context rcp (on by default with scp_targets) needs organization_id: the "
                "RCP lets only that organization's principals carry the exception tag; give "
                "-c organization_id=o-... (the organization's id), or -c rcp=false for the "
                "SCP alone"
            )
        problems += map(str, consistency_problems(self.scp_targets, self.stackset_ou_ids))
        return problems

    def _parameter_problems(self) -> list[str]:
        """``parameter_values`` and ``any_value_parameters`` against the definition."""
        problems = []
        chosen = [("parameter_values", name) for name, _ in self.parameter_values] + [
            ("any_value_parameters", name) for name in self.any_value_parameters]
        for key in dict.fromkeys(key for key, _ in chosen):
            if not self.pipeline_definition:
                problems.append(
                    f"{key} needs pipeline_definition: they scope the definition's "
                    "parameters (give -c pipeline_definition=PATH)"
                )
        if self.pipeline_definition and chosen:
            declared = _parameter_names(self.pipeline_definition)
            problems += [
                f"context {key} names {name!r}, which the definition does not "
                f"declare (it declares {', '.join(sorted(declared)) or 'none'})"
                for key, name in chosen if name not in declared
            ]
            bound = {name for name, _ in self.parameter_values}
            problems += [
                f"context any_value_parameters names {name!r}, which parameter_values "
                "binds: give it one or the other"
                for name in self.any_value_parameters if name in bound
            ]
        return problems


def _parameter_names(path: str) -> set[str]:
    """The parameters the definition declares or refers to (none when it cannot be read:
    the pipeline_definition check reports that)."""
    try:
        return parameter_names(load_definition(Path(path)))
    except DefinitionError:
        return set()


def _parameter_values(context: _Context) -> tuple[tuple[str, tuple[str, ...]], ...]:
    bound: dict[str, tuple[str, ...]] = {}
    for entry in (part.strip() for part in context.text("parameter_values").split(";")):
        if not entry:
            continue
        name, equals, values = (part.strip() for part in entry.partition("="))
        listed = tuple(v.strip() for v in values.split("|") if v.strip())
        if not equals or not name or not listed:
            context.problems.append(
                f"context parameter_values entry {entry!r} is not Name=value|value: give e.g. "
                "-c parameter_values='InputDataUrl=s3://bucket/input'")
        elif name in bound:
            context.problems.append(
                f"context parameter_values names {name!r} twice: give its values in one "
                "entry (Name=a|b)")
        else:
            bound[name] = listed
    return tuple(bound.items())


def _principal_tag(context: _Context) -> tuple[str, str] | None:
    tag = context.text("principal_tag")
    if not tag:
        return None
    key, equals, value = tag.partition("=")
    if not equals or not key.strip():
        context.problems.append(f"context principal_tag {tag!r} is not key=value: give e.g. "
                                "-c principal_tag=sm-pipeline-exception=true")
        return None
    return key.strip(), value.strip()


def _json_get_locations(context: _Context) -> tuple[str, ...]:
    locations = context.listed("json_get_s3")
    for location in locations:
        if not location.startswith("s3://"):
            context.problems.append(
                f"context json_get_s3 {location!r} is not s3://bucket[/prefix]: give e.g. "
                "-c json_get_s3=s3://ml-artifacts/evaluation")
            continue
        bucket = location.removeprefix("s3://").partition("/")[0]
        reasons = bucket_name_problems(bucket)
        if reasons:
            context.problems.append(
                f"context json_get_s3 {location!r} names bucket {bucket!r}, which S3's "
                f"bucket naming rules refuse: {'; '.join(reasons)}")
    return locations


def _teams(context: _Context) -> Teams:
    teams: dict[str, tuple[str, ...]] = {}
    for entry in (part.strip() for part in context.text("teams").split(";")):
        if not entry:
            continue
        name, equals, step_types = (part.strip() for part in entry.partition("="))
        if not equals or not name:
            context.problems.append(
                f"context teams entry {entry!r} is not name=Type,Type: give e.g. "
                "-c teams='rsch=Training,Tuning;analytics=Processing'")
            continue
        if name in teams:
            context.problems.append(
                f"context teams names team {name!r} twice: give each team one entry, with "
                "all its step types (rsch=Training,Tuning)")
            continue
        teams[name] = tuple(t.strip() for t in step_types.split(",") if t.strip())
    return tuple(teams.items())


def _tag_admins(context: _Context) -> tuple[str, ...]:
    # Refused even without scp_targets: a pattern any principal satisfies is never meant.
    admins = context.listed("tag_admin_principal_arns")
    context.problems += [f"context {problem}" for problem in admin_problems(admins)]
    return admins


def _flag(context: _Context, key: str, *, default: bool) -> bool:
    """A boolean key: ``true`` or ``false`` (any case); empty for ``default``."""
    value = context.text(key).lower()
    if value in ("true", "false"):
        return value == "true"
    if value:
        context.problems.append(
            f"context {key} {context.text(key)!r} is not true or false: give e.g. "
            f"-c {key}={str(not default).lower()}")
    return default


def _organization_id(context: _Context) -> str | None:
    organization_id = context.text("organization_id") or None
    context.problems += [f"context {problem.message}: give e.g. -c organization_id="
                         "o-a1b2c3d4e5" for problem in organization_problems(organization_id)]
    return organization_id


def _pipeline_definition(context: _Context) -> str | None:
    path = context.text("pipeline_definition")
    if not path:
        return None
    if not Path(path).is_file():
        context.problems.append(
            f"context pipeline_definition {path!r} is not a file (relative paths start "
            f"in {Path.cwd()}): give the path of pipeline.definition() JSON")
        return path
    try:
        load_definition(Path(path))
    except DefinitionError as error:
        context.problems += [f"context pipeline_definition {path!r}: {problem}"
                             for problem in error.problems]
    return path


def _stackset_regions(context: _Context) -> tuple[str, ...]:
    regions = context.listed("stackset_regions")
    context.problems += [
        f"context stackset_regions {region!r} is not a region name (like eu-west-1): give "
        "e.g. -c stackset_regions=us-east-1,eu-west-1"
        for region in regions if not REGION_NAME.fullmatch(region)
    ]
    return regions


def _job_roles(context: _Context) -> str | None:
    job_roles = context.text("job_roles") or None
    if job_roles is not None and job_roles not in JOB_ROLE_MODES:
        context.problems.append(
            f"context job_roles {job_roles!r} is not one of {', '.join(JOB_ROLE_MODES)}: "
            "give e.g. -c job_roles=shared")
        return None  # one line for the value, not a second for what it needs
    return job_roles


def _pipeline_name(context: _Context) -> str | None:
    name = context.text("pipeline_name") or None
    if name is not None and not PIPELINE_NAME.fullmatch(name):
        context.problems.append(
            f"context pipeline_name {name!r} is not a SageMaker pipeline name (up to 256 "
            "letters, digits and hyphens, starting and ending with a letter or digit): "
            "give e.g. -c pipeline_name=fraud-train")
    return name
