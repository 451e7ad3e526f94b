"""Bad values fail as one error naming the field, the value and the fix, through every
entry point (``read_definition``, the constructs, ``sm-pipeline-iam explain``, the sample
app), never as a traceback of an internal error (``ExpressionError``, ``TypeError``, the
CDK's jsii ``RuntimeError``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

import app
from app import build_app
from sm_pipeline_iam import (
    LeastPrivilegePipeline,
    PipelineExecutionRole,
    PipelineJobRoles,
)
from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.review.cli import main
from support.scenarios import sample_context

ACCOUNT = "111122223333"
ENV = cdk.Environment(account=ACCOUNT, region="us-east-1")


def _training(job_name: Any) -> dict[str, Any]:
    """A one-step training definition whose TrainingJobName is ``job_name``."""
    return {"Version": "2020-12-01", "Steps": [{"Name": "Train", "Type": "Training",
                                                "Arguments": {
        "TrainingJobName": job_name,
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/train",
        "AlgorithmSpecification": {
            "TrainingImage": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/xgb:1",
            "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                           "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600}}}]}


#: Job names no definition holds -> what the problem says of them.
BAD_JOB_NAMES = [
    ({"Foo": "x"}, "{'Foo': 'x'} is not a literal or a pipeline expression: give a string"),
    (["a", "b"], "['a', 'b'] is not a literal or a pipeline expression: give a string"),
    ({"Std:Join": {"On": "-", "Values": "x"}},
     "has no Values list: give {'Std:Join': {'On': '-', 'Values': [...]}}"),
    ({"Get": 5}, "{'Get': 5} is not a literal or a pipeline expression: give a string"),
    ({"Get": "Steps.Train.TrainingJobName"},
     "Steps.Train.TrainingJobName refers back to itself through other steps' values (a "
     "cycle): give one of them a literal value"),
]
IDS = ["unknown-key", "list", "join-without-list", "get-of-a-number", "cycle"]


@pytest.mark.parametrize(("job_name", "says"), BAD_JOB_NAMES, ids=IDS)
def test_a_bad_job_name_is_one_problem_naming_the_field(job_name: Any, says: str) -> None:
    """GIVEN a TrainingJobName that is no pipeline value WHEN read THEN one DefinitionError
    problem (notAnExpression) naming the step, the field, the value and the fix."""
    with pytest.raises(DefinitionError) as raised:
        read_definition(_training(job_name))
    (problem,) = raised.value.problems
    assert (problem.prop, problem.code) == ("Train.TrainingJobName", "notAnExpression")
    assert problem.message.startswith("step 'Train' field TrainingJobName: ")
    assert says in problem.message


def test_a_job_name_cycle_across_steps_is_named_at_each_step() -> None:
    """GIVEN two steps whose job names refer to each other WHEN read THEN a notAnExpression
    problem for each, all at once."""
    definition = _training({"Get": "Steps.Other.TrainingJobName"})
    other = json.loads(json.dumps(definition["Steps"][0]))
    other["Name"] = "Other"
    other["Arguments"]["TrainingJobName"] = {"Get": "Steps.Train.TrainingJobName"}
    definition["Steps"].append(other)
    with pytest.raises(DefinitionError) as raised:
        read_definition(definition)
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("Train.TrainingJobName", "notAnExpression"),
        ("Other.TrainingJobName", "notAnExpression")]


@pytest.mark.parametrize(("job_name", "says"), BAD_JOB_NAMES, ids=IDS)
def test_each_construct_refuses_a_bad_job_name_as_a_definition_error(
    job_name: Any, says: str
) -> None:
    """GIVEN a bad TrainingJobName WHEN each construct that reads a definition is made
    THEN DefinitionError naming the field, never the ExpressionError."""
    definition = _training(job_name)
    makers = [
        lambda stack: PipelineExecutionRole.from_definition(stack, "Role", definition),
        lambda stack: PipelineJobRoles(stack, "Jobs", definition=definition),
        lambda stack: LeastPrivilegePipeline(stack, "Pipeline", definition=definition,
                                             pipeline_name="fraud-train"),
    ]
    for make in makers:
        stack = cdk.Stack(cdk.App(), "Stack", env=ENV)
        with pytest.raises(DefinitionError) as raised:
            make(stack)
        assert [p.prop for p in raised.value.problems] == ["Train.TrainingJobName"]
        assert says in str(raised.value)


@pytest.mark.parametrize(("job_name", "says"), BAD_JOB_NAMES, ids=IDS)
def test_explain_of_a_bad_job_name_exits_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], job_name: Any, says: str
) -> None:
    """GIVEN a definition with a bad TrainingJobName WHEN `sm-pipeline-iam explain` runs
    THEN exit 2 with the problem on stderr."""
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(_training(job_name)))
    assert main(["explain", str(path)]) == 2
    err = capsys.readouterr().err
    assert "step 'Train' field TrainingJobName: " in err and says in err
    assert "Traceback" not in err


def test_the_sample_app_prints_a_bad_job_name_as_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN context pipeline_definition with a bad TrainingJobName (with and without
    pipeline_name) WHEN app.main runs THEN exit 1, the problem named, no traceback."""
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(_training({"Foo": "x"})))
    for name in ("", "fraud-train"):
        monkeypatch.setattr(app, "build_app", lambda name=name: build_app(sample_context(
            pipeline_definition=str(path), pipeline_name=name, teams="")))
        assert app.main() == 1
        err = capsys.readouterr().err
        assert "step 'Train' field TrainingJobName: {'Foo': 'x'} is not a literal" in err
        assert "Traceback" not in err


