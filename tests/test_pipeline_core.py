"""core.execution_role.pipeline: pipeline names, the job-prefix check of a definition, the grant
statements (no CDK)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.execution_role import pipeline
from sm_pipeline_iam.core.execution_role.policy import ArnEnvironment
from support.iam_reference import matching_resource_types

DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"
ENV = ArnEnvironment("aws", "us-east-1", "111122223333")


@pytest.mark.parametrize("name", ["a", "fraud-detection", "A--b9", "x" * 256])
def test_valid_pipeline_names_pass(name: str) -> None:
    assert pipeline.pipeline_name_problems(name) == []


@pytest.mark.parametrize("name", ["", "-a", "a-", "a_b", "a b", "a*", "x" * 257, 7, None])
def test_invalid_pipeline_names_are_named(name: object) -> None:
    (problem,) = pipeline.pipeline_name_problems(name)
    assert problem.prop == "pipeline_name"
    assert repr(name)[:20] in problem.message


def test_mixed_case_names_get_both_spellings() -> None:
    assert pipeline.pipeline_arns("Fraud", ENV) == (
        "arn:aws:sagemaker:us-east-1:111122223333:pipeline/Fraud",
        "arn:aws:sagemaker:us-east-1:111122223333:pipeline/fraud",
    )
    assert pipeline.execution_arns("fraud", ENV) == (
        "arn:aws:sagemaker:us-east-1:111122223333:pipeline/fraud/execution/*",
    )


@pytest.mark.parametrize("statements", [
    pipeline.start_statements, pipeline.read_statements, pipeline.update_statements])
def test_each_action_takes_the_resource_type_it_is_granted_on(statements: object) -> None:
    """GIVEN a grant's statements WHEN held against IAM's reference data THEN each action
    exists and its resources are of a type the action takes (pipeline or execution)."""
    for statement in statements("fraud", ENV):  # type: ignore[operator]
        for action in statement.actions:
            for resource in statement.resources:
                concrete = resource.replace("*", "a1b2c3")
                assert matching_resource_types(action, concrete), (action, resource)


def test_prefixed_definition_passes_only_where_every_job_carries_the_prefix() -> None:
    """GIVEN the SDK's prefixed definitions WHEN checked against job_prefix='fraud' THEN
    each step whose job the SDK names otherwise is named, and nothing else."""
    reading = read_definition(DEFINITIONS / "training_eval_register_prefixed.json")
    problems = pipeline.job_prefix_problems("fraud", reading.scopes)
    assert [p.code for p in problems] == ["outsidePrefix"]
    assert "step TrainModel" in problems[0].message
    assert "pipelines-*-TrainModel-*" in problems[0].message


def test_a_definition_without_the_prefix_fails_every_job_step() -> None:
    reading = read_definition(DEFINITIONS / "training_eval_register.json")
    steps = {p.message.split(":")[0] for p in pipeline.job_prefix_problems("fraud",
                                                                         reading.scopes)}
    assert steps == {"step PreprocessData", "step TrainModel", "step EvaluateModel",
                     "step CreateFraudModel"}


@pytest.mark.parametrize("prefix", ["fr*", "pipelines", "-x", "clarify", "sagemaker-fraud"])
def test_a_bad_prefix_is_refused_before_the_definition_is_checked(prefix: str) -> None:
    reading = read_definition(DEFINITIONS / "training_eval_register_prefixed.json")
    problems = pipeline.job_prefix_problems(prefix, reading.scopes)
    assert problems and all(p.prop == "job_prefix" for p in problems)
    assert all(p.code != "outsidePrefix" for p in problems)
