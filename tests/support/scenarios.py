"""The snapshot and permission scenarios: one stack each, synthesized once per session."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from sm_pipeline_iam import (
    GivenResources,
    JobRole,
    JobRoleLocation,
    OrgRcpException,
    OrgScpException,
    PipelineExecutionRole,
    PipelineJobRoles,
    PrefixedStepRole,
    StepType,
)
from sm_pipeline_iam.core.catalog.steps import CATALOG

from .cfn import ACCOUNT, REGION

#: Job step types that need no caller-given resources: the ones a prefix scopes.
NAMED_STEP_TYPES = tuple(
    step_type
    for step_type, spec in CATALOG.items()
    if spec.creates_sagemaker_resources
    and not any(group.binding for group in spec.action_groups)
)

STEP_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/training-step-role"
JSON_GET_LOCATION = "s3://ml-artifacts-111122223333/evaluation"
SHARED_FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:score"

#: The two teams of the side-by-side scenario: construct id, prefix, job step types.
TEAMS = {
    "rsch": ("ResearchRole", ("Training", "Model")),
    "analytics": ("AnalyticsRole", ("Processing",)),
}


@dataclass(frozen=True)
class Scenario:
    """A stack in 111122223333 / us-east-1 that ``populate`` fills."""

    name: str
    populate: Callable[[cdk.Stack], object]

    def build(self, app: cdk.App | None = None) -> cdk.Stack:
        stack = cdk.Stack(
            app or cdk.App(), "Scenario", env=cdk.Environment(account=ACCOUNT, region=REGION)
        )
        self.populate(stack)
        return stack


def _execution_role(**props: Any) -> Callable[[cdk.Stack], object]:
    return lambda stack: PipelineExecutionRole(stack, "PipelineExecutionRole", **props)


def _step_roles(stack: cdk.Stack) -> object:
    return PipelineExecutionRole(
        stack,
        "PipelineExecutionRole",
        step_types=[StepType.PROCESSING, StepType.TRAINING],
        job_prefix="fraud",
        step_roles=[iam.Role.from_role_arn(stack, "TrainingStepRole", STEP_ROLE_ARN)],
        json_get_locations=[JSON_GET_LOCATION],
    )


def _two_teams(stack: cdk.Stack) -> object:
    """Two teams side by side, each with its people (a role) and shared steps."""
    for prefix, (construct_id, step_types) in TEAMS.items():
        people = iam.Role(
            stack, f"{construct_id}People", assumed_by=iam.AccountRootPrincipal()
        )
        PrefixedStepRole(
            stack,
            construct_id,
            job_prefix=prefix,
            step_types=step_types,
            team_principals=[people],
            json_get_locations=[JSON_GET_LOCATION],
            integration_resources=GivenResources(lambda_function_arns=[SHARED_FUNCTION_ARN]),
        )
        # The user's own review of the user's role: its grant names the team's pipelines.
        cdk.Validations.of(people).acknowledge(cdk.Acknowledgment(
            id="AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:"
            f"{REGION}:{ACCOUNT}:pipeline/{prefix}-*]",
            reason="the team's own pipelines, named with its prefix, and their executions",
        ))
    return stack


#: The SCP exception scenario's values.
EXCEPTION_TAG = ("sm-pipeline-exception", "true")
VPC_ENDPOINT_ID = "vpce-0a1b2c3d4e5f60718"
VPC_ID = "vpc-0123456789abcdef0"
TAG_ADMIN_ARN = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"
ORGANIZATION_ID = "o-a1b2c3d4e5"


def _scp_exception(stack: cdk.Stack) -> object:
    """An execution role exempted by the SCP, and the RCP beside it (one stack here, for
    evaluation)."""
    role = PipelineExecutionRole(
        stack,
        "PipelineExecutionRole",
        step_types=[StepType.PROCESSING],
        json_get_locations=[JSON_GET_LOCATION],
    )
    scp = OrgScpException(
        stack,
        "PipelineS3Exception",
        tag_key=EXCEPTION_TAG[0],
        tag_value=EXCEPTION_TAG[1],
        vpc_ids=[VPC_ID],
        vpc_endpoint_ids=[VPC_ENDPOINT_ID],
        target_ids=["ou-ab12-cdefgh34"],
        tag_admin_principal_arns=[TAG_ADMIN_ARN],
    )
    scp.exempt(role)
    OrgRcpException(stack, "PipelineS3Perimeter", scp=scp, organization_id=ORGANIZATION_ID)
    return scp


DEFINITIONS = Path(__file__).resolve().parents[1] / "fixtures" / "definitions"


def _from_definition(name: str, **kw: Any) -> Callable[[cdk.Stack], object]:
    return lambda stack: PipelineExecutionRole.from_definition(
        stack, "PipelineExecutionRole", DEFINITIONS / f"{name}.json", **kw
    )


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario("default_naming", _execution_role(step_types=NAMED_STEP_TYPES)),
        Scenario(
            "custom_prefix", _execution_role(step_types=NAMED_STEP_TYPES, job_prefix="fraud")
        ),
        Scenario("step_roles_json_get", _step_roles),
        Scenario(
            "principal_tag",
            _execution_role(
                step_types=[StepType.PROCESSING],
                principal_tag=("sm-pipeline-exception", "true"),
            ),
        ),
        Scenario("two_teams", _two_teams),
        Scenario("scp_exception", _scp_exception),
        Scenario("definition_default_naming", _from_definition("training_eval_register")),
        Scenario("definition_prefixed", _from_definition("training_eval_register_prefixed")),
        Scenario(
            "definition_integrations",
            _from_definition(
                "integrations",
                parameter_values={"ScoresPrefix": ["s3://ml-artifacts-111122223333/scores"]},
            ),
        ),
    )
}


def _job_roles_from_definition(name: str, **kw: Any) -> Callable[[cdk.Stack], object]:
    """A definition's job roles, and its execution role passing them."""

    def populate(stack: cdk.Stack) -> object:
        definition = DEFINITIONS / f"{name}.json"
        job_roles = PipelineJobRoles(stack, "JobRoles", definition=definition, **kw)
        PipelineExecutionRole.from_definition(
            stack, "PipelineExecutionRole", definition, job_roles=job_roles
        )
        return job_roles

    return populate


