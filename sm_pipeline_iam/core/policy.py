"""Requirements -> IAM policy statements, as plain data: pure and deterministic.

The CDK layer turns these statements into ``iam.PolicyStatement``s; the CLI and the
report print them. ARNs are built from an :class:`ArnEnvironment`, whose fields may be
CDK token strings (the stack's partition, region and account) or concrete values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .requirements import PipelineRequirements
from .steps import ActionGroup, ResourceScope, spec_for

POLICY_VERSION = "2012-10-17"

#: IAM quotas, in characters without whitespace (FACTS §6).
INLINE_POLICIES_LIMIT = 10_240
MANAGED_POLICY_LIMIT = 6_144
MANAGED_POLICIES_PER_ROLE = 10


@dataclass(frozen=True)
class ArnEnvironment:
    """The partition, region and account that ARNs are built in."""

    partition: str
    region: str
    account: str


#: Placeholders that the CDK layer replaces with the stack's partition, region and account
#: tokens, and that sizing replaces with the longest real values. Statements are built once,
#: with these, so that the split measured for sizing is the split that is deployed.
PLACEHOLDERS = ArnEnvironment("${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}")

#: The longest value of each placeholder ('aws-us-gov' is the longest partition; region
#: names reach 14 characters), so that measured sizes are upper bounds.
_LONGEST = {
    PLACEHOLDERS.partition: "aws-us-gov",
    PLACEHOLDERS.region: "xx-xxxxxxxxx-9x",
    PLACEHOLDERS.account: "123456789012",
}


def render_longest(text: str) -> str:
    """``text`` with each placeholder replaced by its longest real value."""
    for placeholder, value in _LONGEST.items():
        text = text.replace(placeholder, value)
    return text


@dataclass(frozen=True)
class Statement:
    """One ``Allow`` statement.

    Attributes:
        sid: a statement id made of the catalog labels it serves.
        actions: sorted actions.
        resources: sorted resource ARNs (or ``("*",)``).
        condition: ``{operator: {key: value}}``, or None.
    """

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: tuple[tuple[str, str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The statement as IAM JSON (lists always, for stable diffs)."""
        document: dict[str, Any] = {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": list(self.actions),
            "Resource": list(self.resources),
        }
        if self.condition:
            conditions: dict[str, dict[str, str]] = {}
            for operator, key, value in self.condition:
                conditions.setdefault(operator, {})[key] = value
            document["Condition"] = conditions
        return document

    def with_resources(self, resources: Sequence[str], part: int) -> Statement:
        """A copy that covers ``resources`` only, its sid marked with ``part``."""
        return Statement(f"{self.sid}Part{part}", self.actions, tuple(resources), self.condition)


def policy_document(statements: Iterable[Statement]) -> dict[str, Any]:
    """A policy document holding ``statements``."""
    return {"Version": POLICY_VERSION, "Statement": [s.to_json() for s in statements]}


Render = Callable[[str], str]


def policy_size(statements: Iterable[Statement], render: Render = render_longest) -> int:
    """Characters of the document as IAM counts them for identity policies (no whitespace).

    ``render`` turns placeholders into the values to measure with (by default the
    longest real ones, so that the size is an upper bound).
    """
    return len(render(json.dumps(policy_document(statements), separators=(",", ":"))))


S3_OBJECT_ARN = "arn:{partition}:s3:::{name}"


def _fill(template: str, env: ArnEnvironment, name: str) -> str:
    # Only the catalog's templates are parsed as format strings; values go in verbatim.
    return template.format(
        partition=env.partition, region=env.region, account=env.account, name=name
    )


def _group_resources(
    group: ActionGroup, names: Sequence[str], requirements: PipelineRequirements,
    env: ArnEnvironment,
) -> tuple[str, ...]:
    if group.scope is ResourceScope.NO_RESOURCE:
        # Only for actions that IAM gives no resource type (each named in the catalog).
        return ("*",)
    if group.scope is ResourceScope.FIXED:
        values: Sequence[str] = group.fixed_names
    elif group.scope is ResourceScope.GIVEN:
        assert group.binding is not None
        values = requirements.given_values(group.binding)
    else:
        values = names
    return tuple(sorted({_fill(group.arn_template, env, value) for value in values}))


