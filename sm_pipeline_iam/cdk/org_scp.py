"""``OrgScpException``: the SCP that keeps S3 in the VPC, with a protected exception tag."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jsii
from aws_cdk import Aspects, Tag, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_organizations as organizations
from constructs import Construct, IValidation

from ..core.errors import InvalidPropsError, Problem, raise_if_any
from ..core.notices import TOO_MANY_SCPS
from ..core.organization.scp import (
    SCPS_PER_TARGET,
    ScpException,
    organization_problems,
    target_problems,
)
from ._private.prop_types import PropTypes
from ._private.tokens import check_tokens_at_synth, is_token
from ._private.warnings import add_warning


class OrgScpException(Construct):
    """A service control policy that keeps S3 data inside the VPC(s), except for pipeline
    roles that carry a protected principal tag.

    The policy (``AWS::Organizations::Policy``, type ``SERVICE_CONTROL_POLICY``) has six
    Deny statements (:mod:`sm_pipeline_iam.core.organization.scp` gives each action list and why):

    1. S3 data actions (every way to read or move S3 data: objects, replication, Access
       Grants, S3 Express sessions, Object Lambda, S3 Tables and Vectors) unless the
       request comes through one of ``vpc_ids`` / ``vpc_endpoint_ids``, or an AWS service
       makes it on the principal's behalf (``aws:ViaAWSService``), or the principal
       carries ``aws:PrincipalTag/<tag_key>`` = ``tag_value`` (the ``...IfExists``
       operators: a missing key does not exempt);
    2. bucket settings that share data or copy it elsewhere (policies, ACLs, Block Public
       Access, replication, Batch Operations, access points, Access Grants) unless the
       request comes through the VPC or a tag admin makes it (CloudFormation sets
       ``aws:ViaAWSService`` for every stack, so only the deployment roles are exempt);
    3. setting, changing or removing ``tag_key`` (on roles and users, at creation and
       later, and as a session tag) by anyone but ``tag_admin_principal_arns``;
    4. changing a role that carries the tag (trust, inline and attached policies,
       boundary, tags, deletion) by anyone but the admins;
    5. passing a role that carries the tag to any service but SageMaker;
    6. creating or changing a role whose ARN matches an admin's by anyone but the admins:
       nobody outside the admins can become one.

    SCPs never apply to the organization's management account: deploy this construct in
    a stack of the management (or delegated administrator) account, and the roles in the
    workload accounts. The CloudFormation/CDK deployment roles that create the tagged
    pipeline roles must be among ``tag_admin_principal_arns``, or those deployments fail;
    so must whoever creates or updates those deployment roles (``cdk bootstrap`` in a
    targeted account). Admins are roles, named exactly or with ``*`` after a literal name
    start; an ARN that any principal could satisfy is an error saying why.

    Example::

        scp = OrgScpException(
            org_stack, "PipelineS3Exception",
            tag_key="sm-pipeline-exception", tag_value="true",
            vpc_endpoint_ids=["vpce-0a1b2c3d4e5f60718"],
            target_ids=["ou-ab12-cdefgh34"],
            tag_admin_principal_arns=["arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"],
        )
        scp.exempt(pipeline_role)
        print(scp.to_json(indent=2))   # for SCPs managed elsewhere

    Raises:
        InvalidPropsError: (a ``ValueError``) listing every problem, including a document
            over the 5,120-character SCP limit.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        tag_key: str,
        tag_value: str,
        tag_admin_principal_arns: Sequence[str],
        vpc_ids: Sequence[str] = (),
        vpc_endpoint_ids: Sequence[str] = (),
        target_ids: Sequence[str] = (),
        organization_id: str | None = None,
        policy_name: str | None = None,
    ) -> None:
        """Create the SCP.

        Args:
            scope: the parent construct (a stack of the management account).
            id: the construct id.
            tag_key: the principal tag key that exempts pipeline roles.
            tag_value: the value that tag must have.
            tag_admin_principal_arns: the roles that may set or remove the tag, change
                tagged roles and change bucket sharing from outside the VPC; must include
                the deployment roles that create the tagged roles. Role ARNs only, ``*``
                for the account or after a literal start of the name.
            vpc_ids: VPCs whose requests keep S3 access. Default: none.
            vpc_endpoint_ids: VPC endpoints whose requests keep S3 access. Default: none
                (but at least one VPC or endpoint is required).
            target_ids: roots (``r-...``), OUs (``ou-...``) or accounts (12 digits) to
                attach to; tokens are accepted (a ``Lazy`` one is checked at synth).
                Default: none (the policy exists, attached nowhere).
            organization_id: the organization (``o-...``), recorded in the description;
                a token is accepted. Default: none.
            policy_name: the SCP's name; a token is accepted. Default:
                ``sm-pipeline-iam-<tag_key>``.

        ``tag_key``, ``tag_value``, ``tag_admin_principal_arns``, ``vpc_ids`` and
        ``vpc_endpoint_ids`` take no token: the SCP is checked (admins that anyone could
        satisfy) and measured (5,120 characters) on their literal values.
        """
        literal = ("the SCP is checked (who could satisfy it) and measured (5,120 characters) "
                   "on its literal values")
        checks = PropTypes()
        checks.string("tag_key", tag_key, "the exception tag's key, e.g. 'sm-pipeline-exception'",
                      refuse_tokens=literal)
        checks.string("tag_value", tag_value, "the exception tag's value, e.g. 'true'",
                      refuse_tokens=literal)
        checks.strings("tag_admin_principal_arns", tag_admin_principal_arns, "role ARNs",
                       "['arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*']",
                       refuse_tokens=literal)
        checks.strings("vpc_ids", vpc_ids, "VPC ids", "['vpc-0123456789abcdef0']",
                       refuse_tokens=literal)
        checks.strings("vpc_endpoint_ids", vpc_endpoint_ids, "VPC endpoint ids",
                       "['vpce-0a1b2c3d4e5f60718']", refuse_tokens=literal)
        checks.strings("target_ids", target_ids, "root, OU or account ids",
                       "['ou-ab12-cdefgh34']")
        checks.string("organization_id", organization_id, "the organization id (o-...)",
                      optional=True)
        checks.string("policy_name", policy_name, "the SCP's name", optional=True)
        checks.raise_if_any("OrgScpException", id, {
            "target_ids": target_ids, "organization_id": organization_id,
            "policy_name": policy_name,
        })
        self.exception = ScpException(
            tag_key=tag_key,
            tag_value=tag_value,
            vpc_ids=tuple(vpc_ids),
            vpc_endpoint_ids=tuple(vpc_endpoint_ids),
            tag_admin_principal_arns=tuple(tag_admin_principal_arns),
        )
        problems = self.exception.problems()
        problems += target_problems([t for t in target_ids if not is_token(t)])
        problems += organization_problems(None if is_token(organization_id) else organization_id)
        if not problems:
            problems += self.exception.size_problems()
        raise_if_any("OrgScpException", id, problems)

        super().__init__(scope, id)

        def recheck(final: Callable[[str], str]) -> list[Problem]:
            return target_problems([final(t) for t in target_ids if not is_token(final(t))]) + (
                organization_problems(final(organization_id))
                if organization_id is not None and not is_token(final(organization_id)) else [])

        check_tokens_at_synth(self, "OrgScpException", {
            "target_ids": target_ids, "organization_id": organization_id}, recheck)
        self.target_ids = tuple(target_ids)
        description = (
            f"Keeps S3 data inside the VPC except for principals tagged {tag_key}="
            f"{tag_value}, and protects that tag (sm-pipeline-iam)"
        )
        if organization_id:
            description += f"; organization {organization_id}"
        self.policy = organizations.CfnPolicy(
            self,
            "Policy",
            name=policy_name or f"sm-pipeline-iam-{tag_key}",
            type="SERVICE_CONTROL_POLICY",
            content=self.exception.document(),
            description=description,
            target_ids=list(target_ids) or None,
        )
        self._warn_on_crowded_targets()

    def exempt(self, role: iam.IRole) -> None:
        """Tag ``role`` (an ``iam.Role``, ``PipelineExecutionRole`` or ``PrefixedStepRole``)
        with the exception tag, so that its S3 reads pass the SCP.

        Once tagged, the role can be changed only by the tag admins and passed only to
        SageMaker. A tag set later that changes or removes the exception tag fails
        synthesis.

        Raises:
            InvalidPropsError: (a ``ValueError``) with the problem ``importedRole`` when
                ``role`` is imported (``iam.Role.from_role_name`` / ``from_role_arn``):
                this app does not create it, so no tag would be written; or
                ``conflictingTag`` when ``role`` already carries the tag key (any case)
                with another value, which the exception tag would overwrite.
        """
        key, value = self.exception.tag_key, self.exception.tag_value
        resource = role.node.default_child if isinstance(role, iam.Role) else None
        if not isinstance(resource, iam.CfnRole):
            raise InvalidPropsError("OrgScpException", self.node.id, [Problem(
                "role",
                "importedRole",
                f"exempt() got role {role.node.path!r}, which this app imports and does not "
                f"create: no tag would be written and its S3 reads stay denied; tag it "
                f"{key}={value} where it is defined (as a tag admin), or pass the iam.Role "
                "this app creates",
            )])
        others = sorted(v for v in _tag_values(role, resource, key) if v != value)
        if others:
            raise InvalidPropsError("OrgScpException", self.node.id, [Problem(
                "role",
                "conflictingTag",
                f"role {role.node.path!r} already carries the tag {key}={others[0]!r} (its "
                f"principal_tag, a Tags.of(...).add above it, or its CfnRole tags), which "
                f"exempt() would overwrite with {value!r}: remove that tag, or set it to "
                f"{value!r} (e.g. principal_tag=({key!r}, {value!r}))",
            )])
        Tags.of(role).add(key, value)
        role.node.add_validation(_ExemptTagCheck(resource, role.node.path, key, value))

    @property
    def document(self) -> dict[str, Any]:
        """The SCP document, for SCPs managed elsewhere."""
        return self.exception.document()

    def to_json(self, indent: int | None = None) -> str:
        """The SCP as JSON text (minified by default, as its size is counted)."""
        return self.exception.to_json(indent)

    def _warn_on_crowded_targets(self) -> None:
        # Every target also keeps AWS's FullAWSAccess unless it was removed: one slot.
        others = [
            c for c in self.node.root.node.find_all() if isinstance(c, OrgScpException)
        ]
        for target in self.target_ids:
            count = sum(target in c.target_ids for c in others)
            if count + 1 > SCPS_PER_TARGET:
                add_warning(
                    self, TOO_MANY_SCPS,
                    f"target {target} gets {count} SCPs from this app, plus FullAWSAccess: "
                    f"more than the {SCPS_PER_TARGET} SCPs AWS allows per target; merge "
                    "exceptions or attach some to a parent OU",
                )


