"""PipelineExecutionRole: what it synthesizes, what it refuses, what it warns about."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from sm_pipeline_iam import GivenResources, InvalidPropsError, PipelineExecutionRole, StepType
from sm_pipeline_iam.core.execution_role.policy import MANAGED_POLICY_LIMIT, policy_size
from support.cfn import ACCOUNT, REGION


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))


def test_trust_is_sagemaker_in_the_stacks_account_only() -> None:
    """GIVEN a role WHEN synthesized THEN SageMaker alone may assume it, from this account."""
    stack = _stack()
    PipelineExecutionRole(stack, "Role", step_types=["Training"])
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "sagemaker.amazonaws.com"},
                        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                    }
                ]
            }
        },
    )


def test_principal_tag_is_on_the_role() -> None:
    """GIVEN principal_tag WHEN synthesized THEN the role carries exactly that tag."""
    stack = _stack()
    PipelineExecutionRole(
        stack, "Role", step_types=["Processing"], principal_tag=("sm-exception", "true")
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Role", {"Tags": [{"Key": "sm-exception", "Value": "true"}]}
    )


def test_arns_use_the_stacks_partition_never_a_literal_aws() -> None:
    """GIVEN an environment-agnostic stack WHEN synthesized THEN ARNs use AWS::Partition."""
    stack = cdk.Stack(cdk.App(), "Agnostic")
    PipelineExecutionRole(stack, "Role", step_types=["Training"], job_prefix="fraud")
    template = Template.from_stack(stack)
    policy = next(iter(template.find_resources("AWS::IAM::Policy").values()))
    text = str(policy["Properties"]["PolicyDocument"])
    assert "arn:aws:" not in text
    assert "'Ref': 'AWS::Partition'" in text and "'Ref': 'AWS::Region'" in text


def test_it_is_an_irole_and_grantable() -> None:
    """GIVEN the construct WHEN used as an IRole THEN CDK accepts it (e.g. as a step role)."""
    stack = _stack()
    role = PipelineExecutionRole(stack, "Role", step_types=["Training"])
    other = PipelineExecutionRole(stack, "Other", step_types=["Training"], step_roles=[role])
    assert isinstance(role, iam.Role)
    assert role.grant_principal is not None
    assert other.requirements.pass_roles


def test_grant_pass_role_allows_passing_to_sagemaker_only() -> None:
    """GIVEN a CI role WHEN granted pass-role THEN PassRole on this role to SageMaker only."""
    stack = _stack()
    role = PipelineExecutionRole(stack, "Role", step_types=["Training"])
    ci = iam.Role(stack, "Ci", assumed_by=iam.AccountRootPrincipal())
    grant = role.grant_pass_role(ci)
    assert grant.success
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": Match.string_like_regexp("^Ci")}],
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": "iam:PassRole",
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^Role"), "Arn"]},
                        "Condition": {
                            "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
                        },
                    }
                ]
            },
        },
    )


def test_bad_input_fails_once_with_every_problem_and_leaves_no_half_made_stack() -> None:
    """GIVEN several bad props WHEN constructed THEN one error lists all, nothing is added."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        PipelineExecutionRole(
            stack,
            "Role",
            step_types=["Training", "Tuning", "Trainig"],
            job_prefix="my_team",
            json_get_locations=["http://bucket/x"],
            principal_tag=("aws:reserved", "x"),
        )
    message = str(raised.value)
    assert message.startswith("PipelineExecutionRole 'Role' has 5 problems:")
    assert "'Trainig' is not a SageMaker Pipelines step type" in message
    assert "job_prefix 'my_team' is not a valid job-name prefix" in message
    assert "longer than the 6 that Tuning steps allow" in message
    assert "json_get_locations 'http://bucket/x' is not an S3 URI" in message
    assert "principal_tag key 'aws:reserved' starts with 'aws:'" in message
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("step_types", "unknownStepType"),
        ("job_prefix", "invalidJobNamePrefix"),
        ("job_prefix", "prefixTooLong"),
        ("json_get_locations", "notAnS3Uri"),
        ("principal_tag", "reservedTagKey"),
    ]
    assert stack.node.try_find_child("Role") is None
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("props", "match"),
    [
        ({"step_types": []}, r"step_types is empty: name the step types"),
        ({"step_types": ["training"]}, r"'training' is not a SageMaker Pipelines step type"),
        ({"step_types": ["Training"], "job_prefix": "team-*"}, r"contains a wildcard"),
        (
            {"step_types": ["Training"], "job_prefix": "a" * 39},
            r"39 characters, longer than the 38 that Training steps allow: shorten it to at "
            r"most 38 characters \(e\.g\. 'a{38}'\)",
        ),
        (
            {"step_types": ["AutoML"], "job_prefix": "fraud-team"},
            r"longer than the 6 that AutoML steps allow.*'fraud'",
        ),
        ({"step_types": ["Lambda"]}, r"lambda_function_arns is empty but step types Lambda"),
        (
            {
                "step_types": ["Training"],
                "integration_resources": GivenResources(callback_queue_arns=["arn:q"]),
            },
            r"callback_queue_arns is given but no chosen step type uses it",
        ),
        (
            {"step_types": ["Training"], "json_get_locations": ["s3://bucket/a*"]},
            r"contains a wildcard: every object under the prefix",
        ),
        (
            {"step_types": ["Training"], "principal_tag": ("k", "v" * 257)},
            r"257 characters: an IAM tag value has at most 256",
        ),
    ],
)
def test_each_bad_prop_is_named_with_its_fix(props: dict[str, object], match: str) -> None:
    """GIVEN one bad prop WHEN constructed THEN the error names it, its value and the fix."""
    with pytest.raises(InvalidPropsError, match=match):
        PipelineExecutionRole(_stack(), "Role", **props)  # type: ignore[arg-type]


