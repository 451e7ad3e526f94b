"""`explain` output: golden files of the fixture definitions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.review.explain import to_data, to_json, to_text
from support.golden import TextSnapshot

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "definitions"
NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", NAMES)
def test_explain_text_matches_its_golden_file(name: str, snapshot: SnapshotAssertion) -> None:
    """GIVEN a fixture definition WHEN explained THEN the text equals its golden file."""
    assert to_text(read_definition(FIXTURES / f"{name}.json")) == snapshot.use_extension(
        TextSnapshot
    )


def test_json_is_the_same_data_as_the_text() -> None:
    """GIVEN a reading WHEN written as JSON THEN the same data, parseable."""
    reading = read_definition(FIXTURES / "integrations.json",
                              any_value_parameters=["ScoresPrefix"])
    assert json.loads(to_json(reading)) == json.loads(json.dumps(to_data(reading)))
    assert to_data(reading)["unresolved"][0]["parameters"] == ["Parameters.ScoresPrefix"]
    assert to_data(reading)["parameters"] == [
        {"name": "ScoresPrefix", "scope": "any value", "values": [], "finding": True,
         "fields": ["step 'CheckScore' field Std:JsonGet.S3Uri"]},
        {"name": "MinScore", "scope": "no grant", "values": [], "finding": False,
         "fields": []},
    ]


ROLE = "arn:aws:iam::111122223333:role/FraudRole"
BEST = "Steps.ChooseModel.BestCandidate.InferenceContainers[0]"
#: A training job whose image is a literal that is no ECR image URI.
FAKE_IMAGE = {"Version": "2020-12-01", "Steps": [{
    "Name": "Train", "Type": "Training", "Arguments": {
        "RoleArn": ROLE,
        "AlgorithmSpecification": {"TrainingImage": "fakeimage", "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://ml-artifacts/fraud/models"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                           "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600}}}]}
#: A model made from an AutoML job's best candidate: image and artifacts are step
#: properties with no literal part.
AUTOML_BEST = {"Version": "2020-12-01", "Steps": [
    {"Name": "ChooseModel", "Type": "AutoML", "Arguments": {
        "AutoMLJobName": "fraud", "RoleArn": ROLE,
        "InputDataConfig": [{"TargetAttributeName": "label", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://ml-data/fraud/train"}}}],
        "OutputDataConfig": {"S3OutputPath": "s3://ml-artifacts/fraud/automl"}}},
    {"Name": "CreateBestModel", "Type": "Model", "Arguments": {
        "ExecutionRoleArn": ROLE,
        "Containers": [{"Image": {"Get": f"{BEST}.Image"},
                        "ModelDataUrl": {"Get": f"{BEST}.ModelDataUrl"}}]}},
]}
CORPUS = FIXTURES.parent / "corpus"


def test_a_literal_image_outside_ecr_is_named_as_such_and_granted_nothing() -> None:
    """GIVEN a training image 'fakeimage' WHEN explained THEN a notAnEcrImage warning says
    it is not an ECR image URI and gives the form expected, nothing calls it a run-time
    value, and the job's role gets no ECR repository for it."""
    reading = read_definition(FAKE_IMAGE)
    text = to_text(reading)
    assert ("[sm-pipeline-iam:notAnEcrImage] step 'Train' field "
            "AlgorithmSpecification.TrainingImage: 'fakeimage' is not an ECR image URI "
            "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>") in text
    assert "only known at run time" not in text
    assert "Unresolved values:\n  none" in text
    (job,) = reading.jobs
    assert job.repositories == ()


def test_an_automl_best_candidate_is_scoped_to_what_the_automl_step_says() -> None:
    """GIVEN a Model step whose image and model data are an AutoML step's best candidate
    WHEN explained THEN each line names the property and the scope it gets from the AutoML
    step (its output path; the region's registries), not a request for a literal value."""
    text = to_text(read_definition(AUTOML_BEST))
    assert (f"field Containers[0].ModelDataUrl: {BEST}.ModelDataUrl is known only while the "
            "pipeline runs, so the policy allows 's3://ml-artifacts/fraud/automl/*'") in text
    assert (f"field Containers[0].Image: {BEST}.Image is known only while the pipeline runs, "
            "so the policy allows the AutoML images' repositories in the registries AWS "
            "lists for the region") in text
    assert "give the step a literal value" not in text


@pytest.mark.parametrize(("definition", "step", "field", "reference"), [
    (CORPUS / "lineage_execution_names.json", "RecordRunLineage", "Contexts[0].ContextName",
     "Execution.PipelineExecutionId"),
])
def test_a_run_time_value_without_literal_part_names_the_property(
    definition: Any, step: str, field: str, reference: str
) -> None:
    """GIVEN a field that is only a step property or an execution variable WHEN explained
    THEN its line names the property and says no binding can narrow it, instead of asking
    for a literal value as if it were a parameter."""
    lines = [line.strip() for line in to_text(read_definition(definition)).splitlines()]
    (line,) = [line for line in lines if line.startswith(f"step {step!r} field {field}:")]
    assert line.startswith(f"step {step!r} field {field}: {reference} is known only while "
                           "the pipeline runs and the value has no literal part")
    assert "no binding can narrow it" in line
    assert "give the step a literal value" not in line
