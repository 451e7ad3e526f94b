"""The job-role scenarios synthesized: reviewed snapshots, stable logical ids, cdk-nag
AwsSolutions and cfn-lint clean, and what a real IAM engine allows each role.

They are SCENARIOS' kin (tests/support/scenarios.py: JOB_ROLE_SCENARIOS), kept apart so
that the existing scenarios' snapshots do not change.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from iamsim import Request
from support.cfn import ACCOUNT, REGION, Resolver, identity_policies, synthesized_resolver
from support.lint import cfn_lint
from support.scenarios import JOB_ROLE_SCENARIOS
from support.tables import PRINCIPAL, SAGEMAKER, assert_all, decide, pass_role, role_id_of

ACKNOWLEDGED = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
IDENTITY_TYPES = ("AWS::IAM::Role",)


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    """Scenario name -> its synthesized template."""
    return {
        name: Template.from_stack(scenario.build()).to_json()
        for name, scenario in JOB_ROLE_SCENARIOS.items()
    }


@pytest.fixture(scope="module")
def resolvers(templates: dict[str, dict[str, Any]]) -> dict[str, Resolver]:
    return {name: synthesized_resolver(template) for name, template in templates.items()}


@pytest.mark.parametrize("name", sorted(JOB_ROLE_SCENARIOS))
def test_template_matches_the_reviewed_snapshot(
    name: str, templates: dict[str, dict[str, Any]], snapshot: SnapshotAssertion
) -> None:
    """GIVEN a job-role scenario WHEN synthesized THEN the template equals its snapshot."""
    assert templates[name] == snapshot.use_extension(JSONSnapshotExtension)


def test_role_identities_are_stable(
    templates: dict[str, dict[str, Any]], snapshot: SnapshotAssertion
) -> None:
    """GIVEN every job-role scenario WHEN synthesized THEN each role keeps its logical id
    (derived from its step's name: renaming a step replaces its role, nothing else does)."""
    identities = {
        name: sorted(
            logical_id for logical_id, resource in template["Resources"].items()
            if resource["Type"] in IDENTITY_TYPES
        )
        for name, template in templates.items()
    }
    assert identities == snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("name", sorted(JOB_ROLE_SCENARIOS))
def test_no_unacknowledged_nag_findings(name: str, tmp_path: Any) -> None:
    """GIVEN a job-role scenario WHEN synthesized under AwsSolutions THEN synthesis succeeds,
    each wildcard acknowledged on its own, with a reason."""
    app = cdk.App(outdir=str(tmp_path))
    stack = JOB_ROLE_SCENARIOS[name].build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    acknowledgments = [
        entry.data
        for construct in stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == ACKNOWLEDGED
    ]
    assert acknowledgments, "job roles have deliberate wildcards to acknowledge"
    for batch in acknowledgments:
        for rule_id, reason in batch.items():
            assert rule_id.startswith("AwsSolutions::AwsSolutions-IAM5[Resource::"), rule_id
            assert len(reason) > 30, reason


@pytest.mark.parametrize("name", sorted(JOB_ROLE_SCENARIOS))
def test_cfn_lint_reports_nothing(name: str, templates: dict[str, dict[str, Any]]) -> None:
    """GIVEN a job-role scenario's template WHEN cfn-lint checks it THEN no finding."""
    matches = cfn_lint(json.dumps(templates[name]))
    assert [str(match) for match in matches] == []


# --- what each role may do (iam-simulate) ------------------------------------------------

BUCKET = f"arn:aws:s3:::ml-artifacts-{ACCOUNT}"
# An execution id of the form AWS shows (12 lower-case letters and digits).
EXECUTION = "x1y2z3a4b5c6"


def _s3(action: str, key: str) -> Request:
    return Request(f"{action} {key}", PRINCIPAL, action, f"{BUCKET}/{key}")


def _logs(kind: str, stream: str) -> Request:
    arn = (f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/{kind}:log-stream:"
           f"{stream}")
    return Request(f"logs {kind} {stream}", PRINCIPAL, "logs:PutLogEvents", arn)


def _pull(repository: str) -> Request:
    arn = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repository}"
    return Request(f"pull {repository}", PRINCIPAL, "ecr:BatchGetImage", arn)


