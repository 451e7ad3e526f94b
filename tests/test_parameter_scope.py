"""Pipeline parameters fail closed: an unbound parameter is scoped to its DefaultValue, one
with no default that a grant needs is a DefinitionError, and the wide grant only comes
with the named opt-in ``any_value_parameters`` (a finding of the review report)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from iamsim import Request
from sm_pipeline_iam import (
    DefinitionError,
    InvalidPropsError,
    LeastPrivilegePipeline,
    PipelineExecutionRole,
    PipelineJobRoles,
)
from sm_pipeline_iam.core.definition.reader import ANY_VALUE, DEFAULT, NO_GRANT, read_definition
from sm_pipeline_iam.core.notices import ANY_VALUE_METADATA
from support.cfn import ACCOUNT, REGION, resources_of_type, synthesized_resolver
from support.tables import PRINCIPAL, SAGEMAKER, assert_all, decide, pass_role

DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"
TRAINING = DEFINITIONS / "training_eval_register.json"
DEFAULT_INPUT = "ml-artifacts-111122223333/raw/transactions.csv"


def _training() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TRAINING.read_text())
    return loaded


def _without_default(definition: dict[str, Any], name: str) -> dict[str, Any]:
    for parameter in definition["Parameters"]:
        if parameter["Name"] == name:
            del parameter["DefaultValue"]
    return definition


def _get_object(arn: str) -> Request:
    return Request(f"s3:GetObject {arn}", PRINCIPAL, "s3:GetObject", arn)


# --- the reader ----------------------------------------------------------------------------


def test_a_parameter_without_default_that_a_grant_needs_is_one_problem_per_field() -> None:
    """GIVEN InputDataUrl without a DefaultValue, read by two steps, and a parameter with
    no default that no grant needs WHEN read unbound THEN one DefinitionError naming each
    step, field and the parameter, with both fixes; the other parameter is no problem."""
    definition = _without_default(_training(), "InputDataUrl")
    definition["Parameters"].append({"Name": "Notes", "Type": "String"})
    definition["Steps"][2]["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = {
        "Get": "Parameters.InputDataUrl"}
    with pytest.raises(DefinitionError) as raised:
        read_definition(definition)
    problems = raised.value.problems
    assert {(p.prop, p.code) for p in problems} == {
        ("PreprocessData.ProcessingInputs[0].S3Input.S3Uri", "unboundParameter"),
        ("EvaluateModel.ProcessingInputs[0].S3Input.S3Uri", "unboundParameter"),
    }
    for problem in problems:
        assert "parameter 'InputDataUrl' has no DefaultValue and no parameter_values" in (
            problem.message)
        assert "parameter_values={'InputDataUrl': [" in problem.message
        assert "any_value_parameters=['InputDataUrl']" in problem.message
    reading = read_definition(definition, any_value_parameters=["InputDataUrl"])
    scopes = {p.name: p.scope for p in reading.parameters}
    assert (scopes["InputDataUrl"], scopes["Notes"]) == (ANY_VALUE, NO_GRANT)
    assert scopes["ProcessingInstanceType"] == NO_GRANT  # its default scopes no grant
    assert {p.name: p.scope for p in read_definition(TRAINING).parameters}[
        "InputDataUrl"] == DEFAULT


@pytest.mark.parametrize(("options", "code", "says"), [
    ({"any_value_parameters": ["InputDataURL"]}, "unknownParameter",
     "any_value_parameters names 'InputDataURL', which the definition neither declares nor "
     "refers to, so its values would bind nothing; did you mean 'InputDataUrl'?"),
    ({"any_value_parameters": ["InputDataUrl"],
      "parameter_values": {"InputDataUrl": ["s3://b/in"]}}, "boundAndAnyValue",
     "parameter 'InputDataUrl' is both bound (parameter_values) and allowed any value"),
])
def test_an_opt_in_that_names_no_parameter_or_a_bound_one_is_refused(
    options: dict[str, Any], code: str, says: str
) -> None:
    """GIVEN any_value_parameters with a misspelt name, or a parameter also bound WHEN read
    THEN a DefinitionError with the closest name, or naming both props."""
    with pytest.raises(DefinitionError) as raised:
        read_definition(TRAINING, **options)
    (problem,) = raised.value.problems
    assert (problem.prop, problem.code) == ("any_value_parameters", code)
    assert says in problem.message


def test_run_time_values_and_the_pipeline_name_are_not_parameters() -> None:
    """GIVEN an unbound Execution.PipelineName and Execution.PipelineExecutionId in S3 paths
    WHEN read without pipeline_name THEN no error: the warning and run-time notice stay."""
    reading = read_definition(DEFINITIONS / "integrations.json")
    assert [u.parameters for u in reading.unresolved] == [("Execution.PipelineName",)]


# --- the roles, by iam-simulate --------------------------------------------------------


def _pipeline(**props: Any) -> tuple[dict[str, Any], LeastPrivilegePipeline, cdk.Stack]:
    stack = cdk.Stack(cdk.App(), "Stack",
                      env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = LeastPrivilegePipeline(stack, "Pipeline", definition=TRAINING,
                                      pipeline_name="fraud", **props)
    return Template.from_stack(stack).to_json(), pipeline, stack


def _role_id(stack: cdk.Stack, role: Any) -> str:
    return stack.get_logical_id(role.node.default_child)


def test_an_unbound_input_with_a_default_is_read_there_only() -> None:
    """GIVEN InputDataUrl unbound WHEN deployed THEN the preprocess job's role reads the
    default object, and not another object of that bucket nor another bucket's."""
    template, pipeline, stack = _pipeline()
    resolver = synthesized_resolver(template)
    role = _role_id(stack, pipeline.role_for("PreprocessData"))
    assert_all(decide(resolver, [_get_object(f"arn:aws:s3:::{DEFAULT_INPUT}")],
                      role_id=role), "Allowed")
    denied = [_get_object("arn:aws:s3:::ml-artifacts-111122223333/raw/other.csv"),
              _get_object("arn:aws:s3:::other-bucket/raw/transactions.csv")]
    assert_all(decide(resolver, denied, role_id=role), "ImplicitlyDenied")
    assert ANY_VALUE_METADATA not in json.dumps(template)


