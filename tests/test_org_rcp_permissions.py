"""The RCP beside the SCP, evaluated by a real IAM engine: the outsider chain of issue 21
denied step by step, the organization's own paths beside it.

The outsider is a principal of another account (444455556666, outside the organization)
whose own policies allow everything, and whom the org's resources let in (a developer's
role that trusts it and allows ``sts:TagSession``; a bucket policy that grants it reads):
each decision is then the RCP's. The RCP and SCP are read from the synthesized template,
layered as AWS does (RCPFullAWSAccess and FullAWSAccess at every level).
"""

from __future__ import annotations

from typing import Any

import pytest

from iamsim import Request, simulate
from support.cfn import ACCOUNT, Resolver, identity_policies, resources_of_type
from support.scenarios import (
    EXCEPTION_TAG,
    JSON_GET_LOCATION,
    ORGANIZATION_ID,
    VPC_ENDPOINT_ID,
    VPC_ID,
)
from support.tables import only_role_id

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
OUTSIDE_ACCOUNT = "444455556666"
OUTSIDER_ARN = f"arn:aws:iam::{OUTSIDE_ACCOUNT}:role/outsider"
OTHER_ORGANIZATION_ID = "o-z9y8x7w6v5"
#: The developer's untagged role that trusts the outside account (the issue's first step).
BRIDGE_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/developer-bridge"
ADMIN_ARN = f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-{ACCOUNT}-us-east-1"
DEVELOPER_ARN = f"arn:aws:iam::{ACCOUNT}:role/developer"
SAML_PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/anyone"
OIDC_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.example.com"
BUCKET = JSON_GET_LOCATION.removeprefix("s3://").split("/")[0]
OBJECT_ARN = f"arn:aws:s3:::{BUCKET}/evaluation/metrics.json"
KEY, VALUE = EXCEPTION_TAG
TAGGED = {f"aws:PrincipalTag/{KEY}": VALUE}
SESSION_TAG = {"aws:TagKeys": [KEY], f"aws:RequestTag/{KEY}": VALUE}
IN_THE_ORG = {"aws:PrincipalOrgID": ORGANIZATION_ID}

#: The bridge role's trust policy: the outside account and any federated identity may
#: assume it and tag the session (what a developer with ordinary rights can write).
TRUSTS_EVERYONE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE_ACCOUNT}:root"},
     "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": BRIDGE_ROLE_ARN},
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": BRIDGE_ROLE_ARN},
    {"Effect": "Allow", "Principal": {"Federated": [SAML_PROVIDER, OIDC_PROVIDER]},
     "Action": ["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
     "Resource": BRIDGE_ROLE_ARN},
]}
#: A bucket policy that shares the perimeter's bucket with the outside account and lets
#: an AWS service write to it (server access logs).
SHARED_BUCKET = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE_ACCOUNT}:root"},
     "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"},
    {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"},
]}


@pytest.fixture(scope="module")
def scenario(resolvers: dict[str, Resolver]) -> Resolver:
    return resolvers["scp_exception"]


def _policy(resolver: Resolver, kind: str) -> dict[str, Any]:
    (policy,) = [p for p in resources_of_type(resolver.template, "AWS::Organizations::Policy")
                 .values() if p["Properties"]["Type"] == kind]
    content: dict[str, Any] = resolver.resolve(policy["Properties"]["Content"])
    return content


def _decide(scenario: Resolver, requests: list[Request], *, org_principal: bool,
            resource_policy: dict[str, Any]) -> dict[str, str]:
    """Each request with the RCP on the org's resources; the SCP too when the principal is
    the organization's (an outsider's account has none of the org's SCPs)."""
    full = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    scps = [[full], [full, _policy(scenario, "SERVICE_CONTROL_POLICY")]] if org_principal else []
    decisions = simulate(
        requests, identity_policies=[ALLOW_ALL], service_control_policies=scps,
        resource_policy=resource_policy,
        resource_control_policies=[[], [_policy(scenario, "RESOURCE_CONTROL_POLICY")]],
    )
    return {request_id: d.result for request_id, d in decisions.items()}


