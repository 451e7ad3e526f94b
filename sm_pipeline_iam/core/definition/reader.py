"""A pipeline definition (``pipeline.definition()`` JSON) -> the pipeline's requirements.

Pure Python: no CDK and no SageMaker SDK import. The reader walks every step (into
Condition ``IfSteps``/``ElseSteps`` and ForEach ``ForEachBody``) and collects the step
types, each job's name scope, the roles passed and to which service, the S3 objects that
``JsonGet`` reads and that Cleanup deletes, and the integrations' resources. A value that
cannot be known when the role is made never becomes a silent ``*``: it becomes the
narrowest pattern its literal parts allow, and a warning says how to bind it.

This module holds the entry point, :func:`read_definition`, and reads each step by the
readers of each concern, its neighbours in this package, sharing one :mod:`.state`:
:mod:`.loading` (the definition's size and depth), :mod:`.walk` (the steps, nested ones
included), :mod:`.paths` (the catalog's path language), :mod:`.scan` (what a value refers
to), :mod:`.values` (a field's value as patterns), :mod:`.references` (step-to-step
references), :mod:`.names` (job names), :mod:`.groups` and :mod:`.integrations` (the action
groups' resources), :mod:`.roles` (the roles passed), :mod:`.jobs` with
:mod:`.job_locations`, :mod:`.location_overlaps`, :mod:`.keys`, :mod:`.images` and
:mod:`.job_calls` (each job's needs), :mod:`.models` (model links), :mod:`.json_get`
(JsonGet reads), :mod:`.parameters` and :mod:`.options` (what the caller says), and
:mod:`.results` (what reading gives).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..catalog.api_fields import unknown_fields
from ..catalog.schema import ResourceScope, StepType
from ..catalog.steps import spec_for
from ..errors import DefinitionError
from ..execution_role.requirements import PipelineRequirements
from ..notices import UNKNOWN_ARGUMENT, UNKNOWN_STEP_TYPE, Notice
from .groups import ActionGroups
from .integrations import Integrations
from .job_locations import JobLocations
from .jobs import JobNeedsReader
from .json_get import JsonGetReads
from .keys import JobKeys
from .loading import DEFINITION_LIMIT, load_definition, max_nesting
from .location_overlaps import prefix_overlaps, wildcard_write_overlaps
from .models import ModelLinks
from .names import STEP_NAME_PREFIX_LENGTH, JobNames, coarsened
from .options import (
    endpoint_names,
    manifest_folders,
    manifest_steps_problems,
    model_endpoint_steps_problems,
    option_shape_problems,
)
from .parameters import (
    ANY_VALUE,
    BOUND,
    DEFAULT,
    NO_GRANT,
    CallerParameters,
    ParameterScope,
    caller_parameters,
    default_notices,
    parameter_choice_problems,
    parameter_defaults,
    parameter_names,
    parameter_scopes,
    unknown_parameter_problems,
)
from .paths import values_at
from .references import ReferenceResolver
from .results import DefinitionReading, JobScope
from .roles import RoleFields
from .state import Collected, ReadState
from .values import FieldValues
from .walk import all_steps, located_steps

#: The names this module held before the reader was split by concern, kept importable from
#: here (the entry points, and the names tests and the package's old path use).
__all__ = [
    "ANY_VALUE",
    "BOUND",
    "DEFAULT",
    "DEFINITION_LIMIT",
    "NO_GRANT",
    "STEP_NAME",
    "STEP_NAME_LIMIT",
    "STEP_NAME_PREFIX_LENGTH",
    "DefinitionReading",
    "JobScope",
    "ParameterScope",
    "all_steps",
    "coarsened",
    "load_definition",
    "max_nesting",
    "option_shape_problems",
    "parameter_choice_problems",
    "parameter_defaults",
    "parameter_names",
    "read_definition",
    "unknown_parameter_problems",
    "values_at",
]

#: SageMaker's step names (the API's StepName: letters, digits, hyphens and underscores,
#: at most 64 characters).
STEP_NAME_LIMIT = 64
STEP_NAME = re.compile(rf"[A-Za-z0-9\-_]{{1,{STEP_NAME_LIMIT}}}")


class _DefinitionReader:
    """Reads one definition: each step as the catalog says, by the readers of each
    concern sharing one :class:`~.state.ReadState`, then the checks across steps.

    Args:
        definition: the loaded definition.
        parameters: what the caller said of its parameters.
        allow_unknown_step_types: warn about an unknown step ``Type`` instead of failing.
        replaced_role_steps: the steps whose SageMaker role fields the caller replaces.
        manifest_locations: per step, the S3 folders its manifests list (None: none).
        model_endpoints: per Model step, the endpoints serving its model (None: none).
    """

    def __init__(
        self,
        definition: Mapping[str, Any],
        parameters: CallerParameters,
        allow_unknown_step_types: bool,
        replaced_role_steps: Collection[str] = (),
        manifest_locations: Mapping[str, Sequence[str]] | None = None,
        model_endpoints: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        out = Collected()
        # The options' problems first, then the steps', as the reader finds them.
        self._declared_manifests = dict(manifest_locations or {})
        folders = manifest_folders(self._declared_manifests, out.problems)
        self._declared_endpoints = endpoint_names(model_endpoints, out.problems)
        steps = list(located_steps(definition["Steps"], out.problems))
        self._state = state = ReadState(parameters, steps, replaced_role_steps, out)
        self._allow_unknown = allow_unknown_step_types
        self._names = JobNames(state)
        references = ReferenceResolver(state, self._names)
        values = FieldValues(state, references.evaluate)
        self._groups = ActionGroups(state, values, self._names, Integrations(state, values))
        self._roles = RoleFields(state, values)
        self._locations = JobLocations(state, values, folders)
        keys = JobKeys(state, values)
        self._models = ModelLinks(state, values, self._locations, keys,
                                  self._declared_endpoints)
        self._jobs = JobNeedsReader(state, values, self._names, references, self._locations,
                                    keys, self._models)
        self._json_gets = JsonGetReads(state, values)

    def read(self, definition: Mapping[str, Any]) -> None:
        """Read every step, the pipeline's features, then the checks across steps."""
        state, recorded = self._state, self._locations.recorded
        self._steps()
        self._groups.read_features(definition)
        self._names.default_name_overlaps()
        self._names.custom_prefix_overlaps()
        prefix_overlaps(state, recorded)
        wildcard_write_overlaps(state, recorded)
        manifest_steps_problems(state, self._declared_manifests,
                                self._locations.steps_with_manifests)
        model_endpoint_steps_problems(state, self._declared_endpoints)

    def _steps(self) -> None:
        """Read each well-formed step (a name, a known type, an object of arguments)."""
        state = self._state
        for location, step in state.steps:
            name, type_name = step.get("Name"), step.get("Type")
            if not isinstance(name, str) or not name:
                state.problem(location, "noName", f"{location} has no Name")
                continue
            if not STEP_NAME.fullmatch(name):
                state.problem(
                    f"{location}.Name", "invalidStepName",
                    f"step {name[:80]!r} is not a SageMaker step name: 1 to "
                    f"{STEP_NAME_LIMIT} letters, digits, hyphens and underscores",
                )
                continue
            if not isinstance(type_name, str):
                state.problem(f"{name}.Type", "noType", f"step {name!r} has no Type")
                continue
            try:
                step_type = StepType.parse(type_name)
            except ValueError as error:
                if self._allow_unknown:
                    state.out.notices.append(Notice(
                        UNKNOWN_STEP_TYPE,
                        f"step {name!r} has Type {type_name!r}, unknown to sm-pipeline-iam: "
                        "the role grants it nothing; check what it needs",
                    ))
                else:
                    state.problem(
                        f"{name}.Type", "unknownStepType",
                        f"step {name!r} field Type: {error} (or pass "
                        "allow_unknown_step_types=True to warn instead)"
                    )
                continue
            arguments = step.get("Arguments", {})
            if not isinstance(arguments, dict):
                state.problem(
                    f"{name}.Arguments", "notAnObject",
                    f"step {name!r} field Arguments is not an object",
                )
                continue
            state.out.step_types.add(step_type)
            self._step(name, step_type, step, arguments)

    def _step(
        self, name: str, step_type: StepType, step: dict[str, Any], arguments: dict[str, Any]
    ) -> None:
        # Everything is read as the catalog says: no step type is special here.
        state, out = self._state, self._state.out
        spec = spec_for(step_type)
        variants = {
            trigger.variant for trigger in spec.variant_triggers
            if any(value is not None for _, value in values_at(step, trigger.path))
        }
        out.variants.update(variants)
        for key, meant in unknown_fields(spec.create_apis, arguments):
            hint = f"; did you mean {meant}?" if meant else ""
            out.notices.append(Notice(
                UNKNOWN_ARGUMENT,
                f"step {name!r} field {key}: {', '.join(spec.create_apis)} takes no such "
                f"field, so SageMaker will not use it and the role ignores it{hint}",
            ))
        for group in spec.action_groups:
            if group.variant is not None and group.variant not in variants:
                continue
            if group.unless_variant is not None and group.unless_variant in variants:
                out.not_called.add(group.label)
                continue
            if group.scope in (ResourceScope.JOB_NAME, ResourceScope.USER_NAME,
                               ResourceScope.GIVEN):
                self._groups.read_group(name, step_type, step, group)
        self._roles.read(name, spec, step)
        self._models.read_model_names(name, spec, step)
        if spec.job is not None:
            # What the job needs concerns its own role: its warnings stay with it.
            with state.set_aside(defaulted=True) as apart:
                self._jobs.read(name, step_type, spec, spec.job, step)
            job_notices = apart.notices + default_notices(state.parameters, apart.defaulted)
            if out.jobs and out.jobs[-1].steps == (name,):
                out.jobs[-1] = replace(
                    out.jobs[-1],
                    notices=tuple(dict.fromkeys(job_notices)),
                    unresolved=tuple(apart.unresolved),
                )
        if spec.hosting is not None:
            self._models.read_hosting(name, step_type, spec.hosting, step)
        self._json_gets.read(name, step)

    def reading(self) -> DefinitionReading:
        """What the definition needs.

        Raises:
            DefinitionError: every problem found, each once.
        """
        state = self._state
        out = state.out
        out.jobs = [self._models.with_hosting(job) for job in out.jobs]
        if out.problems:
            # A field read twice (its job's name and its own grant) is one problem.
            raise DefinitionError(list(dict.fromkeys(out.problems)))
        out.notices += default_notices(state.parameters, out.defaulted)
        notices = tuple(dict.fromkeys(out.notices))
        requirements = PipelineRequirements(
            step_types=frozenset(out.step_types),
            name_patterns={t: tuple(sorted(p)) for t, p in out.name_patterns.items()},
            pass_roles=frozenset(out.pass_roles),
            json_get_objects=tuple(sorted(out.json_get)),
            given={b: tuple(sorted(v)) for b, v in out.given.items()},
            group_names={label: tuple(sorted(v)) for label, v in out.group_names.items()},
            variants=frozenset(out.variants),
            unused_groups=frozenset(out.not_called - out.named),
            model_names=None if out.model_names is None else tuple(sorted(out.model_names)),
            notices=notices,
        )
        steps = tuple(
            (step["Name"], StepType(step["Type"]))
            for _, step in state.steps
            if step.get("Type") in StepType._value2member_map_
        )
        return DefinitionReading(requirements, steps, tuple(out.scopes), tuple(out.unresolved),
                                 tuple(out.jobs), parameter_scopes(state.parameters, out.uses))


