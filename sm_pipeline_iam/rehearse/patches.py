"""The rehearsal's adapter: patches moto 5.2.5's CloudFormation (and Organizations, for
StackSet auto-deployment) where the library's templates hit a gap.

Loaded only into the moto *server* process that a rehearsal talks to (see
:mod:`sm_pipeline_iam.rehearse._serve`); importing this module changes nothing (nor
imports moto), ``apply()`` does. Each patch below names the moto function it replaces (or
the model it adds), the gap, and what real CloudFormation does instead.
``tests/integ/test_moto_gaps.py`` proves
each gap is still present in unpatched moto (so it fails once moto fixes one upstream:
then delete that patch) and that the patched server behaves like CloudFormation.

Only what our templates use is modelled; anything else raises ``NotImplementedError``
(the deploy then fails loudly) instead of being skipped:

1. ``AWS::Organizations::Policy`` (the SCP of ``OrgScpException``, the RCP of
   ``OrgRcpException``): moto has no model, so
   ``moto.cloudformation.parsing.parse_resource`` warns and skips it and the stack still
   reports success (its organizations backend knows both policy types). Added: a model
   calling moto's organizations backend (``create_policy`` / ``attach_policy``;
   ``update_policy`` and target attach/detach on update; detach from every target and
   ``delete_policy`` on delete).
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
   the deploy waits forever. Replaced: a name is looked up within ``StackName``, among
   the change sets of stacks that are not deleted (CloudFormation deletes a stack's
   change sets with it; moto keeps them, and a stack deployed again under the same name,
   as the StackSet phase redeploys ``OrgStack``, would find its predecessor's); a
   missing change set is ``ChangeSetNotFound`` (404) on describe and execute, and
   deleting one is a no-op.

7. ``AWS::CloudFormation::StackSet`` (the ``PipelineIamStackSet`` of
   ``ServiceManagedStackSet``): moto has no model, so ``parse_resource`` warns and skips
   it, the stack still reports success (listing one empty resource) and no stack set is
   created. Added: a model on moto's own cloudformation backend, SERVICE_MANAGED only.
   Create: ``create_stack_set`` (TemplateBody, Parameters, Tags, Description, permission
   model), then ``create_stack_instances`` for the ``StackInstancesGroup`` OUs, one
   operation per region. moto's ``StackSet`` has no field for Capabilities,
   AutoDeployment, OrganizationalUnitIds or Regions and its operations none for
   OperationPreferences: the model records them as the attributes moto's response
   serializer reads (DescribeStackSet, ListStackSets, ListStackSetOperations). Update
   (UpdateStackSet): the stack set's template and properties, then every instance's stack
   updated with the new template (moto's ``StackSet.update`` records a template but updates
   no instance; this needs patch 8, whose instance stacks are real stacks), instances of
   accounts no longer targeted deleted, new targets' created. Delete:
   ``delete_stack_instances`` for every instance, then ``delete_stack_set``. A changed
   StackSetName (replacement), SELF_MANAGED, TemplateURL, account targets, parameter
   overrides and the other properties raise ``NotImplementedError``.
8. ``moto.cloudformation.models.StackInstance.__init__``, ``delete`` and ``to_dict``, for
   SERVICE_MANAGED instances: moto deploys such an instance into a *hidden* stack (in no
   backend: DescribeStacks in the member account does not show it) named after the stack
   set, and ListStackInstances / DescribeStackInstance return a new random StackId on
   every call, of no stack, and no OrganizationalUnitId. Replaced: the instance's stack is
   created in the member account's cloudformation backend, as CloudFormation does, named
   ``StackSet-<stack set name>-<uuid>``; the summary has its StackId, Status CURRENT
   (OUTDATED unless the stack is ``*_COMPLETE``) and the OrganizationalUnitId (the OU the
   account is in: our OUs have no child OUs); deleting the instance deletes that stack.
   SELF_MANAGED instances keep moto's code.
9. ``moto.organizations.models.OrganizationsBackend.move_account`` (wrapped): moto has no
   StackSet auto-deployment: an account moved into a target OU gets no stack instance,
   one moved out keeps its instance. Wrapped: after the move, every ACTIVE stack set of
   the management account whose AutoDeployment is enabled (as patch 7 records it)
   creates the account's instances when it is now targeted and deletes them when it no
   longer is (keeping their stacks with RetainStacksOnAccountRemoval). Accounts created
   directly in a targeted root are not covered (our StackSets target OUs).
10. ``AWS::SageMaker::Pipeline`` (the pipelines of ``LeastPrivilegePipeline``): moto has a
    SageMaker pipeline backend but no CloudFormation model, so ``parse_resource`` warns and
    skips it, the stack still reports success and no pipeline is created. Added: a model on
    moto's sagemaker backend; its physical id (``Ref``) is the PipelineName and it has no
    ``Fn::GetAtt`` attributes (the resource type has no read-only properties). Create:
    ``create_pipeline`` (display name, description, role, parallelism, tags) with the
    definition of ``PipelineDefinitionBody``, or read from ``PipelineDefinitionS3Location``
    in moto's S3 backend of the stack's account (``Version`` and ``ETag`` honoured, a
    missing object fails the deploy) when the resource is created or updated, as
    CloudFormation's handler reads it: the pipeline holds the object's text (moto's own
    S3 location path stores the Python repr of the parsed JSON, ignores VersionId and
    fails with an AttributeError for a missing object). Update: in place with
    ``update_pipeline`` (definition, display name, description, role, parallelism; moto
    leaves LastModifiedTime, which the model sets), tags by ``delete_tags`` /
    ``add_tags``; a changed PipelineName is a replacement, as CloudFormation does it: the
    new pipeline is created, then the old one deleted. Delete: ``delete_pipeline``.
    What CloudFormation's schema or SageMaker rejects and moto accepts (a missing
    PipelineName, RoleArn or PipelineDefinition, a RoleArn that is not an IAM role ARN, a
    name SageMaker does not allow, a body that is not a JSON string, both or neither
    definition source, an undocumented property) is a ValidationError; removing
    PipelineDisplayName, PipelineDescription or ParallelismConfiguration from a pipeline
    that has one raises ``NotImplementedError`` (what SageMaker then keeps is not modelled).
11. ``moto.cloudformation.parsing.clean_json`` (wrapped): moto does not know the
    ``Fn::GetStackOutput`` intrinsic, which the CDK writes for a reference between stacks
    when the app's ``@aws-cdk/core:defaultCrossStackReferences`` is ``weak`` (the value of
    ``recommended_feature_flags()``): it leaves the dict in the property. Wrapped: the
    output ``OutputName`` of the stack ``StackName`` (not deleted) in ``Region`` (default:
    the stack's) of the account of ``RoleArn`` (default: the stack's), as CloudFormation
    reads it at deploy time; a missing stack or output fails the deploy (ValidationError).
12. ``AWS::IAM::Group`` (what ``iam.Group`` synthesizes; a grant to a group writes an
    ``AWS::IAM::Policy`` naming it): moto has an IAM group but no CloudFormation model, so
    ``parse_resource`` warns and skips it and the policy naming it fails the stack
    (NoSuchEntity). Added: a model on moto's iam backend; physical id (``Ref``) = the
    group name, ``Fn::GetAtt Arn``. Create: ``create_group`` (GroupName or a generated
    name, Path), inline ``Policies`` and ``ManagedPolicyArns``; update: the policies
    and attachments (a changed GroupName or Path replaces the group in CloudFormation and
    raises ``NotImplementedError``); delete: its own policies and attachments, then the
    group (DeleteConflict, as IAM says it, while another resource's policy is on it).

Known moto gaps that our templates do not hit, so not patched (the read-back check would
catch them): a role's ``ManagedPolicyArns`` are ignored and its inline ``Policies`` are
stored as a Python repr (``Role.create_from_cloudformation_json``). The patched role
update raises for those properties rather than ignoring them. moto's CreateStackSet API
ignores AutoDeployment, Capabilities and ManagedExecution, and CreateStackInstances
ignores OperationPreferences (the CDK deploys through the model of patch 7, which records
them). moto targets the accounts of an OU and of its *direct* child OUs only (real
StackSets: all nested OUs). moto does not shorten the names it generates to IAM's 64
characters as CloudFormation does: the roles of an instance's stack have longer names
(the read-back compares them with the stack's physical ids, which agree).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from typing import Any

from ._models import STACK_SET_PROPERTIES

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
    "stack_set_model": "adds the AWS::CloudFormation::StackSet CloudFormation model",
    "stack_instance_stacks": (
        "replaces moto.cloudformation.models.StackInstance.__init__, delete and to_dict "
        "(SERVICE_MANAGED)"
    ),
    "stack_set_auto_deployment": (
        "wraps moto.organizations.models.OrganizationsBackend.move_account"
    ),
    "sagemaker_pipeline_model": "adds the AWS::SageMaker::Pipeline CloudFormation model",
    "stack_output_reference": "wraps moto.cloudformation.parsing.clean_json (Fn::GetStackOutput)",
    "iam_group_model": "adds the AWS::IAM::Group CloudFormation model",
}

#: The resource types the patches add a CloudFormation model for.
MODELLED_TYPES = (
    "AWS::Organizations::Policy",
    "AWS::CloudFormation::StackSet",
    "AWS::SageMaker::Pipeline",
    "AWS::IAM::Group",
)

_MARK = "_sm_pipeline_iam_patched"


def applied_in_process() -> list[str]:
    """The patches found applied to moto in this process (by inspecting moto)."""
    from moto.cloudformation import models as cfn_models
    from moto.cloudformation import parsing
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.iam.models import ManagedPolicy, Role
    from moto.organizations.models import OrganizationsBackend

    model_map = parsing.get_model_map()
    marked = {
        "organizations_policy_model": "AWS::Organizations::Policy" in model_map,
        "role_update": Role.update_from_cloudformation_json,
        "managed_policy_update": ManagedPolicy.update_from_cloudformation_json,
        "managed_policy_delete": ManagedPolicy.delete_from_cloudformation_json,
        "change_set_outputs": cfn_models.ChangeSet.apply,
        "change_set_scope": CloudFormationResponse.describe_change_set,
        "stack_set_model": "AWS::CloudFormation::StackSet" in model_map,
        "stack_instance_stacks": cfn_models.StackInstance.__init__,
        "stack_set_auto_deployment": OrganizationsBackend.move_account,
        "sagemaker_pipeline_model": "AWS::SageMaker::Pipeline" in model_map,
        "stack_output_reference": parsing.clean_json,
        "iam_group_model": "AWS::IAM::Group" in model_map,
    }
    return [
        name for name, target in marked.items() if target is True or getattr(target, _MARK, False)
    ]


def apply(skip: Collection[str] = ()) -> list[str]:
    """Apply the patches (all but ``skip``) to moto in this process; return their names.

    ``skip`` is for showing what a patch is for (``_serve --skip NAME``).
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
        "stack_set_model": _register_stack_set_model,
        "stack_instance_stacks": _patch_stack_instance_stacks,
        "stack_set_auto_deployment": _patch_stack_set_auto_deployment,
        "sagemaker_pipeline_model": _register_sagemaker_pipeline_model,
        "stack_output_reference": _resolve_stack_outputs,
        "iam_group_model": _register_iam_group_model,
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
        """An organization policy (SCP or RCP) created by a stack; physical id = policy id."""

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
                    "moto patches: changing an AWS::Organizations::Policy's Type replaces "
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
            "moto patches: a changed RoleName or Path replaces the role in CloudFormation; "
            "the adapter does not model replacement"
        )
    if unmodelled := [name for name in _UNMODELLED_ROLE_PROPERTIES if name in properties]:
        raise NotImplementedError(
            f"moto patches: role property {unmodelled} is not modelled by the adapter "
            "(moto ignores it): extend sm_pipeline_iam/rehearse/patches.py"
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
            "moto patches: only PolicyDocument and Roles updates of an "
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
        backend = response.cloudformation_backend
        # A deleted stack's change sets are gone with it (moto keeps them).
        live = {
            found_id: change_set
            for found_id, change_set in backend.change_sets.items()
            if change_set.stack_id in backend.stacks
        }
        if name in live:  # an ARN
            return name, name, stack_name
        for found_id, change_set in live.items():
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


# --- 7. AWS::CloudFormation::StackSet ------------------------------------------------



def _register_stack_set_model() -> None:
    from moto.cloudformation import parsing

    _stack_set_model()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def _cloudformation_backend(account_id: str, region_name: str) -> Any:
    from moto.cloudformation.models import cloudformation_backends

    return cloudformation_backends[account_id][region_name]


def _organization_of(account_id: str, region_name: str) -> Any:
    """The organizations backend whose organization ``account_id`` manages."""
    from moto.organizations.exceptions import AWSOrganizationsNotInUseException
    from moto.organizations.models import organizations_backends
    from moto.utilities.utils import get_partition

    found = organizations_backends[account_id][get_partition(region_name)]
    if found.org is None:
        raise AWSOrganizationsNotInUseException()
    return found


def _targeted_accounts(orgs: Any, ou_ids: Collection[str]) -> set[str]:
    """The accounts a service-managed StackSet deploys to for ``ou_ids``: as moto's
    ``StackInstances.create_instances`` computes them (the accounts of the OUs and of
    their direct child OUs)."""
    ous = set(ou_ids) | {ou.id for ou in orgs.ou if ou.parent_id in ou_ids}
    return {account.id for account in orgs.accounts if account.parent_id in ous}


def _stack_set_targets(properties: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The OU ids and regions of ``StackInstancesGroup``, in order, without repeats."""
    ou_ids: list[str] = []
    regions: list[str] = []
    for group in properties.get("StackInstancesGroup", []):
        targets = group.get("DeploymentTargets", {})
        if set(group) - {"DeploymentTargets", "Regions"} or set(targets) != {
            "OrganizationalUnitIds"
        }:
            raise NotImplementedError(
                "moto patches: only StackInstancesGroup entries of DeploymentTargets."
                "OrganizationalUnitIds and Regions are modelled (no accounts, account "
                "filters or parameter overrides)"
            )
        ou_ids += [ou for ou in targets["OrganizationalUnitIds"] if ou not in ou_ids]
        regions += [region for region in group["Regions"] if region not in regions]
    return ou_ids, regions


def _stack_set_groups(properties: dict[str, Any]) -> set[tuple[str, str]]:
    """(OU id, region) pairs of ``StackInstancesGroup``."""
    return {
        (ou, region)
        for group in properties.get("StackInstancesGroup", [])
        for ou in group["DeploymentTargets"]["OrganizationalUnitIds"]
        for region in group["Regions"]
    }


def _record_stack_set_properties(stack_set: Any, properties: dict[str, Any]) -> None:
    """What moto's ``StackSet`` has no field for, set as the attributes its response
    serializer reads (``DescribeStackSet``, ``ListStackSets``)."""
    ou_ids, regions = _stack_set_targets(properties)
    stack_set.capabilities = list(properties.get("Capabilities", []))
    stack_set.auto_deployment = properties.get("AutoDeployment")
    stack_set.organizational_unit_ids = ou_ids
    stack_set.regions = regions
    stack_set.operation_preferences = properties.get("OperationPreferences")
    stack_set.instance_groups = _stack_set_groups(properties)


def _stamp_operation(stack_set: Any, operation_id: str) -> None:
    """Record the stack set's operation preferences on one of its operations (moto's
    operations have none; ``ListStackSetOperations`` returns the recorded ones)."""
    preferences = getattr(stack_set, "operation_preferences", None)
    if preferences is not None:
        stack_set.get_operation(operation_id)["OperationPreferences"] = preferences


def _create_stack_instances(
    backend: Any, stack_set: Any, groups: set[tuple[str, str]], *, missing_only: bool = False
) -> None:
    """Create the instances of ``groups`` (OU, region), one operation per region (with
    ``missing_only``: only in the regions where a targeted account has none yet)."""
    orgs = _organization_of(stack_set.instances.account_id, backend.region_name)
    present = {(i.account_id, i.region_name) for i in stack_set.stack_instances}
    by_region: dict[str, list[str]] = {}
    for ou, region in sorted(groups):
        by_region.setdefault(region, []).append(ou)
    if missing_only:
        by_region = {
            region: ous
            for region, ous in by_region.items()
            if any((a, region) not in present for a in _targeted_accounts(orgs, ous))
        }
    for region in stack_set.regions:
        if region in by_region:
            operation_id = backend.create_stack_instances(
                stack_set.id, [], [region], [], {"OrganizationalUnitIds": by_region[region]}
            )
            _stamp_operation(stack_set, operation_id)


def _stack_set_model() -> type:
    """Define (and so register) the CloudFormation model of
    ``AWS::CloudFormation::StackSet``, service-managed, on moto's cloudformation backend."""
    from moto.core.common_models import CloudFormationModel
    from moto.moto_api._internal import mock_random

    class StackSetResource(CloudFormationModel):
        """A StackSet created by a stack; physical id (``Ref``) = the StackSetId."""

        __module__ = "moto.cloudformation.sm_pipeline_iam_adapter"

        def __init__(self, account_id: str, region_name: str, stack_set_id: str) -> None:
            self.account_id = account_id
            self.region_name = region_name
            self.stack_set_id = stack_set_id

        @staticmethod
        def cloudformation_name_type() -> str:
            return "StackSetName"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::CloudFormation::StackSet"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "StackSetId"

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            if attribute_name == "StackSetId":
                return self.stack_set_id
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            raise UnformattedGetAttTemplateException()

        @property
        def physical_resource_id(self) -> str:
            return self.stack_set_id

        def is_created(self) -> bool:
            return True

        @staticmethod
        def _checked(properties: dict[str, Any]) -> dict[str, Any]:
            if unmodelled := sorted(set(properties) - STACK_SET_PROPERTIES):
                raise NotImplementedError(
                    f"moto patches: StackSet properties {unmodelled} are not modelled by "
                    "the adapter: extend sm_pipeline_iam/rehearse/patches.py"
                )
            if properties.get("PermissionModel") != "SERVICE_MANAGED":
                raise NotImplementedError(
                    "moto patches: only SERVICE_MANAGED StackSets are modelled"
                )
            _stack_set_targets(properties)  # raises for unmodelled targets
            return properties

        @classmethod
        def create_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> StackSetResource:
            properties = cls._checked(cloudformation_json["Properties"])
            _organization_of(account_id, region_name)  # service-managed: in an organization
            backend = _cloudformation_backend(account_id, region_name)
            stack_set = backend.create_stack_set(
                name=properties.get("StackSetName", resource_name),
                template=properties["TemplateBody"],
                parameters={
                    p["ParameterKey"]: p["ParameterValue"] for p in properties.get("Parameters", [])
                },
                tags={tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])},
                permission_model=properties["PermissionModel"],
                admin_role=None,
                exec_role=None,
                description=properties.get("Description"),
            )
            _record_stack_set_properties(stack_set, properties)
            _create_stack_instances(backend, stack_set, _stack_set_groups(properties))
            return cls(account_id, region_name, stack_set.id)

        @classmethod
        def update_from_cloudformation_json(
            cls,
            original_resource: StackSetResource,
            new_resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
        ) -> StackSetResource:
            properties = cls._checked(cloudformation_json["Properties"])
            backend = _cloudformation_backend(account_id, region_name)
            stack_set = backend.describe_stack_set(original_resource.stack_set_id)
            if properties.get("StackSetName", stack_set.name) != stack_set.name:
                raise NotImplementedError(
                    "moto patches: a changed StackSetName replaces the StackSet in "
                    "CloudFormation; the adapter does not model replacement"
                )
            orgs = _organization_of(account_id, region_name)
            template = properties["TemplateBody"]
            # UpdateStackSet: the stack set, then every instance's stack (moto's
            # StackSet.update records the template but updates no instance).
            stack_set.template = stack_set.instances.template = template
            stack_set.description = properties.get("Description")
            stack_set.parameters = {
                p["ParameterKey"]: p["ParameterValue"] for p in properties.get("Parameters", [])
            }
            stack_set.tags = {tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])}
            _record_stack_set_properties(stack_set, properties)
            operation_id = str(mock_random.uuid4())
            stack_set._create_operation(operation_id, "UPDATE", "SUCCEEDED")
            _stamp_operation(stack_set, operation_id)
            for instance in list(stack_set.stack_instances):
                instance.template = template
                _cloudformation_backend(instance.account_id, instance.region_name).update_stack(
                    instance.stack.stack_id, template, None, [], None
                )
            # Targets: instances no longer targeted are deleted, new ones created.
            groups = _stack_set_groups(properties)
            wanted = {
                (account, region)
                for ou, region in groups
                for account in _targeted_accounts(orgs, [ou])
            }
            for instance in list(stack_set.stack_instances):
                if (instance.account_id, instance.region_name) not in wanted:
                    stack_set.delete_stack_instances([instance.account_id], [instance.region_name])
                    _stamp_operation(stack_set, stack_set.operations[-1]["OperationId"])
            _create_stack_instances(backend, stack_set, groups, missing_only=True)
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
        ) -> None:
            """``resource_name`` is the physical id: DeleteStackInstances (all), then
            DeleteStackSet, as CloudFormation does."""
            backend = _cloudformation_backend(account_id, region_name)
            stack_set = backend.describe_stack_set(resource_name)
            for instance in list(stack_set.stack_instances):
                backend.delete_stack_instances(
                    stack_set.id, [instance.account_id], [instance.region_name]
                )
            backend.delete_stack_set(stack_set.id)

    return StackSetResource


