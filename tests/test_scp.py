"""The SCP exception as plain data: validation, statements and size."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

import pytest

from sm_pipeline_iam.core.errors import Problem
from sm_pipeline_iam.core.organization.scp import (
    ROLE_CHANGES,
    ROLE_CHANGES_LEFT_OUT,
    S3_DATA_ACTIONS,
    S3_LEFT_OUT,
    S3_SHARING_ACTIONS,
    SCP_SIZE_LIMIT,
    TAGGING_ACTIONS,
    ScpException,
    admin_problems,
    organization_problems,
    target_problems,
)
from support.iam_reference import IAM

ADMIN = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"


def _exception(**overrides: object) -> ScpException:
    props: dict[str, object] = {
        "tag_key": "sm-pipeline-exception",
        "tag_value": "true",
        "vpc_endpoint_ids": ("vpce-0a1b2c3d4e5f60718",),
        "tag_admin_principal_arns": (ADMIN,),
    }
    return ScpException(**{**props, **overrides})  # type: ignore[arg-type]


def test_a_valid_exception_has_no_problem_and_seven_deny_statements() -> None:
    """GIVEN valid props WHEN rendered THEN seven Deny statements, all on '*' but the ones
    that protect the admins' own roles and the library's managed policies."""
    exception = _exception()
    assert exception.problems() == [] and exception.size_problems() == []
    statements = exception.statements()
    assert [s["Sid"] for s in statements] == [
        "DenyS3DataOutsideTheVpcUnlessPipeline",
        "DenyS3SharingOutsideTheVpcUnlessAdmin",
        "DenyTheExceptionTagToAllButItsAdmins",
        "DenyChangesToExemptRolesToAllButAdmins",
        "DenyPassingExemptRolesButToSageMaker",
        "DenyAdminRolesToAllButAdmins",
        "DenyChangesToLibraryPoliciesToAllButAdmins",
    ]
    assert {s["Effect"] for s in statements} == {"Deny"}
    assert [s["Resource"] for s in statements] == ["*"] * 5 + [
        [ADMIN], "arn:*:iam::*:policy/sm-pipeline-iam/*"]


def test_the_s3_statement_exempts_vpcs_endpoints_tag_and_services() -> None:
    """GIVEN VPCs and endpoints WHEN rendered THEN every exemption is an IfExists key."""
    s3 = _exception(vpc_ids=("vpc-0123456789abcdef0",)).statements()[0]
    assert s3["Condition"] == {
        "StringNotEqualsIfExists": {
            "aws:PrincipalTag/sm-pipeline-exception": "true",
            "aws:SourceVpc": ["vpc-0123456789abcdef0"],
            "aws:SourceVpce": ["vpce-0a1b2c3d4e5f60718"],
        },
        "BoolIfExists": {"aws:ViaAWSService": "false"},
    }
    assert "s3:GetObject*" in s3["Action"]


def test_bucket_sharing_is_exempt_only_in_the_vpc_or_for_admins() -> None:
    """GIVEN the sharing statement WHEN rendered THEN the VPC and the admins are exempt,
    not the tag and not a service (CloudFormation sets aws:ViaAWSService for every stack)."""
    sharing = _exception(vpc_ids=("vpc-0123456789abcdef0",)).statements()[1]
    assert sharing["Condition"] == {
        "StringNotEqualsIfExists": {
            "aws:SourceVpc": ["vpc-0123456789abcdef0"],
            "aws:SourceVpce": ["vpce-0a1b2c3d4e5f60718"],
        },
        "ArnNotLike": {"aws:PrincipalArn": [ADMIN]},
    }


def test_tagged_roles_are_changed_by_admins_only_and_passed_to_sagemaker_only() -> None:
    """GIVEN the tag WHEN rendered THEN role changes need an admin when the role carries
    the tag; a pass of such a role to another service is denied to everyone."""
    _, _, _, changes, passing, admins, _ = _exception().statements()
    tagged = {"aws:ResourceTag/sm-pipeline-exception": "true"}
    assert changes["Action"] == list(ROLE_CHANGES)
    assert changes["Condition"] == {
        "StringEquals": tagged, "ArnNotLike": {"aws:PrincipalArn": [ADMIN]},
    }
    assert passing["Action"] == "iam:PassRole"
    assert passing["Condition"] == {
        "StringEquals": tagged,
        "StringNotEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"},
    }
    assert admins["Action"] == ["iam:CreateRole", *ROLE_CHANGES]
    assert admins["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": [ADMIN]}}


def _actions(pattern: str) -> list[str]:
    """The IAM reference's actions that ``pattern`` (IAM wildcards) matches."""
    service, name = pattern.split(":")
    if not IAM.services.service_exists(service):
        return []
    return [
        f"{service}:{action}"
        for action in IAM.actions.get_actions_for_service(service)
        if fnmatchcase(action.lower(), name.lower())
    ]


