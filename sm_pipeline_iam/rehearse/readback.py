"""Reading deployed stacks back and comparing them with their templates.

Each stack's resources are read back with boto3 from the moto server and compared with
the synthesized template, resolved with the deployed physical ids: roles (trust, path,
tags, inline and managed policies), groups, managed policies, SCPs and RCPs (content,
targets), service-managed StackSets (and each instance's stack in its member account),
SageMaker pipelines (definition, roles of each step), and outputs. Besides, nothing else
was created in any account (:mod:`.inventory`), updates happened in place, a destroy left
nothing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from ..core.cfn import REGION, Resolver
from ..core.definition.rewrite import role_slots
from ..core.job_roles.assignment import SHARED_ROLE_ID, role_id
from ._models import STACK_SET_PROPERTIES
from .cdk_cli import BOOTSTRAP_VERSION_PARAMETER
from .compare import as_document, definition_diff, diff, error_code, tags_of
from .inventory import Inventory, inventory, inventory_problems, pages
from .server import MotoServer

#: An environment's account or region the app left open (``aws://unknown-account/...``).
_UNKNOWN = ("unknown-account", "unknown-region")


@dataclass(frozen=True)
class StackArtifact:
    """One stack of a cloud assembly (of a stage's nested assembly too)."""

    #: the stack name (``stackName``, else the artifact id)
    name: str
    template: Mapping[str, Any]
    #: the environment's account and region; None where the app left them open
    account: str | None
    region: str | None


def stack_artifacts(outdir: Path) -> list[StackArtifact]:
    """Every stack of the cloud assembly ``outdir``, nested assemblies (stages) included,
    in manifest order."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    found = []
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact["type"] == "cdk:cloud-assembly":
            found += stack_artifacts(outdir / properties["directoryName"])
            continue
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        account, region = str(artifact.get("environment", "aws:///")).removeprefix(
            "aws://").partition("/")[::2]
        found.append(StackArtifact(
            name=properties.get("stackName") or artifact_id,
            template=json.loads((outdir / properties["templateFile"]).read_text()),
            account=account if account and account not in _UNKNOWN else None,
            region=region if region and region not in _UNKNOWN else None,
        ))
    return found


def stack_templates(outdir: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> synthesized template, from a cloud assembly (nested ones too)."""
    return {artifact.name: dict(artifact.template) for artifact in stack_artifacts(outdir)}


@dataclass
class _DeployedResolver(Resolver):
    """A :class:`Resolver` that also reads ``Fn::GetStackOutput`` (what the CDK writes for
    a reference between stacks with weak references): the deployed stack's output."""

    stack_output: Callable[[Mapping[str, Any]], str] | None = None

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"Fn::GetStackOutput"} and (
            self.stack_output is not None
        ):
            return self.stack_output(super().resolve(value["Fn::GetStackOutput"]))
        return super().resolve(value)


@dataclass
class StackState:
    """One deployed stack as read back."""

    name: str
    #: logical id -> (resource type, physical id)
    resources: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: role logical id -> RoleId
    role_ids: dict[str, str] = field(default_factory=dict)
    #: the member account it is in (a StackSet instance's stack), None: management's
    account: str | None = None
    #: its StackId
    stack_id: str = ""
    #: every policy document as read back, as JSON text: "<role logical id>/<policy name>"
    #: for inline policies, the logical id for managed policies
    documents: dict[str, str] = field(default_factory=dict)
    #: pipeline logical id -> the pipeline as read back
    pipelines: dict[str, PipelineState] = field(default_factory=dict)
    #: logical id -> type, of each resource that has no read-back check (not compared)
    unchecked: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PipelineState:
    """One deployed SageMaker pipeline as read back."""

    name: str
    arn: str
    created: datetime
    modified: datetime
    #: the definition as DescribePipeline returns it
    definition: str
    #: the role it runs as (RoleArn)
    role_arn: str
    #: the logical id of its execution role (by construct path), "" when not found
    execution_role: str
    #: step name -> the logical id of its generated job role (by construct path), which
    #: its role field was checked to name
    job_roles: Mapping[str, str]




