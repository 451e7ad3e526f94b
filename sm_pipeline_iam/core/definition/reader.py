"""A pipeline definition (``pipeline.definition()`` JSON) -> the pipeline's requirements.

Pure Python: no CDK and no SageMaker SDK import. The reader walks every step (into
Condition ``IfSteps``/``ElseSteps`` and ForEach ``ForEachBody``) and collects the step
types, each job's name scope, the roles passed and to which service, the S3 objects that
``JsonGet`` reads and that Cleanup deletes, and the integrations' resources. A value that
cannot be known when the role is made never becomes a silent ``*``: it becomes the
narrowest pattern its literal parts allow, and a warning says how to bind it.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from .. import naming
from ..arns import IMAGE_URI as _IMAGE_URI
from ..arns import ROLE_ARN as _ROLE_ARN
from ..catalog.api_fields import unknown_fields
from ..catalog.automl import AUTOML_IMAGES, AUTOML_REPOSITORIES
from ..catalog.bindings import Binding
from ..catalog.features import PIPELINE_FEATURES, PIPELINE_UNGRANTED
from ..catalog.schema import (
    ActionGroup,
    JobCall,
    JobSpec,
    KeyUse,
    ResourceScope,
    S3Access,
    S3Use,
    Source,
    StepSpec,
    StepType,
    UngrantedField,
    ValueForm,
    WhenAbsent,
)
from ..catalog.services import SAGEMAKER
from ..catalog.steps import HOSTING_KINDS, LONG_PREFIX_LIMIT, spec_for
from ..errors import DefinitionError, Problem
from ..execution_role.policy import JOB_ROLE_ARN, PLACEHOLDERS
from ..execution_role.requirements import (
    PassRoleTarget,
    PipelineRequirements,
    wide_role_arns,
)
from ..execution_role.requirements import (
    has_token_marker as is_token,  # the reader's own name for it
)
from ..job_roles.needs import JobNeeds, ServiceCall
from ..locations import (
    ReadForm,
    S3ObjectPattern,
    folder_objects,
    parse_s3_folder,
    read_grants,
)
from ..notices import (
    AUTOML_RESOURCE_NAMES,
    BUILD_TIMESTAMP,
    CLARIFY_MODEL_UNKNOWN,
    COARSENED_JOB_SCOPES,
    DEFINITION_PREFIX,
    INPUT_PREFIX_OVERLAPS,
    MANIFEST_UNDECLARED,
    MIXED_CASE_PREFIX,
    MODEL_ENDPOINTS_UNNAMED,
    MODEL_OUTSIDE_PIPELINE,
    NOT_AN_ECR_IMAGE,
    PARAMETER_SCOPED_TO_DEFAULT,
    RUN_TIME_VALUE,
    STEP_NAME_NOT_IN_JOB_NAMES,
    UNGRANTED_FIELD,
    UNKNOWN_ARGUMENT,
    UNKNOWN_STEP_TYPE,
    UNRESOLVED_VALUE,
    UNSCOPED_DEFAULT_NAMES,
    WILDCARD_WRITE_COVERS,
    Notice,
    Unresolved,
)
from .expressions import ExpressionError, Pattern, evaluate

#: The largest definition SageMaker accepts (characters): CreatePipeline's
#: ``PipelineDefinition``, "Maximum length of 1048576" (SageMaker API Reference,
#: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePipeline.html).
#: It is SageMaker's only limit on a definition's shape; it sets none on nesting.
DEFINITION_LIMIT = 1_048_576

#: SageMaker's step names (the API's StepName: letters, digits, hyphens and underscores,
#: at most 64 characters).
STEP_NAME_LIMIT = 64
STEP_NAME = re.compile(rf"[A-Za-z0-9\-_]{{1,{STEP_NAME_LIMIT}}}")


#: How many characters of a step's name the default job name carries (AWS page).
STEP_NAME_PREFIX_LENGTH = 20

_JOB_NAME_CHARS = re.compile(r"[A-Za-z0-9-]+")
#: How many characters of a training job's name its Debugger rule jobs' names keep.
_RULE_JOB_NAME_KEPT = 26
#: An image URI from a step property, with run-time parts: account, region, repository.
_RUN_TIME_IMAGE = re.compile(
    r"(\d{12}|\*)\.dkr\.ecr\.([a-z0-9-]+|\$\{AWS::Region\})\.amazonaws\.com(?:\.cn)?/"
    r"([a-z0-9._/*-]+?)(?::[\w.*-]+|@sha256:[0-9a-f]{64})?"
)
_QUEUE_URL = re.compile(r"https://(?:sqs\.)?([a-z0-9-]+)\.[^/]+/(\d{12})/([\w.-]+)")

@dataclass(frozen=True)
class JobScope:
    """The names one step's resources may have."""

    step: str
    step_type: StepType
    resource: str
    patterns: tuple[str, ...]


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
class DefinitionReading:
    """What a definition needs, and what the reader could not pin down."""

    requirements: PipelineRequirements
    steps: tuple[tuple[str, StepType], ...]
    scopes: tuple[JobScope, ...]
    unresolved: tuple[Unresolved, ...]
    jobs: tuple[JobNeeds, ...] = ()
    parameters: tuple[ParameterScope, ...] = ()


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


@dataclass(frozen=True)
class _JobLocation:
    """An S3 location a step's job touches: its bucket and key (empty at the bucket's root,
    a trailing ``/`` kept), and how the job reads it (None: it writes there)."""

    step: str
    field: str
    bucket: str
    key: str
    form: ReadForm | None
    manifest: bool = False

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


#: How the job reads a location of each bare-URI input kind (READ's come from S3DataType).
_READ_FORMS = {
    S3Access.READ: ReadForm.KEY_PREFIX,
    S3Access.READ_URI: ReadForm.OBJECT_OR_FOLDER,
    S3Access.READ_OBJECT: ReadForm.OBJECT,
}


def _json_unquoted(pattern: Pattern) -> Pattern:
    """A value written as JSON text of a string (SDK v2's hyperparameters:
    ``"\"s3://b/k\""``) as the string it encodes; any other value as it is."""
    text = pattern.text
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return pattern
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        return pattern
    return replace(pattern, text=decoded) if isinstance(decoded, str) else pattern


def _may_be_s3(pattern: Pattern) -> bool:
    """Whether a value may be an S3 URI: a literal that starts with ``s3://``, or a pattern
    whose literal start is ``s3://...`` or could still become it (``s3``, or nothing
    before a run-time part). ``file://...``, ``/opt/ml/model/code`` or an empty string
    are paths the container or the SDK's machine holds: no S3 read."""
    if pattern.is_literal:
        return pattern.text.startswith("s3://")
    start = pattern.literal_prefix
    return start.startswith("s3://") or "s3://".startswith(start)


