"""The role ARN and ECR image URI grammars, and their variants.

Expected values come from the IAM API Reference (CreateRole: role names and paths), the IAM
User Guide (ARN formats) and the AWS page "Docker Registry Paths and Example Code" (image
URIs), not from the patterns themselves.
"""

from __future__ import annotations

import re

import pytest

from sm_pipeline_iam.core.arns import IMAGE_URI, ROLE_ARN, image_uri, role_arn

ACCOUNT = "111122223333"


@pytest.mark.parametrize(("arn", "one_role", "pattern"), [
    (f"arn:aws:iam::{ACCOUNT}:role/step", True, True),
    (f"arn:aws-cn:iam::{ACCOUNT}:role/service-role/a+b=c,d.e@f_g-h", True, True),
    (f"arn:aws-us-gov:iam::{ACCOUNT}:role/path/to/name", True, True),
    (f"arn:aws:iam::{ACCOUNT}:role/*", False, True),
    (f"arn:aws:iam::{ACCOUNT}:role/cdk-?-exec", False, True),
    ("arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*", False, True),
    (f"arn:aws:iam::{ACCOUNT}:user/alice", False, False),
    ("arn:aws:iam::12345:role/step", False, False),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/step/session", False, False),
])
def test_role_arns_and_role_arn_patterns(arn: str, one_role: bool, pattern: bool) -> None:
    """GIVEN an ARN WHEN matched THEN ROLE_ARN takes one role's ARN only, and the pattern
    variant (any account, wildcards) also takes wildcards."""
    assert bool(ROLE_ARN.fullmatch(arn)) is one_role
    assert bool(role_arn(any_account=True, wildcards=True).fullmatch(arn)) is pattern


def test_a_role_arns_groups_are_its_account_and_name() -> None:
    """GIVEN a role ARN WHEN matched THEN group 1 is the account, ``name`` the path and name."""
    match = ROLE_ARN.fullmatch(f"arn:aws:iam::{ACCOUNT}:role/teams/a/step")
    assert match is not None
    assert (match.group(1), match.group("name")) == (ACCOUNT, "teams/a/step")


@pytest.mark.parametrize(("uri", "groups"), [
    (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/train:1.0",
     (ACCOUNT, "us-east-1", "amazonaws.com", "train")),
    (f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/team/train",
     (ACCOUNT, "cn-north-1", "amazonaws.com.cn", "team/train")),
    (f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/train@sha256:{'0' * 64}",
     (ACCOUNT, "eu-west-1", "amazonaws.com", "train")),
    ("docker.io/library/python:3.12", None),
    (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/Train", None),
])
def test_image_uris(uri: str, groups: tuple[str, ...] | None) -> None:
    """GIVEN an image URI WHEN matched THEN an ECR URI gives account, region, domain suffix
    and repository (tag or digest dropped); any other is refused."""
    match = IMAGE_URI.fullmatch(uri)
    assert (match.groups() if match else None) == groups


def test_the_image_uri_of_one_repository() -> None:
    """GIVEN one repository's pattern WHEN matched THEN its images in any region match, and
    no other repository's."""
    clarify = image_uri("sagemaker-clarify-processing")
    assert re.fullmatch(clarify, f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/"
                                 "sagemaker-clarify-processing:1.0")
    assert not re.fullmatch(clarify, f"{ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/"
                                     "sagemaker-clarify-processing-x:1.0")
