"""What reading a definition gives: the execution role's requirements, each step's name
scope, the jobs' needs and how each parameter scopes the grants."""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog.schema import StepType
from ..execution_role.requirements import PipelineRequirements
from ..job_roles.needs import JobNeeds
from ..notices import Unresolved
from .parameters import ParameterScope


@dataclass(frozen=True)
class JobScope:
    """The names one step's resources may have."""

    step: str
    step_type: StepType
    resource: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class DefinitionReading:
    """What a definition needs, and what the reader could not pin down."""

    requirements: PipelineRequirements
    steps: tuple[tuple[str, StepType], ...]
    scopes: tuple[JobScope, ...]
    unresolved: tuple[Unresolved, ...]
    jobs: tuple[JobNeeds, ...] = ()
    parameters: tuple[ParameterScope, ...] = ()
