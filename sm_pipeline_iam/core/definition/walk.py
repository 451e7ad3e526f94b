"""Walking a definition's steps: those of its ``Steps`` list and, nested within, those of
Condition steps' ``IfSteps`` and ``ElseSteps`` and ForEach steps' ``ForEachBody`` (the step
types of the pipeline definition JSON schema,
https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/,
and the AWS page "Pipelines steps",
https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps.html).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import Problem

#: The keys of a step's ``Arguments`` that hold more steps (Condition, ForEach).
_NESTED_STEPS = ("IfSteps", "ElseSteps", "ForEachBody")


def all_steps(steps: Any) -> Iterator[dict[str, Any]]:
    """Every step object of a ``Steps`` list, and of the Condition and ForEach bodies within
    (what is not an object is skipped: the reader reports it)."""
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, dict):
            yield step
            arguments = step.get("Arguments")
            if isinstance(arguments, dict):
                for key in _NESTED_STEPS:
                    yield from all_steps(arguments.get(key))


def located_steps(
    steps: Any, problems: list[Problem], where: str = ""
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every step object as :func:`all_steps` walks them, each with where it lies
    (``Steps[0]``, ``Check.IfSteps/Steps[1]``); a problem in ``problems`` for each item that
    is not an object."""
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        location = f"{where}Steps[{index}]"
        if not isinstance(step, dict):
            problems.append(Problem(location, "notAnObject", f"{location} is not an object"))
            continue
        yield location, step
        arguments = step.get("Arguments")
        if isinstance(arguments, dict):
            name = step.get("Name", location)
            for key in _NESTED_STEPS:
                if key in arguments:
                    yield from located_steps(arguments[key], problems, f"{name}.{key}/")
