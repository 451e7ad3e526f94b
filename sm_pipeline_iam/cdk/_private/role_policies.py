"""The CDK side of policy building: plain statements -> policies attached to a role.

Statements come from :mod:`sm_pipeline_iam.core.execution_role.policy` with placeholders; here they
get the
stack's partition, region and account tokens, are split to fit IAM's size limits, and
are attached as one inline policy or, when that cannot fit, as managed policies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...core.errors import Problem
from ...core.execution_role import policy
from ...core.execution_role.policy import LIBRARY_POLICY_PATH, Statement
from ...core.notices import ANY_VALUE_METADATA, Notice, Unresolved, any_value_grants
from .warnings import add_warning

#: Where a CDK token stands in a string: measured as 128 characters, longer than any
#: role ARN (64-character name) or job prefix that a token may stand for.
_TOKEN = re.compile(r"\$\{Token\[[^\]]*\]\}")
_TOKEN_SIZE = "x" * policy.UNRESOLVED_SIZE


def sizing_render(extra: Mapping[str, str]) -> policy.Render:
    """A renderer for sizes: longest env values, ``extra`` placeholders, tokens as 128."""

    def render(text: str) -> str:
        for placeholder, value in extra.items():
            text = text.replace(placeholder, value)
        return _TOKEN.sub(_TOKEN_SIZE, policy.render_longest(text))

    return render


def plan_documents(
    statements: Sequence[Statement], render: policy.Render
) -> tuple[list[list[Statement]], list[Problem]]:
    """Choose inline (one document) or managed (several) policies; collect problems.

    Returns:
        The documents (one inline document, or managed documents) and the problems
        (empty when they fit). With one document, it is meant to be inline.
    """
    if policy.policy_size(statements, render) <= policy.INLINE_POLICIES_LIMIT:
        return [list(statements)], []
    try:
        documents = policy.pack_statements(statements, policy.MANAGED_POLICY_LIMIT, render)
    except ValueError as error:
        return [], [Problem("permissions", "statementTooLarge",
                            f"the permissions cannot fit IAM's policy limits: {error}")]
    if len(documents) > policy.MANAGED_POLICIES_PER_ROLE:
        size = policy.policy_size(statements, render)
        return [], [Problem(
            "permissions",
            "tooManyManagedPolicies",
            f"the permissions need {len(documents)} managed policies ({size} characters), "
            f"more than the {policy.MANAGED_POLICIES_PER_ROLE} a role may have: split the "
            "pipeline's steps across roles (step_roles) or use fewer resources",
        )]
    return documents, []


def _to_statement(statement: Statement, values: Mapping[str, str]) -> iam.PolicyStatement:
    conditions = statement.condition_map(lambda value: _fill(value, values))
    return iam.PolicyStatement(
        sid=statement.sid,
        actions=list(statement.actions),
        resources=[_fill(resource, values) for resource in statement.resources],
        conditions=conditions or None,
    )


def stack_environment(scope: Construct) -> policy.ArnEnvironment:
    """The stack's partition, region and account (tokens unless the stack is concrete)."""
    stack = Stack.of(scope)
    return policy.ArnEnvironment(stack.partition, stack.region, stack.account)


def placeholder_values(scope: Construct, extra: Mapping[str, str]) -> dict[str, str]:
    """Placeholder -> the stack's tokens (and ``extra`` placeholders -> their values)."""
    env = stack_environment(scope)
    return {
        policy.PLACEHOLDERS.partition: env.partition,
        policy.PLACEHOLDERS.region: env.region,
        policy.PLACEHOLDERS.account: env.account,
        **extra,
    }


def attach_documents(
    role: iam.Role,
    documents: Sequence[Sequence[Statement]],
    values: Mapping[str, str],
) -> list[Construct]:
    """Attach ``documents`` to ``role``: one inline ``Policy``, or ``Policy1..N`` managed.

    Construct ids are stable: ``Policy`` while the permissions fit inline. Each wildcard
    is acknowledged for cdk-nag with its statement's own reason.
    """
    attached: list[Construct] = []
    if len(documents) == 1:
        inline = iam.Policy(
            role,
            "Policy",
            statements=[_to_statement(s, values) for s in documents[0]],
            roles=[role],
        )
        attached.append(inline)
    else:
        for number, document in enumerate(documents, start=1):
            managed = iam.ManagedPolicy(
                role,
                f"Policy{number}",
                statements=[_to_statement(s, values) for s in document],
                roles=[role],
                # An organization's SCP exception protects policies under this path.
                path=LIBRARY_POLICY_PATH,
            )
            attached.append(managed)
    for construct, document in zip(attached, documents, strict=True):
        acknowledge_wildcards(construct, document, values)
    return attached


def acknowledge_wildcards(
    construct: Construct,
    statements: Sequence[Statement],
    values: Mapping[str, str],
) -> None:
    """Acknowledge cdk-nag's IAM5 finding for each deliberate wildcard, one by one, with
    the reason its statement gives (:attr:`Statement.wildcard_reason`).

    Raises:
        ValueError: a statement holds a wildcard but gives no reason for it (never
            acknowledged with another grant's reason).
    """
    stack = Stack.of(construct)
    for statement in statements:
        reason = statement.wildcard_reason
        wild = [r for r in statement.resources if "*" in r] + [
            a for a in statement.actions if "*" in a
        ]
        if wild and not reason:
            raise ValueError(
                f"statement {statement.sid} holds wildcards ({', '.join(wild)}) but no "
                "wildcard_reason: say why they exist before acknowledging them"
            )
        for resource in statement.resources:
            if "*" not in resource:
                continue
            rendered = _nag_rendering(stack, _fill(resource, values))
            Validations.of(construct).acknowledge(
                iam_acknowledgment(f"Resource::{rendered}", f"{reason} ({statement.sid})")
            )
        for action in statement.actions:
            if "*" in action:
                Validations.of(construct).acknowledge(
                    iam_acknowledgment(f"Action::{action}", reason)
                )


def iam_acknowledgment(finding: str, reason: str) -> Acknowledgment:
    """cdk-nag's acknowledgment of one IAM5 (wildcard) finding."""
    return Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason=reason)


def _fill(text: str, values: Mapping[str, str]) -> str:
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def _nag_rendering(stack: Stack, value: str) -> str:
    # cdk-nag names a finding by the resolved resource, with intrinsics written as
    # <AWS::Partition> / <Logical.Arn>; the cdk-nag tests (tests/test_nag_and_lint.py)
    # fail on any finding whose acknowledgement does not match.
    from ...core import cfn  # loaded when acknowledging, not with the constructs

    return cfn.render_text(stack.resolve(value), cfn.NAG_STYLE)


def record_any_value_parameters(role: iam.Role, unresolved: Sequence[Unresolved]) -> None:
    """Record on ``role``'s template resource (metadata :data:`ANY_VALUE_METADATA`) the
    parameters opted in to any value whose grants it holds: the review report shows each
    as a finding, whether or not its warnings are acknowledged."""
    grants = any_value_grants(unresolved)
    if grants:
        cfn_role = role.node.default_child
        assert isinstance(cfn_role, iam.CfnRole)
        cfn_role.add_metadata(ANY_VALUE_METADATA, grants)


def emit_notices(scope: Construct, notices: Sequence[Notice]) -> None:
    """Each notice as an acknowledgeable warning on ``scope``."""
    for notice in notices:
        add_warning(scope, notice.id, notice.message)
