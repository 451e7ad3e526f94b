"""Each finding id of the review against its own definition (report.RULES): per id, the
templates that must raise it and their nearest innocent neighbours that must not. A finding
id added to RULES without cases here fails."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app import ACCEPT_FILE, build_app, synth_with_report
from sm_pipeline_iam.core.notices import ANY_VALUE_METADATA
from sm_pipeline_iam.review.assembly import StackTemplate
from sm_pipeline_iam.review.report import (
    RULES,
    has_findings,
    read_acceptances,
    review_assembly,
    review_stack,
)
from support.scenarios import sample_context

ACCOUNT = "111122223333"
#: The partition as CDK writes it into every ARN of an environment-agnostic stack.
PARTITION: dict[str, Any] = {"Ref": "AWS::Partition"}
BOUND_TRUST = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def _arn(*parts: Any) -> dict[str, Any]:
    """``arn:${AWS::Partition}:<parts>`` as an Fn::Join, as CDK synthesizes it."""
    return {"Fn::Join": ["", ["arn:", PARTITION, ":", *parts]]}


def _allow(resource: Any, action: str = "s3:GetObject", **more: Any) -> dict[str, Any]:
    return {"Sid": "Case", "Effect": "Allow", "Action": action, "Resource": resource, **more}


def _role(trust_condition: dict[str, Any] | None = BOUND_TRUST, **properties: Any
          ) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole",
                                 "Principal": {"Service": "sagemaker.amazonaws.com"}}
    if trust_condition is not None:
        statement["Condition"] = trust_condition
    return {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        **properties}}


def _with_statements(*statements: dict[str, Any], policy_type: str = "AWS::IAM::Policy"
                     ) -> dict[str, Any]:
    """A role with ``statements`` in a policy of ``policy_type`` attached to it."""
    policy: dict[str, Any] = {"PolicyDocument": {"Version": "2012-10-17",
                                                 "Statement": list(statements)}}
    if policy_type == "AWS::IAM::RolePolicy":
        policy |= {"PolicyName": "p", "RoleName": {"Ref": "Principal"}}
    else:
        policy |= {"PolicyName": "p", "Roles": [{"Ref": "Principal"}]}
        if policy_type == "AWS::IAM::ManagedPolicy":
            del policy["PolicyName"]
    return {"Principal": _role(), "Policy": {"Type": policy_type, "Properties": policy}}


def _scp(statements: int) -> dict[str, Any]:
    return {"Scp": {"Type": "AWS::Organizations::Policy", "Properties": {
        "Name": "scp", "Type": "SERVICE_CONTROL_POLICY", "TargetIds": [],
        "Content": {"Version": "2012-10-17", "Statement": [
            {"Sid": f"Deny{n}", "Effect": "Deny", "Action": "s3:*",
             "Resource": f"arn:aws:s3:::{'b' * 60}{n}/*"} for n in range(statements)]}}}}


def _objects(count: int) -> list[str]:
    """``count`` object ARNs of 100 characters each (a policy about 105 per ARN)."""
    return [f"arn:aws:s3:::bucket/{'k' * 77}{n:03d}" for n in range(count)]


@dataclass(frozen=True)
class Case:
    """Resources of one stack, and whether reviewing it must raise the finding id."""

    label: str
    resources: dict[str, Any]
    raises: bool


def _pair(label: str, offending: dict[str, Any], innocent: dict[str, Any]) -> list[Case]:
    return [Case(label, offending, True), Case(f"{label}, innocent", innocent, False)]


CASES: dict[str, list[Case]] = {
    "adminPolicyAttached": [
        *_pair("AdministratorAccess by its partition-neutral ARN",
               {"Principal": _role(ManagedPolicyArns=[
                   _arn("iam::aws:policy/AdministratorAccess")])},
               # The same name, but a customer managed policy of the account.
               {"Principal": _role(ManagedPolicyArns=[
                   _arn(f"iam::{ACCOUNT}:policy/AdministratorAccess")])}),
        *_pair("AmazonSageMakerFullAccess",
               {"Principal": _role(ManagedPolicyArns=[
                   "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"])},
               {"Principal": _role(ManagedPolicyArns=[
                   "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"])}),
    ],
    "anyValueParameter": _pair(
        "a parameter recorded as allowed any value",
        {"Principal": _role() | {"Metadata": {ANY_VALUE_METADATA: [
            {"Parameter": "InputDataUrl", "Grants": ["s3://*/*"]}]}}},
        {"Principal": _role() | {"Metadata": {ANY_VALUE_METADATA: []}}},
    ),
    "noConfusedDeputyCondition": [
        *_pair("no condition",
               {"Principal": _role(None)}, {"Principal": _role(BOUND_TRUST)}),
        *_pair("a negated test of aws:SourceAccount",
               {"Principal": _role({"StringNotEquals": {"aws:SourceAccount": ACCOUNT}})},
               {"Principal": _role({"StringEquals": {"AWS:SOURCEACCOUNT": ACCOUNT}})}),
        *_pair("an IfExists test of aws:SourceArn",
               {"Principal": _role({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:*"}})},
               {"Principal": _role({"ArnLike": {"aws:SourceArn": "arn:aws:*"}})}),
        *_pair("a Null test of aws:SourceOrgID",
               {"Principal": _role({"Null": {"aws:SourceOrgID": "false"}})},
               {"Principal": _role({"StringEquals": {"aws:SourceOrgID": "o-a1b2c3d4e5"}})}),
        *_pair("a ForAllValues test of aws:SourceOrgPaths",
               {"Principal": _role({"ForAllValues:StringLike": {
                   "aws:SourceOrgPaths": "o-a1b2c3d4e5/*"}})},
               {"Principal": _role({"ForAnyValue:StringLike": {
                   "aws:SourceOrgPaths": "o-a1b2c3d4e5/*"}})}),
    ],
    "notAction": _pair(
        "Allow with NotAction",
        _with_statements({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
        _with_statements({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),
    ),
    "notResource": _pair(
        "Allow with NotResource",
        _with_statements({"Effect": "Allow", "Action": "s3:GetObject",
                          "NotResource": "arn:aws:s3:::secrets/*"}),
        _with_statements({"Effect": "Deny", "Action": "s3:GetObject",
                          "NotResource": "arn:aws:s3:::secrets/*"}),
    ),
    "policyOverLimit": [
        # A role's inline policies together: 10,240 characters.
        *_pair("inline policies over 10,240",
               _with_statements(_allow(_objects(100))), _with_statements(_allow(_objects(90)))),
        *_pair("an inline AWS::IAM::RolePolicy over 10,240",
               _with_statements(_allow(_objects(100)), policy_type="AWS::IAM::RolePolicy"),
               _with_statements(_allow(_objects(90)), policy_type="AWS::IAM::RolePolicy")),
        # A managed policy: 6,144 characters.
        *_pair("a managed policy over 6,144",
               _with_statements(_allow(_objects(60)), policy_type="AWS::IAM::ManagedPolicy"),
               _with_statements(_allow(_objects(55)), policy_type="AWS::IAM::ManagedPolicy")),
    ],
    "scpOverLimit": _pair("an SCP over 5,120", _scp(37), _scp(36)),
    "unscopedGrant": [
        *_pair("an action with a resource type on '*'",
               _with_statements(_allow("*")),
               _with_statements(_allow(_arn("s3:::bucket/key")))),
        *_pair("an action without a resource type on '*', in another case",
               _with_statements(_allow("*", "s3:GetObject")),
               _with_statements(_allow("*", "ECR:getAuthorizationToken"))),
        *_pair("NotAction on '*'",
               _with_statements({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
               _with_statements({"Effect": "Allow", "NotAction": "iam:*",
                                 "Resource": "arn:aws:s3:::bucket/key"})),
    ],
    "wildcardResource": [
        *_pair("every ECR repository",
               _with_statements(_allow(_arn("ecr:*:*:repository/*"), "ecr:BatchGetImage")),
               _with_statements(_allow(_arn("ecr:*:*:repository/sagemaker-xgboost"),
                                       "ecr:BatchGetImage"))),
        *_pair("every stream of a named log group",
               _with_statements(_allow(_arn(
                   "logs:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                   ":log-group:/aws/sagemaker/TrainingJobs:log-stream:*"), "logs:PutLogEvents")),
               _with_statements(_allow(_arn(
                   "logs:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                   ":log-group:/aws/sagemaker/TrainingJobs:log-stream:fraud-*/*"),
                   "logs:PutLogEvents"))),
        # A log group's own ARN, as IAM writes it, ends in ':*'.
        *_pair("every log group",
               _with_statements(_allow(f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*",
                                       "logs:CreateLogGroup")),
               _with_statements(_allow(
                   f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs:*",
                   "logs:CreateLogGroup"))),
        *_pair("every Experiments trial",
               _with_statements(_allow(_arn(
                   "sagemaker:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                   ":experiment-trial/*"), "sagemaker:CreateTrial")),
               _with_statements(_allow(_arn(
                   "sagemaker:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                   ":experiment-trial/fraud-*"), "sagemaker:CreateTrial"))),
        *_pair("any object of any bucket",
               _with_statements(_allow("arn:aws:s3:::*/*")),
               _with_statements(_allow("arn:aws:s3:::*/evaluation/*"))),
        *_pair("every object of a named bucket",
               _with_statements(_allow(_arn("s3:::", {"Ref": "Bucket"}, "/*"))),
               _with_statements(_allow(_arn("s3:::", {"Ref": "Bucket"}, "/evaluation/*")))),
        *_pair("an ARN cut short by its wildcard",
               _with_statements(_allow("arn:aws:s3:*")),
               _with_statements(_allow("arn:aws:s3:::bucket"))),
        *_pair("under NotAction",
               _with_statements({"Effect": "Allow", "NotAction": "iam:*",
                                 "Resource": "arn:aws:s3:::*"}),
               _with_statements({"Effect": "Deny", "NotAction": "iam:*",
                                 "Resource": "arn:aws:s3:::*"})),
    ],
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_finding_id_has_an_offending_and_an_innocent_case(rule: str) -> None:
    """GIVEN a finding id of the registry THEN this module builds at least one template that
    raises it and one near neighbour that does not."""
    cases = CASES.get(rule, [])
    assert {case.raises for case in cases} == {True, False}, f"no cases for {rule}"


def test_no_cases_for_finding_ids_that_do_not_exist() -> None:
    """GIVEN the cases THEN each names a finding id of the registry."""
    assert set(CASES) <= set(RULES)


@pytest.mark.parametrize(
    ("rule", "case"),
    [(rule, case) for rule, cases in sorted(CASES.items()) for case in cases],
    ids=lambda value: value.label if isinstance(value, Case) else value,
)
def test_each_case_raises_its_finding_exactly_when_it_offends(rule: str, case: Case) -> None:
    """GIVEN a template offending a finding's definition (or its innocent neighbour) WHEN
    reviewed THEN the finding is raised (or not), with the registry's severity."""
    review = review_stack(StackTemplate("Stack", {"Resources": case.resources}))
    raised = [f for f in review.findings if f.id == rule]
    assert bool(raised) is case.raises, [f.message for f in review.findings]
    assert all(f.severity == RULES[rule][0] for f in raised)


