"""Reconcile a pipeline's roles with a real run: read the CloudTrail records of its
executions and report the denied calls with their fixes, the calls the access plan did not
predict, and the grants the executions never used.

One job per module: :mod:`.trail` reads the files, :mod:`.calls` reads a record's call,
:mod:`.pipelines` reads the pipelines (an assembly, or a definition and its bindings),
:mod:`.matching` matches calls to roles, steps and the plan, :mod:`.compare` compares
them, :mod:`.output` writes the report. No CDK import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from .compare import Reconciler, Result
from .pipelines import PipelineModel
from .trail import TrailFileError, read_records, trail_files


def reconcile(models: Sequence[PipelineModel], paths: Iterable[Path]
              ) -> tuple[Result, list[TrailFileError]]:
    """The reconciliation of ``models`` with the records under ``paths`` (files or
    folders), read one record at a time, and the files that could not be read (one error
    each; the records of a file read before its error are counted, so a caller must not
    present the result as complete when there are errors)."""
    reconciler = Reconciler(models)
    errors: list[TrailFileError] = []
    for path in trail_files(paths):
        reconciler.files += 1
        try:
            for record in read_records(path):
                reconciler.add(record)
        except TrailFileError as error:
            errors.append(error)
    return reconciler.result(), errors


__all__ = ["Reconciler", "Result", "TrailFileError", "reconcile"]
