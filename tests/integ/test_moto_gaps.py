"""Each patch of ``sm_pipeline_iam.rehearse.patches`` is still needed, and does what
CloudFormation does.

GIVEN a small template exercising one moto gap, deployed the way the CDK CLI deploys
(change sets),
WHEN it runs on unpatched moto (in this process, ``mock_aws``),
THEN the gap is observed: once moto fixes it upstream this test fails, and the patch
(and this case) should go;
WHEN it runs on the patched server (``sm_pipeline_iam.rehearse.server``),
THEN the result is what CloudFormation does.

The SageMaker pipeline model is also shown to refuse what CloudFormation refuses (and
moto would create), and to fail loudly for what it does not model.
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError
from moto import mock_aws

from sm_pipeline_iam.rehearse import patches
from sm_pipeline_iam.rehearse.server import MotoServer, moto_server


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


def pipeline_definition(message: str) -> str:
    """A pipeline definition (JSON text) of one Fail step with ``message``."""
    return json.dumps(
        {
            "Version": "2020-12-01",
            "Steps": [{"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": message}}],
        }
    )


def sagemaker_pipeline(
    name: str, role_id: str, definition: dict[str, Any], **more: Any
) -> dict[str, Any]:
    """An ``AWS::SageMaker::Pipeline`` run by the template's role ``role_id``."""
    return {
        "Type": "AWS::SageMaker::Pipeline",
        "Properties": {
            "PipelineName": name,
            "RoleArn": {"Fn::GetAtt": [role_id, "Arn"]},
            "PipelineDefinition": definition,
            **more,
        },
    }


def pipelines_template(
    inline: dict[str, Any], s3_key: str, etag: str | None = None
) -> dict[str, Any]:
    """Two roles, a pipeline of an inline body (``inline``: its properties) and one of the
    S3 object ``s3_key`` of the bucket ``definitions``."""
    location = {"Bucket": "definitions", "Key": s3_key} | ({"ETag": etag} if etag else {})
    return {
        "Resources": {
            "First": role({}, TRUST, "first"),
            "Second": role({}, TRUST, "second"),
            "Inline": {"Type": "AWS::SageMaker::Pipeline", "Properties": inline},
            "FromS3": sagemaker_pipeline(
                "from-s3", "First", {"PipelineDefinitionS3Location": location}
            ),
        }
    }


def inline_pipeline(
    name: str, role_id: str, message: str, *, steps: int, tags: dict[str, str]
) -> dict[str, Any]:
    """The properties of the inline pipeline of ``pipelines_template``."""
    return sagemaker_pipeline(
        name,
        role_id,
        {"PipelineDefinitionBody": pipeline_definition(message)},
        PipelineDisplayName=f"Inline-{steps}",
        PipelineDescription=f"runs {steps} steps at once",
        ParallelismConfiguration={"MaxParallelExecutionSteps": steps},
        Tags=[{"Key": key, "Value": value} for key, value in tags.items()],
    )["Properties"]