# --- 8. service-managed stack instances as real stacks -------------------------------


def _patch_stack_instance_stacks() -> None:
    """Replaces ``moto.cloudformation.models.StackInstance.__init__``, ``delete`` and
    ``to_dict`` for SERVICE_MANAGED instances (SELF_MANAGED ones keep moto's code)."""
    from moto.cloudformation import models as cfn_models
    from moto.moto_api._internal import mock_random
    from moto.organizations.models import organizations_backends

    original_init = cfn_models.StackInstance.__init__
    original_delete = cfn_models.StackInstance.delete
    original_to_dict = cfn_models.StackInstance.to_dict

    def parent_of(account_id: str) -> str | None:
        management = organizations_backends.master_accounts.get(account_id)
        if management is None:
            return None
        orgs = organizations_backends[management[0]][management[1]]
        account = next((a for a in orgs.accounts if a.id == account_id), None)
        return None if account is None else str(account.parent_id)

    def init(
        self: Any,
        account_id: str,
        region_name: str,
        stackset_id: str,
        stack_name: str,
        name: str,
        template: str,
        parameters: Any,
        permission_model: str,
    ) -> None:
        if permission_model != "SERVICE_MANAGED":
            original_init(
                self,
                account_id=account_id,
                region_name=region_name,
                stackset_id=stackset_id,
                stack_name=stack_name,
                name=name,
                template=template,
                parameters=parameters,
                permission_model=permission_model,
            )
            return
        self.account_id = account_id
        self.region_name = region_name
        self.stackset_id = stackset_id
        self.stack_name = stack_name
        self.name = name
        self.template = template
        self.parameters = parameters or []
        self.permission_model = permission_model
        self.organizational_unit_id = parent_of(account_id)
        if isinstance(parameters, dict):
            values = dict(parameters)
        else:
            values = {p["ParameterKey"]: p["ParameterValue"] for p in parameters or []}
        # CloudFormation names an instance's stack StackSet-<stack set name>-<uuid>.
        self.stack = _cloudformation_backend(account_id, region_name).create_stack(
            name=f"StackSet-{name}-{mock_random.uuid4()}", template=template, parameters=values
        )

    def delete(self: Any) -> None:
        if self.permission_model != "SERVICE_MANAGED":
            original_delete(self)
            return
        _cloudformation_backend(self.account_id, self.region_name).delete_stack(self.stack.stack_id)

    def to_dict(self: Any) -> dict[str, Any]:
        if self.permission_model != "SERVICE_MANAGED":
            return dict(original_to_dict(self))
        succeeded = str(self.stack.status).endswith("_COMPLETE")
        summary = {
            "StackId": self.stack.stack_id,
            "StackSetId": self.stackset_id,
            "Region": self.region_name,
            "Account": self.account_id,
            "Status": "CURRENT" if succeeded else "OUTDATED",
            "ParameterOverrides": self.parameters,
            "StackInstanceStatus": {"DetailedStatus": "SUCCEEDED" if succeeded else "FAILED"},
        }
        if self.organizational_unit_id is not None:
            summary["OrganizationalUnitId"] = self.organizational_unit_id
        return summary

    cfn_models.StackInstance.__init__ = _marked(init)  # type: ignore[method-assign]
    cfn_models.StackInstance.delete = delete  # type: ignore[method-assign]
    cfn_models.StackInstance.to_dict = to_dict  # type: ignore[method-assign]


