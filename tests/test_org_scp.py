"""OrgScpException: the SCP resource, the tag it puts on roles, its errors and warnings."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Tags
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from sm_pipeline_iam import InvalidPropsError, OrgScpException, PipelineExecutionRole

ADMIN = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"
PROPS: dict[str, object] = {
    "tag_key": "sm-pipeline-exception",
    "tag_value": "true",
    "vpc_endpoint_ids": ["vpce-0a1b2c3d4e5f60718"],
    "tag_admin_principal_arns": [ADMIN],
}


def _scp(stack: cdk.Stack, construct_id: str = "Scp", **overrides: object) -> OrgScpException:
    return OrgScpException(stack, construct_id, **{**PROPS, **overrides})  # type: ignore[arg-type]


def test_it_is_a_service_control_policy_attached_to_its_targets() -> None:
    """GIVEN targets WHEN synthesized THEN an SCP with the document, name and targets."""
    stack = cdk.Stack(cdk.App(), "Org")
    scp = _scp(stack, target_ids=["r-ab12", "ou-ab12-cdefgh34"], organization_id="o-abcdefghij")
    Template.from_stack(stack).has_resource_properties(
        "AWS::Organizations::Policy",
        {
            "Type": "SERVICE_CONTROL_POLICY",
            "Name": "sm-pipeline-iam-sm-pipeline-exception",
            "Content": scp.document,
            "TargetIds": ["r-ab12", "ou-ab12-cdefgh34"],
            "Description": Match.string_like_regexp("organization o-abcdefghij"),
        },
    )
    assert json.loads(scp.to_json()) == scp.document


def test_exempt_tags_the_role_with_the_exception_tag() -> None:
    """GIVEN a pipeline role in a workload stack WHEN exempted THEN it carries the tag."""
    app = cdk.App()
    workload, org = cdk.Stack(app, "Workload"), cdk.Stack(app, "Org")
    role = PipelineExecutionRole(workload, "Role", step_types=["Processing"])
    _scp(org).exempt(role)
    Template.from_stack(workload).has_resource_properties(
        "AWS::IAM::Role", {"Tags": [{"Key": "sm-pipeline-exception", "Value": "true"}]}
    )


def test_every_problem_at_once_and_no_half_made_stack() -> None:
    """GIVEN several bad props WHEN constructed THEN one error lists them, nothing added."""
    stack = cdk.Stack(cdk.App(), "Org")
    with pytest.raises(InvalidPropsError) as raised:
        _scp(stack, vpc_endpoint_ids=[], tag_admin_principal_arns=[], target_ids=["ou-x"],
             organization_id="org")
    assert str(raised.value).startswith("OrgScpException 'Scp' has 4 problems:")
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("vpc_ids", "noVpcOrEndpoint"),
        ("tag_admin_principal_arns", "empty"),
        ("target_ids", "notATarget"),
        ("organization_id", "notAnOrganizationId"),
    ]
    assert stack.node.try_find_child("Scp") is None


def test_an_oversized_scp_fails_with_its_size() -> None:
    """GIVEN 200 admin ARNs WHEN constructed THEN the size error, not a rejected deploy."""
    admins = [f"arn:aws:iam::111122223333:role/admin-{n:03}" for n in range(200)]
    with pytest.raises(InvalidPropsError, match=r"the SCP is \d+ characters minified, over the "
                                                r"5120-character SCP limit"):
        _scp(cdk.Stack(cdk.App(), "Org"), tag_admin_principal_arns=admins)


def test_token_targets_pass_unchecked() -> None:
    """GIVEN a target from a parameter WHEN constructed THEN no error."""
    stack = cdk.Stack(cdk.App(), "Org")
    _scp(stack, target_ids=[cdk.CfnParameter(stack, "Ou").value_as_string])
    assert "'Ref': 'Ou'" in str(Template.from_stack(stack).to_json()["Resources"])


def test_more_than_five_scps_on_one_target_warns() -> None:
    """GIVEN 5 SCPs of this app on one OU WHEN synthesized THEN the 5th warns (FullAWSAccess
    takes the other slot); another OU does not."""
    stack = cdk.Stack(cdk.App(), "Org")
    for n in range(5):
        _scp(stack, f"Scp{n}", tag_key=f"key-{n}", target_ids=["ou-ab12-cdefgh34"])
    _scp(stack, "Elsewhere", tag_key="other", target_ids=["ou-ab12-zzzzzzzz"])
    annotations = Annotations.from_stack(stack)
    warnings = annotations.find_warning("*", Match.string_like_regexp("more than the 5 SCPs"))
    assert [w.id for w in warnings] == ["/Org/Scp4"]


@pytest.mark.parametrize(
    ("admin", "code"),
    [
        ("arn:aws:iam::*:role/*", "matchesAnyRole"),
        ("arn:aws:iam::*:*", "matchesAnyPrincipal"),
        ("arn:aws:sts::*:assumed-role/*", "sessionArn"),
    ],
)
def test_admin_patterns_any_principal_could_satisfy_are_refused(admin: str, code: str) -> None:
    """GIVEN an admin ARN any principal could satisfy WHEN constructed THEN the error
    says why, and nothing is added."""
    stack = cdk.Stack(cdk.App(), "Org")
    with pytest.raises(InvalidPropsError) as raised:
        _scp(stack, tag_admin_principal_arns=[ADMIN, admin])
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("tag_admin_principal_arns", code)
    ]
    assert stack.node.try_find_child("Scp") is None


def _workload() -> tuple[cdk.Stack, OrgScpException]:
    app = cdk.App()
    return cdk.Stack(app, "Workload"), _scp(cdk.Stack(app, "Org"))


@pytest.mark.parametrize("how", ["from_role_name", "from_role_arn"])
def test_exempting_an_imported_role_is_an_error_that_says_what_to_do(how: str) -> None:
    """GIVEN a role this app imports WHEN exempted THEN an error: no tag could be written."""
    workload, scp = _workload()
    if how == "from_role_name":
        role = iam.Role.from_role_name(workload, "Imported", "pipeline-role")
    else:
        role = iam.Role.from_role_arn(
            workload, "Imported", "arn:aws:iam::111122223333:role/pipeline-role"
        )
    with pytest.raises(InvalidPropsError) as raised:
        scp.exempt(role)
    (problem,) = raised.value.problems
    assert (problem.prop, problem.code) == ("role", "importedRole")
    assert "which this app imports and does not create: no tag would be written" in str(problem)
    assert "tag it sm-pipeline-exception=true where it is defined" in str(problem)


@pytest.mark.parametrize(
    "tagging",
    [
        lambda stack, role: Tags.of(role).add("sm-pipeline-exception", "false"),
        lambda stack, role: Tags.of(stack).add("SM-Pipeline-Exception", "no"),
        lambda stack, role: role.node.default_child.tags.set_tag(
            "sm-pipeline-exception", "maybe"
        ),
    ],
    ids=["on-the-role", "on-the-stack-other-case", "on-the-resource"],
)
def test_exempting_a_role_tagged_with_another_value_is_an_error(tagging: Any) -> None:
    """GIVEN a role already carrying the exception key with another value WHEN exempted
    THEN an error instead of a silent overwrite."""
    workload, scp = _workload()
    role = PipelineExecutionRole(workload, "Role", step_types=["Processing"])
    tagging(workload, role)
    with pytest.raises(InvalidPropsError) as raised:
        scp.exempt(role)
    (problem,) = raised.value.problems
    assert (problem.prop, problem.code) == ("role", "conflictingTag")
    assert "which exempt() would overwrite with 'true': remove that tag" in str(problem)


def test_a_principal_tag_with_the_same_value_and_a_second_exempt_are_fine() -> None:
    """GIVEN principal_tag equal to the exception tag WHEN exempted twice THEN one tag."""
    workload, scp = _workload()
    role = PipelineExecutionRole(workload, "Role", step_types=["Processing"],
                                 principal_tag=("sm-pipeline-exception", "true"))
    scp.exempt(role)
    scp.exempt(role)
    Template.from_stack(workload).has_resource_properties(
        "AWS::IAM::Role", {"Tags": [{"Key": "sm-pipeline-exception", "Value": "true"}]}
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda role: Tags.of(role).add("sm-pipeline-exception", "false"),
        lambda role: Tags.of(role).remove("sm-pipeline-exception"),
    ],
    ids=["retagged", "removed"],
)
def test_a_tag_change_after_exempt_fails_synthesis(change: Any) -> None:
    """GIVEN an exempted role WHEN a later tag changes or removes the exception tag THEN
    synthesis fails naming the role (the change would silently undo exempt)."""
    workload, scp = _workload()
    role = PipelineExecutionRole(workload, "Role", step_types=["Processing"])
    scp.exempt(role)
    change(role)
    with pytest.raises(RuntimeError, match=r"role 'Workload/Role' was exempted with the tag "
                                           r"sm-pipeline-exception=true but synthesizes with"):
        Template.from_stack(workload)
