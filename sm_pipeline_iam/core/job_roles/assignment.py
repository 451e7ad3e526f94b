"""Which role each job of a pipeline runs as, and what a job role made from plain settings
needs: the pure side of ``PipelineJobRoles`` and ``JobRole``. No CDK import.

A step that starts a SageMaker job hands it a role; :func:`plan_job_roles` decides which
generated role each job-running step gets (one per step, or one shared by all), a
Transform step getting the role of the Model step whose model it runs.
:func:`replace_job_role_targets` then swaps, in an execution role's requirements, the roles
the definition passes to those steps for the generated ones (a role another step still
uses stays). :func:`job_role_needs` builds the
:class:`~sm_pipeline_iam.core.job_roles.needs.JobNeeds`
of a role from its inputs, outputs, images, network and keys, for users without a
definition.

Values that the caller marks as opaque (CDK tokens: ``is_token``) go through unvalidated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from .. import naming
from ..arns import IMAGE_URI
from ..catalog.schema import KeyUse, StepType
from ..catalog.services import EMR_SERVERLESS_SERVICE, EMR_SERVICE, SAGEMAKER
from ..catalog.steps import CATALOG, spec_for
from ..definition.reader import DefinitionReading, all_steps
from ..definition.rewrite import RoleSlot, role_slots
from ..errors import Problem
from ..execution_role.policy import PLACEHOLDERS
from ..execution_role.requirements import PassRoleTarget, PipelineRequirements
from ..locations import (
    ReadForm,
    S3ObjectPattern,
    folder_objects,
    parse_s3_folder,
    read_grants,
)
from ..notices import Notice
from .needs import JobNeeds, merge_needs

# --- construct ids -------------------------------------------------------------------------

#: The start of each per-step role's construct id: ``Step`` + the step name.
ROLE_ID_PREFIX = "Step"
#: The construct id of the one role of ``per_step=False``.
SHARED_ROLE_ID = "Shared"


def role_id(step: str) -> str:
    """The construct id of the role of ``step``: ``Step`` + the step name (SageMaker step
    names, which the definition reader enforces, hold only letters, digits, ``_`` and
    ``-``: valid in construct ids, and one id per step). A public contract: renaming the
    step replaces its role."""
    return ROLE_ID_PREFIX + step


class NoJobRoleError(KeyError):
    """A step has no generated job role: it is unknown, runs no job, or keeps its own."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- which role each step's job runs as ----------------------------------------------------


@dataclass(frozen=True)
class PlannedRole:
    """A job role to make.

    Attributes:
        role_id: its construct id (:func:`role_id`, or :data:`SHARED_ROLE_ID`).
        needs: what the jobs of all steps that run as it need (merged).
    """

    role_id: str
    needs: JobNeeds


@dataclass(frozen=True)
class JobRolePlan:
    """The job roles of a definition, and which step's job runs as which.

    Attributes:
        roles: the roles to make, in step order.
        step_roles: step -> the construct id of the role its job runs as (a Transform
            step -> its model's role).
        step_types: the type of each step in ``step_roles``.
        kept: the steps that keep the definition's role (``keep_roles_for``).
        no_role: step -> why its job runs as no generated role (kept steps, Transform
            steps whose model no step makes).
        notices: the warnings of jobs that run as no generated role (they concern a role
            the library does not make).
    """

    roles: tuple[PlannedRole, ...]
    step_roles: Mapping[str, str]
    step_types: Mapping[str, StepType]
    kept: tuple[str, ...] = ()
    no_role: Mapping[str, str] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()

    def role_fields(self, definition: Mapping[str, Any]) -> list[tuple[RoleSlot, str]]:
        """Each role field of ``definition`` that a generated role replaces (the fields
        that hand a role to SageMaker, of the steps in ``step_roles``), with the id of that
        role. A Transform step has no role field: its job runs as its model's."""
        return [
            (slot, self.step_roles[slot.step])
            for slot in role_slots(definition)
            if slot.service == SAGEMAKER and slot.step in self.step_roles
        ]


