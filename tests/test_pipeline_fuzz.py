"""Property-based: any props given to LeastPrivilegePipeline build a pipeline whose roles
hold no bare ``*`` beyond the actions IAM gives no resource type, or fail with the
documented errors only (``InvalidPropsError`` / ``DefinitionError``), with nothing made.

Seeded (derandomized) with a small budget: each valid example synthesizes a stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sm_pipeline_iam import DefinitionError, InvalidPropsError, LeastPrivilegePipeline
from sm_pipeline_iam.core.job_roles.policy import NO_RESOURCE_ACTIONS
from support.cfn import ACCOUNT, REGION

SETTINGS = settings(max_examples=25, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"
ANY = st.none() | st.booleans() | st.integers(-3, 300) | st.text(max_size=8) | st.lists(
    st.text(max_size=4), max_size=2)

PROPS = st.fixed_dictionaries(
    {
        "definition": st.sampled_from([
            DEFINITIONS / "training_eval_register.json",
            DEFINITIONS / "training_eval_register_prefixed.json",
            '{"Steps": []}', '{"Steps": [{"Name": "A", "Type": "Nope"}]}', "{", 5,
        ]),
        "pipeline_name": st.sampled_from(["fraud", "Fraud-2", "-x", "", "a" * 257]) | ANY,
    },
    optional={
        "per_step_roles": st.booleans() | ANY,
        "keep_roles_for": st.sampled_from([["TrainModel"], ["Nope"], "TrainModel"]) | ANY,
        "parameter_values": st.sampled_from([
            {"InputDataUrl": ["s3://ml-artifacts-111122223333/in"]}, {"InputDataUrl": "s3"},
            {"Nope": ["x"]}]) | ANY,
        "required_job_prefix": st.sampled_from(["fraud", "fr*", "pipelines"]) | ANY,
        "pipeline_display_name": ANY,
        "pipeline_description": ANY,
        "parallelism": ANY,
        "tags": st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2) | ANY,
        "definition_in_s3": ANY,
        "principal_tag": st.sampled_from([("k", "v"), ("k",), "k=v"]) | ANY,
        "role_name": ANY,
        "permission_boundary": ANY,
    },
)


def _bare_wildcard_actions(template: dict[str, Any]) -> set[str]:
    """Every action some policy of the template allows on a bare ``*``."""
    actions: set[str] = set()
    for resource in template["Resources"].values():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            targets = statement["Resource"]
            if "*" in (targets if isinstance(targets, list) else [targets]):
                action = statement["Action"]
                actions.update(action if isinstance(action, list) else [action])
    return actions


@SETTINGS
@given(PROPS)
def test_any_props_build_a_narrow_pipeline_or_fail_clearly(props: dict[str, Any]) -> None:
    stack = cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))
    try:
        LeastPrivilegePipeline(stack, "Pipeline", **props)
    except (InvalidPropsError, DefinitionError) as error:
        assert error.problems and all(p.message for p in error.problems)
        assert stack.node.try_find_child("Pipeline") is None, "a half-made pipeline"
        return
    template = Template.from_stack(stack).to_json()
    assert _bare_wildcard_actions(template) <= NO_RESOURCE_ACTIONS, json.dumps(props,
                                                                             default=str)
