"""A review of a synthesized cloud assembly, for people (Markdown), machines (JSON) and code
scanning (SARIF 2.1.0).

Per stack: each principal in scope (role, user or group) with what it may do (statements
as action x resource tables, ``NotAction``/``NotResource`` marked), whom it may pass roles
to, which S3 objects it touches, its tags and trust, every policy attached to it (inline,
the stack's managed policies, AWS managed ones by name) and the size of each against its
IAM limit; each SageMaker pipeline with the role it runs as, each step's role and who may
act on it; each SCP in plain words; a Mermaid diagram (``_diagram``); findings, each with
a stable id and a severity, that an acceptance file may accept. No CDK import.

Scope (:func:`review_assembly`, ``scope_all=False``): the library's roles (their
description ends with ``(sm-pipeline-iam)``), the roles every SageMaker pipeline of the
assembly runs as or gives its steps, and every principal whose policies name one of those
roles (``iam:PassRole``, ``iam.Grant``s on it; across stacks through exports) or that may
act on SageMaker pipelines (a ``sagemaker:`` action on pipelines, or any action that
starts, updates, reads or deletes a pipeline of the assembly: its grantees); a user is in
scope with a group it belongs to. ``scope_all=True`` reviews every principal.

Principals are named as their sections head them: the role, user or group name given,
else the construct path (the template's ``aws:cdk:path``, or the manifest's), else the
logical id.
"""

from __future__ import annotations

import contextlib
import datetime
import fnmatch
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core.catalog.schema import ResourceScope
from ..core.catalog.steps import CATALOG
from ..core.cfn import render_text as render
from ..core.cfn import render_tree
from ..core.definition.reader import all_steps
from ..core.definition.rewrite import role_slots
from ..core.execution_role import policy
from ..core.job_roles import policy as job_policy
from ..core.notices import ANY_VALUE_METADATA
from ..core.organization.scp import SCP_SIZE_LIMIT
from ._diagram import diagrams
from .assembly import AssemblyError, StackTemplate, SynthWarning, read_assembly