def plan_job_roles(
    reading: DefinitionReading, *, per_step: bool = True, keep: Sequence[str] = ()
) -> tuple[JobRolePlan, list[Problem]]:
    """The job roles of a definition: one per step that runs a job (``per_step``), or one
    shared by all; ``keep`` names steps that keep the definition's role.

    Returns:
        The plan, and the problems that prevent it (when not empty, the plan is partial).
    """
    problems: list[Problem] = []
    jobs = {needs.step: needs for needs in reading.jobs}
    known = {name: step_type for name, step_type in reading.steps}
    kept = tuple(dict.fromkeys(keep))
    job_steps = ", ".join(jobs) or "none"
    for name in kept:
        if name not in known and name not in jobs:
            problems.append(Problem(
                "keep_roles_for", "unknownStep",
                f"keep_roles_for names {name!r}, which is no step of the definition (its "
                f"steps that run jobs: {job_steps})",
            ))
        elif name not in jobs:
            problems.append(Problem(
                "keep_roles_for", "notAJobStep",
                f"keep_roles_for names {name!r}, a {known[name].value} step, which runs no "
                f"SageMaker job and so has no job role to keep (steps that run jobs: "
                f"{job_steps})",
            ))

    runs_on: dict[str, list[JobNeeds]] = {}
    no_role: dict[str, str] = {}
    notices: list[Notice] = []
    for needs in jobs.values():
        model = needs.runs_as_step
        if not spec_for(needs.step_types[0]).job_runs_as_model and model is None:
            continue
        if model is None or model not in jobs:
            no_role[needs.step] = (
                f"step {needs.step!r} runs a model that no step of the pipeline makes: its "
                "job runs as that model's role, which is not generated here"
            )
            notices.extend(needs.notices)
            continue
        if (model in kept) != (needs.step in kept):
            kept_one, other = (model, needs.step) if model in kept else (needs.step, model)
            problems.append(Problem(
                "keep_roles_for", "modelRoleSplit",
                f"step {needs.step!r} ({needs.step_types[0].value}) runs as the role of model "
                f"step {model!r}: keep_roles_for keeps {kept_one!r} but not {other!r}; keep "
                "both (the model's role must then grant the transform's inputs, outputs and "
                "logs) or neither",
            ))
            continue
        runs_on.setdefault(model, []).append(needs)

    for name in kept:
        if name in jobs:
            no_role.setdefault(name, f"step {name!r} keeps the definition's role "
                                     "(keep_roles_for)")

    own = [needs for needs in jobs.values()
           if needs.step not in kept and needs.step not in no_role
           and not spec_for(needs.step_types[0]).job_runs_as_model]
    if not own:
        problems.append(Problem(
            "definition", "noJobSteps",
            "PipelineJobRoles has no role to make: no step of the definition runs a "
            "SageMaker job as a role of its own (steps that run jobs: "
            f"{job_steps}; kept: {', '.join(kept) or 'none'}; a Transform runs as its "
            "model's role). Leave PipelineJobRoles out: "
            "PipelineExecutionRole.from_definition without job_roles covers this "
            "definition, and LeastPrivilegePipeline deploys it without job roles",
        ))

    roles: list[PlannedRole] = []
    step_roles: dict[str, str] = {}
    step_types: dict[str, StepType] = {}
    if per_step:
        for needs in own:
            identifier = role_id(needs.step)
            runners = runs_on.get(needs.step, [])
            merged = merge_needs([needs, *runners]) if runners else needs
            roles.append(PlannedRole(identifier, merged))
            for member in (needs, *runners):
                step_roles[member.step] = identifier
    elif own:
        members = [m for needs in own for m in (needs, *runs_on.get(needs.step, []))]
        roles.append(PlannedRole(SHARED_ROLE_ID, merge_needs(members)))
        step_roles.update({member.step: SHARED_ROLE_ID for member in members})
    for name in step_roles:
        step_types[name] = jobs[name].step_types[0]
    plan = JobRolePlan(
        roles=tuple(roles),
        step_roles=MappingProxyType(step_roles),
        step_types=MappingProxyType(step_types),
        kept=kept,
        no_role=MappingProxyType(no_role),
        notices=tuple(dict.fromkeys(notices)),
    )
    return plan, problems


