"""Two apps for the job-roles synth benchmark, chosen by JOB_ROLES_APP.

``derived``: PipelineJobRoles (one role per job step) for the largest SDK fixture.
``hand-written``: the same number of plain iam.Roles, each with a hand-written statement
of the kind a user writes for a job (read and write one bucket prefix, pull one image).
"""

import json
import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from sm_pipeline_iam import PipelineJobRoles
from sm_pipeline_iam.core.definition.reader import read_definition

DEFINITION = (Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "definitions"
              / "other_steps.json")

app = cdk.App()
stack = cdk.Stack(app, "JobRolesStack",
                  env=cdk.Environment(account="111122223333", region="us-east-1"))
if os.environ.get("JOB_ROLES_APP") == "derived":
    PipelineJobRoles(stack, "JobRoles", definition=DEFINITION)
else:
    steps = [job.step for job in read_definition(json.loads(DEFINITION.read_text())).jobs
             if job.runs_as_step is None]
    for step in steps:
        role = iam.Role(stack, f"Step{step}",
                        assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
        role.add_to_policy(iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject"],
            resources=[f"arn:aws:s3:::ml-artifacts-111122223333/{step}/*"],
        ))
        role.add_to_policy(iam.PolicyStatement(
            actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources=["arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost"],
        ))
app.synth()