def sagemaker_pipeline_model(client: Client) -> dict[str, Any]:
    """A stack's pipelines (inline body, S3 object) created, updated in place (definition,
    role, display name, description, parallelism, tags; another S3 object), the inline one
    renamed, and deleted."""
    s3 = client("s3")
    s3.create_bucket(Bucket="definitions")
    etags = {
        key: s3.put_object(Bucket="definitions", Key=key, Body=pipeline_definition(message))["ETag"]
        for key, message in (("v1.json", "from s3 v1"), ("v2.json", "from s3 v2"))
    }
    sm = client("sagemaker")
    #: (PipelineArn, CreationTime) -> number, in the order first seen: a pipeline updated
    #: in place keeps its number, a replacement gets a new one.
    identities: dict[tuple[str, Any], int] = {}

    def observed() -> dict[str, Any]:
        roles = {physical_id(client, "pipelines", r): r for r in ("First", "Second")}
        found: dict[str, Any] = {}
        names = sorted(s["PipelineName"] for s in sm.list_pipelines()["PipelineSummaries"])
        for name in names:
            described = sm.describe_pipeline(PipelineName=name)
            identity = (described["PipelineArn"], described["CreationTime"])
            tags = sm.list_tags(ResourceArn=described["PipelineArn"])["Tags"]
            definition = json.loads(described["PipelineDefinition"])
            found[name] = {
                "pipeline": identities.setdefault(identity, len(identities) + 1),
                "definition": definition["Steps"][0]["Arguments"]["ErrorMessage"],
                "role": roles.get(described["RoleArn"].rsplit("/", 1)[-1]),
                "display name": described.get("PipelineDisplayName"),
                "description": described.get("PipelineDescription"),
                "parallelism": described.get("ParallelismConfiguration"),
                "tags": {tag["Key"]: tag["Value"] for tag in tags},
            }
        return {
            "pipelines": found,
            "Ref": {p: physical_id(client, "pipelines", p) for p in ("Inline", "FromS3")},
        }

    tags = {"team": "a", "stage": "dev"}
    deploy(
        client,
        "pipelines",
        pipelines_template(
            inline_pipeline("inline", "First", "first", steps=2, tags=tags), "v1.json"
        ),
        create=True,
    )
    created = observed()
    updated_inline = inline_pipeline("inline", "Second", "second", steps=4, tags={"team": "b"})
    deploy(
        client,
        "pipelines",
        pipelines_template(updated_inline, "v2.json", etags["v2.json"]),
        create=False,
    )
    updated = observed()
    renamed_inline = inline_pipeline("renamed", "Second", "second", steps=4, tags={"team": "b"})
    deploy(
        client,
        "pipelines",
        pipelines_template(renamed_inline, "v2.json", etags["v2.json"]),
        create=False,
    )
    renamed = observed()
    client("cloudformation").delete_stack(StackName="pipelines")
    return {
        "created": created,
        "updated": updated,
        "renamed": renamed,
        "deleted": sm.list_pipelines()["PipelineSummaries"],
    }


#: The S3 pipeline of ``sagemaker_pipeline_model`` after its update (to ``v2.json``).
FROM_S3 = {
    "pipeline": 1,
    "definition": "from s3 v2",
    "role": "First",
    "display name": "from-s3",
    "description": None,
    "parallelism": None,
    "tags": {},
}
#: Its inline pipeline after the update (but its number).
INLINE_UPDATED = {
    "definition": "second",
    "role": "Second",
    "display name": "Inline-4",
    "description": "runs 4 steps at once",
    "parallelism": {"MaxParallelExecutionSteps": 4},
    "tags": {"team": "b"},
}


def stack_output_reference(client: Client) -> dict[str, Any]:
    """A role tagged with another stack's output, read with ``Fn::GetStackOutput`` (the
    source stack created directly: moto keeps a change set's outputs only when patched)."""
    source = {
        "Resources": {"Role": role({}, TRUST, "source")},
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}}},
    }
    cfn = client("cloudformation")
    cfn.create_stack(StackName="source", TemplateBody=json.dumps(source))
    [output] = cfn.describe_stacks(StackName="source")["Stacks"][0]["Outputs"]
    reader = role({}, TRUST, "reader")
    reader["Properties"]["Tags"] = [{"Key": "source", "Value": {
        "Fn::GetStackOutput": {"StackName": "source", "OutputName": "RoleArn"}}}]
    deploy(client, "reader", {"Resources": {"Reader": reader}}, create=True)
    name = physical_id(client, "reader", "Reader")
    [tag] = client("iam").list_role_tags(RoleName=name)["Tags"]
    return {
        "tag is the output": tag["Value"] == output["OutputValue"],
        "tag names the intrinsic": "Fn::GetStackOutput" in tag["Value"],
    }


