"""What each step's job needs from its own role, read from definitions (core.jobs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sm_pipeline_iam.core.catalog.schema import KeyUse
from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.job_roles.needs import JobNeeds, merge_needs
from sm_pipeline_iam.core.job_roles.policy import job_statements
from sm_pipeline_iam.core.notices import PARAMETER_SCOPED_TO_DEFAULT, UNRESOLVED_VALUE

DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"
BUCKET = "ml-artifacts-111122223333"


def _jobs(name: str) -> dict[str, JobNeeds]:
    reading = read_definition(json.loads((DEFINITIONS / f"{name}.json").read_text()))
    return {job.step: job for job in reading.jobs}


def _step(name: str, step_type: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"Name": name, "Type": step_type, "Arguments": arguments}


def test_a_step_reads_another_steps_output_only_through_its_get() -> None:
    """GIVEN TrainModel's input is a Get of PreprocessData's 'train' output WHEN read THEN
    the training job reads exactly that output's location as a key-name prefix (S3Prefix),
    and none of PreprocessData's other output ('test')."""
    train = _jobs("training_eval_register")["TrainModel"]
    reads = {str(o) for o in train.reads}
    # The execution id in the key: 12 '?', which cannot span a '/'.
    assert reads == {f"s3://{BUCKET}/fraud/????????????/train*"}
    assert (BUCKET, "fraud/????????????/train*") in train.lists


def test_training_artifacts_are_written_under_the_jobs_own_folder() -> None:
    """GIVEN a training step with S3OutputPath WHEN read THEN it writes under
    '<S3OutputPath>/<job-name pattern>/', both spellings of the default naming."""
    train = _jobs("training_eval_register")["TrainModel"]
    assert {str(o) for o in train.writes} == {
        f"s3://{BUCKET}/fraud-train/pipelines-*-TrainModel-*/*",
        f"s3://{BUCKET}/fraud-train/pipelines-*-trainmodel-*/*",
    }


def test_model_artifacts_resolve_to_the_training_jobs_output() -> None:
    """GIVEN a Model whose ModelDataUrl is Steps.TrainModel.ModelArtifacts.S3ModelArtifacts
    WHEN read THEN it reads '<S3OutputPath>/<job name>/output/model.tar.gz', nothing wider."""
    model = _jobs("training_eval_register")["CreateFraudModel"]
    assert f"s3://{BUCKET}/fraud-train/pipelines-*-TrainModel-*/output/model.tar.gz" in {
        str(o) for o in model.reads
    }
    assert all("model.tar.gz" in str(o) for o in model.reads)


def test_image_logs_and_metrics_are_the_jobs_own() -> None:
    """GIVEN a processing step WHEN read THEN its image's repository ARN, its job kind's log
    group with its own streams, and its job kind's metric namespace."""
    job = _jobs("training_eval_register")["EvaluateModel"]
    assert job.repositories == (
        "arn:${AWS::Partition}:ecr:us-east-1:683313688378:repository/sagemaker-scikit-learn",
    )
    assert ("/aws/sagemaker/ProcessingJobs", "pipelines-*-EvaluateModel-*/*") in job.log_streams
    assert job.metric_namespaces == ("/aws/sagemaker/ProcessingJobs",)


def test_a_transform_job_runs_as_its_models_role() -> None:
    """GIVEN a Transform step whose ModelName is a Get of a Model step WHEN read THEN its needs
    point at that Model step (the job runs as the model's role)."""
    transform = _jobs("tuning_transform_foreach")["BatchScore"]
    assert transform.runs_as_step == "CreateBestModel"


@pytest.mark.parametrize(("options", "notice"), [
    ({"any_value_parameters": ["InputDataUrl"]}, UNRESOLVED_VALUE),
    ({}, PARAMETER_SCOPED_TO_DEFAULT),
])
def test_a_parameter_input_warns_on_the_job_not_the_execution_role(
    options: dict[str, Any], notice: str
) -> None:
    """GIVEN an input from a parameter opted in to any value, or left to its default WHEN
    read THEN the job's needs carry the warning (unresolvedDefinitionValue,
    parameterScopedToDefault), not the execution role's."""
    reading = read_definition(json.loads((DEFINITIONS / "training_eval_register.json")
                                         .read_text()), pipeline_name="fraud", **options)
    preprocess = {job.step: job for job in reading.jobs}["PreprocessData"]
    assert [n for n in preprocess.notices
            if n.id == notice and "ProcessingInputs[0].S3Input.S3Uri" in n.message]
    assert not any("ProcessingInputs" in n.message for n in reading.requirements.notices)


def test_vpc_kms_and_manifests_are_read() -> None:
    """GIVEN a processing step with a VpcConfig, a volume key and a manifest input WHEN read
    THEN its subnets, security groups and key ARN, and the manifest object only."""
    step = _step("Prep", "Processing", {
        "ProcessingJobName": "prep",
        "ProcessingInputs": [{"S3Input": {"S3Uri": "s3://b/manifests/m.json",
                                          "S3DataType": "ManifestFile"}}],
        "NetworkConfig": {"VpcConfig": {"Subnets": ["subnet-1"],
                                        "SecurityGroupIds": ["sg-1"]}},
        "ProcessingResources": {"ClusterConfig": {"VolumeKmsKeyId": "1234abcd"}},
    })
    (job,) = read_definition({"Steps": [step]}).jobs
    assert (job.subnets, job.security_groups) == (("subnet-1",), ("sg-1",))
    assert job.kms_keys == (("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:"
                             "key/1234abcd", KeyUse.VOLUME),)
    assert [str(o) for o in job.reads] == ["s3://b/manifests/m.json"]
    sids = {s.sid for s in job_statements(job)}
    assert {"JobCreatesNetworkInterfaces", "JobKeysForVolumes", "JobReadsObjects"} <= sids


def test_merged_needs_hold_both_steps() -> None:
    """GIVEN two steps' needs WHEN merged for one shared role THEN the union of each."""
    jobs = _jobs("training_eval_register")
    merged = merge_needs([jobs["TrainModel"], jobs["EvaluateModel"]])
    assert merged.steps == ("TrainModel", "EvaluateModel")
    assert set(jobs["TrainModel"].reads) | set(jobs["EvaluateModel"].reads) == set(merged.reads)