def test_token_prefix_is_not_validated_at_construction() -> None:
    """GIVEN a prefix from a parameter WHEN constructed THEN no error, the ARN uses it."""
    stack = _stack()
    prefix = cdk.CfnParameter(stack, "Prefix").value_as_string
    PipelineExecutionRole(stack, "Role", step_types=["Tuning"], job_prefix=prefix)
    policy = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    assert "'Ref': 'Prefix'" in str(policy)


def test_mixed_case_prefix_allows_both_spellings_and_warns() -> None:
    """GIVEN prefix 'Fraud' WHEN synthesized THEN Fraud-* and fraud-*, and a warning."""
    stack = _stack()
    PipelineExecutionRole(stack, "Role", step_types=["Training"], job_prefix="Fraud")
    text = str(Template.from_stack(stack).find_resources("AWS::IAM::Policy"))
    assert ":training-job/Fraud-*" in text and ":training-job/fraud-*" in text
    Annotations.from_stack(stack).has_warning(
        "/Stack/Role", Match.string_like_regexp("job_prefix 'Fraud' has upper-case letters")
    )


def test_lower_case_prefix_raises_no_warning() -> None:
    """GIVEN a lower-case prefix on steps the SDK prefixes, and job roles WHEN synthesized
    THEN no warning at all."""
    stack = _stack()
    job_role = iam.Role.from_role_arn(stack, "JobRole", "arn:aws:iam::111122223333:role/job")
    PipelineExecutionRole(stack, "Role", step_types=["Processing", "Endpoint"],
                          job_prefix="fraud", job_roles=[job_role])
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_user_named_resources_without_prefix_warn_and_the_warning_can_be_acknowledged() -> None:
    """GIVEN Endpoint steps without prefix WHEN synthesized THEN an acknowledgeable warning."""
    stack = _stack()
    role = PipelineExecutionRole(stack, "Role", step_types=["Endpoint"])
    Annotations.from_stack(stack).has_warning(
        "/Stack/Role", Match.string_like_regexp("Endpoint steps create resources whose names")
    )
    acknowledged = _stack()
    role = PipelineExecutionRole(acknowledged, "Role", step_types=["Endpoint"])
    cdk.Annotations.of(role).acknowledge_warning("sm-pipeline-iam:unscopedResourceNames")
    assert Annotations.from_stack(acknowledged).find_warning("*", Match.any_value()) == []


def test_integration_steps_act_only_on_the_given_resources() -> None:
    """GIVEN a Lambda step WHEN synthesized THEN InvokeFunction on the given function only."""
    stack = _stack()
    function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:score"
    PipelineExecutionRole(
        stack,
        "Role",
        step_types=[StepType.LAMBDA, StepType.CONDITION],
        integration_resources=GivenResources(lambda_function_arns=[function_arn]),
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Sid": "LambdaFunctions",
                        "Action": "lambda:InvokeFunction",
                        "Effect": "Allow",
                        "Resource": function_arn,
                    }
                ]
            }
        },
    )


