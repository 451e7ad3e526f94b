"""Each patch of ``moto_patches.py`` is still needed, and does what CloudFormation does.

GIVEN a small template exercising one moto gap, deployed the way the CDK CLI deploys
(change sets),
WHEN it runs on unpatched moto (in this process, ``mock_aws``),
THEN the gap is observed: once moto fixes it upstream this test fails, and the patch
(and this case) should go;
WHEN it runs on the patched server (``tests/deploy/server.py``),
THEN the result is what CloudFormation does.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import moto_patches
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from scripts.deploy_local import MotoServer, moto_server

Client = Callable[[str], Any]

TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
TRUST_WITH_CONDITION = {
    "Version": "2012-10-17",
    "Statement": [
        {**TRUST["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}}
    ],
}


def document(action: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


def role(tags: dict[str, str], trust: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": trust,
            "Description": description,
            "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
        },
    }


def managed_policy(action: str) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "PolicyDocument": document(action),
            "Roles": [{"Ref": "Role"}],
            "Description": "",
            "Path": "/",
        },
    }


def deploy(client: Client, stack_name: str, template: dict[str, Any], *, create: bool) -> None:
    """Create and execute a change set, as the CDK CLI does."""
    cfn = client("cloudformation")
    change_set = cfn.create_change_set(
        StackName=stack_name,
        ChangeSetName=f"cdk-deploy-{'create' if create else 'update'}",
        ChangeSetType="CREATE" if create else "UPDATE",
        TemplateBody=json.dumps(template),
    )
    cfn.execute_change_set(ChangeSetName=change_set["Id"], StackName=stack_name)


def physical_id(client: Client, stack_name: str, logical_id: str) -> str | None:
    resources = client("cloudformation").list_stack_resources(StackName=stack_name)
    for summary in resources["StackResourceSummaries"]:
        if summary.get("LogicalResourceId") == logical_id:
            return str(summary["PhysicalResourceId"])
    return None


# --- the scenarios: each returns what it observed -------------------------------------


def organizations_policy(client: Client) -> dict[str, Any]:
    """An SCP created, updated (content, targets), deleted by a stack."""
    orgs = client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    ou_a, ou_b = (
        orgs.create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"]["Id"]
        for name in ("a", "b")
    )

    def scp(action: str, targets: list[str]) -> dict[str, Any]:
        return {
            "Resources": {
                "Scp": {
                    "Type": "AWS::Organizations::Policy",
                    "Properties": {
                        "Name": "deny-some",
                        "Type": "SERVICE_CONTROL_POLICY",
                        "Content": {
                            "Version": "2012-10-17",
                            "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}],
                        },
                        "TargetIds": targets,
                    },
                }
            }
        }

    def ours() -> list[tuple[str, list[str]]]:
        listed = orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
        found = []
        for summary in listed:
            if summary["Name"] != "deny-some":
                continue
            content = json.loads(orgs.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"])
            targets = orgs.list_targets_for_policy(PolicyId=summary["Id"])["Targets"]
            found.append(
                (
                    content["Statement"][0]["Action"],
                    sorted("a" if t["TargetId"] == ou_a else "b" for t in targets),
                )
            )
        return found

    deploy(client, "scp", scp("s3:GetObject", [ou_a]), create=True)
    created = ours()
    deploy(client, "scp", scp("s3:PutObject", [ou_b]), create=False)
    updated = ours()
    client("cloudformation").delete_stack(StackName="scp")
    return {"created": created, "updated": updated, "deleted": ours()}


def role_update(client: Client) -> dict[str, Any]:
    """A role whose tags, trust policy and description change."""
    before = {"Resources": {"Role": role({"a": "1"}, TRUST, "first")}}
    after = {"Resources": {"Role": role({"b": "2"}, TRUST_WITH_CONDITION, "second")}}
    deploy(client, "role", before, create=True)
    name = physical_id(client, "role", "Role")
    role_id = client("iam").get_role(RoleName=name)["Role"]["RoleId"]
    deploy(client, "role", after, create=False)
    updated = client("iam").get_role(RoleName=name)["Role"]
    return {
        "same role": updated["RoleId"] == role_id,
        "tags": {tag["Key"]: tag["Value"] for tag in updated.get("Tags", [])},
        "trust has condition": "Condition" in updated["AssumeRolePolicyDocument"]["Statement"][0],
        "description": updated["Description"],
    }


def managed_policy_update(client: Client) -> dict[str, Any]:
    """A managed policy whose document changes."""
    role_json = role({}, TRUST, "r")
    deploy(
        client,
        "managed",
        {"Resources": {"Role": role_json, "Policy": managed_policy("s3:GetObject")}},
        create=True,
    )
    arn = physical_id(client, "managed", "Policy")
    deploy(
        client,
        "managed",
        {"Resources": {"Role": role_json, "Policy": managed_policy("s3:PutObject")}},
        create=False,
    )
    iam = client("iam")
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    return {
        "action": version["PolicyVersion"]["Document"]["Statement"][0]["Action"],
        "stack still lists it": physical_id(client, "managed", "Policy") == arn,
    }


def managed_policy_delete(client: Client) -> dict[str, Any]:
    """A stack with a role and its managed policy is deleted."""
    template = {
        "Resources": {"Role": role({}, TRUST, "r"), "Policy": managed_policy("s3:GetObject")}
    }
    deploy(client, "deleted", template, create=True)
    arn = physical_id(client, "deleted", "Policy")
    role_name = physical_id(client, "deleted", "Role")
    try:
        client("cloudformation").delete_stack(StackName="deleted")
        delete_error = None
    except ClientError as error:
        delete_error = error.response["Error"]["Code"]
    iam = client("iam")
    local = [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    return {
        "delete error": delete_error,
        "policy left": arn in local,
        "role left": role_name in roles,
    }


def change_set_outputs(client: Client) -> dict[str, Any]:
    """A stack created from a change set has its template's outputs."""
    template = {
        "Resources": {"Role": role({}, TRUST, "r")},
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}}},
    }
    deploy(client, "outputs", template, create=True)
    stack = client("cloudformation").describe_stacks(StackName="outputs")["Stacks"][0]
    return {"outputs": sorted(o["OutputKey"] for o in stack.get("Outputs") or [])}


