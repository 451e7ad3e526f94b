"""The team module: shared steps, prefix guidance and the team's pipeline actions."""

from __future__ import annotations

import pytest

from sm_pipeline_iam.core import naming
from sm_pipeline_iam.core.catalog.schema import StepType
from sm_pipeline_iam.core.execution_role.policy import ArnEnvironment
from sm_pipeline_iam.core.execution_role.requirements import GivenResources
from sm_pipeline_iam.core.notices import SDK_IGNORES_PREFIX
from sm_pipeline_iam.core.team import (
    PIPELINE_ACTIONS,
    TeamPrefixes,
    default_shared_step_types,
    pipeline_access_statement,
    prefix_guide,
    team_requirements,
    usage_text,
)
from support.iam_reference import action_details, matching_resource_types
from support.samples import GIVEN_RESOURCES

ENV = ArnEnvironment("aws", "us-east-1", "111122223333")


def test_default_shared_steps_are_the_non_job_steps_with_their_resources() -> None:
    """GIVEN every integration resource WHEN defaulting THEN all non-job steps are shared."""
    assert set(default_shared_step_types(GivenResources())) == {
        StepType.CONDITION, StepType.FAIL, StepType.FOR_EACH,
    }
    assert set(default_shared_step_types(GIVEN_RESOURCES)) == {
        StepType.CONDITION, StepType.FAIL, StepType.FOR_EACH, StepType.LAMBDA,
        StepType.CALLBACK, StepType.EMR, StepType.EMR_SERVERLESS, StepType.CLEANUP,
    }


def test_team_requirements_scope_every_named_step_by_the_prefix_only() -> None:
    """GIVEN a team WHEN gathered THEN each job step's names are the prefix patterns."""
    requirements, problems = team_requirements("rsch", ["Training", "Endpoint"])
    assert problems == []
    assert dict(requirements.name_patterns) == {
        StepType.TRAINING: ("rsch-*",), StepType.ENDPOINT: ("rsch-*",),
    }


def test_team_requirements_report_each_problem_once() -> None:
    """GIVEN an unknown step type WHEN gathered THEN it is reported once, not twice."""
    _, problems = team_requirements("rsch", ["Bogus"])
    assert [(p.prop, p.code) for p in problems if "'Bogus'" in p.message] == [
        ("step_types", "unknownStepType")
    ]


def test_team_requirements_skip_the_repeated_empty_step_types_problem() -> None:
    """GIVEN no step types at all (own and shared) WHEN gathered THEN 'step_types is empty'
    once (from_step_types would say it again), and an empty shared list is no problem."""
    _, problems = team_requirements("rsch", [], shared_step_types=[])
    assert [(p.prop, p.code) for p in problems] == [("step_types", "empty")]


def test_team_requirements_refuse_name_scoped_shared_steps_and_an_empty_prefix() -> None:
    """GIVEN Training as a shared step and no prefix WHEN gathered THEN both are problems
    with their prop and code."""
    _, problems = team_requirements("", ["Model"], shared_step_types=["Training"])
    assert [(p.prop, p.code) for p in problems] == [
        ("shared_step_types", "nameScopedSharedStep"),
        ("job_prefix", "empty"),
    ]
    assert problems[0].message.startswith("shared_step_types Training create SageMaker jobs")


@pytest.mark.parametrize(
    ("step_type", "expected"),
    [("Training", True), ("Tuning", True), ("ClarifyCheck", True), ("QualityCheck", True),
     ("Processing", False), ("Model", False), ("AutoML", False)],
)
def test_sdk_caveat_notice_only_for_steps_the_sdk_does_not_prefix(
    step_type: str, expected: bool
) -> None:
    """GIVEN a step type WHEN gathered THEN the SDK caveat notice appears exactly when due."""
    requirements, _ = team_requirements("rsch", [step_type])
    assert any(n.id == SDK_IGNORES_PREFIX for n in requirements.notices) is expected


def test_prefix_guide_skips_steps_without_a_prefix_argument() -> None:
    """GIVEN Processing and Condition WHEN guided THEN only Processing's argument."""
    assert prefix_guide([StepType.CONDITION, StepType.PROCESSING]) == {
        StepType.PROCESSING: "Processor(base_job_name=...)"
    }


def test_usage_text_without_caveats_has_no_caveat_section() -> None:
    """GIVEN steps the SDK prefixes WHEN explained THEN no 'ignores' section."""
    text = usage_text("analytics", [StepType.PROCESSING])
    assert text.splitlines()[1] == "  Processing: Processor(base_job_name=...)"
    assert "ignores" not in text


def test_pipeline_access_covers_the_teams_pipelines_and_their_executions() -> None:
    """GIVEN prefix rsch WHEN the statement is built THEN pipeline/rsch-* only."""
    statement = pipeline_access_statement("rsch", ENV)
    assert statement.resources == ("arn:aws:sagemaker:us-east-1:111122223333:pipeline/rsch-*",)
    assert statement.actions == PIPELINE_ACTIONS