def iam_group_model(client: Client) -> dict[str, Any]:
    """A group with an inline policy given by an ``AWS::IAM::Policy`` naming it (as a CDK
    grant to an ``iam.Group`` writes it), created, then its stack deleted."""
    template = {
        "Resources": {
            "Group": {"Type": "AWS::IAM::Group", "Properties": {"Path": "/team/"}},
            "GroupPolicy": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "reads",
                    "PolicyDocument": document("s3:GetObject"),
                    "Groups": [{"Ref": "Group"}],
                },
            },
        }
    }
    iam, cfn = client("iam"), client("cloudformation")
    try:
        deploy(client, "grouped", template, create=True)
    except ClientError as error:
        return {"deploy error": error.response["Error"]["Code"]}
    status = cfn.describe_stacks(StackName="grouped")["Stacks"][0]["StackStatus"]
    groups = {
        group["GroupName"]: (group["Path"], iam.list_group_policies(
            GroupName=group["GroupName"])["PolicyNames"])
        for group in iam.list_groups()["Groups"]
    }
    cfn.delete_stack(StackName="grouped")
    return {"status": status, "groups": sorted(groups.values()),
            "groups left": iam.list_groups()["Groups"]}


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
    "sagemaker_pipeline_model": Gap(
        sagemaker_pipeline_model,
        moto_5_2_5={
            "created": {"pipelines": {}, "Ref": {"Inline": None, "FromS3": None}},
            "updated": {"pipelines": {}, "Ref": {"Inline": None, "FromS3": None}},
            "renamed": {"pipelines": {}, "Ref": {"Inline": None, "FromS3": None}},
            "deleted": [],
        },
        cloudformation={
            "created": {
                "pipelines": {
                    "from-s3": FROM_S3 | {"definition": "from s3 v1"},
                    "inline": {
                        "pipeline": 2,
                        "definition": "first",
                        "role": "First",
                        "display name": "Inline-2",
                        "description": "runs 2 steps at once",
                        "parallelism": {"MaxParallelExecutionSteps": 2},
                        "tags": {"team": "a", "stage": "dev"},
                    },
                },
                "Ref": {"Inline": "inline", "FromS3": "from-s3"},
            },
            "updated": {
                "pipelines": {"from-s3": FROM_S3, "inline": INLINE_UPDATED | {"pipeline": 2}},
                "Ref": {"Inline": "inline", "FromS3": "from-s3"},
            },
            "renamed": {
                "pipelines": {"from-s3": FROM_S3, "renamed": INLINE_UPDATED | {"pipeline": 3}},
                "Ref": {"Inline": "renamed", "FromS3": "from-s3"},
            },
            "deleted": [],
        },
    ),
    "stack_output_reference": Gap(
        stack_output_reference,
        moto_5_2_5={"tag is the output": False, "tag names the intrinsic": True},
        cloudformation={"tag is the output": True, "tag names the intrinsic": False},
    ),
    "iam_group_model": Gap(
        iam_group_model,
        moto_5_2_5={"deploy error": "NoSuchEntity"},
        cloudformation={
            "status": "CREATE_COMPLETE", "groups": [("/team/", ["reads"])], "groups left": [],
        },
    ),
}


def test_every_patch_has_its_gap_case() -> None:
    assert sorted(GAPS) == sorted(patches.PATCHES)


def test_importing_the_adapter_patches_nothing_in_this_process() -> None:
    # GIVEN the patches module imported (by this module) WHEN moto is inspected
    # THEN no patch is in place: the gap cases below see moto as released.
    assert patches.applied_in_process() == []


@pytest.fixture
def unpatched_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    assert patches.applied_in_process() == []

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
@pytest.mark.filterwarnings("ignore:Tried to parse AWS..SageMaker..Pipeline:UserWarning")
@pytest.mark.filterwarnings("ignore:Tried to parse AWS..IAM..Group:UserWarning")
@pytest.mark.parametrize("name", sorted(GAPS))
def test_gap_is_still_in_moto(name: str, unpatched_moto: Client) -> None:
    gap = GAPS[name]
    assert gap.scenario(unpatched_moto) == gap.moto_5_2_5, (
        f"moto no longer has the gap that the patch '{name}' works around: "
        "remove that patch and this case"
    )


@pytest.fixture(scope="module")
def patched_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    with moto_server(Path(tmp_path_factory.mktemp("moto-gaps"))) as server:
        yield server