def _with_parameters(template: Any, values: dict[str, str]) -> Any:
    """``template`` with each ``{"Ref": parameter}`` replaced by its deployed value."""
    if isinstance(template, list):
        return [_with_parameters(item, values) for item in template]
    if isinstance(template, dict):
        if set(template) == {"Ref"} and template["Ref"] in values:
            return values[template["Ref"]]
        return {key: _with_parameters(item, values) for key, item in template.items()}
    return template


TRAIN_JOB = f"pipelines-{EXECUTION}-TrainModel-abc123"
EVALUATE_JOB = f"pipelines-{EXECUTION}-EvaluateModel-abc123"
PREPROCESS_JOB = f"pipelines-{EXECUTION}-PreprocessData-abc123"


def test_each_step_role_allows_its_own_job(resolvers: dict[str, Resolver]) -> None:
    """GIVEN per-step roles of the training pipeline WHEN each job acts THEN its inputs (the
    outputs of the step its input comes from), outputs, image and logs are allowed."""
    resolver = resolvers["job_roles_per_step"]
    allowed = {
        "JobRolesStepTrainModel": [
            _s3("s3:GetObject", f"fraud/{EXECUTION}/train/part-0.csv"),
            _s3("s3:PutObject", f"fraud-train/{TRAIN_JOB}/output/model.tar.gz"),
            _logs("TrainingJobs", f"{TRAIN_JOB}/algo-1"),
        ],
        "JobRolesStepEvaluateModel": [
            _s3("s3:GetObject", f"fraud-train/{TRAIN_JOB}/output/model.tar.gz"),
            _s3("s3:GetObject", "fraud/test/part-0.csv"),
            _s3("s3:PutObject", "fraud/evaluation/evaluation.json"),
            _logs("ProcessingJobs", f"{EVALUATE_JOB}/algo-1"),
        ],
    }
    for construct_id, requests in allowed.items():
        role = role_id_of(resolver, construct_id)
        assert_all(decide(resolver, requests, role_id=role), "Allowed")


def test_no_step_role_reaches_another_steps_data(resolvers: dict[str, Resolver]) -> None:
    """GIVEN per-step roles WHEN a job reaches for what only another step uses THEN denied:
    the training job cannot write the evaluation or read the evaluation script, the
    evaluation cannot write the model or the training data, nor write another step's logs."""
    resolver = resolvers["job_roles_per_step"]
    denied = {
        "JobRolesStepTrainModel": [
            _s3("s3:PutObject", "fraud/evaluation/evaluation.json"),
            _s3("s3:GetObject", "code/evaluate.py"),
            _s3("s3:PutObject", f"fraud/{EXECUTION}/train/part-0.csv"),
            _logs("ProcessingJobs", f"{EVALUATE_JOB}/algo-1"),
            _logs("TrainingJobs", f"pipelines-{EXECUTION}-OtherStep-abc123/algo-1"),
        ],
        "JobRolesStepEvaluateModel": [
            _s3("s3:PutObject", f"fraud-train/{TRAIN_JOB}/output/model.tar.gz"),
            _s3("s3:PutObject", "fraud/test/part-0.csv"),
            _s3("s3:GetObject", "code/preprocess.py"),
            _logs("ProcessingJobs", f"{PREPROCESS_JOB}/algo-1"),
        ],
    }
    for construct_id, requests in denied.items():
        role = role_id_of(resolver, construct_id)
        assert_all(decide(resolver, requests, role_id=role), "ImplicitlyDenied")


