"""``PipelineExecutionRole``: the role a SageMaker pipeline runs as, least privilege."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_cdk import Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..core import policy
from ..core.definition import coarsened, read_definition
from ..core.errors import Problem
from ..core.requirements import GivenResources, PipelineRequirements, from_step_types
from ..core.steps import StepType, step_names
from . import role_policies
from .pipeline_role import PipelineRoleBase, RoleOptions

if TYPE_CHECKING:
    from typing_extensions import Unpack


class PipelineExecutionRole(PipelineRoleBase):
    """The IAM role a SageMaker pipeline runs as, with exactly the permissions it needs.

    It is an ``iam.Role`` (usable wherever an ``IRole`` or ``IGrantable`` is expected):

    - trusted by ``sagemaker.amazonaws.com`` only, in the stack's account;
    - per step type, the catalog's actions on job ARNs in the stack's partition, region
      and account, named ``<job_prefix>-*`` (or ``pipelines-*`` by default);
    - ``iam:PassRole`` on itself and on ``step_roles``, to SageMaker only;
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
        json_get_locations: Sequence[str] = (),
        integration_resources: GivenResources | None = None,
        **options: Unpack[RoleOptions],
    ) -> None:
        """Create the role.

        Args:
            scope: the parent construct.
            id: the construct id (a public contract: changing it replaces the role).
            step_types: the step types the pipeline runs (:class:`StepType` members or
                their ``Type`` strings, e.g. ``"Training"``). Required unless
                ``requirements`` is given.
            requirements: exactly what the role must allow, e.g. from
                :func:`~sm_pipeline_iam.core.definition.read_definition` (see
                :meth:`from_definition`); replaces ``step_types``, ``job_prefix``,
                ``step_roles``, ``json_get_locations`` and ``integration_resources``.
                Default: None.
            job_prefix: the custom job prefix the pipeline puts in its job names
                (``PipelineDefinitionConfig(use_custom_job_prefix=True)``). Default: None,
                the default naming ``pipelines-*``.
            step_roles: other roles the pipeline hands to its SageMaker jobs. Default:
                none (the jobs run as this role).
            json_get_locations: ``s3://bucket/prefix`` folders whose objects ``JsonGet``
                reads. Default: none.
            integration_resources: the functions, queues, clusters, applications and S3
                folders that Lambda, Callback, EMR, EMRServerless and Cleanup steps use;
                required for those step types. Default: none.
            options: the role's own options (:class:`RoleOptions`: ``principal_tag``,
                ``role_name``, ``path``, ``description``, ``permissions_boundary``,
                ``max_session_duration``).
        """
        explicit = requirements is not None
        if requirements is not None:
            given = [name for name, value in (
                ("step_types", step_types), ("job_prefix", job_prefix),
                ("step_roles", step_roles), ("json_get_locations", json_get_locations),
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
            prefix_is_token = job_prefix is not None and Token.is_unresolved(job_prefix)
            requirements, problems = from_step_types(
                step_types,
                job_prefix=job_prefix,
                validate_prefix=not prefix_is_token,
                step_role_arns=[role.role_arn for role in step_roles],
                json_get_locations=json_get_locations,
                resources=integration_resources,
            )
        super().__init__(
            scope,
            id,
            construct_name="PipelineExecutionRole",
            default_description="SageMaker pipeline execution role for "
            + step_names(requirements.step_types)
            + " steps (sm-pipeline-iam)",
            requirements=requirements,
            problems=problems,
            options=options,
            # Explicit requirements (a definition) name every role the steps run as.
            pass_self=not explicit,
        )

    @classmethod
    def from_definition(
        cls,
        scope: Construct,
        id: str,
        definition: str | Path | Mapping[str, Any],
        *,
        parameter_values: Mapping[str, Sequence[str]] | None = None,
        pipeline_name: str | None = None,
        allow_unknown_step_types: bool = False,
        **options: Unpack[RoleOptions],
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
            options: the role's own options (:class:`RoleOptions`).

        Raises:
            DefinitionError: (a ``ValueError``) the definition is malformed.
        """
        requirements = read_definition(
            definition,
            parameter_values=parameter_values,
            pipeline_name=pipeline_name,
            allow_unknown_step_types=allow_unknown_step_types,
        ).requirements
        render = role_policies.sizing_render({})
        _, problems = role_policies.plan_documents(
            policy.build_statements(requirements), render
        )
        if problems:
            # Too many per-step scopes for IAM's limits: widen the default-naming ones.
            requirements = coarsened(requirements)
        return cls(scope, id, requirements=requirements, **options)
