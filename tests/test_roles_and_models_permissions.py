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
