"""Problems as data, and the two errors that list them with one formatter."""

from __future__ import annotations

import dataclasses

import pytest

import sm_pipeline_iam
from sm_pipeline_iam.core.definition import reader as definition
from sm_pipeline_iam.core.errors import (
    DefinitionError,
    InvalidPropsError,
    Problem,
    format_problems,
    raise_if_any,
)

FIRST = Problem("job_prefix", "prefixTooLong", "job_prefix 'abcdefg' is 7 characters, ...")
SECOND = Problem("step_types", "unknownStepType", "step_types: 'Bogus' is not a step type")


def test_a_problem_is_frozen_data_whose_str_is_its_message() -> None:
    """GIVEN a problem WHEN read THEN prop, code and message; str() the message; immutable."""
    assert (FIRST.prop, FIRST.code) == ("job_prefix", "prefixTooLong")
    assert str(FIRST) == FIRST.message
    assert f"{FIRST}" == FIRST.message
    assert Problem("a", "b", "c") == Problem("a", "b", "c") != Problem("a", "x", "c")
    with pytest.raises(dataclasses.FrozenInstanceError):
        FIRST.code = "other"  # type: ignore[misc]


def test_invalid_props_error_text_is_one_line_per_problem() -> None:
    """GIVEN two problems WHEN raised THEN the text counts them and lists each message."""
    error = InvalidPropsError("PrefixedStepRole", "Team", [FIRST, SECOND])

    assert str(error) == (
        "PrefixedStepRole 'Team' has 2 problems:\n"
        f"  - {FIRST.message}\n"
        f"  - {SECOND.message}"
    )
    assert error.problems == (FIRST, SECOND)
    assert isinstance(error, ValueError)


def test_invalid_props_error_with_one_problem_says_one_problem() -> None:
    """GIVEN one problem WHEN raised THEN '1 problem', singular."""
    assert str(InvalidPropsError("OrgScpException", "Scp", [FIRST])) == (
        f"OrgScpException 'Scp' has 1 problem:\n  - {FIRST.message}"
    )


def test_definition_error_uses_the_same_formatter() -> None:
    """GIVEN problems WHEN a DefinitionError is made THEN today's heading, the same lines."""
    error = DefinitionError([FIRST, SECOND])

    assert str(error) == format_problems(
        "the pipeline definition cannot be read", [FIRST, SECOND]
    )
    assert str(error).startswith("the pipeline definition cannot be read:\n  - job_prefix")
    assert error.problems == (FIRST, SECOND)
    assert isinstance(error, ValueError)


def test_raise_if_any_raises_only_with_problems() -> None:
    """GIVEN no problem THEN nothing; GIVEN one THEN InvalidPropsError carrying it."""
    raise_if_any("PipelineExecutionRole", "Role", [])
    with pytest.raises(InvalidPropsError) as raised:
        raise_if_any("PipelineExecutionRole", "Role", [SECOND])
    assert raised.value.problems == (SECOND,)


def test_the_public_errors_are_the_ones_in_core_errors() -> None:
    """GIVEN the package WHEN imported THEN its error names are core.errors' classes."""
    assert sm_pipeline_iam.InvalidPropsError is InvalidPropsError
    assert sm_pipeline_iam.DefinitionError is DefinitionError


def test_read_definition_raises_the_public_definition_error() -> None:
    """GIVEN a definition without Steps WHEN read THEN sm_pipeline_iam.DefinitionError, its
    problem naming the field and the kind."""
    with pytest.raises(sm_pipeline_iam.DefinitionError) as raised:
        definition.read_definition("{}")
    (problem,) = raised.value.problems
    assert (problem.prop, problem.code) == ("Steps", "noSteps")
