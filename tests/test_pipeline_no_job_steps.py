"""Definitions without a step whose job runs as a role of its own (EMR only, Lambda only, a
Transform of a model made outside the pipeline): ``LeastPrivilegePipeline`` deploys them
with the execution role alone; ``PipelineJobRoles`` on them names itself and the fix."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from iamsim import Request
from sm_pipeline_iam import InvalidPropsError, LeastPrivilegePipeline, PipelineJobRoles
from sm_pipeline_iam.core.job_roles.assignment import NoJobRoleError
from sm_pipeline_iam.core.notices import MODEL_OUTSIDE_PIPELINE
from support.cfn import ACCOUNT, REGION, resources_of_type, synthesized_resolver
from support.tables import PRINCIPAL, SAGEMAKER, assert_all, decide, pass_role

EMR_SERVICE = "elasticmapreduce.amazonaws.com"
CLUSTER = f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
TRANSFORM_JOB = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:transform-job/"
TRAINING_JOB = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/"
RUNTIME_ROLE = f"arn:aws:iam::{ACCOUNT}:role/EmrRuntimeRole"

EMR_ONLY = {"Version": "2020-12-01", "Steps": [{
    "Name": "AggregateOnEmr", "Type": "EMR",
    "Arguments": {
        "ClusterId": "j-1ABCDEFGHIJKL", "ExecutionRoleArn": RUNTIME_ROLE,
        "StepConfig": {"HadoopJarStep": {"Jar": "command-runner.jar",
                                         "Args": ["spark-submit", "s3://b/code/agg.py"]}},
    },
}]}
LAMBDA_ONLY = {"Version": "2020-12-01", "Steps": [{
    "Name": "Notify", "Type": "Lambda", "Arguments": {"segment": "online"},
    "FunctionArn": f"{FUNCTION}notify-team", "OutputParameters": [],
}]}
OUTSIDE_MODEL_TRANSFORM = {"Version": "2020-12-01", "Steps": [{
    "Name": "BatchScore", "Type": "Transform",
    "Arguments": {
        "ModelName": "fraud-model-registered-elsewhere",
        "TransformInput": {"DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://ml-artifacts/fraud/batch-input"}}},
        "TransformOutput": {"S3OutputPath": "s3://ml-artifacts/fraud/batch-output"},
        "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge"},
    },
}]}


def _request(action: str, arn: str, model: str | None = None) -> Request:
    context = {} if model is None else {
        "sagemaker:ModelArn": f"{TRANSFORM_JOB.split('transform-job/')[0]}model/{model}"}
    return Request(f"{action} {arn} {model}", PRINCIPAL, action, arn, context)


#: Shape -> (definition, what its execution role may do, the neighbours it may not).
SHAPES: dict[str, tuple[dict[str, Any], list[Request], list[Request]]] = {
    "emr": (EMR_ONLY,
            [_request("elasticmapreduce:AddJobFlowSteps", f"{CLUSTER}j-1ABCDEFGHIJKL"),
             pass_role(RUNTIME_ROLE, EMR_SERVICE)],
            [_request("elasticmapreduce:AddJobFlowSteps", f"{CLUSTER}j-2OTHERCLUSTER"),
             pass_role(RUNTIME_ROLE, SAGEMAKER),
             _request("sagemaker:CreateTrainingJob", f"{TRAINING_JOB}x")]),
    "lambda": (LAMBDA_ONLY,
               [_request("lambda:InvokeFunction", f"{FUNCTION}notify-team")],
               [_request("lambda:InvokeFunction", f"{FUNCTION}notify-other"),
                pass_role(RUNTIME_ROLE, SAGEMAKER)]),
    "outside_model_transform": (
        OUTSIDE_MODEL_TRANSFORM,
        [_request("sagemaker:CreateTransformJob",
                  f"{TRANSFORM_JOB}pipelines-a1b2c3-BatchScore-d4e5f6-0",
                  "fraud-model-registered-elsewhere")],
        [_request("sagemaker:CreateTransformJob",
                  f"{TRANSFORM_JOB}pipelines-a1b2c3-OtherStep-d4e5f6-0",
                  "fraud-model-registered-elsewhere"),
         _request("sagemaker:CreateTransformJob",
                  f"{TRANSFORM_JOB}pipelines-a1b2c3-BatchScore-d4e5f6-0", "other-team-model"),
         pass_role(RUNTIME_ROLE, SAGEMAKER)]),
}


def _deploy(definition: dict[str, Any]) -> tuple[cdk.Stack, LeastPrivilegePipeline]:
    stack = cdk.Stack(cdk.App(), "Stack",
                      env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = LeastPrivilegePipeline(stack, "Pipeline", definition=definition,
                                      pipeline_name="no-jobs")
    return stack, pipeline


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_least_privilege_pipeline_deploys_it_with_the_execution_role_only(shape: str) -> None:
    """GIVEN a definition with no step whose job runs as a role of its own WHEN
    LeastPrivilegePipeline deploys it THEN the stack holds the pipeline and one role, the
    execution role, which may do what the steps do and not their neighbours."""
    definition, allowed, denied = SHAPES[shape]
    stack, pipeline = _deploy(definition)
    template = Template.from_stack(stack).to_json()
    assert pipeline.job_roles is None
    (role_id,) = resources_of_type(template, "AWS::IAM::Role")
    assert len(resources_of_type(template, "AWS::SageMaker::Pipeline")) == 1
    resolver = synthesized_resolver(template)
    assert_all(decide(resolver, allowed, role_id=role_id), "Allowed")
    assert_all(decide(resolver, denied, role_id=role_id), "ImplicitlyDenied")
    with pytest.raises(NoJobRoleError, match="no step of this pipeline runs a SageMaker job"):
        pipeline.role_for(definition["Steps"][0]["Name"])


def test_the_transform_of_an_outside_model_keeps_its_warning() -> None:
    """GIVEN a Transform of a model made outside the pipeline WHEN deployed THEN the warning
    that its job runs as that model's role (not made here) is on the pipeline."""
    stack, _ = _deploy(OUTSIDE_MODEL_TRANSFORM)
    warnings = [str(w.entry.data) for w in Annotations.from_stack(stack).find_warning(
        "*", Match.any_value())]
    assert [w for w in warnings if MODEL_OUTSIDE_PIPELINE in w and "'BatchScore'" in w]


def test_job_roles_alone_on_it_name_themselves_and_the_fix() -> None:
    """GIVEN such a definition WHEN PipelineJobRoles is made directly THEN one problem that
    names PipelineJobRoles, and says to leave it out, and nothing is made."""
    stack = cdk.Stack(cdk.App(), "Stack")
    with pytest.raises(InvalidPropsError) as raised:
        PipelineJobRoles(stack, "JobRoles", definition=LAMBDA_ONLY)
    (problem,) = raised.value.problems
    assert problem.code == "noJobSteps"
    assert "PipelineJobRoles has no role to make" in problem.message
    assert "Leave PipelineJobRoles out" in problem.message
    assert "LeastPrivilegePipeline deploys it without job roles" in problem.message
    assert not [c for c in stack.node.find_all() if isinstance(c, iam.Role)]
