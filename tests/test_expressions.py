"""Definition values -> patterns: literals, parameters, execution variables, joins."""

from __future__ import annotations

import pytest

from sm_pipeline_iam.core.definition.expressions import ExpressionError, Pattern, evaluate

JOIN = {
    "Std:Join": {
        "On": "/",
        "Values": ["s3://ml-artifacts", {"Get": "Parameters.Stage"},
                   {"Get": "Execution.PipelineExecutionId"}, "evaluation.json"],
    }
}

RUN_ID = ("Execution.PipelineExecutionId",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("s3://b/k", [Pattern("s3://b/k")]),
        (3, [Pattern("3")]),
        (True, [Pattern("true")]),
        # The execution id's 12 characters, each '?': it cannot span a '/'.
        ({"Get": "Execution.PipelineExecutionId"},
         [Pattern("????????????", run_time=("Execution.PipelineExecutionId",))]),
        ({"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
         [Pattern("*", run_time=("Steps.Train.ModelArtifacts.S3ModelArtifacts",))]),
        ({"Get": "Parameters.Bucket"}, [Pattern("*", ("Parameters.Bucket",))]),
        ({"Std:JsonGet": {"S3Uri": "s3://b/k", "Path": "a"}},
         [Pattern("*", run_time=("Std:JsonGet",))]),
    ],
)
def test_single_values(value: object, expected: list[Pattern]) -> None:
    """GIVEN one value WHEN evaluated without bindings THEN its patterns."""
    assert evaluate(value, {}) == expected


def test_a_join_keeps_its_literal_parts_and_names_unbound_parameters() -> None:
    """GIVEN a join of literals, a parameter and an execution id WHEN evaluated THEN one
    pattern with '*' for the parameter (named) and 12 '?' for the execution id."""
    assert evaluate(JOIN, {}) == [
        Pattern("s3://ml-artifacts/*/????????????/evaluation.json", ("Parameters.Stage",),
                ("Execution.PipelineExecutionId",))
    ]


def test_bound_parameters_give_one_pattern_per_value() -> None:
    """GIVEN allowed values WHEN evaluated THEN one pattern each, none unbound."""
    assert evaluate(JOIN, {"Stage": ["dev", "prod"]}) == [
        Pattern("s3://ml-artifacts/dev/????????????/evaluation.json", run_time=RUN_ID),
        Pattern("s3://ml-artifacts/prod/????????????/evaluation.json", run_time=RUN_ID),
    ]


def test_adjacent_unknowns_collapse_to_one_star() -> None:
    """GIVEN two unknowns side by side WHEN joined without separator THEN one '*'."""
    value = {"Std:Join": {"On": "", "Values": [{"Get": "Execution.A"}, {"Get": "Execution.B"}]}}
    assert evaluate(value, {}) == [Pattern("*", run_time=("Execution.A", "Execution.B"))]


def test_too_many_combinations_widen_the_multi_valued_parts() -> None:
    """GIVEN 10 x 10 bound values WHEN joined THEN the parts widen to '*', not 100 patterns."""
    value = {"Std:Join": {"On": "-", "Values": [{"Get": "Parameters.A"}, {"Get": "Parameters.B"}]}}
    patterns = evaluate(value, {"A": [str(n) for n in range(10)], "B": list("abcdefghij")})
    assert patterns == [Pattern("*-*")]


def test_pattern_prefix_and_literalness() -> None:
    """GIVEN a pattern WHEN asked THEN its literal prefix and whether it is literal."""
    assert Pattern("s3://b/k/*/x").literal_prefix == "s3://b/k/"
    assert Pattern("s3://b/k").is_literal and not Pattern("a*").is_literal


@pytest.mark.parametrize("value", [None, [1], {"Unknown": 1}, {"Std:Join": {"On": "/"}}])
def test_unknown_shapes_are_errors(value: object) -> None:
    """GIVEN a value no definition holds WHEN evaluated THEN ExpressionError."""
    with pytest.raises(ExpressionError, match=r"is not a literal|has no Values list"):
        evaluate(value, {})
