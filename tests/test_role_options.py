"""The role options every role construct takes: typos and wrong types are errors, never
ignored and never a traceback from inside (issue: bad input)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from sm_pipeline_iam import (
    InvalidPropsError,
    JobRole,
    PipelineExecutionRole,
    PipelineJobRoles,
    PrefixedStepRole,
)

DEFINITION = Path(__file__).parent / "fixtures" / "definitions" / "training_eval_register.json"

BUILDERS: dict[str, Callable[..., Any]] = {
    "PipelineExecutionRole": lambda stack, **kw: PipelineExecutionRole(
        stack, "Role", step_types=["Processing"], **kw),
    "PrefixedStepRole": lambda stack, **kw: PrefixedStepRole(
        stack, "Role", job_prefix="rsch", step_types=["Processing"], **kw),
    "JobRole": lambda stack, **kw: JobRole(
        stack, "Role", inputs=["s3://bucket/in"], job_kinds=["ProcessingJobs"], **kw),
    "PipelineJobRoles": lambda stack, **kw: PipelineJobRoles(
        stack, "Role", definition=DEFINITION, per_step_roles=False, **kw),
}


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack",
                     env=cdk.Environment(account="111122223333", region="us-east-1"))


@pytest.mark.parametrize("construct", sorted(BUILDERS))
@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"permission_boundary": None}, [("permission_boundary", "unknownProp")]),
        ({"bogus": 1}, [("bogus", "unknownProp")]),
        ({"principal_tag": "k=v"}, [("principal_tag", "notAPair")]),
        ({"principal_tag": ("k",)}, [("principal_tag", "notAPair")]),
        ({"role_name": 3}, [("role_name", "notAString")]),
        ({"permissions_boundary": "arn:aws:iam::aws:policy/Boundary"},
         [("permissions_boundary", "notAManagedPolicy")]),
        ({"max_session_duration": 3600}, [("max_session_duration", "notADuration")]),
        ({"principal_tag": ("sm-pipeline-exception", "${Token[x]}")},
         [("principal_tag", "tokenNotAccepted")]),
        # IAM CreateRole: RoleName [\w+=,.@-]+, 1 to 64; Path '/' or /[!-~]+/, 1 to 512.
        ({"role_name": "fraud pipeline"}, [("role_name", "invalidRoleName")]),
        ({"role_name": "r" * 65}, [("role_name", "invalidRoleName")]),
        ({"role_name": ""}, [("role_name", "invalidRoleName")]),
        ({"role_name": "rôle"}, [("role_name", "invalidRoleName")]),
        ({"path": "ml"}, [("path", "invalidPath")]),
        ({"path": "/ml"}, [("path", "invalidPath")]),
        ({"path": "/ml fraud/"}, [("path", "invalidPath")]),
        ({"path": "/" + "p" * 511 + "/"}, [("path", "invalidPath")]),
        ({"path": ""}, [("path", "invalidPath")]),
    ],
    ids=["typo", "bogus", "tag-string", "tag-single", "name-int", "boundary-arn",
         "duration-seconds", "tag-token", "name-space", "name-65", "name-empty",
         "name-non-ascii", "path-no-slashes", "path-no-trailing-slash", "path-space",
         "path-513", "path-empty"],
)
def test_bad_role_options_are_named_and_nothing_is_made(
    construct: str, props: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    """GIVEN a typo'd or mistyped role option WHEN a role construct is made THEN one
    InvalidPropsError names the prop and its problem, and the stack stays empty."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        BUILDERS[construct](stack, **props)
    assert [(p.prop, p.code) for p in raised.value.problems] == expected
    assert stack.node.children == []


@pytest.mark.parametrize("construct", sorted(BUILDERS))
def test_good_role_options_are_used(construct: str) -> None:
    """GIVEN a managed-policy boundary, a Duration and a principal tag WHEN a role construct
    is made THEN its role(s) carry them."""
    stack = _stack()
    boundary = iam.ManagedPolicy.from_managed_policy_arn(
        stack, "Boundary", "arn:aws:iam::111122223333:policy/boundary")
    BUILDERS[construct](stack, permissions_boundary=boundary,
                        max_session_duration=cdk.Duration.hours(2),
                        principal_tag=("sm-pipeline-exception", "true"))
    roles = Template.from_stack(stack).find_resources("AWS::IAM::Role")
    assert roles
    for role in roles.values():
        assert role["Properties"]["PermissionsBoundary"] == (
            "arn:aws:iam::111122223333:policy/boundary")
        assert role["Properties"]["MaxSessionDuration"] == 7200
        assert {"Key": "sm-pipeline-exception", "Value": "true"} in role["Properties"]["Tags"]


def test_a_typo_gets_the_prop_it_probably_means() -> None:
    """GIVEN permission_boundary WHEN reported THEN the message suggests
    permissions_boundary."""
    with pytest.raises(InvalidPropsError, match="did you mean permissions_boundary"):
        BUILDERS["PipelineExecutionRole"](_stack(), permission_boundary=None)


def test_a_bad_role_name_or_path_names_the_value_and_the_fix() -> None:
    """GIVEN a role name and a path IAM refuses WHEN a role construct is made THEN both
    problems at once, each naming the value, IAM's rule and an example, not the CDK's
    jsii RuntimeError."""
    with pytest.raises(InvalidPropsError) as raised:
        BUILDERS["PipelineExecutionRole"](_stack(), role_name="fraud pipeline", path="/ml")
    assert [str(p) for p in raised.value.problems] == [
        "role_name 'fraud pipeline' (length 14) is not a role name IAM accepts: give 1 to 64 "
        "letters, digits and the characters _+=,.@-, e.g. 'fraud-pipeline' (IAM CreateRole)",
        "path '/ml' (length 3) is not a role path IAM accepts: give '/' alone, or printable "
        "ASCII characters without spaces between a leading and a trailing '/', 1 to 512 "
        "characters in all, e.g. '/ml/fraud/' (IAM CreateRole)"]


def test_a_bad_path_is_refused_by_the_definition_constructs_too() -> None:
    """GIVEN a path IAM refuses WHEN from_definition or LeastPrivilegePipeline is made THEN
    InvalidPropsError names it."""
    from sm_pipeline_iam import LeastPrivilegePipeline

    makers: list[Callable[[cdk.Stack], object]] = [
        lambda stack: PipelineExecutionRole.from_definition(stack, "Role", DEFINITION,
                                                            path="ml/"),
        lambda stack: LeastPrivilegePipeline(stack, "Pipeline", definition=DEFINITION,
                                             pipeline_name="fraud-train", path="ml/",
                                             any_value_parameters=["InputDataUrl"]),
    ]
    for make in makers:
        with pytest.raises(InvalidPropsError) as raised:
            make(_stack())
        assert ("path", "invalidPath") in {(p.prop, p.code) for p in raised.value.problems}


@pytest.mark.parametrize("construct", sorted(BUILDERS))
def test_the_longest_name_and_path_iam_takes_are_used_and_tokens_pass(construct: str) -> None:
    """GIVEN a 64-character role name (or a token for it) and a 512-character path WHEN a
    role construct is made THEN the role carries them: a token is passed as given, as the
    other props that take one."""
    for name in ("r" * 64, cdk.Fn.join("-", [cdk.Aws.STACK_NAME, "role"])):
        stack = _stack()
        options: dict[str, Any] = {"path": "/" + "p" * 510 + "/", "role_name": name}
        BUILDERS[construct](stack, **options)
        roles = Template.from_stack(stack).find_resources("AWS::IAM::Role")
        assert roles
        assert all(r["Properties"]["Path"] == options["path"] for r in roles.values())
