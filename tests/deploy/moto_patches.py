"""Test-side adapter: patches moto 5.2.5's CloudFormation where our templates hit a gap.

Loaded only into the moto *server* process that the local deploy talks to (see
``tests/deploy/server.py``); importing this module changes nothing, ``apply()`` does.
Each patch below names the moto function it replaces (or the model it adds), the gap,
and what real CloudFormation does instead. ``tests/deploy/test_moto_gaps.py`` proves
each gap is still present in unpatched moto (so it fails once moto fixes one upstream:
then delete that patch) and that the patched server behaves like CloudFormation.

Only what our templates use is modelled; anything else raises ``NotImplementedError``
(the deploy then fails loudly) instead of being skipped:

1. ``AWS::Organizations::Policy`` (the SCP of ``OrgScpException``): moto has no model,
   so ``moto.cloudformation.parsing.parse_resource`` warns and skips it and the stack
   still reports success. Added: a model calling moto's organizations backend
   (``create_policy`` / ``attach_policy``; ``update_policy`` and target attach/detach on
   update; detach from every target and ``delete_policy`` on delete).
2. ``moto.iam.models.Role.update_from_cloudformation_json``: keeps only
   ``Description`` (and sets ``MaxSessionDuration`` from the wrong property). Replaced:
   trust policy, description, maximum session, permissions boundary and tags are
   updated in place, as CloudFormation does (same role, same RoleId).
3. ``moto.iam.models.ManagedPolicy.update_from_cloudformation_json``: moto has none
   (the inherited abstract method), so an update is dropped and the stack forgets the
   policy. Added: a new default policy version for a changed ``PolicyDocument``
   (pruning the oldest when five exist, as CloudFormation does) and role
   attach/detach for a changed ``Roles``.
4. ``moto.iam.models.ManagedPolicy.delete_from_cloudformation_json``: moto has none, so
   the policy is never deleted and stays attached (the role's deletion then fails with
   DeleteConflict). Added: detach from every role, then delete.
5. ``moto.cloudformation.models.ChangeSet.apply``: executing a change set (how the CDK
   CLI deploys) updates the resources but not the stack's outputs, which stay those of
   the empty template the change set was created from. Wrapped: the outputs are
   rebuilt from the change set's template.
6. ``moto.cloudformation.responses.CloudFormationResponse.describe_change_set``,
   ``delete_change_set`` and ``execute_change_set``: moto looks a change set up by name
   across *all* stacks, ignoring ``StackName``, and a missing one is a ValidationError
   (delete: an UnboundLocalError). The CDK CLI names every stack's change set
   ``cdk-deploy-change-set``; before an update it deletes the stack's old one and waits
   for ``ChangeSetNotFound``: with two stacks moto keeps finding the other stack's, and
   the deploy waits forever. Replaced: a name is looked up within ``StackName``; a
   missing change set is ``ChangeSetNotFound`` (404) on describe and execute, and
   deleting one is a no-op.

Known moto gaps that our templates do not hit, so not patched (the read-back check would
catch them): a role's ``ManagedPolicyArns`` are ignored and its inline ``Policies`` are
stored as a Python repr (``Role.create_from_cloudformation_json``). The patched role
update raises for those properties rather than ignoring them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

#: The patches, in the order above: name -> the moto function it replaces or adds. Kept in
#: step with the docstring; the gap tests check that each has a case.
PATCHES: dict[str, str] = {
    "organizations_policy_model": "adds the AWS::Organizations::Policy CloudFormation model",
    "role_update": "replaces moto.iam.models.Role.update_from_cloudformation_json",
    "managed_policy_update": "adds moto.iam.models.ManagedPolicy.update_from_cloudformation_json",
    "managed_policy_delete": "adds moto.iam.models.ManagedPolicy.delete_from_cloudformation_json",
    "change_set_outputs": "wraps moto.cloudformation.models.ChangeSet.apply",
    "change_set_scope": (
        "replaces moto.cloudformation.responses.CloudFormationResponse."
        "describe_change_set, delete_change_set and execute_change_set"
    ),
}

_MARK = "_sm_pipeline_iam_patched"


def applied_in_process() -> list[str]:
    """The patches found applied to moto in this process (by inspecting moto)."""
    from moto.cloudformation import models as cfn_models
    from moto.cloudformation import parsing
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.iam.models import ManagedPolicy, Role

    marked = {
        "organizations_policy_model": "AWS::Organizations::Policy" in parsing.get_model_map(),
        "role_update": Role.update_from_cloudformation_json,
        "managed_policy_update": ManagedPolicy.update_from_cloudformation_json,
        "managed_policy_delete": ManagedPolicy.delete_from_cloudformation_json,
        "change_set_outputs": cfn_models.ChangeSet.apply,
        "change_set_scope": CloudFormationResponse.describe_change_set,
    }
    return [
        name for name, target in marked.items() if target is True or getattr(target, _MARK, False)
    ]


def apply(skip: Collection[str] = ()) -> list[str]:
    """Apply the patches (all but ``skip``) to moto in this process; return their names.

    ``skip`` is for showing what a patch is for (``server.py --skip NAME``).
    """
    if unknown := sorted(set(skip) - set(PATCHES)):
        raise ValueError(f"unknown patches {unknown}: choose from {sorted(PATCHES)}")
    installers: dict[str, Callable[[], None]] = {
        "organizations_policy_model": _register_organizations_policy_model,
        "role_update": _patch_role_update,
        "managed_policy_update": _patch_managed_policy_update,
        "managed_policy_delete": _patch_managed_policy_delete,
        "change_set_outputs": _patch_change_set_outputs,
        "change_set_scope": _scope_change_sets_by_stack,
    }
    already = set(applied_in_process())
    for name, install in installers.items():
        if name not in skip and name not in already:
            install()
    return applied_in_process()


def _register_organizations_policy_model() -> None:
    from moto.cloudformation import parsing

    _organizations_policy_model()
    # parsing caches the list of CloudFormationModel subclasses: let it see the new one.
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def _patch_role_update() -> None:
    from moto.iam.models import Role

    Role.update_from_cloudformation_json = classmethod(_marked(_update_role))  # type: ignore[method-assign,assignment]


def _patch_managed_policy_update() -> None:
    from moto.iam.models import ManagedPolicy

    ManagedPolicy.update_from_cloudformation_json = classmethod(  # type: ignore[method-assign,assignment]
        _marked(_update_managed_policy)
    )


def _patch_managed_policy_delete() -> None:
    from moto.iam.models import ManagedPolicy

    ManagedPolicy.delete_from_cloudformation_json = classmethod(  # type: ignore[method-assign,assignment]
        _marked(_delete_managed_policy)
    )


def _patch_change_set_outputs() -> None:
    """Wraps ``moto.cloudformation.models.ChangeSet.apply``: outputs follow the template."""
    from moto.cloudformation import models as cfn_models

    original_apply = cfn_models.ChangeSet.apply

    def apply_with_outputs(change_set: Any) -> None:
        original_apply(change_set)
        stack = change_set.stack
        stack.template = change_set.template
        stack._parse_template()
        stack.output_map = stack._create_output_map()

    cfn_models.ChangeSet.apply = _marked(apply_with_outputs)  # type: ignore[method-assign]


def _marked(function: Callable[..., Any]) -> Callable[..., Any]:
    setattr(function, _MARK, True)
    return function


def _iam_backend(account_id: str, region_name: str) -> Any:
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    return iam_backends[account_id][get_partition(region_name)]


def _json_text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


# --- 1. AWS::Organizations::Policy ---------------------------------------------------


def _organizations_policy_model() -> type:
    """Define (and so register) the CloudFormation model of ``AWS::Organizations::Policy``.

    Defined inside a function: a ``CloudFormationModel`` subclass registers itself when
    its class statement runs, and merely importing this module must not patch moto.
    """
    from moto.core.common_models import CloudFormationModel
    from moto.organizations.exceptions import AWSOrganizationsNotInUseException
    from moto.organizations.models import organizations_backends
    from moto.utilities.utils import get_partition

    def backend(account_id: str, region_name: str) -> Any:
        found = organizations_backends[account_id][get_partition(region_name)]
        if found.org is None:
            raise AWSOrganizationsNotInUseException()
        return found

    class OrganizationsPolicy(CloudFormationModel):
        """An organization policy (SCP) created by a stack; physical id = policy id."""

        # moto's model metaclass files each model under the service named by the second
        # part of its module: organizations.
        __module__ = "moto.organizations.sm_pipeline_iam_adapter"

        def __init__(self, account_id: str, region_name: str, policy_id: str) -> None:
            self.account_id = account_id
            self.region_name = region_name
            self.policy_id = policy_id

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::Organizations::Policy"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr in ("Arn", "Id", "AwsManaged")

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            policy = backend(self.account_id, self.region_name).get_policy_by_id(self.policy_id)
            if attribute_name == "Arn":
                return policy.arn
            if attribute_name == "Id":
                return policy.id
            if attribute_name == "AwsManaged":
                return policy.aws_managed
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            raise UnformattedGetAttTemplateException()

        @property
        def physical_resource_id(self) -> str:
            return self.policy_id

        def is_created(self) -> bool:
            return True

        @classmethod
        def create_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> OrganizationsPolicy:
            properties = cloudformation_json["Properties"]
            orgs = backend(account_id, region_name)
            created = orgs.create_policy(
                Name=properties.get("Name", resource_name),
                Type=properties["Type"],
                Content=_json_text(properties["Content"]),
                Description=properties.get("Description", ""),
                Tags=properties.get("Tags", []),
            )
            policy_id = created["Policy"]["PolicySummary"]["Id"]
            for target_id in properties.get("TargetIds", []):
                orgs.attach_policy(PolicyId=policy_id, TargetId=target_id)
            return cls(account_id, region_name, policy_id)

        @classmethod
        def update_from_cloudformation_json(
            cls,
            original_resource: OrganizationsPolicy,
            new_resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
        ) -> OrganizationsPolicy:
            properties = cloudformation_json["Properties"]
            orgs = backend(account_id, region_name)
            policy = orgs.get_policy_by_id(original_resource.policy_id)
            if properties["Type"] != policy.type:
                raise NotImplementedError(
                    "moto_patches: changing an AWS::Organizations::Policy's Type replaces "
                    "it in CloudFormation; the adapter does not model replacement"
                )
            orgs.update_policy(
                PolicyId=policy.id,
                Name=properties["Name"],
                Description=properties.get("Description", ""),
                Content=_json_text(properties["Content"]),
            )
            wanted = set(properties.get("TargetIds", []))
            attached = {target.id for target in policy.attachments}
            for target_id in sorted(attached - wanted):
                orgs.detach_policy(PolicyId=policy.id, TargetId=target_id)
            for target_id in sorted(wanted - attached):
                orgs.attach_policy(PolicyId=policy.id, TargetId=target_id)
            tags = {tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])}
            if removed := sorted(set(policy.tags) - set(tags)):
                orgs.untag_resource(ResourceId=policy.id, TagKeys=removed)
            if tags:
                orgs.tag_resource(
                    ResourceId=policy.id,
                    Tags=[{"Key": key, "Value": value} for key, value in tags.items()],
                )
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
        ) -> None:
            orgs = backend(account_id, region_name)
            policy = orgs.get_policy_by_id(resource_name)
            for target in list(policy.attachments):
                orgs.detach_policy(PolicyId=policy.id, TargetId=target.id)
            orgs.delete_policy(PolicyId=policy.id)

    return OrganizationsPolicy


# --- 2. AWS::IAM::Role updates -------------------------------------------------------

#: Role properties that the patched update does not model (moto ignores them on update).
_UNMODELLED_ROLE_PROPERTIES = ("Policies", "ManagedPolicyArns")


def _update_role(
    cls: type,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> Any:
    """Replaces ``moto.iam.models.Role.update_from_cloudformation_json``.

    moto keeps only the description; CloudFormation updates these properties in place.
    """
    properties = cloudformation_json["Properties"]
    role = original_resource
    if (
        properties.get("RoleName", role.name) != role.name
        or properties.get("Path", "/") != role.path
    ):
        raise NotImplementedError(
            "moto_patches: a changed RoleName or Path replaces the role in CloudFormation; "
            "the adapter does not model replacement"
        )
    if unmodelled := [name for name in _UNMODELLED_ROLE_PROPERTIES if name in properties]:
        raise NotImplementedError(
            f"moto_patches: role property {unmodelled} is not modelled by the adapter "
            "(moto ignores it): extend tests/deploy/moto_patches.py"
        )
    backend = _iam_backend(account_id, region_name)
    backend.update_assume_role_policy(role.name, _json_text(properties["AssumeRolePolicyDocument"]))
    backend.update_role(
        role.name, properties.get("Description", ""), properties.get("MaxSessionDuration", 3600)
    )
    if boundary := properties.get("PermissionsBoundary"):
        backend.put_role_permissions_boundary(role.name, boundary)
    else:
        backend.delete_role_permissions_boundary(role.name)
    tags = {tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])}
    if removed := [tag["Key"] for tag in role.tags if tag["Key"] not in tags]:
        backend.untag_role(role.name, removed)
    if tags:
        backend.tag_role(role.name, [{"Key": key, "Value": value} for key, value in tags.items()])
    return role


# --- 3./4. AWS::IAM::ManagedPolicy updates and deletes -------------------------------


def _update_managed_policy(
    cls: type,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> Any:
    """Adds ``moto.iam.models.ManagedPolicy.update_from_cloudformation_json``."""
    properties = cloudformation_json["Properties"]
    policy = original_resource
    replaced = (
        properties.get("ManagedPolicyName", policy.name) != policy.name
        or properties.get("Path", "/") != policy.path
        or properties.get("Description", "") != policy.description
    )
    if replaced or properties.get("Users") or properties.get("Groups"):
        raise NotImplementedError(
            "moto_patches: only PolicyDocument and Roles updates of an "
            "AWS::IAM::ManagedPolicy are modelled (others replace it, or attach users/groups)"
        )
    backend = _iam_backend(account_id, region_name)
    document = _json_text(properties["PolicyDocument"])
    default = next(v for v in policy.versions if v.version_id == policy.default_version_id)
    if document != default.document:
        if len(policy.versions) >= 5:
            oldest = next(v for v in policy.versions if not v.is_default)
            backend.delete_policy_version(policy.arn, oldest.version_id)
        backend.create_policy_version(policy.arn, document, set_as_default=True)
    wanted = set(properties.get("Roles", []))
    attached = {role.name for role in backend.roles.values() if policy.arn in role.managed_policies}
    for role_name in sorted(attached - wanted):
        backend.detach_role_policy(policy.arn, role_name)
    for role_name in sorted(wanted - attached):
        backend.attach_role_policy(policy.arn, role_name)
    return policy


def _delete_managed_policy(
    cls: type,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> None:
    """Adds ``moto.iam.models.ManagedPolicy.delete_from_cloudformation_json``.

    ``resource_name`` is the physical id, the policy ARN.
    """
    backend = _iam_backend(account_id, region_name)
    policy = backend.get_policy(resource_name)
    for entities, detach in (
        (backend.roles.values(), backend.detach_role_policy),
        (backend.users.values(), backend.detach_user_policy),
        (backend.groups.values(), backend.detach_group_policy),
    ):
        for entity in list(entities):
            if policy.arn in entity.managed_policies:
                detach(policy.arn, entity.name)
    backend.delete_policy(policy.arn)


# --- 6. change sets looked up within their stack -------------------------------------


def _scope_change_sets_by_stack() -> None:
    from moto.cloudformation.exceptions import CloudFormationError
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult, EmptyResult

    class ChangeSetNotFound(CloudFormationError):
        code = "ChangeSetNotFoundException"  # query error code ChangeSetNotFound, 404
        # moto serializes an error with the model of the service its module names.
        __module__ = "moto.cloudformation.sm_pipeline_iam_adapter"

        def __init__(self, name: str, stack_name: str | None) -> None:
            super().__init__(f"ChangeSet [{name}] does not exist (stack {stack_name})")

    def change_set_id(response: Any) -> tuple[str | None, str, str | None]:
        """The id of the change set the request names, within its StackName."""
        name = response._get_param("ChangeSetName")
        stack_name = response._get_param("StackName")
        change_sets = response.cloudformation_backend.change_sets
        if name in change_sets:  # an ARN
            return name, name, stack_name
        for found_id, change_set in change_sets.items():
            if change_set.change_set_name == name and stack_name in (
                None,
                change_set.stack_name,
                change_set.stack_id,
            ):
                return found_id, name, stack_name
        return None, name, stack_name

    def describe_change_set(self: Any) -> ActionResult:
        found, name, stack_name = change_set_id(self)
        if found is None:
            raise ChangeSetNotFound(name, stack_name)
        return ActionResult(self.cloudformation_backend.describe_change_set(found))

    def delete_change_set(self: Any) -> EmptyResult:
        found, _, _ = change_set_id(self)
        if found is not None:
            self.cloudformation_backend.delete_change_set(found)
        return EmptyResult()

    def execute_change_set(self: Any) -> EmptyResult:
        found, name, stack_name = change_set_id(self)
        if found is None:
            raise ChangeSetNotFound(name, stack_name)
        self.cloudformation_backend.execute_change_set(found, stack_name)
        return EmptyResult()

    CloudFormationResponse.describe_change_set = _marked(describe_change_set)  # type: ignore[method-assign]
    CloudFormationResponse.delete_change_set = _marked(delete_change_set)  # type: ignore[method-assign]
    CloudFormationResponse.execute_change_set = _marked(execute_change_set)  # type: ignore[method-assign]
