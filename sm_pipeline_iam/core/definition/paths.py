"""The catalog's path language: the values at a path such as ``Arguments.Outputs[*].S3Uri``
in a step's JSON (see :class:`~sm_pipeline_iam.core.catalog.steps.Source`), each with the
field it was found at as messages name it.

A segment is a key, optionally followed by ``[*]`` (each item of a list) or ``[Key=Value]``
(the object only when its ``Key`` is ``Value``). The keys are those of the step's create API
(SageMaker API Reference, e.g.
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateProcessingJob.html) and
of the pipeline definition's step JSON
(https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/).
The reader, the role rewriter and the report read the definition through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_SEGMENT = re.compile(r"(\w+)(?:\[(\*|\w+=\w+)\])?")


def values_at(value: Any, path: str, where: str = "") -> Iterator[tuple[str, Any]]:
    """Each value at a catalog path (see :class:`~sm_pipeline_iam.core.catalog.steps.Source`) in
    ``value``, with the field it was found at as messages name it (``Actions[0].ActionName``,
    without the leading ``Arguments.``). Missing keys yield nothing."""
    head, _, rest = path.partition(".")
    segment = _SEGMENT.fullmatch(head)
    if segment is None:
        raise ValueError(f"catalog path {path!r} has a malformed segment {head!r}")
    key, selector = segment.groups()
    if not isinstance(value, dict) or key not in value:
        return
    item = value[key]
    here = f"{where}.{key}" if where else key
    here = here.removeprefix("Arguments.")
    items: list[tuple[str, Any]] = [(here, item)]
    if selector == "*":
        # A single value where a list is expected is read as a list of one.
        items = [(f"{here}[{i}]", v) for i, v in enumerate(item)] if isinstance(
            item, list) else items
    elif selector is not None:
        selected_key, _, wanted = selector.partition("=")
        if not isinstance(item, dict) or item.get(selected_key) != wanted:
            return
    for field_name, found in items:
        if rest:
            yield from values_at(found, rest, field_name)
        else:
            yield field_name, found