# --- 2. options of the wrong shape -------------------------------------------------------------

def _parameterised() -> dict[str, Any]:
    """The training definition, its job name joined from parameter X."""
    definition = _training({"Std:Join": {"On": "-", "Values": [
        "train", {"Get": "Parameters.X"}]}})
    definition["Parameters"] = [{"Name": "X", "Type": "String"}]
    return definition


#: An option of the wrong shape -> the (prop, code) of its problem.
BAD_OPTIONS: list[tuple[dict[str, Any], tuple[str, str]]] = [
    ({"parameter_values": {"X": None}}, ("parameter_values['X']", "notAList")),
    ({"parameter_values": {"X": "train-a"}}, ("parameter_values['X']", "notAList")),
    ({"parameter_values": {"X": [1]}}, ("parameter_values['X']", "notAList")),
    ({"parameter_values": ["X"]}, ("parameter_values", "notAMapping")),
    ({"parameter_values": {1: ["a"]}}, ("parameter_values", "notAMapping")),
    ({"any_value_parameters": "X"}, ("any_value_parameters", "notAList")),
    ({"any_value_parameters": [1]}, ("any_value_parameters", "notAList")),
    ({"any_value_parameters": None}, ("any_value_parameters", "notAList")),
    ({"manifest_locations": ["s3://bucket/images"]}, ("manifest_locations", "notAMapping")),
    ({"manifest_locations": {"Train": None}}, ("manifest_locations['Train']", "notAList")),
    ({"model_endpoints": "fraud-prod"}, ("model_endpoints", "notAMapping")),
    ({"model_endpoints": {"Train": []}}, ("model_endpoints['Train']", "notAList")),
]


@pytest.mark.parametrize(("options", "problem"), BAD_OPTIONS, ids=[
    f"{next(iter(o))}={next(iter(o.values()))!r}" for o, _ in BAD_OPTIONS])
def test_an_option_of_the_wrong_shape_is_one_problem_naming_it(
    options: dict[str, Any], problem: tuple[str, str]
) -> None:
    """GIVEN an option of read_definition of the wrong shape WHEN read THEN one
    DefinitionError problem naming the option, the value and the shape to give, never a
    TypeError or ValueError from deep inside."""
    given = next(iter(options.values()))
    bad = given if problem[0] == next(iter(options)) else next(iter(given.values()))
    # X is opted in to any value, but for the cases that bind it.
    options = {"any_value_parameters": [] if "parameter_values" in options else ["X"],
               **options}
    with pytest.raises(DefinitionError) as raised:
        read_definition(_parameterised(), **options)
    (found,) = raised.value.problems
    assert (found.prop, found.code) == problem
    assert found.message.startswith(f"{problem[0]} is {bad!r}: give ")
    assert "e.g. " in found.message


def test_every_option_of_the_wrong_shape_is_listed_at_once() -> None:
    """GIVEN four options of the wrong shape WHEN read THEN one DefinitionError lists all
    four, before the definition is read."""
    with pytest.raises(DefinitionError) as raised:
        read_definition("not even JSON", parameter_values={"X": None},
                        any_value_parameters=5, manifest_locations=3,  # type: ignore[arg-type]
                        model_endpoints=["e"])  # type: ignore[arg-type]
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("parameter_values['X']", "notAList"), ("manifest_locations", "notAMapping"),
        ("model_endpoints", "notAMapping"), ("any_value_parameters", "notAList")]


def test_the_constructs_refuse_manifest_and_endpoint_options_of_the_wrong_shape() -> None:
    """GIVEN manifest_locations or model_endpoints of the wrong shape WHEN PipelineJobRoles
    or LeastPrivilegePipeline is made THEN a DefinitionError naming the option."""
    cases: list[tuple[dict[str, Any], str]] = [
        ({"manifest_locations": {"Train": "s3://bucket/images"}}, "manifest_locations['Train']"),
        ({"model_endpoints": ["fraud-prod"]}, "model_endpoints")]
    for options, prop in cases:
        for stack in (cdk.Stack(cdk.App(), "Jobs", env=ENV),
                      cdk.Stack(cdk.App(), "Pipeline", env=ENV)):
            with pytest.raises(DefinitionError) as raised:
                if stack.stack_name == "Jobs":
                    PipelineJobRoles(stack, "Jobs", definition=_training("train"), **options)
                else:
                    LeastPrivilegePipeline(stack, "Pipeline", definition=_training("train"),
                                           pipeline_name="fraud-train", **options)
            assert [p.prop for p in raised.value.problems] == [prop]