# --- 9. auto-deployment --------------------------------------------------------------


def _patch_stack_set_auto_deployment() -> None:
    """Wraps ``moto.organizations.models.OrganizationsBackend.move_account``."""
    from moto.cloudformation.models import cloudformation_backends
    from moto.moto_api._internal import mock_random
    from moto.organizations.models import OrganizationsBackend

    original_move = OrganizationsBackend.move_account

    def move_account(self: Any, **kwargs: Any) -> None:
        original_move(self, **kwargs)
        account_id = kwargs["AccountId"]
        for backend in list(cloudformation_backends[self.account_id].values()):
            stack_sets: list[Any] = list(backend.stacksets.values())
            for stack_set in stack_sets:
                auto = getattr(stack_set, "auto_deployment", None) or {}
                if stack_set.status != "ACTIVE" or not auto.get("Enabled"):
                    continue
                targeted = account_id in _targeted_accounts(self, stack_set.organizational_unit_ids)
                present = [i for i in stack_set.stack_instances if i.account_id == account_id]
                if targeted and not present:
                    _create_stack_instances(
                        backend, stack_set, stack_set.instance_groups, missing_only=True
                    )
                elif present and not targeted:
                    operation_id = str(mock_random.uuid4())
                    for instance in present:
                        if not auto.get("RetainStacksOnAccountRemoval"):
                            instance.delete()
                        stack_set.stack_instances.remove(instance)
                    stack_set._create_operation(operation_id, "DELETE", "SUCCEEDED")
                    _stamp_operation(stack_set, operation_id)

    OrganizationsBackend.move_account = _marked(move_account)  # type: ignore[method-assign]


