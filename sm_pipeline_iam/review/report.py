"""A review of a synthesized cloud assembly, for people (Markdown) and machines (JSON).

Per stack: for each role, what it may do (statements as action x resource tables), whom it
may pass roles to, which S3 objects it touches, its tags and trust, and the size of each
policy against its IAM limit; for each SCP, its statements in plain words, the exempt
tag, the tag admins, its size against 5,120 characters and its targets. Findings (a
policy over its limit, an unscoped grant, a service trust without confused-deputy
conditions) are listed too. No CDK import.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..core import policy
from ..core.cfn import render_text as render
from ..core.cfn import render_tree
from ..core.scp import SCP_SIZE_LIMIT
from ..core.steps import CATALOG, ResourceScope
from .assembly import AssemblyError, StackTemplate, SynthWarning, read_assembly

#: Actions that IAM gives no resource type, which the catalog grants on '*'.
_NO_RESOURCE_ACTIONS = frozenset(
    action
    for spec in CATALOG.values()
    for group in spec.action_groups
    if group.scope is ResourceScope.NO_RESOURCE
    for action in group.actions
)
#: A reference as ``render`` writes it: ``${Logical.Arn}`` or ``${Name}``.
_REFERENCE = re.compile(r"\$\{[A-Za-z0-9]+\.Arn\}|\$\{[A-Za-z0-9]+\}")


def _measure(document: Any) -> int:
    # Upper bound, as the library measures: the longest partition, region and account,
    # and 128 characters for any other reference (a role ARN, a parameter).
    text = policy.render_longest(json.dumps(render_tree(document), separators=(",", ":")))
    return len(_REFERENCE.sub("x" * 128, text))


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Finding:
    """Something a reviewer must look at; any finding makes the report exit 1."""

    where: str
    message: str


@dataclass(frozen=True)
class StatementRow:
    sid: str
    effect: str
    actions: list[str]
    resources: list[str]
    condition: str


@dataclass(frozen=True)
class PolicySize:
    name: str
    kind: str
    size: int
    limit: int


@dataclass
class RoleReview:
    logical_id: str
    name: str
    path: str
    trust: list[str]
    tags: dict[str, str]
    statements: list[StatementRow] = field(default_factory=list)
    pass_roles: list[tuple[str, str]] = field(default_factory=list)
    s3: list[tuple[str, str]] = field(default_factory=list)
    policies: list[PolicySize] = field(default_factory=list)


@dataclass(frozen=True)
class ScpReview:
    logical_id: str
    name: str
    sentences: list[str]
    exempt_tag: str | None
    tag_admins: list[str]
    size: int
    limit: int
    targets: list[str]
    document: str


@dataclass
class StackReview:
    name: str
    roles: list[RoleReview] = field(default_factory=list)
    scps: list[ScpReview] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[SynthWarning] = field(default_factory=list)


def _condition_text(condition: Any) -> str:
    if not condition:
        return ""
    parts = []
    for operator, pairs in condition.items():
        for key, value in pairs.items():
            values = ", ".join(render(v) for v in _listed(value))
            parts.append(f"{operator} {key} = {values}")
    return "; ".join(parts)


def _trust_text(statement: dict[str, Any]) -> str:
    principal = statement.get("Principal", {})
    who = ", ".join(
        f"{render(p)}" for kind in sorted(principal) for p in _listed(principal[kind])
    )
    condition = _condition_text(statement.get("Condition"))
    return f"{who} when {condition}" if condition else who


def _cdk_path(resource: dict[str, Any]) -> str | None:
    path = resource.get("Metadata", {}).get("aws:cdk:path")
    return path.removesuffix("/Resource") if isinstance(path, str) else None


def _review_role(stack: StackTemplate, logical_id: str, resource: dict[str, Any]) -> RoleReview:
    properties = resource.get("Properties", {})
    trust_statements = properties.get("AssumeRolePolicyDocument", {}).get("Statement", [])
    review = RoleReview(
        logical_id=logical_id,
        name=render(properties.get("RoleName", _cdk_path(resource) or logical_id)),
        path=properties.get("Path", "/"),
        trust=[_trust_text(s) for s in trust_statements],
        tags={t["Key"]: render(t["Value"]) for t in properties.get("Tags", [])},
    )
    reference = {"Ref": logical_id}
    documents: list[tuple[str, str, Any]] = [
        ("inline", p.get("PolicyName", "inline"), p["PolicyDocument"])
        for p in properties.get("Policies", [])
    ]
    for kind, resource_type in (("inline", "AWS::IAM::Policy"),
                                ("managed", "AWS::IAM::ManagedPolicy")):
        for policy_id, policy_resource in stack.resources(resource_type).items():
            policy_properties = policy_resource.get("Properties", {})
            if reference in policy_properties.get("Roles", []):
                documents.append((kind, policy_id, policy_properties["PolicyDocument"]))
    for kind, name, document in documents:
        limit = policy.INLINE_POLICIES_LIMIT if kind == "inline" else policy.MANAGED_POLICY_LIMIT
        review.policies.append(PolicySize(name, kind, _measure(document), limit))
        for statement in _listed(document.get("Statement", [])):
            _add_statement(review, statement)
    return review


def _add_statement(review: RoleReview, statement: dict[str, Any]) -> None:
    actions = [render(a) for a in _listed(statement.get("Action", []))]
    resources = [render(r) for r in _listed(statement.get("Resource", []))]
    condition = statement.get("Condition", {})
    review.statements.append(
        StatementRow(
            statement.get("Sid", ""), statement.get("Effect", ""), actions, resources,
            _condition_text(condition),
        )
    )
    if "iam:PassRole" in actions:
        services = _listed(condition.get("StringEquals", {}).get("iam:PassedToService", "any"))
        for resource in resources:
            review.pass_roles.append((resource, ", ".join(render(s) for s in services)))
    for action in actions:
        if action.startswith("s3:"):
            review.s3.extend((action, resource) for resource in resources)


def _role_findings(stack: str, review: RoleReview) -> list[Finding]:
    where = f"{stack}/{review.logical_id}"
    findings = []
    inline = sum(p.size for p in review.policies if p.kind == "inline")
    if inline > policy.INLINE_POLICIES_LIMIT:
        findings.append(Finding(where, f"inline policies total {inline} characters, over "
                                       f"IAM's {policy.INLINE_POLICIES_LIMIT}"))
    for size in review.policies:
        if size.kind == "managed" and size.size > size.limit:
            findings.append(Finding(where, f"managed policy {size.name} is {size.size} "
                                           f"characters, over IAM's {size.limit}"))
    for row in review.statements:
        unscoped = [a for a in row.actions if a not in _NO_RESOURCE_ACTIONS]
        if row.effect == "Allow" and "*" in row.resources and unscoped:
            findings.append(Finding(where, f"statement {row.sid or '(no sid)'} allows "
                                           f"{', '.join(unscoped)} on every resource ('*')"))
    for text in review.trust:
        if ".amazonaws.com" in text and "aws:Source" not in text:
            findings.append(Finding(where, f"trusted by {text} without aws:SourceAccount or "
                                           "aws:SourceArn (confused deputy)"))
    return findings


def _scp_sentence(statement: dict[str, Any]) -> str:
    actions = ", ".join(_listed(statement.get("Action", [])))
    verb = "Denies" if statement.get("Effect") == "Deny" else "Allows"
    clauses = []
    for operator, pairs in statement.get("Condition", {}).items():
        for key, value in pairs.items():
            values = ", ".join(render(v) for v in _listed(value))
            if operator.startswith("StringNotEquals"):
                clauses.append(f"unless {key} is {values}")
            elif key == "aws:ViaAWSService":
                clauses.append("unless an AWS service makes the request for the principal")
            elif key == "aws:TagKeys":
                clauses.append(f"when the request sets or removes the tag key {values} "
                               "(any case)")
            elif operator == "ArnNotLike" and key == "aws:PrincipalArn":
                clauses.append(f"for every principal but {values}")
            else:
                clauses.append(f"when {operator} {key} = {values}")
    resources = ", ".join(render(r) for r in _listed(statement.get("Resource", [])))
    return f"{verb} {actions} on {resources} " + ", ".join(clauses) if clauses else (
        f"{verb} {actions} on {resources}"
    )


def _review_scp(logical_id: str, resource: dict[str, Any]) -> ScpReview:
    properties = resource.get("Properties", {})
    content = properties.get("Content", {})
    if isinstance(content, str):
        content = json.loads(content)
    statements = _listed(content.get("Statement", []))
    exempt = None
    admins: list[str] = []
    for statement in statements:
        for operator, pairs in statement.get("Condition", {}).items():
            for key, value in pairs.items():
                if key.startswith("aws:PrincipalTag/") and operator.startswith("StringNotEquals"):
                    exempt = f"{key.removeprefix('aws:PrincipalTag/')}={render(value)}"
                if operator == "ArnNotLike" and key == "aws:PrincipalArn":
                    admins = [render(v) for v in _listed(value)]
    return ScpReview(
        logical_id=logical_id,
        name=render(properties.get("Name", logical_id)),
        sentences=[_scp_sentence(s) for s in statements],
        exempt_tag=exempt,
        tag_admins=admins,
        size=len(json.dumps(content, separators=(",", ":"))),
        limit=SCP_SIZE_LIMIT,
        targets=[render(t) for t in properties.get("TargetIds", [])],
        document=json.dumps(render_tree(content), indent=2),
    )


def review_stack(stack: StackTemplate) -> StackReview:
    """The review of one stack."""
    review = StackReview(stack.name, warnings=list(stack.warnings))
    for logical_id, resource in stack.resources("AWS::IAM::Role").items():
        with _readable(stack, logical_id):
            role = _review_role(stack, logical_id, resource)
        review.roles.append(role)
        review.findings.extend(_role_findings(stack.name, role))
    for logical_id, resource in stack.resources("AWS::Organizations::Policy").items():
        with _readable(stack, logical_id):
            scp = _review_scp(logical_id, resource)
        review.scps.append(scp)
        if scp.size > scp.limit:
            review.findings.append(Finding(f"{stack.name}/{logical_id}", f"the SCP is "
                                           f"{scp.size} characters, over {scp.limit}"))
    return review


@contextlib.contextmanager
def _readable(stack: StackTemplate, logical_id: str) -> Iterator[None]:
    """Turn a resource the review cannot read (a policy without its document, SCP content
    that is not JSON) into an AssemblyError naming it, never a traceback."""
    try:
        yield
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        detail = f"no {error}" if isinstance(error, KeyError) else str(error)
        raise AssemblyError(
            f"stack {stack.name}: resource {logical_id} (or a policy attached to it) cannot "
            f"be reviewed: {detail}"
        ) from None


def review_assembly(directory: str | Path) -> list[StackReview]:
    """The reviews of every stack in the assembly at ``directory``."""
    return [review_stack(stack) for stack in read_assembly(directory)]


def _cell(values: Iterable[str]) -> str:
    return "<br>".join(f"`{v}`" for v in values) or "-"


def _share(size: int, limit: int) -> str:
    return f"{size:,} / {limit:,} ({size / limit:.0%})"


def to_markdown(reviews: Sequence[StackReview]) -> str:
    """The reviews as a Markdown document."""
    lines = ["# sm-pipeline-iam review", ""]
    for review in reviews:
        lines += [f"## Stack {review.name}", ""]
        if review.findings:
            lines += ["**Findings**", ""]
            lines += [f"- `{f.where}`: {f.message}" for f in review.findings]
            lines.append("")
        if review.warnings:
            lines += ["**Warnings at synthesis** (not findings; acknowledge by id)", ""]
            lines += [f"- `{w.path}` [{w.id or 'no id'}]: {w.message}" for w in review.warnings]
            lines.append("")
        for role in review.roles:
            lines += [f"### Role {role.name}", ""]
            lines.append(f"- Path: `{role.path}`")
            tags = ", ".join(f"`{k}={v}`" for k, v in sorted(role.tags.items())) or "none"
            lines.append(f"- Tags: {tags}")
            lines += [f"- Trusted by: {t}" for t in role.trust]
            lines += ["", "| Statement | Effect | Actions | Resources | Condition |",
                      "|---|---|---|---|---|"]
            lines += [
                f"| {r.sid or '-'} | {r.effect} | {_cell(r.actions)} | {_cell(r.resources)} | "
                f"{r.condition or '-'} |"
                for r in role.statements
            ]
            if role.pass_roles:
                lines += ["", "| PassRole target | Passed to |", "|---|---|"]
                lines += [f"| `{r}` | {s} |" for r, s in role.pass_roles]
            if role.s3:
                lines += ["", "| S3 action | Objects |", "|---|---|"]
                lines += [f"| `{a}` | `{r}` |" for a, r in role.s3]
            lines += ["", "| Policy | Kind | Size / limit (upper bound) |", "|---|---|---|"]
            lines += [f"| {p.name} | {p.kind} | {_share(p.size, p.limit)} |"
                      for p in role.policies]
            lines.append("")
        for scp in review.scps:
            lines += [f"### SCP {scp.name}", ""]
            lines += [f"- {sentence}." for sentence in scp.sentences]
            lines.append(f"- Exempt tag: `{scp.exempt_tag or 'none'}`")
            lines.append(f"- Tag admins: {_cell(scp.tag_admins)}")
            lines.append(f"- Size: {_share(scp.size, scp.limit)}")
            lines.append(f"- Targets: {_cell(scp.targets) if scp.targets else 'none'}")
            lines += ["", "```json", scp.document, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def to_json(reviews: Sequence[StackReview]) -> str:
    """The reviews as JSON, for machines."""
    return json.dumps({"stacks": [asdict(r) for r in reviews]}, indent=2, sort_keys=True)


def has_findings(reviews: Sequence[StackReview]) -> bool:
    """True when any stack has a finding."""
    return any(review.findings for review in reviews)