def _tag_values(role: iam.IRole, resource: iam.CfnRole, key: str) -> set[str]:
    """The values of ``key`` (any case) that ``role`` will carry, as far as known now: the
    resource's own tags and the tag aspects on the role and every scope above it."""
    values = {v for k, v in resource.tags.tag_values().items() if k.lower() == key.lower()}
    for scope in role.node.scopes:
        for aspect in Aspects.of(scope).all:
            if isinstance(aspect, Tag) and aspect.key.lower() == key.lower():
                values.add(aspect.value)
    return values


@jsii.implements(IValidation)
class _ExemptTagCheck:
    """At synthesis, after every tag aspect ran: the role carries exactly the exception
    tag (a later tag with the key, or a removal, would silently undo ``exempt``)."""

    def __init__(self, resource: iam.CfnRole, path: str, key: str, value: str) -> None:
        self._resource, self._path, self._key, self._value = resource, path, key, value

    def validate(self) -> list[str]:
        tags = {
            k: v for k, v in self._resource.tags.tag_values().items()
            if k.lower() == self._key.lower()
        }
        if tags == {self._key: self._value}:
            return []
        found = ", ".join(f"{k}={v}" for k, v in sorted(tags.items())) or "no such tag"
        return [
            f"role {self._path!r} was exempted with the tag {self._key}={self._value} but "
            f"synthesizes with {found}: a tag or Tags.of(...).remove added after exempt() "
            "changed it; remove that change, or give the role the exception tag's value"
        ]