#: Actions that IAM gives no resource type, which the catalog grants on '*'; lower case, as
#: IAM compares actions without regard to case.
_NO_RESOURCE_ACTIONS = frozenset(
    action.lower()
    for action in (*(action for spec in CATALOG.values() for group in spec.action_groups
                     if group.scope is ResourceScope.NO_RESOURCE for action in group.actions),
                   *job_policy.NO_RESOURCE_ACTIONS)
)
#: A reference as ``render`` writes it: ``${Logical.Arn}``, ``${Name}``, an import.
_REFERENCE = re.compile(
    r"\$\{[A-Za-z0-9]+\.Arn\}|\$\{[A-Za-z0-9]+\}|\$\{ImportValue:[^}]*\}"
)
#: The ending of the description the library's constructs give their roles.
LIBRARY_MARK = "(sm-pipeline-iam)"
#: AWS managed policies that grant far more than a pipeline needs.
ADMIN_POLICIES = frozenset(
    {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonSageMakerFullAccess"}
)
#: An AWS managed policy's ARN: ``arn:<partition>:iam::aws:policy/[path/]Name``.
_AWS_MANAGED = re.compile(r"^arn:[^:]+:iam::aws:policy/(?:.*/)?(?P<name>[^/]+)$")
#: Inline-policy limits per principal kind (all inline policies together).
_INLINE_LIMITS = {"role": policy.INLINE_POLICIES_LIMIT, "user": 2_048, "group": 5_120}
_KINDS = {"AWS::IAM::Role": "role", "AWS::IAM::User": "user", "AWS::IAM::Group": "group"}
_NAME_PROPERTY = {"role": "RoleName", "user": "UserName", "group": "GroupName"}
_LIST_PROPERTY = {"role": "Roles", "user": "Users", "group": "Groups"}
#: Trust conditions that keep a service from acting for another account.
_DEPUTY_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths")

ERROR, WARNING = "error", "warning"

#: Finding id -> (severity, what it means and what to do): the SARIF rules.
RULES: dict[str, tuple[str, str]] = {
    "adminPolicyAttached": (
        ERROR,
        "An AWS managed policy that grants far more than a pipeline needs "
        "(AdministratorAccess, PowerUserAccess, IAMFullAccess, AmazonSageMakerFullAccess) "
        "is attached. Replace it with the library's roles or a scoped policy.",
    ),
    "anyValueParameter": (
        WARNING,
        "A role allows any value of a pipeline parameter (any_value_parameters): the "
        "grants that depend on it are the widest pattern (any bucket, any repository...). "
        "Bind the parameter with parameter_values, or accept the finding.",
    ),
    "noConfusedDeputyCondition": (
        WARNING,
        "A service may assume the role for any account: the confused-deputy problem. A "
        "trust statement lets a service assume it without requiring aws:SourceAccount, "
        "aws:SourceArn, aws:SourceOrgID or aws:SourceOrgPaths to match (a negated, "
        "IfExists, ForAllValues or Null test of the key does not require it). Add the "
        "condition, or accept the finding if the service does not support it.",
    ),
    "notAction": (
        WARNING,
        "An Allow statement uses NotAction: it allows every action but the listed ones, "
        "including actions AWS adds later. List the actions instead.",
    ),
    "notResource": (
        WARNING,
        "An Allow statement uses NotResource: it allows every resource but the listed "
        "ones. List the resources instead.",
    ),
    "policyOverLimit": (
        ERROR,
        "A policy is larger than IAM allows: the deployment may fail. Measured are a "
        "principal's inline policies together and each managed policy of the assembly "
        "attached to it, with the longest partition, region and account and 128 characters "
        "for any other reference (an upper bound). Move grants into managed policies or "
        "narrow them.",
    ),
    "scpOverLimit": (
        ERROR,
        "A service or resource control policy is larger than 5,120 characters: "
        "Organizations would refuse it. Measured as for policyOverLimit. Merge or shorten "
        "its statements.",
    ),
    "unscopedGrant": (
        ERROR,
        "An Allow statement grants actions on every resource ('*') although IAM gives them "
        "resource types. Flagged is any action but those the library knows IAM gives no "
        "resource type (such as ecr:GetAuthorizationToken), and NotAction. Scope the "
        "resources.",
    ),
    "wildcardResource": (
        WARNING,
        "An Allow statement names a resource ARN whose resource name is wildcards only. "
        "That is every resource of the service or type (arn:aws:s3:::*/*, "
        "...:repository/*, ...:experiment-trial/*), or every child of a named parent "
        "(every object of a bucket, arn:aws:s3:::<bucket>/*; every stream of a log group, "
        "...:log-group:<name>:log-stream:*). Name the resources, or accept the finding "
        "where their names are known only at run time.",
    ),
}


def _measure(document: Any) -> int:
    # Upper bound, as the library measures: the longest partition, region and account,
    # and 128 characters for any other reference (a role ARN, a parameter, an import).
    text = policy.render_longest(json.dumps(render_tree(document), separators=(",", ":")))
    return len(_REFERENCE.sub("x" * 128, text))


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Finding:
    """Something a reviewer must look at; an unaccepted finding makes the report exit 1.

    Attributes:
        id: the stable kind (a key of :data:`RULES`).
        severity: ``error`` or ``warning``.
        where: ``<stack>/<logical id>``: what an acceptance names.
        message: what is wrong, naming the statement or policy.
        template: the template file, relative to the assembly directory.
        logical_id: the resource's logical id.
        status: ``open``, ``accepted`` or ``expired`` (an acceptance past its date).
        acceptance: the acceptance's reason (and expiry), when one matched.
    """

    id: str
    severity: str
    where: str
    message: str
    template: str = ""
    logical_id: str = ""
    status: str = "open"
    acceptance: str = ""

    @property
    def counts(self) -> bool:
        """True unless an acceptance in force covers it."""
        return self.status != "accepted"


def _finding(rule: str, stack: StackTemplate, logical_id: str, message: str) -> Finding:
    return Finding(rule, RULES[rule][0], f"{stack.name}/{logical_id}", message,
                   stack.template_file, logical_id)


@dataclass(frozen=True)
class StatementRow:
    sid: str
    effect: str
    actions: list[str]
    resources: list[str]
    condition: str
    not_actions: bool = False
    not_resources: bool = False


@dataclass(frozen=True)
class PolicySize:
    """One policy attached to a principal; ``size``/``limit`` are None when the assembly
    does not hold its document (an AWS managed policy, another stack's)."""

    name: str
    kind: str
    size: int | None
    limit: int | None


@dataclass
class PrincipalReview:
    kind: str
    logical_id: str
    name: str
    path: str
    trust: list[str]
    tags: dict[str, str]
    description: str = ""
    groups: list[str] = field(default_factory=list)
    statements: list[StatementRow] = field(default_factory=list)
    pass_roles: list[tuple[str, str]] = field(default_factory=list)
    s3: list[tuple[str, str]] = field(default_factory=list)
    policies: list[PolicySize] = field(default_factory=list)
    scope: str = ""


#: The former name: every principal was a role.
RoleReview = PrincipalReview


@dataclass(frozen=True)
class StepReview:
    name: str
    type: str
    roles: list[str]


@dataclass(frozen=True)
class GranteeReview:
    """A principal of the assembly (in any stack) whose policies let it act on a pipeline.

    Attributes:
        kind: ``role``, ``user`` or ``group``.
        name: its name, as its section writes it.
        stack: the stack that holds it.
        verbs: what it may do, among :data:`GRANTEE_VERBS` in that order.
    """

    kind: str
    name: str
    stack: str
    verbs: list[str]


@dataclass
class PipelineReview:
    logical_id: str
    name: str
    role: str
    steps: list[StepReview] = field(default_factory=list)
    note: str = ""
    #: Who may start, update, read or delete it, or pass its role (see GranteeReview).
    grantees: list[GranteeReview] = field(default_factory=list)


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
    #: ``SCP`` or ``RCP`` (a resource control policy, the same size limit).
    kind: str = "SCP"


@dataclass
class StackReview:
    name: str
    principals: list[PrincipalReview] = field(default_factory=list)
    pipelines: list[PipelineReview] = field(default_factory=list)
    scps: list[ScpReview] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[SynthWarning] = field(default_factory=list)
    out_of_scope: list[str] = field(default_factory=list)
    template: str = ""
    #: Logical id -> construct path, for each resource whose path the assembly records.
    construct_paths: dict[str, str] = field(default_factory=dict)

    @property
    def roles(self) -> list[PrincipalReview]:
        """The principals that are roles."""
        return [p for p in self.principals if p.kind == "role"]


def _condition_text(condition: Any) -> str:
    if not condition:
        return ""
    parts = []
    for operator, pairs in condition.items():
        for key, value in pairs.items():
            values = ", ".join(render(v) for v in _listed(value))
            parts.append(f"{operator} {key} = {values}")
    return "; ".join(parts)


def _any_value_findings(stack: StackTemplate, logical_id: str, resource: dict[str, Any]
                        ) -> list[Finding]:
    """One finding per parameter the principal's grants allow any value of (recorded by
    the library's roles under :data:`ANY_VALUE_METADATA`)."""
    metadata = resource.get("Metadata")
    recorded = metadata.get(ANY_VALUE_METADATA) if isinstance(metadata, dict) else None
    return [
        _finding("anyValueParameter", stack, logical_id,
                 f"parameter {entry.get('Parameter')!r} is allowed any value "
                 f"(any_value_parameters): {'; '.join(map(str, _listed(entry.get('Grants'))))}")
        for entry in _listed(recorded or []) if isinstance(entry, dict)
    ]


def _trust_text(statement: dict[str, Any]) -> str:
    principal = statement.get("Principal", {})
    if not isinstance(principal, dict):
        principal = {"AWS": principal}
    who = ", ".join(
        f"{render(p)}" for kind in sorted(principal) for p in _listed(principal[kind])
    )
    condition = _condition_text(statement.get("Condition"))
    return f"{who} when {condition}" if condition else who


def _construct_path(stack: StackTemplate, logical_id: str) -> str:
    """The resource's construct path (its ``aws:cdk:path`` metadata, or the manifest's),
    else its logical id."""
    resource = stack.template.get("Resources", {}).get(logical_id, {})
    metadata = resource.get("Metadata") if isinstance(resource, dict) else None
    path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
    if isinstance(path, str):
        return path.removesuffix("/Resource")
    return stack.construct_paths.get(logical_id, logical_id)


def _names(stack: StackTemplate, kind: str, logical_id: str, properties: dict[str, Any]
           ) -> set[str]:
    """How a policy's Roles/Users/Groups list may name the principal."""
    names = {f"${{{logical_id}}}"}
    given = properties.get(_NAME_PROPERTY[kind])
    if given is not None:
        names.add(render(given))
    return names


def _review_principal(stack: StackTemplate, kind: str, logical_id: str,
                      resource: dict[str, Any]) -> tuple[PrincipalReview, list[Finding]]:
    properties = resource.get("Properties", {})
    findings: list[Finding] = []
    trust_statements = _listed(
        properties.get("AssumeRolePolicyDocument", {}).get("Statement", [])
    )
    review = PrincipalReview(
        kind=kind,
        logical_id=logical_id,
        name=render(properties.get(_NAME_PROPERTY[kind], _construct_path(stack, logical_id))),
        path=render(properties.get("Path", "/")),
        trust=[_trust_text(s) for s in trust_statements],
        tags={t["Key"]: render(t["Value"]) for t in properties.get("Tags", [])},
        description=render(properties.get("Description", "")),
        groups=[render(g) for g in properties.get("Groups", [])] if kind == "user" else [],
    )
    names = _names(stack, kind, logical_id, properties)
    documents: list[tuple[str, str, Any]] = [
        ("inline", render(p.get("PolicyName", "inline")), p["PolicyDocument"])
        for p in properties.get("Policies", [])
    ]
    attached: set[str] = set()
    for policy_kind, resource_type in (("inline", "AWS::IAM::Policy"),
                                       ("managed", "AWS::IAM::ManagedPolicy")):
        for policy_id, policy_resource in stack.resources(resource_type).items():
            policy_properties = policy_resource.get("Properties", {})
            holders = {render(h) for h in policy_properties.get(_LIST_PROPERTY[kind], [])}
            if holders & names:
                attached.add(policy_id)
                documents.append((policy_kind, policy_id, policy_properties["PolicyDocument"]))
    single = {"role": "AWS::IAM::RolePolicy", "user": "AWS::IAM::UserPolicy",
              "group": "AWS::IAM::GroupPolicy"}[kind]
    for policy_id, policy_resource in stack.resources(single).items():
        policy_properties = policy_resource.get("Properties", {})
        if render(policy_properties.get(_NAME_PROPERTY[kind])) in names:
            documents.append(("inline", policy_id, policy_properties["PolicyDocument"]))
    for arn in properties.get("ManagedPolicyArns", []):
        target = arn.get("Ref") if isinstance(arn, dict) and set(arn) == {"Ref"} else None
        managed = (stack.template.get("Resources", {}).get(target)
                   if isinstance(target, str) else None)
        if isinstance(target, str) and isinstance(managed, dict) and (
            managed.get("Type") == "AWS::IAM::ManagedPolicy"
        ):
            if target not in attached:
                attached.add(target)
                documents.append(("managed", target,
                                  managed.get("Properties", {})["PolicyDocument"]))
            continue
        text = render(arn)
        aws = _AWS_MANAGED.match(text.replace("${AWS::Partition}", "aws"))
        if aws:
            name = aws.group("name")
            review.policies.append(PolicySize(f"AWS managed: {name}", "aws-managed", None,
                                              None))
            if name in ADMIN_POLICIES:
                findings.append(_finding("adminPolicyAttached", stack, logical_id,
                                         f"the AWS managed policy {name} is attached"))
        else:
            review.policies.append(PolicySize(f"managed policy {text}", "external", None,
                                              None))
    for policy_kind, name, document in documents:
        limit = (_INLINE_LIMITS[kind] if policy_kind == "inline"
                 else policy.MANAGED_POLICY_LIMIT)
        review.policies.append(PolicySize(name, policy_kind, _measure(document), limit))
        for statement in _listed(document.get("Statement", [])):
            _add_statement(review, statement)
    return review, findings


def _add_statement(review: PrincipalReview, statement: dict[str, Any]) -> None:
    not_actions = "NotAction" in statement
    not_resources = "NotResource" in statement
    actions = [render(a) for a in _listed(statement.get(
        "NotAction" if not_actions else "Action", []))]
    resources = [render(r) for r in _listed(statement.get(
        "NotResource" if not_resources else "Resource", []))]
    condition = statement.get("Condition", {})
    review.statements.append(
        StatementRow(
            render(statement.get("Sid", "")), statement.get("Effect", ""), actions, resources,
            _condition_text(condition), not_actions, not_resources,
        )
    )
    if not_actions or not_resources or statement.get("Effect") != "Allow":
        return
    if any(fnmatch.fnmatchcase("iam:PassRole", a) for a in actions):
        services = _listed(condition.get("StringEquals", {}).get("iam:PassedToService", "any"))
        for resource in resources:
            review.pass_roles.append((resource, ", ".join(render(s) for s in services)))
    for action in actions:
        if action.startswith("s3:"):
            review.s3.extend((action, resource) for resource in resources)


#: A reference as ``render`` writes it (``${AWS::Partition}``, ``${Bucket}``): one named
#: value, never a wildcard, and its ``::`` must not split the ARN.
_ANY_REFERENCE = re.compile(r"\$\{[^}]*\}")
#: A resource type opening an ARN's resource part: ``repository/``, ``log-group:``.
_RESOURCE_TYPE = re.compile(r"^[A-Za-z0-9-]+[/:]")
#: A child resource named after its parent's name: ``<group>:log-stream:<stream>``.
_CHILD = re.compile(r"^(?P<parent>.+):[a-z][a-z0-9-]*:(?P<child>[^:]*)$")


def _wild(text: str) -> bool:
    """True for a name that is wildcards (and separators) only: ``*``, ``*/*``, ``?*``."""
    return "*" in text and set(text) <= {"*", "?", "/", ":"}


def _wildcard_only(resource: str) -> bool:
    """True for an ARN whose resource name is wildcards only (:data:`RULES`
    ``wildcardResource``): after its resource type (``repository/*``,
    ``experiment-trial/*``), S3's whole resource part or an object's key under its bucket
    (``*/*``, ``bucket/*``), or a child under its named parent
    (``log-group:<name>:log-stream:*``). An ARN cut short by a wildcard (``arn:aws:*``) has
    its resource part in that wildcard. A log group's own ARN, ``log-group:<name>:*``, names
    the group, as IAM writes it."""
    parts = _ANY_REFERENCE.sub("R", resource).split(":", 5)
    if parts[0] != "arn":
        return False
    if len(parts) < 6:
        return _wild(parts[-1])
    service, rest = parts[2], parts[5]
    if service == "s3":
        return _wild(rest) or _wild(rest.partition("/")[2])
    name = _RESOURCE_TYPE.sub("", rest, count=1)
    child = _CHILD.match(name)
    return _wild(name) or (child is not None and _wild(child.group("child")))


def _principal_findings(stack: StackTemplate, review: PrincipalReview) -> list[Finding]:
    logical_id = review.logical_id
    findings = []
    inline = sum(p.size or 0 for p in review.policies if p.kind == "inline")
    limit = _INLINE_LIMITS[review.kind]
    if inline > limit:
        findings.append(_finding("policyOverLimit", stack, logical_id,
                                 f"inline policies total {inline} characters, over IAM's "
                                 f"{limit}"))
    for size in review.policies:
        if size.kind == "managed" and size.size and size.limit and size.size > size.limit:
            findings.append(_finding("policyOverLimit", stack, logical_id,
                                     f"managed policy {size.name} is {size.size} "
                                     f"characters, over IAM's {size.limit}"))
    for row in review.statements:
        if row.effect != "Allow":
            continue
        sid = row.sid or "(no sid)"
        if row.not_actions:
            findings.append(_finding("notAction", stack, logical_id,
                                     f"statement {sid} allows every action but "
                                     f"{', '.join(row.actions)}"))
        if row.not_resources:
            findings.append(_finding("notResource", stack, logical_id,
                                     f"statement {sid} allows every resource but "
                                     f"{', '.join(row.resources)}"))
            continue
        unscoped = [a for a in row.actions if a.lower() not in _NO_RESOURCE_ACTIONS]
        if "*" in row.resources and (unscoped or row.not_actions):
            what = "every action" if row.not_actions else ", ".join(unscoped)
            findings.append(_finding("unscopedGrant", stack, logical_id,
                                     f"statement {sid} allows {what} on every resource "
                                     "('*')"))
        wide = [r for r in row.resources if _wildcard_only(r)]
        if wide:
            what = (f"every action but {', '.join(row.actions)}" if row.not_actions
                    else ", ".join(row.actions))
            findings.append(_finding("wildcardResource", stack, logical_id,
                                     f"statement {sid} allows {what} on {', '.join(wide)}"))
    return findings


def _requires_match(operator: str) -> bool:
    """True for a condition operator that fails when its key is absent or another value:
    ``StringEquals``, ``ArnLike``, ``ForAnyValue:StringEquals``; not a negated one,
    ``...IfExists``, ``ForAllValues:`` (true without the key) or ``Null``."""
    qualifier, _, test = operator.rpartition(":")
    return (qualifier.lower() != "forallvalues" and test.startswith(("String", "Arn"))
            and "Not" not in test and not test.endswith("IfExists"))


def _trust_findings(stack: StackTemplate, logical_id: str, resource: dict[str, Any]
                    ) -> list[Finding]:
    document = resource.get("Properties", {}).get("AssumeRolePolicyDocument", {})
    findings = []
    for statement in _listed(document.get("Statement", [])):
        principal = statement.get("Principal", {})
        services = principal.get("Service") if isinstance(principal, dict) else None
        if not services or statement.get("Effect", "Allow") != "Allow":
            continue
        keys = {key.lower() for operator, pairs in statement.get("Condition", {}).items()
                if _requires_match(operator) for key in pairs}
        if not keys & set(_DEPUTY_KEYS):
            findings.append(_finding("noConfusedDeputyCondition", stack, logical_id,
                                     f"trusted by {_trust_text(statement)} without "
                                     "aws:SourceAccount or aws:SourceArn (confused deputy)"))
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
        # Intrinsics (a tag admin's ARN) measured as they deploy at the longest, not as JSON.
        size=_measure(content),
        limit=SCP_SIZE_LIMIT,
        targets=[render(t) for t in properties.get("TargetIds", [])],
        document=json.dumps(render_tree(content), indent=2),
        kind="RCP" if properties.get("Type") == "RESOURCE_CONTROL_POLICY" else "SCP",
    )


