"""Comparing what was read back with what a template says: differences as messages."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def error_code(error: Any) -> str:
    """A botocore ``ClientError``'s code."""
    return str(error.response.get("Error", {}).get("Code", ""))


def diff(what: str, deployed: Any, expected: Any) -> list[str]:
    """One message when ``deployed`` is not ``expected``, none when equal."""
    if deployed == expected:
        return []
    return [f"{what} differs:\n    deployed: {deployed!r}\n    template: {expected!r}"]


def tags_of(tags: Sequence[Mapping[str, str]] | None) -> dict[str, str]:
    """``[{Key, Value}]`` as a dict."""
    return {tag["Key"]: tag["Value"] for tag in tags or []}


def as_document(value: Any) -> Any:
    """A policy document as JSON data (IAM may return it as text)."""
    return json.loads(value) if isinstance(value, str) else value


def first_difference(
    deployed: Any, expected: Any, at: str = "", *, expected_as: str = "template"
) -> str | None:
    """Where two JSON values first differ (``Steps[2].Arguments.RoleArn``), None if equal;
    ``expected_as`` names the expected value in the message."""
    if isinstance(deployed, dict) and isinstance(expected, dict):
        for key in [*expected, *(k for k in deployed if k not in expected)]:
            if key not in deployed or key not in expected:
                return f"{at}.{key}".lstrip(".") + (" missing" if key in expected else " extra")
            if found := first_difference(
                deployed[key], expected[key], f"{at}.{key}", expected_as=expected_as
            ):
                return found
        return None
    if isinstance(deployed, list) and isinstance(expected, list):
        for index, (left, right) in enumerate(zip(deployed, expected, strict=False)):
            if found := first_difference(left, right, f"{at}[{index}]", expected_as=expected_as):
                return found
        if len(deployed) != len(expected):
            return f"{at.lstrip('.')} has {len(deployed)} items, not {len(expected)}"
        return None
    if deployed == expected and type(deployed) is type(expected):
        return None
    return f"{at.lstrip('.')}: deployed {deployed!r}, {expected_as} {expected!r}"


def definition_diff(deployed: str, expected: str) -> list[str]:
    """A pipeline definition's text compared with the template's, briefly (the texts are
    long): where their JSON first differs."""
    if deployed == expected:
        return []
    try:
        where = first_difference(json.loads(deployed), json.loads(expected))
    except ValueError as error:
        where = f"not JSON ({error})"
    return [f"PipelineDefinition differs: {where or 'same JSON, other text'}"]

