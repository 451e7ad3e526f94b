"""OrgRcpException: the RCP resource beside the SCP, its targets and its errors."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from sm_pipeline_iam import InvalidPropsError, OrgRcpException, OrgScpException

PROPS: dict[str, object] = {
    "tag_key": "sm-pipeline-exception",
    "tag_value": "true",
    "vpc_endpoint_ids": ["vpce-0a1b2c3d4e5f60718"],
    "tag_admin_principal_arns": ["arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"],
    "target_ids": ["ou-ab12-cdefgh34"],
}


def _scp(stack: cdk.Stack) -> OrgScpException:
    return OrgScpException(stack, "Scp", **PROPS)  # type: ignore[arg-type]


def test_it_is_a_resource_control_policy_on_the_scps_targets() -> None:
    """GIVEN an SCP WHEN the RCP is added without targets THEN an RCP on the SCP's."""
    stack = cdk.Stack(cdk.App(), "Org")
    rcp = OrgRcpException(stack, "Rcp", scp=_scp(stack), organization_id="o-a1b2c3d4e5")
    Template.from_stack(stack).has_resource_properties("AWS::Organizations::Policy", {
        "Type": "RESOURCE_CONTROL_POLICY",
        "Name": "sm-pipeline-iam-sm-pipeline-exception-perimeter",
        "Content": rcp.document,
        "TargetIds": ["ou-ab12-cdefgh34"],
    })
    assert rcp.to_json() == rcp.exception.to_json()


def test_its_own_targets_win() -> None:
    """GIVEN target_ids WHEN synthesized THEN the RCP is attached to those."""
    stack = cdk.Stack(cdk.App(), "Org")
    OrgRcpException(stack, "Rcp", scp=_scp(stack), organization_id="o-a1b2c3d4e5",
                    target_ids=["r-ab12"])
    Template.from_stack(stack).has_resource_properties("AWS::Organizations::Policy", {
        "Type": "RESOURCE_CONTROL_POLICY", "TargetIds": ["r-ab12"]})


def test_every_problem_at_once_and_nothing_added() -> None:
    """GIVEN a bad organization id and target WHEN constructed THEN one error lists both."""
    stack = cdk.Stack(cdk.App(), "Org")
    scp = _scp(stack)
    with pytest.raises(InvalidPropsError) as raised:
        OrgRcpException(stack, "Rcp", scp=scp, organization_id="org", target_ids=["ou-x"])
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("organization_id", "notAnOrganizationId"), ("target_ids", "notATarget")]
    assert stack.node.try_find_child("Rcp") is None


def test_a_token_organization_id_is_refused() -> None:
    """GIVEN an organization id from a parameter WHEN constructed THEN refused (the RCP is
    measured on its literal text)."""
    stack = cdk.Stack(cdk.App(), "Org")
    token = cdk.CfnParameter(stack, "Org").value_as_string
    with pytest.raises(InvalidPropsError, match=r"organization_id"):
        OrgRcpException(stack, "Rcp", scp=_scp(stack), organization_id=token)