def _assume(request_id: str, principal: str, action: str, **context: Any) -> Request:
    return Request(request_id, principal, action, BRIDGE_ROLE_ARN, context,
                   resource_account=ACCOUNT)


def test_an_outsider_cannot_tag_a_session_with_the_exception_key(scenario: Resolver) -> None:
    """GIVEN a role of the org that trusts another account and allows sts:TagSession WHEN
    that account's principal assumes it tagging the session with the exception key (any
    case) THEN sts:AssumeRole and sts:TagSession are denied by the RCP; without the key,
    allowed (the RCP denies the key, not the trust)."""
    upper = {"aws:TagKeys": [KEY.upper()], f"aws:RequestTag/{KEY.upper()}": VALUE}
    outsider = [
        _assume("assume tagged", OUTSIDER_ARN, "sts:AssumeRole", **SESSION_TAG),
        _assume("tag session", OUTSIDER_ARN, "sts:TagSession", **SESSION_TAG),
        _assume("tag session upper", OUTSIDER_ARN, "sts:TagSession", **upper),
        _assume("tagged from another org", OUTSIDER_ARN, "sts:TagSession", **SESSION_TAG,
                **{"aws:PrincipalOrgID": OTHER_ORGANIZATION_ID}),
        _assume("untagged", OUTSIDER_ARN, "sts:AssumeRole"),
        _assume("other key", OUTSIDER_ARN, "sts:TagSession",
                **{"aws:TagKeys": ["cost-center"], "aws:RequestTag/cost-center": "ml"}),
    ]
    assert _decide(scenario, outsider, org_principal=False,
                   resource_policy=TRUSTS_EVERYONE) == {
        "assume tagged": "ExplicitlyDenied", "tag session": "ExplicitlyDenied",
        "tag session upper": "ExplicitlyDenied", "tagged from another org": "ExplicitlyDenied",
        "untagged": "Allowed", "other key": "Allowed",
    }


def test_inside_the_org_only_the_tag_admins_tag_sessions(scenario: Resolver) -> None:
    """GIVEN the same trust WHEN a principal of the organization tags the session THEN
    a tag admin is allowed (the RCP lets the org in) and a developer is denied (by the
    SCP): the two halves together."""
    inside = [
        _assume("admin", ADMIN_ARN, "sts:TagSession", **SESSION_TAG, **IN_THE_ORG,
                **{"aws:PrincipalArn": ADMIN_ARN}),
        _assume("developer", DEVELOPER_ARN, "sts:TagSession", **SESSION_TAG, **IN_THE_ORG,
                **{"aws:PrincipalArn": DEVELOPER_ARN}),
    ]
    assert _decide(scenario, inside, org_principal=True, resource_policy=TRUSTS_EVERYONE) == {
        "admin": "Allowed", "developer": "ExplicitlyDenied"}


@pytest.mark.parametrize(
    ("provider", "action"),
    [(SAML_PROVIDER, "sts:AssumeRoleWithSAML"), (OIDC_PROVIDER, "sts:AssumeRoleWithWebIdentity")],
)
def test_federation_never_sets_the_exception_tag(
    scenario: Resolver, provider: str, action: str
) -> None:
    """GIVEN an identity provider anyone may register, trusted by a role of the org WHEN
    a federated identity assumes it with the exception key as a session tag THEN denied
    (a federated caller has no principal organization); without the key, allowed."""
    requests = [
        _assume("tagged", provider, action, **SESSION_TAG),
        _assume("untagged", provider, action),
    ]
    assert _decide(scenario, requests, org_principal=False,
                   resource_policy=TRUSTS_EVERYONE) == {
        "tagged": "ExplicitlyDenied", "untagged": "Allowed"}


