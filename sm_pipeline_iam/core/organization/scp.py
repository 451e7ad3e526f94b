"""The organization side of the JsonGet exception: an SCP as plain data. No CDK import.

When an organization's SCP keeps S3 inside its VPCs, a pipeline's ``JsonGet`` reads of S3
(made by SageMaker Pipelines, outside the VPC) need an exception keyed on a unique
principal tag of the pipeline's role (AWS page, "Service Control Policies with
Pipelines"). An exception keyed on a tag is only as strong as the control over who may
set that tag, over the roles that carry it and over the tag administrators themselves,
so one SCP holds seven Deny statements:

1. ``DenyS3DataOutsideTheVpcUnlessPipeline``: every way to read or move S3 data
   (:data:`S3_DATA_ACTIONS`) unless the request comes through a listed VPC or VPC
   endpoint, or an AWS service makes it for the principal (``aws:ViaAWSService``), or the
   principal carries the exception tag;
2. ``DenyS3SharingOutsideTheVpcUnlessAdmin``: the bucket settings that open data to
   others or copy it elsewhere (:data:`S3_SHARING_ACTIONS`) unless the request comes
   through a listed VPC or endpoint, or the principal is a tag admin (see below);
3. ``DenyTheExceptionTagToAllButItsAdmins``: setting, changing or removing the tag key
   (any case) on roles and users, at creation or later, and as a session tag;
4. ``DenyChangesToExemptRolesToAllButAdmins``: changing a role that carries the tag
   (:data:`ROLE_CHANGES`: trust, inline and attached policies, boundary, tags, deletion);
5. ``DenyPassingExemptRolesButToSageMaker``: passing such a role to any service but
   SageMaker, whoever passes it;
6. ``DenyAdminRolesToAllButAdmins``: creating or changing a role whose ARN matches a tag
   admin's, so that nobody outside the admins can become one;
7. ``DenyChangesToLibraryPoliciesToAllButAdmins``: new versions of (or deleting) the
   managed policies the library attaches to its roles, which it keeps under the IAM path
   :data:`LIBRARY_POLICY_PATH`: a managed policy cannot carry the tag, so its path marks
   it, and a new version would otherwise widen a tagged role without touching the role.

Tag admins are IAM roles, named by ARN (``*`` for the account and in the role name after a
literal start). A pattern that any principal could satisfy is refused
(:meth:`ScpException.problems`): one that matches every principal or every role, one that
could match a service-linked role (any principal allowed ``iam:CreateServiceLinkedRole``
makes those, and SCPs do not govern them), a session (``sts``) ARN, or a user.

Decisions on the S3 bucket settings (statement 2):

- CloudFormation makes every resource call with a forward access session, with or
  without a service role, so ``aws:ViaAWSService`` is true for every stack: exempting
  services there, as statement 1 does for data, would let anyone set a public bucket
  policy through a stack. Instead the tag admins are exempt: they are the deployment
  roles (the CDK's ``cfn-exec-role``), already trusted with the exception itself, so a
  CDK deployment still creates buckets with policies, ACLs, replication and access
  points from outside the VPC; a stack deployed as anyone else must come through the VPC.
- The tag does not exempt: a pipeline role never changes bucket settings.
- Left out, each with its reason: ``s3:PutBucketNotification`` (the CDK's bucket
  notifications custom resource calls it from a Lambda function outside the VPC, and a
  notification carries object keys, not data); inventory, metadata-table, logging,
  analytics and Storage Lens configurations (object lists and metrics, not object data);
  ``s3:PutBucketWebsite`` (a website serves only what a bucket policy makes public, and
  bucket policies are in the list); ``s3-outposts`` and ``s3files`` (reached only through
  Outposts endpoints or mount targets inside a VPC). :data:`S3_LEFT_OUT` lists each.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..arns import role_arn
from ..errors import Problem
from ..execution_role.policy import LIBRARY_POLICY_PATH
from .tags import tag_problems

#: SCP quotas (AWS Organizations): characters of the document, whitespace included, and
#: SCPs attached to one root, OU or account.
SCP_SIZE_LIMIT = 5_120
SCPS_PER_TARGET = 5

#: The service a role carrying the exception tag may be passed to.
SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"

#: What changes a managed policy's permissions without touching the roles it is attached to.
POLICY_CHANGES: tuple[str, ...] = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
)

#: Every way to read or move S3 data, kept inside the VPC: object reads, writes and
#: listings (``s3:GetObject*`` holds ``GetObjectVersionForReplication``; object
#: annotations and their listings; an object's encryption), replication
#: and batch replication writes, Access Grants credentials, S3 Express One Zone sessions
#: (directory buckets' data calls are authorized by the session), Object Lambda access
#: points, S3 Tables data and S3 Vectors.
S3_DATA_ACTIONS: tuple[str, ...] = (
    "s3:AbortMultipartUpload",
    "s3:DeleteObject*",
    "s3:GetDataAccess",
    "s3:GetObject*",
    "s3:InitiateReplication",
    "s3:ListBucket*",
    "s3:ListMultipartUploadParts",
    "s3:ListObject*Annotations",
    "s3:PutObject*",
    "s3:Replicate*",
    "s3:RestoreObject",
    "s3:UpdateObjectEncryption",
    "s3-object-lambda:*",
    "s3express:CreateSession",
    "s3tables:*TableData",
    "s3vectors:*Vectors",
)

#: Bucket settings that open data to other principals or copy it elsewhere: bucket,
#: access point and Multi-Region Access Point policies (and their removal, which takes
#: their Deny statements with them), ACLs and the ownership setting that enables them,
#: Block Public Access, replication, Batch Operations jobs, access points and their
#: scopes, Access Grants; the Lambda function that an Object Lambda access point hands
#: every object it reads to, and the routes of a Multi-Region Access Point (which of its
#: buckets, replicas included, takes its requests); directory, table and vector bucket
#: policies, table replication. ``sm_pipeline_iam.core.organization.s3_actions`` classifies every S3
#: action against this list and :data:`S3_DATA_ACTIONS`.
S3_SHARING_ACTIONS: tuple[str, ...] = (
    "s3:CreateAccessGrant*",
    "s3:CreateAccessPoint*",
    "s3:CreateJob",
    "s3:CreateMultiRegionAccessPoint",
    "s3:Delete*Policy*",
    "s3:Put*PublicAccessBlock",
    "s3:PutAccessGrantsInstanceResourcePolicy",
    "s3:PutAccessPointConfigurationForObjectLambda",
    "s3:PutAccessPointPolicy*",
    "s3:PutBucketAcl",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutMultiRegionAccessPointPolicy",
    "s3:PutReplicationConfiguration",
    "s3:SubmitMultiRegionAccessPointRoutes",
    "s3:UpdateAccessGrantsLocation",
    "s3express:CreateAccessPoint",
    "s3express:Delete*Policy",
    "s3express:DeleteAccessPointScope",
    "s3express:PutAccessPoint*",
    "s3express:PutBucketPolicy",
    "s3tables:Delete*Policy",
    "s3tables:PutTable*Policy",
    "s3tables:PutTable*Replication",
    "s3vectors:DeleteVectorBucketPolicy",
    "s3vectors:PutVectorBucketPolicy",
)

#: S3 settings neither list holds, and why (tests/test_scp.py checks that every
#: permissions-management action of S3, S3 Express, S3 Tables, S3 Vectors and Object
#: Lambda is in a list or here).
S3_LEFT_OUT: dict[str, str] = {
    "s3:PutBucketNotification": "the CDK's bucket-notifications custom resource calls it "
    "from a Lambda function outside the VPC; a notification carries object keys, not data",
    "s3:PutInventoryConfiguration": "an inventory lists object keys and metadata, not data",
    "s3:CreateBucketMetadataTableConfiguration": "a metadata table holds object metadata, "
    "not data",
    "s3:PutBucketLogging": "access logs hold requests, not data",
    "s3:PutAnalyticsConfiguration": "storage-class analytics export metrics, not data",
    "s3:PutStorageLensConfiguration": "Storage Lens exports metrics, not data",
    "s3:PutBucketWebsite": "a website serves only what a bucket policy or ACL makes public, "
    "and both are in the sharing list",
    "s3:AssociateAccessGrantsIdentityCenter": "connects a directory; only a grant "
    "(s3:CreateAccessGrant, in the list) gives anyone data",
    "s3:DissociateAccessGrantsIdentityCenter": "removes access",
    "s3:DeleteAccessGrant*": "removes access",
    "s3:BypassGovernanceRetention": "lets a delete ignore Object Lock; deletes are data "
    "actions (s3:DeleteObject*) already",
    "s3:ObjectOwnerOverrideToBucketOwner": "replica ownership, only with s3:Replicate* (a "
    "data action)",
    "s3-outposts:*": "Outposts buckets are reached only through Outposts endpoints in a VPC",
    "s3files:*": "S3 file systems are reached only through mount targets in a VPC",
}

#: Every way to put a tag key on a principal: IAM role and user tags (at creation and
#: later), and session tags, which also show up as aws:PrincipalTag: a role session's
#: (``sts:TagSession``) and a federated user's (``sts:GetFederationToken`` takes session
#: tags too: IAM User Guide, "Passing session tags in AWS STS").
TAGGING_ACTIONS: tuple[str, ...] = (
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:TagRole",
    "iam:TagUser",
    "iam:UntagRole",
    "iam:UntagUser",
    "sts:GetFederationToken",
    "sts:TagSession",
)

#: Every IAM action that changes what an existing role can do or who can use it (the IAM
#: reference's write actions on the ``role`` resource type; tests/test_scp.py checks the
#: list against it): trust, inline and attached policies, permissions boundary,
#: settings, tags and deletion. ``iam:PassRole`` has its own statement;
#: :data:`ROLE_CHANGES_LEFT_OUT` says why the others are not here.
ROLE_CHANGES: tuple[str, ...] = (
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)

#: The write actions on roles that :data:`ROLE_CHANGES` leaves out, and why.
ROLE_CHANGES_LEFT_OUT: dict[str, str] = {
    "iam:CreateRole": "there is no role yet: for tagged roles the tag statement covers the "
    "tag at creation; for admin names the admin statement adds it",
    "iam:PassRole": "its own statement: tagged roles go to SageMaker only",
    "iam:CreateServiceLinkedRole": "AWS names service-linked roles under "
    "role/aws-service-role/, which no accepted admin ARN matches, and SCPs do not govern them",
    "iam:DeleteServiceLinkedRole": "acts on service-linked roles only (see above)",
    "sts:AssumeRole": "the role's trust policy decides, and only admins may change it",
    "sts:AssumeRoleWithSAML": "the role's trust policy decides, and only admins may change it",
    "sts:AssumeRoleWithWebIdentity": "the role's trust policy decides, and only admins may "
    "change it",
    "sts:TagSession": "the tag statement denies the exception key in session tags; other "
    "session tags change nothing the SCP relies on",
    "sts:SetSourceIdentity": "sets an attribute of a new session, not the role",
    "sts:SetContext": "sets an attribute of a session, not the role",
}

_TARGET_FORMS = (
    (re.compile(r"r-[0-9a-z]{4,32}"), "a root (r-...)"),
    (re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}"), "an OU (ou-...-...)"),
    (re.compile(r"\d{12}"), "an account (12 digits)"),
)
_VPC = re.compile(r"vpc-[0-9a-f]{8,17}")
_VPCE = re.compile(r"vpce-[0-9a-f]{8,17}")
_ORGANIZATION = re.compile(r"o-[a-z0-9]{10,32}")
_PRINCIPAL_ARN = re.compile(r"arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):[\w+=,.@/*?:-]+")
#: A role ARN pattern, as an admin ARN may be: ``*`` for the account, wildcards in the name.
_ROLE_ARN = role_arn(any_account=True, wildcards=True)
_WILDCARD = re.compile(r"[*?]")

#: The path of every service-linked role: an admin ARN must not be able to match it.
SERVICE_LINKED_PATH = "aws-service-role/"

#: An example of a good admin ARN, for messages.
ADMIN_EXAMPLE = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"


def admin_problems(arns: Sequence[str], *, prop: str = "tag_admin_principal_arns") -> list[Problem]:
    """Every tag admin ARN that is malformed, or that a principal outside the admins could
    satisfy; each message says why and what to give instead.

    An admin is an IAM role ARN (``aws:PrincipalArn`` of a role's session is the role's
    ARN): ``*`` may stand for the account, and in the role's path and name after a literal
    start that no service-linked role (``role/aws-service-role/...``) shares.
    """
    problems = []
    for arn in arns:
        if not _PRINCIPAL_ARN.fullmatch(arn):
            problems.append(Problem(
                prop,
                "notAnArn",
                f"{prop} {arn!r} is not an IAM principal ARN (arn:aws:iam::111122223333:role/"
                "name)",
            ))
            continue
        service, _, _, resource = arn.split(":", 5)[2:]
        role = _ROLE_ARN.fullmatch(arn)
        if service == "sts":
            problems.append(Problem(
                prop,
                "sessionArn",
                f"{prop} {arn!r} is a session (sts) ARN: aws:PrincipalArn of a role's session "
                "is the role's own ARN, so it names no admin, and a pattern such as "
                "'assumed-role/*' would stand for every session; give the role's ARN "
                f"(e.g. {ADMIN_EXAMPLE!r})",
            ))
        elif _WILDCARD.search(resource.split("/", 1)[0]) or (
            role is None and _WILDCARD.search(resource)
        ):
            problems.append(Problem(
                prop,
                "matchesAnyPrincipal",
                f"{prop} {arn!r} matches every kind of principal, so any user or role of a "
                "targeted account would be a tag admin: name the deployment roles "
                f"(e.g. {ADMIN_EXAMPLE!r})",
            ))
        elif role is None:
            problems.append(Problem(
                prop,
                "notARole",
                f"{prop} {arn!r} is not a role: tag admins must be roles, because the SCP "
                "keeps everyone else from creating or changing a role whose ARN matches an "
                "admin's, and cannot do as much for users (access keys, passwords, groups) or "
                "the root user; give the deployment role's ARN",
            ))
        else:
            name = role.group("name")
            literal = _WILDCARD.split(name, maxsplit=1)[0]
            if not literal:
                problems.append(Problem(
                    prop,
                    "matchesAnyRole",
                    f"{prop} {arn!r} matches every role, among them every developer's, so any "
                    "of them would be a tag admin: name the deployment roles, a wildcard only "
                    f"after a literal start (e.g. {ADMIN_EXAMPLE!r})",
                ))
            elif SERVICE_LINKED_PATH.startswith(literal) or literal.startswith(
                SERVICE_LINKED_PATH
            ):
                problems.append(Problem(
                    prop,
                    "matchesServiceLinkedRoles",
                    f"{prop} {arn!r} could match service-linked roles "
                    f"(role/{SERVICE_LINKED_PATH}...), which any principal allowed "
                    "iam:CreateServiceLinkedRole can make and which SCPs do not govern: start "
                    f"the role name with characters no such path starts with (e.g. "
                    f"{ADMIN_EXAMPLE!r})",
                ))
    return problems


class OrganizationPolicy(ABC):
    """What an SCP and an RCP share: a document of ``statements``, its minified JSON text
    (what counts against the quota), and the check of that quota."""

    #: The policy type in messages (``SCP``, ``RCP``).
    KIND: ClassVar[str]
    #: The quota: characters of the minified document.
    SIZE_LIMIT: ClassVar[int]
    #: The problem code of a document over the quota.
    TOO_LARGE: ClassVar[str]
    #: What to shorten, in the message of that problem.
    SHORTEN: ClassVar[str]

    @abstractmethod
    def statements(self) -> list[dict[str, Any]]:
        """The policy's statements."""

    def document(self) -> dict[str, Any]:
        """The policy document."""
        return {"Version": "2012-10-17", "Statement": self.statements()}

    def to_json(self, indent: int | None = None) -> str:
        """The policy as JSON text; minified (what counts against the limit) by default."""
        separators = (",", ":") if indent is None else (",", ": ")
        return json.dumps(self.document(), indent=indent, separators=separators)

    def size_problems(self) -> list[Problem]:
        """A problem when the minified document exceeds the quota (its ``prop`` is
        ``document``: the lists that make it up are too long together)."""
        size = len(self.to_json())
        if size <= self.SIZE_LIMIT:
            return []
        return [Problem(
            "document",
            self.TOO_LARGE,
            f"the {self.KIND} is {size} characters minified, over the {self.SIZE_LIMIT}-"
            f"character {self.KIND} limit: {self.SHORTEN}",
        )]