def read_definition(
    source: str | Path | Mapping[str, Any],
    *,
    parameter_values: Mapping[str, Sequence[str]] | None = None,
    any_value_parameters: Sequence[str] = (),
    pipeline_name: str | None = None,
    allow_unknown_step_types: bool = False,
    replaced_role_steps: Collection[str] = (),
    manifest_locations: Mapping[str, Sequence[str]] | None = None,
    model_endpoints: Mapping[str, Sequence[str]] | None = None,
) -> DefinitionReading:
    """Read what a pipeline definition needs from its execution role and job roles.

    Parameters fail closed. A grant that depends on a parameter allows the values of
    ``parameter_values``; for a parameter without them, its ``DefaultValue`` (with the
    warning ``parameterScopedToDefault``: an execution that passes another value is then
    denied); a parameter with neither is an error, unless ``any_value_parameters`` opts it
    in to the widest pattern (with ``unresolvedDefinitionValue``).

    Args:
        source: ``pipeline.definition()`` JSON text, a path to it, or the parsed dict.
        parameter_values: per pipeline parameter, the values executions may use.
            Default: none (each parameter scoped to its default).
        any_value_parameters: parameters whose every value the roles allow (an explicit
            opt-in, reported as a finding). Default: none.
        pipeline_name: the pipeline's name (``Execution.PipelineName``), which names its
            Experiments records; unbound when None.
        allow_unknown_step_types: warn about an unknown step ``Type`` instead of failing.
        manifest_locations: per step that reads a manifest (``ManifestFile``,
            ``AugmentedManifestFile``), the S3 folders the objects it lists lie under
            (``{"Train": ["s3://bucket/images"]}``): its job role reads the objects under
            them. None (the default): the role reads the manifests only, with a warning.
        model_endpoints: per Model step, the endpoints that serve its model outside the
            pipeline (``{"CreateModel": ["fraud-prod"]}``): its role writes their logs,
            as for an endpoint an Endpoint step names. None (the default): only the
            pipeline's own endpoints (else the warning ``modelEndpointsUnnamed``).
        replaced_role_steps: steps whose role fields handed to SageMaker the caller
            replaces with roles it makes (``PipelineJobRoles``): those fields are not
            read, so their roles are not passed and a parameter there needs no binding.
            Default: none.

    Raises:
        DefinitionError: an option is of the wrong shape (``notAMapping``, ``notAList``:
            each is checked first, before the definition is read), the definition is
            malformed (every problem names the step and the field), a grant depends on a
            parameter with no default, no binding and no opt-in, ``parameter_values`` or
            ``any_value_parameters`` name a parameter it does not have, or the same one,
            or ``manifest_locations`` names a step without a manifest input or a value
            that is not an S3 folder, or ``model_endpoints`` names a step that is not a
            Model step or a value that is not an endpoint name.
    """
    problems = option_shape_problems(parameter_values, any_value_parameters,
                                     manifest_locations, model_endpoints)
    if problems:
        raise DefinitionError(problems)
    definition = load_definition(source)
    problems = parameter_choice_problems(definition, parameter_values or {},
                                         any_value_parameters)
    if problems:
        raise DefinitionError(problems)
    parameters = caller_parameters(definition, parameter_values or {}, any_value_parameters,
                                   pipeline_name)
    reader = _DefinitionReader(definition, parameters, allow_unknown_step_types,
                               replaced_role_steps, manifest_locations, model_endpoints)
    reader.read(definition)
    return reader.reading()