def generated_role_steps(definition: Mapping[str, Any], keep: Sequence[str] = ()
                         ) -> frozenset[str]:
    """The steps whose SageMaker role fields :func:`plan_job_roles` gives generated roles:
    every step that runs a SageMaker job and is not in ``keep`` (a Transform step has no
    role field: its job runs as its model's). Known before the definition is read, so
    that the reader skips the fields these roles replace (``replaced_role_steps``)."""
    return frozenset(
        step["Name"] for step in all_steps(definition.get("Steps"))
        if isinstance(step.get("Name"), str) and step["Name"] not in keep
        and step.get("Type") in StepType._value2member_map_
        and CATALOG[StepType(step["Type"])].job is not None
    )


def no_role_message(plan: JobRolePlan, reading: DefinitionReading, step: str) -> str:
    """Why ``step`` has no generated role (for :class:`NoJobRoleError`)."""
    if step in plan.no_role:
        return plan.no_role[step]
    known = dict(reading.steps)
    with_roles = ", ".join(plan.step_roles) or "none"
    if step in known:
        return (f"step {step!r} is a {known[step].value} step, which runs no SageMaker job: "
                f"it has no job role (steps with job roles: {with_roles})")
    return f"no step is named {step!r} (steps with job roles: {with_roles})"


def plan_problems(
    reading: DefinitionReading, step_types: Mapping[str, StepType]
) -> list[Problem]:
    """The problems of using job roles planned for ``step_types`` with the definition of
    ``reading``: each step must be there, with the same type."""
    known = dict(reading.steps)
    problems = []
    for step, step_type in step_types.items():
        if known.get(step) is not step_type:
            found = f"a {known[step].value} step" if step in known else "no such step"
            problems.append(Problem(
                "job_roles", "otherDefinition",
                f"job_roles were made for a definition whose step {step!r} is a "
                f"{step_type.value} step, but this definition has {found}: make both from "
                "the same definition",
            ))
    return problems


# --- the execution role passes the generated roles ---------------------------------------


def _role_arn(value: str) -> str:
    # As the definition reader reads a literal role: an ARN, or a name in the account.
    if value.startswith("arn:"):
        return value
    return f"arn:{PLACEHOLDERS.partition}:iam::{PLACEHOLDERS.account}:role/{value}"


def replace_job_role_targets(
    definition: Mapping[str, Any],
    requirements: PipelineRequirements,
    covered: Collection[str],
    role_arns: Sequence[str],
) -> PipelineRequirements:
    """``requirements`` (read from ``definition``) in which the roles the definition hands
    to the SageMaker jobs of the ``covered`` steps are replaced by ``role_arns``.

    A role stays passable while a step that is not covered still hands it to SageMaker
    (a kept step, an endpoint config, a generic job); a role given by an expression (a
    parameter) stays while any uncovered step's role is an expression. The warnings about
    the covered steps' role fields go with them.
    """
    uncovered: set[str] = set()
    every_literal: set[str] = set()
    uncovered_expression = False
    replaced_fields: list[str] = []
    for slot in role_slots(definition):
        if slot.service != SAGEMAKER:
            continue
        if isinstance(slot.value, str):
            every_literal.add(_role_arn(slot.value))
        if slot.step in covered:
            replaced_fields.append(f"step {slot.step!r} field {slot.field}:")
        elif isinstance(slot.value, str):
            uncovered.add(_role_arn(slot.value))
        else:
            uncovered_expression = True
    targets = {
        target for target in requirements.pass_roles
        if target.service != SAGEMAKER
        or target.role_arn in uncovered
        or (uncovered_expression and target.role_arn not in every_literal)
    }
    targets.update(PassRoleTarget(arn, SAGEMAKER) for arn in role_arns)
    notices = tuple(
        notice for notice in requirements.notices
        if not any(notice.message.startswith(start) for start in replaced_fields)
    )
    return replace(requirements, pass_roles=frozenset(targets), notices=notices)


#: The services whose runtime roles a step's ``Arguments.ExecutionRoleArn`` names: the
#: role an EMR step's steps run as, the job runtime role of an EMR Serverless job run.
RUNTIME_ROLE_SERVICES = frozenset((EMR_SERVICE, EMR_SERVERLESS_SERVICE))
RUNTIME_ROLE_FIELD = "Arguments.ExecutionRoleArn"


def runtime_role_slots(definition: Mapping[str, Any]) -> list[RoleSlot]:
    """The runtime-role fields of the definition's EMR and EMRServerless steps."""
    return [slot for slot in role_slots(definition)
            if slot.path == RUNTIME_ROLE_FIELD and slot.service in RUNTIME_ROLE_SERVICES]