@pytest.mark.parametrize(
    "pattern",
    [*S3_DATA_ACTIONS, *S3_SHARING_ACTIONS, *TAGGING_ACTIONS, *ROLE_CHANGES,
     *ROLE_CHANGES_LEFT_OUT, *S3_LEFT_OUT],
)
def test_every_listed_action_exists(pattern: str) -> None:
    """GIVEN an action or pattern of the SCP WHEN matched against the IAM reference THEN it
    names at least one real action (a misspelt action would never deny anything)."""
    assert _actions(pattern), pattern


def _covered(action: str, patterns: tuple[str, ...] | list[str]) -> bool:
    return any(fnmatchcase(action.lower(), p.lower()) for p in patterns)


def test_role_changes_are_every_write_action_on_a_role() -> None:
    """GIVEN the IAM reference WHEN listing every non-read IAM and STS action on the role
    resource type THEN each is in ROLE_CHANGES, or left out with a reason."""
    writes = []
    for service in ("iam", "sts"):
        for name in IAM.actions.get_actions_for_service(service):
            details = IAM.actions.get_action_details(service, name)
            levels = {level.strip() for level in details["accessLevel"].split(",")}
            types = {resource["name"] for resource in details["resourceTypes"]}
            if "role" in types and levels - {"Read", "List"}:
                writes.append(f"{service}:{name}")
    assert sorted(writes) == sorted([*ROLE_CHANGES, *ROLE_CHANGES_LEFT_OUT])


def test_every_s3_permission_setting_is_listed_or_left_out_with_a_reason() -> None:
    """GIVEN the IAM reference WHEN listing every permissions-management action of S3,
    S3 Express, S3 Tables, S3 Vectors and Object Lambda THEN each is in the data or sharing
    list, or in S3_LEFT_OUT."""
    lists = [*S3_DATA_ACTIONS, *S3_SHARING_ACTIONS, *S3_LEFT_OUT]
    missing = [
        f"{service}:{name}"
        for service in ("s3", "s3express", "s3tables", "s3vectors", "s3-object-lambda")
        for name in IAM.actions.get_actions_for_service(service)
        if "Permissions management" in IAM.actions.get_action_details(service, name)["accessLevel"]
        and not _covered(f"{service}:{name}", lists)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("action", "listed"),
    [
        ("s3express:CreateSession", S3_DATA_ACTIONS),
        ("s3-object-lambda:GetObject", S3_DATA_ACTIONS),
        ("s3:GetDataAccess", S3_DATA_ACTIONS),
        ("s3:ReplicateObject", S3_DATA_ACTIONS),
        ("s3:ReplicateDelete", S3_DATA_ACTIONS),
        ("s3:GetObjectVersionForReplication", S3_DATA_ACTIONS),
        ("s3tables:GetTableData", S3_DATA_ACTIONS),
        ("s3vectors:QueryVectors", S3_DATA_ACTIONS),
        ("s3:PutBucketPolicy", S3_SHARING_ACTIONS),
        ("s3:PutBucketAcl", S3_SHARING_ACTIONS),
        ("s3:PutReplicationConfiguration", S3_SHARING_ACTIONS),
        ("s3:CreateJob", S3_SHARING_ACTIONS),
        ("s3:PutAccountPublicAccessBlock", S3_SHARING_ACTIONS),
    ],
)
def test_the_ways_out_of_the_perimeter_are_listed(action: str, listed: tuple[str, ...]) -> None:
    """GIVEN an S3 data path the issue named WHEN matched THEN its statement lists it."""
    assert _covered(action, listed)