#: What the job role of the step-types scenario is given, as CloudFormation parameters
#: (tokens, and no resource that cdk-nag would judge on its own).
JOB_ROLE_PARAMETERS = ("DataBucket", "ModelBucket", "Repository", "KeyArn", "SubnetA",
                       "SubnetB", "SecurityGroup")


def _job_role_from_settings(stack: cdk.Stack) -> object:
    """A JobRole from CDK values (buckets, repository, key, subnets, security group) and
    literals, and an execution role (step types) that passes exactly it."""
    value = {name: cdk.CfnParameter(stack, name).value_as_string for name in JOB_ROLE_PARAMETERS}
    data = s3.Bucket.from_bucket_name(stack, "Data", value["DataBucket"])
    models = s3.Bucket.from_bucket_name(stack, "Models", value["ModelBucket"])
    role = JobRole(
        stack,
        "TrainingJobRole",
        job_kinds=["TrainingJobs"],
        inputs=[JobRoleLocation.bucket(data, "fraud/train"),
                f"s3://ml-artifacts-{ACCOUNT}/fraud/validation"],
        outputs=[JobRoleLocation.bucket(models, "fraud/models")],
        images=[ecr.Repository.from_repository_name(stack, "Repo", value["Repository"]),
                f"683313688378.dkr.ecr.{REGION}.amazonaws.com/sagemaker-xgboost:1.7-1"],
        subnet_ids=[value["SubnetA"], value["SubnetB"]],
        security_groups=[ec2.SecurityGroup.from_security_group_id(
            stack, "JobSecurityGroup", value["SecurityGroup"])],
        kms_keys=[kms.Key.from_key_arn(stack, "Key", value["KeyArn"])],
        job_prefix="fraud",
    )
    PipelineExecutionRole(
        stack, "PipelineExecutionRole", step_types=[StepType.TRAINING], job_prefix="fraud",
        job_roles=[role],
    )
    return role