@pytest.mark.parametrize("action", PIPELINE_ACTIONS)
def test_pipeline_actions_exist_and_fit_the_pipeline_arns(action: str) -> None:
    """GIVEN each pipeline action WHEN checked against IAM THEN it exists and takes a
    pipeline or pipeline-execution ARN under pipeline/<prefix>-*."""
    details = action_details(action)
    assert details is not None and f"sagemaker:{details['name']}" == action
    pipeline = "arn:aws:sagemaker:us-east-1:111122223333:pipeline/rsch-churn"
    fits = matching_resource_types(action, pipeline) + matching_resource_types(
        action, f"{pipeline}/execution/abc"
    )
    assert {"pipeline", "pipeline-execution"} & set(fits), (action, fits)


@pytest.mark.parametrize("prefix", ["pipelines", "Pipelines", "PIPELINES", "pipelines-rsch"])
def test_the_default_naming_prefix_is_reserved_for_teams(prefix: str) -> None:
    """GIVEN 'pipelines' (any case, alone or before a hyphen) WHEN a team takes it THEN a
    reservedPrefix problem: it would own every default-named job."""
    _, problems = team_requirements(prefix, ["Training"])
    assert [(p.prop, p.code) for p in problems] == [("job_prefix", "reservedPrefix")]
    assert "names every job 'pipelines-<executionId>-...'" in problems[0].message


@pytest.mark.parametrize(
    ("prefix", "start"),
    [("clarify", "clarify-job"), ("baseline", "baseline-job"), ("Clarify-Job", "clarify-job"),
     ("clarify-job-a", "clarify-job"), ("sagemaker", "sagemaker"),
     ("sagemaker-scikit-learn", "sagemaker"), ("pytorch", "pytorch-training"),
     ("xgboost", "xgboost"), ("tuning", "tuning"), ("transform", "transform-job")],
)
def test_the_names_sagemaker_and_the_sdk_give_their_jobs_are_reserved(
    prefix: str, start: str
) -> None:
    """GIVEN a prefix that equals, starts, or starts with a name SageMaker or the SDK gives
    its own jobs WHEN a team takes it THEN a reservedPrefix problem naming that start and
    where it comes from: the team would own every team's check or default-named jobs."""
    _, problems = team_requirements(prefix, ["Processing"])
    assert ("job_prefix", "reservedPrefix") in [(p.prop, p.code) for p in problems]
    assert any(f"'{start}-...'" in p.message for p in problems)
    assert naming.RESERVED_PREFIXES[start] in " ".join(p.message for p in problems)


@pytest.mark.parametrize("prefix", ["clar", "clarifyjob", "base", "sm", "torch", "rsch"])
def test_names_near_the_reserved_ones_are_not_reserved(prefix: str) -> None:
    """GIVEN a prefix whose names no reserved start overlaps WHEN gathered THEN no
    problem."""
    assert team_requirements(prefix, ["Processing"])[1] == []


@pytest.mark.parametrize("prefix", ["pipeline", "pipelinesx", "my-pipelines"])
def test_names_near_pipelines_are_not_reserved(prefix: str) -> None:
    """GIVEN a prefix that 'pipelines-*' cannot match WHEN gathered THEN no problem."""
    assert team_requirements(prefix, ["Training"])[1] == []


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ("rsch", "rsch-a", True), ("rsch-a", "rsch", True), ("rsch", "RSCH-a-b", True),
        ("Ana", "ana", True), ("rsch", "rsch--a", True),
        ("rsch", "rscha", False), ("rsch-a", "rsch-b", False), ("a-rsch", "rsch", False),
    ],
)
def test_prefixes_overlap_at_a_hyphen_or_ignoring_case(
    first: str, second: str, overlap: bool
) -> None:
    """GIVEN two prefixes WHEN compared THEN they overlap exactly when '<one>-*' (either
    spelling) matches names made with the other."""
    assert naming.prefixes_overlap(first, second) is overlap
    teams = TeamPrefixes()
    teams.add(first, "A")
    assert bool(teams.overlapping(second)) is overlap


def test_team_prefixes_name_both_teams_in_each_problem() -> None:
    """GIVEN rsch-a and rsch-a-b recorded WHEN rsch is checked THEN one problem per team,
    each naming both teams and both prefixes."""
    teams = TeamPrefixes()
    teams.add("rsch-a", "Stack/TeamA")
    teams.add("rsch-a-b", "Stack/TeamAB")
    teams.add("analytics", "Stack/Analytics")
    problems = teams.problems("rsch", "Stack/Research")
    assert [(p.prop, p.code) for p in problems] == [("job_prefix", "overlappingPrefix")] * 2
    assert problems[0].message.startswith(
        "team 'Stack/Research' (job_prefix 'rsch') and team 'Stack/TeamA' (job_prefix "
        "'rsch-a') overlap: 'rsch-*' also matches the names 'rsch-a-...', so one team could "
        "run the other's jobs and update its pipelines"
    )
    assert "'Stack/TeamAB'" in problems[1].message
    same, longer = teams.problems("RSCH-A", "Stack/Upper")
    assert "'RSCH-A' and 'rsch-a' are one prefix ignoring case" in same.message
    assert "'RSCH-A-*' also matches the names 'rsch-a-b-...'" in longer.message
