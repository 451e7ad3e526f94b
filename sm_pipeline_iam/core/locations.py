"""S3 locations: the objects that JsonGet reads and that Cleanup steps delete, and the one
rule by which a job's S3 location becomes the objects (and listings) its role is granted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, unique

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
    return folder_objects(bucket, key.strip("/")), []


def folder_objects(bucket: str, folder: str) -> S3ObjectPattern:
    """The objects under ``folder`` (a key; a trailing ``/`` is dropped): ``<folder>/*``,
    and at the bucket's root (``folder`` empty: ``s3://b`` and ``s3://b/`` both name it)
    every object of the bucket, ``*``. A job writes an output location's objects under it:
    a processing output ``s3://b`` writes ``b/part-0.csv``, a training job whose
    ``S3OutputPath`` is ``s3://b/`` writes ``b/<job name>/output/model.tar.gz`` (AWS API
    reference, ``ProcessingS3Output.S3Uri`` and ``OutputDataConfig.S3OutputPath``)."""
    folder = folder.rstrip("/")
    return S3ObjectPattern(bucket, f"{folder}/*" if folder else "*")


@unique
class ReadForm(Enum):
    """What an S3 location a job reads names."""

    #: One object (a manifest, a code archive, ``S3Object`` model data): that object only,
    #: no listing.
    OBJECT = "object"
    #: An object, or a folder of objects (a model artifact ``ModelDataUrl``, a ``JobRole``
    #: input): the object and the objects under ``<key>/``, never its siblings
    #: (``data/train`` does not reach ``data/train-old``).
    OBJECT_OR_FOLDER = "object-or-folder"
    #: A key-name prefix (``S3DataType: S3Prefix``, the default): every object whose key
    #: starts with it, ``data/train-old/x.csv`` too for ``s3://b/data/train``; a URI ending
    #: with ``/`` is a folder. "If you choose S3Prefix, S3Uri identifies a key name prefix.
    #: SageMaker uses all objects that match the specified key name prefix" (AWS API
    #: reference: S3DataSource, ProcessingS3Input, TransformS3DataSource,
    #: AutoMLS3DataSource); the job lists the bucket with that prefix.
    KEY_PREFIX = "key-prefix"


def read_grants(
    bucket: str, key: str, form: ReadForm
) -> tuple[list[S3ObjectPattern], list[tuple[str, str]]]:
    """The objects a job reads at ``s3://<bucket>/<key>`` read as ``form``, and the
    ``(bucket, s3:prefix pattern)`` it lists. At the bucket's root (an empty key) every
    object of the bucket and every prefix; an ``OBJECT`` there names nothing."""
    if form is ReadForm.OBJECT:
        return ([S3ObjectPattern(bucket, key)] if key else []), []
    if form is ReadForm.KEY_PREFIX:
        # 'train' -> 'train*', a folder 'train/' -> 'train/*', the root -> '*'.
        prefix = key if key.endswith("*") else f"{key}*"
        return [S3ObjectPattern(bucket, prefix)], [(bucket, prefix)]
    folder = key.rstrip("/")
    under = folder_objects(bucket, folder)
    if not folder:
        return [under], [(bucket, "*")]
    return [S3ObjectPattern(bucket, folder), under], [(bucket, folder), (bucket, under.key_pattern)]