def change_set_scope(client: Client) -> dict[str, Any]:
    """Two stacks, each with a change set of the CDK CLI's name; one stack's is deleted."""
    cfn = client("cloudformation")
    for stack_name in ("first", "second"):
        cfn.create_change_set(
            StackName=stack_name,
            ChangeSetName="cdk-deploy-change-set",
            ChangeSetType="CREATE",
            TemplateBody=json.dumps({"Resources": {"Role": role({}, TRUST, stack_name)}}),
        )
    cfn.delete_change_set(StackName="first", ChangeSetName="cdk-deploy-change-set")
    try:
        found = cfn.describe_change_set(StackName="first", ChangeSetName="cdk-deploy-change-set")
    except ClientError as error:
        return {"describe after delete": error.response["Error"]["Code"]}
    return {"describe after delete": f"found, of stack {found['StackName']}"}


@dataclass(frozen=True)
class Gap:
    scenario: Callable[[Client], dict[str, Any]]
    moto_5_2_5: dict[str, Any]
    cloudformation: dict[str, Any]


GAPS = {
    "organizations_policy_model": Gap(
        organizations_policy,
        moto_5_2_5={"created": [], "updated": [], "deleted": []},
        cloudformation={
            "created": [("s3:GetObject", ["a"])],
            "updated": [("s3:PutObject", ["b"])],
            "deleted": [],
        },
    ),
    "role_update": Gap(
        role_update,
        moto_5_2_5={
            "same role": True,
            "tags": {"a": "1"},
            "trust has condition": False,
            "description": "second",
        },
        cloudformation={
            "same role": True,
            "tags": {"b": "2"},
            "trust has condition": True,
            "description": "second",
        },
    ),
    "managed_policy_update": Gap(
        managed_policy_update,
        moto_5_2_5={"action": "s3:GetObject", "stack still lists it": False},
        cloudformation={"action": "s3:PutObject", "stack still lists it": True},
    ),
    "managed_policy_delete": Gap(
        managed_policy_delete,
        moto_5_2_5={"delete error": "DeleteConflict", "policy left": True, "role left": True},
        cloudformation={"delete error": None, "policy left": False, "role left": False},
    ),
    "change_set_outputs": Gap(
        change_set_outputs,
        moto_5_2_5={"outputs": []},
        cloudformation={"outputs": ["RoleArn"]},
    ),
    "change_set_scope": Gap(
        change_set_scope,
        moto_5_2_5={"describe after delete": "found, of stack second"},
        cloudformation={"describe after delete": "ChangeSetNotFound"},
    ),
}


def test_every_patch_has_its_gap_case() -> None:
    assert sorted(GAPS) == sorted(moto_patches.PATCHES)


def test_importing_the_adapter_patches_nothing_in_this_process() -> None:
    # GIVEN moto_patches imported (by this module) WHEN moto is inspected
    # THEN no patch is in place: the gap cases below see moto as released.
    assert moto_patches.applied_in_process() == []


@pytest.fixture
def unpatched_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    assert moto_patches.applied_in_process() == []
    with mock_aws():
        yield lambda service: boto3.client(service, region_name="us-east-1")


@pytest.mark.filterwarnings("ignore:Tried to parse AWS..Organizations..Policy:UserWarning")
@pytest.mark.parametrize("name", sorted(GAPS))
def test_gap_is_still_in_moto(name: str, unpatched_moto: Client) -> None:
    gap = GAPS[name]
    assert gap.scenario(unpatched_moto) == gap.moto_5_2_5, (
        f"moto no longer has the gap that moto_patches '{name}' works around: "
        "remove that patch and this case"
    )


@pytest.fixture(scope="module")
def patched_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    with moto_server(Path(tmp_path_factory.mktemp("moto-gaps"))) as server:
        yield server


@pytest.mark.parametrize("name", sorted(GAPS))
def test_patched_server_does_what_cloudformation_does(
    name: str, patched_server: MotoServer
) -> None:
    reset = urllib.request.Request(f"{patched_server.endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=30):
        pass
    gap = GAPS[name]
    assert gap.scenario(patched_server.client) == gap.cloudformation