#: ``${Name}`` in an Fn::Sub string.
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def definition_text(body: Any) -> tuple[str | None, str]:
    """The definition body as JSON text with its intrinsics rendered, or a note."""
    if isinstance(body, str):
        return body, ""
    if isinstance(body, dict) and set(body) == {"Fn::Join"}:
        return render(body), "intrinsics in the definition are shown as ${...}"
    if isinstance(body, dict) and set(body) == {"Fn::Sub"}:
        argument = body["Fn::Sub"]
        text, variables = (argument, {}) if isinstance(argument, str) else (
            argument[0], argument[1] if len(argument) > 1 else {})
        if not isinstance(text, str) or not isinstance(variables, dict):
            return None, "the definition's Fn::Sub is malformed: steps not read"
        text = _SUB_VARIABLE.sub(
            lambda m: render(variables[m.group(1)]) if m.group(1) in variables
            else m.group(0), text)
        return text, "intrinsics in the definition are shown as ${...}"
    return None, (f"the definition is {render(body)}, not a JSON string the assembly "
                  "holds: steps not read")


def _review_pipeline(logical_id: str, resource: dict[str, Any]) -> PipelineReview:
    properties = resource.get("Properties", {})
    review = PipelineReview(
        logical_id=logical_id,
        name=render(properties.get("PipelineName", logical_id)),
        role=render(properties.get("RoleArn", "")),
    )
    definition = properties.get("PipelineDefinition", {})
    if not isinstance(definition, dict) or "PipelineDefinitionBody" not in definition:
        location = definition.get("PipelineDefinitionS3Location") if isinstance(
            definition, dict) else None
        review.note = (f"the definition is in S3 ({render(location)}): steps not read"
                       if location else "no PipelineDefinitionBody: steps not read")
        return review
    text, note = definition_text(definition["PipelineDefinitionBody"])
    review.note = note
    if text is None:
        return review
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        review.note = f"the definition could not be parsed ({error}): steps not read"
        return review
    if not isinstance(document, dict):
        review.note = "the definition is not a JSON object: steps not read"
        return review
    slots: dict[str, list[str]] = {}
    for slot in role_slots(document):
        value = slot.value if isinstance(slot.value, str) else json.dumps(slot.value,
                                                                           sort_keys=True)
        slots.setdefault(slot.step, []).append(value)
    for step in all_steps(document.get("Steps")):
        name, step_type = str(step.get("Name", "?")), str(step.get("Type", "?"))
        review.steps.append(StepReview(name, step_type, slots.get(name, [])))
    return review


