"""The request fields of the SageMaker create APIs whose requests a step's ``Arguments``
hold, so that a misspelled key (``ProcessingOutputs`` for ``ProcessingOutputConfig``) is
named instead of silently ignored. No CDK import.

``api_fields.json`` lists each API's top-level request members as the SageMaker API
reference (the service model that botocore ships) defines them; a test keeps it equal to
the installed botocore's.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from functools import cache
from importlib import resources


@cache
def api_fields() -> dict[str, frozenset[str]]:
    """API name -> its request's top-level members."""
    text = resources.files(__package__).joinpath("api_fields.json").read_text()
    return {api: frozenset(members) for api, members in json.loads(text).items()}


def unknown_fields(apis: Iterable[str], keys: Iterable[str]) -> list[tuple[str, str | None]]:
    """Each key that none of ``apis`` takes, with the closest field it may mean (or None)."""
    known: set[str] = set()
    for api in apis:
        known |= api_fields()[api]
    if not known:
        return []
    return [(key, _closest(key, known)) for key in sorted(set(keys) - known)]


def _closest(key: str, known: Iterable[str]) -> str | None:
    # A misspelling keeps the start of the field it means (ProcessingOutputs ->
    # ProcessingOutputConfig, not ProcessingInputs): the longest shared start wins, then
    # the closest spelling.
    def likeness(field: str) -> tuple[int, float]:
        shared = next(
            (i for i, (a, b) in enumerate(zip(key.lower(), field.lower(), strict=False)) if a != b),
            min(len(key), len(field)),
        )
        return shared, difflib.SequenceMatcher(None, key, field).ratio()

    best = max(sorted(known), key=likeness)
    shared, ratio = likeness(best)
    return best if shared >= 4 or ratio >= 0.6 else None