@pytest.mark.parametrize("kind", ["User", "Group"])
def test_statement_findings_apply_to_users_and_groups(kind: str) -> None:
    """GIVEN a user's or group's policy with a wildcard-only ARN behind the partition
    reference WHEN reviewed THEN the same wildcardResource finding as a role's."""
    resources = {
        "Principal": {"Type": f"AWS::IAM::{kind}", "Properties": {}},
        "Policy": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "p", f"{kind}s": [{"Ref": "Principal"}],
            "PolicyDocument": {"Statement": [_allow(_arn("ecr:*:*:repository/*"),
                                                    "ecr:BatchGetImage")]}}},
    }
    review = review_stack(StackTemplate("Stack", {"Resources": resources}))
    assert [(f.id, f.message) for f in review.findings] == [(
        "wildcardResource",
        "statement Case allows ecr:BatchGetImage on arn:${AWS::Partition}:ecr:*:*:repository/*",
    )]


def test_the_message_of_a_notaction_wildcard_says_every_action_but() -> None:
    """GIVEN NotAction on a wildcard-only ARN WHEN reviewed THEN the finding says what is
    allowed: every action but the listed ones."""
    review = review_stack(StackTemplate("Stack", {"Resources": _with_statements(
        {"Sid": "Wide", "Effect": "Allow", "NotAction": "iam:*",
         "Resource": "arn:aws:s3:::*"})}))
    assert [f.message for f in review.findings if f.id == "wildcardResource"] == [
        "statement Wide allows every action but iam:* on arn:aws:s3:::*"]


