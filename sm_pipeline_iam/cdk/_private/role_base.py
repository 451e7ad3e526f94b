"""The one base of the library's roles: a SageMaker-trusted ``iam.Role`` with exactly the
statements its source gives, checked, sized, attached, tagged and warned about here once.

``JobNeedsRole`` (a job's needs) and ``PipelineRoleBase`` (a pipeline's requirements)
differ only in where the statements come from: each gives a :class:`RoleGrants`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Tags
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...core.errors import Problem, raise_if_any
from ...core.execution_role.policy import Statement
from ...core.notices import Notice, Unresolved
from ..role_options import RoleOptions
from . import role_limits, role_policies
from .role_option_checks import option_problems
from .trust import grant_pass_to_sagemaker, sagemaker_trust


@dataclass(frozen=True)
class RoleGrants:
    """What a role grants, as its statement source gives it.

    Attributes:
        statements: the statements, with ``${AWS::...}`` placeholders and ``own_arn``.
        own_arn: the placeholder that stands for the role's own ARN in them.
        notices: the warnings the role carries. Default: none.
        unresolved: values the grants hold for any value of a parameter, recorded on the
            role for the review report. Default: none.
        nothing_granted: why ``statements`` are empty, reported unless another problem
            explains it. Default: None (empty statements are planned like any).
    """

    statements: tuple[Statement, ...]
    own_arn: str
    notices: tuple[Notice, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    nothing_granted: Problem | None = None


def own_arn_measure(options: RoleOptions) -> str:
    """The longest ARN the role can have (its path, a 64-character name), as its
    policies are measured."""
    return f"arn:aws-us-gov:iam::123456789012:role{options.get('path') or '/'}" + "x" * 64


def plan_grants(grants: RoleGrants, options: RoleOptions
                ) -> tuple[list[list[Statement]], list[Problem]]:
    """The policy documents of a role with ``grants`` and ``options`` (one inline, or
    managed ones), and the problems that prevent the role (nothing to grant, too large for
    IAM)."""
    if not grants.statements and grants.nothing_granted is not None:
        return [], [grants.nothing_granted]
    return role_policies.plan_documents(
        grants.statements, role_policies.sizing_render({grants.own_arn: own_arn_measure(options)})
    )


class SageMakerRole(iam.Role):
    """A role SageMaker assumes, with exactly the statements of its :class:`RoleGrants`:

    - trust: ``sagemaker.amazonaws.com`` with ``aws:SourceAccount`` = the stack's account;
    - one inline policy (``Policy``) while it fits, else managed ``Policy1..N``; every
      wildcard acknowledged for cdk-nag with its statement's reason;
    - the grants' warnings on the role, the role's options (:class:`RoleOptions`), and
      IAM's limits checked again at synthesis on everything attached by then.

    Raises:
        InvalidPropsError: (a ``ValueError``) listing every problem, before anything is
            added to the tree.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        construct_name: str,
        default_description: str,
        grants: RoleGrants,
        problems: Sequence[Problem],
        options: RoleOptions,
    ) -> None:
        found = [*problems, *option_problems(options)]
        documents, planned = plan_grants(grants, options)
        # "Nothing to grant" says little next to the props' own problems.
        found.extend(p for p in planned if not found or p is not grants.nothing_granted)
        # Everything is checked before the first construct is added: no half-made stack.
        raise_if_any(construct_name, id, found)

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
        self._statements = grants.statements
        values = role_policies.placeholder_values(self, {grants.own_arn: self.role_arn})
        # Each wildcard is acknowledged with its own statement's reason (wildcard_reason).
        self.policies = role_policies.attach_documents(self, documents, values)
        principal_tag = options.get("principal_tag")
        if principal_tag is not None:
            Tags.of(self).add(*principal_tag)
        role_policies.emit_notices(self, grants.notices)
        role_policies.record_any_value_parameters(self, grants.unresolved)
        # What others attach later (grants fill a DefaultPolicy) counts too: checked again
        # on the final tree. CloudFormation's 500 resources per stack the CDK checks itself.
        role_limits.check_at_synthesis(self, own_arn=own_arn_measure(options))

    @property
    def statements(self) -> tuple[Statement, ...]:
        """The role's statements, with ``${AWS::...}`` placeholders for the environment."""
        return self._statements

    def grant_pass_role(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` pass this role to SageMaker, and to nothing else.

        Whoever creates or updates the pipeline needs this."""
        return grant_pass_to_sagemaker(self, grantee)
