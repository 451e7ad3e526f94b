"""PrefixedStepRole: what it synthesizes, refuses, warns about and tells the team."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from sm_pipeline_iam import GivenResources, InvalidPropsError, PrefixedStepRole, StepType
from support.cfn import ACCOUNT, REGION

FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:score"


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))


def _policy_text(stack: cdk.Stack) -> str:
    return json.dumps(Template.from_stack(stack).find_resources("AWS::IAM::Policy"))


def test_job_permissions_are_only_the_teams_prefix() -> None:
    """GIVEN prefix rsch WHEN synthesized THEN rsch-* jobs, never pipelines-* or '*' names."""
    stack = _stack()
    PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=["Training", "Endpoint"])
    text = _policy_text(stack)
    assert ":training-job/rsch-*" in text and ":endpoint/rsch-*" in text
    assert "pipelines-" not in text and "/*\"" not in text
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Principal": {"Service": "sagemaker.amazonaws.com"},
                            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                        }
                    )
                ]
            }
        },
    )


def test_shared_steps_default_to_the_non_job_steps_whose_resources_are_given() -> None:
    """GIVEN a function ARN WHEN no shared_step_types is set THEN Lambda is shared; without
    it, Lambda is not."""
    with_function = PrefixedStepRole(
        _stack(), "Team", job_prefix="rsch", step_types=["Training"],
        integration_resources=GivenResources(lambda_function_arns=[FUNCTION_ARN]),
    )
    without = PrefixedStepRole(_stack(), "Team", job_prefix="rsch", step_types=["Training"])
    shared = {StepType.CONDITION, StepType.FAIL, StepType.FOR_EACH}
    assert with_function.requirements.step_types == {StepType.TRAINING, StepType.LAMBDA, *shared}
    assert without.requirements.step_types == {StepType.TRAINING, *shared}


@pytest.mark.parametrize(
    ("props", "match"),
    [
        (
            {"job_prefix": "abcdefg", "step_types": ["Tuning"]},
            r"job_prefix 'abcdefg' is 7 characters, longer than the 6 that Tuning steps allow: "
            r"shorten it to at most 6 characters \(e\.g\. 'abcdef'\)",
        ),
        (
            {"job_prefix": "p" * 39, "step_types": ["Processing"]},
            r"is 39 characters, longer than the 38 that Processing steps allow: shorten it to "
            r"at most 38 characters \(e\.g\. 'p{38}'\)",
        ),
        ({"job_prefix": "", "step_types": ["Training"]}, r"job_prefix is empty: give the team's"),
        ({"job_prefix": "team_a", "step_types": ["Training"]}, r"not a valid job-name prefix"),
        ({"job_prefix": "team*", "step_types": ["Training"]}, r"contains a wildcard"),
        ({"job_prefix": "rsch", "step_types": []}, r"step_types is empty"),
        ({"job_prefix": "rsch", "step_types": ["Trainer"]}, r"'Trainer' is not a SageMaker"),
        (
            {"job_prefix": "rsch", "step_types": ["Model"], "shared_step_types": ["Training"]},
            r"shared_step_types Training create SageMaker jobs or resources, which only a "
            r"team's prefix may scope: move them to step_types",
        ),
        (
            {"job_prefix": "rsch", "step_types": ["Model"], "shared_step_types": ["Lambda"]},
            r"lambda_function_arns is empty but step types Lambda need it",
        ),
    ],
)
def test_each_bad_prop_is_named_with_its_fix(props: dict[str, object], match: str) -> None:
    """GIVEN one bad prop WHEN constructed THEN the error names it, its value and the fix."""
    with pytest.raises(InvalidPropsError, match=match):
        PrefixedStepRole(_stack(), "Team", **props)  # type: ignore[arg-type]


def test_every_problem_at_once_and_no_half_made_stack() -> None:
    """GIVEN several bad props WHEN constructed THEN one error with all, nothing added."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        PrefixedStepRole(
            stack, "Team", job_prefix="research", step_types=["AutoML", "Tuning", "Bogus"],
            principal_tag=("aws:x", "y"),
        )
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("step_types", "unknownStepType"),
        ("job_prefix", "prefixTooLong"),
        ("job_prefix", "prefixTooLong"),
        ("principal_tag", "reservedTagKey"),
    ]
    assert str(raised.value).startswith("PrefixedStepRole 'Team' has 4 problems:")
    assert stack.node.try_find_child("Team") is None