def test_reads_of_settings_are_not_denied() -> None:
    """GIVEN the sharing and role lists WHEN matched against reads THEN none is denied (a
    wildcard must not catch GetBucketPolicy, GetRole or ListRolePolicies)."""
    for read in ("s3:GetBucketPolicy", "s3:GetAccessPointPolicy", "s3:GetBucketAcl",
                 "s3vectors:GetVectorBucketPolicy", "s3express:GetAccessPointScope",
                 "iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies"):
        assert not _covered(read, [*S3_SHARING_ACTIONS, *ROLE_CHANGES]), read


def test_the_tag_statement_covers_every_way_to_set_the_tag() -> None:
    """GIVEN the tag WHEN rendered THEN roles, users and sessions, any case, admins excepted."""
    tag = _exception().statements()[2]
    assert set(tag["Action"]) == {
        "iam:CreateRole", "iam:CreateUser", "iam:TagRole", "iam:TagUser", "iam:UntagRole",
        "iam:UntagUser", "sts:GetFederationToken", "sts:TagSession",
    }
    assert tag["Condition"] == {
        "ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": ["sm-pipeline-exception"]},
        "ArnNotLike": {"aws:PrincipalArn": [ADMIN]},
    }


@pytest.mark.parametrize(
    ("overrides", "prop", "code", "match"),
    [
        ({"vpc_endpoint_ids": ()}, "vpc_ids", "noVpcOrEndpoint",
         "vpc_ids and vpc_endpoint_ids are both empty"),
        ({"vpc_ids": ("vpc-xyz",)}, "vpc_ids", "notAVpcId", "vpc_ids 'vpc-xyz' is not a VPC id"),
        ({"vpc_endpoint_ids": ("vpc-0a1b2c3d",)}, "vpc_endpoint_ids", "notAVpcEndpointId",
         "'vpc-0a1b2c3d' is not a VPC endpoint id"),
        ({"tag_admin_principal_arns": ()}, "tag_admin_principal_arns", "empty",
         "tag_admin_principal_arns is empty: name the principals that may set the exception "
         "tag"),
        ({"tag_admin_principal_arns": ("cdk-role",)}, "tag_admin_principal_arns", "notAnArn",
         "'cdk-role' is not an IAM principal ARN"),
        ({"tag_admin_principal_arns": ("arn:aws:iam::*:role/*",)}, "tag_admin_principal_arns",
         "matchesAnyRole", "matches every role, among them every developer's"),
        ({"tag_key": "aws:x"}, "tag", "reservedTagKey", "tag key 'aws:x' starts with 'aws:'"),
    ],
)
def test_each_problem_names_the_prop_and_the_form(
    overrides: dict[str, object], prop: str, code: str, match: str
) -> None:
    """GIVEN one bad prop WHEN checked THEN a problem says which and how to fix it."""
    (problem,) = _exception(**overrides).problems()
    assert (problem.prop, problem.code) == (prop, code)
    assert match in problem.message


@pytest.mark.parametrize(
    ("arn", "code", "why"),
    [
        ("arn:aws:iam::*:role/*", "matchesAnyRole",
         "matches every role, among them every developer's, so any of them would be a tag "
         "admin"),
        ("arn:aws:iam::*:role/?dk-exec", "matchesAnyRole", "matches every role"),
        ("arn:aws:iam::*:*", "matchesAnyPrincipal",
         "matches every kind of principal, so any user or role of a targeted account would "
         "be a tag admin"),
        ("arn:aws:iam::111122223333:ro*", "matchesAnyPrincipal", "matches every kind"),
        ("arn:aws:sts::*:assumed-role/*", "sessionArn",
         "aws:PrincipalArn of a role's session is the role's own ARN"),
        ("arn:aws:sts::111122223333:assumed-role/admin/me", "sessionArn", "give the role's ARN"),
        ("arn:aws:iam::*:user/admin", "notARole", "tag admins must be roles"),
        ("arn:aws:iam::111122223333:root", "notARole", "or the root user"),
        ("arn:aws:iam::*:role/aws-service-role/*", "matchesServiceLinkedRoles",
         "which any principal allowed iam:CreateServiceLinkedRole can make and which SCPs do "
         "not govern"),
        ("arn:aws:iam::*:role/aws*", "matchesServiceLinkedRoles", "could match service-linked"),
    ],
)
def test_admin_patterns_any_principal_could_satisfy_are_refused(
    arn: str, code: str, why: str
) -> None:
    """GIVEN an admin ARN that a principal outside the admins could satisfy WHEN checked
    THEN a problem with its code says why and what to give instead."""
    (problem,) = admin_problems([arn])
    assert (problem.prop, problem.code) == ("tag_admin_principal_arns", code)
    assert problem.message.startswith(f"tag_admin_principal_arns {arn!r}")
    assert why in problem.message


