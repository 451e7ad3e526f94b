"""Roles derived from the real-world corpus (tests/fixtures/corpus), evaluated by a real IAM
engine: every call the pipeline makes is allowed under the ARN SageMaker gives it (both
spellings where lower-casing is unconfirmed), and the neighbours are denied.

Each role is ``PipelineExecutionRole.from_definition`` of one corpus document, synthesized
in its own stack (111122223333 / us-east-1) and read with its intrinsics resolved, as
tests/test_definition_permissions.py does for the SDK fixtures.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from iamsim import Request
from sm_pipeline_iam import PipelineExecutionRole
from support.cfn import ACCOUNT, REGION, Resolver, synthesized_resolver
from support.tables import PRINCIPAL, SAGEMAKER, assert_all, decide, pass_role

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
OTHER_REGION = "us-west-2"
BUCKET = "ml-artifacts-111122223333"
EXECUTION_ID = "x1y2z3a4b5c6"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/{{}}"

#: Binding for the one corpus document with a parameter in a resource name.
BINDINGS: dict[str, dict[str, Any]] = {
    "user_builder": {"parameter_values": {"ModelGroup": ["fraud-models"]}},
}


def corpus_definition(name: str) -> str | Path:
    """The corpus document's path, or the definition string a DescribePipeline response
    holds (as tests/test_corpus.py reads them)."""
    path = CORPUS / f"{name}.json"
    if name == "describe_pipeline_response":
        definition: str = json.loads(path.read_text())["PipelineDefinition"]
        return definition
    return path


@cache
def _resolver(name: str) -> Resolver:
    stack = cdk.Stack(cdk.App(), "Corpus", env=cdk.Environment(account=ACCOUNT, region=REGION))
    PipelineExecutionRole.from_definition(
        stack, "PipelineExecutionRole", corpus_definition(name), **BINDINGS.get(name, {})
    )
    return synthesized_resolver(Template.from_stack(stack).to_json())


def _sm(action: str, resource: str, *, region: str = REGION) -> Request:
    arn = f"arn:aws:sagemaker:{region}:{ACCOUNT}:{resource}"
    return Request(f"{action} {arn}", PRINCIPAL, f"sagemaker:{action}", arn)


def _s3(action: str, path: str, **context: str) -> Request:
    arn = f"arn:aws:s3:::{path}"
    suffix = f" {context}" if context else ""
    return Request(f"{action} {arn}{suffix}", PRINCIPAL, f"s3:{action}",
                   arn, {f"s3:{k}": v for k, v in context.items()})


def _list(bucket: str, prefix: str | None) -> Request:
    """s3:ListBucket on ``bucket``, with ``s3:prefix`` when given."""
    return _s3("ListBucket", bucket) if prefix is None else _s3(
        "ListBucket", bucket, prefix=prefix)


def _check(name: str, allowed: list[Request], denied: list[Request]) -> None:
    resolver = _resolver(name)
    if allowed:
        assert_all(decide(resolver, allowed), "Allowed")
    assert_all(decide(resolver, denied), "ImplicitlyDenied")


# --- case 1: names given as expressions ------------------------------------------------
def _lineage(region: str = REGION) -> list[Request]:
    return [
        _sm("CreateAction", f"action/{EXECUTION_ID}", region=region),
        _sm("AddAssociation", f"action/{EXECUTION_ID}", region=region),
        _sm("AddTags", f"action/{EXECUTION_ID}", region=region),
        _sm("CreateContext", f"context/{EXECUTION_ID}", region=region),
        _sm("AddAssociation", f"context/{EXECUTION_ID}", region=region),
        _sm("AddTags", f"context/{EXECUTION_ID}", region=region),
    ]


def test_lineage_named_by_the_execution_id_is_allowed_in_the_account() -> None:
    """GIVEN ActionName/ContextName = the execution id WHEN the step records them THEN
    CreateAction, CreateContext and AddAssociation are allowed on that run's entities, in
    this account and region only."""
    allowed = [*_lineage(), _sm("CreateArtifact", "artifact/2b3c4d5e6f708192a3b4c5d6e7f80912")]
    denied = [*_lineage(OTHER_REGION), _sm("CreateEndpoint", f"endpoint/{EXECUTION_ID}")]
    _check("lineage_execution_names", allowed, denied)


# --- case 2: a JsonGet path with the execution id ---------------------------------------
def test_a_json_get_joined_with_the_execution_id_reads_that_folder_only() -> None:
    """GIVEN JsonGet s3://bucket/fraud/scores/<execution id>/summary.json WHEN the
    Condition reads it THEN GetObject there; other files, prefixes and buckets denied."""
    allowed = [_s3("GetObject", f"{BUCKET}/fraud/scores/{EXECUTION_ID}/summary.json")]
    denied = [
        _s3("GetObject", f"{BUCKET}/fraud/scores/{EXECUTION_ID}/other.json"),
        _s3("GetObject", f"{BUCKET}/raw/{EXECUTION_ID}/summary.json"),
        _s3("GetObject", f"other-bucket-111122223333/fraud/scores/{EXECUTION_ID}/summary.json"),
    ]
    _check("json_get_execution_join", allowed, denied)


# --- case 3: multi-algorithm tuning ----------------------------------------------------
def test_each_algorithm_s_role_may_be_passed_to_sagemaker_only() -> None:
    """GIVEN TrainingJobDefinitions[].RoleArn WHEN the tuning job starts THEN PassRole of
    each role to SageMaker; another role, or another service, denied."""
    allowed = [
        pass_role(ROLE.format("XgboostTrainingRole"), SAGEMAKER),
        pass_role(ROLE.format("LinearLearnerTrainingRole"), SAGEMAKER),
        _sm("CreateHyperParameterTuningJob",
            f"hyper-parameter-tuning-job/pipelines-{EXECUTION_ID}-tune"),
    ]
    denied = [
        pass_role(ROLE.format("XgboostTrainingRole"), "ec2.amazonaws.com"),
        pass_role(ROLE.format("LinearLearnerTrainingRole"), "lambda.amazonaws.com"),
        pass_role(ROLE.format("FraudTrainingRole"), SAGEMAKER),
        pass_role(ROLE.format("AdminRole"), SAGEMAKER),
    ]
    _check("multi_algorithm_tuning", allowed, denied)


# --- case 4: job-name properties in a JsonGet path ------------------------------------
@pytest.mark.parametrize(
    ("name", "folder", "jobs", "neighbours"),
    [
        (
            "job_name_property_default",
            "fraud/training",
            # pipelines-<execution id>-<step>-<suffix>, in either spelling.
            [f"pipelines-{EXECUTION_ID}-Train-AbCdEf0123",
             f"pipelines-{EXECUTION_ID}-train-abcdef0123"],
            [f"pipelines-{EXECUTION_ID}-Evaluate-AbCdEf0123", "other-job", "Train"],
        ),
        (
            "user_builder",
            "handmade/training",
            [f"fraud-{EXECUTION_ID}-abcdef0123", f"fraud-{EXECUTION_ID}"],
            ["fraud", f"other-{EXECUTION_ID}", f"pipelines-{EXECUTION_ID}-Train-AbCdEf0123"],
        ),
        (
            "sdk_v2_style",
            "fraud-v2/training",
            [f"fraud-{EXECUTION_ID}-abcdef0123"],
            ["fraud", f"other-{EXECUTION_ID}"],
        ),
    ],
)
def test_a_job_name_property_reads_under_the_job_s_own_folder(
    name: str, folder: str, jobs: list[str], neighbours: list[str]
) -> None:
    """GIVEN <output>/{Steps.Train.TrainingJobName}/output/metrics.json WHEN the Condition
    reads it THEN GetObject under the names the job can have (the prefix plus a suffix,
    or the default naming of step Train), never under the bare prefix or other jobs."""
    def metrics(job: str) -> Request:
        return _s3("GetObject", f"{BUCKET}/{folder}/{job}/output/metrics.json")

    denied = [metrics(job) for job in neighbours]
    denied.append(_s3("GetObject", f"{BUCKET}/{folder}/{jobs[0]}/output/model.tar.gz"))
    _check(name, [metrics(job) for job in jobs], denied)


# --- case 5: lower-case ARNs of model package groups --------------------------------
GROUP = "AbaloneModelPackageGroupName"


@pytest.mark.parametrize("name", ["abalone_register", "aws_evaluation_template_style"])
def test_a_mixed_case_group_is_allowed_under_both_spellings(name: str) -> None:
    """GIVEN group AbaloneModelPackageGroupName WHEN the step registers version 1 THEN
    model-package/abalonemodelpackagegroupname/1 (as the AWS guide shows it) and
    model-package/AbaloneModelPackageGroupName/1, and the group in both spellings; other
    groups denied."""
    allowed = [
        _sm(action, f"model-package/{group}/1")
        for action in ("CreateModelPackage", "DescribeModelPackage")
        for group in (GROUP, GROUP.lower())
    ] + [
        _sm(action, f"model-package-group/{group}")
        for action in ("CreateModelPackageGroup", "DescribeModelPackageGroup")
        for group in (GROUP, GROUP.lower())
    ]
    denied = [
        _sm("CreateModelPackage", "model-package/othermodelpackagegroup/1"),
        _sm("CreateModelPackage", "model-package/AbaloneModelPackageGroupNameV2/1"),
        _sm("CreateModelPackageGroup", "model-package-group/OtherModelPackageGroup"),
        _sm("CreateModelPackage", f"model-package/{GROUP.lower()}/1", region=OTHER_REGION),
    ]
    _check(name, allowed, denied)


def test_the_evaluation_template_s_other_calls_are_allowed() -> None:
    """GIVEN the AWS evaluation template's shape WHEN it runs THEN its jobs, roles, the
    property file and the lineage named by the execution id are allowed; neighbours
    denied."""
    allowed = [
        _sm("CreateProcessingJob", f"processing-job/pipelines-{EXECUTION_ID}-AbaloneProcess-a1"),
        _sm("CreateTrainingJob", f"training-job/pipelines-{EXECUTION_ID}-abalonetrain-a1"),
        _sm("CreateModel", f"model/pipelines-{EXECUTION_ID}-AbaloneCreateModel-a1"),
        _s3("GetObject", f"{BUCKET}/AbaloneEval/evaluation/evaluation.json"),
        pass_role(ROLE.format("FraudProcessingRole"), SAGEMAKER),
        pass_role(ROLE.format("FraudTrainingRole"), SAGEMAKER),
        pass_role(ROLE.format("FraudModelRole"), SAGEMAKER),
        *_lineage(),
    ]
    denied = [
        _sm("CreateProcessingJob", f"processing-job/pipelines-{EXECUTION_ID}-Other-a1"),
        _s3("GetObject", f"{BUCKET}/AbaloneEval/evaluation/other.json"),
        pass_role(ROLE.format("FraudTrainingRole"), "ec2.amazonaws.com"),
        *_lineage(OTHER_REGION),
    ]
    _check("aws_evaluation_template_style", allowed, denied)


# --- case 6: a NotebookJob's build time stamp ------------------------------------------
def test_a_rebuilt_notebook_job_is_still_allowed() -> None:
    """GIVEN TrainingJobName 'score-ipynb-2026-11-30-02-11-47-059' WHEN this build's job
    or a later build's (a new time stamp) runs THEN allowed; other notebooks denied."""
    jobs = [
        f"score-ipynb-2026-11-30-02-11-47-059-{EXECUTION_ID}",
        f"score-ipynb-2026-12-07-10-00-00-000-{EXECUTION_ID}",
    ]
    allowed = [
        _sm(action, f"training-job/{job}")
        for job in jobs
        for action in ("CreateTrainingJob", "DescribeTrainingJob", "StopTrainingJob", "AddTags")
    ] + [pass_role(ROLE.format("NotebookJobRole"), SAGEMAKER)]
    later = f"2026-12-07-10-00-00-000-{EXECUTION_ID}"
    denied = [
        _sm("CreateTrainingJob", f"training-job/other-ipynb-{later}"),
        _sm("CreateTrainingJob", f"training-job/scores-ipynb-{later}"),
        _sm("CreateTrainingJob", f"training-job/{jobs[1]}", region=OTHER_REGION),
        pass_role(ROLE.format("NotebookJobRole"), "ec2.amazonaws.com"),
    ]
    _check("notebook_job_timestamp", allowed, denied)