def runtime_role_problems(definition: Mapping[str, Any], steps: Collection[str],
                          prop: str = "runtime_roles") -> list[Problem]:
    """Why ``steps`` cannot be given runtime roles: each must be an EMR or EMRServerless
    step of the definition with a runtime-role field."""
    with_field = {slot.step for slot in runtime_role_slots(definition)}
    return [
        Problem(prop, "noRuntimeRoleField",
                f"{prop} names step {step!r}, which is not an EMR or EMRServerless step of "
                f"the definition with an ExecutionRoleArn (steps that have one: "
                f"{', '.join(sorted(with_field)) or 'none'})")
        for step in steps if step not in with_field
    ]


def replace_runtime_role_targets(
    definition: Mapping[str, Any],
    requirements: PipelineRequirements,
    role_arns: Mapping[str, str],
) -> PipelineRequirements:
    """``requirements`` (read from ``definition``) in which the runtime role of each step
    in ``role_arns`` (step -> ARN) is that ARN, passed to the step's service (EMR or EMR
    Serverless) only; a definition role stays passable while another step still hands it
    to that service. The warnings about the replaced fields go with them."""
    kept: set[PassRoleTarget] = set()
    replaced: set[PassRoleTarget] = set()
    added: set[PassRoleTarget] = set()
    fields: list[str] = []
    for slot in runtime_role_slots(definition):
        literal = PassRoleTarget(_role_arn(slot.value), slot.service) if isinstance(
            slot.value, str) else None
        if slot.step in role_arns:
            added.add(PassRoleTarget(role_arns[slot.step], slot.service))
            fields.append(f"step {slot.step!r} field {slot.field}:")
            if literal is not None:
                replaced.add(literal)
        elif literal is not None:
            kept.add(literal)
    targets = (set(requirements.pass_roles) - (replaced - kept)) | added
    notices = tuple(
        notice for notice in requirements.notices
        if not any(notice.message.startswith(start) for start in fields)
    )
    return replace(requirements, pass_roles=frozenset(targets), notices=notices)


# --- a job role from plain settings (no definition) ---------------------------------------

#: The kinds of job whose logs (``/aws/sagemaker/<kind>``) and metrics the catalog knows.
JOB_KINDS: tuple[str, ...] = tuple(sorted({
    kind for spec in CATALOG.values() if spec.job is not None for kind in spec.job.kinds
}))

_REPOSITORY_ARN = re.compile(r"arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository/[a-z0-9._/-]+")
_KEY_ARN = re.compile(
    r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)")
_ALIAS = re.compile(r"alias/[A-Za-z0-9/_-]+")
_KEY_ID = re.compile(r"(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                     r"[0-9a-f]{12})")
_SUBNET = re.compile(r"subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?")
_SECURITY_GROUP = re.compile(r"sg-[0-9a-f]{8}(?:[0-9a-f]{9})?")


@dataclass(frozen=True)
class JobLocation:
    """An S3 location by bucket name and key prefix (either may be opaque)."""

    bucket: str
    prefix: str = ""


def _never(_: str) -> bool:
    return False