@dataclass
class _StackParts:
    stack: StackTemplate
    review: StackReview
    principals: list[PrincipalReview]
    findings: dict[str, list[Finding]]


def _read_stack(stack: StackTemplate) -> _StackParts:
    review = StackReview(stack.name, warnings=list(stack.warnings),
                         template=stack.template_file)
    review.construct_paths = {
        logical_id: path for logical_id in stack.template.get("Resources", {})
        if (path := _construct_path(stack, logical_id)) != logical_id
    }
    principals: list[PrincipalReview] = []
    findings: dict[str, list[Finding]] = {}
    for resource_type, kind in _KINDS.items():
        for logical_id, resource in stack.resources(resource_type).items():
            with _readable(stack, logical_id):
                principal, own = _review_principal(stack, kind, logical_id, resource)
                own += _trust_findings(stack, logical_id, resource)
            principals.append(principal)
            findings[logical_id] = (own + _principal_findings(stack, principal)
                                    + _any_value_findings(stack, logical_id, resource))
    for logical_id, resource in stack.resources("AWS::SageMaker::Pipeline").items():
        with _readable(stack, logical_id):
            review.pipelines.append(_review_pipeline(logical_id, resource))
    for logical_id, resource in stack.resources("AWS::Organizations::Policy").items():
        with _readable(stack, logical_id):
            scp = _review_scp(logical_id, resource)
        review.scps.append(scp)
        if scp.size > scp.limit:
            review.findings.append(_finding("scpOverLimit", stack, logical_id,
                                            f"the {scp.kind} is {scp.size} characters, over "
                                            f"{scp.limit}"))
    return _StackParts(stack, review, principals, findings)


