"""Job prefixes: validation against the create-API name rule and the AWS prefix table.

Expected values come from the AWS page "IAM Access Management" for Pipelines
(https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-access.html) and the
SageMaker API reference: the botocore name rule ``[a-zA-Z0-9](-*[a-zA-Z0-9])*``,
the prefix limits (38; 6 for Tuning and AutoML), the default ``pipelines-`` naming and the
unconfirmed lower-casing of names inside job ARNs.
"""

from __future__ import annotations

import re

import pytest

from sm_pipeline_iam.core.catalog.schema import StepType
from sm_pipeline_iam.core.naming import (
    default_patterns,
    is_mixed_case,
    prefix_patterns,
    prefix_problems,
)
from support.samples import step_id

#: The AWS page's prefix table.
LONG_LIMIT_STEPS = (
    StepType.TRAINING,
    StepType.MODEL,
    StepType.TRANSFORM,
    StepType.PROCESSING,
    StepType.CLARIFY_CHECK,
    StepType.QUALITY_CHECK,
    StepType.REGISTER_MODEL,
)
SHORT_LIMIT_STEPS = (StepType.TUNING, StepType.AUTOML)
UNLIMITED_STEPS = (StepType.LAMBDA, StepType.ENDPOINT, StepType.CONDITION, StepType.EMR)



# --- the name rule ------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["team-a", "a", "A1", "fraud", "a--b", "x" * 38, "9lives"])
def test_valid_prefix_has_no_problems(prefix: str) -> None:
    """GIVEN a prefix that fits the name rule and 38 characters WHEN checked for Training
    THEN no problem is reported."""
    assert prefix_problems(prefix, [StepType.TRAINING]) == []


@pytest.mark.parametrize(
    "prefix", ["team_a", "-team", "team-", "team a", "team.a", "", "tëam", "team/a"]
)
def test_invalid_characters_name_the_job_name_pattern(prefix: str) -> None:
    """GIVEN a prefix outside the botocore name rule WHEN checked THEN one problem names the
    prop, the value and the pattern."""
    problems = prefix_problems(prefix, [StepType.PROCESSING])

    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == ("job_prefix", "invalidJobNamePrefix")
    assert problems[0].message.startswith(f"job_prefix {prefix!r} is not a valid job-name prefix")
    assert "[a-zA-Z0-9](-*[a-zA-Z0-9])*" in problems[0].message


@pytest.mark.parametrize("prefix", ["team-*", "*", "team?", "t*a"])
def test_wildcard_is_refused_with_its_own_message(prefix: str) -> None:
    """GIVEN a prefix with an IAM wildcard WHEN checked THEN only the wildcard problem shows."""
    problems = prefix_problems(prefix, [StepType.TRAINING])

    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == ("job_prefix", "wildcard")
    assert re.search(
        r"contains a wildcard: IAM would match other prefixes' jobs", problems[0].message
    )
    assert repr(prefix) in problems[0].message


def test_prop_name_is_used_in_messages() -> None:
    """GIVEN a custom prop name WHEN a problem is found THEN the message names that prop."""
    problems = prefix_problems("bad_prefix", [StepType.TRAINING], prop="base_job_name")

    assert problems[0].prop == "base_job_name"
    assert problems[0].message.startswith("base_job_name 'bad_prefix'")


# --- the prefix table ---------------------------------------------------------------------


@pytest.mark.parametrize("step_type", LONG_LIMIT_STEPS, ids=step_id)
def test_38_characters_fit_but_39_do_not(step_type: StepType) -> None:
    """GIVEN a 38-limited step WHEN a 38- and a 39-character prefix are checked THEN only the
    39-character one is refused, naming the step, 38 and a fitting prefix."""
    ok, too_long = "a" * 38, "a" * 39

    assert prefix_problems(ok, [step_type]) == []
    problems = prefix_problems(too_long, [step_type])
    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == ("job_prefix", "prefixTooLong")
    message = problems[0].message
    assert f"is 39 characters, longer than the 38 that {step_type.value} steps allow" in message
    assert f"(e.g. {'a' * 38!r})" in message


