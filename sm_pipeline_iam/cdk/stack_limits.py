"""CloudFormation's per-stack resource limit, checked when the stack is synthesized.

Roles are added one by one and a stack can grow after this library's constructs are made,
so the check is a construct validation (it runs at synthesis, on the final tree) and
fails synthesis with a clear error instead of producing a template CloudFormation
rejects.
"""

from __future__ import annotations

import jsii
from aws_cdk import CfnResource, Stack
from constructs import IValidation

#: CloudFormation quota: resources per stack.
RESOURCES_PER_STACK = 500

_GUARDED: set[str] = set()


@jsii.implements(IValidation)
class _ResourceLimit:
    def __init__(self, stack: Stack) -> None:
        self._stack = stack

    def validate(self) -> list[str]:
        count = sum(isinstance(c, CfnResource) for c in self._stack.node.find_all())
        if count <= RESOURCES_PER_STACK:
            return []
        return [
            f"stack {self._stack.stack_name} has {count} resources, over CloudFormation's "
            f"{RESOURCES_PER_STACK} per stack: put some of its roles in another stack (the "
            "sample app spreads teams over stacks of at most 200 teams)"
        ]


def guard_resource_limit(stack: Stack) -> None:
    """Check ``stack`` against the resource limit when it is synthesized (once per stack)."""
    if stack.node.addr not in _GUARDED:
        _GUARDED.add(stack.node.addr)
        stack.node.add_validation(_ResourceLimit(stack))
