"""``PipelineExecutionRole``: the role a SageMaker pipeline runs as, least privilege."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_cdk import aws_iam as iam
from constructs import Construct

from ..core.catalog.schema import StepType
from ..core.catalog.services import SAGEMAKER
from ..core.catalog.steps import spec_for, step_names
from ..core.errors import Problem, raise_if_any
from ..core.execution_role import policy
from ..core.execution_role.requirements import (
    GivenResources,
    PipelineRequirements,
    from_step_types,
    role_arn_problems,
    sagemaker_pass_roles,
)
from ..core.notices import EXECUTION_ROLE_RUNS_JOBS, Notice
from ._private import role_policies
from ._private.gathering import gather_with_tokens, token_prefix_problems
from ._private.prop_types import PropTypes, definition_problems
from ._private.role_option_checks import option_problems
from ._private.s3_locations import given_with_uris, location_uris
from ._private.tokens import StableTokens, check_tokens_at_synth, final_given
from ._private.trust import pipeline_execution_source_arns, restrict_trust_to_sources
from .locations import S3LocationLike
from .pipeline_role import PipelineRoleBase
from .role_options import RoleOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .job_roles import PipelineJobRoles


class PipelineExecutionRole(PipelineRoleBase):
    """The IAM role a SageMaker pipeline runs as, with exactly the permissions it needs.

    It is an ``iam.Role`` (usable wherever an ``IRole`` or ``IGrantable`` is expected):

    - trusted by ``sagemaker.amazonaws.com`` only, in the stack's account;
    - per step type, the catalog's actions on job ARNs in the stack's partition, region
      and account, named ``<job_prefix>-*`` (or ``pipelines-*`` by default);
    - ``iam:PassRole`` on itself and on ``step_roles`` (or, given ``job_roles``, on exactly
      those and not on itself), to SageMaker only;
    - ``s3:GetObject`` on the ``JsonGet`` folders only;
    - the principal tag that an organization's SCP exception keys on.

    Policies go into one inline policy (construct id ``Policy``) while they fit IAM's
    10,240-character inline limit, else into managed policies ``Policy1``..``PolicyN``
    of at most 6,144 characters each.

    Example::

        role = PipelineExecutionRole(
            stack, "PipelineRole",
            step_types=[StepType.PROCESSING, StepType.TRAINING],
            job_prefix="fraud",
            json_get_locations=["s3://ml-artifacts/evaluation"],
        )
        role.grant_pass_role(data_scientists)

    Raises:
        InvalidPropsError: (a ``ValueError``) listing every problem of the props.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        step_types: Sequence[StepType | str] = (),
        requirements: PipelineRequirements | None = None,
        job_prefix: str | None = None,
        step_roles: Sequence[iam.IRole] = (),
        job_roles: PipelineJobRoles | Sequence[iam.IRole] | None = None,
        json_get_locations: Sequence[S3LocationLike] = (),
        integration_resources: GivenResources | None = None,
        **role_options: Unpack[RoleOptions],
    ) -> None:
        """Create the role.

        Args:
            scope: the parent construct.
            id: the construct id (a public contract: changing it replaces the role).
            step_types: the step types the pipeline runs (:class:`StepType` members or
                their ``Type`` strings, e.g. ``"Training"``). Required unless
                ``requirements`` is given.
            requirements: exactly what the role must allow, e.g. from
                :func:`~sm_pipeline_iam.core.definition.reader.read_definition` (see
                :meth:`from_definition`); replaces ``step_types``, ``job_prefix``,
                ``step_roles``, ``json_get_locations`` and ``integration_resources``.
                Default: None.
            job_prefix: the custom job prefix the pipeline puts in its job names
                (``PipelineDefinitionConfig(use_custom_job_prefix=True)``). A token is
                granted as it is (``<token>-*``, one spelling); a ``Lazy`` one is checked
                at synth, a deploy-time one cannot be. Default: None, the default naming
                ``pipelines-*``.
            step_roles: other roles the pipeline hands to its SageMaker jobs, besides
                this role. Default: none (the jobs run as this role, with a warning).
            job_roles: the roles the pipeline's SageMaker jobs run as: a
                ``PipelineJobRoles`` or roles (``JobRole``, any ``iam.IRole``). The role
                then passes exactly these, to SageMaker only, and not itself. Not with
                ``step_roles``. Default: None.
            json_get_locations: the folders whose objects ``JsonGet`` reads:
                ``s3://bucket/prefix`` strings (the bucket or a key part may be a token,
                ``f"s3://{bucket.bucket_name}/eval"``), buckets (``s3.IBucket``: all of it)
                or ``S3Location.bucket(bucket, "prefix")``. Default: none.
            integration_resources: the functions, queues, clusters, applications and S3
                folders that Lambda, Callback, EMR, EMRServerless and Cleanup steps use;
                required for those step types. Default: none.
            role_options: the role's own options (:class:`RoleOptions`: ``principal_tag``,
                ``role_name``, ``path``, ``description``, ``permissions_boundary``,
                ``max_session_duration``).
        """
        checks = PropTypes()
        checks.step_types("step_types", step_types)
        checks.instance("requirements", requirements,
                        lambda value: isinstance(value, PipelineRequirements), "notRequirements",
                        "PipelineRequirements (e.g. read_definition(...).requirements)")
        checks.string("job_prefix", job_prefix, "the job prefix, e.g. 'fraud'", optional=True)
        checks.roles("step_roles", step_roles)
        checks.locations("json_get_locations", json_get_locations)
        checks.given_resources("integration_resources", integration_resources)
        checks.raise_if_any("PipelineExecutionRole", id, {
            "step_types": step_types, "job_prefix": job_prefix,
            "json_get_locations": json_get_locations,
            "integration_resources": integration_resources,
        }, role_options)
        recheck: Callable[[Callable[[str], str]], list[Problem]] | None = None
        locations: list[str] = []
        resources: GivenResources | None = None
        explicit = requirements is not None
        if requirements is not None:
            given = [name for name, value in (
                ("step_types", step_types), ("job_prefix", job_prefix),
                ("step_roles", step_roles), ("job_roles", job_roles is not None),
                ("json_get_locations", json_get_locations),
                ("integration_resources", integration_resources)) if value]
            problems = [
                Problem(
                    name,
                    "givenWithRequirements",
                    f"{name} is given with requirements, which already say it all: give one",
                )
                for name in given
            ]
            if not requirements.step_types:
                problems.append(Problem(
                    "requirements",
                    "noStepTypes",
                    "requirements name no step type: the pipeline runs nothing",
                ))
        else:
            job_role_arns, problems = _job_role_arns(job_roles, step_roles)
            stable = StableTokens("PipelineValue")
            locations = location_uris("json_get_locations", json_get_locations, problems,
                                      stable)
            resources = given_with_uris(integration_resources, problems, stable)
            requirements, more = gather_with_tokens(
                from_step_types,
                step_types=step_types,
                job_prefix=job_prefix,
                step_role_arns=[role.role_arn for role in step_roles] + job_role_arns,
                json_get_locations=locations,
                resources=resources,
            )
            # A location refused above is not missing as well.
            refused = {problem.prop for problem in problems}
            problems += [p for p in more if not (p.code == "empty" and p.prop in refused)]
            if job_roles is not None and job_role_arns and not sagemaker_pass_roles(
                requirements.step_types, job_role_arns
            ) and requirements.step_types:
                problems.append(Problem(
                    "job_roles", "noJobSteps",
                    "job_roles are given, but no step type runs a SageMaker job "
                    f"({step_names(requirements.step_types)}): leave them out",
                ))

            def recheck(final: Callable[[str], str]) -> list[Problem]:
                prefix = final(job_prefix) if job_prefix is not None else None
                _, found = gather_with_tokens(
                    from_step_types, step_types=step_types, job_prefix=prefix,
                    json_get_locations=[final(uri) for uri in locations],
                    resources=final_given(resources, final),
                )
                return found + token_prefix_problems(job_prefix, prefix)

        # The jobs run as this role when it is given no other: it passes itself.
        runs_jobs = not explicit and job_roles is None and not step_roles and bool(
            sagemaker_pass_roles(requirements.step_types, ["self"]))
        super().__init__(
            scope,
            id,
            construct_name="PipelineExecutionRole",
            default_description="SageMaker pipeline execution role for "
            + step_names(requirements.step_types)
            + " steps (sm-pipeline-iam)",
            requirements=requirements,
            problems=problems,
            options=role_options,
            # Explicit requirements (a definition) name every role the steps run as, and
            # job roles every role the jobs run as.
            pass_self=not explicit and job_roles is None,
        )
        if runs_jobs:
            role_policies.emit_notices(self, [_runs_jobs_notice(requirements.step_types)])
        if recheck is not None:
            # A Lazy prefix or location that resolves to '*' fails synthesis, naming it.
            check_tokens_at_synth(self, "PipelineExecutionRole", {
                "job_prefix": job_prefix, "json_get_locations": locations,
                "integration_resources": resources}, recheck)

    @classmethod
    def from_definition(
        cls,
        scope: Construct,
        id: str,
        definition: str | Path | Mapping[str, Any],
        *,
        parameter_values: Mapping[str, Sequence[str]] | None = None,
        any_value_parameters: Sequence[str] = (),
        pipeline_name: str | None = None,
        allow_unknown_step_types: bool = False,
        job_roles: PipelineJobRoles | None = None,
        runtime_roles: Mapping[str, iam.IRole] | None = None,
        **role_options: Unpack[RoleOptions],
    ) -> PipelineExecutionRole:
        """The role that exactly the pipeline ``definition`` needs.

        Args:
            scope: the parent construct.
            id: the construct id.
            definition: ``pipeline.definition()`` JSON text, a path to it, or the dict.
            parameter_values: per pipeline parameter, the values executions may use;
                binding them narrows values that depend on parameters. Default: none.
            pipeline_name: the pipeline's name (``Execution.PipelineName``): it names
                the pipeline's Experiments records, which the role is then scoped to.
                Default: None (they are allowed on any experiment, with a warning).
            allow_unknown_step_types: warn about an unknown step ``Type`` instead of
                failing. Default: False.
            job_roles: the ``PipelineJobRoles`` of the same definition: the role passes
                their roles (to SageMaker only) instead of the roles the definition gives
                those steps; a definition role that another step still uses (a kept step,
                an endpoint config) stays. Default: None (the definition's roles).
            runtime_roles: step name -> the role an EMR or EMRServerless step's work runs
                as (its ``ExecutionRoleArn``), when the deployed definition names that
                role instead of the definition's (``LeastPrivilegePipeline`` rewrites it):
                the role passes it to EMR (or EMR Serverless) only. Default: None.
            role_options: the role's own options (:class:`RoleOptions`).

        Raises:
            DefinitionError: (a ``ValueError``) the definition is malformed.
            InvalidPropsError: (a ``ValueError``) ``job_roles`` are not a
                ``PipelineJobRoles`` of this definition, or ``runtime_roles`` name a step
                without a runtime role.
        """
        # Loaded here, not with the module: importing the role stays as light as the CDK.
        from ..core.definition.names import coarsened
        from ..core.definition.reader import load_definition, read_definition
        from ..core.job_roles.assignment import (
            plan_problems,
            replace_job_role_targets,
            replace_runtime_role_targets,
        )
        from .job_roles import PipelineJobRoles, recheck_parameter_values

        problems = definition_problems(definition, parameter_values, pipeline_name,
                                       allow_unknown_step_types, any_value_parameters)
        if problems:
            raise_if_any("PipelineExecutionRole", id, problems + option_problems(role_options))
        if job_roles is not None and not isinstance(job_roles, PipelineJobRoles):
            raise_if_any("PipelineExecutionRole", id, [Problem(
                "job_roles", "notJobRoles",
                f"job_roles is {job_roles!r}: give the PipelineJobRoles of this "
                "definition (or, without a definition, roles to PipelineExecutionRole)",
            )])
        # The role fields the job roles replace are not read: a parameter there binds
        # nothing (the job roles are checked against this definition below).
        replaced = tuple(job_roles.step_types) if job_roles is not None else ()
        reading = read_definition(
            definition,
            parameter_values=parameter_values,
            any_value_parameters=any_value_parameters,
            pipeline_name=pipeline_name,
            allow_unknown_step_types=allow_unknown_step_types,
            replaced_role_steps=replaced,
        )
        requirements = reading.requirements
        if job_roles is not None:
            raise_if_any("PipelineExecutionRole", id, plan_problems(reading, job_roles.step_types))
            stable = StableTokens("PassedJobRole")
            requirements = replace_job_role_targets(
                load_definition(definition),
                requirements,
                job_roles.step_types.keys(),
                [stable(arn) for arn in job_roles.execution_role_targets],
            )
            # What its job roles already warn about (a Tuning step's default names read by
            # both) is said once, there: the same warning twice is noise.
            given = {(n.id, n.message) for n in job_roles.plan.notices} | {
                (n.id, n.message) for role in job_roles.roles.values() for n in role.needs.notices}
            requirements = dataclasses.replace(requirements, notices=tuple(
                n for n in requirements.notices if (n.id, n.message) not in given))
        if runtime_roles:
            arns = runtime_role_arns(id, load_definition(definition), runtime_roles)
            requirements = replace_runtime_role_targets(
                load_definition(definition), requirements, arns)
        render = role_policies.sizing_render({})
        _, problems = role_policies.plan_documents(
            policy.build_statements(requirements), render
        )
        if problems:
            # Too many per-step scopes for IAM's limits: widen the default-naming ones.
            requirements = coarsened(requirements)
        role = cls(scope, id, requirements=requirements, **role_options)
        if pipeline_name is not None and not _names_itself(requirements, role_options):
            # Only this pipeline's executions assume the role (its jobs run as the roles
            # the definition names, never as this one).
            restrict_trust_to_sources(role, pipeline_execution_source_arns(role, pipeline_name))
        role_policies.record_any_value_parameters(role, reading.unresolved)
        check_tokens_at_synth(
            role, "PipelineExecutionRole", {"parameter_values": parameter_values},
            recheck_parameter_values(definition, parameter_values, pipeline_name,
                                     allow_unknown_step_types, any_value_parameters,
                                     replaced),
        )
        return role