def test_the_execution_role_passes_exactly_the_job_roles_to_sagemaker(
    resolvers: dict[str, Resolver],
) -> None:
    """GIVEN the execution role of a definition with job roles WHEN it passes roles THEN
    each job role to SageMaker is allowed; to another service, and the definition's own
    roles, denied."""
    resolver = resolvers["job_roles_per_step"]
    execution = role_id_of(resolver, "PipelineExecutionRole")
    job_roles = [role_id_of(resolver, f"JobRolesStep{step}") for step in (
        "PreprocessData", "TrainModel", "EvaluateModel", "CreateFraudModel")]
    arns = [f"arn:aws:iam::{ACCOUNT}:role/{resolver.role_name(r)}" for r in job_roles]
    assert_all(decide(resolver, [pass_role(arn, SAGEMAKER) for arn in arns],
                      role_id=execution), "Allowed")
    old = [f"arn:aws:iam::{ACCOUNT}:role/{name}" for name in (
        "FraudProcessingRole", "FraudTrainingRole", "FraudModelRole")]
    elsewhere = [pass_role(arn, "ec2.amazonaws.com") for arn in arns]
    assert_all(decide(resolver, [pass_role(arn, SAGEMAKER) for arn in old] + elsewhere,
                      role_id=execution), "ImplicitlyDenied")


def test_the_settings_role_allows_its_values_and_nothing_beside(
    templates: dict[str, dict[str, Any]],
) -> None:
    """GIVEN the JobRole of CloudFormation values (parameters resolved as deployed) WHEN
    its job reads, writes, pulls and uses its key THEN allowed; other prefixes, buckets and
    repositories denied."""
    deployed = {"DataBucket": "ml-data-111122223333", "ModelBucket": "ml-models-111122223333",
                "Repository": "fraud-training", "SubnetA": "subnet-0a1b2c3d",
                "SubnetB": "subnet-1a2b3c4d", "SecurityGroup": "sg-0a1b2c3d",
                "KeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{'1' * 8}-2222-3333-4444-{'5' * 12}"}
    resolver = synthesized_resolver(_with_parameters(templates["job_role_from_settings"],
                                                     deployed))
    role = role_id_of(resolver, "TrainingJobRole")
    bucket = f"arn:aws:s3:::{deployed['DataBucket']}"
    models = f"arn:aws:s3:::{deployed['ModelBucket']}"

    def request(action: str, resource: str) -> Request:
        return Request(f"{action} {resource}", PRINCIPAL, action, resource)

    allowed = [
        request("s3:GetObject", f"{bucket}/fraud/train/part-0.csv"),
        request("s3:PutObject", f"{models}/fraud/models/fraud-1/model.tar.gz"),
        request("s3:GetObject", f"{BUCKET}/fraud/validation/part-0.csv"),
        _pull("fraud-training"),
        Request("eni in subnet", PRINCIPAL, "ec2:CreateNetworkInterface",
                f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{deployed['SubnetA']}"),
    ]
    denied = [
        request("s3:GetObject", f"{bucket}/fraud/test/part-0.csv"),
        request("s3:PutObject", f"{bucket}/fraud/train/part-0.csv"),
        request("s3:GetObject", f"{models}/fraud/models/fraud-1/model.tar.gz"),
        _pull("other-training"),
        Request("eni in other subnet", PRINCIPAL, "ec2:CreateNetworkInterface",
                f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-9f9f9f9f"),
    ]
    assert_all(decide(resolver, allowed, role_id=role), "Allowed")
    assert_all(decide(resolver, denied, role_id=role), "ImplicitlyDenied")
    # A key's use also needs its key policy, which the simulator cannot see: the grant.
    (document,) = identity_policies(resolver, role)
    keys = [s for s in document["Statement"] if s["Sid"].startswith("JobKeysFor")]
    assert {s["Sid"] for s in keys} == {"JobKeysForVolumes", "JobKeysForOutputs"}
    assert {s["Resource"] for s in keys} == {deployed["KeyArn"]}


@pytest.mark.parametrize("mode", ["per-step", "shared"])
def test_the_sample_app_with_job_roles_passes_nag_and_cfn_lint(tmp_path: Any, mode: str) -> None:
    """GIVEN the sample app with a definition and its job roles WHEN synthesized under
    AwsSolutions THEN synthesis succeeds and cfn-lint finds nothing."""
    from app import build_app
    from support.scenarios import DEFINITIONS, sample_context

    context = sample_context(pipeline_definition=str(DEFINITIONS / "tuning_transform_foreach.json"),
                             job_roles=mode)
    app = build_app(context, outdir=str(tmp_path))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()
    for stack in assembly.stacks:
        matches = cfn_lint(json.dumps(stack.template))
        assert [str(match) for match in matches] == [], stack.stack_name
