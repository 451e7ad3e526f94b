"""Duck-typed checks of the CDK interfaces the props take: a jsii interface (``iam.IRole``,
``s3.IBucket``) cannot be checked with ``isinstance``."""

from __future__ import annotations


def is_role(value: object) -> bool:
    """Duck-typed ``iam.IRole`` (jsii interfaces cannot be checked with ``isinstance``)."""
    return isinstance(getattr(value, "role_arn", None), str) and hasattr(value, "grant_pass_role")


def is_principal(value: object) -> bool:
    """Duck-typed ``iam.IPrincipal``."""
    return hasattr(value, "add_to_principal_policy") and hasattr(value, "policy_fragment")


def is_bucket(value: object) -> bool:
    """Duck-typed ``s3.IBucket``."""
    return isinstance(getattr(value, "bucket_name", None), str) and hasattr(value, "bucket_arn")
