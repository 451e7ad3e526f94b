"""Reading one field's value into the patterns its grant allows: each pattern is the
narrowest its literal parts permit, and what keeps it from a literal (an unbound parameter,
a run-time value, a literal wildcard, an S3 URI that is none) becomes a problem or a
warning naming the step and field, never a silent ``*``.

Values and their expressions (``Get``, ``Std:Join``, ``Std:JsonGet``) are those of the
pipeline definition JSON schema
(https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/);
an S3 URI is ``s3://<bucket>/<key>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ..catalog.schema import UngrantedField
from ..locations import S3ObjectPattern
from ..notices import RUN_TIME_VALUE, UNGRANTED_FIELD, UNRESOLVED_VALUE, Notice, Unresolved
from .expressions import ExpressionError, Pattern
from .paths import values_at
from .scan import literals, parameters_referred
from .state import ReadState

#: A definition value -> its patterns (raises :class:`ExpressionError` for a malformed
#: expression, or a reference that cycles).
Evaluate = Callable[[Any], list[Pattern]]

_STARS = re.compile(r"\*+")


def one_star(text: str) -> str:
    """``text`` with each run of ``*`` as one ``*`` (IAM matches them alike)."""
    return _STARS.sub("*", text)


def wildcard_free(state: ReadState, name: str, field_name: str, value: Any) -> bool:
    """False, with a problem, when a literal in ``value`` holds ``*`` or ``?``: names,
    ARNs and S3 locations cannot, and IAM would read them as wildcards."""
    found = [text for text in literals(value) if "*" in text or "?" in text]
    for text in found:
        state.problem(
            f"{name}.{field_name}", "wildcard",
            f"step {name!r} field {field_name}: {text!r} holds a wildcard ('*' or '?'), "
            "which no SageMaker name, ARN or S3 location can: give the exact value",
        )
    return not found


def not_an_expression(state: ReadState, name: str, field_name: str,
                      error: ExpressionError) -> None:
    """The problem of a field whose value cannot be evaluated."""
    state.problem(f"{name}.{field_name}", "notAnExpression",
                  f"step {name!r} field {field_name}: {error}")


class FieldValues:
    """Reads the values of steps' fields for their grants.

    Args:
        state: the reading in progress (problems, warnings and parameter uses go there).
        evaluate: a value's patterns, step references resolved.
    """

    def __init__(self, state: ReadState, evaluate: Evaluate) -> None:
        self._state = state
        self._evaluate = evaluate

    def wildcard_free(self, name: str, field_name: str, value: Any) -> bool:
        """See :func:`wildcard_free`."""
        return wildcard_free(self._state, name, field_name, value)

    def patterns(self, name: str, field_name: str, value: Any) -> list[Pattern]:
        """The patterns of a field's value, noting the parameters it uses (and refusing a
        wildcard among their values); none, with a problem, when it is no expression."""
        state, out = self._state, self._state.out
        where = f"step {name!r} field {field_name}"
        for parameter in parameters_referred(value):
            out.uses.setdefault(parameter, {})[where] = None
            given = f"parameter_values {parameter!r}"
            if parameter in state.parameters.defaults:
                out.defaulted.setdefault(parameter, {})[where] = None
                given = f"the DefaultValue of parameter {parameter!r}"
            bound = [v for v in state.bindings.get(parameter, ()) if "*" in v or "?" in v]
            for text in bound:
                state.problem(
                    f"{name}.{field_name}", "wildcard",
                    f"{where}: {given} holds {text!r}, a wildcard ('*' or '?') no SageMaker "
                    "name, ARN or S3 location can hold: list the exact values executions may "
                    "use in parameter_values",
                )
        try:
            return self._evaluate(value)
        except ExpressionError as error:
            not_an_expression(state, name, field_name, error)
            return []

    def unresolved(self, name: str, field_name: str, pattern: Pattern) -> None:
        """A grant wider than a literal: a problem when a parameter the caller left unbound,
        without a default and without opting it in, widens it (least privilege fails
        closed); else the warning that names what widens it."""
        state = self._state
        unbound = [p.removeprefix("Parameters.") for p in pattern.unbound
                   if p.startswith("Parameters.")]
        refused = [p for p in unbound if p not in state.parameters.any_value]
        for parameter in refused:
            state.problem(
                f"{name}.{field_name}", "unboundParameter",
                f"step {name!r} field {field_name}: parameter {parameter!r} has no "
                "DefaultValue and no parameter_values, so the role would have to allow "
                f"{pattern.text!r} (any value): bind it with parameter_values="
                f"{{{parameter!r}: ['value-a', 'value-b']}}, the values executions may use, "
                f"or allow any value knowingly with any_value_parameters=[{parameter!r}]",
            )
        if refused:
            return
        item = Unresolved(name, field_name, pattern.text, pattern.unbound, pattern.run_time)
        state.out.unresolved.append(item)
        state.out.notices.append(Notice(UNRESOLVED_VALUE, item.message()))

    def run_time(self, name: str, field_name: str, pattern: Pattern) -> None:
        """The warning of a value known only while the pipeline runs."""
        values = ", ".join(pattern.run_time)
        self._state.out.notices.append(Notice(
            RUN_TIME_VALUE,
            f"step {name!r} field {field_name}: {values} is known only while the pipeline "
            f"runs, so the policy allows {pattern.text!r}",
        ))

    def names(self, name: str, field_name: str, patterns: list[Pattern]) -> list[str]:
        """The name patterns' texts. One that a binding could narrow, or that has no
        literal start, is unresolved; one whose unknown parts are run-time values is a
        notice."""
        for pattern in patterns:
            if pattern.unbound or not pattern.literal_prefix:
                self.unresolved(name, field_name, pattern)
            elif pattern.run_time:
                self.run_time(name, field_name, pattern)
        return [pattern.text for pattern in patterns]

    def ungranted(self, name: str, ungranted: UngrantedField, where: Mapping[str, Any]
                  ) -> None:
        """A warning naming each value of a field whose calls the library does not grant
        (``name`` empty: a field of the pipeline, not of a step)."""
        for field_name, value in values_at(where, ungranted.path):
            if value is not None:
                owner = f"step {name!r}" if name else "the pipeline"
                self._state.out.notices.append(Notice(UNGRANTED_FIELD, (
                    f"{owner} field {field_name}: {ungranted.calls}; the library does not "
                    "grant these calls: grant them to the role that makes them")))

    def s3_object(self, name: str, field_name: str, pattern: Pattern
                  ) -> S3ObjectPattern | None:
        """The object(s) a JsonGet reads or a Cleanup deletes; ``s3://b`` is every object
        of the bucket."""
        location = self.s3_location(name, field_name, pattern)
        return None if location is None else S3ObjectPattern(location[0], location[1] or "*")

    def s3_location(self, name: str, field_name: str, pattern: Pattern
                    ) -> tuple[str, str] | None:
        """The bucket and key of an S3 URI pattern; the key is empty at the bucket's root
        (``s3://b``, ``s3://b/``) and keeps a trailing ``/``."""
        text = pattern.text
        if text.startswith("s3://"):
            bucket, _, key = text.removeprefix("s3://").partition("/")
        elif text.startswith("*"):
            bucket, key = "*", text.lstrip("*/") or "*"
        else:
            self._state.problem(f"{name}.{field_name}", "notAnS3Uri",
                                f"step {name!r} field {field_name}: {text!r} is not s3://")
            return None
        if "*" in bucket or pattern.unbound:
            self.unresolved(name, field_name, replace(pattern, text=f"s3://{bucket}/{key}"))
        elif pattern.run_time:
            self.run_time(name, field_name, pattern)
        return bucket, key