# --- 10. AWS::SageMaker::Pipeline ----------------------------------------------------

#: The resource type's properties (CloudFormation's schema: no other is permitted).
_PIPELINE_PROPERTIES = frozenset(
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
#: SageMaker's patterns (CreatePipeline) for a pipeline's name and display name, and
#: CloudFormation's for its role.
_PIPELINE_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}"
_PIPELINE_ROLE_ARN = r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
#: The keys of a PipelineDefinitionS3Location.
_S3_KEYS = frozenset({"Bucket", "Key", "Version", "ETag"})


def _register_sagemaker_pipeline_model() -> None:
    from moto.cloudformation import parsing

    _sagemaker_pipeline_model()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def _pipeline_invalid(message: str) -> Exception:
    """What CloudFormation reports for a property its schema or SageMaker rejects."""
    from moto.cloudformation.exceptions import ValidationError

    return ValidationError(message=f"AWS::SageMaker::Pipeline: {message}")


def _checked_pipeline(properties: dict[str, Any]) -> dict[str, Any]:
    """``properties`` as CloudFormation's schema and SageMaker's CreatePipeline accept
    them (moto checks none of this: a role name or a dict passes)."""
    if undocumented := sorted(set(properties) - _PIPELINE_PROPERTIES):
        raise _pipeline_invalid(f"properties {undocumented} are not permitted")
    if missing := [
        name for name in ("PipelineName", "RoleArn", "PipelineDefinition") if name not in properties
    ]:
        raise _pipeline_invalid(f"required properties {missing} are missing")
    for name in ("PipelineName", "PipelineDisplayName"):
        value = properties.get(name, "a")
        if not isinstance(value, str) or not re.fullmatch(_PIPELINE_NAME, value):
            raise _pipeline_invalid(f"{name} {value!r} does not match {_PIPELINE_NAME}")
    role_arn = properties["RoleArn"]
    if not isinstance(role_arn, str) or not re.fullmatch(_PIPELINE_ROLE_ARN, role_arn):
        raise _pipeline_invalid(f"RoleArn {role_arn!r} is not an IAM role ARN")
    if len(properties.get("PipelineDescription", "")) > 3072:
        raise _pipeline_invalid("PipelineDescription is longer than 3072 characters")
    definition = properties["PipelineDefinition"]
    if not isinstance(definition, dict) or len(definition) != 1:
        raise _pipeline_invalid(
            "PipelineDefinition takes exactly one of PipelineDefinitionBody and "
            "PipelineDefinitionS3Location"
        )
    if "PipelineDefinitionBody" in definition:
        body = definition["PipelineDefinitionBody"]
        if not isinstance(body, str):
            raise _pipeline_invalid("PipelineDefinitionBody is not a string (a JSON text)")
    elif "PipelineDefinitionS3Location" in definition:
        location = definition["PipelineDefinitionS3Location"]
        if not isinstance(location, dict) or not {"Bucket", "Key"} <= set(location) <= _S3_KEYS:
            raise _pipeline_invalid(
                "PipelineDefinitionS3Location takes Bucket, Key and optionally Version, ETag"
            )
    else:
        raise _pipeline_invalid(f"PipelineDefinition has unknown keys {sorted(definition)}")
    parallelism = properties.get("ParallelismConfiguration")
    if parallelism is not None and (
        not isinstance(parallelism, dict)
        or set(parallelism) != {"MaxParallelExecutionSteps"}
        or not re.fullmatch(r"0*[1-9]\d*", str(parallelism["MaxParallelExecutionSteps"]))
    ):
        raise _pipeline_invalid(
            "ParallelismConfiguration takes MaxParallelExecutionSteps (at least 1)"
        )
    return properties


