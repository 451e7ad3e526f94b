"""The review report: golden files of the sample scenarios, findings, sizes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from app import ACCEPT_FILE, REPORT_FILE, build_app, synth_with_report
from sm_pipeline_iam.review.assembly import StackTemplate
from sm_pipeline_iam.review.report import (
    has_findings,
    read_acceptances,
    render,
    review_assembly,
    review_stack,
    to_json,
    to_markdown,
    unmatched_acceptances,
)
from support.golden import MarkdownSnapshot
from support.scenarios import sample_context

CONTEXTS = {
    "defaults": {},
    "org_and_teams": {
        "scp_targets": "ou-ab12-cdefgh34",
        "organization_id": "o-a1b2c3d4e5",
        "vpc_endpoint_ids": "vpce-0a1b2c3d4e5f60718",
        "teams": "rsch=Training,Model;analytics=Processing",
        "job_prefix": "fraud",
    },
}


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each sample context synthesized once, with its report written by the app."""
    return {
        name: synth_with_report(
            build_app(sample_context(**context), outdir=str(tmp_path_factory.mktemp(name)))
        )
        for name, context in CONTEXTS.items()
    }


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_report_matches_its_golden_file(
    name: str, assemblies: dict[str, Path], snapshot: SnapshotAssertion
) -> None:
    """GIVEN a sample scenario WHEN reviewed THEN the Markdown equals its golden file, and
    the app's validation plugin wrote the same review, with the sample's acceptances,
    next to the templates."""
    markdown = to_markdown(review_assembly(assemblies[name]))
    assert markdown == snapshot.use_extension(MarkdownSnapshot)
    acceptances = read_acceptances(ACCEPT_FILE)
    accepted = review_assembly(assemblies[name], acceptances=acceptances)
    assert (assemblies[name] / REPORT_FILE).read_text() == to_markdown(
        accepted, unmatched_acceptances(accepted, acceptances))


def test_sample_scenarios_have_no_findings(assemblies: dict[str, Path]) -> None:
    """GIVEN the sample scenarios WHEN reviewed THEN no finding."""
    for directory in assemblies.values():
        assert not has_findings(review_assembly(directory))


def test_json_holds_the_same_review(assemblies: dict[str, Path]) -> None:
    """GIVEN a review WHEN written as JSON THEN stacks, roles, SCP and sizes are there."""
    document = json.loads(to_json(review_assembly(assemblies["org_and_teams"])))
    stacks = {stack["name"]: stack for stack in document["stacks"]}
    assert sorted(stacks) == ["OrgStack", "PipelineIamStack"]
    scp, rcp = stacks["OrgStack"]["scps"]
    assert (scp["kind"], rcp["kind"]) == ("SCP", "RCP")
    assert scp["exempt_tag"] == "sm-pipeline-exception=true" and scp["size"] < scp["limit"]
    assert rcp["exempt_tag"] == "sm-pipeline-exception=true" and rcp["size"] < rcp["limit"]
    roles = stacks["PipelineIamStack"]["principals"]
    assert len(roles) == 3 and {role["kind"] for role in roles} == {"role"}
    assert all(role["tags"] == {"sm-pipeline-exception": "true"} for role in roles)


def _stack(resources: dict[str, Any]) -> StackTemplate:
    return StackTemplate("Bad", {"Resources": resources})


def _role(trust_condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "sagemaker.amazonaws.com"},
    }
    if trust_condition:
        statement["Condition"] = trust_condition
    return {"Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": {"Statement": [statement]}}}


def _policy(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Policy", "Properties": {
        "Roles": [{"Ref": "Role"}], "PolicyDocument": {"Statement": statements}}}


