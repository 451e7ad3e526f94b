"""The RCP beside the SCP exception as plain data: statements, validation and size."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

import pytest

from sm_pipeline_iam.core.organization.rcp import (
    RCP_S3_DATA_ACTIONS,
    RCP_SIZE_LIMIT,
    SESSION_TAG_ACTIONS,
    SESSION_TAG_LEFT_OUT,
    RcpException,
)
from sm_pipeline_iam.core.organization.scp import S3_DATA_ACTIONS, ScpException
from support.iam_reference import IAM

ADMIN = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"
ORG = "o-a1b2c3d4e5"


def _rcp(organization_id: str = ORG, **scp: object) -> RcpException:
    props: dict[str, object] = {
        "tag_key": "sm-pipeline-exception",
        "tag_value": "true",
        "vpc_endpoint_ids": ("vpce-0a1b2c3d4e5f60718",),
        "tag_admin_principal_arns": (ADMIN,),
    }
    return RcpException(ScpException(**{**props, **scp}), organization_id)  # type: ignore[arg-type]


def test_a_valid_rcp_has_four_deny_statements_for_every_principal() -> None:
    """GIVEN valid props WHEN rendered THEN four Deny statements, Principal '*', no
    NotAction (RCP syntax), and no problem."""
    rcp = _rcp()
    assert rcp.problems() == [] and rcp.size_problems() == []
    statements = rcp.statements()
    assert [s["Sid"] for s in statements] == [
        "DenyTheExceptionSessionTagFromOutsideTheOrg",
        "DenyS3DataOutsideTheVpcUnlessTagged",
        "DenyS3DataOutsideTheVpcToOtherOrgs",
        "DenyServicesActingForOtherOrgs",
    ]
    assert {(s["Effect"], s["Principal"], s["Resource"]) for s in statements} == {
        ("Deny", "*", "*")}
    assert not any("NotAction" in s or "NotPrincipal" in s for s in statements)


def test_the_session_tag_statement_covers_every_sts_route_and_no_admin_pattern() -> None:
    """GIVEN the tag WHEN rendered THEN every STS call that sets session tags, the key in
    any case, denied unless the principal is of the organization; no admin ARN (a '*'
    account would match another account's role)."""
    tag = _rcp().statements()[0]
    assert tag["Action"] == list(SESSION_TAG_ACTIONS)
    assert tag["Condition"] == {
        "ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": ["sm-pipeline-exception"]},
        "StringNotEquals": {"aws:PrincipalOrgID": ORG},
    }
    assert ADMIN not in json.dumps(_rcp().document())


def test_every_sts_call_that_takes_session_tags_is_listed() -> None:
    """GIVEN the IAM reference WHEN listing the STS actions that take aws:TagKeys THEN
    each is in the session-tag statement, or left out with a reason."""
    tagging = sorted(
        f"sts:{name}" for name in IAM.actions.get_actions_for_service("sts")
        if "aws:TagKeys" in (IAM.actions.get_action_details("sts", name).get("conditionKeys")
                             or [])
    )
    assert tagging == sorted([*SESSION_TAG_ACTIONS, *SESSION_TAG_LEFT_OUT])


def test_the_s3_statements_mirror_the_scp_for_the_services_rcps_govern() -> None:
    """GIVEN the SCP's data actions WHEN the RCP takes them THEN exactly the s3: ones (RCPs
    do not apply to s3express, s3tables, s3vectors or s3-object-lambda)."""
    assert tuple(a for a in S3_DATA_ACTIONS if a.startswith("s3:")) == RCP_S3_DATA_ACTIONS
    statements = _rcp(vpc_ids=("vpc-0123456789abcdef0",)).statements()
    tagged, org, services = statements[1:]
    where = {"aws:SourceVpc": ["vpc-0123456789abcdef0"],
             "aws:SourceVpce": ["vpce-0a1b2c3d4e5f60718"]}
    assert tagged["Condition"] == {
        "StringNotEqualsIfExists": {"aws:PrincipalTag/sm-pipeline-exception": "true", **where},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"},
    }
    assert org["Condition"] == {
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG, **where},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
    }
    assert services["Condition"] == {
        "StringNotEqualsIfExists": {"aws:SourceOrgID": ORG},
        "Null": {"aws:SourceAccount": "false"},
        "Bool": {"aws:PrincipalIsAWSService": "true"},
    }
    for statement in statements[1:]:
        assert statement["Action"] == list(RCP_S3_DATA_ACTIONS)


@pytest.mark.parametrize("pattern", [*RCP_S3_DATA_ACTIONS, *SESSION_TAG_ACTIONS])
def test_every_listed_action_exists(pattern: str) -> None:
    """GIVEN an action or pattern of the RCP WHEN matched against the IAM reference THEN it
    names at least one real action."""
    service, name = pattern.split(":")
    assert any(fnmatchcase(a.lower(), name.lower())
               for a in IAM.actions.get_actions_for_service(service)), pattern


def test_the_organization_id_is_checked() -> None:
    """GIVEN an id that is not o-... WHEN checked THEN notAnOrganizationId."""
    assert [(p.prop, p.code) for p in _rcp("org-1").problems()] == [
        ("organization_id", "notAnOrganizationId")]


def test_the_size_is_measured_minified_and_refused_over_the_limit() -> None:
    """GIVEN a realistic set THEN it fits; GIVEN 200 endpoints THEN rcpTooLarge with the
    size."""
    assert len(_rcp().to_json()) < RCP_SIZE_LIMIT
    assert json.loads(_rcp().to_json(indent=2)) == _rcp().document()
    endpoints = tuple(f"vpce-0a1b2c3d4e5f6{n:04}" for n in range(200))
    (problem,) = _rcp(vpc_endpoint_ids=endpoints).size_problems()
    assert problem.code == "rcpTooLarge" and f"{RCP_SIZE_LIMIT}-character" in problem.message
