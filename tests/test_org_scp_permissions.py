"""The SCP exception, evaluated by a real IAM engine with the execution role's policies,
or over an allow-all identity (a hostile insider with every permission: each decision is
then the SCP's own).

The SCP is layered with AWS's default FullAWSAccess (root and OU levels); the principal's
tag is read from the synthesized role, never written here by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from iamsim import Request, simulate
from sm_pipeline_iam.core.organization.scp import POLICY_CHANGES, ROLE_CHANGES
from support.cfn import ACCOUNT, Resolver, identity_policies, resources_of_type
from support.scenarios import EXCEPTION_TAG, JSON_GET_LOCATION, VPC_ENDPOINT_ID, VPC_ID
from support.tables import SAGEMAKER, assert_all, only_role_id

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
    (policy,) = [p for p in resources_of_type(resolver.template, "AWS::Organizations::Policy")
                 .values() if p["Properties"]["Type"] == "SERVICE_CONTROL_POLICY"]
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
        Request(f"federated user tag {key}", principal, "sts:GetFederationToken",
                f"arn:aws:sts::{ACCOUNT}:federated-user/someone", tag),
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


# --- The hostile insider: every bypass step denied, every legitimate path allowed. -----
#
# Each request carries what AWS puts in the request context (aws:PrincipalArn, the
# principal's tags, the resource's tags, the network path); the identity policy allows
# everything, so each decision is the SCP's.

CI_ARN = f"arn:aws:iam::{ACCOUNT}:role/ci"
EVIL_ADMIN_ARN = f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-evil"
ROLE_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _asks(request_id: str, principal: str, action: str, resource: str,
          **context: str | list[str]) -> Request:
    return Request(request_id, principal, action, resource,
                   {"aws:PrincipalArn": principal, **context})


def _role_changes(principal: str, role: str, tag: str, **context: str) -> list[Request]:
    """One request per action of ROLE_CHANGES on ``role`` (a TagRole with another key)."""
    keyed = {"aws:TagKeys": ["cost-center"]}
    return [
        _asks(f"{tag} {action}", principal, action, role,
              **context, **(keyed if action in ("iam:TagRole", "iam:UntagRole") else {}))
        for action in ROLE_CHANGES
    ]


def test_nobody_outside_the_admins_creates_or_changes_a_role_named_like_an_admin(
    scenario: Resolver,
) -> None:
    """GIVEN the documented admin pattern cdk-hnb659fds-cfn-exec-role-* WHEN a developer
    creates cdk-hnb659fds-cfn-exec-role-evil, or changes the real admin role's trust,
    policies, boundary or existence THEN denied; an admin may (a bootstrap update)."""
    denied = [
        _asks("create evil admin", DEVELOPER_ARN, "iam:CreateRole", EVIL_ADMIN_ARN),
        *_role_changes(DEVELOPER_ARN, ADMIN_ARN, "change admin"),
        *_role_changes(DEVELOPER_ARN, EVIL_ADMIN_ARN, "change evil"),
    ]
    assert {r.action for r in denied} >= {
        "iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy",
        "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary", "iam:DeleteRole",
    }
    assert_all(_as_administrator(scenario, denied), "ExplicitlyDenied")
    allowed = [
        _asks("admin creates admin", ADMIN_ARN, "iam:CreateRole", EVIL_ADMIN_ARN),
        *_role_changes(ADMIN_ARN, ADMIN_ARN, "admin changes admin"),
    ]
    assert_all(_as_administrator(scenario, allowed), "Allowed")


def test_a_role_outside_the_admin_pattern_stays_a_non_admin(scenario: Resolver) -> None:
    """GIVEN a developer's role named like an admin under another path (not matching)
    WHEN it tags a role, creates a tagged role or tags a session THEN denied: the path is
    part of the ARN both checks read."""
    pathed = f"arn:aws:iam::{ACCOUNT}:role/x/cdk-hnb659fds-cfn-exec-role-evil"
    created = [_asks("create pathed", DEVELOPER_ARN, "iam:CreateRole", pathed)]
    assert_all(_as_administrator(scenario, created), "Allowed")
    key, _ = _role_tag(scenario)
    assert_all(_as_administrator(scenario, [
        Request(r.id, r.principal, r.action, r.resource, {**r.context, "aws:PrincipalArn": pathed})
        for r in _tagging(pathed, key)
    ]), "ExplicitlyDenied")


def test_ordinary_roles_are_still_the_developers_own(scenario: Resolver) -> None:
    """GIVEN an untagged role that matches no admin WHEN a developer creates, changes or
    passes it anywhere THEN allowed (the SCP denies nothing else)."""
    requests = [
        _asks("create", DEVELOPER_ARN, "iam:CreateRole", OTHER_ROLE_ARN),
        *_role_changes(DEVELOPER_ARN, OTHER_ROLE_ARN, "change"),
        _asks("pass to ec2", DEVELOPER_ARN, "iam:PassRole", OTHER_ROLE_ARN,
              **{"iam:PassedToService": "ec2.amazonaws.com"}),
    ]
    assert_all(_as_administrator(scenario, requests), "Allowed")


def test_a_tagged_role_is_changed_only_by_the_admins(scenario: Resolver) -> None:
    """GIVEN the synthesized pipeline role, tagged WHEN a developer or CI changes its trust,
    inline or attached policies, boundary, description, tags or existence THEN denied; the
    admins may."""
    role = scenario.role_arn(only_role_id(scenario))
    key, value = _role_tag(scenario)
    tagged = {f"aws:ResourceTag/{key}": value}
    denied = _role_changes(DEVELOPER_ARN, role, "developer", **tagged) + _role_changes(
        CI_ARN, role, "ci", **tagged
    )
    assert_all(_as_administrator(scenario, denied), "ExplicitlyDenied")
    allowed = _role_changes(ADMIN_ARN, role, "admin", **tagged) + _role_changes(
        DEVELOPER_ARN, role, "other value", **{f"aws:ResourceTag/{key}": "false"}
    )
    assert_all(_as_administrator(scenario, allowed), "Allowed")


def test_a_tagged_role_is_passed_to_sagemaker_only(scenario: Resolver) -> None:
    """GIVEN the tagged pipeline role WHEN CI passes it to SageMaker THEN allowed; to EC2,
    Lambda or no named service THEN denied, to everyone (admins too)."""
    role = scenario.role_arn(only_role_id(scenario))
    key, value = _role_tag(scenario)
    tagged = {f"aws:ResourceTag/{key}": value}

    def passing(principal: str, service: str | None) -> Request:
        to = {"iam:PassedToService": service} if service else {}
        return _asks(f"{principal} passes to {service}", principal, "iam:PassRole", role,
                     **tagged, **to)

    assert_all(_as_administrator(scenario, [passing(CI_ARN, SAGEMAKER)]), "Allowed")
    denied = [
        passing(principal, service)
        for principal in (DEVELOPER_ARN, CI_ARN, ADMIN_ARN)
        for service in ("ec2.amazonaws.com", "lambda.amazonaws.com", None)
    ]
    assert_all(_as_administrator(scenario, denied), "ExplicitlyDenied")


#: One concrete request per S3 data path: (action, resource).
S3_DATA_PATHS = [
    ("s3:GetObject", OBJECT_ARN),
    ("s3express:CreateSession",
     f"arn:aws:s3express:us-east-1:{ACCOUNT}:bucket/data--use1-az4--x-s3"),
    ("s3-object-lambda:GetObject",
     f"arn:aws:s3-object-lambda:us-east-1:{ACCOUNT}:accesspoint/olap"),
    ("s3:GetDataAccess", f"arn:aws:s3:us-east-1:{ACCOUNT}:access-grants/default"),
    ("s3:ReplicateObject", OBJECT_ARN),
    ("s3:ReplicateDelete", OBJECT_ARN),
    ("s3:GetObjectVersionForReplication", OBJECT_ARN),
    ("s3:InitiateReplication", OBJECT_ARN),
    ("s3tables:GetTableData", f"arn:aws:s3tables:us-east-1:{ACCOUNT}:bucket/tables/table/t1"),
    ("s3vectors:QueryVectors", f"arn:aws:s3vectors:us-east-1:{ACCOUNT}:bucket/vectors/index/i1"),
]
#: One concrete request per bucket setting that shares data or copies it elsewhere.
S3_SHARING_PATHS = [
    ("s3:PutBucketPolicy", f"arn:aws:s3:::{BUCKET}"),
    ("s3:DeleteBucketPolicy", f"arn:aws:s3:::{BUCKET}"),
    ("s3:PutBucketAcl", f"arn:aws:s3:::{BUCKET}"),
    ("s3:PutBucketOwnershipControls", f"arn:aws:s3:::{BUCKET}"),
    ("s3:PutReplicationConfiguration", f"arn:aws:s3:::{BUCKET}"),
    ("s3:PutAccountPublicAccessBlock", "*"),
    ("s3:CreateJob", "*"),
    ("s3:CreateAccessPoint", f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/open"),
    ("s3:CreateAccessGrant",
     f"arn:aws:s3:us-east-1:{ACCOUNT}:access-grants/default/grant/g1"),
    ("s3express:PutBucketPolicy",
     f"arn:aws:s3express:us-east-1:{ACCOUNT}:bucket/data--use1-az4--x-s3"),
]


def _s3(paths: list[tuple[str, str]], who: str, principal: str,
        **context: str) -> list[Request]:
    return [_asks(f"{who} {action}", principal, action, resource, **context)
            for action, resource in paths]


def test_every_s3_data_path_is_denied_outside_the_vpc_to_untagged_principals(
    scenario: Resolver,
) -> None:
    """GIVEN an untagged developer outside the VPC WHEN reading or moving S3 data by any
    path (S3 Express sessions, Object Lambda, Access Grants, replication, batch
    replication, S3 Tables, S3 Vectors) or sharing it (bucket policy, ACL, replication,
    Batch Operations, access points and grants, Block Public Access) THEN denied."""
    requests = _s3(S3_DATA_PATHS, "data", DEVELOPER_ARN) + _s3(
        S3_SHARING_PATHS, "sharing", DEVELOPER_ARN
    )
    assert_all(_as_administrator(scenario, requests), "ExplicitlyDenied")


@pytest.mark.parametrize(
    "where",
    [{"aws:SourceVpc": VPC_ID}, {"aws:SourceVpce": VPC_ENDPOINT_ID}],
    ids=["vpc", "endpoint"],
)
def test_inside_the_vpc_untagged_principals_work_as_before(
    scenario: Resolver, where: dict[str, str]
) -> None:
    """GIVEN an untagged developer in the VPC or through its endpoint WHEN using every
    data path and bucket setting THEN allowed."""
    requests = _s3(S3_DATA_PATHS, "data", DEVELOPER_ARN, **where) + _s3(
        S3_SHARING_PATHS, "sharing", DEVELOPER_ARN, **where
    )
    assert_all(_as_administrator(scenario, requests), "Allowed")


def test_the_tagged_pipeline_role_reads_from_outside_but_never_shares(
    scenario: Resolver,
) -> None:
    """GIVEN the synthesized pipeline role with its tag, outside the VPC (SageMaker's
    JsonGet) WHEN it reads THEN allowed; WHEN it would change bucket sharing THEN denied."""
    role = scenario.role_arn(only_role_id(scenario))
    key, value = _role_tag(scenario)
    tag = {f"aws:PrincipalTag/{key}": value}
    assert_all(_as_administrator(scenario, _s3(S3_DATA_PATHS, "data", role, **tag)), "Allowed")
    sharing = _s3(S3_SHARING_PATHS, "sharing", role, **tag)
    assert_all(_as_administrator(scenario, sharing), "ExplicitlyDenied")


def test_bucket_sharing_through_cloudformation_needs_a_deployment_role(
    scenario: Resolver,
) -> None:
    """GIVEN CloudFormation's forward access session (aws:ViaAWSService true) outside the
    VPC WHEN the CDK's deployment role sets bucket policies, ACLs, replication THEN
    allowed; WHEN a developer's own stack does THEN denied (the tag is no help either)."""
    via = {"aws:ViaAWSService": "true"}
    deployment = _s3(S3_SHARING_PATHS, "admin", ADMIN_ARN, **via)
    assert_all(_as_administrator(scenario, deployment), "Allowed")
    developer = _s3(S3_SHARING_PATHS, "developer", DEVELOPER_ARN, **via)
    assert_all(_as_administrator(scenario, developer), "ExplicitlyDenied")
    # A service reading data for a developer (FAS) keeps working, as before.
    reads = _s3(S3_DATA_PATHS, "fas read", DEVELOPER_ARN, **via)
    assert_all(_as_administrator(scenario, reads), "Allowed")


def test_the_librarys_managed_policies_change_only_by_the_admins(scenario: Resolver) -> None:
    """GIVEN a managed policy under the library's path (a tagged role's Policy1..N) WHEN a
    developer writes a new version, makes one the default, deletes one or the policy THEN
    denied; the admins may; a policy outside the path stays the developer's own."""
    library = f"arn:aws:iam::{ACCOUNT}:policy/sm-pipeline-iam/PipelineRolePolicy1"
    elsewhere = f"arn:aws:iam::{ACCOUNT}:policy/team-policy"
    denied = [_asks(f"developer {a}", DEVELOPER_ARN, a, library) for a in POLICY_CHANGES]
    assert_all(_as_administrator(scenario, denied), "ExplicitlyDenied")
    allowed = [_asks(f"admin {a}", ADMIN_ARN, a, library) for a in POLICY_CHANGES] + [
        _asks(f"elsewhere {a}", DEVELOPER_ARN, a, elsewhere) for a in POLICY_CHANGES]
    assert_all(_as_administrator(scenario, allowed), "Allowed")