@dataclass(frozen=True)
class ScpException(OrganizationPolicy):
    """What the SCP keeps in the VPC, whom it exempts, and who administers the tag.

    Attributes:
        tag_key: the principal tag that exempts a pipeline role.
        tag_value: the value the tag must have.
        vpc_ids: VPCs whose requests keep S3 access (``aws:SourceVpc``).
        vpc_endpoint_ids: VPC endpoints whose requests keep S3 access (``aws:SourceVpce``).
        tag_admin_principal_arns: the roles that may set or remove the tag and change
            tagged roles (role ARNs, ``*`` allowed for the account and in the name after a
            literal start, e.g. the CDK deployment roles
            ``arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*``); see
            :func:`admin_problems`.
    """

    KIND: ClassVar[str] = "SCP"
    SIZE_LIMIT: ClassVar[int] = SCP_SIZE_LIMIT
    TOO_LARGE: ClassVar[str] = "scpTooLarge"
    SHORTEN: ClassVar[str] = ("list fewer VPCs, VPC endpoints or tag admins (e.g. one admin "
                              "ARN with a wildcard instead of several)")

    tag_key: str
    tag_value: str
    vpc_ids: tuple[str, ...] = ()
    vpc_endpoint_ids: tuple[str, ...] = ()
    tag_admin_principal_arns: tuple[str, ...] = ()

    def problems(self) -> list[Problem]:
        """Every reason the exception cannot be written."""
        problems = tag_problems(self.tag_key, self.tag_value, prop="tag")
        if not self.vpc_ids and not self.vpc_endpoint_ids:
            problems.append(Problem(
                "vpc_ids",
                "noVpcOrEndpoint",
                "vpc_ids and vpc_endpoint_ids are both empty: name the VPCs or VPC endpoints "
                "that keep S3 access, or the SCP would deny S3 to every untagged principal",
            ))
        problems += _malformed(
            "vpc_ids", self.vpc_ids, _VPC, "notAVpcId", "a VPC id (vpc-0abc12345...)"
        )
        problems += _malformed(
            "vpc_endpoint_ids",
            self.vpc_endpoint_ids,
            _VPCE,
            "notAVpcEndpointId",
            "a VPC endpoint id (vpce-...)",
        )
        if not self.tag_admin_principal_arns:
            problems.append(Problem(
                "tag_admin_principal_arns",
                "empty",
                "tag_admin_principal_arns is empty: name the principals that may set the "
                "exception tag, among them the CloudFormation/CDK deployment roles that create "
                f"the pipeline roles (e.g. {ADMIN_EXAMPLE!r}), or deployments of tagged roles "
                "fail",
            ))
        problems += admin_problems(self.tag_admin_principal_arns)
        return problems

    def vpc_condition(self) -> dict[str, Any]:
        """The ``aws:SourceVpce`` / ``aws:SourceVpc`` values that keep S3 access."""
        where: dict[str, Any] = {}
        if self.vpc_endpoint_ids:
            where["aws:SourceVpce"] = list(self.vpc_endpoint_ids)
        if self.vpc_ids:
            where["aws:SourceVpc"] = list(self.vpc_ids)
        return where

    def statements(self) -> list[dict[str, Any]]:
        """The SCP's seven Deny statements (see the module docstring)."""
        admins = list(self.tag_admin_principal_arns)
        not_an_admin = {"aws:PrincipalArn": admins}
        tagged = {f"aws:ResourceTag/{self.tag_key}": self.tag_value}
        not_from_here = {
            f"aws:PrincipalTag/{self.tag_key}": self.tag_value, **self.vpc_condition()
        }
        keep_s3_in_vpc = {
            "Sid": "DenyS3DataOutsideTheVpcUnlessPipeline",
            "Effect": "Deny",
            "Action": list(S3_DATA_ACTIONS),
            "Resource": "*",
            # Deny only when every key differs (or is absent): not from a listed VPC or
            # endpoint, not a tagged pipeline role, and not a service acting for one.
            "Condition": {
                "StringNotEqualsIfExists": dict(sorted(not_from_here.items())),
                "BoolIfExists": {"aws:ViaAWSService": "false"},
            },
        }
        keep_sharing_in_vpc = {
            "Sid": "DenyS3SharingOutsideTheVpcUnlessAdmin",
            "Effect": "Deny",
            "Action": list(S3_SHARING_ACTIONS),
            "Resource": "*",
            # No aws:ViaAWSService exemption: CloudFormation sets it for every stack.
            "Condition": {
                "StringNotEqualsIfExists": dict(sorted(self.vpc_condition().items())),
                "ArnNotLike": not_an_admin,
            },
        }
        protect_tag = {
            "Sid": "DenyTheExceptionTagToAllButItsAdmins",
            "Effect": "Deny",
            "Action": list(TAGGING_ACTIONS),
            "Resource": "*",
            # IAM tag keys are case-insensitive: 'Team' and 'team' are one key.
            "Condition": {
                "ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": [self.tag_key]},
                "ArnNotLike": not_an_admin,
            },
        }
        protect_tagged_roles = {
            "Sid": "DenyChangesToExemptRolesToAllButAdmins",
            "Effect": "Deny",
            "Action": list(ROLE_CHANGES),
            "Resource": "*",
            "Condition": {"StringEquals": tagged, "ArnNotLike": not_an_admin},
        }
        pass_to_sagemaker_only = {
            "Sid": "DenyPassingExemptRolesButToSageMaker",
            "Effect": "Deny",
            "Action": "iam:PassRole",
            "Resource": "*",
            # StringNotEquals holds when the key is absent: a pass to no named service.
            "Condition": {
                "StringEquals": tagged,
                "StringNotEquals": {"iam:PassedToService": SAGEMAKER_SERVICE},
            },
        }
        protect_admins = {
            "Sid": "DenyAdminRolesToAllButAdmins",
            "Effect": "Deny",
            "Action": ["iam:CreateRole", *ROLE_CHANGES],
            "Resource": admins,
            "Condition": {"ArnNotLike": not_an_admin},
        }
        protect_library_policies = {
            "Sid": "DenyChangesToLibraryPoliciesToAllButAdmins",
            "Effect": "Deny",
            "Action": list(POLICY_CHANGES),
            "Resource": f"arn:*:iam::*:policy{LIBRARY_POLICY_PATH}*",
            "Condition": {"ArnNotLike": not_an_admin},
        }
        return [
            keep_s3_in_vpc,
            keep_sharing_in_vpc,
            protect_tag,
            protect_tagged_roles,
            pass_to_sagemaker_only,
            protect_admins,
            protect_library_policies,
        ]


def target_problems(target_ids: Sequence[str]) -> list[Problem]:
    """Every target id that is not a root, an OU or an account id."""
    problems = []
    for target in target_ids:
        if not any(pattern.fullmatch(target) for pattern, _ in _TARGET_FORMS):
            forms = ", ".join(form for _, form in _TARGET_FORMS)
            problems.append(
                Problem("target_ids", "notATarget", f"target_ids {target!r} is not {forms}")
            )
    return problems


def organization_problems(organization_id: str | None) -> list[Problem]:
    """A problem when ``organization_id`` is given and malformed."""
    if organization_id is None or _ORGANIZATION.fullmatch(organization_id):
        return []
    return [Problem(
        "organization_id",
        "notAnOrganizationId",
        f"organization_id {organization_id!r} is not an organization id (o-...)",
    )]


def _malformed(
    prop: str, values: Sequence[str], pattern: re.Pattern[str], code: str, form: str
) -> list[Problem]:
    return [
        Problem(prop, code, f"{prop} {value!r} is not {form}")
        for value in values
        if not pattern.fullmatch(value)
    ]
