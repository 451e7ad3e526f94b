"""Each step type's test data: one file per step type in ``tests/fixtures/step_types/``.

The facts in these files are written from AWS's pages and from what SDK v3 writes into
definitions (the folder's README gives each field's source), never from the catalog; the
tests that must cover every step type walk the catalog and look its data up here, so a new
step type is its catalog row plus its own data file, and a step type without one fails.
``SM_PIPELINE_IAM_STEP_TYPE_DATA`` points the tests at another folder (the proof that a
new step type needs nothing else, ``tests/test_new_step_type.py``, uses it).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from sm_pipeline_iam.core.catalog.steps import StepType

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "step_types"


def folder() -> Path:
    """Where the data files are: the environment's folder, else the committed one."""
    return Path(os.environ.get("SM_PIPELINE_IAM_STEP_TYPE_DATA", DEFAULT_FOLDER))


@cache
def all_data() -> dict[str, dict[str, Any]]:
    """Step type string -> its data (each file is named after its ``type``)."""
    data = {}
    for path in sorted(folder().glob("*.json")):
        entry = json.loads(path.read_text())
        assert entry["type"] == path.stem, f"{path.name} holds the data of {entry['type']}"
        data[entry["type"]] = entry
    return data


def data_for(step_type: StepType) -> dict[str, Any]:
    """The data of one step type; a clear failure when the step type has none."""
    try:
        return all_data()[step_type.value]
    except KeyError:
        raise AssertionError(
            f"step type {step_type.value} has no test data: add "
            f"{folder() / (step_type.value + '.json')} (see the README beside it)"
        ) from None


def documented(field: str) -> dict[StepType, Any]:
    """Step type -> the value of ``field``, for the step types whose data gives it."""
    return {StepType(name): entry[field] for name, entry in all_data().items() if field in entry}
