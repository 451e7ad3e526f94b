"""Resolving step-to-step references: ``{"Get": "Steps.<name>.<path>"}`` in one step's value
(an endpoint's config name set by the step that made the config, a training step's model
artifacts) as the patterns of the value it names, so that a grant follows the link.

A reference to a step property the catalog describes (``TrainingJobName``,
``ModelArtifacts.S3ModelArtifacts``) is the value SageMaker gives it, from the step's job
names and arguments: the artifacts of a training job with ``S3OutputPath``
``s3://bucket/`` are at ``s3://bucket/<job>/output/model.tar.gz`` (AWS page "How Amazon
SageMaker AI Provides Training Information"). Any other reference is the literal (or
expression) the named step's ``Arguments`` hold there. Step properties are those of the AWS
page "Pipelines steps"
(https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps.html).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

from ..catalog.steps import spec_for
from ..execution_role.policy import PLACEHOLDERS
from .expressions import ExpressionError, Pattern, evaluate
from .names import JobNames
from .paths import values_at
from .scan import objects
from .state import ReadState
from .values import one_star, wildcard_free

#: A list index in a property path (``TrainingJobSummaries[0]``), matched as ``[*]``.
_PROPERTY_INDEX = re.compile(r"\[(?:\d+|'[^']*')\]")
#: A property template's literal text and ``{placeholder}`` parts.
_TEMPLATE = re.compile(r"([^{]*)\{([^}]*)\}")
#: A path part that picks a list item by index (``Outputs[0]``) or name (``Outputs['a']``).
_ITEM = re.compile(r"(\w+)\[(?:(\d+)|'([^']*)')\]")


class ReferenceResolver:
    """Evaluates definition values with their ``Steps.<name>...`` references resolved.

    Args:
        state: the reading in progress (a wildcard in a referred literal is a problem).
        names: the job names of the steps referred to.
    """

    def __init__(self, state: ReadState, names: JobNames) -> None:
        self._state = state
        self._names = names
        self._resolving: set[str] = set()

    def evaluate(self, value: Any) -> list[Pattern]:
        """The patterns of ``value``, its parameters bound and its step references
        resolved.

        Raises:
            ExpressionError: ``value`` is no expression, or a reference cycles.
        """
        return evaluate(value, self._state.bindings, self.resolve)

    def resolve(self, reference: str) -> list[Pattern] | None:
        """The patterns of ``Steps.<name>.<path into its Arguments>``, or None for a
        reference the definition cannot resolve (a run-time property)."""
        # E.g. an endpoint's config name set by the step that made the config, or a
        # training step's output path; list items are picked by index ([0]) or by name
        # (['train'] matches an OutputName).
        parts = reference.split(".")
        if len(parts) < 3 or parts[1] not in self._state.by_name:
            return None
        if reference in self._resolving:
            raise ExpressionError(
                f"{reference} refers back to itself through other steps' values (a cycle): "
                "give one of them a literal value, or a parameter"
            )
        self._resolving.add(reference)
        try:
            return self._resolved(parts)
        finally:
            self._resolving.discard(reference)

    def _resolved(self, parts: list[str]) -> list[Pattern] | None:
        resolved = self._property(parts[1], ".".join(parts[2:]))
        if resolved is not None:
            return resolved
        value: Any = self._state.by_name[parts[1]].get("Arguments")
        for part in parts[2:]:
            value = _descend(value, part)
            if value is None:
                return None
        if isinstance(value, (dict, list)) and not _is_expression(value):
            return None
        # A field the reader never checks on its own step (Environment.DATA) reaches a
        # grant here: its literals pass the same wildcard check, named where they lie.
        if not wildcard_free(self._state, parts[1], ".".join(parts[2:]), value):
            return []
        return self.evaluate(value)

    def _property(self, step_name: str, path: str) -> list[Pattern] | None:
        """A reference to a step property the catalog describes (``TrainingJobName``,
        ``ModelArtifacts.S3ModelArtifacts``): the value SageMaker gives it, from the step's
        job-name patterns and arguments, never the bare prefix its ``Arguments`` hold."""
        step_type = self._state.step_type(step_name)
        if step_type is None:
            return None
        step = self._state.by_name[step_name]
        for prop in spec_for(step_type).properties:
            if _PROPERTY_INDEX.sub("[*]", path) != prop.path:
                continue
            parts: list[list[Pattern]] = []
            for literal, placeholder in _TEMPLATE.findall(prop.template + "{}"):
                if literal:
                    parts.append([Pattern(literal)])
                if placeholder == "job":
                    parts.append([Pattern(text) for text in sorted(self._names.job_names_of(
                        step_name, step_type, step, self.evaluate, notify=False))])
                elif placeholder == "region":
                    parts.append([Pattern(PLACEHOLDERS.region)])
                elif placeholder:
                    values = [v for _, v in values_at(step, placeholder) if v is not None
                              and wildcard_free(self._state, step_name, placeholder, v)]
                    parts.append([p for v in values for p in self.evaluate(v)]
                                 or [Pattern("*")])
            reference = f"Steps.{step_name}.{path}"
            return sorted({
                Pattern(one_star(_joined_path(p.text for p in choice)),
                        tuple(sorted({u for p in choice for u in p.unbound})),
                        (reference,))
                for choice in itertools.product(*parts)
            })
        return None


def _joined_path(texts: Iterable[str]) -> str:
    """A property template's parts joined as SageMaker joins an S3 path: a value ending in
    ``/`` (a bucket root ``s3://bucket/``, SDK v2's default output path) and the next part
    starting with one give one ``/``, not ``//`` (the artifacts of a training job with
    ``S3OutputPath`` ``s3://bucket/`` are at ``s3://bucket/<job>/output/model.tar.gz``:
    "How Amazon SageMaker AI Provides Training Information")."""
    joined = ""
    for text in texts:
        joined += text[1:] if joined.endswith("/") and text.startswith("/") else text
    return joined


def _descend(value: Any, part: str) -> Any:
    item = _ITEM.fullmatch(part)
    key = item.group(1) if item else part
    value = value.get(key) if isinstance(value, dict) else None
    if item is None or not isinstance(value, list):
        return value if item is None else None
    index, name = item.group(2), item.group(3)
    if index is not None:
        return value[int(index)] if int(index) < len(value) else None
    for entry in objects(value):
        if any(k.endswith("Name") and v == name for k, v in entry.items()):
            return entry
    return None


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and (
        "Get" in value or next(iter(value)).startswith("Std:")
    )
