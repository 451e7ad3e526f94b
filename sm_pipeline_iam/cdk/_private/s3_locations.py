"""S3 location props (``json_get_locations``, Cleanup folders) as ``s3://`` strings for the
core: a string, a bucket construct or an :class:`~sm_pipeline_iam.cdk.locations.S3Location`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from ...core.errors import Problem
from ...core.execution_role.requirements import GivenResources
from ..locations import S3Location, S3LocationLike
from .duck_types import is_bucket
from .messages import shown
from .tokens import StableTokens, is_token

#: The forms of an S3 location prop, for messages.
LOCATION_FORMS = ("S3 locations: 's3://bucket/prefix' (the bucket may be a token, e.g. "
                  "f's3://{bucket.bucket_name}/prefix'), an s3.IBucket, or "
                  "S3Location.bucket(bucket, 'prefix')")


def is_location(value: object) -> bool:
    return isinstance(value, str | S3Location) or is_bucket(value)


def location_uri(prop: str, value: S3LocationLike, problems: list[Problem]) -> str | None:
    """``s3://bucket/prefix`` of a location prop's item (a string, a bucket, an
    ``S3Location``), or None and a problem. A string that is one token as a whole is
    refused: the bucket and the key prefix cannot be told apart in it at synth."""
    if isinstance(value, S3Location):
        bucket, prefix = value.bucket_name, value.prefix
        if not isinstance(bucket, str) or not bucket or not isinstance(prefix, str):
            problems.append(Problem(prop, "notAnS3Location",
                                    f"{prop} holds {value!r}: give a bucket (s3.IBucket or "
                                    "its name) and a prefix string"))
            return None
        key = prefix.strip("/")
        return f"s3://{bucket}/{key}" if key else f"s3://{bucket}"
    if is_bucket(value):
        return f"s3://{value.bucket_name}"  # type: ignore[union-attr]
    if not isinstance(value, str):
        problems.append(Problem(prop, "notAnS3Location", f"{prop} holds {shown(value)}: give "
                                f"{LOCATION_FORMS}"))
        return None
    if is_token(value) and not value.startswith("s3://"):
        problems.append(Problem(prop, "tokenLocation", (
            f"{prop} holds {value!r}, one token for the whole location: its bucket and key "
            "prefix cannot be told apart at synth, so the grant could not be scoped; pass the "
            "bucket construct: S3Location.bucket(bucket, 'prefix') (or "
            "f's3://{bucket.bucket_name}/prefix')"
        )))
        return None
    return value


def location_uris(prop: str, values: Sequence[S3LocationLike], problems: list[Problem],
                  stable: StableTokens) -> list[str]:
    """The ``s3://`` strings of a location prop's items (tokens hinted by ``stable``)."""
    uris = [location_uri(prop, value, problems) for value in values]
    return [stable(uri) for uri in uris if uri is not None]


def given_with_uris(resources: GivenResources | None, problems: list[Problem],
                    stable: StableTokens) -> GivenResources | None:
    """``resources`` with its Cleanup locations as ``s3://`` strings, tokens hinted."""
    if resources is None:
        return None
    changes: dict[str, Any] = {
        field.name: tuple(stable(value) for value in getattr(resources, field.name))
        for field in dataclasses.fields(GivenResources) if field.name != "cleanup_locations"
    }
    changes["cleanup_locations"] = tuple(location_uris(
        "cleanup_locations", resources.cleanup_locations, problems, stable))
    return dataclasses.replace(resources, **changes)