def _names_itself(requirements: PipelineRequirements, options: RoleOptions) -> bool:
    """True when the definition hands this role (named by ``role_name``) to a step: the
    step's job then assumes it too, with the job's ARN as ``aws:SourceArn``, so the trust
    stays limited by ``aws:SourceAccount`` only."""
    name = options.get("role_name")
    return bool(name) and any(
        target.role_arn.endswith(f"/{name}") for target in requirements.pass_roles)


def runtime_role_arns(id: str, definition: Mapping[str, Any],
                      runtime_roles: object) -> dict[str, str]:
    """Step -> the ARN of its given runtime role (each token hinted so that the order of
    the passed roles is stable).

    Raises:
        InvalidPropsError: ``runtime_roles`` is not a mapping of step names to roles, or
            names a step that is not an EMR or EMRServerless step with a runtime role.
    """
    from ..core.job_roles.assignment import runtime_role_problems

    if not isinstance(runtime_roles, Mapping) or not all(
        isinstance(step, str) and isinstance(getattr(role, "role_arn", None), str)
        for step, role in runtime_roles.items()
    ):
        raise_if_any("PipelineExecutionRole", id, [Problem(
            "runtime_roles", "notRoles",
            f"runtime_roles is {runtime_roles!r}: give {{'StepName': iam.IRole}} for EMR and "
            "EMRServerless steps (iam.Role.from_role_arn(...) for an existing role)",
        )])
    assert isinstance(runtime_roles, Mapping)
    raise_if_any("PipelineExecutionRole", id, [
        *role_arn_problems("runtime_roles", [role.role_arn for role in runtime_roles.values()]),
        *runtime_role_problems(definition, runtime_roles),
    ])
    stable = StableTokens("PassedRuntimeRole")
    return {step: stable(role.role_arn) for step, role in runtime_roles.items()}


