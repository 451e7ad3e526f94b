"""Read synthesized CloudFormation templates as AWS would see them after deployment.

Only what the library emits is resolved: ``Ref`` to pseudo parameters and to roles,
``Fn::GetAtt <Role>.Arn`` and ``Fn::Join``. Anything else fails loudly, so a template
that starts using another intrinsic cannot be evaluated silently wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ACCOUNT = "111122223333"
REGION = "us-east-1"
PARTITION = "aws"


@dataclass(frozen=True)
class Resolver:
    """Resolves intrinsics of one template in one account and region."""

    template: Mapping[str, Any]
    account: str = ACCOUNT
    region: str = REGION
    partition: str = PARTITION

    def role_name(self, logical_id: str) -> str:
        properties = self.template["Resources"][logical_id].get("Properties", {})
        return str(properties.get("RoleName", logical_id))

    def role_arn(self, logical_id: str) -> str:
        properties = self.template["Resources"][logical_id].get("Properties", {})
        path = properties.get("Path", "/")
        return f"arn:{self.partition}:iam::{self.account}:role{path}{self.role_name(logical_id)}"

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self._ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            resource_type = self.template["Resources"][logical_id]["Type"]
            if (resource_type, attribute) != ("AWS::IAM::Role", "Arn"):
                raise AssertionError(f"cannot resolve GetAtt {logical_id}.{attribute}")
            return self.role_arn(logical_id)
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(part)) for part in parts)
        if any(key.startswith("Fn::") for key in value):
            raise AssertionError(f"unexpected intrinsic {sorted(value)}")
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
        }
        if name in pseudo:
            return pseudo[name]
        resource = self.template["Resources"][name]
        if resource["Type"] == "AWS::IAM::Role":
            return self.role_name(name)
        raise AssertionError(f"cannot resolve Ref {name} ({resource['Type']})")


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