def _pipeline_definition_text(definition: dict[str, Any], account_id: str, region_name: str) -> str:
    """The definition of ``PipelineDefinition``: its body, or the text of its S3 object,
    read (GetObject with VersionId and If-Match ETag) from moto's S3 backend of
    ``account_id``, as CloudFormation's handler reads it."""
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends
    from moto.utilities.utils import get_partition

    if "PipelineDefinitionBody" in definition:
        text = str(definition["PipelineDefinitionBody"])
    else:
        location = definition["PipelineDefinitionS3Location"]
        s3 = s3_backends[account_id][get_partition(region_name)]
        try:
            found = s3.get_object(location["Bucket"], location["Key"], location.get("Version"))
        except MissingBucket:
            found = None
        if found is None:
            raise _pipeline_invalid(
                f"No such key {location['Bucket']}/{location['Key']} with version: "
                f"{location.get('Version')}"
            )
        etag = location.get("ETag")
        if etag is not None and etag.strip('"') != found.etag.strip('"'):
            raise _pipeline_invalid(
                f"the ETag of s3://{location['Bucket']}/{location['Key']} is {found.etag}, "
                f"not {etag} (PreconditionFailed)"
            )
        text = found.value.decode("utf-8")
    try:
        json.loads(text)
    except ValueError as error:
        raise _pipeline_invalid(f"the pipeline definition is not JSON: {error}") from None
    return text