class _Gather:
    """Collects a role's needs from its settings, and the problems of those settings."""

    def __init__(self, is_token: Callable[[str], bool]) -> None:
        self.is_token = is_token
        self.problems: list[Problem] = []

    def problem(self, prop: str, code: str, message: str) -> None:
        self.problems.append(Problem(prop, code, message))

    def text(self, prop: str, value: object) -> str | None:
        if isinstance(value, str) and value:
            return value
        self.problem(prop, "notAString", f"{prop} holds {value!r}, which is not a non-empty "
                     "string")
        return None

    def location(self, prop: str, value: str | JobLocation) -> S3ObjectPattern | None:
        """The folder (bucket, key without slashes) a location names."""
        form = ("give 's3://bucket/prefix', a bucket, or JobRoleLocation.bucket(bucket, "
                "'prefix')")
        if isinstance(value, JobLocation):
            bucket, prefix = value.bucket, value.prefix
            if not isinstance(bucket, str) or not bucket or not isinstance(prefix, str):
                self.problem(prop, "notAnS3Location", f"{prop} holds {value!r}: {form}")
                return None
        elif isinstance(value, str):
            if not value.startswith("s3://"):
                why = ("a token cannot be split into bucket and prefix" if self.is_token(value)
                       else "it is not an S3 URI")
                self.problem(prop, "notAnS3Uri", f"{prop} {value!r}: {why}; {form}")
                return None
            bucket, _, prefix = value.removeprefix("s3://").partition("/")
        else:
            self.problem(prop, "notAnS3Location", f"{prop} holds {value!r}: {form}")
            return None
        if self.is_token(bucket):
            if any(char in prefix for char in "*?"):
                self.problem(prop, "wildcard", f"{prop} prefix {prefix!r} contains a "
                             "wildcard: every object under the prefix is already included")
                return None
            return S3ObjectPattern(bucket, prefix.strip("/"))
        parsed, problems = parse_s3_folder(f"s3://{bucket}/{prefix}", prop=prop)
        self.problems.extend(problems)
        if parsed is None:
            return None
        return S3ObjectPattern(parsed.bucket, parsed.key_pattern.removesuffix("*").strip("/"))

    def repository(self, value: str) -> str | None:
        if self.is_token(value):
            self.problem("images", "tokenImage",
                         f"images holds {value!r}, a token: its repository cannot be known "
                         "before deployment; give the ecr.IRepository instead")
            return None
        if value.startswith("arn:"):
            if _REPOSITORY_ARN.fullmatch(value):
                return value
            self.problem("images", "notARepositoryArn",
                         f"images holds {value!r}, which is not an ECR repository ARN "
                         "(arn:aws:ecr:us-east-1:111122223333:repository/name)")
            return None
        match = IMAGE_URI.fullmatch(value)
        if match is None:
            self.problem("images", "notAnImageUri",
                         f"images holds {value!r}, which is not an ECR image URI "
                         "(111122223333.dkr.ecr.us-east-1.amazonaws.com/name:tag): SageMaker "
                         "jobs pull their images from ECR")
            return None
        account, region, suffix, repository = match.groups()
        partition = "aws-cn" if suffix.endswith(".cn") else PLACEHOLDERS.partition
        return f"arn:{partition}:ecr:{region}:{account}:repository/{repository}"

    def key(self, value: str) -> str | None:
        # An alias is granted on the key behind it while it carries the alias
        # (job_statements: kms:ResourceAliases).
        if self.is_token(value) or _KEY_ARN.fullmatch(value):
            return value
        if _KEY_ID.fullmatch(value) or _ALIAS.fullmatch(value):
            resource = value if value.startswith("alias/") else f"key/{value}"
            return (f"arn:{PLACEHOLDERS.partition}:kms:{PLACEHOLDERS.region}:"
                    f"{PLACEHOLDERS.account}:{resource}")
        self.problem("kms_keys", "notAKey",
                     f"kms_keys holds {value!r}: give a key ARN "
                     "(arn:aws:kms:us-east-1:111122223333:key/<id>), a key id, an alias "
                     "(alias/name) or its ARN, or a kms.IKey")
        return None

    def ids(self, prop: str, values: Sequence[object], pattern: re.Pattern[str],
            example: str) -> tuple[str, ...]:
        found = []
        for value in values:
            text = self.text(prop, value)
            if text is None:
                continue
            if not self.is_token(text) and not pattern.fullmatch(text):
                self.problem(prop, "invalidId", f"{prop} holds {text!r}, which is not an id "
                             f"like {example!r}")
                continue
            found.append(text)
        return tuple(dict.fromkeys(found))


