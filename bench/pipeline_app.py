"""The baseline of the pipeline synth benchmark: the sample definition as a plain
``CfnPipeline`` and one hand-written role, as a user writes it without this library
(one role for the pipeline and all its jobs, the definition's role fields unchanged)."""

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker

DEFINITION = Path(__file__).resolve().parent.parent / "samples" / "pipeline.json"

app = cdk.App()
stack = cdk.Stack(app, "PipelineStack",
                  env=cdk.Environment(account="111122223333", region="us-east-1"))
role = iam.Role(stack, "PipelineRole",
                assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
role.add_to_policy(iam.PolicyStatement(
    actions=["sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob",
             "sagemaker:CreateModel", "sagemaker:CreateModelPackage", "sagemaker:AddTags",
             "sagemaker:DescribeProcessingJob", "sagemaker:DescribeTrainingJob"],
    resources=["arn:aws:sagemaker:us-east-1:111122223333:*"],
))
role.add_to_policy(iam.PolicyStatement(
    actions=["s3:GetObject", "s3:PutObject"],
    resources=["arn:aws:s3:::sm-pipeline-iam-sample-111122223333/*"],
))
role.add_to_policy(iam.PolicyStatement(actions=["iam:PassRole"], resources=[role.role_arn]))
sagemaker.CfnPipeline(
    stack, "Pipeline", pipeline_name="sample-abalone", role_arn=role.role_arn,
    pipeline_definition={"PipelineDefinitionBody": DEFINITION.read_text()},
)
app.synth()
