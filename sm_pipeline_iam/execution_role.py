"""``PipelineExecutionRole``: the role a SageMaker pipeline runs as, least privilege."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from aws_cdk import Duration, Stack, Tags, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from . import policy, role_policies
from .errors import raise_if_any
from .requirements import (
    GivenResources,
    PipelineRequirements,
    from_step_types,
    sagemaker_pass_roles,
)
from .steps import SAGEMAKER, StepType
from .tags import tag_problems

#: Stands for the role's own ARN in statements until the role exists.
_OWN_ARN = "${PipelineExecutionRole.Arn}"

_WILDCARD_REASON = (
    "sm-pipeline-iam scopes each job action to the job names the pipeline generates "
    "(<prefix>-* or pipelines-*) and each S3 read to a JsonGet folder; the wildcard is "
    "the unique part of the name"
)


def sagemaker_trust(scope: Construct) -> iam.IPrincipal:
    """SageMaker as the trusted service, limited to the stack's account.

    ``aws:SourceAccount`` holds both when the pipeline assumes the role (source: the
    pipeline) and when its jobs do (source: the job), which an ``aws:SourceArn``
    condition would have to list separately (confused-deputy protection).
    """
    return iam.ServicePrincipal(SAGEMAKER).with_conditions(
        {"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}
    )


class PipelineExecutionRole(iam.Role):
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
        step_types: Sequence[StepType | str],
        job_prefix: str | None = None,
        step_roles: Sequence[iam.IRole] = (),
        json_get_locations: Sequence[str] = (),
        integration_resources: GivenResources | None = None,
        principal_tag: tuple[str, str] | None = None,
        role_name: str | None = None,
        path: str | None = None,
        description: str | None = None,
        permissions_boundary: iam.IManagedPolicy | None = None,
        max_session_duration: Duration | None = None,
    ) -> None:
        """Create the role.

        Args:
            scope: the parent construct.
            id: the construct id (a public contract: changing it replaces the role).
            step_types: the step types the pipeline runs (:class:`StepType` members or
                their ``Type`` strings, e.g. ``"Training"``).
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
            principal_tag: ``(key, value)`` tagged on the role, for an SCP exception.
                Default: no tag.
            role_name: the role's name. Default: a name CloudFormation generates.
            path: the role's path. Default: ``/``.
            description: the role's description. Default: a description naming the
                step types.
            permissions_boundary: a permissions boundary. Default: none.
            max_session_duration: the longest session. Default: one hour.
        """
        prefix_is_token = job_prefix is not None and Token.is_unresolved(job_prefix)
        requirements, problems = from_step_types(
            step_types,
            job_prefix=job_prefix,
            validate_prefix=not prefix_is_token,
            step_role_arns=[role.role_arn for role in step_roles],
            json_get_locations=json_get_locations,
            resources=integration_resources,
        )
        if principal_tag is not None:
            problems.extend(tag_problems(*principal_tag, prop="principal_tag"))
        # The role passes itself: its steps run as it unless given a step role.
        requirements = dataclasses.replace(
            requirements,
            pass_roles=requirements.pass_roles
            | sagemaker_pass_roles(requirements.step_types, [_OWN_ARN]),
        )
        statements = policy.build_statements(requirements)
        render = role_policies.sizing_render({_OWN_ARN: _longest_role_arn(path)})
        documents, size_problems = role_policies.plan_documents(statements, render)
        problems.extend(size_problems)
        raise_if_any("PipelineExecutionRole", id, problems)

        super().__init__(
            scope,
            id,
            assumed_by=sagemaker_trust(scope),
            role_name=role_name,
            path=path,
            description=description
            or "SageMaker pipeline execution role for "
            + ", ".join(sorted(s.value for s in requirements.step_types))
            + " steps (sm-pipeline-iam)",
            permissions_boundary=permissions_boundary,
            max_session_duration=max_session_duration,
        )
        self._requirements = requirements
        self._statements = tuple(statements)
        values = role_policies.placeholder_values(self, {_OWN_ARN: self.role_arn})
        self.policies = role_policies.attach_documents(
            self, documents, values, reason=_WILDCARD_REASON
        )
        if principal_tag is not None:
            Tags.of(self).add(*principal_tag)
        role_policies.emit_notices(self, requirements.notices)

    @property
    def role(self) -> iam.Role:
        """The role itself (this construct is the ``iam.Role``)."""
        return self

    @property
    def requirements(self) -> PipelineRequirements:
        """What the role allows, as plain data (for reports and tests)."""
        return self._requirements

    @property
    def statements(self) -> tuple[policy.Statement, ...]:
        """The role's statements, with ``${AWS::...}`` placeholders for the environment."""
        return self._statements

    def grant_pass_role(self, grantee: iam.IPrincipal) -> iam.Grant:
        """Let ``grantee`` pass this role to SageMaker, and to nothing else.

        Whoever creates or updates the pipeline needs this.
        """
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["iam:PassRole"],
            resource_arns=[self.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": SAGEMAKER}},
        )


def _longest_role_arn(path: str | None) -> str:
    # A role name has at most 64 characters.
    return f"arn:aws-us-gov:iam::123456789012:role{path or '/'}{'x' * 64}"
