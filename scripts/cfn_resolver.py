"""Resolve a CloudFormation template's intrinsics as CloudFormation would, offline.

Shared by the local deploy's read-back (with the deployed physical ids) and the tests
(with the ids a synthesized template implies). Only what the library emits is resolved:
``Ref`` to pseudo parameters and resources, ``Fn::GetAtt <Role>.Arn`` and ``Fn::Join``;
anything else fails loudly, so a template that starts using another intrinsic cannot be
evaluated silently wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REGION = "us-east-1"
PARTITION = "aws"


@dataclass
class Resolver:
    """Resolves a template's intrinsics as CloudFormation did in this deployment.

    Only what the app emits: ``Ref`` to pseudo parameters and to resources (their
    physical ids), ``Fn::GetAtt <Role>.Arn``, ``Fn::Join``; anything else fails loudly.
    """

    template: Mapping[str, Any]
    physical_ids: Mapping[str, str]
    account: str
    stack_name: str
    region: str = REGION
    partition: str = PARTITION

    def role_name(self, logical_id: str) -> str:
        """The role's name: its physical id."""
        return self.physical_ids.get(logical_id, f"<{logical_id} not deployed>")

    def role_arn(self, logical_id: str) -> str:
        path = self.template["Resources"][logical_id].get("Properties", {}).get("Path", "/")
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
                raise ValueError(f"cannot resolve GetAtt {logical_id}.{attribute}")
            return self.role_arn(logical_id)
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(part)) for part in parts)
        if any(key.startswith("Fn::") for key in value):
            raise ValueError(f"unexpected intrinsic {sorted(value)}")
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template["Resources"]:
            return self.physical_ids.get(name, f"<{name} not deployed>")
        raise ValueError(f"cannot resolve Ref {name}")
