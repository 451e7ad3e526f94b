"""Each patch of ``moto_patches.py`` is still needed, and does what CloudFormation does.

GIVEN a small template exercising one moto gap, deployed the way the CDK CLI deploys
(change sets),
WHEN it runs on unpatched moto (in this process, ``mock_aws``),
THEN the gap is observed: once moto fixes it upstream this test fails, and the patch
(and this case) should go;
WHEN it runs on the patched server (``tests/integ/server.py``),
THEN the result is what CloudFormation does.
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from integ import moto_patches
from integ.deploy_local import MotoServer, moto_server


class Client(Protocol):
    """A boto3 client factory: the management account's, or a member ``account``'s."""

    def __call__(self, service: str, account: str | None = None) -> Any: ...


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
        described = f"found, of stack {found['StackName']}"
    except ClientError as error:
        described = error.response["Error"]["Code"]
    # A stack deployed, destroyed and deployed again under its name, as the CLI does it
    # (its change set named, not given by ARN).
    for _ in range(2):
        with contextlib.suppress(ClientError):
            cfn.delete_stack(StackName="again")
        cfn.create_change_set(
            StackName="again",
            ChangeSetName="cdk-deploy-change-set",
            ChangeSetType="CREATE",
            TemplateBody=json.dumps({"Resources": {"Role": role({}, TRUST, "again")}}),
        )
        cfn.execute_change_set(StackName="again", ChangeSetName="cdk-deploy-change-set")
    status = cfn.describe_stacks(StackName="again")["Stacks"][0]["StackStatus"]
    return {"describe after delete": described, "redeployed stack": status}


def organization(client: Client, ou_names: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """An organization (root id) with one OU (name -> id) per name."""
    orgs = client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    ous = {
        name: orgs.create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"][
            "Id"
        ]
        for name in ou_names
    }
    return root_id, ous


def member_account(client: Client, name: str, root_id: str, parent_id: str | None) -> str:
    """A new account of the organization, moved to ``parent_id`` (None: left in the root)."""
    orgs = client("organizations")
    status = orgs.create_account(Email=f"{name}@example.com", AccountName=name)
    account = str(status["CreateAccountStatus"]["AccountId"])
    if parent_id is not None:
        orgs.move_account(AccountId=account, SourceParentId=root_id, DestinationParentId=parent_id)
    return account


def workload(description: str) -> str:
    """A StackSet's template: one role whose trust names the target account."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                **TRUST["Statement"][0],
                "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
            }
        ],
    }
    return json.dumps({"Resources": {"Role": role({"team": "a"}, trust, description)}})


PREFERENCES = {"MaxConcurrentPercentage": 25, "RegionOrder": ["us-east-1"]}
AUTO_DEPLOYMENT = {"Enabled": True, "RetainStacksOnAccountRemoval": False}


def stack_set(ou_ids: list[str], description: str) -> dict[str, Any]:
    """A stack holding a service-managed StackSet, as ServiceManagedStackSet emits it."""
    return {
        "Resources": {
            "StackSet": {
                "Type": "AWS::CloudFormation::StackSet",
                "Properties": {
                    "StackSetName": "workload",
                    "PermissionModel": "SERVICE_MANAGED",
                    "TemplateBody": workload(description),
                    "Capabilities": ["CAPABILITY_IAM"],
                    "AutoDeployment": AUTO_DEPLOYMENT,
                    "OperationPreferences": PREFERENCES,
                    "StackInstancesGroup": [
                        {
                            "DeploymentTargets": {"OrganizationalUnitIds": ou_ids},
                            "Regions": ["us-east-1"],
                        }
                    ],
                },
            }
        }
    }


def workload_roles(client: Client, account: str) -> list[str]:
    """The descriptions of the roles in ``account`` but its Organizations access role."""
    roles = client("iam", account).list_roles()["Roles"]
    return sorted(
        r.get("Description", "") for r in roles if r["RoleName"] != "OrganizationAccountAccessRole"
    )


def stack_set_model(client: Client) -> dict[str, Any]:
    """A stack's StackSet created (one OU), updated (template, a second OU), deleted."""
    root_id, ous = organization(client, ("a", "b"))
    account_a = member_account(client, "a", root_id, ous["a"])
    account_b = member_account(client, "b", root_id, ous["b"])
    cfn = client("cloudformation")

    def observed() -> dict[str, Any]:
        summaries = cfn.list_stack_sets()["Summaries"]
        found: dict[str, Any] = {
            "stack sets": [(s["StackSetName"], s["Status"]) for s in summaries]
        }
        if any(s["Status"] == "ACTIVE" for s in summaries):
            described = cfn.describe_stack_set(StackSetName="workload")["StackSet"]
            instances = cfn.list_stack_instances(StackSetName="workload")["Summaries"]
            operations = cfn.list_stack_set_operations(StackSetName="workload")["Summaries"]
            found |= {
                "described": {
                    "PermissionModel": described.get("PermissionModel"),
                    "Capabilities": described.get("Capabilities"),
                    "AutoDeployment": described.get("AutoDeployment"),
                    "OUs": sorted(
                        name
                        for name, ou in ous.items()
                        if ou in described.get("OrganizationalUnitIds", [])
                    ),
                    "Regions": described.get("Regions"),
                },
                "instances": sorted(
                    ("a" if i["Account"] == account_a else "b", i["Region"]) for i in instances
                ),
                "operation preferences": [o.get("OperationPreferences") for o in operations],
            }
        found["roles"] = {
            "a": workload_roles(client, account_a),
            "b": workload_roles(client, account_b),
        }
        return found

    deploy(client, "holder", stack_set([ous["a"]], "first"), create=True)
    created = observed()
    deploy(client, "holder", stack_set([ous["a"], ous["b"]], "second"), create=False)
    updated = observed()
    cfn.delete_stack(StackName="holder")
    return {"created": created, "updated": updated, "deleted": observed()}