def _read(request_id: str, principal: str, **context: Any) -> Request:
    return Request(request_id, principal, "s3:GetObject", OBJECT_ARN, context,
                   resource_account=ACCOUNT)


def test_a_tagged_outsider_does_not_reach_the_orgs_s3_from_outside_the_vpc(
    scenario: Resolver,
) -> None:
    """GIVEN a bucket policy that shares the bucket with another account WHEN that
    account's principal, tagged with the exception key by its own account, reads from
    outside the VPC (directly or through a service) THEN denied by the RCP; the same read
    through the VPC's endpoint or the VPC is allowed (the perimeter is the network's)."""
    outside = [
        _read("tagged", OUTSIDER_ARN, **TAGGED),
        _read("tagged other org", OUTSIDER_ARN, **TAGGED,
              **{"aws:PrincipalOrgID": OTHER_ORGANIZATION_ID}),
        _read("via a service", OUTSIDER_ARN, **TAGGED, **{"aws:ViaAWSService": "true"}),
        _read("untagged", OUTSIDER_ARN),
    ]
    inside = [
        _read("endpoint", OUTSIDER_ARN, **TAGGED, **{"aws:SourceVpce": VPC_ENDPOINT_ID}),
        _read("vpc", OUTSIDER_ARN, **{"aws:SourceVpc": VPC_ID}),
    ]
    decisions = _decide(scenario, outside + inside, org_principal=False,
                        resource_policy=SHARED_BUCKET)
    assert decisions == {
        "tagged": "ExplicitlyDenied", "tagged other org": "ExplicitlyDenied",
        "via a service": "ExplicitlyDenied", "untagged": "ExplicitlyDenied",
        "endpoint": "Allowed", "vpc": "Allowed",
    }


def test_the_orgs_tagged_pipeline_role_still_reads_from_outside_the_vpc(
    scenario: Resolver,
) -> None:
    """GIVEN the synthesized, tagged execution role with its own policies, the SCP and the
    RCP WHEN it reads its JsonGet object from outside the VPC THEN allowed; untagged,
    denied; an untagged read through a service (the SCP's exemption) still allowed."""
    role_id = only_role_id(scenario)
    role = scenario.role_arn(role_id)
    requests = [
        _read("tagged", role, **TAGGED, **IN_THE_ORG),
        _read("untagged", role, **IN_THE_ORG),
        _read("via a service", role, **IN_THE_ORG, **{"aws:ViaAWSService": "true"}),
    ]
    full = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    decisions = simulate(
        requests, identity_policies=identity_policies(scenario, role_id),
        service_control_policies=[[full], [full, _policy(scenario, "SERVICE_CONTROL_POLICY")]],
        resource_control_policies=[[], [_policy(scenario, "RESOURCE_CONTROL_POLICY")]],
    )
    assert {k: d.result for k, d in decisions.items()} == {
        "tagged": "Allowed", "untagged": "ExplicitlyDenied", "via a service": "Allowed"}


def _log_write(request_id: str, source_org: str) -> Request:
    context = {"aws:PrincipalIsAWSService": "true", "aws:SourceAccount": ACCOUNT,
               "aws:SourceOrgID": source_org}
    return Request(request_id, "logging.s3.amazonaws.com", "s3:PutObject",
                   f"arn:aws:s3:::{BUCKET}/logs/access.log", context, resource_account=ACCOUNT)


def test_an_aws_service_acting_for_the_org_is_allowed(scenario: Resolver) -> None:
    """GIVEN S3 server access logging (a service principal) WHEN it writes into the bucket
    from outside the VPC for a source of the organization THEN allowed; for a source of
    another organization (a confused deputy), denied."""
    requests = [_log_write("for the org", ORGANIZATION_ID),
                _log_write("for another org", OTHER_ORGANIZATION_ID)]
    assert _decide(scenario, requests, org_principal=False, resource_policy=SHARED_BUCKET) == {
        "for the org": "Allowed", "for another org": "ExplicitlyDenied"}