@pytest.mark.parametrize(
    "arn",
    [
        ADMIN,
        "arn:aws:iam::111122223333:role/platform/tag-admin",
        "arn:aws:iam::*:role/stacksets-exec-*",
        "arn:aws-us-gov:iam::*:role/OrganizationAccountAccessRole",
    ],
)
def test_deployment_role_patterns_are_admins(arn: str) -> None:
    """GIVEN a role ARN with a literal name start WHEN checked THEN no problem."""
    assert admin_problems([arn]) == []


def test_a_realistic_set_fits_one_scp() -> None:
    """GIVEN three admins, two VPCs and three endpoints WHEN measured THEN one SCP holds
    them with room to spare."""
    exception = _exception(
        vpc_ids=("vpc-0123456789abcdef0", "vpc-0123456789abcdef1"),
        vpc_endpoint_ids=tuple(f"vpce-0a1b2c3d4e5f6071{n}" for n in range(3)),
        tag_admin_principal_arns=(ADMIN, "arn:aws:iam::*:role/stacksets-exec-*",
                                  "arn:aws:iam::*:role/OrganizationAccountAccessRole"),
    )
    assert exception.problems() == exception.size_problems() == []
    assert len(exception.to_json()) < 4_600


def test_size_is_measured_minified_and_refused_over_the_limit() -> None:
    """GIVEN 200 admin ARNs WHEN measured THEN the problem gives the size and the fix."""
    admins = tuple(f"arn:aws:iam::111122223333:role/admin-{n:03}" for n in range(200))
    exception = _exception(tag_admin_principal_arns=admins)
    size = len(json.dumps(exception.document(), separators=(",", ":")))
    assert size == len(exception.to_json()) > SCP_SIZE_LIMIT
    (problem,) = exception.size_problems()
    assert (problem.prop, problem.code) == ("document", "scpTooLarge")
    assert problem.message.startswith(f"the SCP is {size} characters minified, over the 5120")
    assert "one admin ARN with a wildcard" in problem.message


def test_pretty_json_is_the_same_document() -> None:
    """GIVEN indent WHEN rendered THEN the same document, readable."""
    exception = _exception()
    assert json.loads(exception.to_json(indent=2)) == exception.document()
    assert "\n" in exception.to_json(indent=2) and "\n" not in exception.to_json()


@pytest.mark.parametrize("target", ["r-ab12", "ou-ab12-cdefgh34", "111122223333"])
def test_roots_ous_and_accounts_are_targets(target: str) -> None:
    """GIVEN a root, OU or account id WHEN checked THEN no problem."""
    assert target_problems([target]) == []


@pytest.mark.parametrize("target", ["ou-ab12", "11112222333", "o-abcdefghij", "R-AB12"])
def test_other_ids_are_not_targets(target: str) -> None:
    """GIVEN a malformed id WHEN checked THEN the problem lists the three forms."""
    assert target_problems([target]) == [Problem(
        "target_ids",
        "notATarget",
        f"target_ids {target!r} is not a root (r-...), an OU (ou-...-...), an account "
        "(12 digits)",
    )]


def test_organization_id_is_checked_when_given() -> None:
    """GIVEN an organization id WHEN checked THEN o-... passes, anything else does not."""
    assert organization_problems(None) == organization_problems("o-abcdefghij") == []
    assert organization_problems("org-1") == [Problem(
        "organization_id",
        "notAnOrganizationId",
        "organization_id 'org-1' is not an organization id (o-...)",
    )]


def test_the_librarys_managed_policies_change_only_by_admins() -> None:
    """GIVEN the exception WHEN rendered THEN new versions and deletion of the managed
    policies under the library's path are denied to all but the admins (a policy cannot
    carry the tag, and a new version would widen a tagged role)."""
    *_, policies = _exception().statements()
    assert policies["Action"] == [
        "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
    ]
    assert policies["Resource"] == "arn:*:iam::*:policy/sm-pipeline-iam/*"
    assert policies["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": [ADMIN]}}
