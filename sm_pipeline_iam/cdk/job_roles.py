"""The roles SageMaker jobs run as: ``PipelineJobRoles`` (from a definition, one role per
step that runs a job, or one shared) and ``JobRole`` (from inputs, outputs, images, network
and keys, for users without a definition).

A step hands its job a role (``RoleArn``, a model's ``ExecutionRoleArn``); SageMaker needs
that role to read the job's inputs, pull its image, write its outputs, logs and metrics,
and use its VPC and KMS keys. Each role here grants exactly what its jobs need
(:func:`~sm_pipeline_iam.core.job_roles.policy.job_statements`), and nothing of another step's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Union, cast

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from .. import _deprecated
from ..core.catalog.automl import AUTOML_REPOSITORIES
from ..core.catalog.schema import StepType
from ..core.catalog.services import SAGEMAKER
from ..core.definition.reader import DefinitionReading, load_definition, read_definition
from ..core.definition.rewrite import RoleSlot
from ..core.errors import DefinitionError, InvalidPropsError, Problem, raise_if_any
from ..core.execution_role import policy
from ..core.job_roles.assignment import (
    JobLocation,
    JobRolePlan,
    NoJobRoleError,
    generated_role_steps,
    job_role_needs,
    no_role_message,
    plan_job_roles,
)
from ..core.job_roles.needs import JobNeeds, automl_repositories
from ..core.job_roles.policy import job_statements
from ..core.notices import AUTOML_RESOURCE_NAMES, Notice
from ._private import role_policies
from ._private.duck_types import is_bucket
from ._private.gathering import token_prefix_problems
from ._private.messages import shown
from ._private.prop_types import PropTypes, definition_problems
from ._private.role_base import RoleGrants, SageMakerRole, plan_grants
from ._private.role_option_checks import option_problems
from ._private.tokens import StableTokens, check_tokens_at_synth, fake_token_problems
from .locations import JobRoleLocation as JobRoleLocation
from .locations import S3Location, S3LocationLike
from .role_options import RoleOptions

if TYPE_CHECKING:
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_ecr as ecr
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3 as s3
    from typing_extensions import Unpack

__all__ = ["JobNeedsRole", "JobRole", "JobRoleLocation", "NoJobRoleError", "PipelineJobRoles"]

#: IAM's longest role description.
_DESCRIPTION_LIMIT = 1000


def job_grants(scope: Construct, needs: JobNeeds) -> RoleGrants:
    """What a role in ``scope``'s stack with ``needs`` grants: the statements of
    :func:`~sm_pipeline_iam.core.job_roles.policy.job_statements` in the stack's region, the
    role's own ARN as :data:`~sm_pipeline_iam.core.execution_role.policy.JOB_ROLE_ARN`."""
    return RoleGrants(
        tuple(job_statements(needs, region=_region(scope))),
        policy.JOB_ROLE_ARN,
        notices=(*needs.notices, *_automl_notices(scope, needs)),
        unresolved=needs.unresolved,
        nothing_granted=Problem("permissions", "nothingToGrant",
                                "the jobs need nothing that a role grants: give what they use"),
    )


def _region(scope: Construct) -> str | None:
    """The stack's region where it is known at synthesis (None for a token): the AutoML
    images' registries differ by region (``job_policy.automl_repositories``)."""
    region = Stack.of(scope).region
    return None if Token.is_unresolved(region) else region


def _automl_notices(scope: Construct, needs: JobNeeds) -> list[Notice]:
    """The warning of a role that pulls the AutoML images in a region not known at
    synthesis (every listed registry) or not listed (none)."""
    if AUTOML_REPOSITORIES not in needs.repositories:
        return []
    region = _region(scope)
    if region is None:
        return [Notice(AUTOML_RESOURCE_NAMES, (
            "the stack's region is not known at synthesis, so the jobs of "
            f"{', '.join(needs.steps)} may pull the AutoML images from every registry "
            "account AWS lists for them, in the region they run in: give the stack an env "
            "(region) to narrow them"))]
    if not automl_repositories(region):
        return [Notice(AUTOML_RESOURCE_NAMES, (
            f"no AutoML image registries are listed for {region}, so the jobs of "
            f"{', '.join(needs.steps)} are not granted the AutoML images: grant their "
            "repositories to the role"))]
    return []


