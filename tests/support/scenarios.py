"""The snapshot and permission scenarios: one stack each, synthesized once per session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from sm_pipeline_iam import PipelineExecutionRole, StepType
from sm_pipeline_iam.steps import CATALOG

from .cfn import ACCOUNT, REGION

#: Job step types that need no caller-given resources: the ones a prefix scopes.
NAMED_STEP_TYPES = tuple(
    step_type
    for step_type, spec in CATALOG.items()
    if spec.creates_sagemaker_resources
    and not any(group.binding for group in spec.action_groups)
)

STEP_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/training-step-role"
JSON_GET_LOCATION = "s3://ml-artifacts-111122223333/evaluation"


@dataclass(frozen=True)
class Scenario:
    """A stack with one PipelineExecutionRole built with ``props``."""

    name: str
    props: Callable[[cdk.Stack], dict[str, Any]]

    def build(self) -> tuple[cdk.Stack, PipelineExecutionRole]:
        app = cdk.App()
        stack = cdk.Stack(
            app, "Scenario", env=cdk.Environment(account=ACCOUNT, region=REGION)
        )
        role = PipelineExecutionRole(stack, "PipelineExecutionRole", **self.props(stack))
        return stack, role


def _step_roles(stack: cdk.Stack) -> dict[str, Any]:
    return {
        "step_types": [StepType.PROCESSING, StepType.TRAINING],
        "job_prefix": "fraud",
        "step_roles": [iam.Role.from_role_arn(stack, "TrainingStepRole", STEP_ROLE_ARN)],
        "json_get_locations": [JSON_GET_LOCATION],
    }


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario("default_naming", lambda _: {"step_types": NAMED_STEP_TYPES}),
        Scenario(
            "custom_prefix", lambda _: {"step_types": NAMED_STEP_TYPES, "job_prefix": "fraud"}
        ),
        Scenario("step_roles_json_get", _step_roles),
        Scenario(
            "principal_tag",
            lambda _: {
                "step_types": [StepType.PROCESSING],
                "principal_tag": ("sm-pipeline-exception", "true"),
            },
        ),
    )
}



def sample_context(**overrides: str) -> dict[str, Any]:
    """cdk.json's context (what `cdk synth` passes to app.py), with ``overrides``."""
    import json
    from pathlib import Path

    cdk_json = Path(__file__).resolve().parents[2] / "cdk.json"
    context: dict[str, Any] = json.loads(cdk_json.read_text())["context"]
    return {**context, **overrides}
