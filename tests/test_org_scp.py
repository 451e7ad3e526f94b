"""OrgScpException: the SCP resource, the tag it puts on roles, its errors and warnings."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
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
