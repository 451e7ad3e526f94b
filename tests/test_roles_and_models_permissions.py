"""The roles of other steps and the models of other teams, evaluated by a real IAM engine
(issue 21, section 3): a kept step's role from a parameter is the bound roles only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from iamsim import Request
from sm_pipeline_iam import PipelineExecutionRole, PipelineJobRoles, PrefixedStepRole
from sm_pipeline_iam.core.errors import DefinitionError
from support.cfn import ACCOUNT, REGION, Resolver, synthesized_resolver
from support.tables import PRINCIPAL, SAGEMAKER, decide, pass_role, role_id_of

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


# --- the models a transform job or endpoint config may run (sagemaker:ModelArn) ----------

SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def _create(action: str, resource: str, model: str | None) -> Request:
    context = {} if model is None else {"sagemaker:ModelArn": f"{SM}:model/{model}"}
    return Request(f"{action} {resource} model={model}", PRINCIPAL, f"sagemaker:{action}",
                   f"{SM}:{resource}", context)


def test_a_team_role_runs_its_own_models_only() -> None:
    """GIVEN a team role (prefix rsch) WHEN it creates a transform job or endpoint config
    THEN with its own model allowed; with another team's model, or (a transform job)
    naming none, denied."""
    stack = _stack()
    PrefixedStepRole(stack, "Team", job_prefix="rsch",
                     step_types=["Transform", "EndpointConfig"])
    resolver = _resolver(stack)
    transform, config = "transform-job/rsch-batch-1", "endpoint-config/rsch-config"
    results = decide(resolver, [
        _create("CreateTransformJob", transform, "rsch-model-1"),
        _create("CreateEndpointConfig", config, "rsch-model-1"),
        _create("CreateTransformJob", transform, "ana-model-1"),
        _create("CreateEndpointConfig", config, "ana-model-1"),
        _create("CreateTransformJob", transform, "rscha-model-1"),
        _create("CreateTransformJob", transform, None),
    ])
    assert results == {
        f"CreateTransformJob {transform} model=rsch-model-1": "Allowed",
        f"CreateEndpointConfig {config} model=rsch-model-1": "Allowed",
        f"CreateTransformJob {transform} model=ana-model-1": "ImplicitlyDenied",
        f"CreateEndpointConfig {config} model=ana-model-1": "ImplicitlyDenied",
        f"CreateTransformJob {transform} model=rscha-model-1": "ImplicitlyDenied",
        f"CreateTransformJob {transform} model=None": "ImplicitlyDenied",
    }


def _transform_of(model: object) -> dict[str, Any]:
    """tuning_transform_foreach with BatchScore's ModelName set to ``model``."""
    definition: dict[str, Any] = json.loads(
        (DEFINITIONS / "tuning_transform_foreach.json").read_text())
    for step in definition["Steps"]:
        if step["Name"] == "BatchScore":
            step["Arguments"]["ModelName"] = model
    return definition


def test_the_execution_role_runs_the_models_of_its_pipeline_only() -> None:
    """GIVEN a Transform of the model its Model step makes, and one of a model from outside
    the pipeline named literally WHEN the execution role creates the transform job THEN
    the pipeline's model (either spelling), or that literal model, is allowed; another
    team's model or a model whose name only starts alike is denied."""
    job = "transform-job/pipelines-x1y2-BatchScore-tok"
    made = _stack()
    PipelineExecutionRole.from_definition(made, "Execution", _transform_of(
        {"Get": "Steps.CreateBestModel.ModelName"}))
    outside = _stack()
    PipelineExecutionRole.from_definition(outside, "Execution",
                                          _transform_of("shared-fraud-model"))
    assert decide(_resolver(made), [
        _create("CreateTransformJob", job, "pipelines-x1y2-CreateBestModel-tok"),
        _create("CreateTransformJob", job, "pipelines-x1y2-createbestmodel-tok"),
        _create("CreateTransformJob", job, "ana-model-1"),
        _create("CreateTransformJob", job, "pipelines-x1y2-OtherModel-tok"),
    ]) == {
        f"CreateTransformJob {job} model=pipelines-x1y2-CreateBestModel-tok": "Allowed",
        f"CreateTransformJob {job} model=pipelines-x1y2-createbestmodel-tok": "Allowed",
        f"CreateTransformJob {job} model=ana-model-1": "ImplicitlyDenied",
        f"CreateTransformJob {job} model=pipelines-x1y2-OtherModel-tok": "ImplicitlyDenied",
    }
    assert decide(_resolver(outside), [
        _create("CreateTransformJob", job, "shared-fraud-model"),
        _create("CreateTransformJob", job, "shared-fraud-model-v2"),
        _create("CreateTransformJob", job, "pipelines-x1y2-CreateBestModel-tok"),
    ]) == {
        f"CreateTransformJob {job} model=shared-fraud-model": "Allowed",
        f"CreateTransformJob {job} model=shared-fraud-model-v2": "ImplicitlyDenied",
        f"CreateTransformJob {job} model=pipelines-x1y2-CreateBestModel-tok": "ImplicitlyDenied",
    }