@pytest.fixture(scope="module")
def sample_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample app deploying the sample pipeline (its report written by the app)."""
    context = sample_context(pipeline_definition="samples/pipeline.json",
                             pipeline_name="sample-abalone",
                             parameter_values="InputDataUrl=s3://sm-pipeline-iam-sample-"
                             "111122223333/abalone/input")
    return synth_with_report(build_app(context, outdir=str(tmp_path_factory.mktemp("sample"))))


def test_the_sample_pipeline_findings_are_the_accepted_experiments_records(
    sample_pipeline: Path,
) -> None:
    """GIVEN the sample app deploying the sample pipeline WHEN reviewed THEN its findings are
    the execution role's Experiments records (trials and trial components, named only at
    run time), each accepted by samples/accept.json; nothing else."""
    reviews = review_assembly(sample_pipeline, acceptances=read_acceptances(ACCEPT_FILE))
    findings = [f for review in reviews for f in review.findings]
    assert sorted((f.id, f.message.rsplit(":", 1)[-1]) for f in findings) == [
        ("wildcardResource", "experiment-trial-component/*"),
        ("wildcardResource", "experiment-trial/*"),
    ]
    assert all(f.status == "accepted" for f in findings) and not has_findings(reviews)
    assert has_findings(review_assembly(sample_pipeline))
    report = (sample_pipeline / "sm-pipeline-iam-report.md").read_text()
    assert report.count("`wildcardResource` `PipelineIamStack/PipelineExecutionRole") == 2
    assert report.count("**accepted**: with pipeline_name") == 2
