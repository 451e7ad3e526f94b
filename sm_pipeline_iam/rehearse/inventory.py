"""What an account holds that a stack could have created or left: its inventory."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .compare import diff

if TYPE_CHECKING:
    from .readback import StackState
    from .server import MotoServer


@dataclass(frozen=True)
class Inventory:
    """Everything IAM/Organizations/CloudFormation/SageMaker holds that a stack could have
    created or left, in one account (SCPs and stack sets: the management account's only)."""

    #: role name -> (RoleId, inline policy names, attached managed policy ARNs)
    roles: Mapping[str, tuple[str, frozenset[str], frozenset[str]]]
    #: customer managed policy ARNs
    managed_policies: frozenset[str]
    #: SCP and RCP ids
    scps: frozenset[str]
    #: stack names that are not deleted
    stacks: frozenset[str]
    #: ids of the stack sets that are not deleted
    stack_sets: frozenset[str] = frozenset()
    #: names of the SageMaker pipelines
    pipelines: frozenset[str] = frozenset()
    #: names of the IAM groups
    groups: frozenset[str] = frozenset()


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item under ``key`` of every page of ``operation``."""
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page[key])
    return items


def inventory(server: MotoServer, account: str | None = None) -> Inventory:
    """The management account's inventory, or a member ``account``'s."""
    iam, cfn = (server.client(name, account) for name in ("iam", "cloudformation"))
    roles = {}
    for role in pages(iam, "list_roles", "Roles"):
        name = role["RoleName"]
        inline = pages(iam, "list_role_policies", "PolicyNames", RoleName=name)
        attached = pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
        roles[name] = (
            role["RoleId"],
            frozenset(inline),
            frozenset(policy["PolicyArn"] for policy in attached),
        )
    managed = pages(iam, "list_policies", "Policies", Scope="Local")
    stacks = pages(cfn, "describe_stacks", "Stacks")
    pipelines = pages(server.client("sagemaker", account), "list_pipelines", "PipelineSummaries")
    orgs = server.client("organizations", account)
    scps: list[Any] = []
    # An organization's policies are its management account's; other accounts have none.
    with contextlib.suppress(orgs.exceptions.AWSOrganizationsNotInUseException):
        scps = [policy for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
                for policy in pages(orgs, "list_policies", "Policies", Filter=kind)]
    stack_sets = pages(cfn, "list_stack_sets", "Summaries")
    groups = pages(iam, "list_groups", "Groups")
    return Inventory(
        roles=roles,
        managed_policies=frozenset(policy["Arn"] for policy in managed),
        scps=frozenset(policy["Id"] for policy in scps),
        stacks=frozenset(s["StackName"] for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"),
        stack_sets=frozenset(s["StackSetId"] for s in stack_sets if s["Status"] != "DELETED"),
        pipelines=frozenset(pipeline["PipelineName"] for pipeline in pipelines),
        groups=frozenset(group["GroupName"] for group in groups),
    )



_INVENTORIED = (
    ("AWS::IAM::Role", "roles"),
    ("AWS::IAM::ManagedPolicy", "managed_policies"),
    ("AWS::Organizations::Policy", "scps"),
    ("AWS::CloudFormation::StackSet", "stack_sets"),
    ("AWS::SageMaker::Pipeline", "pipelines"),
    ("AWS::IAM::Group", "groups"),
)


def inventory_problems(
    where: str, now: Inventory, baseline: Inventory, stacks: Sequence[StackState]
) -> list[str]:
    """``now`` is exactly ``baseline`` plus what ``stacks`` created, and the roles that
    were there before are unchanged."""
    created = {
        kind: {
            physical
            for state in stacks
            for t, physical in state.resources.values()
            if t == resource_type
        }
        for resource_type, kind in _INVENTORIED
    }
    problems = []
    for what, kind in (
        ("roles", "roles"),
        ("customer managed policies", "managed_policies"),
        ("SCPs", "scps"),
        ("stack sets", "stack_sets"),
        ("SageMaker pipelines", "pipelines"),
        ("IAM groups", "groups"),
    ):
        deployed, before = set(getattr(now, kind)), set(getattr(baseline, kind))
        for message in diff(
            f"all {what} in the account", sorted(deployed), sorted(before | created[kind])
        ):
            problems.append(f"{where}: {message}")
    names = {state.name for state in stacks}
    for message in diff(
        "all stacks in the account", sorted(now.stacks), sorted(set(baseline.stacks) | names)
    ):
        problems.append(f"{where}: {message}")
    for name, before_role in baseline.roles.items():
        for message in diff(f"role {name} (not the stacks')", now.roles.get(name), before_role):
            problems.append(f"{where}: {message}")
    return problems