def test_training_message_suggests_a_prefix_that_fits() -> None:
    """GIVEN a 39-character prefix whose 38th character is a hyphen WHEN checked for Training
    THEN the suggestion drops the trailing hyphen and is itself valid."""
    prefix = "a" * 37 + "-b"

    problems = prefix_problems(prefix, [StepType.TRAINING])

    assert len(problems) == 1
    assert problems[0].code == "prefixTooLong"
    suggested = re.search(r"\(e\.g\. '([^']*)'\)", problems[0].message)
    assert suggested is not None
    assert suggested.group(1) == "a" * 37
    assert prefix_problems(suggested.group(1), [StepType.TRAINING]) == []


@pytest.mark.parametrize("step_type", SHORT_LIMIT_STEPS, ids=step_id)
def test_seven_characters_fit_training_but_not_short_limit_steps(step_type: StepType) -> None:
    """GIVEN a 7-character prefix WHEN checked for Training and a 6-limited step THEN only
    that step is named, with 6."""
    problems = prefix_problems("abcdefg", [StepType.TRAINING, step_type])

    assert prefix_problems("abcdefg", [StepType.TRAINING]) == []
    assert prefix_problems("abcdef", [step_type]) == []
    assert len(problems) == 1
    assert problems[0].code == "prefixTooLong"
    assert f"longer than the 6 that {step_type.value} steps allow" in problems[0].message
    assert "(e.g. 'abcdef')" in problems[0].message
    assert "Training" not in problems[0].message


@pytest.mark.parametrize("step_type", UNLIMITED_STEPS, ids=step_id)
def test_steps_outside_the_table_have_no_length_limit(step_type: StepType) -> None:
    """GIVEN a step the prefix table does not cover WHEN a long prefix is checked THEN no
    length problem is reported."""
    assert prefix_problems("a" * 60, [step_type]) == []


def test_several_problems_are_reported_at_once_in_step_order() -> None:
    """GIVEN an invalid, 40-character prefix WHEN checked for Tuning, Training and AutoML
    THEN the name problem comes first, then one length problem per step, sorted by name."""
    prefix = "team_" + "a" * 35

    problems = prefix_problems(
        prefix, [StepType.TUNING, StepType.TRAINING, StepType.AUTOML, StepType.TRAINING]
    )

    assert [p.code for p in problems] == [
        "invalidJobNamePrefix", "prefixTooLong", "prefixTooLong", "prefixTooLong"
    ]
    assert "is not a valid job-name prefix" in problems[0].message
    assert "the 6 that AutoML steps allow" in problems[1].message
    assert "the 38 that Training steps allow" in problems[2].message
    assert "the 6 that Tuning steps allow" in problems[3].message
    assert all("is 40 characters" in problem.message for problem in problems[1:])


def test_no_step_types_checks_the_name_rule_only() -> None:
    """GIVEN no step types WHEN a long invalid prefix is checked THEN only the name problem."""
    problems = prefix_problems("bad_" + "x" * 60, [])

    assert len(problems) == 1
    assert problems[0].code == "invalidJobNamePrefix"
    assert "is not a valid job-name prefix" in problems[0].message


# --- name patterns ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "patterns"),
    [
        ("team-a", ("team-a-*",)),
        ("fraud2", ("fraud2-*",)),
        ("Team-A", ("Team-A-*", "team-a-*")),
        ("myBaseJobName", ("myBaseJobName-*", "mybasejobname-*")),
        ("ABC", ("ABC-*", "abc-*")),
    ],
)
def test_prefix_patterns_add_the_lower_case_spelling_for_mixed_case(
    prefix: str, patterns: tuple[str, ...]
) -> None:
    """GIVEN a prefix WHEN building name patterns THEN '<prefix>-*', plus the lower-case
    spelling when the prefix has upper-case letters (whether SageMaker lower-cases names
    in ARNs is unconfirmed)."""
    assert prefix_patterns(prefix) == patterns


@pytest.mark.parametrize(
    ("prefix", "mixed"), [("team-a", False), ("123", False), ("Team", True), ("teaM", True)]
)
def test_is_mixed_case(prefix: str, mixed: bool) -> None:
    """GIVEN a prefix WHEN asking whether lower-casing changes it THEN upper case says yes."""
    assert is_mixed_case(prefix) is mixed


def test_default_patterns_are_the_pipelines_naming() -> None:
    """GIVEN the custom prefix off WHEN building patterns THEN jobs match 'pipelines-*'
    (AWS page: pipelines-<executionId>-<stepNamePrefix>-...)."""
    assert default_patterns() == ("pipelines-*",)
