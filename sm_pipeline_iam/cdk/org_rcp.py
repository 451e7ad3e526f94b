"""``OrgRcpException``: the resource control policy beside ``OrgScpException``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import aws_organizations as organizations
from constructs import Construct

from ..core.errors import raise_if_any
from ..core.organization.rcp import RcpException
from ..core.organization.scp import target_problems
from ._private.prop_types import PropTypes
from ._private.tokens import is_token
from .org_scp import OrgScpException


class OrgRcpException(Construct):
    """The resource half of the exception: a resource control policy
    (``AWS::Organizations::Policy``, type ``RESOURCE_CONTROL_POLICY``) that an
    ``OrgScpException``'s tag cannot be forged from outside the organization, and that the
    organization's S3 data leaves the VPC only for its own tagged principals and for AWS
    services acting for it (:mod:`sm_pipeline_iam.core.organization.rcp` gives each statement and
    why).

    The SCP governs the organization's principals; the RCP governs every request to the
    organization's resources, an outside account's or a federated identity's included
    (AWS Organizations User Guide, "Resource control policies (RCPs)"). RCPs never apply
    to the management account's resources, nor to service-linked roles. Enable the
    ``RESOURCE_CONTROL_POLICY`` type in the organization first ("Enabling a policy type").

    Example::

        rcp = OrgRcpException(org_stack, "PipelineS3Perimeter", scp=scp,
                              organization_id="o-a1b2c3d4e5")

    Raises:
        InvalidPropsError: (a ``ValueError``) listing every problem, including an
            organization id that is not ``o-...`` and a document over the 5,120-character
            RCP limit.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        scp: OrgScpException,
        organization_id: str,
        target_ids: Sequence[str] | None = None,
        policy_name: str | None = None,
    ) -> None:
        """Create the RCP.

        Args:
            scope: the parent construct (a stack of the management account).
            id: the construct id.
            scp: the SCP exception whose tag, VPCs and VPC endpoints the RCP mirrors.
            organization_id: the organization (``o-...``) whose principals may carry the
                tag; no token (the RCP is measured on its literal text).
            target_ids: roots, OUs or accounts to attach to (tokens pass unchecked).
                Default: the SCP's targets.
            policy_name: the RCP's name; a token is accepted. Default:
                ``sm-pipeline-iam-<tag_key>-perimeter``.
        """
        checks = PropTypes()
        if not isinstance(scp, OrgScpException):
            checks.fail("scp", "notAnOrgScpException",
                        f"scp takes an OrgScpException, got {type(scp).__name__}: give the "
                        "OrgScpException whose tag, VPCs and endpoints the RCP mirrors")
        checks.string("organization_id", organization_id, "the organization id (o-...)",
                      refuse_tokens="the RCP is measured (5,120 characters) on its "
                      "literal values")
        if target_ids is not None:
            checks.strings("target_ids", target_ids, "root, OU or account ids",
                           "['ou-ab12-cdefgh34']")
        checks.string("policy_name", policy_name, "the RCP's name", optional=True)
        checks.raise_if_any("OrgRcpException", id, {
            "target_ids": target_ids, "policy_name": policy_name})
        targets = scp.target_ids if target_ids is None else tuple(target_ids)
        self.exception = RcpException(scp=scp.exception, organization_id=organization_id)
        problems = self.exception.problems() + target_problems(
            [t for t in targets if not is_token(t)])
        if not problems:
            problems += self.exception.size_problems()
        raise_if_any("OrgRcpException", id, problems)

        super().__init__(scope, id)
        self.target_ids = targets
        key = scp.exception.tag_key
        self.policy = organizations.CfnPolicy(
            self,
            "Policy",
            name=policy_name or f"sm-pipeline-iam-{key}-perimeter",
            type="RESOURCE_CONTROL_POLICY",
            content=self.exception.document(),
            description=(
                f"Only organization {organization_id} may tag sessions {key}; its S3 data "
                "leaves the VPC only for its tagged principals and AWS services acting for "
                "it (sm-pipeline-iam)"
            ),
            target_ids=list(targets) or None,
        )

    @property
    def document(self) -> dict[str, Any]:
        """The RCP document, for RCPs managed elsewhere."""
        return self.exception.document()

    def to_json(self, indent: int | None = None) -> str:
        """The RCP as JSON text (minified by default, as its size is counted)."""
        return self.exception.to_json(indent)