# --- case 7: prefixes from an SDK v2-style definition ---------------------------------
def test_the_sdk_v2_style_definition_s_jobs_are_allowed_in_both_spellings() -> None:
    """GIVEN SDK v2-style steps with the custom prefix (FraudPrep, fraud, AutoMLJo,
    fraud-model, group fraud-models) WHEN they run THEN their jobs (mixed-case prefixes in
    both spellings), roles and group are allowed; default naming and other prefixes
    denied."""
    allowed = [
        _sm("CreateProcessingJob", f"processing-job/FraudPrep-{EXECUTION_ID}"),
        _sm("CreateProcessingJob", f"processing-job/fraudprep-{EXECUTION_ID}"),
        _sm("CreateTrainingJob", f"training-job/fraud-{EXECUTION_ID}"),
        _sm("CreateAutoMLJobV2", f"automl-job/AutoMLJo-{EXECUTION_ID}"),
        _sm("CreateAutoMLJob", f"automl-job/automljo-{EXECUTION_ID}"),
        _sm("CreateModel", f"model/fraud-model-{EXECUTION_ID}"),
        _sm("CreateModelPackage", "model-package/fraud-models/1"),
        pass_role(ROLE.format("FraudProcessingRole"), SAGEMAKER),
        pass_role(ROLE.format("FraudTrainingRole"), SAGEMAKER),
        pass_role(ROLE.format("FraudModelRole"), SAGEMAKER),
    ]
    denied = [
        _sm("CreateProcessingJob", f"processing-job/OtherPrep-{EXECUTION_ID}"),
        _sm("CreateTrainingJob", f"training-job/pipelines-{EXECUTION_ID}-Train-AbCdEf"),
        _sm("CreateAutoMLJob", f"automl-job/other-{EXECUTION_ID}"),
        _sm("CreateModelPackage", "model-package/other-models/1"),
        pass_role(ROLE.format("AdminRole"), SAGEMAKER),
    ]
    _check("sdk_v2_style", allowed, denied)


