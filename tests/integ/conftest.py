"""Marks every test collected under ``tests/integ`` with ``integ``."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Add the ``integ`` marker to each item whose file is in this directory (the hook
    sees every item of the session, not only this directory's)."""
    inside: dict[Path, bool] = {}  # resolved once per file, not per item
    for item in items:
        if item.path not in inside:
            inside[item.path] = item.path.resolve().is_relative_to(HERE)
        if inside[item.path]:
            item.add_marker(pytest.mark.integ)
