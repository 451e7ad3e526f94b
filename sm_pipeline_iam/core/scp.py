"""The organization side of the JsonGet exception: an SCP as plain data. No CDK import.

When an organization's SCP keeps S3 inside its VPCs, a pipeline's ``JsonGet`` reads of S3
(made by SageMaker Pipelines, outside the VPC) need an exception keyed on a unique
principal tag of the pipeline's role (AWS page, "Service Control Policies with
Pipelines"). An exception keyed on a tag is only as strong as the control over who may
set that tag, so the same SCP denies setting, changing or removing that tag key, on roles
and users and in session tags, to everyone but the tag administrators.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import Problem
from .tags import tag_problems

#: SCP quotas (AWS Organizations): characters of the document, whitespace included, and
#: SCPs attached to one root, OU or account.
SCP_SIZE_LIMIT = 5_120
SCPS_PER_TARGET = 5

#: The S3 data actions kept inside the VPC (object reads and writes, listings).
S3_DATA_ACTIONS: tuple[str, ...] = (
    "s3:AbortMultipartUpload",
    "s3:DeleteObject*",
    "s3:GetObject*",
    "s3:ListBucket*",
    "s3:ListMultipartUploadParts",
    "s3:PutObject*",
    "s3:RestoreObject",
)

#: Every way to put a tag key on a principal: IAM role and user tags (at creation and
#: later), and session tags, which also show up as aws:PrincipalTag.
TAGGING_ACTIONS: tuple[str, ...] = (
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:TagRole",
    "iam:TagUser",
    "iam:UntagRole",
    "iam:UntagUser",
    "sts:TagSession",
)

_TARGET_FORMS = (
    (re.compile(r"r-[0-9a-z]{4,32}"), "a root (r-...)"),
    (re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}"), "an OU (ou-...-...)"),
    (re.compile(r"\d{12}"), "an account (12 digits)"),
)
_VPC = re.compile(r"vpc-[0-9a-f]{8,17}")
_VPCE = re.compile(r"vpce-[0-9a-f]{8,17}")
_ORGANIZATION = re.compile(r"o-[a-z0-9]{10,32}")
_PRINCIPAL_ARN = re.compile(r"arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):[\w+=,.@/*:-]+")


@dataclass(frozen=True)
class ScpException:
    """What the SCP keeps in the VPC, whom it exempts, and who administers the tag.

    Attributes:
        tag_key: the principal tag that exempts a pipeline role.
        tag_value: the value the tag must have.
        vpc_ids: VPCs whose requests keep S3 access (``aws:SourceVpc``).
        vpc_endpoint_ids: VPC endpoints whose requests keep S3 access (``aws:SourceVpce``).
        tag_admin_principal_arns: principals that may set or remove the tag (ARNs, ``*``
            allowed for the account and in the name, e.g. the CDK deployment roles
            ``arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*``).
    """

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
                "the pipeline roles (e.g. 'arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*'), "
                "or deployments of tagged roles fail",
            ))
        problems += _malformed(
            "tag_admin_principal_arns",
            self.tag_admin_principal_arns,
            _PRINCIPAL_ARN,
            "notAnArn",
            "an IAM principal ARN (arn:aws:iam::111122223333:role/name)",
        )
        return problems

    def statements(self) -> list[dict[str, Any]]:
        """The SCP's two statements: keep S3 in the VPC; protect the exception tag."""
        not_from_here: dict[str, Any] = {f"aws:PrincipalTag/{self.tag_key}": self.tag_value}
        if self.vpc_endpoint_ids:
            not_from_here["aws:SourceVpce"] = list(self.vpc_endpoint_ids)
        if self.vpc_ids:
            not_from_here["aws:SourceVpc"] = list(self.vpc_ids)
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
        protect_tag = {
            "Sid": "DenyTheExceptionTagToAllButItsAdmins",
            "Effect": "Deny",
            "Action": list(TAGGING_ACTIONS),
            "Resource": "*",
            # IAM tag keys are case-insensitive: 'Team' and 'team' are one key.
            "Condition": {
                "ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": [self.tag_key]},
                "ArnNotLike": {"aws:PrincipalArn": list(self.tag_admin_principal_arns)},
            },
        }
        return [keep_s3_in_vpc, protect_tag]

    def document(self) -> dict[str, Any]:
        """The SCP document."""
        return {"Version": "2012-10-17", "Statement": self.statements()}

    def to_json(self, indent: int | None = None) -> str:
        """The SCP as JSON text; minified (what counts against the limit) by default."""
        separators = (",", ":") if indent is None else (",", ": ")
        return json.dumps(self.document(), indent=indent, separators=separators)

    def size_problems(self) -> list[Problem]:
        """A problem when the minified document exceeds the SCP size limit (its ``prop`` is
        ``document``: the lists that make it up are too long together)."""
        size = len(self.to_json())
        if size <= SCP_SIZE_LIMIT:
            return []
        return [Problem(
            "document",
            "scpTooLarge",
            f"the SCP is {size} characters minified, over the {SCP_SIZE_LIMIT}-character "
            "SCP limit: list fewer VPCs, VPC endpoints or tag admins (e.g. one admin ARN "
            "with a wildcard instead of several)",
        )]


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
