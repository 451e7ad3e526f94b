"""Pipeline definition values -> name patterns. No CDK, no SageMaker SDK.

A value in a definition is a literal or an expression: ``{"Get": "Parameters.X"}``,
``{"Get": "Execution.PipelineExecutionId"}``, ``{"Get": "Steps.S.Properties..."}``,
``{"Std:Join": {"On": "/", "Values": [...]}}``. Each value evaluates to the patterns it may
take at run time, ``*`` standing for what cannot be known when the role is made, and
``?`` for each character of a run-time value whose length is known (the execution id), so
that it cannot span a ``/`` of an S3 key.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Beyond this many combinations a Std:Join collapses its unknown parts to '*'.
MAX_COMBINATIONS = 64

_STARS = re.compile(r"\*+")
_UNKNOWN = re.compile(r"[*?]")

#: The execution id as IAM matches it: 12 characters, each ``?``. AWS's pages show
#: execution ARNs ending in 12 lower-case letters and digits ("Run a pipeline",
#: https://docs.aws.amazon.com/sagemaker/latest/dg/run-pipeline.html:
#: ``.../execution/cfvy1tjuxdq8``; job names ``pipelines-cfvy1tjuxdq8-...``); the API
#: reference's pattern (``...:pipeline/.*/execution/.*``, API_DescribePipelineExecution)
#: does not fix the length, so this rests on those examples. A ``*`` would also match
#: ``/``: ``abalone/*/evaluation/*`` covers ``abalone/<id>/train/evaluation/x``, another
#: step's input. Should an id ever differ in length, the role denies (fails closed).
EXECUTION_ID = "Execution.PipelineExecutionId"
EXECUTION_ID_PATTERN = "?" * 12

#: The forms a value takes, as the fix an ExpressionError states.
_FORMS = ("give a string, a number, a boolean, {'Get': 'Parameters.Name'} (or another "
          "property reference) or {'Std:Join': {'On': '-', 'Values': [...]}}")


@dataclass(frozen=True, order=True)
class Pattern:
    """One shape a value may take.

    Attributes:
        text: the value, with ``*`` for each part that is unknown until run time (``?``
            per character of the execution id).
        unbound: the parameters whose values are unknown here (``Parameters.X``), the
            ones a caller can bind to narrow the pattern.
        run_time: the execution variables and step properties (``Execution.X``,
            ``Steps.S.X``) that stand as ``*``: known only while the pipeline runs, so no
            binding can narrow them.
    """

    text: str
    unbound: tuple[str, ...] = ()
    run_time: tuple[str, ...] = ()

    @property
    def literal_prefix(self) -> str:
        """The part before the first unknown."""
        return _UNKNOWN.split(self.text, 1)[0]

    @property
    def is_literal(self) -> bool:
        """True when nothing is unknown."""
        return _UNKNOWN.search(self.text) is None


class ExpressionError(ValueError):
    """A value is neither a literal nor an expression the reader knows."""


#: Resolves a ``Steps.<name>.<key>`` reference to patterns, or None when unknown.
StepReferences = Callable[[str], "list[Pattern] | None"]


def evaluate(
    value: Any,
    bindings: Mapping[str, Sequence[str]],
    steps: StepReferences | None = None,
) -> list[Pattern]:
    """Every pattern ``value`` may take; ``bindings`` gives parameters' allowed values.

    A parameter's default value is not a bound: an execution may override it. The
    pipeline's name (``Execution.PipelineName``) is bound under that full name.
    ``steps`` resolves references to other steps' literal arguments (an endpoint's
    config name set by the step that created the config).

    Raises:
        ExpressionError: ``value`` is of a kind no definition holds.
    """
    if isinstance(value, bool):
        return [Pattern("true" if value else "false")]
    if isinstance(value, (str, int, float)):
        return [Pattern(str(value))]
    if isinstance(value, Mapping):
        if set(value) == {"Get"} and isinstance(value["Get"], str):
            reference = value["Get"]
            if reference.startswith("Steps.") and steps is not None:
                resolved = steps(reference)
                if resolved is not None:
                    return resolved
            return _get(reference, bindings)
        if set(value) == {"Std:Join"}:
            return _join(value["Std:Join"], bindings, steps)
        if len(value) == 1 and next(iter(value)).startswith("Std:"):
            # Std:JsonGet and other run-time functions: known only during the execution.
            return [Pattern("*", run_time=(next(iter(value)),))]
    raise ExpressionError(f"{_short(value)} is not a literal or a pipeline expression: {_FORMS}")


#: Execution variables known before the pipeline runs, which a caller may bind by their
#: full name (the pipeline's name scopes its Experiments records).
BINDABLE_EXECUTION_VARIABLES = ("Execution.PipelineName",)


def _get(reference: str, bindings: Mapping[str, Sequence[str]]) -> list[Pattern]:
    if reference.startswith("Parameters.") or reference in BINDABLE_EXECUTION_VARIABLES:
        name = reference.removeprefix("Parameters.")
        if name in bindings:
            return [Pattern(str(v)) for v in bindings[name]]
        return [Pattern("*", (reference,))]
    if reference == EXECUTION_ID:
        return [Pattern(EXECUTION_ID_PATTERN, run_time=(reference,))]
    # Execution variables and step properties differ from run to run.
    return [Pattern("*", run_time=(reference,))]


def _join(
    join: Any, bindings: Mapping[str, Sequence[str]], steps: StepReferences | None
) -> list[Pattern]:
    if not isinstance(join, Mapping) or not isinstance(join.get("Values"), list):
        raise ExpressionError(f"Std:Join {_short(join)} has no Values list: give "
                              "{'Std:Join': {'On': '-', 'Values': [...]}}")
    separator = str(join.get("On", ""))
    parts = [evaluate(item, bindings, steps) for item in join["Values"]]
    combinations = 1
    for options in parts:
        combinations *= len(options)
    if combinations > MAX_COMBINATIONS:
        parts = [options if len(options) == 1 else [_widen(options)] for options in parts]
    patterns = set()
    for choice in itertools.product(*parts):
        text = _STARS.sub("*", separator.join(p.text for p in choice))
        unbound = tuple(sorted({name for p in choice for name in p.unbound}))
        run_time = tuple(sorted({name for p in choice for name in p.run_time}))
        patterns.add(Pattern(text, unbound, run_time))
    return sorted(patterns)


def _widen(options: list[Pattern]) -> Pattern:
    return Pattern(
        "*",
        tuple(sorted({name for p in options for name in p.unbound})),
        tuple(sorted({name for p in options for name in p.run_time})),
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