def _sagemaker_pipeline_model() -> type:
    """Define (and so register) the CloudFormation model of ``AWS::SageMaker::Pipeline``
    on moto's sagemaker backend."""
    from moto.core.common_models import CloudFormationModel
    from moto.core.utils import utcnow
    from moto.sagemaker.models import sagemaker_backends

    def parallelism_of(properties: dict[str, Any]) -> dict[str, int] | None:
        configured = properties.get("ParallelismConfiguration")
        if configured is None:
            return None
        return {"MaxParallelExecutionSteps": int(configured["MaxParallelExecutionSteps"])}

    class SageMakerPipelineResource(CloudFormationModel):
        """A pipeline created by a stack; physical id (``Ref``) = the PipelineName."""

        __module__ = "moto.sagemaker.sm_pipeline_iam_adapter"

        def __init__(self, account_id: str, region_name: str, pipeline_name: str) -> None:
            self.account_id = account_id
            self.region_name = region_name
            self.pipeline_name = pipeline_name

        @staticmethod
        def cloudformation_name_type() -> str:
            return "PipelineName"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::SageMaker::Pipeline"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return False  # the resource type has no read-only properties

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            raise UnformattedGetAttTemplateException()

        @property
        def physical_resource_id(self) -> str:
            return self.pipeline_name

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
        ) -> SageMakerPipelineResource:
            properties = _checked_pipeline(cloudformation_json["Properties"])
            # CreatePipeline; moto's API passes an absent parameter as None, as here.
            optional: dict[str, Any] = {
                "pipeline_display_name": properties.get("PipelineDisplayName"),
                "pipeline_description": properties.get("PipelineDescription"),
                "parallelism_configuration": parallelism_of(properties),
            }
            pipeline = sagemaker_backends[account_id][region_name].create_pipeline(
                pipeline_name=properties["PipelineName"],
                pipeline_definition=_pipeline_definition_text(
                    properties["PipelineDefinition"], account_id, region_name
                ),
                pipeline_definition_s3_location={},
                role_arn=properties["RoleArn"],
                tags=[
                    {"Key": tag["Key"], "Value": tag["Value"]} for tag in properties.get("Tags", [])
                ],
                **optional,
            )
            return cls(account_id, region_name, pipeline.pipeline_name)

        @classmethod
        def update_from_cloudformation_json(
            cls,
            original_resource: SageMakerPipelineResource,
            new_resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
        ) -> SageMakerPipelineResource:
            properties = _checked_pipeline(cloudformation_json["Properties"])
            backend = sagemaker_backends[account_id][region_name]
            if properties["PipelineName"] != original_resource.pipeline_name:
                # PipelineName is create-only: CloudFormation creates the new pipeline,
                # then deletes the old one.
                replacement = cls.create_from_cloudformation_json(
                    new_resource_name, cloudformation_json, account_id, region_name
                )
                backend.delete_pipeline(original_resource.pipeline_name)
                return replacement
            pipeline = backend.pipelines[original_resource.pipeline_name]
            # moto's CreatePipeline makes the name the display name when none is given.
            displayed = pipeline.pipeline_display_name != pipeline.pipeline_name
            removed = [
                name
                for name, present in (
                    ("PipelineDisplayName", displayed),
                    ("PipelineDescription", bool(pipeline.pipeline_description)),
                    ("ParallelismConfiguration", bool(pipeline.parallelism_configuration)),
                )
                if present and name not in properties
            ]
            if removed:
                raise NotImplementedError(
                    f"moto patches: removing {removed} from an AWS::SageMaker::Pipeline is "
                    "not modelled (what SageMaker keeps then is not known to the adapter)"
                )
            backend.update_pipeline(
                pipeline.pipeline_name,
                pipeline_display_name=properties.get("PipelineDisplayName"),
                pipeline_definition=_pipeline_definition_text(
                    properties["PipelineDefinition"], account_id, region_name
                ),
                pipeline_description=properties.get("PipelineDescription"),
                role_arn=properties["RoleArn"],
                parallelism_configuration=parallelism_of(properties),
            )
            if "PipelineDescription" in properties:  # moto's UpdatePipeline skips ""
                pipeline.pipeline_description = properties["PipelineDescription"]
            pipeline.last_modified_time = utcnow()
            # Tags: the handler's DeleteTags for keys removed or changed, AddTags for
            # the new and changed ones (moto's AddTags appends, so changed keys go first).
            wanted = {tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])}
            present_tags = {tag["Key"]: tag["Value"] for tag in pipeline.tags}
            if stale := [key for key, value in present_tags.items() if wanted.get(key) != value]:
                backend.delete_tags(pipeline.arn, stale)
            if added := [
                {"Key": key, "Value": value}
                for key, value in wanted.items()
                if present_tags.get(key) != value
            ]:
                backend.add_tags(pipeline.arn, added)
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
        ) -> None:
            """``resource_name`` is the physical id, the PipelineName: DeletePipeline (a
            pipeline already gone is deleted, as CloudFormation takes NotFound on delete)."""
            backend = sagemaker_backends[account_id][region_name]
            if resource_name in backend.pipelines:
                backend.delete_pipeline(resource_name)

    return SageMakerPipelineResource