class _StackChecker:
    """Compares one deployed stack with its template; collects every difference."""

    ROLE_PROPERTIES = frozenset(
        {
            "AssumeRolePolicyDocument",
            "Description",
            "ManagedPolicyArns",
            "MaxSessionDuration",
            "Path",
            "PermissionsBoundary",
            "Policies",
            "RoleName",
            "Tags",
        }
    )
    GROUP_PROPERTIES = frozenset({"GroupName", "ManagedPolicyArns", "Path", "Policies"})
    POLICY_PROPERTIES = frozenset({"Groups", "PolicyDocument", "PolicyName", "Roles"})
    MANAGED_POLICY_PROPERTIES = frozenset(
        {"Description", "Groups", "ManagedPolicyName", "Path", "PolicyDocument", "Roles"}
    )
    SCP_PROPERTIES = frozenset({"Content", "Description", "Name", "Tags", "TargetIds", "Type"})
    STACK_SET_PROPERTIES = STACK_SET_PROPERTIES
    PIPELINE_PROPERTIES = frozenset(
        {
            "ParallelismConfiguration",
            "PipelineDefinition",
            "PipelineDescription",
            "PipelineDisplayName",
            "PipelineName",
            "RoleArn",
            "Tags",
        }
    )

    def __init__(
        self,
        server: MotoServer,
        name: str,
        template: Mapping[str, Any],
        *,
        account: str | None = None,
        region: str = REGION,
        unmodelled: Collection[str] = (),
    ) -> None:
        """Check stack ``name`` of the default account, or of another ``account``.
        Resources of the ``unmodelled`` types (moto creates none) are not looked for."""
        self.server = server
        self.unmodelled = frozenset(unmodelled)
        self.iam = server.client("iam", account, region)
        self.orgs = server.client("organizations", account, region)
        self.cfn = server.client("cloudformation", account, region)
        self.sagemaker = server.client("sagemaker", account, region)
        self.s3 = server.client("s3", account, region)
        self.account = server.client("sts", account, region).get_caller_identity()["Account"]
        self.region = region
        self.name = name
        self.label = name if account is None else f"{account}:{name}"
        self.template = template
        self.problems: list[str] = []
        self.state = StackState(name, account=account)
        #: the stacks of its StackSets' instances, read back: "account/region" -> state
        self.instance_states: dict[str, StackState] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.label}/{where}: {message}")

    def check(self) -> None:
        try:
            stack = self.cfn.describe_stacks(StackName=self.name)["Stacks"][0]
        except ClientError as error:
            self.problem("stack", f"not found ({error_code(error)})")
            return
        self.state.stack_id = stack["StackId"]
        if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            self.problem("stack", f"status {stack['StackStatus']}")
        self._check_resources_listed()
        self.resolver = _DeployedResolver(
            self.template,
            {logical: physical for logical, (_, physical) in self.state.resources.items()},
            self.account,
            self.name,
            region=self.region,
            stack_output=self._stack_output,
        )
        checks: dict[str, Callable[[str, Mapping[str, Any]], None]] = {
            "AWS::IAM::Role": self._check_role,
            "AWS::IAM::Group": self._check_group,
            "AWS::IAM::Policy": self._check_inline_policy,
            "AWS::IAM::ManagedPolicy": self._check_managed_policy,
            "AWS::Organizations::Policy": self._check_scp,
            "AWS::CloudFormation::StackSet": self._check_stack_set,
            "AWS::SageMaker::Pipeline": self._check_pipeline,
        }
        for logical_id, resource in self.template["Resources"].items():
            if logical_id not in self.state.resources:
                continue  # reported as missing already
            check = checks.get(resource["Type"])
            if check is None:
                self.state.unchecked[logical_id] = resource["Type"]
                continue
            check(logical_id, resource.get("Properties", {}))
        self._check_outputs(stack)

    def _check_resources_listed(self) -> None:
        listed = pages(
            self.cfn, "list_stack_resources", "StackResourceSummaries", StackName=self.name
        )
        # moto lists a blank summary for each resource it has no model for (and skipped).
        blanks = sum(r["Type"] in self.unmodelled for r in self.template["Resources"].values())
        for summary in listed:
            logical_id = summary.get("LogicalResourceId", "")
            resource = self.template["Resources"].get(logical_id)
            if resource is None and not logical_id and blanks:
                blanks -= 1
                continue
            if resource is None:
                self.problem(
                    logical_id or "?",
                    f"the stack lists a resource the template does not have: {summary}",
                )
                continue
            if summary.get("ResourceType") != resource["Type"]:
                self.problem(logical_id, f"type {summary.get('ResourceType')}")
            if not str(summary.get("ResourceStatus", "")).endswith("_COMPLETE"):
                self.problem(logical_id, f"status {summary.get('ResourceStatus')}")
            physical_id = summary.get("PhysicalResourceId") or ""
            if not physical_id:
                self.problem(logical_id, "no physical id")
            self.state.resources[logical_id] = (resource["Type"], physical_id)
        for logical_id, resource in self.template["Resources"].items():
            if logical_id not in self.state.resources and resource["Type"] not in self.unmodelled:
                self.problem(logical_id, "not in the deployed stack's resources")

    def _physical(self, logical_id: str) -> str:
        return self.state.resources.get(logical_id, ("", f"<{logical_id} not deployed>"))[1]

    def _unknown(
        self, logical_id: str, properties: Mapping[str, Any], known: frozenset[str]
    ) -> None:
        if unknown := sorted(set(properties) - known):
            self.problem(logical_id, f"no read-back check for properties {unknown}: add one")

    def _attached_to(
        self, policy_type: str, name: str, kind: str = "Roles"
    ) -> dict[str, Mapping[str, Any]]:
        """Logical id -> properties of each ``policy_type`` resource attached to the role
        (or, ``kind`` ``Groups``, the group) ``name``."""
        return {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == policy_type
            and name in self.resolver.resolve(resource.get("Properties", {}).get(kind, []))
        }

    def _stack_output(self, argument: Mapping[str, Any]) -> str:
        """What ``Fn::GetStackOutput`` with the resolved ``argument`` reads: the output of
        the deployed stack (in the account of its ``RoleArn``, else this stack's)."""
        role_arn = str(argument.get("RoleArn", ""))
        account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else self.state.account
        cfn = self.server.client("cloudformation", account, argument.get("Region", self.region))
        stack = cfn.describe_stacks(StackName=argument["StackName"])["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}
        return str(outputs.get(argument["OutputName"], f"<no output {argument['OutputName']}>"))

    def _check_group(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        """The group (name, path) and its inline and attached managed policies."""
        self._unknown(logical_id, properties, self.GROUP_PROPERTIES)
        name = self._physical(logical_id)
        try:
            group = self.iam.get_group(GroupName=name)["Group"]
        except ClientError as error:
            self.problem(logical_id, f"group {name} not found ({error_code(error)})")
            return
        resolve = self.resolver.resolve
        where = f"{logical_id} ({name})"
        expected_inline = {
            resolve(policy["PolicyName"]): resolve(policy["PolicyDocument"])
            for policy in [
                *self._attached_to("AWS::IAM::Policy", name, "Groups").values(),
                *properties.get("Policies", []),
            ]
        }
        inline = {
            policy_name: as_document(self.iam.get_group_policy(
                GroupName=name, PolicyName=policy_name)["PolicyDocument"])
            for policy_name in pages(self.iam, "list_group_policies", "PolicyNames",
                                     GroupName=name)
        }
        for policy_name, document in inline.items():
            self.state.documents[f"{logical_id}/{policy_name}"] = json.dumps(document)
        expected_arns = {
            self._physical(policy_id)
            for policy_id in self._attached_to("AWS::IAM::ManagedPolicy", name, "Groups")
        } | set(resolve(properties.get("ManagedPolicyArns", [])))
        attached = pages(self.iam, "list_attached_group_policies", "AttachedPolicies",
                         GroupName=name)
        for message in [
            *diff("GroupName", group["GroupName"], properties.get("GroupName", name)),
            *diff("Path", group["Path"], properties.get("Path", "/")),
            *diff("inline policies", inline, expected_inline),
            *diff(
                "attached managed policies",
                sorted(policy["PolicyArn"] for policy in attached),
                sorted(expected_arns),
            ),
        ]:
            self.problem(where, message)

    def _check_role(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        self._unknown(logical_id, properties, self.ROLE_PROPERTIES)
        name = self._physical(logical_id)
        try:
            role = self.iam.get_role(RoleName=name)["Role"]
        except ClientError as error:
            self.problem(logical_id, f"role {name} not found ({error_code(error)})")
            return
        self.state.role_ids[logical_id] = role["RoleId"]
        resolve = self.resolver.resolve
        where = f"{logical_id} ({name})"
        for message in [
            *diff("RoleName", role["RoleName"], properties.get("RoleName", name)),
            *diff("Arn", role["Arn"], self.resolver.role_arn(logical_id)),
            *diff("Path", role["Path"], properties.get("Path", "/")),
            *diff(
                "trust policy (AssumeRolePolicyDocument)",
                as_document(role.get("AssumeRolePolicyDocument")),
                resolve(properties["AssumeRolePolicyDocument"]),
            ),
            *diff("Description", role.get("Description", ""), properties.get("Description", "")),
            *diff("tags", tags_of(role.get("Tags")), tags_of(resolve(properties.get("Tags", [])))),
            *diff(
                "MaxSessionDuration",
                role.get("MaxSessionDuration"),
                int(properties.get("MaxSessionDuration", 3600)),
            ),
            *diff(
                "PermissionsBoundary",
                role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
                resolve(properties.get("PermissionsBoundary")),
            ),
        ]:
            self.problem(where, message)
        # Inline policies: the AWS::IAM::Policy resources naming the role, and `Policies`.
        expected_inline = {
            resolve(policy["PolicyName"]): resolve(policy["PolicyDocument"])
            for policy in self._attached_to("AWS::IAM::Policy", name).values()
        }
        for policy in properties.get("Policies", []):
            expected_inline[resolve(policy["PolicyName"])] = resolve(policy["PolicyDocument"])
        inline = pages(self.iam, "list_role_policies", "PolicyNames", RoleName=name)
        for message in diff("inline policy names", sorted(inline), sorted(expected_inline)):
            self.problem(where, message)
        for policy_name in sorted(inline):
            document = as_document(
                self.iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
            )
            self.state.documents[f"{logical_id}/{policy_name}"] = json.dumps(document)
            if policy_name not in expected_inline:
                continue
            for message in diff(
                f"inline policy {policy_name} document",
                document,
                expected_inline[policy_name],
            ):
                self.problem(where, message)
        # Managed policies: the AWS::IAM::ManagedPolicy resources naming it, and ARNs.
        expected_arns = {
            self._physical(policy_id)
            for policy_id in self._attached_to("AWS::IAM::ManagedPolicy", name)
        } | set(resolve(properties.get("ManagedPolicyArns", [])))
        attached = pages(
            self.iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name
        )
        for message in diff(
            "attached managed policies",
            sorted(policy["PolicyArn"] for policy in attached),
            sorted(expected_arns),
        ):
            self.problem(where, message)

    def _check_inline_policy(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        # Its document is compared on each role or group it names (see _check_role,
        # _check_group); here: every one it names is a role or group of this stack.
        self._unknown(logical_id, properties, self.POLICY_PROPERTIES)
        resources = self.template["Resources"]
        for kind, resource_type in (("Roles", "AWS::IAM::Role"), ("Groups", "AWS::IAM::Group")):
            for named in properties.get(kind, []):
                ref = named.get("Ref") if isinstance(named, dict) else None
                if resources.get(ref, {}).get("Type") != resource_type:
                    self.problem(logical_id, f"attached to {named}, not a {kind[:-1].lower()} "
                                 "of this stack")

    def _check_managed_policy(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        self._unknown(logical_id, properties, self.MANAGED_POLICY_PROPERTIES)
        arn = self._physical(logical_id)
        try:
            policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
        except ClientError as error:
            self.problem(logical_id, f"managed policy {arn} not found ({error_code(error)})")
            return
        version = self.iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        document = as_document(version["PolicyVersion"]["Document"])
        self.state.documents[logical_id] = json.dumps(document)
        entities = self.iam.list_entities_for_policy(PolicyArn=arn)
        resolve = self.resolver.resolve
        where = f"{logical_id} ({arn})"
        for message in [
            *diff("Path", policy["Path"], properties.get("Path", "/")),
            *diff("Description", policy.get("Description", ""), properties.get("Description", "")),
            *diff("document (default version)", document, resolve(properties["PolicyDocument"])),
            *diff(
                "roles it is attached to",
                sorted(role["RoleName"] for role in entities["PolicyRoles"]),
                sorted(resolve(properties.get("Roles", []))),
            ),
            *diff(
                "groups it is attached to",
                sorted(group["GroupName"] for group in entities["PolicyGroups"]),
                sorted(resolve(properties.get("Groups", []))),
            ),
            *diff("users it is attached to", entities["PolicyUsers"], []),
        ]:
            self.problem(where, message)
        if "ManagedPolicyName" in properties:
            for message in diff("name", policy["PolicyName"], properties["ManagedPolicyName"]):
                self.problem(where, message)

    def _check_scp(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        self._unknown(logical_id, properties, self.SCP_PROPERTIES)
        policy_id = self._physical(logical_id)
        try:
            policy = self.orgs.describe_policy(PolicyId=policy_id)["Policy"]
        except ClientError as error:
            self.problem(logical_id, f"SCP {policy_id!r} not found ({error_code(error)})")
            return
        summary = policy["PolicySummary"]
        targets = pages(self.orgs, "list_targets_for_policy", "Targets", PolicyId=policy_id)
        tags = pages(self.orgs, "list_tags_for_resource", "Tags", ResourceId=policy_id)
        resolve = self.resolver.resolve
        where = f"{logical_id} ({policy_id})"
        for message in [
            *diff("Name", summary["Name"], resolve(properties["Name"])),
            *diff("Type", summary["Type"], properties["Type"]),
            *diff(
                "Description", summary.get("Description", ""), properties.get("Description", "")
            ),
            *diff(
                "Content",
                as_document(policy["Content"]),
                as_document(resolve(properties["Content"])),
            ),
            *diff(
                "targets",
                sorted(target["TargetId"] for target in targets),
                sorted(resolve(properties.get("TargetIds", []))),
            ),
            *diff("tags", tags_of(tags), tags_of(resolve(properties.get("Tags", [])))),
        ]:
            self.problem(where, message)

    def _check_stack_set(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        """The stack set, its operations and instances, and each instance's stack in its
        member account (compared with the TemplateBody like any stack)."""
        self._unknown(logical_id, properties, self.STACK_SET_PROPERTIES)
        stack_set_id = self._physical(logical_id)
        where = f"{logical_id} ({stack_set_id})"
        try:
            stack_set = self.cfn.describe_stack_set(StackSetName=stack_set_id)["StackSet"]
        except ClientError as error:
            self.problem(logical_id, f"stack set {stack_set_id!r} not found ({error_code(error)})")
            return
        resolve = self.resolver.resolve
        groups = resolve(properties.get("StackInstancesGroup", []))
        ou_ids = sorted(
            {ou for g in groups for ou in g["DeploymentTargets"]["OrganizationalUnitIds"]}
        )
        regions = sorted({region for group in groups for region in group["Regions"]})
        name = resolve(properties.get("StackSetName", stack_set["StackSetName"]))
        for message in [
            *diff("Status", stack_set["Status"], "ACTIVE"),
            *diff("StackSetId", stack_set["StackSetId"], stack_set_id),
            *diff("StackSetName", stack_set["StackSetName"], name),
            *diff("TemplateBody", stack_set.get("TemplateBody"), properties.get("TemplateBody")),
            *diff(
                "PermissionModel",
                stack_set.get("PermissionModel"),
                properties.get("PermissionModel", "SELF_MANAGED"),
            ),
            *diff(
                "Capabilities",
                sorted(stack_set.get("Capabilities", [])),
                sorted(properties.get("Capabilities", [])),
            ),
            *diff(
                "AutoDeployment",
                stack_set.get("AutoDeployment"),
                resolve(properties.get("AutoDeployment")),
            ),
            *diff(
                "OrganizationalUnitIds", sorted(stack_set.get("OrganizationalUnitIds", [])), ou_ids
            ),
            *diff("Regions", sorted(stack_set.get("Regions", [])), regions),
            *diff("Description", stack_set.get("Description"), properties.get("Description")),
            *diff(
                "Parameters",
                {p["ParameterKey"]: p["ParameterValue"] for p in stack_set.get("Parameters", [])},
                {p["ParameterKey"]: p["ParameterValue"] for p in properties.get("Parameters", [])},
            ),
            *diff(
                "tags", tags_of(stack_set.get("Tags")), tags_of(resolve(properties.get("Tags", [])))
            ),
        ]:
            self.problem(where, message)
        self._check_stack_set_operations(where, stack_set_id, properties)
        self._check_stack_instances(where, stack_set, groups, properties["TemplateBody"])

    def _check_stack_set_operations(
        self, where: str, stack_set_id: str, properties: Mapping[str, Any]
    ) -> None:
        """Every operation succeeded; the latest ran with the template's preferences."""
        operations = pages(
            self.cfn, "list_stack_set_operations", "Summaries", StackSetName=stack_set_id
        )
        if not operations:
            self.problem(where, "no stack set operation")
            return
        for operation in operations:
            if operation["Status"] != "SUCCEEDED":
                self.problem(
                    where,
                    f"operation {operation['OperationId']} ({operation['Action']}): "
                    f"{operation['Status']} {operation.get('StatusReason', '')}",
                )
        latest = max(operations, key=lambda operation: operation["CreationTimestamp"])
        for message in diff(
            f"OperationPreferences of the latest operation ({latest['Action']})",
            latest.get("OperationPreferences"),
            self.resolver.resolve(properties.get("OperationPreferences")),
        ):
            self.problem(where, message)

    def _accounts_under(self, parent_id: str) -> list[str]:
        """The active accounts in an OU (or root) and, recursively, in its child OUs."""
        accounts = [
            account["Id"]
            for account in pages(
                self.orgs, "list_accounts_for_parent", "Accounts", ParentId=parent_id
            )
            if account["Status"] == "ACTIVE"
        ]
        for child in pages(
            self.orgs, "list_organizational_units_for_parent", "OrganizationalUnits",
            ParentId=parent_id,
        ):  # fmt: skip
            accounts += self._accounts_under(child["Id"])
        return accounts

    def _check_stack_instances(
        self,
        where: str,
        stack_set: Mapping[str, Any],
        groups: Sequence[Mapping[str, Any]],
        template_body: str,
    ) -> None:
        """One instance per account of the targeted OUs and region, each current, each
        with its stack in the member account as the template's ``template_body`` says."""
        stack_set_id = stack_set["StackSetId"]
        expected = sorted(
            {
                (account, region, ou)
                for group in groups
                for ou in group["DeploymentTargets"]["OrganizationalUnitIds"]
                for account in self._accounts_under(ou)
                for region in group["Regions"]
            }
        )
        instances = pages(self.cfn, "list_stack_instances", "Summaries", StackSetName=stack_set_id)
        deployed = sorted(
            (i["Account"], i["Region"], i.get("OrganizationalUnitId")) for i in instances
        )
        for message in diff("stack instances (account, region, OU)", deployed, expected):
            self.problem(where, message)
        template = json.loads(template_body)
        for instance in instances:
            account, region = instance["Account"], instance["Region"]
            at = f"{where} instance {account}/{region}"
            for message in [
                *diff("StackSetId", instance["StackSetId"], stack_set_id),
                *diff("Status", instance["Status"], "CURRENT"),
                *diff(
                    "DetailedStatus",
                    instance.get("StackInstanceStatus", {}).get("DetailedStatus"),
                    "SUCCEEDED",
                ),
            ]:
                self.problem(at, message)
            stack_id = instance.get("StackId", "")
            arn = stack_id.split(":")
            stack_name = arn[5].split("/")[1] if len(arn) == 6 and "/" in arn[5] else ""
            if arn[3:5] != [region, account] or not stack_name.startswith(
                f"StackSet-{stack_set['StackSetName']}-"
            ):
                self.problem(at, f"StackId {stack_id!r} is not a stack of the instance")
                continue
            checker = _StackChecker(
                self.server, stack_name, template, account=account, region=region
            )
            try:
                checker.check()
            except Exception as error:  # e.g. an intrinsic the resolver does not know
                checker.problem("read-back", f"failed: {error!r}")
            for message in diff("its stack's StackId", checker.state.stack_id, stack_id):
                self.problem(at, message)
            self.problems += checker.problems
            self.instance_states[f"{account}/{region}"] = checker.state

    def _construct_paths(self) -> dict[str, str]:
        """Construct path (``aws:cdk:path`` metadata, which the CLI writes) -> logical id."""
        return {
            resource["Metadata"]["aws:cdk:path"]: logical_id
            for logical_id, resource in self.template["Resources"].items()
            if "aws:cdk:path" in resource.get("Metadata", {})
        }

    def _deployed_role_arn(self, logical_id: str) -> str:
        """The role's ARN as IAM has it (not as the template implies)."""
        name = self._physical(logical_id)
        try:
            return str(self.iam.get_role(RoleName=name)["Role"]["Arn"])
        except ClientError as error:
            return f"<role {name} not found ({error_code(error)})>"

    def _expected_definition(self, definition: Mapping[str, Any]) -> str:
        """The definition text the template gives: its body resolved, or the S3 object."""
        resolved = self.resolver.resolve(definition)
        if "PipelineDefinitionBody" in resolved:
            return str(resolved["PipelineDefinitionBody"])
        location = resolved["PipelineDefinitionS3Location"]
        version = {"VersionId": location["Version"]} if "Version" in location else {}
        body = self.s3.get_object(Bucket=location["Bucket"], Key=location["Key"], **version)
        return str(body["Body"].read().decode("utf-8"))

    def _check_pipeline(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        """The pipeline as the template says (name, ARN, role, display name, description,
        parallelism, tags, the definition text), and the roles it runs as: its role is the
        deployed execution role of its construct, each step's role field the deployed job
        role of that step (``<construct>/JobRoles/Step<step>``, or ``Shared``), and every
        job role of the construct is some step's."""
        self._unknown(logical_id, properties, self.PIPELINE_PROPERTIES)
        name = self._physical(logical_id)
        where = f"{logical_id} ({name})"
        try:
            described = self.sagemaker.describe_pipeline(PipelineName=name)
        except ClientError as error:
            self.problem(logical_id, f"pipeline {name!r} not found ({error_code(error)})")
            return
        arn = described["PipelineArn"]
        resolve = self.resolver.resolve
        tags = pages(self.sagemaker, "list_tags", "Tags", ResourceArn=arn)
        parallelism = resolve(properties.get("ParallelismConfiguration"))
        if parallelism is not None:
            parallelism = {
                "MaxParallelExecutionSteps": int(parallelism["MaxParallelExecutionSteps"])
            }
        deployed_text = str(described.get("PipelineDefinition", ""))
        for message in [
            *diff("PipelineName", described["PipelineName"], resolve(properties["PipelineName"])),
            *diff(
                "PipelineArn",
                arn,
                f"arn:{self.resolver.partition}:sagemaker:{self.region}:{self.account}"
                f":pipeline/{name}",
            ),
            *diff("PipelineStatus", described.get("PipelineStatus"), "Active"),
            *diff("RoleArn", described.get("RoleArn"), resolve(properties["RoleArn"])),
            *diff(
                "PipelineDisplayName",
                described.get("PipelineDisplayName"),
                resolve(properties.get("PipelineDisplayName", name)),
            ),
            *diff(
                "PipelineDescription",
                described.get("PipelineDescription"),
                resolve(properties.get("PipelineDescription")),
            ),
            *diff(
                "ParallelismConfiguration", described.get("ParallelismConfiguration"), parallelism
            ),
            *diff("tags", tags_of(tags), tags_of(resolve(properties.get("Tags", [])))),
            *definition_diff(
                deployed_text, self._expected_definition(properties["PipelineDefinition"])
            ),
        ]:
            self.problem(where, message)
        try:
            definition = json.loads(deployed_text)
        except ValueError as error:
            self.problem(where, f"its definition is not JSON: {error}")
            return
        paths = self._construct_paths()
        construct = next(
            (path.removesuffix("/Resource") for path, lid in paths.items() if lid == logical_id),
            None,
        )
        if construct is None:
            self.problem(where, "no aws:cdk:path metadata: its roles cannot be found")
            return
        execution_role = paths.get(f"{construct}/ExecutionRole/Resource", "")
        if not execution_role:
            self.problem(where, f"no execution role at {construct}/ExecutionRole")
        else:
            for message in diff(
                f"RoleArn (the execution role {execution_role})",
                described.get("RoleArn"),
                self._deployed_role_arn(execution_role),
            ):
                self.problem(where, message)
        job_roles: dict[str, str] = {}
        slots = role_slots(definition)
        for slot in slots:
            role = paths.get(f"{construct}/JobRoles/{role_id(slot.step)}/Resource") or paths.get(
                f"{construct}/JobRoles/{SHARED_ROLE_ID}/Resource"
            )
            if role is None:
                # A step that keeps the definition's role (keep_roles_for): the template's
                # body names it literally. (With a Shared role, such a step is not told
                # apart: the round trip deploys per-step roles.)
                continue
            job_roles[slot.step] = role
            for message in diff(
                f"step {slot.step} {slot.field} (its job role {role})",
                slot.value,
                self._deployed_role_arn(role),
            ):
                self.problem(where, message)
        generated = {
            lid
            for path, lid in paths.items()
            if path.startswith(f"{construct}/JobRoles/")
            and path.count("/") == construct.count("/") + 3
            and path.endswith("/Resource")
            and self.template["Resources"][lid]["Type"] == "AWS::IAM::Role"
        }
        named = {slot.value for slot in slots}
        if unused := sorted(lid for lid in generated if self._deployed_role_arn(lid) not in named):
            self.problem(where, f"job roles that no step's role field names: {unused}")
        self.state.pipelines[logical_id] = PipelineState(
            name=name,
            arn=arn,
            created=described["CreationTime"],
            modified=described["LastModifiedTime"],
            definition=deployed_text,
            role_arn=str(described.get("RoleArn", "")),
            execution_role=execution_role,
            job_roles=job_roles,
        )

    def _check_outputs(self, stack: Mapping[str, Any]) -> None:
        deployed = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}
        expected = {
            key: str(self.resolver.resolve(output["Value"]))
            for key, output in self.template.get("Outputs", {}).items()
        }
        for message in diff("outputs", deployed, expected):
            self.problem("Outputs", message)


@dataclass
class DeployedState:
    """What a deploy left, as read back: per stack, and the whole inventory."""

    stacks: dict[str, StackState]
    inventory: Inventory
    #: the stacks of StackSet instances, "account/region" -> state
    instances: dict[str, StackState] = field(default_factory=dict)
    #: member account -> its inventory
    member_inventories: dict[str, Inventory] = field(default_factory=dict)


def _checked_stack(
    server: MotoServer,
    name: str,
    template: Mapping[str, Any],
    *,
    account: str | None = None,
    region: str = REGION,
    strict: bool = True,
    unmodelled: Collection[str] = (),
) -> _StackChecker:
    checker = _StackChecker(
        server, name, template, account=account, region=region, unmodelled=unmodelled
    )
    try:
        checker.check()
    except Exception as error:  # e.g. an intrinsic the resolver does not know
        checker.problem("read-back", f"failed: {error!r}")
    if strict:
        for logical_id, resource_type in checker.state.unchecked.items():
            checker.problem(logical_id, f"no read-back check for {resource_type}: add one")
    return checker


def check_stack(
    server: MotoServer, name: str, template: Mapping[str, Any]
) -> tuple[StackState, list[str]]:
    """Compare the management account's stack ``name`` with ``template`` (a template of
    any deploy, deployed under any name): its resources only, not the inventory."""
    checker = _checked_stack(server, name, template)
    return checker.state, checker.problems


def check_deployment(
    server: MotoServer,
    outdir: Path,
    baseline: Inventory,
    member_baselines: Mapping[str, Inventory] | None = None,
    *,
    only: Collection[str] | None = None,
    strict: bool = True,
    unmodelled: Collection[str] = (),
) -> tuple[DeployedState, list[str]]:
    """Compare the deployed stacks with the templates in ``outdir``: every difference.

    A stack whose environment names an account other than the default one is read in that
    account (it needs its ``member_baselines`` entry). Besides each stack's resources (and
    each StackSet's instances' stacks in the member accounts): nothing else was created
    (the default account's inventory is the ``baseline`` plus exactly its stacks' roles,
    managed policies, SCPs, stack sets and pipelines; each other account's is its
    ``member_baselines`` entry plus what its stacks and instances' stacks created).
    ``only``: check these stacks of ``outdir``, not all. ``strict``: a resource without a
    read-back check is a problem (else listed in its stack's ``unchecked``);
    ``unmodelled``: resource types moto creates nothing for (not looked for).
    """
    problems: list[str] = []
    stacks: dict[str, StackState] = {}
    instances: dict[str, StackState] = {}
    default_account = server.account
    for artifact in stack_artifacts(outdir):
        if only is not None and artifact.name not in only:
            continue
        account = None if artifact.account in (None, default_account) else artifact.account
        checker = _checked_stack(
            server, artifact.name, artifact.template, account=account,
            region=artifact.region or REGION, strict=strict, unmodelled=unmodelled,
        )  # fmt: skip
        problems += checker.problems
        stacks[checker.label] = checker.state
        instances.update(checker.instance_states)
    now = inventory(server)
    own = [state for state in stacks.values() if state.account is None]
    problems += inventory_problems("account", now, baseline, own)
    member_inventories = {}
    for account, before in (member_baselines or {}).items():
        member_inventories[account] = inventory(server, account)
        problems += inventory_problems(
            f"account {account}",
            member_inventories[account],
            before,
            [state for state in [*stacks.values(), *instances.values()]
             if state.account == account],
        )
    known = set(member_baselines or {})
    if member_baselines is not None and (
        strays := {state.account or "" for state in instances.values()} - known
    ):
        problems.append(f"stack instances in accounts without a baseline: {sorted(strays)}")
    if homeless := sorted({state.account for state in stacks.values() if state.account} - known):
        problems.append(f"stacks in accounts without a baseline: {homeless}")
    return DeployedState(stacks, now, instances, member_inventories), problems


def check_in_place(before: DeployedState, after: DeployedState) -> list[str]:
    """Every resource in both deploys was updated in place: same physical id, same RoleId,
    same pipeline (ARN and CreationTime; the stacks of StackSet instances in both too)."""
    problems = []
    pairs = [(name, old, after.stacks.get(name)) for name, old in before.stacks.items()]
    pairs += [
        (f"instance {key}", old, after.instances.get(key)) for key, old in before.instances.items()
    ]
    for name, old, new in pairs:
        if new is None:
            problems.append(f"{name}: stack gone after the update")
            continue
        for message in diff("StackId (replaced?)", new.stack_id, old.stack_id):
            problems.append(f"{name}: {message}")
        for logical_id in sorted(set(old.resources) & set(new.resources)):
            for message in diff(
                "physical id (replaced, not updated in place?)",
                new.resources[logical_id],
                old.resources[logical_id],
            ):
                problems.append(f"{name}/{logical_id}: {message}")
        for logical_id in sorted(set(old.role_ids) & set(new.role_ids)):
            for message in diff(
                "RoleId (replaced, not updated in place?)",
                new.role_ids[logical_id],
                old.role_ids[logical_id],
            ):
                problems.append(f"{name}/{logical_id}: {message}")
        for logical_id in sorted(set(old.pipelines) & set(new.pipelines)):
            was, now = old.pipelines[logical_id], new.pipelines[logical_id]
            for message in diff(
                "pipeline (ARN, CreationTime; replaced, not updated in place?)",
                (now.arn, now.created),
                (was.arn, was.created),
            ):
                problems.append(f"{name}/{logical_id}: {message}")
    return problems




def check_destroyed(
    server: MotoServer,
    baseline: Inventory,
    last: DeployedState,
    member_baselines: Mapping[str, Inventory] | None = None,
) -> list[str]:
    """Nothing the stacks created is left: every inventory is back to its baseline, the
    stack sets are gone, and their instances' stacks deleted."""
    now = inventory(server)
    problems = inventory_problems("account after destroy", now, baseline, [])
    for account, before in (member_baselines or {}).items():
        problems += inventory_problems(
            f"account {account} after destroy", inventory(server, account), before, []
        )
    for stack in last.stacks.values():
        lookups = _lookups(server, stack.account)
        cfn = server.client("cloudformation", stack.account)
        label = stack.name if stack.account is None else f"{stack.account}:{stack.name}"
        for logical_id, (resource_type, physical_id) in stack.resources.items():
            lookup = lookups.get(resource_type)
            if lookup is None:
                continue
            try:
                lookup(physical_id)
            except ClientError:
                continue
            problems.append(f"{label}/{logical_id}: {physical_id} still exists")
            if resource_type == "AWS::CloudFormation::StackSet":
                instances = pages(
                    cfn, "list_stack_instances", "Summaries", StackSetName=physical_id
                )
                problems += [f"{label}/{logical_id}: instance {i} left" for i in instances]
    for key, state in last.instances.items():
        account, region = key.split("/")
        member = server.client("cloudformation", account, region)
        try:
            status = member.describe_stacks(StackName=state.stack_id)["Stacks"][0]["StackStatus"]
        except ClientError:
            continue  # not found: deleted
        if status != "DELETE_COMPLETE":
            problems.append(f"instance {key}: its stack {state.name} is {status}")
        member_iam = server.client("iam", account, region)
        for logical_id, (resource_type, physical_id) in state.resources.items():
            if resource_type != "AWS::IAM::Role":
                continue
            with contextlib.suppress(ClientError):
                member_iam.get_role(RoleName=physical_id)
                problems.append(f"instance {key}/{logical_id}: role {physical_id} still exists")
    return problems


def _lookups(server: MotoServer, account: str | None) -> dict[str, Callable[[str], Any]]:
    """Resource type -> a call that fails (ClientError) once its resource is gone."""
    iam, orgs, cfn, sagemaker = (
        server.client(name, account)
        for name in ("iam", "organizations", "cloudformation", "sagemaker")
    )
    return {
        "AWS::IAM::Role": lambda p: iam.get_role(RoleName=p),
        "AWS::IAM::Group": lambda p: iam.get_group(GroupName=p),
        "AWS::IAM::ManagedPolicy": lambda p: iam.get_policy(PolicyArn=p),
        "AWS::Organizations::Policy": lambda p: orgs.describe_policy(PolicyId=p),
        "AWS::CloudFormation::StackSet": lambda p: cfn.describe_stack_set(StackSetName=p),
        "AWS::SageMaker::Pipeline": lambda p: sagemaker.describe_pipeline(PipelineName=p),
    }


def check_bootstrap(
    server: MotoServer, account: str | None = None, region: str = REGION
) -> list[str]:
    """The bootstrap version parameter exists in the default account (or ``account``) and
    ``region`` (deploys read it) and is recent enough."""
    where = "bootstrap" if account is None else f"bootstrap of {account}/{region}"
    try:
        value = server.client("ssm", account, region).get_parameter(
            Name=BOOTSTRAP_VERSION_PARAMETER)
    except ClientError as error:
        return [f"{where}: {BOOTSTRAP_VERSION_PARAMETER} not found ({error_code(error)})"]
    version = int(value["Parameter"]["Value"])
    return [] if version >= 6 else [f"{where}: version {version} < 6"]
