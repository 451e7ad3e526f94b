"""`explain` output: golden files of the fixture definitions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from sm_pipeline_iam.core.definition import read_definition
from sm_pipeline_iam.review.explain import to_data, to_json, to_text
from support.golden import TextSnapshot

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "definitions"
NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", NAMES)
def test_explain_text_matches_its_golden_file(name: str, snapshot: SnapshotAssertion) -> None:
    """GIVEN a fixture definition WHEN explained THEN the text equals its golden file."""
    assert to_text(read_definition(FIXTURES / f"{name}.json")) == snapshot.use_extension(
        TextSnapshot
    )


def test_json_is_the_same_data_as_the_text() -> None:
    """GIVEN a reading WHEN written as JSON THEN the same data, parseable."""
    reading = read_definition(FIXTURES / "integrations.json")
    assert json.loads(to_json(reading)) == json.loads(json.dumps(to_data(reading)))
    assert to_data(reading)["unresolved"][0]["parameters"] == ["Parameters.ScoresPrefix"]