# --- case 9: calls not covered before ---------------------------------------------------
def _experiments(region: str = REGION) -> list[Request]:
    component = f"pipelines-{EXECUTION_ID}-prepare-abcdef0123-aws-processing-job"
    return [
        _sm("CreateExperiment", "experiment/fraud-experiments", region=region),
        _sm("CreateTrial", f"experiment-trial/{EXECUTION_ID}", region=region),
        _sm("AssociateTrialComponent", f"experiment-trial/{EXECUTION_ID}", region=region),
        _sm("AssociateTrialComponent", f"experiment-trial-component/{component}",
            region=region),
    ]


def test_the_default_experiment_config_gets_the_experiments_integration() -> None:
    """GIVEN PipelineExperimentConfig (SDK v3's default: pipeline name, execution id) WHEN
    the execution starts THEN the experiment, its trial and the jobs' trial components
    are allowed, in this account and region."""
    _check("experiments_default", _experiments(), _experiments(OTHER_REGION))


@pytest.mark.parametrize("name", ["experiments_none", "user_builder"])
def test_no_experiment_config_no_experiments_integration(name: str) -> None:
    """GIVEN PipelineExperimentConfig null WHEN the role is derived THEN no experiment
    calls are allowed."""
    _check(name, [], _experiments())


def test_checks_endpoints_and_cleanup_folders_get_their_reads_and_listings() -> None:
    """GIVEN the DescribePipeline response's definition (check steps with
    ModelPackageGroupName, an Endpoint, a Cleanup of folders) WHEN it runs THEN the
    group's baselines are read, the endpoint config is described, and each cleaned folder
    is listed (s3:prefix) and emptied; other groups, configs, prefixes, buckets denied."""
    allowed = [
        _sm("DescribeModelPackage", "model-package/fraud-models/7"),
        _sm("DescribeEndpointConfig", "endpoint-config/fraud-endpoint-config"),
        _sm("CreateEndpoint", "endpoint/fraud-endpoint"),
        _sm("CreateEndpoint", "endpoint-config/fraud-endpoint-config"),
        _list(BUCKET, "fraud/scratch/"),
        _s3("DeleteObject", f"{BUCKET}/fraud/scratch/part-0000.csv"),
        _list(BUCKET, "fraud/data-quality/"),
        _s3("DeleteObject", f"{BUCKET}/fraud/data-quality/statistics.json"),
        pass_role(ROLE.format("ModelMonitorRole"), SAGEMAKER),
    ]
    denied = [
        _sm("DescribeModelPackage", "model-package/other-models/7"),
        _sm("DescribeEndpointConfig", "endpoint-config/other-endpoint-config"),
        _list(BUCKET, "raw/"),
        _list(BUCKET, "fraud/"),
        _list(BUCKET, None),
        _list("other-bucket-111122223333", "fraud/scratch/"),
        _s3("DeleteObject", f"{BUCKET}/raw/transactions.csv"),
        _s3("DeleteObject", f"{BUCKET}/fraud/models/model.tar.gz"),
    ]
    _check("describe_pipeline_response", allowed, denied)


