"""One snapshot per scenario: a reviewed template, and the logical ids it promises.

Snapshots change only on purpose: `pytest --snapshot-update`, then read the diff. A
changed logical id replaces a role in production.
"""

from __future__ import annotations

from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from support.scenarios import SCENARIOS


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_template_matches_the_reviewed_snapshot(
    name: str, synthesized: dict[str, dict[str, Any]], snapshot_json: SnapshotAssertion
) -> None:
    """GIVEN a scenario WHEN synthesized THEN the template equals its reviewed snapshot."""
    assert synthesized[name] == snapshot_json
