"""The resource half of the JsonGet exception: a resource control policy as plain data.
No CDK import.

The SCP (:mod:`sm_pipeline_iam.core.organization.scp`) governs the organization's own principals
only;
a principal of another account is out of its reach. So a developer's untagged role that
trusts another account and allows ``sts:TagSession`` lets that account's principal assume
it with the session tag ``<tag_key>=<tag_value>`` and read S3 from outside the VPC as a
tagged principal. A resource control policy (RCP) is evaluated on every request to the
organization's resources, whoever makes it (AWS Organizations User Guide, "Resource
control policies (RCPs)": "RCPs impact the effective permissions of principals trying to
access resources in a member account ... regardless of whether the principals belong to
the same organizations or not"), so it closes what the SCP cannot, in three Deny
statements:

1. ``DenyTheExceptionSessionTagFromOutsideTheOrg``: ``sts:TagSession``,
   ``sts:AssumeRole``, ``sts:AssumeRoleWithSAML`` and ``sts:AssumeRoleWithWebIdentity``
   (each lists ``aws:TagKeys`` in the Service Authorization Reference, "Actions defined
   by AWS Security Token Service") when the session tags name the exception key (any
   case: IAM tag keys are case-insensitive) and ``aws:PrincipalOrgID`` is not the
   organization's. A principal that belongs to no organization has no
   ``aws:PrincipalOrgID`` (IAM User Guide, "AWS global condition context keys": the key is
   in the request context only for a principal that is a member of an organization), and
   ``StringNotEquals`` holds for a missing key (IAM User Guide, "Condition operators"), so
   such a principal is denied; that is the case of every SAML and OIDC federated caller
   (``AssumeRoleWithSAML`` / ``AssumeRoleWithWebIdentity`` are called with an IdP's
   assertion or token, by no AWS principal). The exception tag is therefore never set
   through federation: an identity provider anyone may register
   (``iam:CreateSAMLProvider``) must not mint exempt sessions. The tag admins need no
   exemption here: they are roles of the organization, and the SCP keeps every other
   principal of the organization from setting the key; an admin ARN pattern with ``*``
   for the account would also match another account's role, so it is not used;
2. ``DenyS3DataOutsideTheVpcUnlessTagged``: the S3 data actions of the SCP's first
   statement (the ``s3:`` ones: RCPs apply to ``s3`` but not to ``s3express``,
   ``s3tables``, ``s3vectors`` or ``s3-object-lambda``, "List of AWS services that
   support RCPs") from outside the listed VPCs / endpoints by a principal without the
   exception tag, unless an AWS service principal makes the request
   (``aws:PrincipalIsAWSService``) or one acts with the caller's credentials
   (``aws:ViaAWSService``, as the SCP);
3. ``DenyS3DataOutsideTheVpcToOtherOrgs``: the same actions from outside the VPC by a
   principal of another organization or of none (``aws:PrincipalOrgID``,
   ``...IfExists``: a service principal has none, and is left to statement 4), even
   tagged (another account tags its own roles as it likes) and even through a service
   (an outsider's Athena query is still the outsider's);
4. ``DenyServicesActingForOtherOrgs``: an AWS service principal's S3 data request made
   for a resource of another organization (``aws:SourceOrgID``), where the service says
   whom it acts for (``aws:SourceAccount`` present), the confused-deputy rule of the RCP
   examples (AWS Organizations User Guide, "Resource control policy examples").

Statements 2 and 3 are two because "tagged *and* of the organization" is a conjunction
inside the negation a Deny expresses (a Deny's conditions are ANDed). RCPs do not apply
to the management account's resources, nor to calls by service-linked roles ("Resources
and entities not restricted by RCPs"); the RCP is ``Deny`` only, ``Principal`` ``"*"``,
no ``NotAction`` ("RCP syntax"). Its minified text counts against a 5,120-character limit
(AWS Organizations User Guide, "Quotas and service limits": "Maximum size of a policy
document").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import Problem
from .scp import S3_DATA_ACTIONS, OrganizationPolicy, ScpException

#: RCP quota (AWS Organizations): characters of the minified document.
RCP_SIZE_LIMIT = 5_120

#: Every STS call that can set session tags (each lists ``aws:TagKeys``).
SESSION_TAG_ACTIONS: tuple[str, ...] = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
)

#: The STS actions that take ``aws:TagKeys`` but that the RCP leaves out, and why.
SESSION_TAG_LEFT_OUT: dict[str, str] = {
    "sts:GetFederationToken": "only an IAM user calls it, for a federated user of its own "
    "account: never an outsider, and the SCP's tag statement denies the key to the "
    "organization's users",
    "sts:GetWebIdentityToken": "its tags go into a token for services outside AWS, not "
    "into an AWS session",
    "sts:TagGetWebIdentityToken": "its tags go into a token for services outside AWS, not "
    "into an AWS session",
}

#: The services of :data:`~sm_pipeline_iam.core.organization.scp.S3_DATA_ACTIONS` that RCPs govern.
RCP_SERVICES = frozenset({"s3"})

#: The S3 data actions the RCP keeps in the VPC: the SCP's, for the services RCPs govern.
RCP_S3_DATA_ACTIONS: tuple[str, ...] = tuple(
    a for a in S3_DATA_ACTIONS if a.split(":")[0] in RCP_SERVICES
)

_ORGANIZATION = re.compile(r"o-[a-z0-9]{10,32}")


@dataclass(frozen=True)
class RcpException(OrganizationPolicy):
    """The RCP beside an :class:`~sm_pipeline_iam.core.organization.scp.ScpException`.

    Attributes:
        scp: the SCP exception whose tag, VPCs and endpoints the RCP mirrors.
        organization_id: the organization (``o-...``) whose principals may carry the tag.
    """

    KIND: ClassVar[str] = "RCP"
    SIZE_LIMIT: ClassVar[int] = RCP_SIZE_LIMIT
    TOO_LARGE: ClassVar[str] = "rcpTooLarge"
    SHORTEN: ClassVar[str] = "list fewer VPCs or VPC endpoints"

    scp: ScpException
    organization_id: str

    def problems(self) -> list[Problem]:
        """Every reason the RCP cannot be written (the SCP's own problems included)."""
        problems = self.scp.problems()
        if not _ORGANIZATION.fullmatch(self.organization_id):
            problems.append(Problem(
                "organization_id",
                "notAnOrganizationId",
                f"organization_id {self.organization_id!r} is not an organization id "
                "(o-...): the RCP tells the organization's principals from others by it",
            ))
        return problems

    def statements(self) -> list[dict[str, Any]]:
        """The RCP's four Deny statements (see the module docstring)."""
        key, value = self.scp.tag_key, self.scp.tag_value
        other_org = {"aws:PrincipalOrgID": self.organization_id}
        outside_vpc = self.scp.vpc_condition()
        not_a_service = {"aws:PrincipalIsAWSService": "false"}
        return [
            {
                "Sid": "DenyTheExceptionSessionTagFromOutsideTheOrg",
                "Effect": "Deny",
                "Principal": "*",
                "Action": list(SESSION_TAG_ACTIONS),
                "Resource": "*",
                # Holds for a missing key too: federated callers (SAML, OIDC) have no
                # principal organization, so they never set the key.
                "Condition": {
                    "ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": [key]},
                    "StringNotEquals": other_org,
                },
            },
            {
                "Sid": "DenyS3DataOutsideTheVpcUnlessTagged",
                "Effect": "Deny",
                "Principal": "*",
                "Action": list(RCP_S3_DATA_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": dict(sorted(
                        {f"aws:PrincipalTag/{key}": value, **outside_vpc}.items())),
                    "BoolIfExists": {**not_a_service, "aws:ViaAWSService": "false"},
                },
            },
            {
                "Sid": "DenyS3DataOutsideTheVpcToOtherOrgs",
                "Effect": "Deny",
                "Principal": "*",
                "Action": list(RCP_S3_DATA_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": dict(sorted({**other_org, **outside_vpc}.items())),
                    "BoolIfExists": not_a_service,
                },
            },
            {
                "Sid": "DenyServicesActingForOtherOrgs",
                "Effect": "Deny",
                "Principal": "*",
                "Action": list(RCP_S3_DATA_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:SourceOrgID": self.organization_id},
                    "Null": {"aws:SourceAccount": "false"},
                    "Bool": {"aws:PrincipalIsAWSService": "true"},
                },
            },
        ]

