"""Old public module paths keep working for one release, with a DeprecationWarning."""

from __future__ import annotations

import importlib
import sys

import pytest

from sm_pipeline_iam import _deprecated


@pytest.mark.parametrize("old", sorted(_deprecated.MOVED_MODULES))
def test_a_moved_module_still_imports_with_a_warning(old: str) -> None:
    new = importlib.import_module(_deprecated.MOVED_MODULES[old])
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=old.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert module is new


@pytest.mark.parametrize(
    ("package", "name"),
    [("sm_pipeline_iam.core.definition", "read_definition"),
     ("sm_pipeline_iam.core.job_roles", "plan_job_roles")],
)
def test_a_name_of_a_module_that_became_a_package_is_forwarded(package: str, name: str) -> None:
    target = importlib.import_module(_deprecated.MOVED_PACKAGE_NAMES[package])
    with pytest.warns(DeprecationWarning, match=name):
        value = getattr(importlib.import_module(package), name)
    assert value is getattr(target, name)


@pytest.mark.parametrize(
    ("module", "name"),
    [(module, name) for module, names in sorted(_deprecated.MOVED_NAMES.items())
     for name in sorted(names)],
)
def test_a_name_that_moved_out_of_a_module_is_forwarded(module: str, name: str) -> None:
    target = importlib.import_module(_deprecated.MOVED_NAMES[module][name])
    with pytest.warns(DeprecationWarning, match=name):
        value = getattr(importlib.import_module(module), name)
    assert value is getattr(target, name)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        importlib.import_module("sm_pipeline_iam.core.definition").no_such_name  # noqa: B018