@pytest.mark.parametrize("step_type", ["Training", "Tuning", "ClarifyCheck", "QualityCheck"])
def test_steps_whose_sdk_ignores_the_prefix_warn(step_type: str) -> None:
    """GIVEN a step type the SDK does not prefix WHEN chosen THEN an acknowledgeable warning."""
    stack = _stack()
    PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=[step_type])
    Annotations.from_stack(stack).has_warning(
        "/Stack/Team", Match.string_like_regexp(f"^{step_type} jobs may be denied")
    )
    acknowledged = _stack()
    role = PrefixedStepRole(acknowledged, "Team", job_prefix="rsch", step_types=[step_type])
    cdk.Annotations.of(role).acknowledge_warning("sm-pipeline-iam:sdkIgnoresJobPrefix")
    assert Annotations.from_stack(acknowledged).find_warning("*", Match.any_value()) == []


def test_steps_the_sdk_prefixes_raise_no_warning() -> None:
    """GIVEN Processing, Transform, Model WHEN chosen THEN no warning at all."""
    stack = _stack()
    PrefixedStepRole(
        stack, "Team", job_prefix="analytics", step_types=["Processing", "Transform", "Model"]
    )
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_usage_tells_the_team_where_the_prefix_goes() -> None:
    """GIVEN a team WHEN it asks for usage THEN the switch, each SDK argument, the caveats."""
    role = PrefixedStepRole(
        _stack(), "Team", job_prefix="rsch", step_types=["Training", "Transform", "Model"]
    )
    assert role.prefix_guide == {
        StepType.MODEL: "ModelBuilder.build(model_name=...)",
        StepType.TRAINING: "ModelTrainer(base_job_name=...)",
        StepType.TRANSFORM: "Transformer(base_transform_job_name=...)",
    }
    usage = role.usage()
    assert "PipelineDefinitionConfig(use_custom_job_prefix=True)" in usage
    assert "name the pipeline 'rsch-...'" in usage
    assert "  Transform: Transformer(base_transform_job_name=...)" in usage
    assert "The SDK ignores the prefix today for:\n  Training: training steps built from a " \
        "ModelTrainer" in usage
    assert role.job_prefix == "rsch"


def test_team_principals_get_pass_role_and_their_pipelines() -> None:
    """GIVEN a team group WHEN constructed THEN its policy passes this role and runs rsch-*
    pipelines."""
    stack = _stack()
    group = iam.Group(stack, "Researchers")
    PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=["Model"],
                     team_principals=[group])
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Groups": [{"Ref": Match.string_like_regexp("^Researchers")}],
            "PolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Action": "iam:PassRole",
                            "Condition": {
                                "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
                            },
                        }
                    ),
                    Match.object_like(
                        {
                            "Action": Match.array_with(["sagemaker:StartPipelineExecution"]),
                            "Resource": {
                                "Fn::Join": [
                                    "",
                                    ["arn:", {"Ref": "AWS::Partition"},
                                     f":sagemaker:{REGION}:{ACCOUNT}:pipeline/rsch-*"],
                                ]
                            },
                        }
                    ),
                ]
            },
        },
    )


def test_grants_return_iam_grants() -> None:
    """GIVEN a user WHEN granted explicitly THEN both grants succeed."""
    stack = _stack()
    role = PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=["Model"])
    user = iam.User(stack, "Alice")
    assert role.grant_pass_role(user).success
    assert role.grant_pipeline_access(user).success


def test_a_principal_that_cannot_hold_a_policy_is_reported() -> None:
    """GIVEN an account principal WHEN given as team principal THEN a warning says so."""
    stack = _stack()
    PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=["Model"],
                     team_principals=[iam.AccountPrincipal("444455556666")])
    Annotations.from_stack(stack).has_warning(
        "/Stack/Team", Match.string_like_regexp("cannot hold an identity policy")
    )


def test_mixed_case_prefix_allows_both_spellings_for_jobs_and_pipelines() -> None:
    """GIVEN prefix Rsch WHEN synthesized THEN Rsch-* and rsch-*, with the warning."""
    stack = _stack()
    PrefixedStepRole(stack, "Team", job_prefix="Rsch", step_types=["Model"],
                     team_principals=[iam.User(stack, "Bob")])
    text = _policy_text(stack)
    assert ":model/Rsch-*" in text and ":model/rsch-*" in text
    assert ":pipeline/Rsch-*" in text and ":pipeline/rsch-*" in text
    Annotations.from_stack(stack).has_warning(
        "/Stack/Team", Match.string_like_regexp("job_prefix 'Rsch' has upper-case letters")
    )


