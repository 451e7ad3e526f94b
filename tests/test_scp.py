"""The SCP exception as plain data: validation, statements and size."""

from __future__ import annotations

import json

import pytest

from sm_pipeline_iam.core.errors import Problem
from sm_pipeline_iam.core.scp import (
    SCP_SIZE_LIMIT,
    ScpException,
    organization_problems,
    target_problems,
)

ADMIN = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"


def _exception(**overrides: object) -> ScpException:
    props: dict[str, object] = {
        "tag_key": "sm-pipeline-exception",
        "tag_value": "true",
        "vpc_endpoint_ids": ("vpce-0a1b2c3d4e5f60718",),
        "tag_admin_principal_arns": (ADMIN,),
    }
    return ScpException(**{**props, **overrides})  # type: ignore[arg-type]


def test_a_valid_exception_has_no_problem_and_two_deny_statements() -> None:
    """GIVEN valid props WHEN rendered THEN two Deny statements on '*'."""
    exception = _exception()
    assert exception.problems() == [] and exception.size_problems() == []
    statements = exception.statements()
    assert [s["Effect"] for s in statements] == ["Deny", "Deny"]
    assert all(s["Resource"] == "*" for s in statements)


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


def test_the_tag_statement_covers_every_way_to_set_the_tag() -> None:
    """GIVEN the tag WHEN rendered THEN roles, users and sessions, any case, admins excepted."""
    tag = _exception().statements()[1]
    assert set(tag["Action"]) == {
        "iam:CreateRole", "iam:CreateUser", "iam:TagRole", "iam:TagUser", "iam:UntagRole",
        "iam:UntagUser", "sts:TagSession",
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
