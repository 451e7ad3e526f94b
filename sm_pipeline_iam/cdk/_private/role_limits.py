"""IAM's per-role policy limits, checked again when the stack is synthesized.

At construction the library sizes its own policies (``role_policies.plan_documents``).
Others may add to the role afterwards: ``bucket.grant_read(role)`` and
``role.add_to_policy(...)`` fill an inline ``DefaultPolicy``, an ``iam.Policy`` may be
attached, managed policies added. IAM limits the role as a whole, so each role gets a
validation that measures everything attached to it in the final tree and fails synthesis
instead of producing a template that IAM refuses at deployment:

- all inline policies together (the role's ``Policies`` plus every ``AWS::IAM::Policy``
  naming it): at most 10,240 characters;
- each managed policy attached and defined in the stack: at most 6,144 characters;
- managed policies attached (``ManagedPolicyArns`` plus every ``AWS::IAM::ManagedPolicy``
  naming the role): at most 10.

Sizes are measured as at construction
(:func:`sm_pipeline_iam.core.execution_role.policy.document_size`):
no whitespace, the longest partition, region and account, an unresolved value as 128
characters. Policies defined in another stack are not seen.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsii
from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import IValidation

from ...core import cfn
from ...core.execution_role import policy


@dataclass(frozen=True)
class _Attached:
    """A policy attached to a role.

    Attributes:
        document: its resolved document; None for a managed policy defined elsewhere.
        managed: a managed policy (else inline).
        key: what identifies it among the role's policies.
        source: the policy's L1 construct, if the stack defines it.
        label: its name otherwise (an ARN, the role's ``Policies`` entry).
    """

    document: Mapping[str, Any] | None
    managed: bool
    key: str
    source: iam.CfnPolicy | iam.CfnManagedPolicy | None = None
    label: str = ""

    @property
    def name(self) -> str:
        """The policy's construct path (only for messages: each lookup is a jsii call)."""
        return _policy_name(self.source) if self.source is not None else self.label


@dataclass(frozen=True)
class _Scan:
    """A stack's policies.

    Attributes:
        by_role: a role (its resolved name or reference) -> the policies that name it.
        managed: every managed policy of the stack, by its resolved ARN.
    """

    by_role: dict[str, list[_Attached]]
    managed: dict[str, _Attached]

    def attached_to(self, role_keys: set[str]) -> list[_Attached]:
        """The policies naming the role by one of ``role_keys`` (each policy once)."""
        found: dict[str, _Attached] = {}
        for key in sorted(role_keys):
            for attached in self.by_role.get(key, []):
                found.setdefault(attached.key, attached)
        return list(found.values())


class _StackPolicies:
    """The policies of one stack by the role they name, scanned once per validation pass.

    The stack's validation runs before those of the roles inside it (the CDK validates
    the tree top-down), so it scans once and each role reads that scan once; a role
    validated on its own (``role.node.validate()``) scans afresh.
    """

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self._roles: list[int] = []
        self._scan = _Scan({}, {})
        self._unread: set[int] = set()

    @property
    def stack(self) -> Stack:
        return self._stack

    def add_role(self, role: iam.Role) -> None:
        self._roles.append(id(role))

    def refresh(self) -> None:
        self._scan = self.scan()
        self._unread = set(self._roles)

    def scan_for(self, role: iam.Role) -> _Scan:
        """This pass's scan, or a fresh one when the role was validated on its own."""
        if id(role) in self._unread:
            self._unread.discard(id(role))
            return self._scan
        return self.scan()

    def scan(self) -> _Scan:
        """Every inline policy that names a role, and every managed policy."""
        stack = self._stack
        candidates = [
            construct
            for construct in stack.node.find_all()
            if isinstance(construct, iam.CfnPolicy | iam.CfnManagedPolicy)
        ]
        # One resolve for all (each jsii call costs; a stack may hold hundreds of roles).
        # By position, in an object: resolving drops what is undefined (a policy's roles).
        named = stack.resolve({str(n): c.roles for n, c in enumerate(candidates)})
        kept = [
            (construct, roles if isinstance(roles, list) else [])
            for construct, roles in (
                (construct, named.get(str(n))) for n, construct in enumerate(candidates)
            )
            if isinstance(construct, iam.CfnManagedPolicy) or (isinstance(roles, list) and roles)
        ]
        # Keyed, not listed: an empty document resolves to nothing and would shift a list.
        resolved = stack.resolve(
            {str(n): {"ref": c.ref, "document": c.policy_document}
             for n, (c, _) in enumerate(kept)}
        )
        scan = _Scan({}, {})
        for n, (construct, roles) in enumerate(kept):
            document, ref = resolved[str(n)].get("document"), resolved[str(n)]["ref"]
            entry = _Attached(
                document=document if isinstance(document, dict) else {},
                managed=isinstance(construct, iam.CfnManagedPolicy),
                key=policy.intrinsic_key(ref),
                source=construct,
            )
            if entry.managed:
                scan.managed[entry.key] = entry
            for role in roles:
                scan.by_role.setdefault(policy.intrinsic_key(role), []).append(entry)
        return scan


def _policy_name(construct: iam.CfnPolicy | iam.CfnManagedPolicy) -> str:
    # The L2 policy (".../DefaultPolicy") rather than its L1 (".../DefaultPolicy/Resource").
    parent = construct.node.scope
    if construct.node.id == "Resource" and parent is not None:
        return parent.node.path
    return construct.node.path


#: Each stack's policy index, keyed by the stack object itself: never by its path or
#: ``node.addr``, which two apps in one process share.
_INDEXES: weakref.WeakKeyDictionary[Stack, _StackPolicies] = weakref.WeakKeyDictionary()


@jsii.implements(IValidation)
class _Refresh:
    """Scans the stack's policies at the start of each validation pass."""

    def __init__(self, index: _StackPolicies) -> None:
        self._index = index

    def validate(self) -> list[str]:
        self._index.refresh()
        return []


@jsii.implements(IValidation)
class _RoleLimits:
    """Fails synthesis when the role's policies, all together, break an IAM limit."""

    def __init__(self, role: iam.Role, index: _StackPolicies, own_arn: str) -> None:
        self._role = role
        self._index = index
        self._own_arn = own_arn

    def validate(self) -> list[str]:
        role = self._role
        stack = self._index.stack
        cfn_role = role.node.default_child
        assert isinstance(cfn_role, iam.CfnRole)
        own = stack.resolve(
            {
                "name": role.role_name,
                "ref": cfn_role.ref,
                "arn": role.role_arn,
                "policies": cfn_role.policies,
                "managed": cfn_role.managed_policy_arns,
            }
        )
        role_keys = {policy.intrinsic_key(own["name"]), policy.intrinsic_key(own["ref"])}
        scan = self._index.scan_for(role)
        attached = scan.attached_to(role_keys)
        # The L1 property resolves with the L1's own (camelCase) names, not CloudFormation's.
        inline = [
            _Attached(
                document=p.get("policyDocument") or p.get("PolicyDocument") or {},
                managed=False,
                key=f"Policies/{n}",
                label=(
                    f"{role.node.path} (its Policies: "
                    f"{p.get('policyName') or p.get('PolicyName')})"
                ),
            )
            for n, p in enumerate(own.get("policies") or [])
            if isinstance(p, dict)
        ]
        inline.extend(a for a in attached if not a.managed)
        managed = [a for a in attached if a.managed]
        for arn in own.get("managed") or []:
            key = policy.intrinsic_key(arn)
            if any(m.key == key for m in managed):
                continue  # attached both ways: IAM holds it once
            managed.append(
                scan.managed.get(key)
                or _Attached(None, managed=True, key=key, label=cfn.render_text(arn))
            )
        known = {policy.intrinsic_key(own["arn"]): self._own_arn}
        return _limit_problems(lambda: role.node.path, inline, managed, known)


def _limit_problems(
    role_path: Callable[[], str],
    inline: Sequence[_Attached],
    managed: Sequence[_Attached],
    known: Mapping[str, str],
) -> list[str]:
    """The role's breaches of IAM's per-role limits, each with its sizes and its fix.

    ``role_path`` is called only for a message (a jsii call for each role costs).
    """
    problems: list[str] = []
    how = (
        "measured without whitespace, with the longest partition, region and account and "
        f"each unresolved value as {policy.UNRESOLVED_SIZE} characters"
    )
    sizes = [(a, policy.document_size(a.document or {}, known)) for a in inline]
    total = sum(size for _, size in sizes)
    if total > policy.INLINE_POLICIES_LIMIT:
        parts = ", ".join(f"{a.name} {size:,}" for a, size in sizes)
        default = [a.name for a in inline if a.name.endswith("/DefaultPolicy")]
        if default:
            fix = (
                f"grants added with bucket.grant_*, role.add_to_policy(...) and the like go "
                f"into the inline DefaultPolicy ({default[0]}): put them in a managed policy "
                "instead (iam.ManagedPolicy(scope, id, statements=[...], roles=[role])), or "
                "grant on fewer resources"
            )
        else:
            fix = (
                "attach the added permissions as a managed policy (iam.ManagedPolicy) instead "
                "of an inline one, or grant on fewer resources"
            )
        problems.append(
            f"role {role_path()}: its inline policies total {total:,} characters, over IAM's "
            f"{policy.INLINE_POLICIES_LIMIT:,} for all inline policies of a role together "
            f"({parts}; {how}). Fix: {fix}"
        )
    for attached in managed:
        if attached.document is None:
            continue  # defined elsewhere (AWS managed, imported): sized where it is defined
        size = policy.document_size(attached.document, known)
        if size > policy.MANAGED_POLICY_LIMIT:
            problems.append(
                f"role {role_path()}: its managed policy {attached.name} is {size:,} "
                f"characters, over IAM's {policy.MANAGED_POLICY_LIMIT:,} per managed policy "
                f"({how}). Fix: split its statements over several managed policies, or grant "
                "on fewer resources"
            )
    if len(managed) > policy.MANAGED_POLICIES_PER_ROLE:
        names = ", ".join(a.name for a in managed)
        problems.append(
            f"role {role_path()}: {len(managed)} managed policies are attached to it, over "
            f"IAM's {policy.MANAGED_POLICIES_PER_ROLE} per role ({names}). Fix: merge "
            "the added ones into one iam.ManagedPolicy, or move permissions to another role"
        )
    return problems


def check_at_synthesis(role: iam.Role, *, own_arn: str) -> None:
    """Check ``role`` against IAM's per-role limits when its stack is synthesized.

    Args:
        role: the role; what is attached to it later is counted too.
        own_arn: what the role's own ARN is measured as (as at construction).
    """
    stack = Stack.of(role)
    index = _INDEXES.get(stack)
    if index is None:
        index = _StackPolicies(stack)
        _INDEXES[stack] = index
        stack.node.add_validation(_Refresh(index))
    index.add_role(role)
    role.node.add_validation(_RoleLimits(role, index, own_arn))
