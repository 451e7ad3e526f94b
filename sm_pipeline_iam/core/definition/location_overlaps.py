"""Warnings where one step's S3 grant reaches another step's location that the definition
does not link: an input's key-name prefix that also covers another step's location, and a
write location whose run-time part (``*`` in IAM, which also matches ``/``) spans another
step's input. Each warning goes on the job whose grant is wide.

IAM's ``*`` matches any run of characters, ``/`` included, and ``?`` one character (IAM
User Guide, "IAM JSON policy elements: Resource",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html);
an ``S3Prefix`` input reads every object whose key starts with its URI (SageMaker API
Reference, S3DataSource,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_S3DataSource.html).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..locations import ReadForm
from ..notices import INPUT_PREFIX_OVERLAPS, WILDCARD_WRITE_COVERS, Notice
from .job_locations import JobLocation
from .state import ReadState


def prefix_overlaps(state: ReadState, locations: Sequence[JobLocation]) -> None:
    """Warn, on the reading job, where an input's key-name prefix also covers another
    step's S3 location beside the input's own folder (``s3://b/train`` reaches
    ``s3://b/train-eval/...``). Keys are compared as written, a run-time part (``*``)
    matching the same part of the other key (``fraud/*/train`` reaches
    ``fraud/*/train-eval``); a run-time bucket is compared with nothing."""
    by_step: dict[str, list[Notice]] = {}
    for wide in locations:
        if (wide.form is not ReadForm.KEY_PREFIX or wide.key.endswith(("/", "*"))
                or not wide.key or "*" in wide.bucket):
            continue
        for other in locations:
            rest = other.key.removeprefix(wide.key)
            if (other.step == wide.step or other.bucket != wide.bucket
                    or rest == other.key or not rest or rest.startswith("/")):
                continue
            by_step.setdefault(wide.step, []).append(Notice(
                INPUT_PREFIX_OVERLAPS,
                f"step {wide.step!r} field {wide.field}: input {wide.uri!r} is a "
                "key-name prefix (S3DataType S3Prefix), so SageMaker reads every object "
                f"whose key starts with it, step {other.step!r}'s {other.uri!r} "
                f"({other.field}) too: the definition links the two steps by the "
                f"prefix; end the input URI with '/' ('{wide.uri}/') to read the folder "
                "only, or move one of the locations",
            ))
    _add_job_notices(state, by_step)


def wildcard_write_overlaps(state: ReadState, locations: Sequence[JobLocation]) -> None:
    """Warn, on the writing job, where a write location's run-time part (``*``, which
    also matches ``/``) spans another step's read location that its literal text does
    not hold: ``s3://b/a/*/eval/`` reaches ``s3://b/a/<id>/train/eval/x``, read by the
    step whose input is ``s3://b/a/<id>/train``. A location written as the reader's own
    (a Get of the writer's output) is the link, and no notice."""
    by_step: dict[str, list[Notice]] = {}
    for write in locations:
        if write.form is not None or "*" not in write.key or "*" in write.bucket:
            continue
        written = f"{write.key.rstrip('/')}/*"
        for read in locations:
            if (read.form is None or read.step == write.step or read.bucket != write.bucket
                    or read.key.startswith(write.key.rstrip("/"))
                    or not _globs_meet(written, _read_glob(read))):
                continue
            by_step.setdefault(write.step, []).append(Notice(
                WILDCARD_WRITE_COVERS,
                f"step {write.step!r} field {write.field}: output {write.uri!r} holds a "
                "run-time value of unknown form, '*' in the grant, which also matches "
                f"'/': the role may write under step {read.step!r}'s input "
                f"{read.uri!r} ({read.field}), which the definition does not link; join "
                "the run-time value to literal parts that keep it in a folder of its "
                "own, or move one of the locations",
            ))
    _add_job_notices(state, by_step)


def _add_job_notices(state: ReadState, by_step: Mapping[str, list[Notice]]) -> None:
    """Add each step's notices to its own job (a job of that step alone)."""
    state.out.jobs = [
        replace(job, notices=tuple(dict.fromkeys((*job.notices, *by_step[job.step]))))
        if job.step in by_step and job.steps == (job.step,) else job
        for job in state.out.jobs
    ]


def _read_glob(location: JobLocation) -> str:
    """The keys a read location covers, as a glob: a key-name prefix every key that starts
    with it, a folder the keys under it, an object itself."""
    if location.form is ReadForm.KEY_PREFIX:
        return f"{location.key}*"
    if location.form is ReadForm.OBJECT:
        return location.key
    return f"{location.key}*" if location.key.endswith("/") else f"{location.key}/*"


def _globs_meet(first: str, second: str) -> bool:
    """True when some key matches both IAM globs (``*`` any run of characters, ``?`` one).

    ``meet[i][j]``: the rests ``first[i:]`` and ``second[j:]`` share a key; filled from the
    ends (keys run to 1,024 characters: no recursion)."""
    width = len(second) + 1
    meet = [[False] * width for _ in range(len(first) + 1)]
    for i in range(len(first), -1, -1):
        for j in range(len(second), -1, -1):
            if i < len(first) and first[i] == "*":
                meet[i][j] = meet[i + 1][j] or (j < len(second) and meet[i][j + 1])
            elif j < len(second) and second[j] == "*":
                meet[i][j] = meet[i][j + 1] or (i < len(first) and meet[i + 1][j])
            elif i == len(first) or j == len(second):
                meet[i][j] = i == len(first) and j == len(second)
            else:
                meet[i][j] = ("?" in (first[i], second[j]) or first[i] == second[j]) and (
                    meet[i + 1][j + 1])
    return meet[0][0]
