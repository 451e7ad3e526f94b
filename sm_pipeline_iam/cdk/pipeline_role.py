"""The role both constructs build on: a SageMaker-trusted role whose permissions come
from :class:`~sm_pipeline_iam.core.requirements.PipelineRequirements`.

``PipelineExecutionRole`` and ``PrefixedStepRole`` differ only in how they gather the
requirements; validation, sizing, attachment, tagging and warnings live here once.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from typing import TypedDict

from aws_cdk import Duration, Stack, Tags
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..core import policy
from ..core.errors import Problem, raise_if_any
from ..core.requirements import PipelineRequirements, sagemaker_pass_roles
from ..core.steps import SAGEMAKER
from ..core.tags import tag_problems
from ..core.wildcards import wide_grant_notices
from . import role_limits, role_policies

#: Stands for the role's own ARN in statements until the role exists.
OWN_ARN = "${PipelineRole.Arn}"


class RoleOptions(TypedDict, total=False):
    """Options of the IAM role itself, shared by the constructs.

    Keys:
        principal_tag: ``(key, value)`` tagged on the role, for an SCP exception
            (``OrgScpException``). Default: no tag.
        role_name: the role's name. Default: a name CloudFormation generates.
        path: the role's path. Default: ``/``.
        description: the role's description. Default: one naming the step types.
        permissions_boundary: a permissions boundary. Default: none.
        max_session_duration: the longest session. Default: one hour.
    """

    principal_tag: tuple[str, str] | None
    role_name: str | None
    path: str | None
    description: str | None
    permissions_boundary: iam.IManagedPolicy | None
    max_session_duration: Duration | None


def option_problems(options: Mapping[str, object]) -> list[Problem]:
    """Every problem of a role's options: an unknown key (a typo such as
    ``permission_boundary`` would otherwise be ignored) and a value of the wrong type."""
    known = sorted(RoleOptions.__annotations__)
    problems = []
    for key in options:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            problems.append(Problem(key, "unknownProp", (
                f"{key} is not a prop: {hint}(the role's own options are {', '.join(known)})"
            )))
    tag = options.get("principal_tag")
    if tag is not None:
        if isinstance(tag, tuple | list) and len(tag) == 2 and all(
            isinstance(part, str) for part in tag
        ):
            problems.extend(tag_problems(tag[0], tag[1], prop="principal_tag"))
        else:
            problems.append(Problem("principal_tag", "notAPair", (
                f"principal_tag is {tag!r}: give a (key, value) pair of strings, e.g. "
                "('sm-pipeline-exception', 'true')"
            )))
    for key in ("role_name", "path", "description"):
        value = options.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(Problem(key, "notAString", f"{key} is {value!r}: give a string"))
    return problems


def grant_pass_to_sagemaker(role: iam.IRole, grantee: iam.IPrincipal) -> iam.Grant:
    """Let ``grantee`` pass ``role`` to SageMaker (``iam:PassedToService``), and to nothing
    else."""
    return iam.Grant.add_to_principal(
        grantee=grantee,
        actions=["iam:PassRole"],
        resource_arns=[role.role_arn],
        conditions={"StringEquals": {"iam:PassedToService": SAGEMAKER}},
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


class PipelineRoleBase(iam.Role):
    """A SageMaker-trusted role with exactly the permissions of its requirements.

    Not meant to be used directly: use ``PipelineExecutionRole`` or ``PrefixedStepRole``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        construct_name: str,
        default_description: str,
        requirements: PipelineRequirements,
        problems: Sequence[Problem],
        options: RoleOptions,
        pass_self: bool = True,
    ) -> None:
        problems = [*problems, *option_problems(options)]
        principal_tag = options.get("principal_tag")
        if pass_self:
            # The role passes itself: its steps run as it unless given a step role.
            requirements = dataclasses.replace(
                requirements,
                pass_roles=requirements.pass_roles
                | sagemaker_pass_roles(requirements.step_types, [OWN_ARN]),
            )
        try:
            statements = policy.build_statements(requirements)
        except policy.UnnamedResourcesError as error:
            # A prop problem already explains the missing resources; else say it.
            if not problems:
                problems.append(Problem("requirements", "unnamedResources", str(error)))
            statements = []
        longest_own_arn = f"arn:aws-us-gov:iam::123456789012:role{options.get('path') or '/'}"
        own_arn_measure = longest_own_arn + "x" * 64  # the longest role name is 64
        render = role_policies.sizing_render({OWN_ARN: own_arn_measure})
        documents, size_problems = role_policies.plan_documents(statements, render)
        problems.extend(size_problems)
        # Everything is checked before the first construct is added: no half-made stack.
        raise_if_any(construct_name, id, problems)

        super().__init__(
            scope,
            id,
            assumed_by=sagemaker_trust(scope),
            role_name=options.get("role_name"),
            path=options.get("path"),
            description=options.get("description") or default_description,
            permissions_boundary=options.get("permissions_boundary"),
            max_session_duration=options.get("max_session_duration"),
        )
        self._requirements = requirements
        self._statements = tuple(statements)
        values = role_policies.placeholder_values(self, {OWN_ARN: self.role_arn})
        # Each wildcard is acknowledged with its own statement's reason (wildcard_reason).
        self.policies = role_policies.attach_documents(self, documents, values)
        if principal_tag is not None:
            Tags.of(self).add(*principal_tag)
        # Every grant on '*' or a whole resource type is named in a wideGrant warning,
        # whether the requirements come from step types or from a definition.
        role_policies.emit_notices(
            self, tuple(dict.fromkeys((*requirements.notices, *wide_grant_notices(requirements))))
        )
        # What others attach later (grants fill a DefaultPolicy) counts too: checked again
        # on the final tree. CloudFormation's 500 resources per stack the CDK checks itself.
        role_limits.check_at_synthesis(self, own_arn=own_arn_measure)

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
        return grant_pass_to_sagemaker(self, grantee)