@dataclass
class _Collected:
    step_types: set[StepType] = field(default_factory=set)
    name_patterns: dict[StepType, set[str]] = field(default_factory=dict)
    group_names: dict[str, set[str]] = field(default_factory=dict)
    pass_roles: set[PassRoleTarget] = field(default_factory=set)
    model_names: set[str] | None = None
    json_get: set[S3ObjectPattern] = field(default_factory=set)
    given: dict[Binding, set[str]] = field(default_factory=dict)
    variants: set[str] = field(default_factory=set)
    # Catalog group labels that some step calls (named) or leaves uncalled (not_called).
    named: set[str] = field(default_factory=set)
    not_called: set[str] = field(default_factory=set)
    scopes: list[JobScope] = field(default_factory=list)
    jobs: list[JobNeeds] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Parameter -> the fields whose grants it scopes: every parameter, and those scoped
    # to their default (for the notice of the role being read: a job's or the pipeline's).
    uses: dict[str, dict[str, None]] = field(default_factory=dict)
    defaulted: dict[str, dict[str, None]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Parameters:
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


class _Reader:
    def __init__(
        self,
        definition: Mapping[str, Any],
        parameters: _Parameters,
        allow_unknown_step_types: bool,
        replaced_role_steps: Collection[str] = (),
        manifest_locations: Mapping[str, Sequence[str]] | None = None,
        model_endpoints: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.parameters = parameters
        self.replaced_role_steps = frozenset(replaced_role_steps)
        self.bindings = parameters.bindings
        self.allow_unknown = allow_unknown_step_types
        self._resolving: set[str] = set()
        #: Step -> the start of its jobs' default names (its first 20 characters) and the
        #: resource type of its jobs: names collide only within one type (one log group).
        self._default_named: dict[str, tuple[str, str | None]] = {}
        #: Step -> the literal custom prefixes of its jobs' names, with that type.
        self._custom_prefixed: dict[str, set[tuple[str, str | None]]] = {}
        self.out = _Collected()
        #: Every S3 location of every step's job, and each step's manifest inputs.
        self._s3_locations: list[_JobLocation] = []
        self._manifest_inputs: dict[str, list[str]] = {}
        self._declared_manifests = dict(manifest_locations or {})
        self._manifest_folders_of = self._manifest_folders(self._declared_manifests)
        #: Model step -> the endpoints ``model_endpoints`` says serve its model elsewhere.
        self._declared_endpoints = self._endpoint_names(model_endpoints)
        self.steps: list[tuple[str, dict[str, Any]]] = list(self._walk(definition["Steps"], ""))
        self.by_name = {
            step["Name"]: step for _, step in self.steps if isinstance(step.get("Name"), str)
        }
        # Model step -> what endpoints configured by other steps do as its role.
        self.hosted: dict[str, list[JobNeeds]] = {}

    def _problem(self, prop: str, code: str, message: str) -> None:
        self.out.problems.append(Problem(prop, code, message))

    # --- walking -------------------------------------------------------------------------

    def _walk(self, steps: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            location = f"{where}Steps[{index}]"
            if not isinstance(step, dict):
                self._problem(location, "notAnObject", f"{location} is not an object")
                continue
            yield location, step
            arguments = step.get("Arguments")
            if isinstance(arguments, dict):
                name = step.get("Name", location)
                for key in ("IfSteps", "ElseSteps", "ForEachBody"):
                    if key in arguments:
                        yield from self._walk(arguments[key], f"{name}.{key}/")

    def read(self, definition: Mapping[str, Any]) -> None:
        self._steps()
        self._features(definition)
        self._default_name_overlaps()
        self._custom_prefix_overlaps()
        self._prefix_overlaps()
        self._wildcard_write_overlaps()
        self._manifest_steps_problems()
        self._model_endpoint_steps_problems()

    # --- manifest_locations ------------------------------------------------------------------

    def _manifest_folders(
        self, declared: Mapping[str, Sequence[str]]
    ) -> dict[str, list[S3ObjectPattern]]:
        """``manifest_locations`` as the objects under each folder, checked as S3 folders
        (a bucket, no wildcards)."""
        folders: dict[str, list[S3ObjectPattern]] = {}
        for step, uris in declared.items():
            prop = f"manifest_locations[{step!r}]"
            for uri in uris:
                folder, problems = parse_s3_folder(uri, prop=prop)
                self.out.problems.extend(problems)
                if folder is not None:
                    folders.setdefault(step, []).append(folder)
        return folders

    def _manifest_steps_problems(self) -> None:
        """Each ``manifest_locations`` step must be a step of the definition whose job
        reads a manifest."""
        with_manifests = sorted(self._manifest_inputs)
        self._option_steps_problems(
            "manifest_locations", self._declared_manifests, with_manifests,
            "steps with manifest inputs", lambda step: (
                "noManifestInput",
                f"manifest_locations names step {step!r}, whose job reads no ManifestFile "
                "or AugmentedManifestFile input, so the objects would be granted for "
                f"nothing (steps with manifest inputs: {', '.join(with_manifests) or 'none'})"))

    def _option_steps_problems(
        self, prop: str, declared: Iterable[str], eligible: Sequence[str], label: str,
        wrong_kind: Callable[[str], tuple[str, str]],
    ) -> None:
        """A problem for each step an option (``manifest_locations``, ``model_endpoints``)
        names that is not among the ``eligible`` steps: unknown (with the closest name) or
        of the wrong kind (``wrong_kind`` gives its code and message)."""
        for step in declared:
            if step in eligible:
                continue
            if step not in self.by_name:
                close = difflib.get_close_matches(step, list(eligible) or sorted(self.by_name),
                                                  n=1)
                hint = (f"did you mean {close[0]!r}?" if close
                        else f"{label}: {', '.join(eligible) or 'none'}")
                self._problem(prop, "unknownStep",
                              f"{prop} names {step!r}, which is no step of the definition; "
                              f"{hint}")
            else:
                self._problem(prop, *wrong_kind(step))

    # --- model_endpoints ---------------------------------------------------------------------

    def _endpoint_names(
        self, given: Mapping[str, Sequence[str]] | None
    ) -> dict[str, tuple[str, ...]]:
        """``model_endpoints`` as step -> endpoint names, each checked as a literal
        endpoint name (no wildcard, no token: the name scopes a log group grant)."""
        declared: dict[str, tuple[str, ...]] = {}
        for step, names in (given or {}).items():
            prop = f"model_endpoints[{step!r}]"
            valid = []
            for name in names:
                problems = _endpoint_name_problems(prop, name)
                self.out.problems.extend(problems)
                if not problems:
                    valid.append(name)
            # The step is kept even without a valid name: it is checked all the same.
            declared[step] = tuple(dict.fromkeys(valid))
        return declared

    def _model_endpoint_steps_problems(self) -> None:
        """Each ``model_endpoints`` step must be a Model step of the definition: only a
        model runs on an endpoint as its own role (API_CreateModel ``ExecutionRoleArn``)."""
        models = sorted(name for name, step in self.by_name.items()
                        if step.get("Type") == StepType.MODEL.value)
        self._option_steps_problems(
            "model_endpoints", self._declared_endpoints, models, "Model steps",
            lambda step: (
                "notAModelStep",
                f"model_endpoints names step {step!r}, a "
                f"{self.by_name[step].get('Type')!s} step: an endpoint serves a Model step's "
                f"model, as that model's role (Model steps: {', '.join(models) or 'none'})"))

    def _features(self, definition: Mapping[str, Any]) -> None:
        # Pipeline-level settings, read from the definition's top level as the catalog says.
        for ungranted in PIPELINE_UNGRANTED:
            self._ungranted("", ungranted, definition)
        for feature in PIPELINE_FEATURES:
            if definition.get(feature.trigger) is None:
                continue
            self.out.variants.add(feature.variant)
            for group in feature.action_groups:
                if group.scope is ResourceScope.USER_NAME:
                    self._group(feature.trigger, None, dict(definition), group)

    def _steps(self) -> None:
        for location, step in self.steps:
            name, type_name = step.get("Name"), step.get("Type")
            if not isinstance(name, str) or not name:
                self._problem(location, "noName", f"{location} has no Name")
                continue
            if not STEP_NAME.fullmatch(name):
                self._problem(
                    f"{location}.Name", "invalidStepName",
                    f"step {name[:80]!r} is not a SageMaker step name: 1 to "
                    f"{STEP_NAME_LIMIT} letters, digits, hyphens and underscores",
                )
                continue
            if not isinstance(type_name, str):
                self._problem(f"{name}.Type", "noType", f"step {name!r} has no Type")
                continue
            try:
                step_type = StepType.parse(type_name)
            except ValueError as error:
                if self.allow_unknown:
                    self.out.notices.append(Notice(
                        UNKNOWN_STEP_TYPE,
                        f"step {name!r} has Type {type_name!r}, unknown to sm-pipeline-iam: "
                        "the role grants it nothing; check what it needs",
                    ))
                else:
                    self._problem(
                        f"{name}.Type", "unknownStepType",
                        f"step {name!r} field Type: {error} (or pass "
                        "allow_unknown_step_types=True to warn instead)"
                    )
                continue
            arguments = step.get("Arguments", {})
            if not isinstance(arguments, dict):
                self._problem(
                    f"{name}.Arguments", "notAnObject",
                    f"step {name!r} field Arguments is not an object",
                )
                continue
            self.out.step_types.add(step_type)
            self._step(name, step_type, step, arguments)

    # --- one step --------------------------------------------------------------------------

    def _step(
        self, name: str, step_type: StepType, step: dict[str, Any], arguments: dict[str, Any]
    ) -> None:
        # Everything is read as the catalog says: no step type is special here.
        spec = spec_for(step_type)
        variants = {
            trigger.variant for trigger in spec.variant_triggers
            if any(value is not None for _, value in values_at(step, trigger.path))
        }
        self.out.variants.update(variants)
        for key, meant in unknown_fields(spec.create_apis, arguments):
            hint = f"; did you mean {meant}?" if meant else ""
            self.out.notices.append(Notice(
                UNKNOWN_ARGUMENT,
                f"step {name!r} field {key}: {', '.join(spec.create_apis)} takes no such "
                f"field, so SageMaker will not use it and the role ignores it{hint}",
            ))
        for group in spec.action_groups:
            if group.variant is not None and group.variant not in variants:
                continue
            if group.unless_variant is not None and group.unless_variant in variants:
                self.out.not_called.add(group.label)
                continue
            if group.scope in (ResourceScope.JOB_NAME, ResourceScope.USER_NAME,
                               ResourceScope.GIVEN):
                self._group(name, step_type, step, group)
        self._roles(name, spec, step)
        self._models(name, spec, step)
        if spec.job is not None:
            # What the job needs concerns its own role: its warnings stay with it.
            notices, unresolved = self.out.notices, self.out.unresolved
            defaulted = self.out.defaulted
            self.out.notices, self.out.unresolved, self.out.defaulted = [], [], {}
            try:
                self._job(name, step_type, spec, spec.job, step)
            finally:
                job_notices, job_unresolved = self.out.notices, self.out.unresolved
                job_notices += self._default_notices(self.out.defaulted)
                self.out.notices, self.out.unresolved = notices, unresolved
                self.out.defaulted = defaulted
            if self.out.jobs and self.out.jobs[-1].steps == (name,):
                self.out.jobs[-1] = replace(
                    self.out.jobs[-1],
                    notices=tuple(dict.fromkeys(job_notices)),
                    unresolved=tuple(job_unresolved),
                )
        if spec.hosting is not None:
            self._hosting(name, step_type, spec.hosting, step)
        self._json_gets(name, step)

    def _group(
        self, name: str, step_type: StepType | None, step: dict[str, Any], group: ActionGroup
    ) -> None:
        """Read one group's names from a step (or, with no step type, from the definition's
        top level for a pipeline-level feature)."""
        values: set[str] = set()
        for source in group.names:
            for field_name, value in values_at(step, source.path):
                if value is not None:
                    values.update(self._source_values(
                        name, step_type, group, source, field_name, value))
        if not values:
            if group.when_absent is WhenAbsent.NOT_CALLED:
                self.out.not_called.add(group.label)
                return
            if group.when_absent is WhenAbsent.REQUIRED:
                fields = " or ".join(source.field for source in group.names)
                owner = f"a {step_type.value} step" if step_type else "the definition"
                self._problem(
                    f"{name}.{fields}", "missing",
                    f"step {name!r} field {fields} is missing: {owner} needs it "
                    f"({group.label})"
                )
                return
            assert step_type is not None  # only steps name jobs by default
            values = self._default_names(name, step_type)
        self.out.named.add(group.label)
        if group.scope is ResourceScope.GIVEN:
            assert group.binding is not None
            self.out.given.setdefault(group.binding, set()).update(values)
            return
        if group.scope is ResourceScope.JOB_NAME and step_type is not None:
            self.out.name_patterns.setdefault(step_type, set()).update(values)
        else:
            self.out.group_names.setdefault(group.label, set()).update(values)
        if step_type is not None:
            scope = JobScope(name, step_type, group.resource_type, tuple(sorted(values)))
            if scope not in self.out.scopes:
                self.out.scopes.append(scope)

    def _source_values(
        self, name: str, step_type: StepType | None, group: ActionGroup, source: Source,
        field_name: str, value: Any,
    ) -> set[str]:
        """The resource names (or caller-given values) that one definition value means."""
        form = source.form
        if not self._no_literal_wildcards(name, field_name, value):
            return set()
        if form is ValueForm.CLEANUP_SOURCE:
            return self._cleanup_source(name, field_name, value)
        patterns = self._patterns(name, field_name, value)
        if form is ValueForm.QUEUE_URL:
            return {self._queue_arn(name, field_name, pattern) for pattern in patterns}
        if form is ValueForm.ARN:
            return self._arn_names(name, group, field_name, patterns)
        if group.scope is ResourceScope.GIVEN:
            # An id or ARN of a resource the pipeline uses: short of a literal, unresolved.
            for pattern in patterns:
                if not pattern.is_literal:
                    self._unresolved(name, field_name, pattern)
            return {pattern.text for pattern in patterns}
        texts = self._names(name, field_name, patterns)
        if form is ValueForm.PREFIX:
            return {pattern for text in texts for pattern in self._prefix(name, step_type,
                                                                          field_name, text)}
        if form is ValueForm.GROUP_VERSIONS:
            texts = [f"{text}/*" for text in texts]
        # SageMaker may put names into ARNs lower-cased (AWS's guide shows
        # model-package/abalonemodelpackagegroupname/1): allow both spellings.
        return {spelling for text in texts for spelling in (text, text.lower())}

    def _prefix(
        self, name: str, step_type: StepType | None, field_name: str, text: str
    ) -> set[str]:
        """The job-name patterns of a prefix from the definition, checked as props are."""
        match = _BUILD_TIMESTAMP.fullmatch(text)
        if match is not None:
            self.out.notices.append(Notice(
                BUILD_TIMESTAMP,
                f"step {name!r} field {field_name}: {text!r} ends with the SDK's build "
                f"timestamp, new on every build: the role allows '{match.group(1)}-*'",
            ))
            text = match.group(1)
        # A run-time part ('*', the execution id's '?') is no literal prefix to check.
        if "*" not in text and "?" not in text:
            if step_type is not None:
                self._custom_prefixed.setdefault(name, set()).add(
                    (text, spec_for(step_type).resource_type))
            step_types = [step_type] if step_type else []
            for problem in naming.prefix_problems(text, step_types, prop=field_name):
                self.out.notices.append(Notice(
                    DEFINITION_PREFIX, f"step {name!r}: {problem.message}"
                ))
            if naming.is_mixed_case(text):
                self.out.notices.append(Notice(
                    MIXED_CASE_PREFIX,
                    f"step {name!r} field {field_name}: prefix {text!r} has upper-case "
                    "letters; whether SageMaker lower-cases names inside job ARNs is "
                    f"unconfirmed, so the policy allows both '{text}-*' and "
                    f"'{text.lower()}-*'",
                ))
        return set(_prefixed(text))

    def _no_literal_wildcards(self, name: str, field_name: str, value: Any) -> bool:
        """False, with a problem, when a literal in ``value`` holds ``*`` or ``?``: names,
        ARNs and S3 locations cannot, and IAM would read them as wildcards."""
        found = [text for text in _literals(value) if "*" in text or "?" in text]
        for text in found:
            self._problem(
                f"{name}.{field_name}", "wildcard",
                f"step {name!r} field {field_name}: {text!r} holds a wildcard ('*' or '?'), "
                "which no SageMaker name, ARN or S3 location can: give the exact value",
            )
        return not found

    def _patterns(self, name: str, field_name: str, value: Any) -> list[Pattern]:
        where = f"step {name!r} field {field_name}"
        for parameter in _parameters(value):
            self.out.uses.setdefault(parameter, {})[where] = None
            given = f"parameter_values {parameter!r}"
            if parameter in self.parameters.defaults:
                self.out.defaulted.setdefault(parameter, {})[where] = None
                given = f"the DefaultValue of parameter {parameter!r}"
            bound = [v for v in self.bindings.get(parameter, ()) if "*" in v or "?" in v]
            for text in bound:
                self._problem(
                    f"{name}.{field_name}", "wildcard",
                    f"{where}: {given} holds {text!r}, a wildcard ('*' or '?') no SageMaker "
                    "name, ARN or S3 location can hold: list the exact values executions may "
                    "use in parameter_values",
                )
        try:
            return evaluate(value, self.bindings, self._step_reference)
        except ExpressionError as error:
            self._not_an_expression(name, field_name, error)
            return []

    def _not_an_expression(self, name: str, field_name: str, error: ExpressionError) -> None:
        self._problem(f"{name}.{field_name}", "notAnExpression",
                      f"step {name!r} field {field_name}: {error}")

    def _step_reference(self, reference: str) -> list[Pattern] | None:
        # Steps.<name>.<path into its Arguments>, e.g. an endpoint's config name set by
        # the step that made the config, or a training step's output path; list items
        # are picked by index ([0]) or by name (['train'] matches an OutputName).
        parts = reference.split(".")
        if len(parts) < 3 or parts[1] not in self.by_name:
            return None
        if reference in self._resolving:
            raise ExpressionError(
                f"{reference} refers back to itself through other steps' values (a cycle): "
                "give one of them a literal value, or a parameter"
            )
        self._resolving.add(reference)
        try:
            return self._resolve_reference(parts)
        finally:
            self._resolving.discard(reference)

    def _resolve_reference(self, parts: list[str]) -> list[Pattern] | None:
        resolved = self._property_reference(parts[1], ".".join(parts[2:]))
        if resolved is not None:
            return resolved
        value: Any = self.by_name[parts[1]].get("Arguments")
        for part in parts[2:]:
            value = _descend(value, part)
            if value is None:
                return None
        if isinstance(value, (dict, list)) and not _is_expression(value):
            return None
        # A field the reader never checks on its own step (Environment.DATA) reaches a
        # grant here: its literals pass the same wildcard check, named where they lie.
        if not self._no_literal_wildcards(parts[1], ".".join(parts[2:]), value):
            return []
        return evaluate(value, self.bindings, self._step_reference)

    def _property_reference(self, step_name: str, path: str) -> list[Pattern] | None:
        """A reference to a step property the catalog describes (``TrainingJobName``,
        ``ModelArtifacts.S3ModelArtifacts``): the value SageMaker gives it, from the step's
        job-name patterns and arguments, never the bare prefix its ``Arguments`` hold."""
        step = self.by_name[step_name]
        type_name = step.get("Type")
        if not isinstance(type_name, str) or type_name not in StepType._value2member_map_:
            return None
        step_type = StepType(type_name)
        for prop in spec_for(step_type).properties:
            if _PROPERTY_INDEX.sub("[*]", path) != prop.path:
                continue
            parts: list[list[Pattern]] = []
            for literal, placeholder in _TEMPLATE.findall(prop.template + "{}"):
                if literal:
                    parts.append([Pattern(literal)])
                if placeholder == "job":
                    parts.append([Pattern(text) for text in sorted(
                        self._job_names_of(step_name, step_type, step, notify=False))])
                elif placeholder == "region":
                    parts.append([Pattern(PLACEHOLDERS.region)])
                elif placeholder:
                    values = [v for _, v in values_at(step, placeholder) if v is not None
                              and self._no_literal_wildcards(step_name, placeholder, v)]
                    parts.append([p for v in values for p in evaluate(
                        v, self.bindings, self._step_reference)] or [Pattern("*")])
            reference = f"Steps.{step_name}.{path}"
            return sorted({
                Pattern(_STARS.sub("*", _joined_path(p.text for p in choice)),
                        tuple(sorted({u for p in choice for u in p.unbound})),
                        (reference,))
                for choice in itertools.product(*parts)
            })
        return None

    def _job_names_of(
        self, step_name: str, step_type: StepType, step: dict[str, Any], *, notify: bool = True
    ) -> set[str]:
        """The name patterns of the jobs (or resources) a step's pipeline creates."""
        for group in spec_for(step_type).action_groups:
            for source in group.names:
                if source.form is not ValueForm.PREFIX:
                    continue
                texts: set[str] = set()
                for field_name, value in values_at(step, source.path):
                    if value is None:
                        continue
                    try:
                        patterns = evaluate(value, self.bindings, self._step_reference)
                    except ExpressionError as error:
                        if not notify:
                            raise  # a reference's evaluation: its caller names the field
                        self._not_an_expression(step_name, field_name, error)
                        patterns = []
                    for pattern in patterns:
                        texts.update(_prefixed(_strip_timestamp(pattern.text)))
                return texts or self._default_names(step_name, step_type, notify=notify)
        return self._default_names(step_name, step_type, notify=notify)

    def _unresolved(self, name: str, field_name: str, pattern: Pattern) -> None:
        """A grant wider than a literal: a problem when a parameter the caller left unbound,
        without a default and without opting it in, widens it (least privilege fails
        closed); else the warning that names what widens it."""
        unbound = [p.removeprefix("Parameters.") for p in pattern.unbound
                   if p.startswith("Parameters.")]
        refused = [p for p in unbound if p not in self.parameters.any_value]
        for parameter in refused:
            self._problem(
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
        self.out.unresolved.append(item)
        self.out.notices.append(Notice(UNRESOLVED_VALUE, item.message()))

    def _default_notices(self, defaulted: Mapping[str, Mapping[str, None]]) -> list[Notice]:
        """One notice per parameter scoped to its default, naming the fields it scopes."""
        notices = []
        for parameter, fields in defaulted.items():
            default = self.parameters.defaults[parameter]
            notices.append(Notice(
                PARAMETER_SCOPED_TO_DEFAULT,
                f"parameter {parameter!r} is not in parameter_values, so the grants of "
                f"{', '.join(fields)} are scoped to its DefaultValue {default!r}: an "
                "execution that passes another value fails with AccessDenied until the "
                "parameter is bound; to allow more values, give parameter_values="
                f"{{{parameter!r}: [{default!r}, ...]}} (--parameter in explain)",
            ))
        return notices

    def _names(self, name: str, field_name: str, patterns: list[Pattern]) -> list[str]:
        """The name patterns' texts. One that a binding could narrow, or that has no
        literal start, is unresolved; one whose unknown parts are run-time values is a
        notice."""
        for pattern in patterns:
            if pattern.unbound or not pattern.literal_prefix:
                self._unresolved(name, field_name, pattern)
            elif pattern.run_time:
                self._run_time(name, field_name, pattern)
        return [pattern.text for pattern in patterns]

    def _run_time(self, name: str, field_name: str, pattern: Pattern) -> None:
        values = ", ".join(pattern.run_time)
        self.out.notices.append(Notice(
            RUN_TIME_VALUE,
            f"step {name!r} field {field_name}: {values} is known only while the pipeline "
            f"runs, so the policy allows {pattern.text!r}",
        ))

    def _arn_names(
        self, name: str, group: ActionGroup, field_name: str, patterns: list[Pattern]
    ) -> set[str]:
        # An association end names an entity of this group only when its ARN has the
        # group's resource type; an ARN of another type belongs to another group.
        marker = f":{group.resource_type}/"
        names: set[str] = set()
        for pattern in patterns:
            if marker in pattern.text:
                # The name part may hold a parameter or a run-time value: named as any name.
                names.update(self._names(name, field_name, [
                    replace(pattern, text=pattern.text.split(marker, 1)[1])]))
            elif not pattern.literal_prefix.startswith("arn:"):
                self._unresolved(name, field_name, replace(pattern, text="*"))
                names.add("*")
        return names

    def _default_names(self, name: str, step_type: StepType, *, notify: bool = True
                       ) -> set[str]:
        """The default naming of a step's jobs (``notify``: warn where it cannot narrow
        them; off when another step merely refers to them)."""
        prefix = name[:STEP_NAME_PREFIX_LENGTH]
        if spec_for(step_type).max_prefix_length != LONG_PREFIX_LIMIT:
            # Tuning and AutoML names hold 32 characters: how the step name fits is
            # undocumented, so only the static start narrows them.
            if notify:
                self.out.notices.append(Notice(
                    UNSCOPED_DEFAULT_NAMES,
                    f"step {name!r}: {step_type.value} jobs under the default naming can "
                    "only be allowed as 'pipelines-*' (how SageMaker fits the step name into "
                    "their 32 characters is undocumented), so they share that scope with "
                    "every default-named job: turn on the custom job prefix",
                ))
            return set(naming.default_patterns())
        if not _JOB_NAME_CHARS.fullmatch(prefix):
            if not notify:
                return set(naming.default_patterns())
            self.out.notices.append(Notice(
                STEP_NAME_NOT_IN_JOB_NAMES,
                f"step {name!r} has characters job names cannot hold, and how SageMaker "
                "rewrites them is undocumented: its jobs are allowed as 'pipelines-*'. "
                "Rename the step with letters, digits and hyphens to narrow it.",
            ))
            return set(naming.default_patterns())
        self._default_named[name] = (prefix, spec_for(step_type).resource_type)
        start = f"{naming.DEFAULT_PREFIX}-*-"
        return {f"{start}{prefix}-*", f"{start}{prefix.lower()}-*"}

    def _custom_prefix_overlaps(self) -> None:
        """Refuse two steps whose jobs of one resource type have custom prefixes that
        differ but one, followed by '-', starts the other (``fraud-prep`` and
        ``fraud-prep-v2``): ``fraud-prep-*`` matches the other's jobs, outputs and log
        streams, as for teams' prefixes."""
        named = sorted((prefix, kind or "", step)
                       for step, prefixes in self._custom_prefixed.items()
                       for prefix, kind in prefixes)
        for index, (first, kind, first_step) in enumerate(named):
            for second, other_kind, second_step in named[index + 1:]:
                one, other = sorted((first.lower(), second.lower()), key=len)
                if (first_step != second_step and kind == other_kind
                        and other.startswith(f"{one}-")):
                    self._problem(
                        f"{first_step}.Name", "jobPrefixesOverlap",
                        f"steps {first_step!r} and {second_step!r}: job prefix {first!r} "
                        f"followed by '-' starts {second!r}, so the pattern "
                        f"'{min(first, second, key=len)}-*' covers both steps' jobs, their "
                        "output paths and log streams: give them prefixes neither of which, "
                        "followed by '-', starts the other (e.g. 'fraud-prep' and "
                        "'fraud-prepv2'), or the same prefix knowingly",
                    )

    def _default_name_overlaps(self) -> None:
        """Refuse two steps whose default job names (of one resource type) one pattern
        covers: after the step name SageMaker puts a generated token of no documented
        form, so ``pipelines-*-Train-*`` also matches
        ``pipelines-<id>-Train-Challenger-<token>`` (and steps sharing their first 20
        characters get the same names). Each role could then write the other's model and
        logs; no pattern separates them."""
        named = sorted(self._default_named.items())
        for index, (first, (first_prefix, kind)) in enumerate(named):
            for second, (second_prefix, other_kind) in named[index + 1:]:
                one, other = first_prefix.lower(), second_prefix.lower()
                if kind == other_kind and (_default_name_covers(one, other)
                                           or _default_name_covers(other, one)):
                    self._problem(
                        f"{first}.Name", "jobNamesOverlap",
                        f"steps {first!r} and {second!r}: under the default naming their "
                        f"jobs are 'pipelines-<execution id>-{first_prefix}-<token>' and "
                        f"'pipelines-<execution id>-{second_prefix}-<token>' (the first 20 "
                        "characters of the step name), and the token's form is undocumented, "
                        "so one step's pattern ('pipelines-*-<name>-*') covers the other's "
                        "jobs, their output paths and logs: rename one step so that neither "
                        "name's first 20 characters, between '-', occur in the other's, "
                        "or give the steps distinct custom job prefixes "
                        "(PipelineDefinitionConfig(use_custom_job_prefix=True))",
                    )

    # --- what the step's job needs from the role it runs as -----------------------------

    def _job(
        self, name: str, step_type: StepType, spec: StepSpec, job: JobSpec, step: dict[str, Any]
    ) -> None:
        job_names = tuple(sorted(self._job_names_of(name, step_type, step)))
        reads: set[S3ObjectPattern] = set()
        lists: set[tuple[str, str]] = set()
        writes: set[S3ObjectPattern] = set()
        for use in job.s3:
            for field_name, value in values_at(step, use.path):
                if value is None:
                    continue
                for location in self._job_locations(name, field_name, value, use):
                    self._s3_locations.append(location)
                    self._s3_use(use.access, location, job_names, reads, lists, writes)
        reads.update(self._manifest_objects(name))
        if job.function_arguments is not None:
            self._function_payloads(name, job.function_arguments, step, reads, writes)
        streams = {
            (f"/aws/sagemaker/{kind}", f"{job_name}/*" if step_type is not StepType.AUTOML
             else "*")
            for kind in job.kinds for job_name in job_names
        }
        side_kinds = self._side_jobs(name, job, step, job_names, reads, lists, streams)
        roles = {
            arn
            for role_field in spec.role_fields if role_field.service == SAGEMAKER
            for _, value in values_at(step, role_field.path)
            if isinstance(value, str) and _ROLE_ARN.fullmatch(value)
            for arn in (value,)
        }
        self.out.jobs.append(JobNeeds(
            steps=(name,),
            step_types=(step_type,),
            role_arns=tuple(sorted(roles)),
            job_names=job_names,
            reads=tuple(sorted(_uncovered(reads))),
            lists=tuple(sorted(_uncovered(lists))),
            writes=tuple(sorted(_uncovered(writes))),
            repositories=tuple(sorted(self._repositories(name, job, step) | set(job.pulls))),
            log_streams=tuple(sorted(streams)),
            metric_namespaces=tuple(sorted({f"/aws/sagemaker/{kind}"
                                            for kind in (*job.kinds, *side_kinds)})),
            subnets=self._ids(name, job.vpc_configs, step, "Subnets"),
            security_groups=self._ids(name, job.vpc_configs, step, "SecurityGroupIds"),
            kms_keys=_sorted_keys(self._kms_keys(name, job, step)
                                  | self._input_keys(name, job, step)),
            service_calls=tuple(sorted(self._service_calls(
                name, job, step, job_names, self._own_roles(name, roles)))),
            runs_as_step=self._model_step(name, job, step),
        ))

    def _own_roles(self, name: str, literal: set[str]) -> tuple[str, ...]:
        """The roles the step's job runs as: the generated role (:data:`JOB_ROLE_ARN`, its
        own ARN) where the caller replaces the step's role, else the literal ARNs."""
        if name in self.replaced_role_steps:
            return (JOB_ROLE_ARN,)
        return tuple(sorted(literal))

    def _service_calls(self, name: str, job: JobSpec, step: dict[str, Any],
                       job_names: tuple[str, ...], roles: tuple[str, ...]
                       ) -> set[ServiceCall]:
        """The API calls the job makes itself, as the catalog's :class:`JobCall` entries
        say, for those whose trigger the step holds (``roles``: the roles the step hands
        its job, :meth:`_own_roles`)."""
        for ungranted in job.ungranted:
            self._ungranted(name, ungranted, step)
        found: set[ServiceCall] = set()
        for job_call in job.calls:
            if not self._triggered(job_call, step):
                continue
            if job_call.notice is not None:
                self.out.notices.append(Notice(job_call.notice, _CALL_NOTICES[
                    job_call.notice].format(step=name)))
            if "{role}" in job_call.resource and not roles:
                self.out.notices.append(Notice(UNGRANTED_FIELD, (
                    f"step {name!r}: its role is not a literal role ARN, so the calls its "
                    f"job makes on it ({', '.join(job_call.actions)}) are not granted: give "
                    "the role's ARN")))
            names = self._call_names(name, job_call, step)
            fill = {"job": job_names, "name": names, "role": roles}
            for resource in _filled(job_call.resource, fill):
                condition = tuple((op, key, value) for op, key, template in job_call.condition
                                  for value in _filled(template, fill))
                for action in job_call.actions:
                    found.add(ServiceCall(action, resource, job_call.reason, condition,
                                          job_call.inferred))
        return found

    def _ungranted(self, name: str, ungranted: UngrantedField, where: Mapping[str, Any]
                   ) -> None:
        """A warning naming each value of a field whose calls the library does not grant."""
        for field_name, value in values_at(where, ungranted.path):
            if value is not None:
                owner = f"step {name!r}" if name else "the pipeline"
                self.out.notices.append(Notice(UNGRANTED_FIELD, (
                    f"{owner} field {field_name}: {ungranted.calls}; the library does not "
                    "grant these calls: grant them to the role that makes them")))

    @staticmethod
    def _triggered(job_call: JobCall, step: dict[str, Any]) -> bool:
        values = [value for _, value in values_at(step, job_call.trigger) if value is not None]
        if job_call.matches is None:
            return bool(values)
        return any(isinstance(v, str) and re.fullmatch(job_call.matches, v) for v in values)

    def _call_names(self, name: str, job_call: JobCall, step: dict[str, Any]) -> tuple[str, ...]:
        """The values that fill a call's ``{name}``: names (both spellings, as SageMaker may
        put them into ARNs lower-cased) or ARNs, each as its narrowest pattern."""
        if job_call.names is None:
            return ()
        texts: set[str] = set()
        for field_name, value in values_at(step, job_call.names):
            if value is None or not self._no_literal_wildcards(name, field_name, value):
                continue
            for text in self._names(name, field_name, self._patterns(name, field_name, value)):
                texts.update((text,) if text.startswith("arn:") else (text, text.lower()))
        return tuple(sorted(texts))

    def _side_jobs(
        self, name: str, job: JobSpec, step: dict[str, Any], job_names: tuple[str, ...],
        reads: set[S3ObjectPattern], lists: set[tuple[str, str]], streams: set[tuple[str, str]],
    ) -> set[str]:
        """What the jobs SageMaker starts beside the step's own (Debugger rule evaluations)
        need from the same role: their log streams, the locations they read; returns their
        job kinds (metric namespaces). Their images are among the job's ``images``.

        A rule evaluation job is named after the training job, cut, then the rule
        (``tensorflow-training-2021-0-profilerreport-1623637290-2473c70b`` for a training
        job ``tensorflow-training-2021-06-14-...``: 26 characters kept, as a public
        DescribeTrainingJob response shows; AWS does not document it): its streams are
        allowed by the literal start of the job's names, cut to 26 characters.
        """
        kinds: set[str] = set()
        for side in job.side_jobs:
            if not any(value is not None for path in side.configs
                       for _, value in values_at(step, path)):
                continue
            kinds.add(side.kind)
            for job_name in job_names:
                start = job_name.split("*", 1)[0][:_RULE_JOB_NAME_KEPT]
                streams.add((f"/aws/sagemaker/{side.kind}", f"{start}*"))
            for path in side.reads:
                for field_name, value in values_at(step, path):
                    if value is None:
                        continue
                    for location in self._job_locations(
                            name, field_name, value, S3Use(path, S3Access.READ_URI)):
                        self._s3_use(S3Access.READ_URI, location, job_names, reads, lists,
                                     set())
        return kinds

    def _function_payloads(self, name: str, path: str, step: dict[str, Any],
                           reads: set[S3ObjectPattern], writes: set[S3ObjectPattern]) -> None:
        """What a ``@step`` function's job reads and writes, from its container arguments
        (SDK v3 ``sagemaker.core.remote_function``: ``job.py`` writes them, ``StoredFunction``
        and ``invoke_function`` use them): it reads its pickled function and arguments under
        ``<s3_base_uri>/<step>/<build time>/`` and the results of the ``@step`` functions it
        takes (their ``S3OutputPath``, listed after ``--property_references``), writes its
        results under its own ``S3OutputPath`` (no job-name folder) and, when the function
        fails, the error under ``<s3_base_uri>/<execution id>/<step>/exception``."""
        for field_name, value in values_at(step, path):
            items = value if isinstance(value, list) else []
            flags = {key: items[i + 1] for i, key in enumerate(items[:-1])
                     if isinstance(key, str) and key.startswith("--")}
            base, function, build = (flags.get(key) for key in (
                "--s3_base_uri", "--pipeline_step_name", "--func_step_s3_dir"))
            if base is None:
                continue  # not a @step function's job
            if not all(isinstance(v, str) for v in (base, function, build)):
                self.out.notices.append(Notice(UNGRANTED_FIELD, (
                    f"step {name!r} field {field_name}: the @step function's --s3_base_uri, "
                    "--pipeline_step_name or --func_step_s3_dir is not a literal, so its "
                    "payload and results are not granted: grant them to the step's role")))
                continue
            root = f"{str(base).rstrip('/')}/{function}"
            for folder in ("function", "arguments"):
                self._add_location(name, field_name, Pattern(f"{root}/{build}/{folder}/*"),
                                   reads)
            self._add_location(name, field_name, Pattern(
                f"{str(base).rstrip('/')}/*/{function}/exception/*",
                run_time=("Execution.PipelineExecutionId",)), writes)
            outputs = [v for _, v in values_at(step, "Arguments.OutputDataConfig.S3OutputPath")]
            for output in outputs:
                for pattern in self._patterns(name, "OutputDataConfig.S3OutputPath", output):
                    self._add_location(name, "OutputDataConfig.S3OutputPath", replace(
                        pattern, text=f"{pattern.text.rstrip('/')}/*"), writes)
            for item in items:
                reference = item.get("Get") if isinstance(item, dict) else None
                if isinstance(reference, str) and reference.startswith("Steps.") and \
                        reference.endswith(".OutputDataConfig.S3OutputPath"):
                    for pattern in self._patterns(name, field_name, item):
                        self._add_location(name, field_name, replace(
                            pattern, text=f"{pattern.text.rstrip('/')}/*"), reads)

    def _add_location(self, name: str, field_name: str, pattern: Pattern,
                      into: set[S3ObjectPattern]) -> None:
        target = self._s3_object(name, field_name, pattern)
        if target is not None:
            into.add(target)

    def _job_locations(
        self, name: str, field_name: str, value: Any, use: S3Use
    ) -> list[_JobLocation]:
        """Each S3 location of one value, and how the job reads it (None: a write)."""
        form = _READ_FORMS.get(use.access)
        manifest = False
        if use.access is S3Access.READ:
            if not isinstance(value, dict):
                self._problem(f"{name}.{field_name}", "notAnObject",
                              f"step {name!r} field {field_name} is not an S3 data source")
                return []
            data_type = str(value.get("S3DataType", "S3Prefix"))
            manifest = data_type.endswith("ManifestFile")
            form = ReadForm.OBJECT if manifest or data_type == "S3Object" else form
            field_name, value = f"{field_name}.S3Uri", value.get("S3Uri")
            if value is None:
                return []
        if not self._no_literal_wildcards(name, field_name, value):
            return []
        found = []
        for pattern in self._patterns(name, field_name, value):
            pattern = _json_unquoted(pattern) if use.json_text else pattern
            if use.access is S3Access.READ_OBJECT and not _may_be_s3(pattern):
                continue
            location = self._s3_location(name, field_name, pattern)
            if location is None:
                continue
            bucket, key = location
            if form is ReadForm.OBJECT and not key:
                self._problem(f"{name}.{field_name}", "notAnObject",
                              f"step {name!r} field {field_name}: {pattern.text!r} names a "
                              "bucket, not an object")
                continue
            found.append(_JobLocation(name, field_name, bucket, key, form, manifest))
        return found

    def _s3_use(
        self, access: S3Access, location: _JobLocation, job_names: tuple[str, ...],
        reads: set[S3ObjectPattern], lists: set[tuple[str, str]], writes: set[S3ObjectPattern],
    ) -> None:
        bucket, key = location.bucket, location.key
        if location.form is not None:
            objects, listings = read_grants(bucket, key, location.form)
            reads.update(objects)
            lists.update(listings)
            if location.manifest:
                self._manifest_inputs.setdefault(location.step, []).append(location.uri)
        elif access is S3Access.WRITE:
            writes.add(folder_objects(bucket, key))
        elif access is S3Access.WRITE_PER_JOB:
            # '<S3OutputPath>/<job name>/...'; at the bucket's root '<job name>/...'.
            folder = key.rstrip("/")
            writes.update(folder_objects(bucket, f"{folder}/{job}" if folder else job)
                          for job in job_names)
        else:
            under = folder_objects(bucket, key)
            reads.add(under)
            writes.add(under)
            lists.add((bucket, under.key_pattern))

    def _manifest_objects(self, name: str) -> list[S3ObjectPattern]:
        """The objects the step's manifests list, where ``manifest_locations`` declares
        them; a warning for each manifest of a step without a declaration."""
        manifests = self._manifest_inputs.get(name, [])
        if not manifests:
            return []
        declared = self._manifest_folders_of.get(name)
        if declared is not None:
            return declared
        for uri in manifests:
            self.out.notices.append(Notice(
                MANIFEST_UNDECLARED,
                f"step {name!r}: input {uri!r} is a manifest, and SageMaker reads every "
                "object it lists with the job's role; the definition does not say where "
                "they lie, so the role grants the manifest only: declare their folders "
                f"with manifest_locations={{'{name}': ['s3://bucket/prefix']}}",
            ))
        return []

    def _prefix_overlaps(self) -> None:
        """Warn, on the reading job, where an input's key-name prefix also covers another
        step's S3 location beside the input's own folder (``s3://b/train`` reaches
        ``s3://b/train-eval/...``). Keys are compared as written, a run-time part (``*``)
        matching the same part of the other key (``fraud/*/train`` reaches
        ``fraud/*/train-eval``); a run-time bucket is compared with nothing."""
        by_step: dict[str, list[Notice]] = {}
        for wide in self._s3_locations:
            if (wide.form is not ReadForm.KEY_PREFIX or wide.key.endswith(("/", "*"))
                    or not wide.key or "*" in wide.bucket):
                continue
            for other in self._s3_locations:
                rest = other.key.removeprefix(wide.key)
                if (other.step == wide.step or other.bucket != wide.bucket
                        or rest == other.key or not rest or rest.startswith("/")):
                    continue
                by_step.setdefault(wide.step, []).append(Notice(
                    INPUT_PREFIX_OVERLAPS,
                    f"step {wide.step!r} field {wide.field}: input {wide.uri!r} is a "
                    "key-name prefix (S3DataType S3Prefix), so SageMaker reads every object "
                    f"whose key starts with it, step {other.step!r}'s {other.uri!r} "
                    f"({other.field}) too: the definition links the two steps by the "
                    f"prefix; end the input URI with '/' ('{wide.uri}/') to read the folder "
                    "only, or move one of the locations",
                ))
        self._add_job_notices(by_step)

    def _add_job_notices(self, by_step: Mapping[str, list[Notice]]) -> None:
        """Add each step's notices to its own job (a job of that step alone)."""
        self.out.jobs = [
            replace(job, notices=tuple(dict.fromkeys((*job.notices, *by_step[job.step]))))
            if job.step in by_step and job.steps == (job.step,) else job
            for job in self.out.jobs
        ]

    def _wildcard_write_overlaps(self) -> None:
        """Warn, on the writing job, where a write location's run-time part (``*``, which
        also matches ``/``) spans another step's read location that its literal text does
        not hold: ``s3://b/a/*/eval/`` reaches ``s3://b/a/<id>/train/eval/x``, read by the
        step whose input is ``s3://b/a/<id>/train``. A location written as the reader's own
        (a Get of the writer's output) is the link, and no notice."""
        by_step: dict[str, list[Notice]] = {}
        for write in self._s3_locations:
            if write.form is not None or "*" not in write.key or "*" in write.bucket:
                continue
            written = f"{write.key.rstrip('/')}/*"
            for read in self._s3_locations:
                if (read.form is None or read.step == write.step or read.bucket != write.bucket
                        or read.key.startswith(write.key.rstrip("/"))
                        or not _globs_meet(written, _read_glob(read))):
                    continue
                by_step.setdefault(write.step, []).append(Notice(
                    WILDCARD_WRITE_COVERS,
                    f"step {write.step!r} field {write.field}: output {write.uri!r} holds a "
                    "run-time value of unknown form, '*' in the grant, which also matches "
                    f"'/': the role may write under step {read.step!r}'s input "
                    f"{read.uri!r} ({read.field}), which the definition does not link; join "
                    "the run-time value to literal parts that keep it in a folder of its "
                    "own, or move one of the locations",
                ))
        self._add_job_notices(by_step)

    def _repositories(self, name: str, job: JobSpec, step: dict[str, Any]) -> set[str]:
        found: set[str] = set()
        for path in job.images:
            for field_name, value in values_at(step, path):
                if value is None:
                    continue
                for pattern in self._patterns(name, field_name, value):
                    repository = self._repository(name, field_name, pattern)
                    if repository is not None:
                        found.add(repository)
        return found

    def _repository(self, name: str, field_name: str, pattern: Pattern) -> str | None:
        """The ECR repository ARN of an image URI; None for a literal that is no ECR image
        URI, which the job cannot pull from ECR with its role (AWS pages "Docker Registry
        Paths and Example Code" for the URI form, "Adapt your training job to access images
        in a private Docker registry" for images outside ECR, reached through the VPC)."""
        if pattern.text == AUTOML_IMAGES:
            # A best candidate's image: one of the AutoML images, in its region's registries.
            self.out.notices.append(Notice(RUN_TIME_VALUE, (
                f"step {name!r} field {field_name}: {', '.join(pattern.run_time)} is known "
                "only while the pipeline runs, so the policy allows the AutoML images' "
                "repositories in the registries AWS lists for the region")))
            return AUTOML_REPOSITORIES
        match = _IMAGE_URI.fullmatch(pattern.text) if pattern.is_literal else None
        run_time = None if match or pattern.unbound else _RUN_TIME_IMAGE.fullmatch(
            pattern.text)
        if run_time is not None:
            # A step property (an AutoML best candidate's image): its registry account and
            # repository are known only while the pipeline runs, its region is the job's.
            self._run_time(name, field_name, pattern)
            account, region, repository = run_time.groups()
            return (f"arn:{PLACEHOLDERS.partition}:ecr:{region}:{account}:repository/"
                    f"{_STARS.sub('*', repository)}")
        if pattern.is_literal and match is None:
            self.out.notices.append(Notice(
                NOT_AN_ECR_IMAGE,
                f"step {name!r} field {field_name}: {pattern.text!r} is not an ECR image URI "
                "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@sha256:"
                "digest]), so the job cannot pull it from ECR with its role and no ECR "
                "repository is granted for it: give the image's ECR URI, or, for an image in "
                "a private Docker registry that the job reaches through its VPC "
                "(RepositoryAccessMode Vpc), acknowledge this warning",
            ))
            return None
        if match is None:
            arn = f"arn:{PLACEHOLDERS.partition}:ecr:*:*:repository/*"
            self._unresolved(name, field_name, replace(pattern, text=arn))
            return arn
        account, region, suffix, repository = match.groups()
        partition = "aws-cn" if suffix.endswith(".cn") else PLACEHOLDERS.partition
        return f"arn:{partition}:ecr:{region}:{account}:repository/{repository}"

    def _ids(
        self, name: str, paths: tuple[str, ...], step: dict[str, Any], key: str
    ) -> tuple[str, ...]:
        found: set[str] = set()
        for path in paths:
            for field_name, value in values_at(step, f"{path}.{key}[*]"):
                for pattern in self._patterns(name, field_name, value):
                    if not pattern.is_literal:
                        self._unresolved(name, field_name, pattern)
                    found.add(pattern.text)
        return tuple(sorted(found))

    def _kms_keys(
        self, name: str, job: JobSpec, step: dict[str, Any], only: KeyUse | None = None
    ) -> set[tuple[str, KeyUse]]:
        """The keys a job's fields name (those of use ``only``, when given), as ARNs (an
        alias as its alias ARN), each with the use of its field."""
        found: set[tuple[str, KeyUse]] = set()
        region, account = PLACEHOLDERS.region, PLACEHOLDERS.account
        for key in job.kms_keys:
            if only is not None and key.use is not only:
                continue
            for field_name, value in values_at(step, key.path):
                if value is None:
                    continue
                for pattern in self._patterns(name, field_name, value):
                    text = pattern.text
                    if not pattern.is_literal:
                        self._unresolved(name, field_name, pattern)
                    if not text.startswith("arn:"):
                        resource = text if text.startswith("alias/") else f"key/{text}"
                        text = f"arn:{PLACEHOLDERS.partition}:kms:{region}:{account}:{resource}"
                    found.add((text, key.use))
        return found

    def _input_keys(self, name: str, job: JobSpec, step: dict[str, Any]
                    ) -> set[tuple[str, KeyUse]]:
        """``kms:Decrypt`` on the output keys of the steps whose outputs the job reads: an
        input that refers to another step (a ``Get`` of its property, e.g. a training
        step's ``ModelArtifacts.S3ModelArtifacts``) lies under that step's output, which
        SageMaker wrote with SSE-KMS under the step's output key (AWS page "How to use
        SageMaker AI execution roles": "If your input is encrypted with SSE-KMS, add
        kms:Decrypt")."""
        found: set[tuple[str, KeyUse]] = set()
        for use in job.s3:
            if use.access in (S3Access.WRITE, S3Access.WRITE_PER_JOB):
                continue
            for _, value in values_at(step, use.path):
                for producer in sorted(set(_steps_referred(value)) - {name}):
                    other = self.by_name.get(producer)
                    type_name = other.get("Type") if other else None
                    if other is None or not isinstance(type_name, str) or (
                            type_name not in StepType._value2member_map_):
                        continue
                    spec = spec_for(StepType(type_name)).job
                    if spec is not None:
                        found.update((arn, KeyUse.INPUT) for arn, _ in self._kms_keys(
                            producer, spec, other, KeyUse.OUTPUT))
        return found

    def _models_named(self, value: Any) -> list[str]:
        """The Model steps a model name in the definition refers to: a ``Get`` of a Model
        step's ``ModelName``, or a literal name a Model step gives its model."""
        reference = value.get("Get") if isinstance(value, dict) else None
        parts = reference.split(".") if isinstance(reference, str) else []
        if len(parts) == 3 and parts[0] == "Steps" and parts[2] == "ModelName":
            return [parts[1]]
        if not isinstance(value, str):
            return []
        return [other for other, candidate in self.by_name.items()
                if candidate.get("Type") == StepType.MODEL.value and value in {
                    v for _, v in values_at(candidate, "Arguments.ModelName")}]

    def _model_step(self, name: str, job: JobSpec, step: dict[str, Any]) -> str | None:
        """The Model step whose role a job that runs a model (Transform) runs as."""
        if job.runs_models is None:
            return None
        for _, value in values_at(step, job.runs_models):
            models = self._models_named(value)
            if models:
                return models[0]
        self.out.notices.append(Notice(
            MODEL_OUTSIDE_PIPELINE,
            f"step {name!r}: the model its job runs is not made by a step of this pipeline, "
            "so the role that job runs as (the model's) is not derived here: grant that role "
            "the step's inputs, outputs and logs",
        ))
        return None

    # --- models ----------------------------------------------------------------------------

    def _models(self, name: str, spec: StepSpec, step: dict[str, Any]) -> None:
        """The names of the models a step's transform job or endpoint config runs: the
        execution role may create them for these models only (``sagemaker:ModelArn``),
        so no step runs another pipeline's or team's model as that model's role. A
        ``Get`` of a Model step's ``ModelName`` is that step's name patterns; a literal
        name (a model from outside the pipeline) is that model only."""
        paths = [job.runs_models for job in (spec.job, spec.hosting)
                 if job is not None and job.runs_models is not None]
        if not paths:
            return
        if self.out.model_names is None:
            self.out.model_names = set()
        for field_name, value in (found for path in paths for found in values_at(step, path)):
            if value is None or not self._no_literal_wildcards(name, field_name, value):
                continue
            for pattern in self._patterns(name, field_name, value):
                if pattern.unbound:
                    # A parameter widens the model: bound, defaulted or refused.
                    self._unresolved(name, field_name, pattern)
                self.out.model_names.add(pattern.text)

    # --- roles -----------------------------------------------------------------------------

    def _roles(self, name: str, spec: StepSpec, step: dict[str, Any]) -> None:
        for role_field in spec.role_fields:
            if role_field.service == SAGEMAKER and name in self.replaced_role_steps:
                continue  # the caller hands the step's job a role of its own
            for field_name, value in values_at(step, role_field.path):
                if value is None:
                    continue
                if not isinstance(value, (str, dict)):
                    self._problem(
                        f"{name}.{field_name}", "notAnArn",
                        f"step {name!r} field {field_name}: {value!r} is not a role ARN string"
                    )
                    continue
                if not self._no_literal_wildcards(name, field_name, value):
                    continue
                for pattern in self._patterns(name, field_name, value):
                    arn = self._role_arn(name, field_name, pattern)
                    if arn is not None:
                        self.out.pass_roles.add(PassRoleTarget(arn, role_field.service))

    def _role_arn(self, name: str, field_name: str, pattern: Pattern) -> str | None:
        """The ARN of the one role a role field names, or None (with a problem) when it
        names no single role: passing ``role/*`` would let whoever starts the pipeline run
        the step as any role that trusts the service, so no opt-in widens a role field."""
        where = f"{name}.{field_name}"
        if pattern.is_literal:
            if not pattern.text.startswith("arn:"):
                # A role name: SageMaker takes it in the pipeline's own account.
                return (f"arn:{PLACEHOLDERS.partition}:iam::{PLACEHOLDERS.account}:role/"
                        f"{pattern.text}")
            # requirements.role_arn_problems' test: the one check of a role ARN.
            if wide_role_arns([pattern.text]):
                self._problem(
                    where, "notAnArn",
                    f"step {name!r} field {field_name}: {pattern.text!r} is not an IAM "
                    "role ARN (arn:aws:iam::111122223333:role/name)"
                )
                return None
            return pattern.text
        parameters = [p.removeprefix("Parameters.") for p in pattern.unbound
                      if p.startswith("Parameters.")]
        if parameters:
            opted = [p for p in parameters if p in self.parameters.any_value]
            why = (f"parameter {opted[0]!r} is opted in to any value (any_value_parameters), "
                   "which a role field cannot be" if opted else
                   f"parameter {parameters[0]!r} has no DefaultValue and no parameter_values")
            self._problem(
                where, "anyRole" if opted else "unboundParameter",
                f"step {name!r} field {field_name}: {why}: the execution role would pass "
                "every role ('role/*'), so whoever starts the pipeline could run the step as "
                "any role that trusts SageMaker; bind it to the exact role ARNs with "
                f"parameter_values={{{parameters[0]!r}: "
                "['arn:aws:iam::111122223333:role/name']}",
            )
        else:
            self._problem(
                where, "anyRole",
                f"step {name!r} field {field_name}: the role ARN is known only at run time "
                f"({', '.join(pattern.run_time) or pattern.text}), so the execution role would "
                "pass every role ('role/*'): give the exact role ARN, or a parameter bound "
                "to exact role ARNs with parameter_values",
            )
        return None

    # --- integrations ----------------------------------------------------------------------

    def _queue_arn(self, name: str, field_name: str, pattern: Pattern) -> str:
        match = _QUEUE_URL.fullmatch(pattern.text) if pattern.is_literal else None
        if match is None:
            arn = f"arn:{PLACEHOLDERS.partition}:sqs:{PLACEHOLDERS.region}:{PLACEHOLDERS.account}:*"
            if is_token(pattern.text):
                # A CDK token: the URL exists only once the stack deploys.
                self.out.unresolved.append(Unresolved(name, field_name, arn, ()))
                self.out.notices.append(Notice(
                    UNRESOLVED_VALUE,
                    f"step {name!r} field {field_name}: a CDK token, known only at deploy "
                    f"time, so the policy allows {arn!r}; give the queue's URL as a literal "
                    "string",
                ))
                return arn
            self._unresolved(name, field_name, replace(pattern, text=arn))
            return arn
        region, account, queue = match.groups()
        return f"arn:{PLACEHOLDERS.partition}:sqs:{region}:{account}:{queue}"

    def _cleanup_source(self, name: str, field_name: str, source: Any) -> set[str]:
        if not isinstance(source, dict):
            self._problem(f"{name}.{field_name}", "notAnObject",
                          f"step {name!r} field {field_name} is not an object")
            return set()
        objects: set[str] = set()
        uris = source.get("S3Uris")
        if uris:
            for uri in _list(uris):
                for pattern in self._patterns(name, f"{field_name}.S3Uris", uri):
                    objects.update(self._cleanup_object(name, f"{field_name}.S3Uris", pattern))
            return objects
        # Without S3Uris the service deletes the source step's outputs.
        step_field = f"{field_name}.StepName"
        locations = self._output_locations(source.get("StepName"))
        if not locations:
            self._problem(
                f"{name}.{step_field}", "noOutputs",
                f"step {name!r} field {step_field}: {source.get('StepName')!r} names no step "
                "with an S3 output location to clean up; give S3Uris"
            )
        for uri in locations:
            for pattern in self._patterns(name, step_field, uri):
                folder = replace(pattern, text=pattern.text.rstrip("/") + "/*")
                objects.update(self._cleanup_object(name, step_field, folder))
        return objects

    def _cleanup_object(self, name: str, field_name: str, pattern: Pattern) -> set[str]:
        if pattern.text.endswith("/"):
            # A URI ending in '/' is a folder: the step deletes what lies under it.
            pattern = replace(pattern, text=pattern.text + "*")
        target = self._s3_object(name, field_name, pattern)
        return set() if target is None else {f"{target.bucket}/{target.key_pattern}"}

    def _output_locations(self, step_name: Any) -> list[Any]:
        """The S3 output locations of the step named ``step_name``, as the catalog says."""
        step = self.by_name.get(step_name) if isinstance(step_name, str) else None
        type_name = step.get("Type") if step else None
        if not isinstance(type_name, str) or type_name not in StepType._value2member_map_:
            return []
        return [
            value
            for path in spec_for(StepType(type_name)).output_paths
            for _, value in values_at(step, path)
            if value is not None
        ]

    # --- JsonGet ---------------------------------------------------------------------------

    def _json_gets(self, name: str, step: dict[str, Any]) -> None:
        for json_get in _json_get_calls(step):
            if "S3Uri" in json_get:
                if not self._no_literal_wildcards(name, "Std:JsonGet.S3Uri", json_get["S3Uri"]):
                    continue
                for pattern in self._patterns(name, "Std:JsonGet.S3Uri", json_get["S3Uri"]):
                    self._json_get_object(name, "Std:JsonGet.S3Uri", pattern)
            elif "PropertyFile" in json_get:
                self._property_file(name, json_get["PropertyFile"])
            else:
                self._problem(
                    f"{name}.Std:JsonGet", "missing",
                    f"step {name!r} field Std:JsonGet has neither S3Uri nor PropertyFile"
                )

    def _property_file(self, name: str, reference: Any) -> None:
        field_name = "Std:JsonGet.PropertyFile"
        target = reference.get("Get") if isinstance(reference, dict) else None
        parts = target.split(".") if isinstance(target, str) else []
        if len(parts) != 4 or parts[0] != "Steps" or parts[2] != "PropertyFiles":
            self._problem(
                f"{name}.{field_name}", "notAPropertyFile",
                f"step {name!r} field {field_name}: {reference!r} is not "
                "{'Get': 'Steps.<step>.PropertyFiles.<file>'}"
            )
            return
        producer = self.by_name.get(parts[1])
        files = {f.get("PropertyFileName"): f for f in _objects(
            producer.get("PropertyFiles") if producer else [])}
        property_file = files.get(parts[3])
        if producer is None or property_file is None:
            self._problem(
                f"{name}.{field_name}", "unknownPropertyFile",
                f"step {name!r} field {field_name}: no step {parts[1]!r} with property file "
                f"{parts[3]!r}"
            )
            return
        outputs = {
            o.get("OutputName"): o
            for _, o in values_at(producer, "Arguments.ProcessingOutputConfig.Outputs[*]")
            if isinstance(o, dict)
        }
        output = outputs.get(property_file.get("OutputName"), {}).get("S3Output")
        if not isinstance(output, dict) or "S3Uri" not in output:
            self._problem(
                f"{parts[1]}.PropertyFiles", "noOutputs",
                f"step {parts[1]!r} field PropertyFiles: output "
                f"{property_file.get('OutputName')!r} has no S3Output.S3Uri"
            )
            return
        file_path = str(property_file.get("FilePath", "")).lstrip("/")
        for pattern in self._patterns(parts[1], "ProcessingOutputConfig", output["S3Uri"]):
            location = replace(pattern, text=f"{pattern.text.rstrip('/')}/{file_path}")
            self._json_get_object(name, field_name, location)

    def _json_get_object(self, name: str, field_name: str, pattern: Pattern) -> None:
        target = self._s3_object(name, field_name, pattern)
        if target is not None:
            self.out.json_get.add(target)

    def _s3_object(self, name: str, field_name: str, pattern: Pattern) -> S3ObjectPattern | None:
        """The object(s) a JsonGet reads or a Cleanup deletes; ``s3://b`` is every object
        of the bucket."""
        location = self._s3_location(name, field_name, pattern)
        return None if location is None else S3ObjectPattern(location[0], location[1] or "*")

    def _s3_location(self, name: str, field_name: str, pattern: Pattern
                     ) -> tuple[str, str] | None:
        """The bucket and key of an S3 URI pattern; the key is empty at the bucket's root
        (``s3://b``, ``s3://b/``) and keeps a trailing ``/``."""
        text = pattern.text
        if text.startswith("s3://"):
            bucket, _, key = text.removeprefix("s3://").partition("/")
        elif text.startswith("*"):
            bucket, key = "*", text.lstrip("*/") or "*"
        else:
            self._problem(f"{name}.{field_name}", "notAnS3Uri",
                          f"step {name!r} field {field_name}: {text!r} is not s3://")
            return None
        if "*" in bucket or pattern.unbound:
            self._unresolved(name, field_name, replace(pattern, text=f"s3://{bucket}/{key}"))
        elif pattern.run_time:
            self._run_time(name, field_name, pattern)
        return bucket, key

    # --- result ----------------------------------------------------------------------------

    def _endpoints_of(self, model_step: str) -> set[str]:
        """The endpoints that the pipeline's Endpoint steps host a Model step's model on:
        through an EndpointConfig step whose variants name the model (by a Get of its
        ModelName, or its literal name)."""
        def names(step: dict[str, Any], path: str) -> set[str]:
            return {v for _, v in values_at(step, path) if isinstance(v, str)}

        def refers(value: Any, step_name: str, prop: str, literals: set[str]) -> bool:
            if isinstance(value, dict):
                return value.get("Get") == f"Steps.{step_name}.{prop}"
            return isinstance(value, str) and value in literals

        model_names = names(self.by_name[model_step], "Arguments.ModelName")
        endpoints: set[str] = set()
        for config_name, config in self.by_name.items():
            if config.get("Type") != StepType.ENDPOINT_CONFIG.value or not any(
                refers(v, model_step, "ModelName", model_names)
                for _, v in values_at(config, "Arguments.ProductionVariants[*].ModelName")
            ):
                continue
            config_names = names(config, "Arguments.EndpointConfigName")
            for endpoint in self.by_name.values():
                if endpoint.get("Type") == StepType.ENDPOINT.value and any(
                    refers(v, config_name, "EndpointConfigName", config_names)
                    for _, v in values_at(endpoint, "Arguments.EndpointConfigName")
                ):
                    endpoints |= names(endpoint, "Arguments.EndpointName")
        return endpoints

    def _hosting(self, name: str, step_type: StepType, hosting: JobSpec,
                 step: dict[str, Any]) -> None:
        """What the endpoint a step configures does as the role of each model it serves
        (data capture: the destination's objects and key), kept for those Model steps."""
        if hosting.off_when_false is not None and any(
                value is False for _, value in values_at(step, hosting.off_when_false)):
            return
        s3 = [(use, field_name, value) for use in hosting.s3
              for field_name, value in values_at(step, use.path) if value is not None]
        if not s3 and not any(True for key in hosting.kms_keys
                              for _, v in values_at(step, key.path) if v is not None):
            return
        assert hosting.runs_models is not None
        models = sorted({model for _, value in values_at(step, hosting.runs_models)
                         for model in self._models_named(value)})
        if not models:
            self.out.notices.append(Notice(
                MODEL_OUTSIDE_PIPELINE,
                f"step {name!r}: the endpoint it configures captures data as the role of its "
                "models, which no step of this pipeline makes, so that role is not derived "
                "here: grant it PutObject under DataCaptureConfig.DestinationS3Uri (and its "
                "KmsKeyId's use)",
            ))
            return
        notices, unresolved = self.out.notices, self.out.unresolved
        self.out.notices, self.out.unresolved = [], []
        try:
            reads: set[S3ObjectPattern] = set()
            lists: set[tuple[str, str]] = set()
            writes: set[S3ObjectPattern] = set()
            for use, field_name, value in s3:
                for location in self._job_locations(name, field_name, value, use):
                    self._s3_use(use.access, location, (), reads, lists, writes)
            keys = self._kms_keys(name, hosting, step)
        finally:
            hosted_notices, hosted_unresolved = self.out.notices, self.out.unresolved
            self.out.notices, self.out.unresolved = notices, unresolved
        for model in models:
            self.hosted.setdefault(model, []).append(JobNeeds(
                steps=(name,), step_types=(step_type,), writes=tuple(sorted(writes)),
                kms_keys=_sorted_keys(keys), notices=tuple(dict.fromkeys(hosted_notices)),
                unresolved=tuple(hosted_unresolved),
            ))

    def _with_hosting(self, job: JobNeeds) -> JobNeeds:
        """A Model step's needs with what runs as its role outside its own step: the
        endpoints and batch transforms that serve the model (the log groups of the
        endpoints the definition names or ``model_endpoints`` declares, else a warning; the
        metric namespaces of both kinds) and the data capture of the endpoints that host
        it."""
        if job.step_types != (StepType.MODEL,):
            return job
        endpoints = {*self._endpoints_of(job.step), *self._declared_endpoints.get(job.step, ())}
        # An endpoint's logs go to /aws/sagemaker/Endpoints/<endpoint name>, streams
        # <variant>/<instance> (AWS page "Log Amazon SageMaker AI events with Amazon
        # CloudWatch"): only an endpoint named here can be granted.
        streams = {(f"/aws/sagemaker/Endpoints/{e}", "*") for e in endpoints}
        notices = list(job.notices)
        if not endpoints:
            notices.append(Notice(
                MODEL_ENDPOINTS_UNNAMED,
                f"step {job.step!r}: no Endpoint step of this pipeline hosts its model and "
                "model_endpoints names no endpoint for it, so its role grants no endpoint's "
                "logs (/aws/sagemaker/Endpoints/<name>): name the endpoints that will serve "
                f"it with model_endpoints={{'{job.step}': ['<endpoint name>']}}; a batch "
                "transform run outside the pipeline is named by its caller and gets no logs "
                "either (grant its log streams in /aws/sagemaker/TransformJobs to this role "
                "where the transform is made)",
            ))
        hosted = self.hosted.get(job.step, [])
        return replace(
            job,
            writes=tuple(sorted({*job.writes, *(w for h in hosted for w in h.writes)})),
            log_streams=tuple(sorted({*job.log_streams, *streams})),
            metric_namespaces=tuple(sorted({*job.metric_namespaces, *(
                f"/aws/sagemaker/{kind}" for kind in HOSTING_KINDS)})),
            kms_keys=_sorted_keys({*job.kms_keys, *(k for h in hosted for k in h.kms_keys)}),
            notices=tuple(dict.fromkeys([*notices, *(n for h in hosted for n in h.notices)])),
            unresolved=(*job.unresolved, *(u for h in hosted for u in h.unresolved)),
        )

    def _parameter_scopes(self) -> tuple[ParameterScope, ...]:
        parameters = self.parameters
        scopes = []
        for name in parameters.names:
            fields = tuple(self.out.uses.get(name, ()))
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

    def reading(self) -> DefinitionReading:
        out = self.out
        out.jobs = [self._with_hosting(job) for job in out.jobs]
        if out.problems:
            # A field read twice (its job's name and its own grant) is one problem.
            raise DefinitionError(list(dict.fromkeys(out.problems)))
        out.notices += self._default_notices(out.defaulted)
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
            for _, step in self.steps
            if step.get("Type") in StepType._value2member_map_
        )
        return DefinitionReading(requirements, steps, tuple(out.scopes), tuple(out.unresolved),
                                 tuple(out.jobs), self._parameter_scopes())


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
    any_value = frozenset(any_value_parameters)
    defaults = {name: value for name, value in parameter_defaults(definition).items()
                if name not in (parameter_values or {}) and name not in any_value}
    bindings: dict[str, Sequence[str]] = {
        **{name: [value] for name, value in defaults.items()}, **(parameter_values or {})}
    if pipeline_name is not None:
        bindings["Execution.PipelineName"] = [pipeline_name]
    parameters = _Parameters(bindings, defaults, any_value, _parameter_order(definition))
    reader = _Reader(definition, parameters, allow_unknown_step_types, replaced_role_steps,
                     manifest_locations, model_endpoints)
    reader.read(definition)
    return reader.reading()


#: API_CreateEndpoint ``EndpointName``: 1 to 63 letters, digits and hyphens, starting and
#: ending with a letter or digit.
_ENDPOINT_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


def _endpoint_name_problems(prop: str, name: str) -> list[Problem]:
    """Why ``name`` cannot name an endpoint whose log group is granted: a token (its
    value is unknown when the grant is written), a wildcard (it would grant the logs of
    endpoints that do not serve the model), or not an endpoint name."""
    if is_token(name):
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


def _read_glob(location: _JobLocation) -> str:
    """The keys a read location covers, as a glob: a key-name prefix every key that starts
    with it, a folder the keys under it, an object itself."""
    if location.form is ReadForm.KEY_PREFIX:
        return f"{location.key}*"
    if location.form is ReadForm.OBJECT:
        return location.key
    return f"{location.key}*" if location.key.endswith("/") else f"{location.key}/*"


def _globs_meet(first: str, second: str) -> bool:
    """True when some key matches both IAM globs (``*`` any run of characters, ``?`` one).

    ``meet[i][j]``: the rests ``first[i:]`` and ``second[j:]`` share a key; filled from the
    ends (keys run to 1,024 characters: no recursion)."""
    width = len(second) + 1
    meet = [[False] * width for _ in range(len(first) + 1)]
    for i in range(len(first), -1, -1):
        for j in range(len(second), -1, -1):
            if i < len(first) and first[i] == "*":
                meet[i][j] = meet[i + 1][j] or (j < len(second) and meet[i][j + 1])
            elif j < len(second) and second[j] == "*":
                meet[i][j] = meet[i][j + 1] or (i < len(first) and meet[i + 1][j])
            elif i == len(first) or j == len(second):
                meet[i][j] = i == len(first) and j == len(second)
            else:
                meet[i][j] = ("?" in (first[i], second[j]) or first[i] == second[j]) and (
                    meet[i + 1][j + 1])
    return meet[0][0]


def _default_name_covers(start: str, other: str) -> bool:
    """True when ``pipelines-*-<start>-*`` matches the default job names of a step whose
    names start with ``other`` (``pipelines-<id>-<other>-<token>-<n>``): the same start,
    ``<start>-`` starting it (``Train`` and ``Train-Challenger``), or ``-<start>-`` inside
    it, which the ``*`` of the execution id reaches (``Train`` and ``Re-Train``)."""
    return (other == start or other.startswith(f"{start}-")
            or f"-{start}-" in f"{other}-")


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
        _parameters(definition.get("Steps")))


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


def coarsened(requirements: PipelineRequirements) -> PipelineRequirements:
    """The requirements with each default-naming scope widened from
    ``pipelines-*-<step>-*`` to ``pipelines-*``, for pipelines with so many steps that the
    per-step patterns cannot fit IAM's policy limits; a warning says so."""
    start = f"{naming.DEFAULT_PREFIX}-*-"
    widened = {
        step_type: tuple(sorted({
            naming.default_patterns()[0] if pattern.startswith(start) else pattern
            for pattern in patterns
        }))
        for step_type, patterns in requirements.name_patterns.items()
    }
    groups = {
        label: tuple(sorted({
            naming.default_patterns()[0] if name.startswith(start) else name for name in names
        }))
        for label, names in requirements.group_names.items()
    }
    notice = Notice(
        COARSENED_JOB_SCOPES,
        "the pipeline has too many steps for per-step job-name scopes to fit IAM's policy "
        "limits, so jobs under the default naming are allowed as 'pipelines-*'; turn on the "
        "custom job prefix to scope them again",
    )
    models = None if requirements.model_names is None else tuple(sorted({
        naming.default_patterns()[0] if name.startswith(start) else name
        for name in requirements.model_names}))
    return replace(requirements, name_patterns=widened, group_names=groups,
                   model_names=models, notices=(*requirements.notices, notice))


def _prefixed(prefix: str) -> tuple[str, ...]:
    patterns = naming.prefix_patterns(prefix)
    return tuple(re.sub(r"\*+", "*", pattern) for pattern in patterns)


#: A list index in a property path (``TrainingJobSummaries[0]``), matched as ``[*]``.
_PROPERTY_INDEX = re.compile(r"\[(?:\d+|'[^']*')\]")
#: A property template's literal text and ``{placeholder}`` parts.
_TEMPLATE = re.compile(r"([^{]*)\{([^}]*)\}")
_STARS = re.compile(r"\*+")


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


#: An S3 object pattern, or a ``(bucket, s3:prefix pattern)`` listing.
_Located = TypeVar("_Located", S3ObjectPattern, tuple[str, str])


def _uncovered(patterns: set[_Located]) -> set[_Located]:
    """``patterns`` (objects, or ``(bucket, s3:prefix)`` listings) without those another
    of them already covers, as IAM's ``*`` matches (a ``@step`` job writes its whole output
    path, its job-name folder under it included; a prefix ``a/*`` covers ``a/*/*``)."""
    def parts(item: _Located) -> tuple[str, str]:
        return (item.bucket, item.key_pattern) if isinstance(item, S3ObjectPattern) else item

    def covers(wide: _Located, narrow: _Located) -> bool:
        (bucket, key), (other_bucket, other_key) = parts(wide), parts(narrow)
        glob = ".*".join(re.escape(part) for part in key.split("*"))
        return (wide != narrow and bucket == other_bucket
                and re.fullmatch(glob, other_key, re.DOTALL) is not None)
    return {p for p in patterns if not any(covers(q, p) for q in patterns)}



def _filled(template: str, fill: Mapping[str, tuple[str, ...]]) -> list[str]:
    """``template`` with ``{partition}``, ``{region}`` and ``{account}`` as the reader's
    placeholders and each other ``{key}`` by each of ``fill[key]``: every combination
    (none when a key it names has no value)."""
    keys = [key for key in fill if f"{{{key}}}" in template]
    # The environment first: a value may hold braces of its own (the reader's placeholders).
    template = template.format(partition=PLACEHOLDERS.partition, region=PLACEHOLDERS.region,
                               account=PLACEHOLDERS.account, **{k: f"{{{k}}}" for k in fill})
    texts = []
    for choice in itertools.product(*(fill[key] for key in keys)):
        text = template
        for key, value in zip(keys, choice, strict=True):
            text = text.replace(f"{{{key}}}", value)
        texts.append(_STARS.sub("*", text))
    return texts


#: The text of the warnings that job calls carry (:attr:`JobCall.notice`), by id.
_CALL_NOTICES = {
    CLARIFY_MODEL_UNKNOWN: (
        "step {step!r} runs the SageMaker Clarify container: if its analysis config names "
        "a model (predictor.model_name), the job deploys a shadow endpoint 'sm-clarify-*' "
        "for it, which its role may create, invoke and delete for any model (the model is "
        "in the analysis config on S3, not in the definition); use a ClarifyCheck step, "
        "whose ModelName scopes it"
    ),
    AUTOML_RESOURCE_NAMES: (
        "step {step!r}: AWS's execution-role page grants an AutoML job's role model and "
        "endpoint actions on '*'; the role allows them only on names that start with the "
        "AutoML job's name (inferred: AWS does not document how the job names them), and "
        "pulls of the AutoML images' repositories only (sagemaker-sklearn-automl, "
        "sagemaker-xgboost, linear-learner, autogluon-*): the image of another candidate "
        "(the HPO mlp candidates, non-tabular problem types), whose repository AWS does "
        "not publish, is not granted"
    ),
}


def _strip_timestamp(text: str) -> str:
    match = _BUILD_TIMESTAMP.fullmatch(text)
    return match.group(1) if match else text


#: The SDK's build timestamp at the end of a NotebookJob's name (``-2026-11-30-02-11-47-059``).
_BUILD_TIMESTAMP = re.compile(r"(.+)-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}")


def _parameters(value: Any) -> Iterator[str]:
    """The names of the pipeline parameters a definition value refers to."""
    if isinstance(value, dict):
        reference = value.get("Get")
        if isinstance(reference, str) and reference.startswith("Parameters."):
            yield reference.removeprefix("Parameters.")
        for item in value.values():
            yield from _parameters(item)
    elif isinstance(value, list):
        for item in value:
            yield from _parameters(item)


def _steps_referred(value: Any) -> Iterator[str]:
    """The names of the steps a definition value refers to (``{"Get": "Steps.<name>..."}``,
    inside expressions too)."""
    if isinstance(value, dict):
        reference = value.get("Get")
        if isinstance(reference, str) and reference.startswith("Steps."):
            yield reference.split(".")[1]
        for item in value.values():
            yield from _steps_referred(item)
    elif isinstance(value, list):
        for item in value:
            yield from _steps_referred(item)


def _sorted_keys(keys: Iterable[tuple[str, KeyUse]]) -> tuple[tuple[str, KeyUse], ...]:
    return tuple(sorted(set(keys), key=lambda key: (key[0], key[1].value)))


def _literals(value: Any) -> Iterator[str]:
    """Every literal string in a definition value (inside expressions too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            # A Get names a reference and a JsonGet's Path a JSONPath, not values.
            if key not in ("Get", "Path"):
                yield from _literals(item)
    elif isinstance(value, list):
        for item in value:
            yield from _literals(item)


_SEGMENT = re.compile(r"(\w+)(?:\[(\*|\w+=\w+)\])?")


def all_steps(steps: Any) -> Iterator[dict[str, Any]]:
    """Every step object of a ``Steps`` list, and of the Condition and ForEach bodies within
    (what is not an object is skipped: the reader reports it)."""
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, dict):
            yield step
            arguments = step.get("Arguments")
            if isinstance(arguments, dict):
                for key in ("IfSteps", "ElseSteps", "ForEachBody"):
                    yield from all_steps(arguments.get(key))


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


_ITEM = re.compile(r"(\w+)\[(?:(\d+)|'([^']*)')\]")


def _descend(value: Any, part: str) -> Any:
    item = _ITEM.fullmatch(part)
    key = item.group(1) if item else part
    value = value.get(key) if isinstance(value, dict) else None
    if item is None or not isinstance(value, list):
        return value if item is None else None
    index, name = item.group(2), item.group(3)
    if index is not None:
        return value[int(index)] if int(index) < len(value) else None
    for entry in _objects(value):
        if any(k.endswith("Name") and v == name for k, v in entry.items()):
            return entry
    return None


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and (
        "Get" in value or next(iter(value)).startswith("Std:")
    )


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _json_get_calls(value: Any) -> Iterator[dict[str, Any]]:
    """Every Std:JsonGet in ``value``, not descending into nested steps (read on their own)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Std:JsonGet" and isinstance(item, dict):
                yield item
            elif key not in ("IfSteps", "ElseSteps", "ForEachBody"):
                yield from _json_get_calls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_get_calls(item)
