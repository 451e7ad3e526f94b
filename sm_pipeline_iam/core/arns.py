"""The grammar of the AWS identifiers the library reads: IAM role ARNs and ECR image URIs.

Each grammar is written once here; its variants (a role ARN pattern with wildcards, the
image URI of one repository) are derived from it, so a fix reaches every reader. No CDK
import.
"""

from __future__ import annotations

import re

#: An ARN's partition (``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-iso-b``...).
PARTITION = r"aws[a-z-]*"
ACCOUNT = r"\d{12}"

#: The characters of a role's path and name, but ``-`` (kept last in a class): IAM API
#: Reference, CreateRole, Request Parameters (RoleName ``[\w+=,.@-]+``; Path ``/...//``):
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
_ROLE_CHARACTERS = r"\w+=,.@/"


def role_arn(*, any_account: bool = False, wildcards: bool = False) -> re.Pattern[str]:
    """The pattern of a role's ARN: group 1 is the account, group ``name`` the role's path
    and name.

    Args:
        any_account: ``*`` may stand for the account. Default False.
        wildcards: ``*`` and ``?`` may stand in the path and name, as in an ARN pattern of
            a policy condition (``aws:PrincipalArn``). Default False: one role's ARN.
    """
    account = rf"({ACCOUNT}|\*)" if any_account else rf"({ACCOUNT})"
    characters = _ROLE_CHARACTERS + ("*?" if wildcards else "")
    return re.compile(rf"arn:{PARTITION}:iam::{account}:role/(?P<name>[{characters}-]+)")


#: One role's ARN (no wildcard, a 12-digit account).
ROLE_ARN = role_arn()

#: An ECR registry in an image URI: account, region and domain suffix, each a group (AWS
#: page "Docker Registry Paths and Example Code" for SageMaker's images; the ``.cn``
#: suffix in the China regions).
_REGISTRY = rf"({ACCOUNT})\.dkr\.ecr\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?)"
#: The optional tag or digest after an image's repository.
_TAG_OR_DIGEST = r"(?::[\w.-]+|@sha256:[0-9a-f]{64})?"


def image_uri(repository: str) -> str:
    """The pattern text of an ECR image URI whose repository matches ``repository`` (a
    regular expression): groups account, region, domain suffix, then those of
    ``repository``; the tag or digest is matched and dropped."""
    return rf"{_REGISTRY}/{repository}{_TAG_OR_DIGEST}"


#: Any ECR image URI: groups account, region, domain suffix and repository.
IMAGE_URI = re.compile(image_uri(r"([a-z0-9._/-]+?)"))
