"""S3 locations given to the constructs: a bucket (the construct or its name) and a key
prefix.

``S3Location`` is the neutral form (the execution role's ``JsonGet`` folders, Cleanup
folders); ``JobRoleLocation`` is the same for a job role's inputs and outputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, Union

from ._private.duck_types import is_bucket

if TYPE_CHECKING:
    from aws_cdk import aws_s3 as s3

__all__ = ["JobRoleLocation", "S3Location", "S3LocationLike"]


class S3Location:
    """An S3 location: a bucket and a key prefix (the CDK way to give a bucket construct).

    Example::

        S3Location.bucket(artifacts_bucket, "evaluation")   # s3.IBucket or bucket name
    """

    def __init__(self, bucket_name: str, prefix: str = "") -> None:
        self.bucket_name = bucket_name
        self.prefix = prefix

    @classmethod
    def bucket(cls, bucket: s3.IBucket | str, prefix: str = "") -> Self:
        """The objects under ``prefix`` (the whole bucket when empty) of ``bucket``.

        Anything but a bucket or its name is kept as it is, for the construct that takes
        the location to name as the problem."""
        if is_bucket(bucket):
            return cls(bucket.bucket_name, prefix)  # type: ignore[union-attr]
        return cls(bucket, prefix)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.bucket_name!r}, {self.prefix!r})"


class JobRoleLocation(S3Location):
    """An S3 location a job role reads or writes (``JobRole``'s ``inputs`` and
    ``outputs``): a bucket and a key prefix.

    Example::

        JobRoleLocation.bucket(data_bucket, "fraud/train")   # s3.IBucket or bucket name
    """


#: What a location prop takes: ``s3://bucket/prefix``, a bucket construct (all of it), or
#: an :class:`S3Location`.
S3LocationLike = Union[str, "s3.IBucket", S3Location]
