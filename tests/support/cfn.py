"""Read synthesized CloudFormation templates as AWS would see them after deployment.

The intrinsics are resolved by :class:`sm_pipeline_iam.core.cfn.Resolver`, the one the
local deploy's read-back uses too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sm_pipeline_iam.core.cfn import PARTITION, REGION, Resolver

__all__ = ["ACCOUNT", "REGION", "Resolver", "identity_policies", "resources_of_type",
           "synthesized_resolver"]

ACCOUNT = "111122223333"


def synthesized_resolver(template: Mapping[str, Any], stack_name: str = "Scenario") -> Resolver:
    """A resolver for a synthesized (not deployed) template: each role is named by its
    RoleName, else by its logical id."""
    physical_ids = {
        logical_id: str(resource.get("Properties", {}).get("RoleName", logical_id))
        for logical_id, resource in template["Resources"].items()
    }
    return Resolver(template, physical_ids, ACCOUNT, stack_name, REGION, PARTITION)


def resources_of_type(template: Mapping[str, Any], resource_type: str) -> dict[str, Any]:
    """Logical id -> resource, for every resource of ``resource_type``."""
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def identity_policies(resolver: Resolver, role_logical_id: str) -> list[dict[str, Any]]:
    """Every policy document attached to the role (inline and managed), resolved."""
    documents: list[dict[str, Any]] = []
    for policy_type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for resource in resources_of_type(resolver.template, policy_type).values():
            roles = resource["Properties"].get("Roles", [])
            if {"Ref": role_logical_id} in roles:
                documents.append(resolver.resolve(resource["Properties"]["PolicyDocument"]))
    role = resolver.template["Resources"][role_logical_id]["Properties"]
    for inline in role.get("Policies", []):
        documents.append(resolver.resolve(inline["PolicyDocument"]))
    return documents
