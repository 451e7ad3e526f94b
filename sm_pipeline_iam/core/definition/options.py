"""The reader's options other than the parameters: their shapes, and what
``manifest_locations`` and ``model_endpoints`` name (S3 folders and endpoint names, for
steps of the definition of the right kind).

An endpoint's name is API_CreateEndpoint's ``EndpointName`` (SageMaker API Reference,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpoint.html); only a
model runs on an endpoint as its own role (API_CreateModel ``ExecutionRoleArn``,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModel.html).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from ..catalog.schema import StepType
from ..errors import Problem
from ..execution_role.requirements import has_token_marker
from ..locations import S3ObjectPattern, parse_s3_folder
from .state import ReadState

#: API_CreateEndpoint ``EndpointName``: 1 to 63 letters, digits and hyphens, starting and
#: ending with a letter or digit.
_ENDPOINT_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


def option_shape_problems(
    parameter_values: object, any_value_parameters: object, manifest_locations: object,
    model_endpoints: object,
) -> list[Problem]:
    """The problems of options of the wrong shape (``notAMapping``, ``notAList``), all at
    once: a value of another shape would fail later as a ``TypeError`` naming nothing."""
    problems = [
        *_mapping_shape_problems("parameter_values", parameter_values, "parameter names",
                                 "the values executions may use", "{'InputDataUrl': "
                                 "['s3://bucket/a', 's3://bucket/b']}", allow_empty=True),
        *_mapping_shape_problems("manifest_locations", manifest_locations, "step names",
                                 "the S3 folders the manifests list",
                                 "{'Train': ['s3://bucket/images']}"),
        *_mapping_shape_problems("model_endpoints", model_endpoints, "Model step names",
                                 "the endpoints that serve the model",
                                 "{'CreateModel': ['fraud-prod']}"),
    ]
    if not _is_string_list(any_value_parameters, allow_empty=True):
        problems.append(Problem(
            "any_value_parameters", "notAList",
            f"any_value_parameters is {any_value_parameters!r}: give a list of parameter "
            "names (strings), e.g. ['InputDataUrl']"))
    return problems


def _mapping_shape_problems(
    option: str, given: object, keys: str, values: str, example: str, *,
    allow_empty: bool = False,
) -> list[Problem]:
    """``given`` must be None or map ``keys`` to lists of strings (``values``), at least
    one each unless ``allow_empty``."""
    if given is None:
        return []
    if not isinstance(given, Mapping) or not all(isinstance(key, str) for key in given):
        return [Problem(option, "notAMapping",
                        f"{option} is {given!r}: give {keys} -> {values} (a list of "
                        f"strings each), e.g. {example}")]
    at_least_one = "" if allow_empty else ", at least one"
    return [
        Problem(f"{option}[{key!r}]", "notAList",
                f"{option}[{key!r}] is {items!r}: give {values} as a list of "
                f"strings{at_least_one}, e.g. {example}")
        for key, items in given.items() if not _is_string_list(items, allow_empty=allow_empty)
    ]


def _is_string_list(value: object, *, allow_empty: bool) -> bool:
    """A list or tuple of strings (a string alone is not: it would be read as letters)."""
    return isinstance(value, list | tuple) and all(
        isinstance(item, str) for item in value) and (allow_empty or bool(value))


# --- manifest_locations ---------------------------------------------------------------------

def manifest_folders(
    declared: Mapping[str, Sequence[str]], problems: list[Problem]
) -> dict[str, list[S3ObjectPattern]]:
    """``manifest_locations`` as the objects under each folder, checked as S3 folders
    (a bucket, no wildcards): a problem in ``problems`` for each that is not."""
    folders: dict[str, list[S3ObjectPattern]] = {}
    for step, uris in declared.items():
        prop = f"manifest_locations[{step!r}]"
        for uri in uris:
            folder, found = parse_s3_folder(uri, prop=prop)
            problems.extend(found)
            if folder is not None:
                folders.setdefault(step, []).append(folder)
    return folders


def manifest_steps_problems(
    state: ReadState, declared: Iterable[str], with_manifests: Sequence[str]
) -> None:
    """Each ``manifest_locations`` step must be a step of the definition whose job
    reads a manifest (``with_manifests``, sorted)."""
    _option_steps_problems(
        state, "manifest_locations", declared, with_manifests,
        "steps with manifest inputs", lambda step: (
            "noManifestInput",
            f"manifest_locations names step {step!r}, whose job reads no ManifestFile "
            "or AugmentedManifestFile input, so the objects would be granted for "
            f"nothing (steps with manifest inputs: {', '.join(with_manifests) or 'none'})"))


# --- model_endpoints ------------------------------------------------------------------------

def endpoint_names(
    given: Mapping[str, Sequence[str]] | None, problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    """``model_endpoints`` as step -> endpoint names, each checked as a literal
    endpoint name (no wildcard, no token: the name scopes a log group grant); a problem in
    ``problems`` for each that is not."""
    declared: dict[str, tuple[str, ...]] = {}
    for step, names in (given or {}).items():
        prop = f"model_endpoints[{step!r}]"
        valid = []
        for name in names:
            found = _endpoint_name_problems(prop, name)
            problems.extend(found)
            if not found:
                valid.append(name)
        # The step is kept even without a valid name: it is checked all the same.
        declared[step] = tuple(dict.fromkeys(valid))
    return declared


def _endpoint_name_problems(prop: str, name: str) -> list[Problem]:
    """Why ``name`` cannot name an endpoint whose log group is granted: a token (its
    value is unknown when the grant is written), a wildcard (it would grant the logs of
    endpoints that do not serve the model), or not an endpoint name."""
    if has_token_marker(name):
        return [Problem(prop, "token",
                        f"{prop} holds a token ({name!r}): the endpoint's name scopes its log "
                        "group grant, so give the literal name, known at synthesis")]
    if "*" in name or "?" in name:
        return [Problem(prop, "wildcard",
                        f"{prop} {name!r} contains a wildcard: give each endpoint's name "
                        "(a pattern would grant the logs of endpoints that do not serve "
                        "this model)")]
    if not _ENDPOINT_NAME.fullmatch(name):
        return [Problem(prop, "invalidEndpointName",
                        f"{prop} {name!r} is not an endpoint name: give 1 to 63 letters, "
                        "digits and hyphens, starting and ending with a letter or digit "
                        "(API_CreateEndpoint EndpointName)")]
    return []


def model_endpoint_steps_problems(state: ReadState, declared: Iterable[str]) -> None:
    """Each ``model_endpoints`` step must be a Model step of the definition: only a
    model runs on an endpoint as its own role (API_CreateModel ``ExecutionRoleArn``)."""
    by_name = state.by_name
    models = sorted(name for name, step in by_name.items()
                    if step.get("Type") == StepType.MODEL.value)
    _option_steps_problems(
        state, "model_endpoints", declared, models, "Model steps",
        lambda step: (
            "notAModelStep",
            f"model_endpoints names step {step!r}, a "
            f"{by_name[step].get('Type')!s} step: an endpoint serves a Model step's "
            f"model, as that model's role (Model steps: {', '.join(models) or 'none'})"))


def _option_steps_problems(
    state: ReadState, prop: str, declared: Iterable[str], eligible: Sequence[str],
    label: str, wrong_kind: Callable[[str], tuple[str, str]],
) -> None:
    """A problem for each step an option (``manifest_locations``, ``model_endpoints``)
    names that is not among the ``eligible`` steps: unknown (with the closest name) or
    of the wrong kind (``wrong_kind`` gives its code and message)."""
    for step in declared:
        if step in eligible:
            continue
        if step not in state.by_name:
            close = difflib.get_close_matches(step, list(eligible) or sorted(state.by_name),
                                              n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else f"{label}: {', '.join(eligible) or 'none'}")
            state.problem(prop, "unknownStep",
                          f"{prop} names {step!r}, which is no step of the definition; "
                          f"{hint}")
        else:
            state.problem(prop, *wrong_kind(step))