def stack_instance_stacks(client: Client) -> dict[str, Any]:
    """A service-managed stack set's instance (CreateStackInstances on an OU)."""
    root_id, ous = organization(client, ("a",))
    account = member_account(client, "a", root_id, ous["a"])
    cfn = client("cloudformation")
    cfn.create_stack_set(
        StackSetName="api", TemplateBody=workload("api"), PermissionModel="SERVICE_MANAGED"
    )
    cfn.create_stack_instances(
        StackSetName="api",
        DeploymentTargets={"OrganizationalUnitIds": [ous["a"]]},
        Regions=["us-east-1"],
    )
    first, second = (cfn.list_stack_instances(StackSetName="api")["Summaries"][0] for _ in range(2))
    stacks = client("cloudformation", account).describe_stacks()["Stacks"]
    return {
        "StackId stable": first["StackId"] == second["StackId"],
        "member stacks": [
            (
                s["StackName"].startswith("StackSet-api-"),
                s["StackStatus"],
                s["StackId"] == first["StackId"],
            )
            for s in stacks
        ],
        "OrganizationalUnitId": "the OU" if first.get("OrganizationalUnitId") == ous["a"] else None,
        "member roles": workload_roles(client, account),
    }


def stack_set_auto_deployment(client: Client) -> dict[str, Any]:
    """An account moved into, then out of, the OU of a StackSet with auto-deployment."""
    root_id, ous = organization(client, ("a",))
    deploy(client, "holder", stack_set([ous["a"]], "auto"), create=True)
    late = member_account(client, "late", root_id, None)
    orgs = client("organizations")
    cfn = client("cloudformation")

    def instances() -> int:
        try:
            summaries = cfn.list_stack_instances(StackSetName="workload")["Summaries"]
        except ClientError:
            return 0  # no such stack set
        return sum(1 for i in summaries if i["Account"] == late)

    orgs.move_account(AccountId=late, SourceParentId=root_id, DestinationParentId=ous["a"])
    moved_in = {"instances": instances(), "roles": workload_roles(client, late)}
    orgs.move_account(AccountId=late, SourceParentId=ous["a"], DestinationParentId=root_id)
    moved_out = {"instances": instances(), "roles": workload_roles(client, late)}
    return {"moved in": moved_in, "moved out": moved_out}


def stack_set_described(ous: list[str]) -> dict[str, Any]:
    """DescribeStackSet of ``stack_set()`` deployed to the OUs named ``ous``."""
    return {
        "PermissionModel": "SERVICE_MANAGED",
        "Capabilities": ["CAPABILITY_IAM"],
        "AutoDeployment": AUTO_DEPLOYMENT,
        "OUs": ous,
        "Regions": ["us-east-1"],
    }


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
        moto_5_2_5={
            "describe after delete": "found, of stack second",
            "redeployed stack": "CREATE_COMPLETE",
        },
        cloudformation={
            "describe after delete": "ChangeSetNotFound",
            "redeployed stack": "CREATE_COMPLETE",
        },
    ),
    "stack_set_model": Gap(
        stack_set_model,
        moto_5_2_5={
            "created": {"stack sets": [], "roles": {"a": [], "b": []}},
            "updated": {"stack sets": [], "roles": {"a": [], "b": []}},
            "deleted": {"stack sets": [], "roles": {"a": [], "b": []}},
        },
        cloudformation={
            "created": {
                "stack sets": [("workload", "ACTIVE")],
                "described": stack_set_described(["a"]),
                "instances": [("a", "us-east-1")],
                "operation preferences": [PREFERENCES],
                "roles": {"a": ["first"], "b": []},
            },
            "updated": {
                "stack sets": [("workload", "ACTIVE")],
                "described": stack_set_described(["a", "b"]),
                "instances": [("a", "us-east-1"), ("b", "us-east-1")],
                "operation preferences": [PREFERENCES] * 3,
                "roles": {"a": ["second"], "b": ["second"]},
            },
            "deleted": {"stack sets": [("workload", "DELETED")], "roles": {"a": [], "b": []}},
        },
    ),
    "stack_instance_stacks": Gap(
        stack_instance_stacks,
        moto_5_2_5={
            "StackId stable": False,
            "member stacks": [],
            "OrganizationalUnitId": None,
            "member roles": ["api"],
        },
        cloudformation={
            "StackId stable": True,
            "member stacks": [(True, "CREATE_COMPLETE", True)],
            "OrganizationalUnitId": "the OU",
            "member roles": ["api"],
        },
    ),
    "stack_set_auto_deployment": Gap(
        stack_set_auto_deployment,
        moto_5_2_5={
            "moved in": {"instances": 0, "roles": []},
            "moved out": {"instances": 0, "roles": []},
        },
        cloudformation={
            "moved in": {"instances": 1, "roles": ["auto"]},
            "moved out": {"instances": 0, "roles": []},
        },
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

    def client(service: str, account: str | None = None) -> Any:
        credentials = {}
        if account is not None:  # as the server's client does: the member's access role
            assumed = client("sts").assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                RoleSessionName="moto-gaps",
            )["Credentials"]
            credentials = {
                "aws_access_key_id": assumed["AccessKeyId"],
                "aws_secret_access_key": assumed["SecretAccessKey"],
                "aws_session_token": assumed["SessionToken"],
            }
        return boto3.client(service, region_name="us-east-1", **credentials)

    with mock_aws():
        yield client


@pytest.mark.filterwarnings("ignore:Tried to parse AWS..Organizations..Policy:UserWarning")
@pytest.mark.filterwarnings("ignore:Tried to parse AWS..CloudFormation..StackSet:UserWarning")
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
