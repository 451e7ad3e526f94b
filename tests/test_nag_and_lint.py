"""Best-practice checks on every synthesized stack: cdk-nag AwsSolutions and cfn-lint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks

from support.lint import CONFIG, cfn_lint
from support.scenarios import SCENARIOS, sample_context

ACKNOWLEDGED = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY


def _synth_with_nag(build: Any, outdir: str) -> cdk.Stack:
    """Build a stack in a fresh app that runs AwsSolutions; synthesis fails on findings."""
    app = cdk.App(outdir=outdir)
    stack = build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    return stack


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenarios_have_no_unacknowledged_nag_findings(name: str, tmp_path: Any) -> None:
    """GIVEN a scenario WHEN synthesized under AwsSolutions THEN synthesis succeeds."""
    stack = _synth_with_nag(SCENARIOS[name].build, str(tmp_path))
    acknowledgments = [
        entry.data
        for construct in stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == ACKNOWLEDGED
    ]
    assert acknowledgments, "the scenarios have deliberate wildcards to acknowledge"
    for batch in acknowledgments:
        for rule_id, reason in batch.items():
            # One finding per acknowledgment (RuleId[FindingId]), each with a reason.
            assert rule_id.startswith("AwsSolutions::AwsSolutions-IAM5[Resource::"), rule_id
            assert rule_id.endswith("]")
            assert len(reason) > 40


SAMPLE_CONTEXTS = {
    "defaults": {},
    "org-stack-and-teams": {"scp_targets": "ou-ab12-cdefgh34", "vpc_ids": "vpc-0123456789abcdef0",
                            "organization_id": "o-a1b2c3d4e5",
                            "teams": "rsch=Training,Model;analytics=Processing"},
    "stackset": {"stackset_ou_ids": "ou-ab12-cdefgh34", "stackset_regions": "us-east-1"},
    "sample-pipeline": {
        "pipeline_definition": str(Path(__file__).resolve().parents[1] / "samples"
                                   / "pipeline.json"),
        "pipeline_name": "sample-abalone",
        "parameter_values": "InputDataUrl=s3://sm-pipeline-iam-sample-111122223333/abalone/in",
    },
}


@pytest.mark.parametrize("context", sorted(SAMPLE_CONTEXTS))
def test_the_sample_app_passes_nag_and_cfn_lint(tmp_path: Any, context: str) -> None:
    """GIVEN the sample app WHEN synthesized under AwsSolutions THEN synthesis succeeds, and
    cfn-lint finds nothing in any template (a StackSet's body included)."""
    from app import build_app

    app = build_app(sample_context(**SAMPLE_CONTEXTS[context]), outdir=str(tmp_path))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()
    assert assembly.stacks
    for stack in assembly.stacks:
        templates = [json.dumps(stack.template)] + [
            resource["Properties"]["TemplateBody"]
            for resource in stack.template["Resources"].values()
            if resource["Type"] == "AWS::CloudFormation::StackSet"
        ]
        for template in templates:
            matches = cfn_lint(template)
            assert [str(match) for match in matches] == [], stack.stack_name


def test_canary_nag_checks_are_live(tmp_path: Any) -> None:
    """GIVEN a known-bad wildcard policy WHEN synthesized under AwsSolutions THEN it fails."""

    def bad(app: cdk.App) -> cdk.Stack:
        stack = cdk.Stack(app, "Canary")
        role = iam.Role(stack, "Bad", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
        role.add_to_policy(iam.PolicyStatement(actions=["sagemaker:*"], resources=["*"]))
        return stack

    with pytest.raises(Exception, match=r"AwsSolutions-IAM5\[Resource::\*\]"):
        _synth_with_nag(bad, str(tmp_path))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_cfn_lint_reports_nothing(name: str, synthesized: dict[str, dict[str, Any]]) -> None:
    """GIVEN a scenario's template WHEN cfn-lint checks it THEN no finding at all."""
    matches = cfn_lint(json.dumps(synthesized[name]))
    assert [str(match) for match in matches] == []


def test_cfn_lint_is_live() -> None:
    """GIVEN a template with an invalid property WHEN cfn-lint checks it THEN it reports it."""
    broken = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"Bogus": 1}}}}
    assert cfn_lint(json.dumps(broken))


def test_the_shared_cfn_lint_runner_finds_what_a_fresh_lint_finds(
    synthesized: dict[str, dict[str, Any]]
) -> None:
    """GIVEN templates with findings, linted after the scenarios by the suite's one runner
    (tests/support/lint.py) WHEN cfn-lint's own ``lint`` checks them afresh THEN the very
    same findings."""
    from cfnlint.api import ManualArgs, lint

    broken = [
        {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"Bogus": 1}}}},
        {"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "p", "Roles": [{"Ref": "Missing"}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": []}}}}},
        "{not json",
    ]
    for template in [json.dumps(t) for t in synthesized.values()]:
        cfn_lint(template)
    for case in broken:
        text = case if isinstance(case, str) else json.dumps(case)
        fresh = [str(m) for m in lint(text, config=ManualArgs(**CONFIG))]
        assert fresh
        assert [str(m) for m in cfn_lint(text)] == fresh
