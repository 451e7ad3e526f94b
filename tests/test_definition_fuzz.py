"""Property-based: any JSON value given as a definition is read or refused clearly.

Whatever the input, ``read_definition`` returns a reading or raises ``DefinitionError``
(nothing else escapes: no KeyError, TypeError, RecursionError), and every resource the
execution role would get stays within the patterns the reader documents. The example
budget is fixed and the run is seeded (derandomized), so it is reproducible and fast.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sm_pipeline_iam.core.catalog.schema import StepType
from sm_pipeline_iam.core.catalog.steps import CATALOG
from sm_pipeline_iam.core.definition.reader import DEFINITION_LIMIT, max_nesting, read_definition
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.core.execution_role.policy import build_statements
from sm_pipeline_iam.core.job_roles.policy import job_statements

SETTINGS = settings(max_examples=300, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

KEYS = ["Name", "Type", "Arguments", "RoleArn", "ExecutionRoleArn", "S3Uri", "Get",
        "Std:Join", "On", "Values", "Std:JsonGet", "PropertyFile", "Path", "IfSteps",
        "ElseSteps", "ForEachBody", "TrainingJobName", "ProcessingInputs", "S3Input",
        "S3DataType", "ProcessingOutputConfig", "Outputs", "S3Output", "OutputName",
        "ModelPackageGroupName", "FunctionArn", "SqsQueueUrl", "ClusterId", "Resources",
        "S3", "S3Uris", "StepName", "EndpointName", "EndpointConfigName", "ModelName"]
STRINGS = st.sampled_from([
    "s3://bucket/key", "s3://b", "arn:aws:iam::111122223333:role/r", "fraud", "Steps.A.B",
    "Parameters.P", "Execution.PipelineExecutionId", "Steps.Train.TrainingJobName",
    "https://sqs.us-east-1.amazonaws.com/111122223333/q", "", "x" * 70, "é",
    *[t.value for t in StepType],
]) | st.text(max_size=12)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | STRINGS,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5),
    max_leaves=40,
)
#: References into the steps of a two-step definition (S and R), their own fields
#: included: step property references are resolved through the other step's values.
REFERENCES = st.builds(
    lambda step, path: {"Get": f"Steps.{step}.{path}"},
    st.sampled_from(["S", "R"]),
    st.sampled_from(["TrainingJobName", "ProcessingJobName", "ModelArtifacts.S3ModelArtifacts",
                     "Arguments.EndpointConfigName", "EndpointConfigName", "ModelName",
                     "OutputDataConfig.S3OutputPath", "TransformJobName",
                     "BestTrainingJob.TrainingJobName", "ProcessingOutputConfig.Outputs[0]"
                     ".S3Output.S3Uri"]),
)
STEP = st.fixed_dictionaries(
    {"Name": STRINGS, "Type": st.sampled_from([t.value for t in StepType]) | STRINGS},
    optional={"Arguments": JSON, "FunctionArn": STRINGS, "SqsQueueUrl": STRINGS,
              "PropertyFiles": JSON, "ModelPackageGroupName": JSON},
)
DEFINITION = st.fixed_dictionaries(
    {"Steps": st.lists(STEP | JSON, max_size=5)},
    optional={"PipelineExperimentConfig": JSON, "Parameters": JSON},
)


def _read(definition: Any) -> None:
    try:
        reading = read_definition(definition, allow_unknown_step_types=True)
    except DefinitionError as error:
        assert error.problems, "a DefinitionError names at least one problem"
        assert all(p.message for p in error.problems)
        return
    for statement in build_statements(reading.requirements):
        assert statement.resources
        # Never a silent '*': a bare '*' resource only for catalog groups IAM gives no
        # resource type (each named in a wideGrant warning).
        if "*" in statement.resources:
            assert statement.wildcard_reason
    for job in reading.jobs:
        job_statements(job)


@SETTINGS
@given(DEFINITION)
def test_any_definition_shape_is_read_or_refused(definition: dict[str, Any]) -> None:
    """GIVEN any definition-shaped JSON WHEN read THEN a reading or a DefinitionError."""
    _read(definition)


@SETTINGS
@given(JSON)
def test_any_json_value_is_read_or_refused(value: Any) -> None:
    """GIVEN any JSON value WHEN read as a definition THEN a reading or a DefinitionError."""
    _read(value if isinstance(value, dict) else {"Steps": value})


def _nested_conditions(depth: int) -> dict[str, Any]:
    step: dict[str, Any] = {"Name": "Leaf", "Type": "Fail", "Arguments": {}}
    for level in range(depth):
        step = {"Name": f"C{level}", "Type": "Condition",
                "Arguments": {"Conditions": [], "IfSteps": [step]}}
    return {"Steps": [step]}


def test_96_nested_conditions_are_read() -> None:
    """GIVEN 96 nested Conditions (a public Airflow system-test pipeline's depth) WHEN read
    THEN every step is read: SageMaker sets no depth limit."""
    reading = read_definition(json.dumps(_nested_conditions(96)))
    assert len(reading.steps) == 97


def test_nesting_up_to_pythons_limit_is_read() -> None:
    """GIVEN a step nested exactly max_nesting() levels deep WHEN read THEN it is read."""
    conditions = (max_nesting() - 3) // 3  # a Condition is three levels; the leaf three
    reading = read_definition(_nested_conditions(conditions))
    assert len(reading.steps) == conditions + 1


def test_deeper_nesting_is_one_definition_error_stating_pythons_limit() -> None:
    """GIVEN a dict nested beyond max_nesting(), a Std:Join as deep, and a JSON text nested
    500,000 levels within SageMaker's 1 MB WHEN read THEN one DefinitionError (tooDeep)
    each, naming the step where it can and stating Python's recursion limit as the reason,
    never a RecursionError."""
    text = '{"Steps": [' + "[" * 500_000 + "]" * 500_000 + "]}"
    assert len(text) < DEFINITION_LIMIT
    cases = [
        (_nested_conditions(max_nesting() // 3 + 1), "step 'C"),
        ({"Steps": [{"Name": "Deep", "Type": "Training",
                     "Arguments": {"TrainingJobName": _join(max_nesting())}}]}, "step 'Deep'"),
        (text, "the definition"),
    ]
    for definition, where in cases:
        with pytest.raises(DefinitionError) as raised:
            read_definition(definition)
        (problem,) = raised.value.problems
        assert problem.code == "tooDeep"
        assert problem.message.startswith(where)
        assert "SageMaker limits only a definition's size" in problem.message
        assert "sys.getrecursionlimit()" in problem.message


def test_sagemakers_size_limit_holds_for_text_and_dict() -> None:
    """GIVEN a definition one character over SageMaker's 1,048,576, as text and as the
    parsed dict WHEN read THEN one DefinitionError (tooLarge) each."""
    filler = "x" * DEFINITION_LIMIT
    definition = {"Steps": [], "Metadata": {"Note": filler}}
    for source in (json.dumps(definition), definition):
        with pytest.raises(DefinitionError) as raised:
            read_definition(source)
        assert [p.code for p in raised.value.problems] == ["tooLarge"]


def test_a_deep_value_outside_the_steps_is_refused_too() -> None:
    """GIVEN a dict whose Metadata nests beyond max_nesting() WHEN read THEN tooDeep for
    the definition, not a RecursionError later."""
    deep: Any = {}
    for _ in range(max_nesting() + 1):
        deep = {"Inner": deep}
    with pytest.raises(DefinitionError) as raised:
        read_definition({"Steps": [], "Metadata": deep})
    assert [p.code for p in raised.value.problems] == ["tooDeep"]


def _join(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"Std:Join": {"On": "-", "Values": [value]}}
    return value


def test_a_cycle_of_references_is_a_definition_error() -> None:
    """GIVEN two steps whose job names refer to each other WHEN read THEN DefinitionError
    naming the cycle, not a RecursionError."""
    definition = {"Steps": [
        {"Name": "A", "Type": "Processing", "Arguments": {
            "ProcessingJobName": {"Get": "Steps.B.Arguments"},
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": "o", "S3Output": {
                "S3Uri": {"Get": "Steps.B.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"}
            }}]}}},
        {"Name": "B", "Type": "Processing", "Arguments": {
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": "o", "S3Output": {
                "S3Uri": {"Get": "Steps.A.ProcessingOutputConfig.Outputs['o'].S3Output.S3Uri"}
            }}]}}},
    ]}
    try:
        read_definition(definition)
    except DefinitionError as error:
        assert any("cycle" in p.message for p in error.problems)
    else:
        raise AssertionError("a cycle was read")


def test_unreadable_sources_are_definition_errors(tmp_path: Any) -> None:
    """GIVEN a non-UTF-8 file, a missing path, a directory and a non-JSON type WHEN read
    THEN DefinitionError with one problem saying what is wrong."""
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"Steps": [], "Name": "caf\xe9"}'.encode("latin-1"))
    cases = {latin: "notUtf8", tmp_path / "missing.json": "unreadable",
             tmp_path: "unreadable", 42: "notADefinition"}
    for source, code in cases.items():
        try:
            read_definition(source)  # type: ignore[arg-type]
        except DefinitionError as error:
            assert [p.code for p in error.problems] == [code], source
        else:
            raise AssertionError(f"{source!r} was read")


def test_null_where_an_object_belongs_is_read_or_named() -> None:
    """GIVEN nulls in place of Arguments, outputs and property files WHEN read THEN a
    reading or a DefinitionError, never a TypeError."""
    definition = {"Steps": [
        {"Name": "P", "Type": "Processing", "Arguments": {"ProcessingOutputConfig": None},
         "PropertyFiles": [{"PropertyFileName": "F", "OutputName": "o", "FilePath": "f"}]},
        {"Name": "C", "Type": "Condition", "Arguments": {"Conditions": [{"LeftValue": {
            "Std:JsonGet": {"PropertyFile": {"Get": "Steps.P.PropertyFiles.F"}, "Path": "a"}
        }}]}},
        {"Name": "N", "Type": "Training", "Arguments": None},
    ]}
    try:
        read_definition(definition)
    except DefinitionError as error:
        assert {p.prop for p in error.problems} >= {"N.Arguments"}


def _field_paths(step_type: StepType) -> list[str]:
    """The catalog paths of a step type's names, roles, S3 locations and images."""
    spec = CATALOG[step_type]
    paths = [source.path for group in spec.action_groups for source in group.names]
    paths += [field.path for field in spec.role_fields]
    for job in (spec.job, spec.hosting):
        if job is not None:
            paths += [use.path for use in job.s3] + list(job.images)
    return sorted(set(paths))


def _put(step: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a catalog path, making the objects and lists on the way (a
    ``[*]`` segment is a list of one object, ``[Key=Value]`` an object holding Key)."""
    head, _, rest = path.partition(".")
    segment = re.fullmatch(r"(\w+)(?:\[(\*|\w+=\w+)\])?", head)  # steps.Source's syntax
    assert segment is not None, path
    key, selector = segment.groups()
    if not rest:
        step[key] = value
        return
    if selector == "*":
        items = step.get(key) if isinstance(step.get(key), list) else [{}]
        step[key] = items
        container = items[0] if isinstance(items[0], dict) else {}
        items[0] = container
    else:
        container = step.get(key) if isinstance(step.get(key), dict) else {}
        step[key] = container
        if selector is not None:
            selected, _, wanted = selector.partition("=")
            container[selected] = wanted
    _put(container, rest, value)


@SETTINGS
@given(st.data())
def test_any_value_in_any_name_role_s3_or_image_field_is_read_or_refused(
    data: st.DataObject,
) -> None:
    """GIVEN a step of any type whose name, role, S3 and image fields (every catalog path)
    hold any JSON value, next to a step that refers to its properties WHEN read THEN a
    reading or one DefinitionError, never another exception (an ExpressionError from a
    job-name field was one)."""
    step_type = data.draw(st.sampled_from(sorted(CATALOG, key=str)), "step type")
    paths = _field_paths(step_type)
    values = data.draw(st.dictionaries(st.sampled_from(paths), JSON | REFERENCES,
                                       min_size=1), "fields") if paths else {}
    step: dict[str, Any] = {"Name": "S", "Type": step_type.value, "Arguments": {}}
    for path, value in values.items():
        _put(step, path, value)
    referring: dict[str, Any] = {"Name": "R", "Type": step_type.value, "Arguments": {}}
    for path in paths:
        _put(referring, path, data.draw(REFERENCES, path))
    _read({"Steps": [step, referring]})