def _exports(parts: Sequence[_StackParts]) -> dict[str, tuple[str, str]]:
    """Export name -> (stack, the rendered value it exports)."""
    found = {}
    for part in parts:
        for output in part.stack.template.get("Outputs", {}).values():
            export = output.get("Export", {}) if isinstance(output, dict) else {}
            if isinstance(export, dict) and "Name" in export:
                found[render(export["Name"])] = (part.stack.name, render(output.get("Value")))
    return found


_ROLE_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}")


def _references(text: str, stack: str, exports: Mapping[str, tuple[str, str]]
                ) -> set[tuple[str, str]]:
    """(stack, logical id) of each resource a rendered value names, through exports."""
    for name, (exporter, value) in exports.items():
        if f"${{ImportValue:{name}}}" in text:
            return {(exporter, m.group(1)) for m in _ROLE_REFERENCE.finditer(value)}
    return {(stack, m.group(1)) for m in _ROLE_REFERENCE.finditer(text)}


#: What a grantee may do to a pipeline -> the actions on the pipeline's ARN that let it (as
#: the library's grant_start_execution, grant_update and grant_read write them,
#: core.execution_role.pipeline), in the order the report lists them.
_PIPELINE_VERBS: dict[str, tuple[str, ...]] = {
    "start": ("sagemaker:StartPipelineExecution",),
    "update": ("sagemaker:UpdatePipeline", "sagemaker:UpdatePipelineVersion"),
    "read": ("sagemaker:DescribePipeline", "sagemaker:ListPipelineExecutions",
             "sagemaker:ListPipelineVersions"),
    "delete": ("sagemaker:DeletePipeline",),
}
#: The verb of a principal that may pass the pipeline's execution role (iam:PassRole).
PASSES_ROLE = "pass its role"
#: Every verb of GranteeReview, in order.
GRANTEE_VERBS = (*_PIPELINE_VERBS, PASSES_ROLE)

#: (stack, pipeline logical id) -> (stack, principal logical id, verbs) of each grantee.
_Grants = dict[tuple[str, str], list[tuple[str, str, list[str]]]]


def _pipeline_pattern(resource: str, pipeline_names: Mapping[str, str]) -> str:
    """``resource`` as a glob over ``arn:aws:sagemaker:region:account:pipeline/<name>``: a
    pipeline's ``Ref`` (``${Pipeline}``: its name) replaced by the name, any other reference
    by ``*`` (it may name the pipeline), and the partition, region and account not compared
    (a template does not always say them)."""
    text = _ANY_REFERENCE.sub(lambda m: pipeline_names.get(m.group(0), "*"), resource)
    segments = text.split(":", 5)
    if len(segments) == 6:
        segments[1] = segments[3] = segments[4] = "*"
    elif len(segments) > 1:
        segments[1] = "*"
    # IAM has no character classes: a bracket is itself.
    return ":".join(segments).replace("[", "[[]")


def _row_covers(row: StatementRow, action: str, arns: Sequence[str],
                pipeline_names: Mapping[str, str]) -> bool:
    """True when ``row`` names ``action`` (IAM compares actions without regard to case) on
    one of ``arns`` (with ``NotAction``/``NotResource``: when it does not exclude it)."""
    named = any(fnmatch.fnmatchcase(action.lower(), a.lower().replace("[", "[[]"))
                for a in row.actions)
    if named == row.not_actions:
        return False
    patterns = [_pipeline_pattern(r, pipeline_names) for r in row.resources]
    return any(any(fnmatch.fnmatchcase(arn, p) for p in patterns) != row.not_resources
               for arn in arns)


def _pipeline_verbs(principal: PrincipalReview, pipeline: PipelineReview,
                    pipeline_names: Mapping[str, str]) -> list[str]:
    """What ``principal``'s statements let it do to ``pipeline``: an action counts when an
    ``Allow`` names it on the pipeline's ARN (as named, or in lower case: whichever
    SageMaker writes) and no unconditioned ``Deny`` does."""
    arns = [f"arn:aws:sagemaker:region:account:pipeline/{name}"
            for name in dict.fromkeys((pipeline.name, pipeline.name.lower()))]
    allows = [r for r in principal.statements if r.effect == "Allow"]
    denies = [r for r in principal.statements if r.effect == "Deny" and not r.condition]

    def granted(action: str) -> bool:
        return (any(_row_covers(r, action, arns, pipeline_names) for r in allows)
                and not any(_row_covers(r, action, arns, pipeline_names) for r in denies))

    return [verb for verb, actions in _PIPELINE_VERBS.items() if any(map(granted, actions))]


def _passes_role(principal: PrincipalReview, stack: str, role: set[tuple[str, str]],
                 exports: Mapping[str, tuple[str, str]]) -> bool:
    """True when ``principal`` may pass the role ``role`` names ((stack, logical id)): its
    PassRole names it, through an export too, or names every role (``*``, ``role/*``)."""
    return any(
        target == "*" or _wildcard_only(target)
        or bool(_references(target, stack, exports) & role)
        for target, _ in principal.pass_roles
    )


def _pipeline_grants(parts: Sequence[_StackParts],
                     exports: Mapping[str, tuple[str, str]]) -> _Grants:
    """Every principal of the assembly (any stack) that may act on each pipeline."""
    names = {f"${{{pipeline.logical_id}}}": pipeline.name
             for part in parts for pipeline in part.review.pipelines}
    grants: _Grants = {}
    for owner in parts:
        for pipeline in owner.review.pipelines:
            role = _references(pipeline.role, owner.stack.name, exports)
            found = grants.setdefault((owner.stack.name, pipeline.logical_id), [])
            for part in parts:
                for principal in part.principals:
                    key = (part.stack.name, principal.logical_id)
                    verbs = _pipeline_verbs(principal, pipeline, names)
                    # The execution role passing itself is how its jobs run as it.
                    if key not in role and _passes_role(principal, part.stack.name, role,
                                                        exports):
                        verbs.append(PASSES_ROLE)
                    if verbs:
                        found.append((*key, verbs))
    return grants