def test_the_user_built_pipeline_acts_on_its_own_resources_only() -> None:
    """GIVEN the user-written builder's definition (prefix fraud, group from the bound
    parameter ModelGroup, a Lambda, a Cleanup folder) WHEN it runs THEN its jobs, group,
    function and folder are allowed; the rest denied."""
    allowed = [
        _sm("CreateProcessingJob", f"processing-job/fraud-prep-{EXECUTION_ID}"),
        _sm("CreateTrainingJob", f"training-job/fraud-{EXECUTION_ID}"),
        _sm("CreateModelPackage", "model-package/fraud-models/2"),
        _sm("CreateModelPackageGroup", "model-package-group/fraud-models"),
        Request("invoke", PRINCIPAL, "lambda:InvokeFunction",
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:notify-team"),
        _list(BUCKET, "handmade/scratch/"),
        _s3("DeleteObject", f"{BUCKET}/handmade/scratch/part-0000.csv"),
    ]
    denied = [
        _sm("CreateProcessingJob", f"processing-job/pipelines-{EXECUTION_ID}-Prepare-a1"),
        _sm("CreateModelPackage", "model-package/other-models/2"),
        Request("invoke-other", PRINCIPAL, "lambda:InvokeFunction",
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other"),
        _list(BUCKET, "handmade/"),
        _s3("DeleteObject", f"{BUCKET}/handmade/training/fraud-{EXECUTION_ID}/model.tar.gz"),
    ]
    _check("user_builder", allowed, denied)
