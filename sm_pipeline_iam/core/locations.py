"""S3 locations: the objects that JsonGet reads and that Cleanup steps delete."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import Problem

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")


@dataclass(frozen=True, order=True)
class S3ObjectPattern:
    """Objects of one bucket whose keys match ``key_pattern`` (IAM wildcards allowed)."""

    bucket: str
    key_pattern: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key_pattern}"


def parse_s3_folder(uri: str, *, prop: str) -> tuple[S3ObjectPattern | None, list[Problem]]:
    """Read ``s3://bucket[/prefix]`` as the objects under that folder.

    ``s3://bucket/reports`` and ``s3://bucket/reports/`` both mean ``reports/*``: a
    bare prefix would also match ``reports-old/``. Wildcards are refused so that every
    grant is written out on purpose.

    Returns:
        The pattern, or None and the problems that prevent it.
    """
    form = "give s3://bucket or s3://bucket/key-prefix (e.g. 's3://ml-artifacts/evaluation')"
    if not uri.startswith("s3://"):
        return None, [Problem(prop, "notAnS3Uri", f"{prop} {uri!r} is not an S3 URI: {form}")]
    bucket, _, key = uri[len("s3://") :].partition("/")
    problems: list[Problem] = []
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        problems.append(Problem(
            prop,
            "invalidBucketName",
            f"{prop} {uri!r} names bucket {bucket!r}, which is not a valid bucket name "
            "(3-63 lower-case letters, digits, dots and hyphens): " + form,
        ))
    if any(char in key for char in "*?"):
        problems.append(Problem(
            prop,
            "wildcard",
            f"{prop} {uri!r} contains a wildcard: every object under the prefix is "
            f"already included; {form}",
        ))
    if problems:
        return None, problems
    folder = key.strip("/")
    return S3ObjectPattern(bucket, f"{folder}/*" if folder else "*"), []
