"""samples/: the committed pipeline.json is what samples/build_pipeline.py builds, it holds
every step the walk-through promises, and the library reads it.

The rebuild runs the script in a subprocess (it sets AWS and SDK environment variables
before importing the SDK, which must not leak into this test process); about 10 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sm_pipeline_iam import read_definition

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SCRIPT = SAMPLES / "build_pipeline.py"
COMMITTED = SAMPLES / "pipeline.json"

ACCOUNT = "111122223333"
JOB_ROLE = f"arn:aws:iam::{ACCOUNT}:role/sample-abalone-job-role"
EVALUATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/sample-evaluation-role"
NOTIFY_FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:sample-notify"
INPUT_FOLDER = f"s3://sm-pipeline-iam-sample-{ACCOUNT}/abalone/input"


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(COMMITTED.read_text())
    return result


def steps(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every step, the Condition's branches included."""
    def walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for step in items:
            yield step
            arguments = step.get("Arguments", {})
            yield from walk(arguments.get("IfSteps", []) + arguments.get("ElseSteps", []))

    return walk(definition["Steps"])


def by_name(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["Name"]: step for step in steps(definition)}


def test_committed_definition_is_what_the_script_builds(tmp_path: Path) -> None:
    output = tmp_path / "pipeline.json"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(output)],
        cwd=tmp_path,  # the output must not depend on the working directory
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert output.read_bytes() == COMMITTED.read_bytes(), (
        "samples/pipeline.json is out of date: run .venv/bin/python samples/build_pipeline.py"
    )


def test_every_promised_step_type(definition: dict[str, Any]) -> None:
    assert Counter(step["Type"] for step in steps(definition)) == {
        "Processing": 2,
        "Training": 1,
        "Condition": 1,
        "Model": 1,
        "RegisterModel": 1,
        "Lambda": 1,
        "Fail": 1,
    }
    named = by_name(definition)
    condition = named["CheckMseEvaluation"]["Arguments"]
    assert [step["Name"] for step in condition["IfSteps"]] == [
        "CreateAbaloneModel", "RegisterAbaloneModel", "NotifyModelRegistered",
    ]
    assert [step["Name"] for step in condition["ElseSteps"]] == ["MseTooHigh"]
    (comparison,) = condition["Conditions"]
    assert comparison["LeftValue"]["Std:JsonGet"] == {
        "Path": "regression_metrics.mse.value",
        "PropertyFile": {"Get": "Steps.EvaluateAbaloneModel.PropertyFiles.EvaluationReport"},
    }
    assert named["EvaluateAbaloneModel"]["PropertyFiles"] == [
        {"FilePath": "evaluation.json", "OutputName": "evaluation",
         "PropertyFileName": "EvaluationReport"},
    ]
    assert named["RegisterAbaloneModel"]["Arguments"]["ModelPackageGroupName"] == (
        "sample-abalone-models"
    )
    assert named["NotifyModelRegistered"]["FunctionArn"] == NOTIFY_FUNCTION
    assert definition["Parameters"] and all(
        parameter["Name"] in {"InputDataUrl", "ProcessingInstanceType", "TrainingInstanceType",
                              "ModelApprovalStatus", "MseThreshold"}
        for parameter in definition["Parameters"]
    )


def test_only_the_evaluation_step_has_its_own_role(definition: dict[str, Any]) -> None:
    roles = {
        step["Name"]: step["Arguments"].get("RoleArn") or step["Arguments"]["ExecutionRoleArn"]
        for step in steps(definition)
        if {"RoleArn", "ExecutionRoleArn"} & set(step.get("Arguments", {}))
    }
    assert roles == {
        "PreprocessAbaloneData": JOB_ROLE,
        "TrainAbaloneModel": JOB_ROLE,
        "EvaluateAbaloneModel": EVALUATION_ROLE,
        "CreateAbaloneModel": JOB_ROLE,
    }


def test_custom_job_prefix(definition: dict[str, Any]) -> None:
    """SDK 3.27 writes no ``UseCustomJobPrefix`` into the definition: the flag only decides
    which name fields it keeps (without it, it drops them all)."""
    assert "UseCustomJobPrefix" not in COMMITTED.read_text()
    assert "use_custom_job_prefix=True" in SCRIPT.read_text()
    named = by_name(definition)
    kept = {
        name: arguments[key]
        for name, step in named.items()
        for key in ("ProcessingJobName", "TrainingJobName", "ModelName", "ModelPackageName")
        if key in (arguments := step.get("Arguments", {}))
    }
    # ModelTrainer never keeps TrainingJobName; a versioned registration has no name.
    assert kept == {
        "PreprocessAbaloneData": "abalone-preprocess",
        "EvaluateAbaloneModel": "abalone-evaluate",
        "CreateAbaloneModel": "abalone-model",
    }


def test_the_library_reads_it() -> None:
    reading = read_definition(COMMITTED, pipeline_name="sample-abalone")
    assert reading.unresolved == ()
    scopes = {(scope.step, scope.resource): scope.patterns for scope in reading.scopes}
    assert scopes[("PreprocessAbaloneData", "processing-job")] == ("abalone-preprocess-*",)
    assert scopes[("EvaluateAbaloneModel", "processing-job")] == ("abalone-evaluate-*",)
    assert scopes[("CreateAbaloneModel", "model")] == ("abalone-model-*",)
    assert set(scopes[("TrainAbaloneModel", "training-job")]) == {
        "pipelines-*-TrainAbaloneModel-*", "pipelines-*-trainabalonemodel-*",
    }
    # The one value a parameter decides: the preprocess job's input, InputDataUrl. Left
    # unbound, its role reads the default (an S3Prefix input: the objects whose keys start
    # with it, API_ProcessingS3Input); opted in to any value, s3://*/*.
    assert [u for job in reading.jobs for u in job.unresolved] == []
    preprocess = {job.step: job for job in reading.jobs}["PreprocessAbaloneData"]
    assert "s3://sm-pipeline-iam-sample-111122223333/abalone/input/abalone.csv*" in [
        str(o) for o in preprocess.reads]
    opened = read_definition(COMMITTED, pipeline_name="sample-abalone",
                             any_value_parameters=["InputDataUrl"])
    unresolved = [u for job in opened.jobs for u in job.unresolved]
    assert [(u.step, u.field, u.pattern, u.parameters) for u in unresolved] == [
        ("PreprocessAbaloneData", "ProcessingInputs[0].S3Input.S3Uri", "s3://*/*",
         ("Parameters.InputDataUrl",)),
    ]

    bound = read_definition(
        COMMITTED,
        pipeline_name="sample-abalone",
        parameter_values={"InputDataUrl": [INPUT_FOLDER]},
    )
    assert bound.unresolved == ()
    assert [u for job in bound.jobs for u in job.unresolved] == []