# --- 11. Fn::GetStackOutput ------------------------------------------------------------

#: The keys of ``Fn::GetStackOutput``'s argument (``RoleArn`` for another account's stack).
_STACK_OUTPUT_KEYS = frozenset({"StackName", "OutputName", "Region", "RoleArn"})


def _resolve_stack_outputs() -> None:
    """Wraps ``moto.cloudformation.parsing.clean_json`` (which calls itself through the
    module, so the wrapper sees every nested value)."""
    from moto.cloudformation import parsing

    original_clean_json = parsing.clean_json

    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        if isinstance(resource_json, dict) and set(resource_json) == {"Fn::GetStackOutput"}:
            argument = original_clean_json(resource_json["Fn::GetStackOutput"], resources_map)
            return _stack_output(argument, resources_map._account_id, resources_map._region_name)
        return original_clean_json(resource_json, resources_map)

    parsing.clean_json = _marked(clean_json)


def _stack_output(argument: Any, account_id: str, region_name: str) -> str:
    """The value of the output that ``Fn::GetStackOutput``'s resolved ``argument`` names."""
    from moto.cloudformation.exceptions import ValidationError

    if not isinstance(argument, dict) or not {"StackName", "OutputName"} <= set(argument) or (
        set(argument) - _STACK_OUTPUT_KEYS
    ):
        raise ValidationError(
            message=f"Fn::GetStackOutput takes StackName, OutputName, Region, RoleArn: {argument}"
        )
    role_arn = str(argument.get("RoleArn", ""))
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else account_id
    region = str(argument.get("Region") or region_name)
    backend = _cloudformation_backend(account, region)
    stack = next(
        (s for s in backend.stacks.values() if s.name == argument["StackName"]), None
    )
    name = argument["OutputName"]
    outputs = stack.output_map if stack is not None else None
    output = outputs[name] if outputs is not None and name in outputs.outputs else None
    if output is None:
        raise ValidationError(
            message=f"Fn::GetStackOutput: stack {argument['StackName']} in {account}/{region} "
            f"has no output {argument['OutputName']}"
        )
    return str(output.value)


