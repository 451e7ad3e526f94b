"""Logical ids are a contract: a changed role id or name replaces the role in production.

This snapshot holds only the identities of the roles (and SCPs) of every scenario and of
the sample app, so that a deliberate template change (a new statement) cannot slip a
replacement in with it: the template snapshots may be updated, this one almost never.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from app import build_app
from support.scenarios import sample_context, stacks_of

IDENTITY_TYPES = ("AWS::IAM::Role", "AWS::Organizations::Policy",
                  "AWS::CloudFormation::StackSet", "AWS::SageMaker::Pipeline")
#: The property that names each kind of resource (a changed name replaces it too).
NAME_PROPERTIES = ("RoleName", "Name", "PipelineName")
SAMPLE_DEFINITION = Path(__file__).resolve().parents[1] / "samples" / "pipeline.json"
SAMPLE_CONTEXTS = {
    "defaults": {},
    "org_and_teams": {"scp_targets": "ou-ab12-cdefgh34", "organization_id": "o-a1b2c3d4e5",
                      "vpc_endpoint_ids": "vpce-0a1b2c3d4e5f60718",
                      "teams": "rsch=Training,Model;analytics=Processing"},
    "sample_pipeline": {"pipeline_definition": str(SAMPLE_DEFINITION),
                        "pipeline_name": "sample-abalone"},
}


def _identities(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: {
            "type": resource["Type"],
            "name": next((resource["Properties"][key] for key in NAME_PROPERTIES
                          if key in resource["Properties"]), None),
        }
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] in IDENTITY_TYPES
    }


def test_scenario_identities_are_stable(
    synthesized: dict[str, dict[str, Any]], snapshot: SnapshotAssertion
) -> None:
    """GIVEN every scenario WHEN synthesized THEN its roles keep their logical ids."""
    identities = {name: _identities(template) for name, template in synthesized.items()}
    assert identities == snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("context", sorted(SAMPLE_CONTEXTS))
def test_sample_app_identities_are_stable(context: str, snapshot: SnapshotAssertion) -> None:
    """GIVEN the sample app WHEN synthesized THEN its stacks' roles keep their logical ids."""
    app = build_app(sample_context(**SAMPLE_CONTEXTS[context]))
    identities = {
        stack.stack_name: _identities(Template.from_stack(stack).to_json())
        for stack in stacks_of(app)
    }
    assert identities == snapshot.use_extension(JSONSnapshotExtension)
