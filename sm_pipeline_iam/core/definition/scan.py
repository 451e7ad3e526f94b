"""Scanning one value of a definition (a field's JSON, expressions included): its literal
strings, the parameters and steps it refers to (``{"Get": "Parameters.<name>"}``,
``{"Get": "Steps.<name>..."}``, the references of the pipeline definition JSON schema,
https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/),
and the objects of a list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def parameters_referred(value: Any) -> Iterator[str]:
    """The names of the pipeline parameters a definition value refers to."""
    if isinstance(value, dict):
        reference = value.get("Get")
        if isinstance(reference, str) and reference.startswith("Parameters."):
            yield reference.removeprefix("Parameters.")
        for item in value.values():
            yield from parameters_referred(item)
    elif isinstance(value, list):
        for item in value:
            yield from parameters_referred(item)


def steps_referred(value: Any) -> Iterator[str]:
    """The names of the steps a definition value refers to (``{"Get": "Steps.<name>..."}``,
    inside expressions too)."""
    if isinstance(value, dict):
        reference = value.get("Get")
        if isinstance(reference, str) and reference.startswith("Steps."):
            yield reference.split(".")[1]
        for item in value.values():
            yield from steps_referred(item)
    elif isinstance(value, list):
        for item in value:
            yield from steps_referred(item)


def literals(value: Any) -> Iterator[str]:
    """Every literal string in a definition value (inside expressions too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            # A Get names a reference and a JsonGet's Path a JSONPath, not values.
            if key not in ("Get", "Path"):
                yield from literals(item)
    elif isinstance(value, list):
        for item in value:
            yield from literals(item)


def objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a list (none when ``value`` is no list)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
