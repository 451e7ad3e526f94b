"""The reading in progress, shared by the readers of each concern: the definition's steps,
what the caller said of its parameters, and what has been found so far (the requirements'
parts, the jobs' needs, the warnings and the problems).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..catalog.bindings import Binding
from ..catalog.schema import StepType
from ..errors import Problem
from ..execution_role.requirements import PassRoleTarget
from ..job_roles.needs import JobNeeds
from ..locations import S3ObjectPattern
from ..notices import Notice, Unresolved
from .parameters import CallerParameters
from .results import JobScope


@dataclass
class Collected:
    """What reading has found so far (see
    :class:`~sm_pipeline_iam.core.execution_role.requirements.PipelineRequirements`)."""

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


@dataclass
class SetAside:
    """The warnings found while :meth:`ReadState.set_aside` held them apart."""

    notices: list[Notice] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    defaulted: dict[str, dict[str, None]] = field(default_factory=dict)


class ReadState:
    """The definition being read and what reading has found.

    Args:
        parameters: what the caller said of the parameters.
        steps: every step object, nested ones included, with where it lies.
        replaced_role_steps: the steps whose SageMaker role fields the caller replaces.
        out: what reading has found so far (problems found before the steps are read
            included).
    """

    def __init__(
        self, parameters: CallerParameters, steps: Sequence[tuple[str, dict[str, Any]]],
        replaced_role_steps: Collection[str], out: Collected,
    ) -> None:
        self.parameters = parameters
        self.steps = list(steps)
        self.replaced_role_steps = frozenset(replaced_role_steps)
        self.out = out
        self.by_name: dict[str, dict[str, Any]] = {
            step["Name"]: step for _, step in self.steps if isinstance(step.get("Name"), str)
        }

    @property
    def bindings(self) -> Mapping[str, Sequence[str]]:
        """Parameter (or ``Execution.PipelineName``) -> the values allowed."""
        return self.parameters.bindings

    def problem(self, prop: str, code: str, message: str) -> None:
        self.out.problems.append(Problem(prop, code, message))

    def step_type(self, step_name: Any) -> StepType | None:
        """The type of the step named ``step_name``; None for no such step, or one of a
        type the catalog does not know."""
        step = self.by_name.get(step_name) if isinstance(step_name, str) else None
        type_name = step.get("Type") if step else None
        if not isinstance(type_name, str) or type_name not in StepType._value2member_map_:
            return None
        return StepType(type_name)

    @contextmanager
    def set_aside(self, *, defaulted: bool = False) -> Iterator[SetAside]:
        """Hold apart the notices and unresolved values found inside the block (and, with
        ``defaulted``, the parameters scoped to their default): they concern another
        role than the one being read (a job's, a model's)."""
        out = self.out
        notices, unresolved, defaults = out.notices, out.unresolved, out.defaulted
        out.notices, out.unresolved = [], []
        if defaulted:
            out.defaulted = {}
        apart = SetAside()
        try:
            yield apart
        finally:
            apart.notices, apart.unresolved = out.notices, out.unresolved
            if defaulted:
                apart.defaulted = out.defaulted
            out.notices, out.unresolved, out.defaulted = notices, unresolved, defaults