def _job_role_arns(
    job_roles: PipelineJobRoles | Sequence[iam.IRole] | None, step_roles: Sequence[iam.IRole]
) -> tuple[list[str], list[Problem]]:
    """The ARNs of the given job roles (each token hinted so that their order is stable),
    and the problems of the prop."""
    if job_roles is None:
        return [], []
    from .job_roles import PipelineJobRoles  # only when job roles are given

    problems: list[Problem] = []
    if step_roles:
        problems.append(Problem(
            "job_roles", "givenWithStepRoles",
            "job_roles and step_roles are both given: give job_roles (the role then passes "
            "exactly them) or step_roles (the role passes itself and them)",
        ))
    if isinstance(job_roles, PipelineJobRoles):
        arns = list(job_roles.execution_role_targets)
    elif isinstance(job_roles, str | bytes) or not isinstance(job_roles, Sequence):
        return [], [*problems, Problem("job_roles", "notRoles",
                                       f"job_roles is {job_roles!r}: give a PipelineJobRoles "
                                       "or a list of roles")]
    else:
        arns = []
        for role in job_roles:
            arn = getattr(role, "role_arn", None)
            if not isinstance(arn, str):
                problems.append(Problem(
                    "job_roles", "notARole",
                    f"job_roles holds {role!r}, which is not a role: give iam.IRole "
                    "(iam.Role.from_role_arn(...) for an existing one)",
                ))
            else:
                arns.append(arn)
        problems += role_arn_problems("job_roles", arns)
        if not job_roles:
            problems.append(Problem("job_roles", "empty",
                                    "job_roles is empty: give the roles the jobs run as, or "
                                    "leave job_roles out"))
    stable = StableTokens("PassedJobRole")
    return [stable(arn) for arn in dict.fromkeys(arns)], problems


def _runs_jobs_notice(step_types: frozenset[StepType]) -> Notice:
    runners = sorted(t.value for t in step_types if SAGEMAKER in spec_for(t).passes_role_to)
    return Notice(
        EXECUTION_ROLE_RUNS_JOBS,
        f"the SageMaker jobs of the {', '.join(runners)} steps run as this execution role, "
        "which holds none of their permissions (input and output data, images, logs, "
        "metrics): give job roles (job_roles=[JobRole(...)] or PipelineJobRoles), or grant "
        "this role what the jobs use",
    )
