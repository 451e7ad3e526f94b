"""Loading a pipeline definition: JSON text, a path to it, or a parsed dict -> the definition
as a dict, held to SageMaker's size limit and to a nesting Python can walk.

SageMaker's one limit on a definition is its size: CreatePipeline's ``PipelineDefinition``,
"Maximum length of 1048576" (SageMaker API Reference,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePipeline.html).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import DefinitionError, Problem

#: The largest definition SageMaker accepts (characters): CreatePipeline's
#: ``PipelineDefinition``, "Maximum length of 1048576" (SageMaker API Reference,
#: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePipeline.html).
#: It is SageMaker's only limit on a definition's shape; it sets none on nesting.
DEFINITION_LIMIT = 1_048_576


def load_definition(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """The definition as a dict, from JSON text, a path to a JSON file, or a dict.

    Raises:
        DefinitionError: not JSON, too large, or not an object with a ``Steps`` list.
    """
    if isinstance(source, Mapping):
        definition: Any = dict(source)
    else:
        if isinstance(source, Path):
            text = _read_file(source)
        elif isinstance(source, str):
            text = source
            if not source.lstrip().startswith("{"):
                if not Path(source).is_file():
                    raise DefinitionError([Problem(
                        "definition", "notFound",
                        f"{source!r} is neither definition JSON nor a file",
                    )])
                text = _read_file(Path(source))
        else:
            raise DefinitionError([Problem(
                "definition", "notADefinition",
                f"{type(source).__name__} is not a definition: give pipeline.definition() "
                "JSON text, a path to it, or the parsed dict",
            )])
        _check_size(len(text))
        try:
            definition = json.loads(text)
        except json.JSONDecodeError as error:
            raise DefinitionError([
                Problem("definition", "notJson", f"the definition is not JSON: {error}")
            ]) from None
        except RecursionError:
            # Python's json module recurses once per level: too deep to count here.
            raise DefinitionError([_too_deep("the definition", counted=False)]) from None
    if not isinstance(definition, dict) or not isinstance(definition.get("Steps"), list):
        raise DefinitionError([Problem(
            "Steps", "noSteps", "the definition has no Steps list: give pipeline.definition()"
        )])
    limit = max_nesting()
    deep = [
        _too_deep(f"step {_step_label(step, index)!r}", counted=True)
        for index, step in enumerate(definition["Steps"])
        if _depth(step, limit) > limit
    ]
    rest = {key: value for key, value in definition.items() if key != "Steps"}
    if _depth(rest, limit) > limit:
        deep.append(_too_deep("the definition", counted=True))
    if deep:
        raise DefinitionError(deep)
    if isinstance(source, Mapping):
        # The parsed dict is held to SageMaker's limit too (at its most compact).
        _check_size(len(json.dumps(definition, separators=(",", ":"), ensure_ascii=False,
                                   default=str)))
    return definition


def _check_size(characters: int) -> None:
    if characters > DEFINITION_LIMIT:
        raise DefinitionError([Problem(
            "definition", "tooLarge",
            f"the definition is {characters:,} characters, over SageMaker's "
            f"{DEFINITION_LIMIT:,}",
        )])


def max_nesting() -> int:
    """How deeply a step's values may nest (objects and lists: a Condition's body is three
    levels, step, ``Arguments`` and ``IfSteps``): half of Python's recursion limit
    (``sys.getrecursionlimit()``, 1,000 by default, so 500 levels).

    SageMaker limits a definition's size only (:data:`DEFINITION_LIMIT`), not its depth.
    This limit is Python's: its json module, ``copy`` and the CDK's serialisation walk
    nested values recursively, one or more stack frames per level, and the other half of
    the recursion limit is left to the caller's frames. A program that raises the limit
    (``sys.setrecursionlimit``) raises this one with it.
    """
    return sys.getrecursionlimit() // 2


def _read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DefinitionError([Problem(
            "definition", "notUtf8",
            f"{path} is not UTF-8 text ({error.reason} at byte {error.start}): save the "
            "definition as UTF-8 JSON",
        )]) from None
    except OSError as error:
        raise DefinitionError([Problem(
            "definition", "unreadable", f"{path} cannot be read: {error.strerror or error}"
        )]) from None


def _too_deep(what: str, *, counted: bool) -> Problem:
    deep = (f"more than {max_nesting():,} levels deep" if counted
            else "deeper than Python's json module can parse")
    return Problem(
        "definition", "tooDeep",
        f"{what} nests values {deep} (Conditions, ForEach bodies, Std:Join or other "
        "objects). SageMaker limits only a definition's size, but Python, which reads it "
        "here, walks nested values recursively within its recursion limit "
        f"(sys.getrecursionlimit() = {sys.getrecursionlimit():,}), which leaves room for "
        f"{max_nesting():,} levels: flatten the nesting, or raise the limit with "
        "sys.setrecursionlimit in the program that reads it",
    )


def _step_label(step: Any, index: int) -> str:
    name = step.get("Name") if isinstance(step, dict) else None
    return name if isinstance(name, str) else f"Steps[{index}]"


def _depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests, counted without recursion (any depth is safe), up to
    the first level beyond ``limit``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > limit:
            return level
        children = item.values() if isinstance(item, dict) else item if isinstance(
            item, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest
