"""``LeastPrivilegePipeline``: a SageMaker pipeline deployed with the roles it needs."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from aws_cdk import CfnResource, CfnTag, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.region_info import RegionInfo
from constructs import Construct

from .. import _deprecated
from ..core.catalog.services import SAGEMAKER
from ..core.definition.reader import load_definition, read_definition
from ..core.definition.rewrite import RoleSlot, with_roles
from ..core.errors import Problem, raise_if_any
from ..core.execution_role import pipeline
from ..core.job_roles.assignment import (
    RUNTIME_ROLE_FIELD,
    RUNTIME_ROLE_SERVICES,
    NoJobRoleError,
    generated_role_steps,
    plan_job_roles,
)
from ._private import role_policies
from ._private.prop_types import PropTypes, definition_problems
from ._private.role_option_checks import option_problems
from ._private.trust import grant_pass_to_sagemaker
from .execution_role import PipelineExecutionRole, runtime_role_arns
from .job_roles import PipelineJobRoles

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .role_options import CommonRoleOptions

#: Definitions up to this many characters go inline into the template
#: (``PipelineDefinitionBody``); longer ones into an S3 asset, so that the template
#: keeps room below CloudFormation's 1 MB limit for the roles and their policies.
INLINE_DEFINITION_LIMIT = 400_000

#: SageMaker's limit on a pipeline description (CreatePipeline's PipelineDescription).
DESCRIPTION_LIMIT = 3072

#: IAM's role-name limit, for the names given to job roles whose ARNs go into an asset.
ROLE_NAME_LIMIT = 64

_ROLE_NAME_CHARS = re.compile(r"[^\w+=,.@-]")


@dataclass(frozen=True)
class _Parameters:
    """What the props say of the definition's parameters (for the roles made here)."""

    values: Mapping[str, Sequence[str]] | None
    any_value: tuple[str, ...]


@dataclass(frozen=True)
class _Declared:
    """What the props declare that the definition does not say: the folders a step's
    manifest lists objects from, and the endpoints that serve a Model step's model."""

    manifest_locations: Mapping[str, Sequence[str]] | None
    model_endpoints: Mapping[str, Sequence[str]] | None


class LeastPrivilegePipeline(Construct):
    """A SageMaker pipeline (``AWS::SageMaker::Pipeline``) with the roles it needs, and
    no more: from the SDK's ``pipeline.definition()``, it creates

    - the job roles (:class:`PipelineJobRoles`, one per step that runs a job by default;
      none when no step runs a SageMaker job as a role of its own: a definition of EMR or
      Lambda steps only, or a Transform of a model made outside the pipeline, which runs
      as that model's role),
    - the execution role (:meth:`PipelineExecutionRole.from_definition`), which passes
      exactly those roles, to SageMaker only,
    - the pipeline, whose definition has every step's role field (``RoleArn``,
      ``ExecutionRoleArn``, a tuning step's training definitions) pointed at its
      generated role, as CloudFormation references; steps in ``keep_roles_for`` keep
      the definition's role.

    Definitions up to ``INLINE_DEFINITION_LIMIT`` characters go inline into the template;
    longer ones (or any, with ``definition_in_s3=True``) into an S3 asset
    (``PipelineDefinitionS3Location``) that the execution role may read, that object
    only. An S3 copy cannot hold CloudFormation references, so the job roles then get
    names derived from the pipeline's name, and the stack needs a concrete account and
    region (``env``).

    The pipeline's name scopes its Experiments records (when the definition uses them)
    and the grants below. Renaming it replaces the pipeline (a new one; the old one and
    its execution history are deleted) and re-scopes the execution role and the grants;
    the job roles stay (their ids follow the step names, not the pipeline's).

    Construct ids (a public contract: a changed id replaces the resource): this
    construct's ``id``, then ``Resource`` (the pipeline), ``ExecutionRole``,
    ``JobRoles`` (with ``Step<name>`` or ``Shared`` below it) and, for an S3 copy,
    ``Definition``.

    Example::

        pipeline = LeastPrivilegePipeline(
            stack, "Pipeline",
            definition="pipeline.json",          # pipeline.definition() output
            pipeline_name="fraud-detection",
        )
        pipeline.grant_start_execution(data_scientists)
        pipeline.grant_update(ci_role)

    Raises:
        InvalidPropsError: (a ``ValueError``) listing every problem of the props.
        DefinitionError: (a ``ValueError``) the definition is malformed.
    """

    @_deprecated.renamed_kwargs("LeastPrivilegePipeline")
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        definition: str | Path | Mapping[str, Any],
        pipeline_name: str,
        per_step_roles: bool = True,
        keep_roles_for: Sequence[str] = (),
        runtime_roles: Mapping[str, iam.IRole] | None = None,
        parameter_values: Mapping[str, Sequence[str]] | None = None,
        any_value_parameters: Sequence[str] = (),
        manifest_locations: Mapping[str, Sequence[str]] | None = None,
        model_endpoints: Mapping[str, Sequence[str]] | None = None,
        allow_unknown_step_types: bool = False,
        required_job_prefix: str | None = None,
        pipeline_display_name: str | None = None,
        pipeline_description: str | None = None,
        parallelism: int | None = None,
        tags: Mapping[str, str] | None = None,
        definition_in_s3: bool | None = None,
        **role_options: Unpack[CommonRoleOptions],
    ) -> None:
        """Create the pipeline and its roles.

        Args:
            scope: the parent construct.
            id: the construct id (a public contract, see above).
            definition: ``pipeline.definition()`` JSON text, a path to it, or the dict.
            pipeline_name: the pipeline's name (``PipelineName``), known at synthesis.
            per_step_roles: one job role per step that runs a job (True), or one shared
                by all of them (False). Default: True.
            keep_roles_for: step names whose jobs keep the definition's role. Default:
                none.
            runtime_roles: step name -> the role an EMR or EMRServerless step's work
                runs as: its ``ExecutionRoleArn`` is rewritten to that role, which the
                execution role passes to EMR (or EMR Serverless) only. Default: none (the
                definition's runtime roles).
            parameter_values: per pipeline parameter, the values executions may use.
                Default: none: each parameter a grant depends on is scoped to its
                ``DefaultValue`` (a warning says so), and one without a default is an
                error.
            any_value_parameters: parameters whose every value the roles allow (the
                widest pattern, with a warning, and a finding of the review report).
                Default: none.
            manifest_locations: per step that reads a manifest, the S3 folders the
                objects it lists lie under (see :class:`PipelineJobRoles`). Default: none.
            model_endpoints: per Model step, the endpoints that serve its model outside
                the pipeline, whose logs its role writes (see :class:`PipelineJobRoles`).
                Default: none.
            allow_unknown_step_types: warn about an unknown step ``Type`` instead of
                failing. Default: False.
            required_job_prefix: when given, every job the definition names must be named
                ``<required_job_prefix>-...`` (the custom job prefix); a step whose job
                falls outside it is an error: a check, not a grant (the roles follow the
                definition). Default: None (no check). (``job_prefix``: its deprecated
                spelling; elsewhere ``job_prefix`` is what a role grants.)
            pipeline_display_name: the name shown in Studio (SageMaker's pipeline-name
                pattern). Default: the name.
            pipeline_description: the pipeline's description. Default: none.
            parallelism: the most steps an execution runs at once
                (``MaxParallelExecutionSteps``, at least 1). Default: SageMaker's.
            tags: tags of the pipeline. Default: none.
            definition_in_s3: put the definition into an S3 asset (True), inline into the
                template (False), or decide by its size (None). Default: None.
            role_options: options of every role made here (:class:`CommonRoleOptions`:
                ``principal_tag``, ``path``, ``description``, ``permissions_boundary``,
                ``max_session_duration``); not ``role_name``, which names one role.
        """
        raise_if_any("LeastPrivilegePipeline", id, _props_problems(
            definition, pipeline_name, per_step_roles, keep_roles_for, parameter_values,
            any_value_parameters, allow_unknown_step_types, required_job_prefix,
            pipeline_display_name,
            pipeline_description, parallelism, tags, definition_in_s3, role_options,
        ))
        loaded = load_definition(definition)
        if runtime_roles is not None:
            runtime_role_arns(id, loaded, runtime_roles)
        reading = read_definition(loaded, parameter_values=parameter_values,
                                  any_value_parameters=any_value_parameters,
                                  pipeline_name=pipeline_name,
                                  allow_unknown_step_types=allow_unknown_step_types,
                                  manifest_locations=manifest_locations,
                                  model_endpoints=model_endpoints,
                                  replaced_role_steps=generated_role_steps(loaded,
                                                                           keep_roles_for))
        if required_job_prefix is not None:
            raise_if_any("LeastPrivilegePipeline", id, pipeline.job_prefix_problems(
                required_job_prefix, reading.scopes, prop="required_job_prefix"))
        plan, plan_problems = plan_job_roles(reading, per_step=per_step_roles,
                                             keep=keep_roles_for)
        # No step whose job needs a role of its own: the pipeline needs no job roles.
        raise_if_any("LeastPrivilegePipeline", id,
                     [p for p in plan_problems if p.code != "noJobSteps"])
        super().__init__(scope, id)
        self._pipeline_name = pipeline_name
        self._runtime_roles: Mapping[str, iam.IRole] = dict(runtime_roles or {})
        try:
            self._create(loaded, per_step_roles, keep_roles_for,
                         _Parameters(parameter_values, tuple(any_value_parameters)),
                         _Declared(manifest_locations, model_endpoints),
                         allow_unknown_step_types, definition_in_s3, role_options,
                         with_job_roles=bool(plan.roles))
        except ValueError:
            # A problem only the roles' own checks find: nothing of this construct stays.
            scope.node.try_remove_child(id)
            raise
        self.resource = sagemaker.CfnPipeline(
            self, "Resource",
            pipeline_name=pipeline_name,
            role_arn=self.execution_role.role_arn,
            pipeline_definition=self._definition_property,
            pipeline_display_name=pipeline_display_name,
            pipeline_description=pipeline_description,
            # Typed as JSON in the CFN spec: the keys are CloudFormation's own.
            parallelism_configuration=None if parallelism is None else {
                "MaxParallelExecutionSteps": parallelism},
            tags=[CfnTag(key=k, value=v) for k, v in (tags or {}).items()] or None,
        )
        if self.job_roles is None:
            # The warnings of jobs that run as a role not made here (a model from outside).
            role_policies.emit_notices(self, plan.notices)
        # Executions may start right after the deployment: the roles' policies must exist
        # by then. The roles themselves come first anyway (referenced by the policies).
        job_roles = self.job_roles.node.find_all() if self.job_roles is not None else []
        for child in (*self.execution_role.node.find_all(), *job_roles):
            if isinstance(child, CfnResource) and not isinstance(child, iam.CfnRole):
                self.resource.node.add_dependency(child)

    def _create(
        self, loaded: Mapping[str, Any], per_step_roles: bool, keep_roles_for: Sequence[str],
        parameters: _Parameters, declared: _Declared,
        allow_unknown_step_types: bool, definition_in_s3: bool | None,
        role_options: CommonRoleOptions, *, with_job_roles: bool,
    ) -> None:
        """The job roles (``with_job_roles``), the execution role and the definition
        property."""
        #: The job roles; None when no step's job runs as a role of its own.
        self.job_roles: PipelineJobRoles | None = PipelineJobRoles(
            self, "JobRoles",
            definition=loaded,
            per_step_roles=per_step_roles,
            parameter_values=parameters.values,
            any_value_parameters=parameters.any_value,
            manifest_locations=declared.manifest_locations,
            model_endpoints=declared.model_endpoints,
            pipeline_name=self._pipeline_name,
            allow_unknown_step_types=allow_unknown_step_types,
            keep_roles_for=keep_roles_for,
            **role_options,
        ) if with_job_roles else None
        self.execution_role = PipelineExecutionRole.from_definition(
            self, "ExecutionRole", loaded,
            parameter_values=parameters.values,
            any_value_parameters=parameters.any_value,
            pipeline_name=self._pipeline_name,
            allow_unknown_step_types=allow_unknown_step_types,
            job_roles=self.job_roles,
            runtime_roles=self._runtime_roles or None,
            **role_options,
        )
        in_s3 = definition_in_s3
        if in_s3 is None:
            in_s3 = len(json.dumps(loaded, separators=(",", ":"))) > INLINE_DEFINITION_LIMIT
        self._definition_property: dict[str, Any] = (
            self._s3_definition(loaded) if in_s3 else {
                "PipelineDefinitionBody": _json_text(with_roles(loaded, self._role_arn_for)),
            }
        )

    @property
    def pipeline_name(self) -> str:
        """The pipeline's name."""
        return self._pipeline_name

    @property
    def pipeline_arn(self) -> str:
        """The pipeline's ARN (``arn:<partition>:sagemaker:<region>:<account>:pipeline/
        <name>``)."""
        return pipeline.pipeline_arns(self._pipeline_name,
                                      role_policies.stack_environment(self))[0]

    @property
    def runtime_roles(self) -> Mapping[str, iam.IRole]:
        """Step -> the runtime role its EMR or EMRServerless work runs as, as given."""
        return MappingProxyType(self._runtime_roles)

    def role_for(self, step: str) -> iam.IRole:
        """The role the job of ``step`` runs as (see :meth:`PipelineJobRoles.role_for`).

        Raises:
            NoJobRoleError: (a ``KeyError``) the step has no generated role, or the
                pipeline has none (no step runs a SageMaker job as a role of its own).
        """
        if self.job_roles is None:
            raise NoJobRoleError(
                f"step {step!r} has no generated job role: no step of this pipeline runs a "
                "SageMaker job as a role of its own, so it has no job roles")
        return self.job_roles.role_for(step)

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` start, stop, retry and follow executions of this pipeline, and
        of no other (``ListPipelines`` takes no resource and is not granted)."""
        return self._grant(grantee, pipeline.start_statements(
            self._pipeline_name, role_policies.stack_environment(self)))

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` describe and list this pipeline, its versions, tags and
        executions, and change nothing."""
        return self._grant(grantee, pipeline.read_statements(
            self._pipeline_name, role_policies.stack_environment(self)))

    def grant_update(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` update this pipeline (``UpdatePipeline``) and pass its
        execution role, to SageMaker only. The job roles are not passed by whoever
        updates the pipeline but by the execution role at run time, and an updated
        definition can hand its jobs only the roles that role may pass."""
        grant = self._grant(grantee, pipeline.update_statements(
            self._pipeline_name, role_policies.stack_environment(self)))
        return grant.combine(grant_pass_to_sagemaker(self.execution_role, grantee))

    def _grant(self, grantee: iam.IGrantable, statements: Sequence[Any]) -> iam.Grant:
        grants = [
            iam.Grant.add_to_principal(
                grantee=grantee, actions=list(s.actions), resource_arns=list(s.resources),
            )
            for s in statements
        ]
        combined = grants[0]
        for grant in grants[1:]:
            combined = combined.combine(grant)
        return combined

    def _role_arn_for(self, slot: RoleSlot) -> str | None:
        """The ARN a role field of the deployed definition holds: the step's job role, the
        given runtime role, or None (the definition's value stays)."""
        if slot.path == RUNTIME_ROLE_FIELD and slot.service in RUNTIME_ROLE_SERVICES and (
            slot.step in self._runtime_roles
        ):
            return self._runtime_roles[slot.step].role_arn
        return self.job_roles.role_arn_for(slot) if self.job_roles is not None else None

    def _s3_definition(self, loaded: Mapping[str, Any]) -> dict[str, Any]:
        """The definition as an S3 asset, its job roles named so that their ARNs are
        known at synthesis; the execution role may read that object only."""
        stack = Stack.of(self)
        if Token.is_unresolved(stack.account) or Token.is_unresolved(stack.region):
            raise_if_any("LeastPrivilegePipeline", self.node.id, [Problem(
                "definition_in_s3", "environmentNeeded",
                "the definition goes into S3, whose copy cannot hold CloudFormation "
                "references to the job roles: give the stack a concrete account and "
                "region (env=Environment(account=..., region=...))",
            )])
        partition = RegionInfo.get(stack.region).partition or "aws"
        arns: dict[str, str] = {}
        roles = self.job_roles.roles if self.job_roles is not None else {}
        for role in dict.fromkeys(roles.values()):
            name = _job_role_name(self._pipeline_name, role.node.id)
            cfn_role = role.node.default_child
            assert isinstance(cfn_role, iam.CfnRole)
            cfn_role.role_name = name
            path = cfn_role.path or "/"
            arns[role.node.id] = f"arn:{partition}:iam::{stack.account}:role{path}{name}"
        deploy_time = sorted(step for step, role in self._runtime_roles.items()
                             if Token.is_unresolved(role.role_arn))
        if deploy_time:
            raise_if_any("LeastPrivilegePipeline", self.node.id, [Problem(
                "runtime_roles", "tokenInS3Definition",
                f"the runtime roles of {', '.join(deploy_time)} have ARNs known only at "
                "deploy time, which the S3 copy of the definition cannot hold: give "
                "iam.Role.from_role_arn(...) with a literal ARN, or keep the definition "
                "inline (definition_in_s3=False)",
            )])

        def literal_arn(slot: RoleSlot) -> str | None:
            if slot.service != SAGEMAKER:
                return self._role_arn_for(slot)  # a given runtime role's literal ARN
            if self._role_arn_for(slot) is None:
                return None
            return arns[roles[slot.step].node.id]

        text = json.dumps(with_roles(loaded, literal_arn), indent=1, sort_keys=True)
        folder = Path(tempfile.mkdtemp(prefix="sm-pipeline-iam-definition-"))
        (folder / "definition.json").write_text(text + "\n")
        asset = s3_assets.Asset(self, "Definition", path=str(folder / "definition.json"))
        self.execution_role.add_to_principal_policy(iam.PolicyStatement(
            sid="ReadPipelineDefinition",
            actions=["s3:GetObject"],
            resources=[asset.bucket.arn_for_objects(asset.s3_object_key)],
        ))
        return {"PipelineDefinitionS3Location": {
            "Bucket": asset.s3_bucket_name, "Key": asset.s3_object_key}}


def _json_text(definition: Mapping[str, Any]) -> str:
    """The definition as JSON text, its role ARNs as tokens that CloudFormation resolves.

    Serialised here, not by ``Stack.to_json_string``: the CDK's serialisation walks nested
    values with several Python frames per level, which a deeply nested definition (a
    chain of Conditions) exhausts; ``json.dumps`` recurses in C. The tokens are strings
    that JSON does not escape (role ARNs hold no quote, backslash or control character).
    """
    return json.dumps(definition, separators=(",", ":"), ensure_ascii=False)


def _job_role_name(pipeline_name: str, role_id: str) -> str:
    """A role name unique per pipeline and role, within IAM's 64 characters."""
    digest = hashlib.sha256(f"{pipeline_name}/{role_id}".encode()).hexdigest()[:8]
    readable = _ROLE_NAME_CHARS.sub("", f"{pipeline_name}-{role_id}")
    return f"{readable[: ROLE_NAME_LIMIT - len(digest) - 1]}-{digest}"


def _props_problems(
    definition: object, pipeline_name: object, per_step_roles: object,
    keep_roles_for: object, parameter_values: object, any_value_parameters: object,
    allow_unknown_step_types: object, required_job_prefix: object, display_name: object,
    description: object, parallelism: object, tags: object, definition_in_s3: object,
    role_options: Mapping[str, object],
) -> list[Problem]:
    # The pipeline's name is checked below, as SageMaker's pattern (not as optional).
    problems = definition_problems(definition, parameter_values, None,
                                   allow_unknown_step_types, any_value_parameters)
    checks = PropTypes()
    checks.strings("keep_roles_for", keep_roles_for, "step names", "['RunFraudReport']")
    problems += checks.problems
    if isinstance(pipeline_name, str) and Token.is_unresolved(pipeline_name):
        problems.append(Problem("pipeline_name", "token",
                                "pipeline_name is a token: the name scopes the roles and "
                                "grants, so it must be known at synthesis"))
    else:
        problems += pipeline.pipeline_name_problems(pipeline_name)
    for prop, value in (("per_step_roles", per_step_roles),
                        ("definition_in_s3", definition_in_s3)):
        if not isinstance(value, bool) and not (prop == "definition_in_s3" and value is None):
            problems.append(Problem(prop, "notABool", f"{prop} is {value!r}: give True or "
                                    "False"))
    if required_job_prefix is not None and (
        not isinstance(required_job_prefix, str) or Token.is_unresolved(required_job_prefix)
    ):
        problems.append(Problem("required_job_prefix", "notAString",
                                f"required_job_prefix is {required_job_prefix!r}: give the "
                                "literal prefix, known at synthesis (it is checked against "
                                "the definition)"))
    if display_name is not None:
        problems += pipeline.pipeline_name_problems(display_name, "pipeline_display_name")
    if description is not None and (
        not isinstance(description, str) or len(description) > DESCRIPTION_LIMIT
    ):
        problems.append(Problem("pipeline_description", "invalidText",
                                f"pipeline_description is {description!r}: give a string of "
                                f"at most {DESCRIPTION_LIMIT} characters"))
    if parallelism is not None and (
        isinstance(parallelism, bool) or not isinstance(parallelism, int) or parallelism < 1
    ):
        problems.append(Problem("parallelism", "invalidParallelism",
                                f"parallelism is {parallelism!r}: give a whole number of at "
                                "least 1"))
    if tags is not None and not (isinstance(tags, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
    )):
        problems.append(Problem("tags", "notAMapping",
                                f"tags is {tags!r}: give {{'key': 'value', ...}}"))
    if "role_name" in role_options:
        problems.append(Problem("role_name", "oneRoleOption",
                                "role_name names one role, but the pipeline has several (the "
                                "execution role and its job roles): leave it out"))
    problems += option_problems({k: v for k, v in role_options.items() if k != "role_name"})
    return problems
