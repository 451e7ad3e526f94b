"""The pipeline's parameters: the names and defaults a definition declares or refers to,
what the caller says of them (``parameter_values``, ``any_value_parameters``), and how each
then scopes the grants (bound, its default, any value, or no grant).

A parameter is declared in the definition's ``Parameters`` (``Name``, ``DefaultValue``) and
referred to as ``{"Get": "Parameters.<name>"}``; an execution passes its values
(StartPipelineExecution ``PipelineParameters``, SageMaker API Reference,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StartPipelineExecution.html).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from ..notices import PARAMETER_SCOPED_TO_DEFAULT, Notice
from .expressions import evaluate
from .scan import parameters_referred

#: How a parameter scopes the roles (:attr:`ParameterScope.scope`): by the values in
#: ``parameter_values``; by its ``DefaultValue``, which the user did not bind; by any value
#: (the opt-in ``any_value_parameters``); or not at all (no grant depends on it).
BOUND, DEFAULT, ANY_VALUE, NO_GRANT = "bound", "default", "any value", "no grant"


@dataclass(frozen=True)
class ParameterScope:
    """How one pipeline parameter scopes the grants.

    Attributes:
        name: the parameter's name.
        scope: :data:`BOUND`, :data:`DEFAULT`, :data:`ANY_VALUE` or :data:`NO_GRANT`.
        values: the values the grants allow (bound, or the default); none for any value
            and for no grant.
        fields: the step fields whose grants it scopes (``step 'S' field F``).
    """

    name: str
    scope: str
    values: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CallerParameters:
    """What the caller said of the definition's parameters.

    Attributes:
        bindings: parameter (or ``Execution.PipelineName``) -> the values allowed, the
            defaults of unbound parameters included.
        defaults: the unbound parameters scoped to their ``DefaultValue``.
        any_value: the parameters opted in to any value (``any_value_parameters``).
        names: every parameter the definition declares or refers to, declared first.
    """

    bindings: Mapping[str, Sequence[str]]
    defaults: Mapping[str, str]
    any_value: frozenset[str]
    names: tuple[str, ...]


def caller_parameters(
    definition: Mapping[str, Any], parameter_values: Mapping[str, Sequence[str]],
    any_value_parameters: Sequence[str], pipeline_name: str | None,
) -> CallerParameters:
    """The caller's word on the parameters (already checked by
    :func:`parameter_choice_problems`): each unbound parameter not opted in to any value is
    bound to its default; ``pipeline_name`` binds ``Execution.PipelineName`` (None: unbound)."""
    any_value = frozenset(any_value_parameters)
    defaults = {name: value for name, value in parameter_defaults(definition).items()
                if name not in parameter_values and name not in any_value}
    bindings: dict[str, Sequence[str]] = {
        **{name: [value] for name, value in defaults.items()}, **parameter_values}
    if pipeline_name is not None:
        bindings["Execution.PipelineName"] = [pipeline_name]
    return CallerParameters(bindings, defaults, any_value, _parameter_order(definition))


def parameter_defaults(definition: Mapping[str, Any]) -> dict[str, str]:
    """Each declared parameter's ``DefaultValue`` as text (``true``/``false`` for a
    Boolean, as values are read); a parameter without one is left out."""
    found: dict[str, str] = {}
    parameters = definition.get("Parameters")
    for parameter in parameters if isinstance(parameters, list) else []:
        if not isinstance(parameter, dict) or not isinstance(parameter.get("Name"), str):
            continue
        default = parameter.get("DefaultValue")
        if isinstance(default, (str, int, float, bool)):
            found[parameter["Name"]] = evaluate(default, {})[0].text
    return found


def _parameter_order(definition: Mapping[str, Any]) -> tuple[str, ...]:
    """Every parameter name, the declared ones in their order, then those only referred
    to, sorted."""
    parameters = definition.get("Parameters")
    declared = [p.get("Name") for p in parameters if isinstance(p, dict)] if isinstance(
        parameters, list) else []
    names = [name for name in declared if isinstance(name, str)]
    return tuple(dict.fromkeys([*names, *sorted(parameter_names(definition))]))


def parameter_names(definition: Mapping[str, Any]) -> set[str]:
    """The parameters a definition declares (``Parameters[].Name``) or refers to
    (``{"Get": "Parameters.<name>"}``)."""
    parameters = definition.get("Parameters")
    declared = {p.get("Name") for p in parameters if isinstance(p, dict)} if isinstance(
        parameters, list) else set()
    return {name for name in declared if isinstance(name, str)} | set(
        parameters_referred(definition.get("Steps")))


def unknown_parameter_problems(
    definition: Mapping[str, Any], names: Iterable[str], prop: str = "parameter_values"
) -> list[Problem]:
    """One problem per name that is no parameter of ``definition``: binding it would
    narrow nothing, and a misspelt name leaves the real parameter unbound."""
    known = parameter_names(definition)
    problems = []
    for name in names:
        if name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = (f"did you mean {close[0]!r}?" if close
                else f"its parameters: {', '.join(sorted(known)) or 'none'}")
        problems.append(Problem(
            prop, "unknownParameter",
            f"{prop} names {name!r}, which the definition neither declares nor refers to, "
            f"so its values would bind nothing; {hint}",
        ))
    return problems


def parameter_choice_problems(
    definition: Mapping[str, Any], parameter_values: Mapping[str, Sequence[str]],
    any_value_parameters: Sequence[str],
) -> list[Problem]:
    """The problems of what a caller says of the parameters: a name the definition does
    not have (with the closest one), or a parameter both bound and opted in to any value."""
    problems = unknown_parameter_problems(definition, parameter_values)
    problems += unknown_parameter_problems(definition, any_value_parameters,
                                           "any_value_parameters")
    for name in dict.fromkeys(any_value_parameters):
        if name in parameter_values:
            problems.append(Problem(
                "any_value_parameters", "boundAndAnyValue",
                f"parameter {name!r} is both bound (parameter_values) and allowed any value "
                "(any_value_parameters): keep the values to scope the grants to them, or "
                "the opt-in to allow every value",
            ))
    return problems


def default_notices(
    parameters: CallerParameters, defaulted: Mapping[str, Mapping[str, None]]
) -> list[Notice]:
    """One notice per parameter scoped to its default, naming the fields it scopes."""
    notices = []
    for parameter, fields in defaulted.items():
        default = parameters.defaults[parameter]
        notices.append(Notice(
            PARAMETER_SCOPED_TO_DEFAULT,
            f"parameter {parameter!r} is not in parameter_values, so the grants of "
            f"{', '.join(fields)} are scoped to its DefaultValue {default!r}: an "
            "execution that passes another value fails with AccessDenied until the "
            "parameter is bound; to allow more values, give parameter_values="
            f"{{{parameter!r}: [{default!r}, ...]}} (--parameter in explain)",
        ))
    return notices


def parameter_scopes(
    parameters: CallerParameters, uses: Mapping[str, Mapping[str, None]]
) -> tuple[ParameterScope, ...]:
    """How each parameter scopes the grants, in :attr:`CallerParameters.names` order
    (``uses``: parameter -> the fields whose grants it scopes)."""
    scopes = []
    for name in parameters.names:
        fields = tuple(uses.get(name, ()))
        values: tuple[str, ...]
        if not fields:
            # An instance type, a threshold: no grant depends on it, whatever its value.
            scope, values = NO_GRANT, ()
        elif name in parameters.any_value:
            scope, values = ANY_VALUE, ()
        elif name in parameters.defaults:
            scope, values = DEFAULT, (parameters.defaults[name],)
        else:
            scope, values = BOUND, tuple(parameters.bindings[name])
        scopes.append(ParameterScope(name, scope, values, fields))
    return tuple(scopes)