def test_the_opt_in_opens_the_input_and_is_recorded_for_the_report() -> None:
    """GIVEN InputDataUrl opted in to any value WHEN deployed THEN the preprocess job's
    role reads any bucket's objects (the wide grant the user chose), another step's role
    still does not, and the role's metadata names the parameter and the grant."""
    template, pipeline, stack = _pipeline(any_value_parameters=["InputDataUrl"])
    resolver = synthesized_resolver(template)
    preprocess = _role_id(stack, pipeline.role_for("PreprocessData"))
    other = [_get_object("arn:aws:s3:::other-bucket/raw/transactions.csv")]
    assert_all(decide(resolver, other, role_id=preprocess), "Allowed")
    train = _role_id(stack, pipeline.role_for("TrainModel"))
    assert_all(decide(resolver, other, role_id=train), "ImplicitlyDenied")
    metadata = resources_of_type(template, "AWS::IAM::Role")[preprocess]["Metadata"]
    assert metadata[ANY_VALUE_METADATA] == [{"Parameter": "InputDataUrl", "Grants": [
        "step 'PreprocessData' field ProcessingInputs[0].S3Input.S3Uri: s3://*/*"]}]


def test_the_execution_role_is_scoped_to_the_default_too() -> None:
    """GIVEN the JsonGet of an unbound ScoresPrefix WHEN the execution role is made THEN it
    reads summaries under the default prefix only."""
    stack = cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))
    role = PipelineExecutionRole.from_definition(stack, "Role",
                                                 DEFINITIONS / "integrations.json",
                                                 pipeline_name="fraud")
    resolver = synthesized_resolver(Template.from_stack(stack).to_json())
    # The key holds the execution id (12 characters).
    allowed = [_get_object(
        "arn:aws:s3:::ml-artifacts-111122223333/scores/x1y2z3a4b5c6/summary.json")]
    denied = [_get_object("arn:aws:s3:::other-bucket/scores/x1y2z3a4b5c6/summary.json")]
    assert_all(decide(resolver, allowed, role_id=_role_id(stack, role)), "Allowed")
    assert_all(decide(resolver, denied, role_id=_role_id(stack, role)), "ImplicitlyDenied")


