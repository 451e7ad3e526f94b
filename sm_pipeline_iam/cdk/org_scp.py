"""``OrgScpException``: the SCP that keeps S3 in the VPC, with a protected exception tag."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Annotations, Tags, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_organizations as organizations
from constructs import Construct

from ..core.errors import raise_if_any
from ..core.notices import TOO_MANY_SCPS
from ..core.scp import (
    SCPS_PER_TARGET,
    ScpException,
    organization_problems,
    target_problems,
)


class OrgScpException(Construct):
    """A service control policy that keeps S3 data inside the VPC(s), except for pipeline
    roles that carry a protected principal tag.

    The policy (``AWS::Organizations::Policy``, type ``SERVICE_CONTROL_POLICY``) has two
    statements:

    1. deny S3 data actions unless the request comes through one of ``vpc_ids`` /
       ``vpc_endpoint_ids``, or an AWS service makes it on the principal's behalf
       (``aws:ViaAWSService``), or the principal carries ``aws:PrincipalTag/<tag_key>`` =
       ``tag_value`` (the ``...IfExists`` operators: a missing key does not exempt);
    2. deny setting, changing or removing ``tag_key`` (on roles and users, at creation
       and later, and as a session tag) to every principal but
       ``tag_admin_principal_arns``.

    SCPs never apply to the organization's management account: deploy this construct in
    a stack of the management (or delegated administrator) account, and the roles in the
    workload accounts. The CloudFormation/CDK deployment roles that create the tagged
    pipeline roles must be among ``tag_admin_principal_arns``, or those deployments fail.

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
            tag_admin_principal_arns: the principals that may set or remove the tag; must
                include the deployment roles that create the tagged roles.
            vpc_ids: VPCs whose requests keep S3 access. Default: none.
            vpc_endpoint_ids: VPC endpoints whose requests keep S3 access. Default: none
                (but at least one VPC or endpoint is required).
            target_ids: roots (``r-...``), OUs (``ou-...``) or accounts (12 digits) to
                attach to. Default: none (the policy exists, attached nowhere).
            organization_id: the organization (``o-...``), recorded in the description.
                Default: none.
            policy_name: the SCP's name. Default: ``sm-pipeline-iam-<tag_key>``.
        """
        self.exception = ScpException(
            tag_key=tag_key,
            tag_value=tag_value,
            vpc_ids=tuple(vpc_ids),
            vpc_endpoint_ids=tuple(vpc_endpoint_ids),
            tag_admin_principal_arns=tuple(tag_admin_principal_arns),
        )
        problems = self.exception.problems()
        problems += target_problems([t for t in target_ids if not Token.is_unresolved(t)])
        problems += organization_problems(organization_id)
        if not problems:
            problems += self.exception.size_problems()
        raise_if_any("OrgScpException", id, problems)

        super().__init__(scope, id)
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

    def exempt(self, role: iam.Role) -> None:
        """Tag ``role`` (an ``iam.Role``, ``PipelineExecutionRole`` or ``PrefixedStepRole``)
        with the exception tag, so that its S3 reads pass the SCP."""
        Tags.of(role).add(self.exception.tag_key, self.exception.tag_value)

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
                Annotations.of(self).add_warning_v2(
                    TOO_MANY_SCPS,
                    f"target {target} gets {count} SCPs from this app, plus FullAWSAccess: "
                    f"more than the {SCPS_PER_TARGET} SCPs AWS allows per target; merge "
                    "exceptions or attach some to a parent OU",
                )