def job_role_needs(
    *,
    job_kinds: Sequence[str],
    inputs: Sequence[str | JobLocation] = (),
    outputs: Sequence[str | JobLocation] = (),
    images: Sequence[str] = (),
    repositories: Sequence[str] = (),
    subnets: Sequence[str] = (),
    security_groups: Sequence[str] = (),
    kms_keys: Sequence[str] = (),
    job_prefix: str | None = None,
    is_token: Callable[[str], bool] = _never,
) -> tuple[JobNeeds, list[Problem]]:
    """What a job role needs, from plain settings, and the problems of those settings.

    Args:
        job_kinds: the kinds of job that run as the role (:data:`JOB_KINDS`): their log
            groups and metric namespaces.
        inputs: S3 locations the jobs read (the objects under them; listing there only).
        outputs: S3 locations the jobs write.
        images: ECR image URIs or repository ARNs the jobs pull.
        repositories: ECR repository ARNs (opaque ones from a CDK repository).
        subnets: the subnet ids of the jobs' VPC config.
        security_groups: the security group ids of the jobs' VPC config.
        kms_keys: KMS key ARNs, key ids, aliases (``alias/name``) or alias ARNs the jobs
            use, for any of a job's uses (their volumes, outputs and inputs: every
            :class:`~sm_pipeline_iam.core.catalog.schema.KeyUse`, since settings do not say which
            field names the key); an alias is granted on the key behind it while the key
            carries it.
        job_prefix: the prefix of the jobs' names (their log streams); default naming
            (``pipelines-*``) when None.
        is_token: whether a value is opaque (a CDK token): it is taken as it is.
    """
    gather = _Gather(is_token)
    kinds: list[str] = []
    for kind in job_kinds:
        if kind not in JOB_KINDS:
            gather.problem("job_kinds", "unknownJobKind",
                           f"job_kinds holds {kind!r}: give some of {', '.join(JOB_KINDS)}")
        else:
            kinds.append(kind)
    if not job_kinds:
        gather.problem("job_kinds", "empty",
                       "job_kinds is empty: name the kinds of job that run as the role "
                       f"({', '.join(JOB_KINDS)}), whose logs and metrics it writes")
    names: tuple[str, ...] = naming.default_patterns()
    if job_prefix is not None:
        if not isinstance(job_prefix, str) or not job_prefix:
            gather.problem("job_prefix", "notAString",
                           f"job_prefix {job_prefix!r} is not a non-empty string")
        elif is_token(job_prefix):
            names = (f"{job_prefix}-*",)
        else:
            problems = naming.prefix_problems(job_prefix, ())
            gather.problems.extend(problems)
            names = naming.prefix_patterns(job_prefix)

    reads: set[S3ObjectPattern] = set()
    lists: set[tuple[str, str]] = set()
    writes: set[S3ObjectPattern] = set()
    for value in inputs:
        folder = gather.location("inputs", value)
        if folder is None:
            continue
        # The object itself or the folder below it; never its siblings.
        objects, listings = read_grants(folder.bucket, folder.key_pattern,
                                        ReadForm.OBJECT_OR_FOLDER)
        reads.update(objects)
        lists.update(listings)
    for value in outputs:
        folder = gather.location("outputs", value)
        if folder is not None:
            writes.add(folder_objects(folder.bucket, folder.key_pattern))

    found_repositories: list[str] = []
    for value in images:
        text = gather.text("images", value)
        arn = gather.repository(text) if text is not None else None
        if arn is not None:
            found_repositories.append(arn)
    for value in repositories:
        text = gather.text("images", value)
        if text is not None:
            found_repositories.append(text)

    found_subnets = gather.ids("subnet_ids", subnets, _SUBNET, "subnet-0123456789abcdef0")
    found_groups = gather.ids("security_groups", security_groups, _SECURITY_GROUP,
                              "sg-0123456789abcdef0")
    if bool(subnets) != bool(security_groups):
        missing = "security_groups" if subnets else "subnets (vpc or subnet_ids)"
        gather.problem("vpc", "incompleteVpcConfig",
                       f"a job's VPC config needs both subnets and security groups: give "
                       f"{missing} too")
    keys = []
    for value in kms_keys:
        text = gather.text("kms_keys", value)
        arn = gather.key(text) if text is not None else None
        if arn is not None:
            keys.append(arn)

    needs = JobNeeds(
        steps=(),
        step_types=(),
        job_names=tuple(names),
        reads=tuple(sorted(reads)),
        lists=tuple(sorted(lists)),
        writes=tuple(sorted(writes)),
        repositories=tuple(sorted(set(found_repositories))),
        log_streams=tuple(sorted(
            (f"/aws/sagemaker/{kind}", f"{name}/*") for kind in kinds for name in names
        )),
        metric_namespaces=tuple(sorted(f"/aws/sagemaker/{kind}" for kind in kinds)),
        subnets=found_subnets,
        security_groups=found_groups,
        kms_keys=tuple((key, use) for key in sorted(set(keys)) for use in KeyUse),
    )
    return needs, gather.problems