def test_findings_name_unscoped_grants_and_unconditioned_service_trust() -> None:
    """GIVEN a wildcard grant and a bare service trust WHEN reviewed THEN two findings."""
    review = review_stack(_stack({
        "Role": _role(),
        "Policy": _policy([{"Sid": "Wide", "Effect": "Allow", "Action": "s3:GetObject",
                            "Resource": "*"}]),
    }))
    messages = [f.message for f in review.findings]
    assert "statement Wide allows s3:GetObject on every resource ('*')" in messages
    assert any("without aws:SourceAccount or aws:SourceArn" in m for m in messages)


def test_no_resource_catalog_actions_on_star_are_not_findings() -> None:
    """GIVEN ListCandidatesForAutoMLJob on '*' WHEN reviewed THEN no finding (IAM gives it
    no resource type)."""
    review = review_stack(_stack({
        "Role": _role({"StringEquals": {"aws:SourceAccount": "111122223333"}}),
        "Policy": _policy([{"Effect": "Allow", "Action": "sagemaker:ListCandidatesForAutoMLJob",
                            "Resource": "*"}]),
    }))
    assert review.findings == []


def test_oversized_inline_policies_are_findings() -> None:
    """GIVEN 11,000 characters inline WHEN reviewed THEN a finding gives the total."""
    resources = [f"arn:aws:s3:::bucket/{'k' * 90}{n}" for n in range(100)]
    review = review_stack(_stack({
        "Role": _role({"StringEquals": {"aws:SourceAccount": "111122223333"}}),
        "Policy": _policy([{"Effect": "Allow", "Action": "s3:GetObject",
                            "Resource": resources}]),
    }))
    assert [f.message.split(" characters")[0] for f in review.findings] == [
        f"inline policies total {review.roles[0].policies[0].size}"
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"Ref": "AWS::Region"}, "${AWS::Region}"),
        ({"Fn::GetAtt": ["Role", "Arn"]}, "${Role.Arn}"),
        ({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b/*"]]},
         "arn:${AWS::Partition}:s3:::b/*"),
        ({"Fn::Sub": "x"}, '{"Fn::Sub": "x"}'),
        ({"Fn::ImportValue": "Shared-BucketArn"}, "${ImportValue:Shared-BucketArn}"),
    ],
)
def test_render_shows_intrinsics_readably(value: Any, text: str) -> None:
    """GIVEN an intrinsic WHEN rendered THEN a readable placeholder (unknown ones as JSON)."""
    assert render(value) == text


def test_the_synthesis_warnings_are_listed_with_their_ids(assemblies: dict[str, Path]) -> None:
    """GIVEN the sample app with teams (Training under a prefix) WHEN reviewed THEN the
    warnings raised at synthesis are listed, each with its id and construct path, in the
    JSON too, and they are not findings."""
    reviews = review_assembly(assemblies["org_and_teams"])
    ids = {(w.path, w.id) for review in reviews for w in review.warnings}
    role = "/PipelineIamStack/PipelineExecutionRole"
    assert (role, "sm-pipeline-iam:sdkIgnoresJobPrefix") in ids
    stacks = json.loads(to_json(reviews))["stacks"]
    assert any(w["id"] == "sm-pipeline-iam:sdkIgnoresJobPrefix" for s in stacks
               for w in s["warnings"])
    assert not has_findings(reviews)


def test_job_roles_raise_no_unscoped_grant_finding(tmp_path: Path) -> None:
    """GIVEN job roles derived from a definition (their ECR token, metrics and EC2 Describe
    calls have no resource type) WHEN reviewed THEN no unscopedGrant finding."""
    import aws_cdk as cdk

    from sm_pipeline_iam import PipelineJobRoles

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Jobs", env=cdk.Environment(account="111122223333",
                                                       region="us-east-1"))
    PipelineJobRoles(stack, "JobRoles", definition=Path(__file__).parent / "fixtures"
                     / "definitions" / "training_eval_register.json")
    app.synth()
    findings = [f for r in review_assembly(tmp_path, scope_all=True) for f in r.findings]
    assert [f for f in findings if f.id == "unscopedGrant"] == []
