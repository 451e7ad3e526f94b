"""S3 locations: the objects that JsonGet reads and that Cleanup steps delete."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import Problem


@dataclass(frozen=True, order=True)
class S3ObjectPattern:
    """Objects of one bucket whose keys match ``key_pattern`` (IAM wildcards allowed)."""

    bucket: str
    key_pattern: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key_pattern}"


def bucket_name_problems(name: str) -> list[str]:
    """What S3's naming rules for general purpose buckets say against ``name`` (AWS page
    "General purpose bucket naming rules"); empty when it is a valid name."""
    reasons = []
    if not 3 <= len(name) <= 63:
        reasons.append(f"it is {len(name)} characters, not 3 to 63")
    if re.search(r"[^a-z0-9.\-]", name):
        reasons.append("it holds characters other than lower-case letters, digits, dots "
                       "and hyphens")
    if name and not (name[0].isalnum() and name[-1].isalnum()):
        reasons.append("it does not begin and end with a letter or digit")
    if ".." in name:
        reasons.append("it holds two adjacent dots")
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3}){3}", name):
        reasons.append("it is formatted as an IP address")
    reasons += [f"it starts with the reserved prefix {prefix!r}"
                for prefix in ("xn--", "sthree-", "amzn-s3-demo-") if name.startswith(prefix)]
    reasons += [f"it ends with the reserved suffix {suffix!r}"
                for suffix in ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
                if name.endswith(suffix)]
    return reasons


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
    reasons = bucket_name_problems(bucket)
    if reasons:
        problems.append(Problem(
            prop,
            "invalidBucketName",
            f"{prop} {uri!r} names bucket {bucket!r}, which is not a valid bucket name "
            f"({'; '.join(reasons)}): " + form,
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
