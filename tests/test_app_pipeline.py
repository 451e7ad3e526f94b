"""The sample app deploys the sample pipeline (``LeastPrivilegePipeline``) when
``pipeline_definition`` and ``pipeline_name`` are given; its pipeline context keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from app import PipelineIamStack, build_app
from sm_pipeline_iam import AppContextError
from sm_pipeline_iam.core.definition.rewrite import role_slots
from support.cfn import resources_of_type, synthesized_resolver
from support.scenarios import sample_context, stacks_of

SAMPLE = str(Path(__file__).resolve().parents[1] / "samples" / "pipeline.json")
BOUND_INPUT = "InputDataUrl=s3://sm-pipeline-iam-sample-111122223333/abalone/input"


def _workload(**context: str) -> PipelineIamStack:
    stack = stacks_of(build_app(sample_context(**context)))[0]
    assert isinstance(stack, PipelineIamStack)
    return stack


def _template(stack: PipelineIamStack) -> dict[str, Any]:
    return Template.from_stack(stack).to_json()


def test_default_app_deploys_no_pipeline() -> None:
    stack = _workload()
    assert stack.pipeline is None
    assert not resources_of_type(_template(stack), "AWS::SageMaker::Pipeline")


def test_definition_and_name_deploy_the_pipeline_with_its_roles() -> None:
    """GIVEN the sample definition and a name WHEN synthesized THEN the stack holds the
    pipeline, run by the execution role, each job step pointed at its generated role, the
    roles exported, and every role among the workload roles (the SCP exempts them)."""
    stack = _workload(pipeline_definition=SAMPLE, pipeline_name="sample-abalone")
    assert stack.pipeline is not None
    template = _template(stack)
    (pipeline,) = resources_of_type(template, "AWS::SageMaker::Pipeline").values()
    resolver = synthesized_resolver(template, "PipelineIamStack")
    assert pipeline["Properties"]["PipelineName"] == "sample-abalone"
    execution = stack.get_logical_id(stack.execution_role.node.default_child)  # type: ignore[arg-type]
    assert pipeline["Properties"]["RoleArn"] == {"Fn::GetAtt": [execution, "Arn"]}
    body = resolver.resolve(pipeline["Properties"]["PipelineDefinition"][
        "PipelineDefinitionBody"])
    roles = {slot.step: slot.value for slot in role_slots(json.loads(body))}
    assert set(roles) == {"PreprocessAbaloneData", "TrainAbaloneModel",
                          "EvaluateAbaloneModel", "CreateAbaloneModel"}
    assert all(":role/PipelineJobRolesStep" in arn for arn in roles.values()), roles
    assert {"PipelineName", "PipelineExecutionRoleArn"} <= set(template["Outputs"])
    assert set(stack.workload_roles) >= {stack.execution_role,
                                         *stack.pipeline.job_roles.roles.values()}


def test_keep_roles_for_keeps_the_definitions_role() -> None:
    stack = _workload(pipeline_definition=SAMPLE, pipeline_name="sample-abalone",
                      keep_roles_for="EvaluateAbaloneModel")
    assert stack.pipeline is not None
    assert stack.pipeline.job_roles.kept_steps == ("EvaluateAbaloneModel",)


def test_parameter_values_bind_the_input_and_the_opt_in_opens_it() -> None:
    """GIVEN InputDataUrl left to its default, bound, or opted in to any value WHEN
    synthesized THEN the preprocess job role reads the default object, the bound folder,
    or any bucket (only then)."""
    default = _resolved(_workload(pipeline_definition=SAMPLE, pipeline_name="sample-abalone"))
    bound = _resolved(_workload(pipeline_definition=SAMPLE, pipeline_name="sample-abalone",
                                parameter_values=BOUND_INPUT))
    opened = _resolved(_workload(pipeline_definition=SAMPLE, pipeline_name="sample-abalone",
                                 any_value_parameters="InputDataUrl"))
    assert "arn:aws:s3:::*/*" not in default
    assert ("arn:aws:s3:::sm-pipeline-iam-sample-111122223333/abalone/input/abalone.csv"
            in default)
    assert "arn:aws:s3:::*/*" not in bound
    assert "arn:aws:s3:::sm-pipeline-iam-sample-111122223333/abalone/input*" in bound
    assert "arn:aws:s3:::*/*" in opened


def _resolved(stack: PipelineIamStack) -> str:
    """The stack's resources with their intrinsics resolved, as text."""
    template = _template(stack)
    resolver = synthesized_resolver(template, "PipelineIamStack")
    return json.dumps(resolver.resolve(template["Resources"]))


@pytest.mark.parametrize(("context", "match"), [
    ({"parameter_values": "Nope=x"}, "'Nope', which the definition does not declare"),
    ({"any_value_parameters": "Nope"}, "any_value_parameters names 'Nope', which the "
     "definition does not declare"),
    ({"any_value_parameters": "InputDataUrl", "parameter_values": BOUND_INPUT},
     "any_value_parameters names 'InputDataUrl', which parameter_values binds"),
    ({"parameter_values": "InputDataUrl"}, "is not Name=value"),
    ({"parameter_values": "InputDataUrl=a;InputDataUrl=b"}, "twice"),
    ({"job_roles": "none"}, "job_roles=none with pipeline_name"),
])
def test_bad_pipeline_context_is_one_line(context: dict[str, str], match: str) -> None:
    with pytest.raises(AppContextError, match=match):
        build_app(sample_context(pipeline_definition=SAMPLE, pipeline_name="sample-abalone",
                                 **context))


@pytest.mark.parametrize(("context", "match"), [
    ({"parameter_values": BOUND_INPUT}, "parameter_values needs pipeline_definition"),
    ({"keep_roles_for": "Train"}, "keep_roles_for needs pipeline_definition"),
])
def test_pipeline_keys_without_a_definition_are_errors(context: dict[str, str],
                                                       match: str) -> None:
    with pytest.raises(AppContextError, match=match):
        build_app(sample_context(**context))


@pytest.mark.parametrize("name", ["", "no-jobs"])
def test_a_definition_without_job_steps_deploys_with_the_default_job_roles(
    name: str, tmp_path: Path
) -> None:
    """GIVEN a Lambda-only definition and the default job_roles (per-step) WHEN synthesized,
    roles only or with the pipeline THEN no job role is made: the stack's roles are the
    execution role and the teams' roles."""
    definition = tmp_path / "lambda.json"
    definition.write_text(json.dumps({"Version": "2020-12-01", "Steps": [{
        "Name": "Notify", "Type": "Lambda", "Arguments": {}, "OutputParameters": [],
        "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:notify"}]}))
    stack = _workload(pipeline_definition=str(definition), pipeline_name=name)
    assert stack.job_roles is None
    assert stack.workload_roles == [stack.execution_role, *stack.team_roles]
    assert sorted(resources_of_type(_template(stack), "AWS::IAM::Role")) == sorted(
        stack.get_logical_id(role.node.default_child)  # type: ignore[arg-type]
        for role in stack.workload_roles)