# --- the constructs' props ---------------------------------------------------------------


@pytest.mark.parametrize("build", [
    lambda stack, **kw: PipelineJobRoles(stack, "Subject", definition=TRAINING, **kw),
    lambda stack, **kw: PipelineExecutionRole.from_definition(stack, "Subject", TRAINING,
                                                              **kw),
    lambda stack, **kw: LeastPrivilegePipeline(stack, "Subject", definition=TRAINING,
                                               pipeline_name="fraud", **kw),
], ids=["job roles", "execution role", "pipeline"])
def test_every_entry_point_checks_the_opt_in(build: Any) -> None:
    """GIVEN any_value_parameters as a string, or naming no parameter WHEN each construct is
    made THEN InvalidPropsError (a list of names is expected), or DefinitionError with the
    closest name; nothing is made."""
    stack = cdk.Stack(cdk.App(), "Stack")
    with pytest.raises(InvalidPropsError) as raised:
        build(stack, any_value_parameters="InputDataUrl")
    assert ("any_value_parameters", "notAList") in {
        (p.prop, p.code) for p in raised.value.problems}
    with pytest.raises(DefinitionError, match="did you mean 'InputDataUrl'"):
        build(stack, any_value_parameters=["InputDataURL"])
    assert stack.node.try_find_child("Subject") is None


def _role_parameter(definition: dict[str, Any]) -> dict[str, Any]:
    """Every Processing and Training step's RoleArn from a parameter without a default."""
    definition["Parameters"].append({"Name": "JobRole", "Type": "String"})
    for step in definition["Steps"]:
        if step["Type"] in ("Processing", "Training"):
            step["Arguments"]["RoleArn"] = {"Get": "Parameters.JobRole"}
    return definition


def test_a_role_parameter_that_generated_roles_replace_needs_no_binding() -> None:
    """GIVEN job steps whose RoleArn is a parameter without a default WHEN deployed by
    LeastPrivilegePipeline (the fields rewritten to generated roles) THEN no binding is
    needed and the execution role passes the generated roles only; the same definition
    read for an execution role that passes the definition's roles, or with one of those
    steps kept, is a DefinitionError naming the field."""
    stack = cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = LeastPrivilegePipeline(stack, "Pipeline", definition=_role_parameter(
        _training()), pipeline_name="fraud")
    resolver = synthesized_resolver(Template.from_stack(stack).to_json())
    execution = _role_id(stack, pipeline.execution_role)
    generated = f"arn:aws:iam::{ACCOUNT}:role/" + resolver.role_name(
        _role_id(stack, pipeline.role_for("TrainModel")))
    assert_all(decide(resolver, [pass_role(generated, SAGEMAKER)], role_id=execution),
               "Allowed")
    assert_all(decide(resolver, [pass_role(f"arn:aws:iam::{ACCOUNT}:role/AnyRole", SAGEMAKER)],
                      role_id=execution), "ImplicitlyDenied")
    with pytest.raises(DefinitionError, match="field RoleArn: parameter 'JobRole' has no "):
        PipelineExecutionRole.from_definition(cdk.Stack(), "Role",
                                              _role_parameter(_training()))
    with pytest.raises(DefinitionError) as raised:
        PipelineJobRoles(cdk.Stack(), "JobRoles", definition=_role_parameter(_training()),
                         keep_roles_for=["TrainModel"])
    assert [p.prop for p in raised.value.problems] == ["TrainModel.RoleArn"]