def reset(server: MotoServer) -> None:
    """Forget every resource of the server (its accounts start empty again)."""
    request = urllib.request.Request(f"{server.endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


@pytest.mark.parametrize("name", sorted(GAPS))
def test_patched_server_does_what_cloudformation_does(
    name: str, patched_server: MotoServer
) -> None:
    reset(patched_server)
    gap = GAPS[name]
    assert gap.scenario(patched_server.client) == gap.cloudformation


def one_pipeline(**changed: Any) -> dict[str, Any]:
    """A stack of one role and one pipeline (``inline_pipeline``) with ``changed``
    properties."""
    properties = inline_pipeline("one", "First", "first", steps=2, tags={}) | changed
    return {
        "Resources": {
            "First": role({}, TRUST, "first"),
            "Pipeline": {"Type": "AWS::SageMaker::Pipeline", "Properties": properties},
        }
    }


def s3_definition(key: str, **more: str) -> dict[str, Any]:
    """A PipelineDefinition of the object ``key`` of the bucket ``definitions``."""
    return {"PipelineDefinitionS3Location": {"Bucket": "definitions", "Key": key, **more}}


#: Pipelines that CloudFormation (its schema for the resource type, or SageMaker) does
#: not create, and moto would: the change set's properties -> what the error names.
PIPELINE_REFUSALS: dict[str, tuple[dict[str, Any], str]] = {
    "S3 object missing": (
        {"PipelineDefinition": s3_definition("missing.json")},
        "No such key definitions/missing.json",
    ),
    "S3 object of another ETag": (
        {"PipelineDefinition": s3_definition("v1.json", ETag="0123456789abcdef")},
        "PreconditionFailed",
    ),
    "body and S3 location": (
        {"PipelineDefinition": s3_definition("v1.json") | {"PipelineDefinitionBody": "{}"}},
        "exactly one of PipelineDefinitionBody and PipelineDefinitionS3Location",
    ),
    "body not a string": (
        {"PipelineDefinition": {"PipelineDefinitionBody": {"Version": "2020-12-01"}}},
        "PipelineDefinitionBody is not a string",
    ),
    "body not JSON": (
        {"PipelineDefinition": {"PipelineDefinitionBody": "Version: 2020-12-01"}},
        "the pipeline definition is not JSON",
    ),
    "role name for RoleArn": ({"RoleArn": {"Ref": "First"}}, "is not an IAM role ARN"),
    "name SageMaker refuses": (
        {"PipelineName": "least_privilege"},
        "PipelineName 'least_privilege' does not",
    ),
    "undocumented property": ({"ExecutionRoleArn": "x"}, "['ExecutionRoleArn']"),
}


@pytest.mark.parametrize("case", sorted(PIPELINE_REFUSALS))
def test_patched_pipeline_model_refuses_what_cloudformation_refuses(
    case: str, patched_server: MotoServer
) -> None:
    # GIVEN the definition v1.json in S3 and a stack whose pipeline CloudFormation refuses
    reset(patched_server)
    client = patched_server.client
    client("s3").create_bucket(Bucket="definitions")
    client("s3").put_object(Bucket="definitions", Key="v1.json", Body=pipeline_definition("v1"))
    changed, named = PIPELINE_REFUSALS[case]
    # WHEN it is deployed THEN the deploy fails, naming the problem, and makes no pipeline
    with pytest.raises(ClientError) as refused:
        deploy(client, "refused", one_pipeline(**changed), create=True)
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert named in refused.value.response["Error"]["Message"]
    assert client("sagemaker").list_pipelines()["PipelineSummaries"] == []


def logged(server: MotoServer, text: str, timeout: float = 10) -> bool:
    """Whether the server's log has ``text`` within ``timeout`` seconds (werkzeug writes a
    request's traceback after it has answered the request)."""
    deadline = time.monotonic() + timeout
    while text not in server.log_path.read_text(errors="replace"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_patched_pipeline_model_raises_for_what_it_does_not_model(
    patched_server: MotoServer,
) -> None:
    # GIVEN a pipeline with a description
    reset(patched_server)
    client = patched_server.client
    deploy(client, "described", one_pipeline(), create=True)
    # WHEN an update removes the description (what SageMaker keeps then is not modelled)
    removed = one_pipeline()
    del removed["Resources"]["Pipeline"]["Properties"]["PipelineDescription"]
    # THEN the server fails the request (500) and its log names the gap
    with pytest.raises(ResponseParserError, match="500 Internal Server Error"):
        deploy(client, "described", removed, create=False)
    gap = "NotImplementedError: moto patches: removing ['PipelineDescription']"
    assert logged(patched_server, gap), f"not in {patched_server.log_path}: {gap}"
    described = client("sagemaker").describe_pipeline(PipelineName="one")
    assert described["PipelineDescription"] == "runs 2 steps at once"