def _in_scope(parts: Sequence[_StackParts], grants: _Grants) -> dict[tuple[str, str], str]:
    """(stack, logical id) -> why the principal is in scope."""
    exports = _exports(parts)
    scope: dict[tuple[str, str], str] = {}
    for part in parts:
        for principal in part.principals:
            if principal.kind == "role" and principal.description.endswith(LIBRARY_MARK):
                scope[(part.stack.name, principal.logical_id)] = "made by sm-pipeline-iam"
    for part in parts:
        for pipeline in part.review.pipelines:
            used = [pipeline.role] + [r for step in pipeline.steps for r in step.roles]
            for text in used:
                for key in _references(text, part.stack.name, exports):
                    scope.setdefault(key, f"used by pipeline {pipeline.name}")
    core = dict(scope)
    for part in parts:
        for principal in part.principals:
            key = (part.stack.name, principal.logical_id)
            if key in scope:
                continue
            for row in principal.statements:
                named = {ref for r in row.resources
                         for ref in _references(r, part.stack.name, exports)} & set(core)
                if row.effect == "Allow" and named:
                    scope[key] = "granted access to " + ", ".join(
                        sorted(f"{s}/{i}" for s, i in named))
                    break
                if row.effect == "Allow" and any(
                    a.startswith("sagemaker:") and "pipeline" in a.lower()
                    for a in row.actions
                ):
                    scope[key] = "may act on SageMaker pipelines"
                    break
    names = {(part.stack.name, p.logical_id): p.name
             for part in parts for p in part.review.pipelines}
    for key, grantees in grants.items():
        for stack, logical_id, _ in grantees:
            scope.setdefault((stack, logical_id), f"may act on pipeline {names[key]}")
    for part in parts:
        groups = {f"${{{p.logical_id}}}": p.logical_id for p in part.principals
                  if p.kind == "group" and (part.stack.name, p.logical_id) in scope}
        for principal in part.principals:
            member = [groups[g] for g in principal.groups if g in groups]
            if member and (part.stack.name, principal.logical_id) not in scope:
                scope[(part.stack.name, principal.logical_id)] = f"member of {member[0]}"
    return scope


def review_stack(stack: StackTemplate, *, scope_all: bool = True) -> StackReview:
    """The review of one stack on its own (every principal unless ``scope_all`` is off)."""
    return _assemble([_read_stack(stack)], scope_all)[0]


def _assemble(parts: Sequence[_StackParts], scope_all: bool) -> list[StackReview]:
    grants = _pipeline_grants(parts, _exports(parts))
    scope = _in_scope(parts, grants)
    principals = {(part.stack.name, p.logical_id): p for part in parts for p in part.principals}
    for part in parts:
        for pipeline in part.review.pipelines:
            pipeline.grantees = [
                GranteeReview(principals[(stack, logical_id)].kind,
                              principals[(stack, logical_id)].name, stack, verbs)
                for stack, logical_id, verbs in grants[(part.stack.name, pipeline.logical_id)]
            ]
    reviews = []
    for part in parts:
        review = part.review
        for principal in part.principals:
            why = scope.get((part.stack.name, principal.logical_id))
            if why is None and not scope_all:
                review.out_of_scope.append(f"{principal.kind} {principal.name}")
                continue
            principal.scope = why or "--all"
            review.principals.append(principal)
            review.findings.extend(part.findings[principal.logical_id])
        reviews.append(review)
    return reviews


@contextlib.contextmanager
def _readable(stack: StackTemplate, logical_id: str) -> Iterator[None]:
    """Turn a resource the review cannot read (a policy without its document, SCP content
    that is not JSON) into an AssemblyError naming it, never a traceback."""
    try:
        yield
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as error:
        detail = f"no {error}" if isinstance(error, KeyError) else str(error)
        raise AssemblyError(
            f"stack {stack.name}: resource {logical_id} (or a policy attached to it) cannot "
            f"be reviewed: {detail}"
        ) from None


def review_assembly(
    directory: str | Path,
    *,
    scope_all: bool = False,
    acceptances: Sequence[Acceptance] = (),
    today: datetime.date | None = None,
) -> list[StackReview]:
    """The reviews of every stack in the assembly at ``directory`` (in scope: see the
    module's docstring; every principal with ``scope_all``), with ``acceptances`` applied
    as of ``today`` (default: the current date)."""
    return _reviewed(read_assembly(directory), scope_all, acceptances, today)


def review_templates(
    directory: str | Path,
    template_paths: Iterable[str | Path],
    *,
    scope_all: bool = False,
    acceptances: Sequence[Acceptance] = (),
    today: datetime.date | None = None,
) -> list[StackReview]:
    """As :func:`review_assembly`, for the stacks whose template files are
    ``template_paths`` (what the CDK hands a validation plugin) and their nested stacks,
    read from the assembly at ``directory`` that holds them: its manifest gives the stacks'
    names, which acceptances name, and the warnings raised at synthesis.

    Raises:
        AssemblyError: as :func:`review_assembly`, and for a template that is no stack of
            the assembly.
    """
    root = Path(directory)
    wanted = {Path(path).resolve() for path in template_paths}
    stacks = read_assembly(root)
    missing = wanted - {(root / stack.template_file).resolve() for stack in stacks}
    if missing:
        raise AssemblyError(f"{', '.join(sorted(map(str, missing)))}: no stack of the "
                            f"assembly at {root}")
    chosen: list[StackTemplate] = []
    for stack in stacks:  # a nested stack comes after the stack that holds it
        if ((root / stack.template_file).resolve() in wanted
                or stack.nested_in in {kept.template_file for kept in chosen}):
            chosen.append(stack)
    return _reviewed(chosen, scope_all, acceptances, today)


def _reviewed(stacks: Sequence[StackTemplate], scope_all: bool,
              acceptances: Sequence[Acceptance], today: datetime.date | None
              ) -> list[StackReview]:
    reviews = _assemble([_read_stack(stack) for stack in stacks], scope_all)
    return apply_acceptances(reviews, acceptances, today or datetime.date.today())


def report_markdown(directory: str | Path, *, accept: str | Path | None = None) -> str:
    """The Markdown review of the assembly at ``directory`` (the stacks' principals in
    scope): what ``sm-pipeline-iam report DIRECTORY [--accept FILE]`` prints, for an app to
    write next to its templates after ``app.synth()``.

    Args:
        accept: an acceptance file (as the CLI's ``--accept``). Default: none accepted.
    """
    acceptances = read_acceptances(accept) if accept is not None else ()
    return to_markdown(review_assembly(directory, acceptances=acceptances))


# Acceptances ------------------------------------------------------------------------


class AcceptanceError(ValueError):
    """The acceptance file cannot be read or is malformed."""


