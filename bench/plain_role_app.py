"""The baseline for synth time: an app with a single plain iam.Role."""

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

app = cdk.App()
env = cdk.Environment(account="111122223333", region="us-east-1")
stack = cdk.Stack(app, "PlainRoleStack", env=env)
iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
app.synth()