# --- 12. AWS::IAM::Group ---------------------------------------------------------------


def _register_iam_group_model() -> None:
    from moto.cloudformation import parsing

    _iam_group_model()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def _set_group_policies(
    backend: Any, name: str, properties: dict[str, Any], previous: dict[str, Any]
) -> None:
    """Make the group's own inline policies and managed attachments (``Policies``,
    ``ManagedPolicyArns``) those of ``properties`` instead of ``previous``; those that
    other resources (an ``AWS::IAM::Policy`` naming the group) gave it stay."""
    def inline(given: dict[str, Any]) -> dict[str, str]:
        return {policy["PolicyName"]: _json_text(policy["PolicyDocument"])
                for policy in given.get("Policies", [])}

    wanted, had = inline(properties), inline(previous)
    for policy_name in sorted(set(had) - set(wanted)):
        backend.delete_group_policy(name, policy_name)
    for policy_name, document in wanted.items():
        backend.put_group_policy(name, policy_name, document)
    arns, had_arns = (set(given.get("ManagedPolicyArns", [])) for given in (properties, previous))
    for arn in sorted(had_arns - arns):
        backend.detach_group_policy(arn, name)
    for arn in sorted(arns - had_arns):
        backend.attach_group_policy(arn, name)


def _iam_group_model() -> type:
    """Define (and so register) the CloudFormation model of ``AWS::IAM::Group``."""
    from moto.core.common_models import CloudFormationModel

    class IamGroupResource(CloudFormationModel):
        """A group created by a stack; physical id (``Ref``) = the group name."""

        __module__ = "moto.iam.sm_pipeline_iam_adapter"

        def __init__(
            self, account_id: str, region_name: str, name: str, properties: dict[str, Any]
        ) -> None:
            self.account_id = account_id
            self.region_name = region_name
            self.name = name
            #: the properties it was created or last updated with (its own policies)
            self.properties = properties

        @staticmethod
        def cloudformation_name_type() -> str:
            return "GroupName"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::IAM::Group"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "Arn"

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            if attribute_name == "Arn":
                return _iam_backend(self.account_id, self.region_name).get_group(self.name).arn
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            raise UnformattedGetAttTemplateException()

        @property
        def physical_resource_id(self) -> str:
            return self.name

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
        ) -> IamGroupResource:
            properties = cloudformation_json.get("Properties", {})
            backend = _iam_backend(account_id, region_name)
            backend.create_group(resource_name, properties.get("Path", "/"))
            _set_group_policies(backend, resource_name, properties, {})
            return cls(account_id, region_name, resource_name, properties)

        @classmethod
        def update_from_cloudformation_json(
            cls,
            original_resource: IamGroupResource,
            new_resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
        ) -> IamGroupResource:
            properties = cloudformation_json.get("Properties", {})
            backend = _iam_backend(account_id, region_name)
            group = backend.get_group(original_resource.name)
            if (properties.get("GroupName", group.name), properties.get("Path", "/")) != (
                group.name, group.path
            ):
                raise NotImplementedError(
                    "moto patches: a changed GroupName or Path replaces the group in "
                    "CloudFormation; the adapter does not model replacement"
                )
            _set_group_policies(backend, group.name, properties, original_resource.properties)
            original_resource.properties = properties
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(
            cls,
            resource_name: str,
            cloudformation_json: dict[str, Any],
            account_id: str,
            region_name: str,
        ) -> None:
            backend = _iam_backend(account_id, region_name)
            from moto.iam.exceptions import DeleteConflictException

            group = backend.groups.get(resource_name)
            if group is None:
                return  # gone already: CloudFormation takes NotFound on delete
            _set_group_policies(
                backend, resource_name, {}, cloudformation_json.get("Properties", {})
            )
            if group.policies or group.managed_policies:
                # IAM's DeleteGroup refuses while policies that other resources gave the
                # group remain; moto's stack deletion then retries after deleting those.
                raise DeleteConflictException("Cannot delete entity, must delete policies first.")
            backend.delete_group(resource_name)

    return IamGroupResource