@dataclass(frozen=True)
class Acceptance:
    """One accepted finding: ``where`` (exact, or a glob such as ``Stack/*``), the finding
    id, why, and optionally the last day it counts; ``file`` and ``entry`` say where it
    was read (the acceptance file and the index in its ``accept`` list), when it was."""

    where: str
    id: str
    reason: str
    expires: datetime.date | None = None
    file: str = ""
    entry: int | None = None

    @property
    def source(self) -> str:
        """``accept.json accept[2]``: where the acceptance was read; empty when unknown."""
        index = f"accept[{self.entry}]" if self.entry is not None else ""
        return " ".join(part for part in (self.file, index) if part)

    def matches(self, finding: Finding) -> bool:
        """True when this acceptance names ``finding`` (its id, and its where or a glob)."""
        return self.id == finding.id and (
            self.where == finding.where or fnmatch.fnmatchcase(finding.where, self.where))

    def to_data(self) -> dict[str, Any]:
        """The acceptance as plain data (for JSON)."""
        return {"where": self.where, "id": self.id, "reason": self.reason,
                "expires": self.expires.isoformat() if self.expires else None,
                "file": self.file or None, "entry": self.entry}


_ACCEPTANCE_KEYS = {"where", "id", "reason", "expires"}


def read_acceptances(path: str | Path) -> list[Acceptance]:
    """The acceptances in the JSON file at ``path``:
    ``{"accept": [{"where": ..., "id": ..., "reason": ..., "expires": "YYYY-MM-DD"}]}``.

    Raises:
        AcceptanceError: unreadable, not JSON, or an entry that breaks the format (each
            problem named with the entry's index).
    """
    file = Path(path)
    try:
        document = json.loads(file.read_text())
    except (OSError, UnicodeDecodeError) as error:
        raise AcceptanceError(f"{file} cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise AcceptanceError(f"{file} is not valid JSON: {error}") from None
    entries = document.get("accept") if isinstance(document, dict) else None
    if not isinstance(entries, list) or set(document) != {"accept"}:
        raise AcceptanceError(f"{file}: expected an object with one key, \"accept\", a list "
                              "of {where, id, reason, expires?}")
    accepted = []
    problems = []
    for index, entry in enumerate(entries):
        label = f"accept[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{label} is not an object")
            continue
        unknown = sorted(set(entry) - _ACCEPTANCE_KEYS)
        if unknown:
            problems.append(f"{label} has unknown keys {', '.join(unknown)}")
        for key in ("where", "id", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                problems.append(f"{label} needs a non-empty string {key!r}")
        if isinstance(entry.get("id"), str) and entry["id"] not in RULES:
            problems.append(f"{label}: unknown finding id {entry['id']!r} (one of "
                            f"{', '.join(sorted(RULES))})")
        expires = None
        if "expires" in entry:
            try:
                expires = datetime.date.fromisoformat(str(entry["expires"]))
            except ValueError:
                problems.append(f"{label}: expires {entry['expires']!r} is not YYYY-MM-DD")
        if not problems:
            accepted.append(Acceptance(entry["where"], entry["id"], entry["reason"].strip(),
                                       expires, str(file), index))
    if problems:
        raise AcceptanceError(f"{file}: " + "; ".join(problems))
    return accepted


def apply_acceptances(reviews: Sequence[StackReview], acceptances: Sequence[Acceptance],
                      today: datetime.date) -> list[StackReview]:
    """``reviews`` with each finding an acceptance names marked ``accepted`` (or
    ``expired`` when its acceptance ended before ``today``)."""
    for review in reviews:
        marked = []
        for finding in review.findings:
            match = next((a for a in acceptances if a.matches(finding)), None)
            if match is not None:
                until = f" (until {match.expires.isoformat()})" if match.expires else ""
                expired = match.expires is not None and match.expires < today
                finding = replace(finding, status="expired" if expired else "accepted",
                                  acceptance=match.reason + until)
            marked.append(finding)
        review.findings = marked
    return list(reviews)


def unmatched_acceptances(reviews: Sequence[StackReview],
                          acceptances: Sequence[Acceptance]) -> list[Acceptance]:
    """The acceptances that match no finding of ``reviews``: stale entries (the finding was
    fixed, the resource renamed or removed, a mistyped ``where``, or a principal out of
    scope without ``--all``), listed so that the acceptance file can be cleaned up. They do
    not change the exit code."""
    findings = [finding for review in reviews for finding in review.findings]
    return [a for a in acceptances if not any(a.matches(f) for f in findings)]


def _unmatched_text(acceptance: Acceptance) -> str:
    until = f" (until {acceptance.expires.isoformat()})" if acceptance.expires else ""
    source = f" ({acceptance.source})" if acceptance.source else ""
    return (f"acceptance of `{acceptance.id}` at `{acceptance.where}`{source} matches no "
            f"finding: {acceptance.reason}{until}")


#: What to do about an acceptance that matches no finding.
UNMATCHED_HELP = ("Remove each from the acceptance file, or correct its where and id; a "
                  "principal out of scope is reviewed only with --all.")


def has_findings(reviews: Sequence[StackReview]) -> bool:
    """True when any stack has a finding that no acceptance in force covers."""
    return any(f.counts for review in reviews for f in review.findings)


# Markdown -----------------------------------------------------------------------------


def _cell(values: Iterable[str]) -> str:
    return "<br>".join(f"`{v}`" for v in values) or "-"


def _share(size: int | None, limit: int | None) -> str:
    if size is None or limit is None:
        return "not in the assembly"
    return f"{size:,} / {limit:,} ({size / limit:.0%})"


def _finding_line(finding: Finding) -> str:
    status = {"open": "", "accepted": f" **accepted**: {finding.acceptance}",
              "expired": f" (acceptance expired: {finding.acceptance})"}[finding.status]
    return (f"- {finding.severity} `{finding.id}` `{finding.where}`: {finding.message}"
            f"{status}")


def to_markdown(reviews: Sequence[StackReview], unmatched: Sequence[Acceptance] = ()) -> str:
    """The reviews as a Markdown document; ``unmatched`` acceptances (see
    :func:`unmatched_acceptances`) are listed after the stacks."""
    lines = ["# sm-pipeline-iam review", ""]
    for review in reviews:
        lines += [f"## Stack {review.name}", ""]
        if review.findings:
            lines += ["**Findings**", ""]
            lines += [_finding_line(f) for f in review.findings]
            lines.append("")
        if review.warnings:
            lines += ["**Warnings at synthesis** (not findings; acknowledge by id)", ""]
            lines += [f"- `{w.path}` [{w.id or 'no id'}]: {w.message}" for w in review.warnings]
            lines.append("")
        if review.out_of_scope:
            lines += [f"Not in scope (`--all` reviews them): "
                      f"{', '.join(sorted(review.out_of_scope))}", ""]
        lines += diagrams(review)
        for pipeline in review.pipelines:
            lines += _pipeline_lines(pipeline, review)
        for principal in review.principals:
            lines += _principal_lines(principal)
        for scp in review.scps:
            lines += [f"### {scp.kind} {scp.name}", ""]
            lines += [f"- {sentence}." for sentence in scp.sentences]
            lines.append(f"- Exempt tag: `{scp.exempt_tag or 'none'}`")
            lines.append(f"- Tag admins: {_cell(scp.tag_admins)}")
            lines.append(f"- Size: {_share(scp.size, scp.limit)}")
            lines.append(f"- Targets: {_cell(scp.targets) if scp.targets else 'none'}")
            lines += ["", "```json", scp.document, "```", ""]
    if unmatched:
        lines += ["## Acceptances that matched nothing", "", UNMATCHED_HELP, ""]
        lines += [f"- {_unmatched_text(a)}" for a in unmatched]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _pipeline_lines(pipeline: PipelineReview, review: StackReview) -> list[str]:
    principals = {p.logical_id: p.name for p in review.principals}

    def role(reference: str) -> str:
        # The role by its name when the stack holds it, as its own section is headed.
        match = _ROLE_REFERENCE.fullmatch(reference)
        return principals.get(match.group(1), reference) if match else reference

    lines = [f"### Pipeline {pipeline.name}", "", f"- Runs as: `{role(pipeline.role)}`"]
    if pipeline.grantees:
        lines.append("- May act on it: " + "; ".join(
            f"{g.kind} `{g.name}` ({', '.join(g.verbs)})" for g in pipeline.grantees))
    if pipeline.note:
        lines.append(f"- Note: {pipeline.note}")
    if pipeline.steps:
        lines += ["", "| Step | Type | Its jobs run as |", "|---|---|---|"]
        lines += [f"| {s.name} | {s.type} | "
                  f"{_cell(map(role, s.roles)) if s.roles else 'no job role (SageMaker acts as the pipeline role)'} |"  # noqa: E501
                  for s in pipeline.steps]
    lines.append("")
    return lines


def _principal_lines(principal: PrincipalReview) -> list[str]:
    lines = [f"### {principal.kind.capitalize()} {principal.name}", ""]
    lines.append(f"- Path: `{principal.path}`")
    if principal.scope and principal.scope != "made by sm-pipeline-iam":
        lines.append(f"- In scope: {principal.scope}")
    if principal.groups:
        lines.append(f"- Groups: {_cell(principal.groups)}")
    if principal.kind != "group":
        tags = ", ".join(f"`{k}={v}`" for k, v in sorted(principal.tags.items())) or "none"
        lines.append(f"- Tags: {tags}")
    lines += [f"- Trusted by: {t}" for t in principal.trust]
    if not principal.statements:
        lines.append("- Statements: none of its own")
    else:
        lines += ["", "| Statement | Effect | Actions | Resources | Condition |",
                  "|---|---|---|---|---|"]
    lines += [
        f"| {r.sid or '-'} | {r.effect} | {'**NotAction** ' if r.not_actions else ''}"
        f"{_cell(r.actions)} | {'**NotResource** ' if r.not_resources else ''}"
        f"{_cell(r.resources)} | {r.condition or '-'} |"
        for r in principal.statements
    ]
    if principal.pass_roles:
        lines += ["", "| PassRole target | Passed to |", "|---|---|"]
        lines += [f"| `{r}` | {s} |" for r, s in principal.pass_roles]
    if principal.s3:
        lines += ["", "| S3 action | Objects |", "|---|---|"]
        lines += [f"| `{a}` | `{r}` |" for a, r in principal.s3]
    if principal.policies:
        lines += ["", "| Policy | Kind | Size / limit (upper bound) |", "|---|---|---|"]
        lines += [f"| {p.name} | {p.kind} | {_share(p.size, p.limit)} |"
                  for p in principal.policies]
    lines.append("")
    return lines


# JSON and SARIF ---------------------------------------------------------------------


def to_json(reviews: Sequence[StackReview], unmatched: Sequence[Acceptance] = ()) -> str:
    """The reviews as JSON, for machines: ``stacks``, and ``unmatched_acceptances`` (each
    acceptance that matches no finding; empty when none)."""
    return json.dumps({"stacks": [asdict(r) for r in reviews],
                       "unmatched_acceptances": [a.to_data() for a in unmatched]},
                      indent=2, sort_keys=True)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


#: The SARIF rule of an acceptance that matches no finding (a note, not a finding id).
UNMATCHED_RULE = "unmatchedAcceptance"


def to_sarif(reviews: Sequence[StackReview], unmatched: Sequence[Acceptance] = ()) -> str:
    """The findings as one SARIF 2.1.0 run: a rule per finding id, a result per finding
    (located at its template file and, logically, its resource); an accepted finding
    carries an accepted external suppression with the acceptance's reason. Each of the
    ``unmatched`` acceptances is a ``note`` result of the rule ``unmatchedAcceptance``
    (listed after the finding ids, only then), located at the acceptance file."""
    rule_ids = sorted(RULES)
    rules = [
        {
            "id": rule,
            "name": rule,
            "shortDescription": {"text": RULES[rule][1].split(". ")[0] + "."},
            "fullDescription": {"text": RULES[rule][1]},
            "help": {"text": RULES[rule][1]},
            "defaultConfiguration": {"level": RULES[rule][0]},
        }
        for rule in rule_ids
    ]
    results = []
    for review in reviews:
        for finding in review.findings:
            result: dict[str, Any] = {
                "ruleId": finding.id,
                "ruleIndex": rule_ids.index(finding.id),
                "level": finding.severity,
                "message": {"text": f"{finding.where}: {finding.message}"},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {
                        "uri": finding.template or review.template or "manifest.json"}},
                    "logicalLocations": [{
                        "name": finding.logical_id or finding.where.rsplit("/", 1)[-1],
                        "fullyQualifiedName": finding.where,
                        "kind": "resource",
                    }],
                }],
            }
            if finding.status != "open":
                result["suppressions"] = [{
                    "kind": "external",
                    "status": "accepted" if finding.status == "accepted" else "rejected",
                    "justification": finding.acceptance,
                }]
            results.append(result)
    if unmatched:
        rules.append({
            "id": UNMATCHED_RULE,
            "name": UNMATCHED_RULE,
            "shortDescription": {"text": "An acceptance matches no finding."},
            "fullDescription": {"text": "An entry of the acceptance file matches no finding "
                                        "of this review. " + UNMATCHED_HELP},
            "help": {"text": UNMATCHED_HELP},
            "defaultConfiguration": {"level": "note"},
        })
    for acceptance in unmatched:
        note: dict[str, Any] = {
            "ruleId": UNMATCHED_RULE,
            "ruleIndex": len(rules) - 1,
            "level": "note",
            "message": {"text": _unmatched_text(acceptance).replace("`", "'")},
        }
        if acceptance.file:
            note["locations"] = [{"physicalLocation": {"artifactLocation": {
                "uri": acceptance.file}}}]
        results.append(note)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "sm-pipeline-iam", "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"