def build_statements(
    requirements: PipelineRequirements, env: ArnEnvironment = PLACEHOLDERS
) -> list[Statement]:
    """Every statement the requirements need, merged where resources coincide, sorted.

    Actions of different catalog groups are merged into one statement only when their
    resources and conditions are identical, so merging never widens a grant.
    """
    merged: dict[tuple[tuple[str, ...], tuple[tuple[str, str, str], ...]], tuple[
        set[str], set[str]
    ]] = {}

    def add(label: str, actions: Iterable[str], resources: tuple[str, ...],
            condition: tuple[tuple[str, str, str], ...] = ()) -> None:
        if not resources:
            return
        labels, merged_actions = merged.setdefault((resources, condition), (set(), set()))
        labels.add(label)
        merged_actions.update(actions)

    for step_type in sorted(requirements.step_types, key=lambda s: s.value):
        step_names = requirements.name_patterns.get(step_type, ())
        for group in spec_for(step_type).action_groups:
            if group.variant is not None and group.variant not in requirements.variants:
                continue
            names = requirements.group_names.get(group.label, step_names)
            add(group.label, group.actions, _group_resources(group, names, requirements, env))

    by_service: dict[str, set[str]] = {}
    for target in requirements.pass_roles:
        by_service.setdefault(target.service, set()).add(target.role_arn)
    for service, role_arns in by_service.items():
        add(
            f"PassRoleTo{_service_label(service)}",
            ("iam:PassRole",),
            tuple(sorted(role_arns)),
            (("StringEquals", "iam:PassedToService", service),),
        )

    add(
        "JsonGetReads",
        ("s3:GetObject",),
        tuple(
            sorted(
                {
                    _fill(S3_OBJECT_ARN, env, f"{o.bucket}/{o.key_pattern}")
                    for o in requirements.json_get_objects
                }
            )
        ),
    )

    statements = sorted(
        (
            Statement("".join(sorted(labels)), tuple(sorted(actions)), resources, condition)
            for (resources, condition), (labels, actions) in merged.items()
        ),
        key=lambda s: (s.sid, s.resources),
    )
    return _unique_sids(statements)


def _unique_sids(statements: list[Statement]) -> list[Statement]:
    # Statements of one label with different resources (steps scoped apart) share a sid;
    # IAM wants sids unique within a policy.
    seen: dict[str, int] = {}
    unique: list[Statement] = []
    for statement in statements:
        count = seen.get(statement.sid, 0) + 1
        seen[statement.sid] = count
        sid = statement.sid if count == 1 else f"{statement.sid}{count}"
        unique.append(Statement(sid, statement.actions, statement.resources, statement.condition))
    return unique


def _service_label(service: str) -> str:
    # "sagemaker.amazonaws.com" -> "Sagemaker", "emr-serverless.amazonaws.com" -> "EmrServerless"
    head = service.split(".", 1)[0]
    return "".join(part.capitalize() for part in head.split("-"))


def pack_statements(
    statements: Sequence[Statement], limit: int, render: Render = render_longest
) -> list[list[Statement]]:
    """Split statements into documents of at most ``limit`` characters, in order.

    A statement too large for one document is split by its resources first.

    Raises:
        ValueError: one resource alone makes a statement larger than ``limit``.
    """
    pieces: list[Statement] = []
    for statement in statements:
        pieces.extend(_split_to_fit(statement, limit, render))
    documents: list[list[Statement]] = [[]]
    for piece in pieces:
        if documents[-1] and policy_size([*documents[-1], piece], render) > limit:
            documents.append([])
        documents[-1].append(piece)
    return [document for document in documents if document]


def _split_to_fit(statement: Statement, limit: int, render: Render) -> list[Statement]:
    size = policy_size([statement], render)
    if size <= limit:
        return [statement]
    if len(statement.resources) == 1:
        raise ValueError(
            f"statement {statement.sid} on {statement.resources[0]} alone is {size} "
            f"characters, over the {limit}-character policy limit"
        )
    parts: list[Statement] = []
    chunk: list[str] = []
    for resource in statement.resources:
        alone = statement.with_resources([resource], len(parts) + 1)
        if policy_size([alone], render) > limit:
            raise ValueError(
                f"statement {statement.sid} on {resource} alone is "
                f"{policy_size([alone], render)} characters, over the {limit}-character "
                "policy limit"
            )
        candidate = statement.with_resources([*chunk, resource], len(parts) + 1)
        if chunk and policy_size([candidate], render) > limit:
            parts.append(statement.with_resources(chunk, len(parts) + 1))
            chunk = []
        chunk.append(resource)
    parts.append(statement.with_resources(chunk, len(parts) + 1))
    return parts
