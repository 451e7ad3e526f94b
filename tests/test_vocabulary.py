"""One vocabulary across the constructs (aws-iam's): every ``grant_*`` takes an
``iam.IGrantable``, a JsonGet folder is a neutral ``S3Location``, and constructs that make
several roles take the role options without ``role_name``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from sm_pipeline_iam import (
    CommonRoleOptions,
    JobRole,
    JobRoleLocation,
    LeastPrivilegePipeline,
    PipelineExecutionRole,
    PrefixedStepRole,
    RoleOptions,
    S3Location,
)
from support.cfn import ACCOUNT, REGION

DEFINITION = Path(__file__).parent / "fixtures" / "definitions" / "training_eval_register.json"


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))


@jsii.implements(iam.IGrantable)
class _Grantable:
    """An ``iam.IGrantable`` that is no principal itself (as a Lambda function or a CodeBuild
    project): grants go to its ``grant_principal``."""

    def __init__(self, role: iam.IRole) -> None:
        self._role = role

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self._role


#: Per grant method: the construct that has it, and the method's name.
GRANTS: dict[str, tuple[Callable[[cdk.Stack], Any], str]] = {
    "PipelineExecutionRole.grant_pass_role": (
        lambda stack: PipelineExecutionRole(stack, "Subject", step_types=["Training"]),
        "grant_pass_role"),
    "PrefixedStepRole.grant_pass_role": (
        lambda stack: PrefixedStepRole(stack, "Subject", job_prefix="rsch",
                                       step_types=["Training"]), "grant_pass_role"),
    "PrefixedStepRole.grant_pipeline_access": (
        lambda stack: PrefixedStepRole(stack, "Subject", job_prefix="rsch",
                                       step_types=["Training"]), "grant_pipeline_access"),
    "JobRole.grant_pass_role": (
        lambda stack: JobRole(stack, "Subject", job_kinds=["TrainingJobs"],
                              inputs=["s3://ml-data/in"]), "grant_pass_role"),
    "LeastPrivilegePipeline.grant_start_execution": (
        lambda stack: LeastPrivilegePipeline(stack, "Subject", definition=DEFINITION,
                                             pipeline_name="fraud"), "grant_start_execution"),
    "LeastPrivilegePipeline.grant_read": (
        lambda stack: LeastPrivilegePipeline(stack, "Subject", definition=DEFINITION,
                                             pipeline_name="fraud"), "grant_read"),
    "LeastPrivilegePipeline.grant_update": (
        lambda stack: LeastPrivilegePipeline(stack, "Subject", definition=DEFINITION,
                                             pipeline_name="fraud"), "grant_update"),
}


def _granted_actions(stack: cdk.Stack, role: iam.Role) -> set[str]:
    """The actions of the policies attached to ``role`` in the synthesized stack."""
    ref = {"Ref": stack.get_logical_id(role.node.default_child)}  # type: ignore[arg-type]
    actions: set[str] = set()
    for policy in Template.from_stack(stack).find_resources("AWS::IAM::Policy").values():
        if ref in policy["Properties"].get("Roles", []):
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                action = statement["Action"]
                actions.update(action if isinstance(action, list) else [action])
    return actions


@pytest.mark.parametrize("grant", sorted(GRANTS))
@pytest.mark.parametrize("as_principal", [True, False], ids=["IPrincipal", "IGrantable"])
def test_every_grant_takes_a_grantable_as_well_as_a_principal(grant: str,
                                                              as_principal: bool) -> None:
    """GIVEN a role, given as itself (an IPrincipal, as before) or behind an IGrantable that
    is no principal WHEN granted THEN the grant succeeds and lands on that role."""
    stack = _stack()
    make, method = GRANTS[grant]
    subject = make(stack)
    ci = iam.Role(stack, "Ci", assumed_by=iam.AccountRootPrincipal())
    result = getattr(subject, method)(ci if as_principal else _Grantable(ci))
    assert result.success
    assert _granted_actions(stack, ci)


def test_json_get_locations_take_the_neutral_s3_location_and_still_the_job_one() -> None:
    """GIVEN JsonGet folders as S3Location.bucket and (as before) JobRoleLocation.bucket
    WHEN synthesized THEN s3:GetObject under each; a JobRoleLocation is an S3Location."""
    stack = _stack()
    bucket = s3.Bucket(stack, "Artifacts")
    PipelineExecutionRole(stack, "Role", step_types=["Training"], json_get_locations=[
        S3Location.bucket(bucket, "eval/"), JobRoleLocation.bucket(bucket, "reports")])
    text = str(Template.from_stack(stack).to_json())
    assert "/eval/*" in text and "/reports/*" in text
    assert isinstance(JobRoleLocation.bucket("ml-data", "x"), S3Location)
    assert repr(S3Location.bucket(bucket, "eval")).startswith("S3Location(")
    assert repr(JobRoleLocation("ml-data", "in")) == "JobRoleLocation('ml-data', 'in')"


def test_the_options_of_several_roles_leave_out_the_role_name() -> None:
    """GIVEN the two option types WHEN compared THEN CommonRoleOptions (what constructs that
    make several roles take) is RoleOptions without role_name."""
    assert set(RoleOptions.__annotations__) - set(CommonRoleOptions.__annotations__) == {
        "role_name"}
    assert "role_name" not in CommonRoleOptions.__annotations__
