"""What a prefix-scoped team role needs, and what the team's people need: plain data.

The AWS guidance lets an administrator allow chosen teams to run chosen job steps: each
team's role may act only on jobs named ``<prefix>-*``, while the steps that create no
SageMaker job are shared by every team. No CDK import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from . import naming
from .catalog.schema import StepType
from .catalog.steps import CATALOG, NAME_SCOPED_STEP_TYPES, step_names
from .errors import Problem
from .execution_role.policy import ArnEnvironment, Statement
from .execution_role.requirements import (
    GivenResources,
    PipelineRequirements,
    from_step_types,
    parse_step_types,
)

#: Steps every team may run: the catalog grants them nothing (Condition, Fail, ForEach),
#: so no prefix scopes them.
ALWAYS_SHARED: tuple[StepType, ...] = tuple(
    step_type for step_type, spec in CATALOG.items() if not spec.action_groups
)

#: What the team's people need for their own pipelines (and their executions, whose ARNs
#: are ``pipeline/<name>/execution/<id>``).
PIPELINE_ACTIONS: tuple[str, ...] = (
    "sagemaker:AddTags",
    "sagemaker:CreatePipeline",
    "sagemaker:DescribePipeline",
    "sagemaker:DescribePipelineDefinitionForExecution",
    "sagemaker:DescribePipelineExecution",
    "sagemaker:ListPipelineExecutionSteps",
    "sagemaker:ListPipelineExecutions",
    "sagemaker:ListPipelineParametersForExecution",
    "sagemaker:RetryPipelineExecution",
    "sagemaker:StartPipelineExecution",
    "sagemaker:StopPipelineExecution",
    "sagemaker:UpdatePipeline",
)
PIPELINE_ARN = "arn:{partition}:sagemaker:{region}:{account}:pipeline/{name}"

#: The SDK switch without which no step carries the prefix.
PREFIX_SWITCH = "PipelineDefinitionConfig(use_custom_job_prefix=True)"


def default_shared_step_types(resources: GivenResources) -> tuple[StepType, ...]:
    """Condition, Fail and ForEach, plus each integration step whose resources are given."""
    shared = list(ALWAYS_SHARED)
    for step_type, spec in CATALOG.items():
        bindings = {group.binding for group in spec.action_groups if group.binding}
        if bindings and all(getattr(resources, b.value) for b in bindings):
            shared.append(step_type)
    return tuple(shared)


def team_requirements(
    job_prefix: str,
    step_types: Iterable[StepType | str],
    *,
    shared_step_types: Iterable[StepType | str] | None = None,
    validate_prefix: bool = True,
    step_role_arns: Iterable[str] = (),
    json_get_locations: Iterable[str] = (),
    resources: GivenResources | None = None,
) -> tuple[PipelineRequirements, list[Problem]]:
    """Gather a team role's requirements: its job steps under its prefix, and the shared
    steps.

    Args:
        job_prefix: the team's prefix (``<prefix>-*`` jobs and pipelines).
        step_types: the job step types the team may run.
        shared_step_types: steps every team may run; they must create no SageMaker job.
            Default: :func:`default_shared_step_types`.
        validate_prefix: False when ``job_prefix`` is a CDK token.
        step_role_arns: roles the team's pipelines pass to their SageMaker jobs.
        json_get_locations: ``s3://bucket/prefix`` folders that ``JsonGet`` reads.
        resources: the resources of the shared integration steps.

    Returns:
        The requirements, and every problem found (empty when the input is valid).
    """
    resources = resources or GivenResources()
    own, problems = parse_step_types(step_types, prop="step_types")
    if shared_step_types is None:
        shared: Sequence[StepType] = default_shared_step_types(resources)
    else:
        shared, shared_problems = parse_step_types(shared_step_types, prop="shared_step_types")
        # No shared step at all is a choice, not a mistake.
        problems.extend(p for p in shared_problems if p.code != "empty")
        scoped = [s for s in shared if s in NAME_SCOPED_STEP_TYPES]
        if scoped:
            problems.append(Problem(
                "shared_step_types",
                "nameScopedSharedStep",
                f"shared_step_types {step_names(scoped)} create SageMaker jobs or resources, "
                "which only a team's prefix may scope: move them to step_types",
            ))
    if not job_prefix:
        problems.append(Problem(
            "job_prefix",
            "empty",
            "job_prefix is empty: give the team's prefix (e.g. 'rsch'); its jobs and "
            "pipelines must be named '<prefix>-...'",
        ))
    elif validate_prefix:
        problems.extend(naming.reserved_problems(job_prefix))
    requirements, more = from_step_types(
        [*own, *shared],
        job_prefix=job_prefix or None,
        validate_prefix=validate_prefix,
        step_role_arns=step_role_arns,
        json_get_locations=json_get_locations,
        resources=resources,
    )
    # from_step_types re-reports step type problems already collected above.
    problems.extend(p for p in more if p.prop != "step_types")
    return requirements, problems


def _owners(prefix: str) -> list[str]:
    """The prefixes whose ``<prefix>-*`` match names made with ``prefix`` (lower case):
    ``rsch-a-b`` -> ``rsch``, ``rsch-a``."""
    lowered = prefix.lower()
    return [lowered[:i] for i, char in enumerate(lowered) if char == "-" and i]


class TeamPrefixes:
    """The teams of one app and their prefixes, to keep each team's names its own.

    Adding and checking a prefix costs its length, not the number of teams.
    """

    def __init__(self) -> None:
        self._by_prefix: dict[str, tuple[str, str]] = {}
        self._by_owner: dict[str, list[tuple[str, str]]] = {}

    def add(self, prefix: str, team: str) -> None:
        """Record ``team`` (e.g. its construct path) with its ``prefix``."""
        self._by_prefix.setdefault(prefix.lower(), (prefix, team))
        for owner in _owners(prefix):
            self._by_owner.setdefault(owner, []).append((prefix, team))

    def overlapping(self, prefix: str) -> list[tuple[str, str]]:
        """The recorded ``(prefix, team)`` pairs whose names overlap ``prefix``'s."""
        lowered = prefix.lower()
        found = [self._by_prefix[o] for o in (*_owners(prefix), lowered) if o in self._by_prefix]
        found += self._by_owner.get(lowered, [])
        return list(dict.fromkeys(found))

    def problems(self, prefix: str, team: str) -> list[Problem]:
        """One ``overlappingPrefix`` problem per recorded team that overlaps ``team``."""
        return [overlap_problem(prefix, team, other, other_team)
                for other, other_team in self.overlapping(prefix)]