#: The job-role scenarios: synthesized, snapshotted and checked like SCENARIOS, in their
#: own tests (tests/test_job_roles_synth.py), so that SCENARIOS' snapshots stay as they are.
JOB_ROLE_SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario("job_roles_per_step", _job_roles_from_definition("training_eval_register")),
        # BatchScore (Transform) runs as CreateBestModel's role.
        Scenario("job_roles_transform", _job_roles_from_definition("tuning_transform_foreach")),
        Scenario("job_roles_kept_step",
                 _job_roles_from_definition("other_steps", keep_roles_for=["RunFraudReport"])),
        Scenario("job_roles_shared", _job_roles_from_definition(
            "training_eval_register_prefixed", per_step_roles=False)),
        Scenario("job_role_from_settings", _job_role_from_settings),
    )
}


def sample_context(**overrides: str) -> dict[str, Any]:
    """cdk.json's context (what `cdk synth` passes to app.py), with ``overrides``."""
    cdk_json = Path(__file__).resolve().parents[2] / "cdk.json"
    context: dict[str, Any] = json.loads(cdk_json.read_text())["context"]
    return {**context, **overrides}


def stacks_of(app: cdk.App) -> Sequence[cdk.Stack]:
    """The sample app's stacks (``app``'s stacks), in tree order."""
    return [child for child in app.node.children if isinstance(child, cdk.Stack)]


#: The principals of the pipeline scenarios that receive its grants (the user's roles).
PIPELINE_GRANTEES = ("Operators", "Deployer", "Auditors")


#: The EMR and EMR Serverless runtime roles the runtime-roles scenario gives: step ->
#: (construct id, the service that assumes it).
RUNTIME_ROLES = {
    "AggregateOnEmr": ("EmrStepRuntimeRole", "elasticmapreduce.amazonaws.com"),
    "EnrichOnEmrServerless": ("EmrServerlessRuntimeRole", "emr-serverless.amazonaws.com"),
}


def _pipeline(name: str, pipeline_name: str, runtime_roles: bool = False,
              **kw: Any) -> Callable[[cdk.Stack], object]:
    """A LeastPrivilegePipeline of a definition, and one user role per grant (and, with
    ``runtime_roles``, the user's EMR runtime roles of RUNTIME_ROLES)."""

    def populate(stack: cdk.Stack) -> object:
        from sm_pipeline_iam import LeastPrivilegePipeline

        if runtime_roles:
            kw["runtime_roles"] = {
                step: iam.Role(stack, role_id, assumed_by=iam.ServicePrincipal(service))
                for step, (role_id, service) in RUNTIME_ROLES.items()
            }
        pipeline = LeastPrivilegePipeline(
            stack, "Pipeline", definition=DEFINITIONS / f"{name}.json",
            pipeline_name=pipeline_name, **kw,
        )
        operators, deployer, auditors = (
            iam.Role(stack, grantee, assumed_by=iam.AccountRootPrincipal())
            for grantee in PIPELINE_GRANTEES
        )
        pipeline.grant_start_execution(operators)
        pipeline.grant_update(deployer)
        pipeline.grant_read(auditors)
        # The user's own review of the user's roles: their grants name this pipeline's
        # executions, whose ids SageMaker assigns.
        for grantee in (operators, auditors):
            for spelling in dict.fromkeys((pipeline_name, pipeline_name.lower())):
                cdk.Validations.of(grantee).acknowledge(cdk.Acknowledgment(
                    id="AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:"
                    f"sagemaker:{REGION}:{ACCOUNT}:pipeline/{spelling}/execution/*]",
                    reason="the executions of this one pipeline, ids assigned at start",
                ))
        return pipeline

    return populate


#: The pipeline scenarios (tests/test_pipeline_synth.py), kept apart like JOB_ROLE_SCENARIOS.
PIPELINE_SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario("pipeline_per_step", _pipeline("training_eval_register", "fraud-detection")),
        Scenario("pipeline_kept_step", _pipeline(
            "other_steps", "fraud-checks", keep_roles_for=["RunFraudReport"],
            parallelism=4, tags={"team": "fraud"})),
        Scenario("pipeline_definition_in_s3", _pipeline(
            "training_eval_register_prefixed", "Fraud-Prefixed", per_step_roles=False,
            definition_in_s3=True)),
        Scenario("pipeline_runtime_roles", _pipeline(
            "integrations", "fraud-integrations", runtime_roles=True,
            parameter_values={"ScoresPrefix": ["s3://ml-artifacts-111122223333/scores"]})),
    )
}