def test_large_permissions_split_into_managed_policies_within_limits() -> None:
    """GIVEN 250 step roles WHEN synthesized THEN managed policies, each under 6,144."""
    stack = _stack()
    roles = [
        iam.Role.from_role_arn(stack, f"Step{n}", f"arn:aws:iam::{ACCOUNT}:role/step-{n:03}")
        for n in range(250)
    ]
    role = PipelineExecutionRole(stack, "Role", step_types=["Training"], step_roles=roles)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Policy", 0)
    managed = template.find_resources("AWS::IAM::ManagedPolicy")
    assert 2 <= len(managed) <= 10
    passed = [
        resource
        for policy in managed.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "iam:PassRole"
        for resource in (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
    ]
    assert len(passed) == 251  # every step role once, and the role itself
    assert [c.node.id for c in role.policies] == [f"Policy{n}" for n in range(1, len(managed) + 1)]
    assert policy_size(role.statements) > MANAGED_POLICY_LIMIT


def test_permissions_beyond_ten_managed_policies_fail_with_the_measured_size() -> None:
    """GIVEN 1,500 step roles WHEN constructed THEN an error says how many policies it needs."""
    stack = _stack()
    roles = [
        iam.Role.from_role_arn(stack, f"Step{n}", f"arn:aws:iam::{ACCOUNT}:role/step-{n:04}")
        for n in range(1500)
    ]
    with pytest.raises(
        InvalidPropsError,
        match=r"the permissions need \d+ managed policies \(\d+ characters\), more than the 10",
    ):
        PipelineExecutionRole(stack, "Role", step_types=["Training"], step_roles=roles)


def _steps(count: int) -> dict[str, object]:
    role = f"arn:aws:iam::{ACCOUNT}:role/FraudProcessingRole"
    return {"Steps": [{"Name": f"Step{n:04d}", "Type": "Processing",
                       "Arguments": {"RoleArn": role}} for n in range(count)]}


def test_a_definition_too_large_for_per_step_scopes_is_coarsened_with_a_warning() -> None:
    """GIVEN 1,000 default-named steps WHEN derived THEN pipelines-* and a warning, within
    IAM's limits; 100 steps keep their per-step scopes."""
    stack = _stack()
    wide = PipelineExecutionRole.from_definition(stack, "Wide", _steps(1000))
    assert wide.requirements.name_patterns[StepType.PROCESSING] == ("pipelines-*",)
    Annotations.from_stack(stack).has_warning(
        "/Stack/Wide", Match.string_like_regexp("too many steps for per-step job-name scopes")
    )
    narrow = PipelineExecutionRole.from_definition(_stack(), "Narrow", _steps(100))
    assert len(narrow.requirements.name_patterns[StepType.PROCESSING]) == 200


def test_requirements_that_name_no_endpoint_are_an_error_not_a_smaller_policy() -> None:
    """GIVEN hand-made requirements with an Endpoint step but no endpoint names WHEN the
    role is made THEN InvalidPropsError (unnamedResources), and nothing is added."""
    from sm_pipeline_iam import PipelineRequirements

    stack = _stack()
    requirements = PipelineRequirements(step_types=frozenset({StepType.ENDPOINT}),
                                        group_names={"Endpoints": ()})
    with pytest.raises(InvalidPropsError) as raised:
        PipelineExecutionRole(stack, "Role", requirements=requirements)
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("requirements", "unnamedResources")
    ]
    assert stack.node.try_find_child("Role") is None


def test_a_prefix_on_training_warns_that_the_sdk_may_not_carry_it() -> None:
    """GIVEN job_prefix with Training (ModelTrainer steps drop the prefix) WHEN synthesized
    THEN the acknowledgeable sdkIgnoresJobPrefix warning, as for a team role."""
    stack = _stack()
    PipelineExecutionRole(stack, "Role", step_types=["Training"], job_prefix="fraud")
    Annotations.from_stack(stack).has_warning(
        "/Stack/Role", Match.string_like_regexp("^Training jobs may be denied")
    )