def overlap_problem(prefix: str, team: str, other: str, other_team: str) -> Problem:
    """The problem of two teams whose prefixes overlap, naming both."""
    if prefix.lower() == other.lower():
        why = (f"'{prefix}' and '{other}' are one prefix ignoring case (a mixed-case prefix "
               "also allows its lower-case spelling)")
        fix = "give one of them another prefix"
    else:
        short, long = sorted((prefix, other), key=len)
        why = f"'{short}-*' also matches the names '{long}-...'"
        fix = f"e.g. '{long.replace('-', '')}' instead of '{long}'"
    return Problem(
        "job_prefix",
        "overlappingPrefix",
        f"team {team!r} (job_prefix {prefix!r}) and team {other_team!r} (job_prefix "
        f"{other!r}) overlap: {why}, so one team could run the other's jobs and update its "
        "pipelines; choose prefixes where neither equals the other ignoring case nor starts "
        f"with the other and a hyphen ({fix})",
    )


def prefix_guide(step_types: Iterable[StepType]) -> dict[StepType, str]:
    """Per job step type, the SDK argument that must carry the team's prefix."""
    return {
        step_type: argument
        for step_type in sorted(set(step_types), key=lambda s: s.value)
        if (argument := CATALOG[step_type].prefix_argument) is not None
    }


def usage_text(job_prefix: str, step_types: Iterable[StepType]) -> str:
    """Instructions for the team: where the prefix goes, and what ignores it today."""
    chosen = sorted(set(step_types), key=lambda s: s.value)
    lines = [
        f"Turn on {PREFIX_SWITCH} in the pipeline, name the pipeline '{job_prefix}-...', "
        f"and put '{job_prefix}' into each step's job name:",
    ]
    lines += [f"  {s.value}: {arg}" for s, arg in prefix_guide(chosen).items()]
    caveats = [(s, CATALOG[s].sdk_prefix_caveat) for s in chosen if CATALOG[s].sdk_prefix_caveat]
    if caveats:
        lines.append("The SDK ignores the prefix today for:")
        lines += [f"  {s.value}: {caveat}" for s, caveat in caveats]
    return "\n".join(lines)


def pipeline_access_statement(job_prefix: str, env: ArnEnvironment) -> Statement:
    """The team's pipeline-level actions on ``pipeline/<prefix>-*`` and its executions."""
    resources = tuple(
        PIPELINE_ARN.format(
            partition=env.partition, region=env.region, account=env.account, name=pattern
        )
        for pattern in naming.prefix_patterns(job_prefix)
    )
    return Statement("TeamPipelines", PIPELINE_ACTIONS, resources)
