"""The SCP exception, evaluated by a real IAM engine with the execution role's policies.

The SCP is layered with AWS's default FullAWSAccess (root and OU levels); the principal's
tag is read from the synthesized role, never written here by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from iamsim import Request, simulate
from support.cfn import ACCOUNT, Resolver, identity_policies, resources_of_type
from support.scenarios import EXCEPTION_TAG, JSON_GET_LOCATION, VPC_ENDPOINT_ID, VPC_ID
from support.tables import assert_all, only_role_id

FULL_AWS_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
ADMINISTRATOR = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
BUCKET = JSON_GET_LOCATION.removeprefix("s3://").split("/")[0]
OBJECT_ARN = f"arn:aws:s3:::{BUCKET}/evaluation/metrics.json"
ADMIN_ARN = f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-{ACCOUNT}-us-east-1"
DEVELOPER_ARN = f"arn:aws:iam::{ACCOUNT}:role/developer"
OTHER_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/some-service-role"


@pytest.fixture(scope="module")
def scenario(resolvers: dict[str, Resolver]) -> Resolver:
    return resolvers["scp_exception"]


def _scp_levels(resolver: Resolver) -> list[list[dict[str, Any]]]:
    (policy,) = resources_of_type(resolver.template, "AWS::Organizations::Policy").values()
    assert policy["Properties"]["Type"] == "SERVICE_CONTROL_POLICY"
    content = resolver.resolve(policy["Properties"]["Content"])
    return [[FULL_AWS_ACCESS], [FULL_AWS_ACCESS, content]]


def _role_tag(resolver: Resolver) -> tuple[str, str]:
    role = resolver.template["Resources"][only_role_id(resolver)]["Properties"]
    (tag,) = role["Tags"]
    return tag["Key"], tag["Value"]


def _read(request_id: str, principal: str, **context: str) -> Request:
    return Request(request_id, principal, "s3:GetObject", OBJECT_ARN, context)


def _as_execution_role(scenario: Resolver, requests: list[Request]) -> dict[str, str]:
    decisions = simulate(
        requests,
        identity_policies=identity_policies(scenario, only_role_id(scenario)),
        service_control_policies=_scp_levels(scenario),
    )
    return {request_id: d.result for request_id, d in decisions.items()}


def test_the_synthesized_role_carries_the_exception_tag(scenario: Resolver) -> None:
    """GIVEN exempt(role) WHEN synthesized THEN the role has exactly the SCP's tag."""
    assert _role_tag(scenario) == EXCEPTION_TAG


def test_json_get_reads_outside_the_vpc_need_the_right_tag(scenario: Resolver) -> None:
    """GIVEN outside the VPC WHEN reading a JsonGet object THEN only the tagged role."""
    role = scenario.role_arn(only_role_id(scenario))
    key, value = _role_tag(scenario)
    tagged = {f"aws:PrincipalTag/{key}": value}
    wrong_value = {f"aws:PrincipalTag/{key}": "false"}
    assert_all(_as_execution_role(scenario, [_read("tagged", role, **tagged)]), "Allowed")
    denied = [_read("untagged", role), _read("wrong-value", role, **wrong_value)]
    assert_all(_as_execution_role(scenario, denied), "ExplicitlyDenied")


def test_inside_the_vpc_or_via_a_service_everyone_reads(scenario: Resolver) -> None:
    """GIVEN an untagged principal WHEN in the VPC, its endpoint or via a service THEN
    allowed."""
    role = scenario.role_arn(only_role_id(scenario))
    requests = [
        _read("endpoint", role, **{"aws:SourceVpce": VPC_ENDPOINT_ID}),
        _read("vpc", role, **{"aws:SourceVpc": VPC_ID}),
        _read("service", role, **{"aws:ViaAWSService": "true"}),
    ]
    assert_all(_as_execution_role(scenario, requests), "Allowed")
    others = [
        _read("other-endpoint", role, **{"aws:SourceVpce": "vpce-0fffffffffffffff0"}),
        _read("other-vpc", role, **{"aws:SourceVpc": "vpc-0fffffffffffffff0"}),
    ]
    assert_all(_as_execution_role(scenario, others), "ExplicitlyDenied")


def _tagging(principal: str, key: str) -> list[Request]:
    tag = {"aws:PrincipalArn": principal, "aws:TagKeys": [key], f"aws:RequestTag/{key}": "true"}
    untag = {"aws:PrincipalArn": principal, "aws:TagKeys": [key]}
    user = f"arn:aws:iam::{ACCOUNT}:user/someone"
    return [
        Request(f"tag other role {key}", principal, "iam:TagRole", OTHER_ROLE_ARN, tag),
        Request(f"tag own role {key}", principal, "iam:TagRole", principal, tag),
        Request(f"change tag {key}", principal, "iam:TagRole", OTHER_ROLE_ARN, tag),
        Request(f"untag role {key}", principal, "iam:UntagRole", OTHER_ROLE_ARN, untag),
        Request(f"create role {key}", principal, "iam:CreateRole", OTHER_ROLE_ARN, tag),
        Request(f"tag user {key}", principal, "iam:TagUser", user, tag),
        Request(f"untag user {key}", principal, "iam:UntagUser", user, untag),
        Request(f"create user {key}", principal, "iam:CreateUser", user, tag),
        Request(f"session tag {key}", principal, "sts:TagSession", OTHER_ROLE_ARN, tag),
    ]


def _as_administrator(scenario: Resolver, requests: list[Request]) -> dict[str, str]:
    decisions = simulate(
        requests, identity_policies=[ADMINISTRATOR], service_control_policies=_scp_levels(scenario)
    )
    return {request_id: d.result for request_id, d in decisions.items()}


def test_nobody_but_the_tag_admins_sets_or_removes_the_tag(scenario: Resolver) -> None:
    """GIVEN an administrator who is not a tag admin WHEN tagging with the key (any case)
    THEN denied; a tag admin may."""
    key, _ = _role_tag(scenario)
    denied = _tagging(DEVELOPER_ARN, key) + _tagging(DEVELOPER_ARN, key.upper())
    assert_all(_as_administrator(scenario, denied), "ExplicitlyDenied")
    assert_all(_as_administrator(scenario, _tagging(ADMIN_ARN, key)), "Allowed")


def test_other_tag_keys_are_unaffected(scenario: Resolver) -> None:
    """GIVEN a non-admin WHEN tagging with another key THEN allowed."""
    assert_all(_as_administrator(scenario, _tagging(DEVELOPER_ARN, "cost-center")), "Allowed")
