"""The definition reader, split by concern into modules of ``core.definition``, keeps every
public name it had importable from ``core.definition.reader``: the same objects as in their
new homes."""

from __future__ import annotations

import importlib

import pytest

from sm_pipeline_iam.core.definition import reader

#: Each name ``core.definition.reader`` held before the split -> the module it lives in now.
MOVED = {
    "ANY_VALUE": "parameters",
    "BOUND": "parameters",
    "DEFAULT": "parameters",
    "NO_GRANT": "parameters",
    "ParameterScope": "parameters",
    "parameter_choice_problems": "parameters",
    "parameter_defaults": "parameters",
    "parameter_names": "parameters",
    "unknown_parameter_problems": "parameters",
    "DEFINITION_LIMIT": "loading",
    "load_definition": "loading",
    "max_nesting": "loading",
    "DefinitionReading": "results",
    "JobScope": "results",
    "STEP_NAME_PREFIX_LENGTH": "names",
    "coarsened": "names",
    "option_shape_problems": "options",
    "all_steps": "walk",
    "values_at": "paths",
    "STEP_NAME": "reader",
    "STEP_NAME_LIMIT": "reader",
    "read_definition": "reader",
}


def test_the_reader_exports_exactly_its_old_names() -> None:
    """GIVEN the reader's __all__ WHEN compared with the names it held before the split
    THEN they are the same names."""
    assert set(reader.__all__) == set(MOVED)


@pytest.mark.parametrize(("name", "module"), sorted(MOVED.items()))
def test_an_old_name_is_the_object_of_its_new_home(name: str, module: str) -> None:
    """GIVEN a name the reader held WHEN taken from the reader and from its new module
    THEN both are the same object."""
    home = importlib.import_module(f"sm_pipeline_iam.core.definition.{module}")
    assert getattr(reader, name) is getattr(home, name)