def test_token_prefix_is_not_validated() -> None:
    """GIVEN a prefix from a parameter WHEN constructed THEN no error."""
    stack = _stack()
    prefix = cdk.CfnParameter(stack, "Prefix").value_as_string
    PrefixedStepRole(stack, "Team", job_prefix=prefix, step_types=["AutoML"])
    assert "'Ref': 'Prefix'" in str(Template.from_stack(stack).find_resources("AWS::IAM::Policy"))


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        ("rsch", "rsch-a", r"'rsch-\*' also matches the names 'rsch-a-\.\.\.'"),
        ("rsch-a", "rsch", r"'rsch-\*' also matches the names 'rsch-a-\.\.\.'"),
        ("Ana", "ana", r"'ana' and 'Ana' are one prefix ignoring case"),
    ],
)
def test_overlapping_team_prefixes_in_one_app_are_an_error_naming_both_teams(
    first: str, second: str, why: str
) -> None:
    """GIVEN two teams of one app (in different stacks) whose prefixes overlap WHEN the
    second is made THEN an error names both teams; nothing of it is added."""
    app = cdk.App()
    one = cdk.Stack(app, "One", env=cdk.Environment(account=ACCOUNT, region=REGION))
    two = cdk.Stack(app, "Two", env=cdk.Environment(account=ACCOUNT, region=REGION))
    PrefixedStepRole(one, "First", job_prefix=first, step_types=["Training"])
    with pytest.raises(InvalidPropsError, match=why) as raised:
        PrefixedStepRole(two, "Second", job_prefix=second, step_types=["Training"])
    (problem,) = raised.value.problems
    assert (problem.prop, problem.code) == ("job_prefix", "overlappingPrefix")
    assert problem.message.startswith(
        f"team 'Two/Second' (job_prefix {second!r}) and team 'One/First' (job_prefix "
        f"{first!r}) overlap"
    )
    assert two.node.try_find_child("Second") is None


def test_prefixes_that_do_not_overlap_and_other_apps_are_fine() -> None:
    """GIVEN rsch, rscha and rsch-a in separate apps WHEN made THEN no error: isolation is
    per app, and 'rsch-*' does not match 'rscha-...'."""
    stack = _stack()
    PrefixedStepRole(stack, "Research", job_prefix="rsch", step_types=["Training"])
    PrefixedStepRole(stack, "Other", job_prefix="rscha", step_types=["Training"])
    PrefixedStepRole(_stack(), "Elsewhere", job_prefix="rsch-a", step_types=["Training"])


def test_a_refused_team_does_not_hold_its_prefix() -> None:
    """GIVEN a team refused for another problem WHEN its prefix is used again THEN no
    overlap error: only teams that were made hold a prefix."""
    stack = _stack()
    with pytest.raises(InvalidPropsError):
        PrefixedStepRole(stack, "Bad", job_prefix="rsch", step_types=["Trainer"])
    PrefixedStepRole(stack, "Good", job_prefix="rsch", step_types=["Training"])


@pytest.mark.parametrize(("prefix", "why"), [
    ("pipelines", "SageMaker Pipelines names every job"),
    ("Pipelines", "SageMaker Pipelines names every job"),
    ("pipelines-a", "SageMaker Pipelines names every job"),
    ("clarify", "ClarifyCheckStep always names its job 'clarify-job'"),
    ("baseline", "QualityCheckStep always names its job 'baseline-job'"),
])
def test_the_default_naming_prefix_is_refused(prefix: str, why: str) -> None:
    """GIVEN job_prefix 'pipelines' (any case, or before a hyphen), 'clarify' or 'baseline'
    WHEN made THEN an error with the reason: the team would own every default-named job or
    every team's check jobs."""
    with pytest.raises(InvalidPropsError, match=f"is reserved: .*{why}") as raised:
        PrefixedStepRole(_stack(), "Team", job_prefix=prefix, step_types=["Training"])
    assert [(p.prop, p.code) for p in raised.value.problems] == [("job_prefix", "reservedPrefix")]


def test_team_principals_of_another_account_are_warned_and_granted_nothing() -> None:
    """GIVEN a role and a user imported from another account WHEN given as team principals
    THEN a warning each, and no policy: IAM would attach it to a same-named principal of
    this account."""
    stack = _stack()
    role = iam.Role.from_role_arn(stack, "Theirs", "arn:aws:iam::444455556666:role/team")
    user = iam.User.from_user_arn(stack, "Bob", "arn:aws:iam::444455556666:user/bob")
    team = PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=["Model"],
                            team_principals=[role, user])
    warnings = Annotations.from_stack(stack).find_warning(
        "/Stack/Team", Match.string_like_regexp("is in account 444455556666, not this stack's "
                                                "account 111122223333: it cannot hold an "
                                                "identity policy here, so nothing was granted")
    )
    assert len(warnings) == 2
    policies = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    assert [p["Properties"].get("Users") for p in policies.values()] == [None]
    assert not team.grant_pipeline_access(user).success
