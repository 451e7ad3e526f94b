"""The roles of other steps and the models of other teams, evaluated by a real IAM engine
(issue 21, section 3): a kept step's role from a parameter is the bound roles only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from sm_pipeline_iam import PipelineExecutionRole, PipelineJobRoles
from sm_pipeline_iam.core.errors import DefinitionError
from support.cfn import ACCOUNT, REGION, Resolver, synthesized_resolver
from support.tables import SAGEMAKER, decide, pass_role, role_id_of

DEFINITIONS = Path(__file__).resolve().parent / "fixtures" / "definitions"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/{{}}"


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))


def _role_from_parameter() -> dict[str, Any]:
    """training_eval_register with the Processing steps' RoleArn from a parameter."""
    definition: dict[str, Any] = json.loads(
        (DEFINITIONS / "training_eval_register.json").read_text())
    definition["Parameters"].append({"Name": "ProcessingRole", "Type": "String"})
    for step in definition["Steps"]:
        if step["Type"] == "Processing":
            step["Arguments"]["RoleArn"] = {"Get": "Parameters.ProcessingRole"}
    return definition


def _resolver(stack: cdk.Stack) -> Resolver:
    return synthesized_resolver(Template.from_stack(stack).to_json(), "Stack")


def test_a_kept_role_from_a_parameter_passes_the_bound_roles_only() -> None:
    """GIVEN a kept step whose RoleArn is a parameter bound to one role WHEN the execution
    role passes roles THEN that role (and the other steps' own) is allowed, any other role
    denied; opted in to any value instead, it is refused naming the step and field."""
    stack = _stack()
    bound = {"ProcessingRole": [ROLE.format("BoundProcessingRole")]}
    job_roles = PipelineJobRoles(stack, "JobRoles", definition=_role_from_parameter(),
                                 keep_roles_for=["PreprocessData", "EvaluateModel"],
                                 parameter_values=bound)
    PipelineExecutionRole.from_definition(stack, "Execution", _role_from_parameter(),
                                          job_roles=job_roles, parameter_values=bound)
    resolver = _resolver(stack)
    results = decide(resolver, [
        pass_role(ROLE.format("BoundProcessingRole"), SAGEMAKER),
        pass_role(ROLE.format("AdminRole"), SAGEMAKER),
        pass_role(ROLE.format("OtherTeamTrainingRole"), SAGEMAKER),
    ], role_id=role_id_of(resolver, "Execution"))
    assert results == {
        f"pass {ROLE.format('BoundProcessingRole')} to {SAGEMAKER}": "Allowed",
        f"pass {ROLE.format('AdminRole')} to {SAGEMAKER}": "ImplicitlyDenied",
        f"pass {ROLE.format('OtherTeamTrainingRole')} to {SAGEMAKER}": "ImplicitlyDenied",
    }
    with pytest.raises(DefinitionError, match=r"step 'PreprocessData' field RoleArn: "
                       r"parameter 'ProcessingRole' is opted in to any value"):
        PipelineJobRoles(_stack(), "JobRoles", definition=_role_from_parameter(),
                         keep_roles_for=["PreprocessData", "EvaluateModel"],
                         any_value_parameters=["ProcessingRole"])


def _trust(stack: cdk.Stack, construct_id: str) -> dict[str, Any]:
    """The resolved trust statement of the role ``construct_id`` of ``stack``."""
    role = stack.node.find_child(construct_id)
    resolver = _resolver(stack)
    logical_id = stack.get_logical_id(role.node.default_child)  # type: ignore[arg-type]
    document = resolver.resolve(
        resolver.template["Resources"][logical_id]["Properties"]["AssumeRolePolicyDocument"])
    statement: dict[str, Any] = document["Statement"][0]
    return statement


@pytest.mark.parametrize(("name", "spellings"), [
    ("fraud-train", ["fraud-train"]), ("Fraud-Train", ["Fraud-Train", "fraud-train"])])
def test_the_execution_role_trusts_its_pipelines_executions_only(
    name: str, spellings: list[str]
) -> None:
    """GIVEN from_definition with pipeline_name WHEN synthesized THEN SageMaker may assume
    the role only with an aws:SourceArn of this pipeline's executions (both spellings of a
    mixed-case name), beside aws:SourceAccount; without pipeline_name, the account only."""
    stack = _stack()
    definition = DEFINITIONS / "training_eval_register.json"
    PipelineExecutionRole.from_definition(stack, "Named", definition, pipeline_name=name)
    PipelineExecutionRole.from_definition(stack, "Unnamed", definition)
    named = _trust(stack, "Named")
    assert named["Principal"] == {"Service": SAGEMAKER}
    assert named["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": [
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{spelling}/*"
            for spelling in spellings]},
    }
    assert _trust(stack, "Unnamed")["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_a_role_the_definition_hands_to_its_steps_keeps_the_account_trust() -> None:
    """GIVEN a definition whose step runs as the execution role itself (named by role_name)
    WHEN synthesized with pipeline_name THEN its trust stays aws:SourceAccount only: that
    step's job assumes it with the job's ARN."""
    definition = json.loads((DEFINITIONS / "training_eval_register.json").read_text())
    for step in definition["Steps"]:
        if step["Type"] == "Processing":
            step["Arguments"]["RoleArn"] = ROLE.format("fraud-pipeline-role")
    stack = _stack()
    PipelineExecutionRole.from_definition(stack, "Role", definition, pipeline_name="fraud",
                                          role_name="fraud-pipeline-role")
    assert "ArnLike" not in _trust(stack, "Role")["Condition"]