class JobNeedsRole(SageMakerRole):
    """A role SageMaker jobs run as, with exactly the permissions of their
    :class:`~sm_pipeline_iam.core.job_roles.needs.JobNeeds`, and nothing else.

    - trust: ``sagemaker.amazonaws.com`` with ``aws:SourceAccount`` = the stack's account;
    - the statements of :func:`~sm_pipeline_iam.core.job_roles.policy.job_statements` in the
      stack's partition, region and account: objects under the jobs' own inputs and
      outputs (listing only under the inputs), their images' repositories, their log
      streams, metrics in their namespaces, network interfaces in their subnets, their
      KMS keys;
    - one inline policy (``Policy``) while it fits, else managed ``Policy1..N``; every
      wildcard acknowledged for cdk-nag with its statement's reason; the needs' warnings
      (values known only at run time...) as warnings on the role.

    ``PipelineJobRoles`` makes these from a definition and ``JobRole`` from settings; give
    one ``JobNeeds`` (e.g. from ``read_definition(...).jobs``) to make one by hand.

    Raises:
        InvalidPropsError: (a ``ValueError``) listing every problem.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        needs: JobNeeds,
        problems: Sequence[Problem] = (),
        construct_name: str = "JobNeedsRole",
        default_description: str | None = None,
        **role_options: Unpack[RoleOptions],
    ) -> None:
        """Create the role.

        Args:
            scope: the parent construct.
            id: the construct id (a public contract: changing it replaces the role).
            needs: what the jobs need.
            problems: problems found before (a subclass's props), raised with the rest.
            construct_name: the construct named in the error.
            default_description: the description unless ``role_options`` give one.
                Default: one naming the steps.
            role_options: the role's own options (:class:`RoleOptions`).
        """
        super().__init__(
            scope,
            id,
            construct_name=construct_name,
            default_description=default_description or _description(needs),
            grants=job_grants(scope, needs),
            problems=problems,
            options=role_options,
        )
        self._needs = needs

    @property
    def needs(self) -> JobNeeds:
        """What the role's jobs need, as plain data (for reports and tests)."""
        return self._needs


def _description(needs: JobNeeds) -> str:
    if not needs.steps:
        kinds = ", ".join(ns.rsplit("/", 1)[-1] for ns in needs.metric_namespaces)
        return f"SageMaker job role for {kinds or 'SageMaker jobs'} (sm-pipeline-iam)"
    text = (f"SageMaker job role of pipeline step{'s' if len(needs.steps) > 1 else ''} "
            + ", ".join(needs.steps) + " (sm-pipeline-iam)")
    if len(text) <= _DESCRIPTION_LIMIT:
        return text
    return (f"SageMaker job role of {len(needs.steps)} pipeline steps, {needs.steps[0]} "
            "first (sm-pipeline-iam)")


# --- from settings --------------------------------------------------------------------------


#: What ``images`` takes.
Image = Union[str, "ecr.IRepository"]
#: What ``security_groups`` takes.
SecurityGroup = Union[str, "ec2.ISecurityGroup"]
#: What ``kms_keys`` takes.
Key = Union[str, "kms.IKey"]


#: The fields of an ``ec2.SubnetSelection`` (jsii passes a struct as keyword arguments).
_SELECTION_FIELDS = ("availability_zones", "one_per_az", "subnet_filters",
                     "subnet_group_name", "subnets", "subnet_type")


def _selection(selection: ec2.SubnetSelection | None) -> dict[str, Any]:
    if selection is None:
        return {}
    return {name: value for name in _SELECTION_FIELDS
            if (value := getattr(selection, name, None)) is not None}


def _listed(prop: str, value: object, problems: list[Problem]) -> list[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        problems.append(Problem(prop, "notAList", f"{prop} is {shown(value)}: give a list"))
        return []
    return list(value)


def _texts(prop: str, values: Sequence[Any], attribute: str, what: str,
           problems: list[Problem], stable: StableTokens) -> list[str]:
    """The strings of a list prop (a construct given as its ``attribute``), and one problem
    naming the items that are neither."""
    texts, bad = [], []
    for value in values:
        if isinstance(value, str):
            texts.append(stable(value))
        elif isinstance(getattr(value, attribute, None), str):
            texts.append(stable(getattr(value, attribute)))
        else:
            bad.append(value)
    if bad:
        problems.append(Problem(prop, "notAString", f"{prop} holds "
                                f"{', '.join(shown(v) for v in bad[:3])}: give {what}"))
    return texts


def _is_selection(value: object) -> bool:
    from aws_cdk import aws_ec2 as ec2  # only when a selection is given

    return isinstance(value, ec2.SubnetSelection)


class JobRole(JobNeedsRole):
    """A role SageMaker jobs run as, from what they use: for users without a definition.

    Example::

        role = JobRole(
            stack, "TrainingJobRole",
            job_kinds=["TrainingJobs"],
            inputs=[JobRoleLocation.bucket(data_bucket, "fraud/train")],
            outputs=["s3://ml-artifacts/fraud/models"],
            images=[training_repository],          # ecr.IRepository or an image URI
            vpc=vpc, security_groups=[job_security_group],
            kms_keys=[data_key],
            job_prefix="fraud",
        )

    It grants reading the objects under each input (listing only there), writing under
    each output, pulling from each image's repository, the jobs' own log streams
    (``/aws/sagemaker/<kind>``, ``<job name>/...``), metrics in their namespaces, network
    interfaces in the given subnets and security groups, and the keys. CDK values
    (buckets, repositories, keys, subnets of a VPC in the app) go in as tokens that
    CloudFormation resolves.

    Raises:
        InvalidPropsError: (a ``ValueError``) listing every problem of the props.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        job_kinds: Sequence[str],
        inputs: Sequence[S3LocationLike] = (),
        outputs: Sequence[S3LocationLike] = (),
        images: Sequence[Image] = (),
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        subnet_ids: Sequence[str] = (),
        security_groups: Sequence[SecurityGroup] = (),
        kms_keys: Sequence[Key] = (),
        job_prefix: str | None = None,
        **role_options: Unpack[RoleOptions],
    ) -> None:
        """Create the role.

        Args:
            scope: the parent construct.
            id: the construct id (a public contract: changing it replaces the role).
            job_kinds: the kinds of job that run as the role: ``ProcessingJobs``,
                ``TrainingJobs``, ``TransformJobs`` (their log groups and metric
                namespaces).
            inputs: what the jobs read: ``s3://bucket/prefix`` strings, buckets
                (``s3.IBucket``: all of it) or ``JobRoleLocation.bucket(bucket, prefix)``.
            outputs: where the jobs write, in the same forms.
            images: the images the jobs pull: ``ecr.IRepository`` or ECR image URIs
                (``111122223333.dkr.ecr.us-east-1.amazonaws.com/name:tag``).
            vpc: the VPC the jobs run in; its subnets by ``vpc_subnets`` (default: the
                VPC's default selection, its private subnets).
            vpc_subnets: which subnets of ``vpc``.
            subnet_ids: the subnets by id, instead of ``vpc``.
            security_groups: the jobs' security groups (``ec2.ISecurityGroup`` or ids);
                required with subnets.
            kms_keys: keys the jobs use (``kms.IKey``, key ARNs or ids, aliases
                ``alias/name`` or their ARNs: an alias is granted on the key behind it,
                while the key carries it), for volumes (``kms:CreateGrant`` for AWS
                resources), outputs and inputs (SSE-KMS).
            job_prefix: the prefix of the jobs' names, whose log streams the role writes.
                Default: the default naming, ``pipelines-*``.
            role_options: the role's own options (:class:`RoleOptions`).
        """
        problems = fake_token_problems({
            "job_kinds": job_kinds, "inputs": inputs, "outputs": outputs, "images": images,
            "subnet_ids": subnet_ids, "security_groups": security_groups,
            "kms_keys": kms_keys, "job_prefix": job_prefix,
        })
        stable = StableTokens("JobRoleValue")

        def location(prop: str, value: object) -> str | JobLocation | None:
            if isinstance(value, str):
                return stable(value)
            if isinstance(value, S3Location):
                bucket = value.bucket_name
                if not isinstance(bucket, str) or not isinstance(value.prefix, str):
                    problems.append(Problem(prop, "notAnS3Location",
                                            f"{prop} holds {value!r}: give a bucket and a "
                                            "prefix string"))
                    return None
                return JobLocation(stable(bucket), stable(value.prefix))
            if is_bucket(value):
                return JobLocation(stable(cast("s3.IBucket", value).bucket_name), "")
            problems.append(Problem(prop, "notAnS3Location",
                                    f"{prop} holds {value!r}: give 's3://bucket/prefix', an "
                                    "s3.IBucket or JobRoleLocation.bucket(bucket, 'prefix')"))
            return None

        read = [loc for v in _listed("inputs", inputs, problems)
                if (loc := location("inputs", v)) is not None]
        written = [loc for v in _listed("outputs", outputs, problems)
                   if (loc := location("outputs", v)) is not None]

        uris: list[str] = []
        repositories: list[str] = []
        for image in _listed("images", images, problems):
            if isinstance(image, str):
                uris.append(image)
            elif hasattr(image, "repository_arn") and hasattr(image, "repository_uri"):
                repositories.append(stable(image.repository_arn))
            else:
                problems.append(Problem("images", "notAnImage",
                                        f"images holds {image!r}: give an ecr.IRepository or "
                                        "an ECR image URI"))

        subnets = _texts("subnet_ids", _listed("subnet_ids", subnet_ids, problems), "subnet_id",
                         "subnet ids or ec2.ISubnet (e.g. ['subnet-0123456789abcdef0'])",
                         problems, stable)
        if vpc_subnets is not None and not _is_selection(vpc_subnets):
            problems.append(Problem("vpc_subnets", "notASubnetSelection",
                                    f"vpc_subnets is {shown(vpc_subnets)}: give an "
                                    "ec2.SubnetSelection (e.g. ec2.SubnetSelection(subnet_type="
                                    "ec2.SubnetType.PRIVATE_WITH_EGRESS))"))
            vpc_subnets = None
        elif vpc_subnets is not None and vpc is None:
            problems.append(Problem("vpc_subnets", "withoutVpc",
                                    "vpc_subnets selects subnets of a vpc: give vpc too"))
        if vpc is not None:
            if subnets:
                problems.append(Problem("subnet_ids", "givenWithVpc",
                                        "give the subnets either by vpc (and vpc_subnets) or "
                                        "by subnet_ids, not both"))
            elif not hasattr(vpc, "select_subnets"):
                problems.append(Problem("vpc", "notAVpc", f"vpc is {vpc!r}: give an ec2.IVpc"))
            else:
                try:
                    selected = vpc.select_subnets(**_selection(vpc_subnets)).subnet_ids
                except Exception as error:  # jsii raises the CDK's own errors
                    problems.append(Problem("vpc_subnets", "noSubnets",
                                            f"vpc_subnets selects no subnets of vpc: {error}"))
                else:
                    subnets = [stable(s) for s in selected]
                    if not subnets:
                        problems.append(Problem("vpc_subnets", "noSubnets",
                                                "vpc_subnets selects no subnets of vpc"))
        groups = _texts("security_groups", _listed("security_groups", security_groups, problems),
                        "security_group_id", "ec2.ISecurityGroup or security group ids (e.g. "
                        "['sg-0123456789abcdef0'])", problems, stable)
        keys = _texts("kms_keys", _listed("kms_keys", kms_keys, problems), "key_arn",
                      "kms.IKey, key ARNs or ids, or aliases (e.g. ['alias/ml-data'])",
                      problems, stable)
        if job_prefix is not None and not isinstance(job_prefix, str):
            problems.append(Problem("job_prefix", "notAString", f"job_prefix is "
                                    f"{shown(job_prefix)}: give the jobs' name prefix, e.g. "
                                    "'fraud'"))
            job_prefix = None
        kinds = _listed("job_kinds", job_kinds, problems)
        prefix = stable(job_prefix) if isinstance(job_prefix, str) else job_prefix

        def gather(final: Callable[[str], str]) -> tuple[JobNeeds, list[Problem]]:
            """The needs and problems, each string as ``final`` gives it."""

            def each(values: Sequence[Any]) -> list[Any]:
                return [final(v) if isinstance(v, str) else v for v in values]

            def places(values: Sequence[str | JobLocation]) -> list[str | JobLocation]:
                return [JobLocation(final(v.bucket), final(v.prefix))
                        if isinstance(v, JobLocation) else final(v) for v in values]

            return job_role_needs(
                job_kinds=kinds,
                inputs=places(read),
                outputs=places(written),
                images=each(uris),
                repositories=each(repositories),
                subnets=each(subnets),
                security_groups=each(groups),
                kms_keys=each(keys),
                job_prefix=final(prefix) if isinstance(prefix, str) else prefix,
                is_token=Token.is_unresolved,
            )

        def recheck(final: Callable[[str], str]) -> list[Problem]:
            final_prefix = final(prefix) if isinstance(prefix, str) else prefix
            return gather(final)[1] + token_prefix_problems(prefix, final_prefix)

        needs, found = gather(_unchanged)
        # A prop of the wrong type is named once, not again as empty or incomplete.
        not_lists = {p.prop for p in problems if p.code == "notAList"}
        mistyped = {p.prop for p in problems if p.code in ("notAList", "notAString")}
        found = [p for p in found if p.prop not in not_lists and not (
            p.code == "incompleteVpcConfig" and mistyped & {"subnet_ids", "security_groups"})]
        super().__init__(
            scope, id, needs=needs, problems=[*problems, *found], construct_name="JobRole",
            **role_options,
        )
        # A Lazy that resolves to '*' (or a mixed-case prefix) fails synthesis, naming it.
        check_tokens_at_synth(self, "JobRole", {
            "inputs": read, "outputs": written, "images": [uris, repositories],
            "subnet_ids": subnets, "security_groups": groups, "kms_keys": keys,
            "job_prefix": prefix}, recheck)


def _unchanged(text: str) -> str:
    return text


# --- from a definition ------------------------------------------------------------------


class PipelineJobRoles(Construct):
    """The roles a pipeline's SageMaker jobs run as, derived from its definition: one per
    step that runs a job (``per_step_roles=True``, the default: no step reaches another
    step's data), or one shared by all (``per_step_roles=False``).

    Each role is a :class:`JobNeedsRole` with exactly what its step's job needs; a
    Transform step's job runs as the role of the Model step whose model it runs, so its
    needs go to that role. Steps in ``keep_roles_for`` keep the definition's own role.

    Construct ids (a public contract: a changed id replaces the role): this construct's
    ``id``, then per role ``Step`` + the step name (``StepTrainModel``), or ``Shared`` for
    the shared role. Renaming a step replaces its
    role.

    Example::

        job_roles = PipelineJobRoles(stack, "JobRoles", definition="pipeline.json")
        job_roles.role_for("TrainModel")                       # iam.IRole
        PipelineExecutionRole.from_definition(
            stack, "PipelineRole", "pipeline.json", job_roles=job_roles)

    Raises:
        InvalidPropsError: (a ``ValueError``) listing every problem of the props.
        DefinitionError: (a ``ValueError``) the definition is malformed.
    """

    @_deprecated.renamed_kwargs("PipelineJobRoles")
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        definition: str | Path | Mapping[str, Any],
        per_step_roles: bool = True,
        parameter_values: Mapping[str, Sequence[str]] | None = None,
        any_value_parameters: Sequence[str] = (),
        manifest_locations: Mapping[str, Sequence[str]] | None = None,
        model_endpoints: Mapping[str, Sequence[str]] | None = None,
        pipeline_name: str | None = None,
        allow_unknown_step_types: bool = False,
        keep_roles_for: Sequence[str] = (),
        **role_options: Unpack[RoleOptions],
    ) -> None:
        """Create the roles.

        Args:
            scope: the parent construct.
            id: the construct id (a public contract: the roles' paths start with it).
            definition: ``pipeline.definition()`` JSON text, a path to it, or the dict.
            per_step_roles: one role per step that runs a job (True), or one for all
                (False). Default: True. (``per_step``: its deprecated spelling.)
            parameter_values: per pipeline parameter, the values executions may use.
                Default: none: each parameter a grant depends on is scoped to its
                ``DefaultValue`` (a warning says so), and one without a default is an
                error.
            any_value_parameters: parameters whose every value the roles allow (the
                widest pattern, with a warning; the role records the opt-in for the
                review report). Default: none.
            manifest_locations: per step that reads a manifest (``ManifestFile``,
                ``AugmentedManifestFile``), the S3 folders (``s3://bucket/prefix``) under
                which the objects it lists lie: that step's job role reads them. Default:
                none (the role reads the manifest only, with a warning).
            model_endpoints: per Model step, the endpoints (literal names) that serve its
                model outside the pipeline: its role writes their logs
                (``/aws/sagemaker/Endpoints/<name>``), as for an endpoint an Endpoint step
                names. Default: none (only the pipeline's own endpoints, else the warning
                ``modelEndpointsUnnamed``).
            pipeline_name: the pipeline's name (``Execution.PipelineName``). Default: None.
            allow_unknown_step_types: warn about an unknown step ``Type`` instead of
                failing. Default: False.
            keep_roles_for: step names whose jobs keep the definition's role (no role is
                made for them). Default: none.
            role_options: each role's own options (:class:`RoleOptions`); ``role_name``
                only with ``per_step_roles=False`` (role names are unique).
        """
        problems = _props_problems(definition, per_step_roles, parameter_values, pipeline_name,
                                   allow_unknown_step_types, keep_roles_for, role_options,
                                   any_value_parameters)
        raise_if_any("PipelineJobRoles", id, problems)
        loaded, replaced, reading = _read(definition, keep_roles_for, {
            "parameter_values": parameter_values,
            "any_value_parameters": any_value_parameters,
            "pipeline_name": pipeline_name,
            "allow_unknown_step_types": allow_unknown_step_types,
            "manifest_locations": manifest_locations,
            "model_endpoints": model_endpoints,
        })
        plan, problems = plan_job_roles(reading, per_step=per_step_roles,
                                          keep=keep_roles_for)
        for planned in plan.roles:
            _, found = plan_grants(job_grants(scope, planned.needs), role_options)
            problems.extend(
                Problem(p.prop, p.code, f"role {planned.role_id} ({', '.join(planned.needs.steps)}"
                        f"): {p.message}")
                for p in found
            )
        raise_if_any("PipelineJobRoles", id, problems)

        super().__init__(scope, id)
        self._definition = loaded
        self._reading = reading
        self._plan = plan
        self._by_id: dict[str, JobNeedsRole] = {
            planned.role_id: JobNeedsRole(
                self, planned.role_id, needs=planned.needs, construct_name="PipelineJobRoles",
                **role_options,
            )
            for planned in plan.roles
        }
        # The warnings of jobs that run as a role not made here (a model from outside).
        role_policies.emit_notices(self, plan.notices)
        check_tokens_at_synth(
            self, "PipelineJobRoles", {"parameter_values": parameter_values},
            recheck_parameter_values(loaded, parameter_values, pipeline_name,
                                     allow_unknown_step_types, any_value_parameters,
                                     replaced),
        )

    @classmethod
    def if_needed(cls, scope: Construct, id: str, **props: Any) -> PipelineJobRoles | None:
        """The job roles of a definition, or None when it needs none: no step runs a
        SageMaker job as a role of its own (EMR or Lambda steps only, a Transform of a
        model made outside the pipeline, every job step in ``keep_roles_for``), where the
        constructor raises ``noJobSteps``. For an app that takes any definition;
        :meth:`PipelineExecutionRole.from_definition` without ``job_roles`` covers such a
        definition.

        Args:
            scope: the parent construct; with no job roles, the warnings of the jobs that
                run as a role not made here go on it (as
                :class:`LeastPrivilegePipeline` puts them on itself).
            id: the construct id of the job roles.
            props: the constructor's keyword arguments (``definition``, ``per_step_roles``...).

        Raises:
            InvalidPropsError: (a ``ValueError``) any other problem of the props.
            DefinitionError: (a ``ValueError``) the definition is malformed.
        """
        try:
            return cls(scope, id, **props)
        except InvalidPropsError as error:
            if {problem.code for problem in error.problems} != {"noJobSteps"}:
                raise
        keep = props.get("keep_roles_for", ())
        _, _, reading = _read(props["definition"], keep,
                              {k: v for k, v in props.items() if k in _READ_PROPS})
        plan, _ = plan_job_roles(reading, keep=keep)
        role_policies.emit_notices(scope, plan.notices)
        return None

    @property
    def plan(self) -> JobRolePlan:
        """Which role each step's job runs as, as plain data."""
        return self._plan

    @property
    def reading(self) -> DefinitionReading:
        """What the definition needs (its jobs' needs among it)."""
        return self._reading

    @property
    def roles(self) -> Mapping[str, JobNeedsRole]:
        """Step name -> the role its job runs as, for every step with a generated role (a
        Transform step -> its model's role; all steps -> one role when shared)."""
        return MappingProxyType({
            step: self._by_id[role_id] for step, role_id in self._plan.step_roles.items()
        })

    @property
    def step_types(self) -> Mapping[str, StepType]:
        """Step name -> type, for every step with a generated role."""
        return self._plan.step_types

    @property
    def kept_steps(self) -> tuple[str, ...]:
        """The steps that keep the definition's role (``keep_roles_for``)."""
        return self._plan.kept

    def role_for(self, step: str) -> iam.IRole:
        """The role the job of ``step`` runs as (for a Transform step: its model's).

        Raises:
            NoJobRoleError: (a ``KeyError``) no such step, or it runs no job, or it keeps
                the definition's role; the message says which.
        """
        role_id = self._plan.step_roles.get(step)
        if role_id is None:
            raise NoJobRoleError(no_role_message(self._plan, self._reading, step))
        return self._by_id[role_id]

    @property
    def role_arn_mapping(self) -> Mapping[str, Mapping[str, str]]:
        """Step name -> role field (as ``core.rewrite.RoleSlot.field`` names it:
        ``RoleArn``, ``ExecutionRoleArn``, ``TrainingJobDefinitions[1].RoleArn``) -> the
        generated role's ARN: every field of the definition that hands a SageMaker job a
        role, for the steps with generated roles. A Transform step has no role field."""
        mapping: dict[str, dict[str, str]] = {}
        for slot, role_id in self._plan.role_fields(self._definition):
            mapping.setdefault(slot.step, {})[slot.field] = self._by_id[role_id].role_arn
        return MappingProxyType({step: MappingProxyType(f) for step, f in mapping.items()})

    def role_arn_for(self, slot: RoleSlot) -> str | None:
        """The generated role's ARN for one role field of the definition, or None where the
        field keeps its value: usable as
        ``core.definition.rewrite.with_roles(definition, choose)``."""
        if slot.service != SAGEMAKER:
            return None
        return self.role_arn_mapping.get(slot.step, {}).get(slot.field)

    @property
    def execution_role_targets(self) -> tuple[str, ...]:
        """The ARNs of the generated roles, once each: what the pipeline's execution role
        must be able to pass, to SageMaker only, for these steps (the roles of kept steps
        stay in the definition)."""
        return tuple(role.role_arn for role in self._by_id.values())


#: The props of :class:`PipelineJobRoles` that say how its definition is read.
_READ_PROPS = frozenset({"parameter_values", "any_value_parameters", "pipeline_name",
                         "allow_unknown_step_types", "manifest_locations", "model_endpoints"})


def _read(definition: str | Path | Mapping[str, Any], keep_roles_for: Sequence[str],
          read_props: Mapping[str, Any]
          ) -> tuple[dict[str, Any], frozenset[str], DefinitionReading]:
    """The definition, the steps whose role fields the generated roles replace (not read: a
    parameter there binds nothing), and what the definition needs."""
    loaded = load_definition(definition)
    replaced = generated_role_steps(loaded, keep_roles_for)
    return loaded, replaced, read_definition(loaded, replaced_role_steps=replaced, **read_props)


def _props_problems(
    definition: object, per_step_roles: object, parameter_values: object,
    pipeline_name: object, allow_unknown_step_types: object, keep_roles_for: object,
    role_options: RoleOptions, any_value_parameters: object,
) -> list[Problem]:
    problems = definition_problems(definition, parameter_values, pipeline_name,
                                   allow_unknown_step_types, any_value_parameters)
    checks = PropTypes()
    checks.boolean("per_step_roles", per_step_roles)
    checks.strings("keep_roles_for", keep_roles_for, "step names", "['RunFraudReport']")
    problems += checks.problems
    problems += fake_token_problems({"keep_roles_for": keep_roles_for})
    problems.extend(option_problems(role_options))
    if role_options.get("role_name") is not None and per_step_roles is not False:
        problems.append(Problem("role_name", "namePerStep",
                                "role_name names one role, but per_step_roles=True makes one "
                                "role per step: leave role_name out, or give "
                                "per_step_roles=False"))
    return problems


def recheck_parameter_values(
    definition: str | Path | Mapping[str, Any],
    parameter_values: Mapping[str, Sequence[str]] | None,
    pipeline_name: str | None,
    allow_unknown_step_types: bool,
    any_value_parameters: Sequence[str] = (),
    replaced_role_steps: Collection[str] = (),
) -> Callable[[Callable[[str], str]], list[Problem]]:
    """What :func:`check_tokens_at_synth` runs for ``parameter_values`` that hold tokens: the
    definition read again with each value as its token resolves at synth (a ``Lazy`` that
    resolves to ``*`` is a literal wildcard there, which the reader refuses)."""

    def recheck(final: Callable[[str], str]) -> list[Problem]:
        values = {name: [final(v) for v in items]
                  for name, items in (parameter_values or {}).items()}
        try:
            read_definition(definition, parameter_values=values,
                            any_value_parameters=any_value_parameters,
                            pipeline_name=pipeline_name,
                            allow_unknown_step_types=allow_unknown_step_types,
                            replaced_role_steps=replaced_role_steps)
        except DefinitionError as error:
            return list(error.problems)
        return []

    return recheck
