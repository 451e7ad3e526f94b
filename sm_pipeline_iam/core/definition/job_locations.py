"""The S3 locations a step's job touches, from the catalog's S3 fields: each as a bucket
and key with how the job reads it (a key-name prefix, a folder, an object, a manifest) or
that it writes there, and the objects and listings its role is granted for them; the
objects a manifest lists where ``manifest_locations`` declares them.

How SageMaker reads an input follows its ``S3DataType`` (``S3Prefix``, ``ManifestFile``,
``AugmentedManifestFile``; SageMaker API Reference, S3DataSource,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_S3DataSource.html); the role
a job runs as reads and writes these locations (AWS page "How to use SageMaker AI execution
roles", https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..catalog.schema import S3Access, S3Use
from ..locations import ReadForm, S3ObjectPattern, folder_objects, read_grants
from ..notices import MANIFEST_UNDECLARED, Notice
from .expressions import Pattern
from .state import ReadState
from .values import FieldValues


@dataclass(frozen=True)
class JobLocation:
    """An S3 location a step's job touches: its bucket and key (empty at the bucket's root,
    a trailing ``/`` kept), and how the job reads it (None: it writes there)."""

    step: str
    field: str
    bucket: str
    key: str
    form: ReadForm | None
    manifest: bool = False

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


#: How the job reads a location of each bare-URI input kind (READ's come from S3DataType).
_READ_FORMS = {
    S3Access.READ: ReadForm.KEY_PREFIX,
    S3Access.READ_URI: ReadForm.OBJECT_OR_FOLDER,
    S3Access.READ_OBJECT: ReadForm.OBJECT,
}


class JobLocations:
    """Reads the S3 locations of steps' jobs, and keeps every step's for the checks across
    steps.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
        manifest_folders: per step, the objects ``manifest_locations`` declares its
            manifests list.
    """

    def __init__(self, state: ReadState, values: FieldValues,
                 manifest_folders: Mapping[str, list[S3ObjectPattern]]) -> None:
        self._state = state
        self._values = values
        self._manifest_folders = manifest_folders
        #: Every S3 location of every step's job, and each step's manifest inputs.
        self.recorded: list[JobLocation] = []
        self._manifest_inputs: dict[str, list[str]] = {}

    @property
    def steps_with_manifests(self) -> list[str]:
        """The steps whose jobs read a manifest, sorted."""
        return sorted(self._manifest_inputs)

    def locations_of(
        self, name: str, field_name: str, value: Any, use: S3Use
    ) -> list[JobLocation]:
        """Each S3 location of one value, and how the job reads it (None: a write)."""
        form = _READ_FORMS.get(use.access)
        manifest = False
        if use.access is S3Access.READ:
            if not isinstance(value, dict):
                self._state.problem(f"{name}.{field_name}", "notAnObject",
                                    f"step {name!r} field {field_name} is not an S3 data "
                                    "source")
                return []
            data_type = str(value.get("S3DataType", "S3Prefix"))
            manifest = data_type.endswith("ManifestFile")
            form = ReadForm.OBJECT if manifest or data_type == "S3Object" else form
            field_name, value = f"{field_name}.S3Uri", value.get("S3Uri")
            if value is None:
                return []
        if not self._values.wildcard_free(name, field_name, value):
            return []
        found = []
        for pattern in self._values.patterns(name, field_name, value):
            pattern = _json_unquoted(pattern) if use.json_text else pattern
            if use.access is S3Access.READ_OBJECT and not _may_be_s3(pattern):
                continue
            location = self._values.s3_location(name, field_name, pattern)
            if location is None:
                continue
            bucket, key = location
            if form is ReadForm.OBJECT and not key:
                self._state.problem(f"{name}.{field_name}", "notAnObject",
                                    f"step {name!r} field {field_name}: {pattern.text!r} "
                                    "names a bucket, not an object")
                continue
            found.append(JobLocation(name, field_name, bucket, key, form, manifest))
        return found

    def add_use(
        self, access: S3Access, location: JobLocation, job_names: tuple[str, ...],
        reads: set[S3ObjectPattern], lists: set[tuple[str, str]], writes: set[S3ObjectPattern],
    ) -> None:
        """Add what the job's role needs for one location to ``reads``, ``lists`` and
        ``writes`` (a per-job output: under each of ``job_names``)."""
        bucket, key = location.bucket, location.key
        if location.form is not None:
            objects, listings = read_grants(bucket, key, location.form)
            reads.update(objects)
            lists.update(listings)
            if location.manifest:
                self._manifest_inputs.setdefault(location.step, []).append(location.uri)
        elif access is S3Access.WRITE:
            writes.add(folder_objects(bucket, key))
        elif access is S3Access.WRITE_PER_JOB:
            # '<S3OutputPath>/<job name>/...'; at the bucket's root '<job name>/...'.
            folder = key.rstrip("/")
            writes.update(folder_objects(bucket, f"{folder}/{job}" if folder else job)
                          for job in job_names)
        else:
            under = folder_objects(bucket, key)
            reads.add(under)
            writes.add(under)
            lists.add((bucket, under.key_pattern))

    def manifest_objects(self, name: str) -> Sequence[S3ObjectPattern]:
        """The objects the step's manifests list, where ``manifest_locations`` declares
        them; a warning for each manifest of a step without a declaration."""
        manifests = self._manifest_inputs.get(name, [])
        if not manifests:
            return []
        declared = self._manifest_folders.get(name)
        if declared is not None:
            return declared
        for uri in manifests:
            self._state.out.notices.append(Notice(
                MANIFEST_UNDECLARED,
                f"step {name!r}: input {uri!r} is a manifest, and SageMaker reads every "
                "object it lists with the job's role; the definition does not say where "
                "they lie, so the role grants the manifest only: declare their folders "
                f"with manifest_locations={{'{name}': ['s3://bucket/prefix']}}",
            ))
        return []


def _json_unquoted(pattern: Pattern) -> Pattern:
    """A value written as JSON text of a string (SDK v2's hyperparameters:
    ``"\"s3://b/k\""``) as the string it encodes; any other value as it is."""
    text = pattern.text
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return pattern
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        return pattern
    return replace(pattern, text=decoded) if isinstance(decoded, str) else pattern


def _may_be_s3(pattern: Pattern) -> bool:
    """Whether a value may be an S3 URI: a literal that starts with ``s3://``, or a pattern
    whose literal start is ``s3://...`` or could still become it (``s3``, or nothing
    before a run-time part). ``file://...``, ``/opt/ml/model/code`` or an empty string
    are paths the container or the SDK's machine holds: no S3 read."""
    if pattern.is_literal:
        return pattern.text.startswith("s3://")
    start = pattern.literal_prefix
    return start.startswith("s3://") or "s3://".startswith(start)
