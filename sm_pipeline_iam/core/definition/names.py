"""The names of the jobs a step's pipeline creates: the default naming
(``pipelines-<execution id>-<first 20 characters of the step name>-<token>``) or a custom
job prefix from the definition, as IAM patterns; the steps whose names one pattern would
cover (refused); and the coarser scopes for pipelines too large for per-step ones.

Sources: the AWS page "IAM Access Management", section "Custom job prefixes"
(https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-access.html#build-and-manage-step-permissions-prefix),
for the default naming and the prefixes, and the catalog's prefix table
(:data:`~sm_pipeline_iam.core.catalog.steps.LONG_PREFIX_LIMIT`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .. import naming
from ..catalog.schema import StepType, ValueForm
from ..catalog.steps import LONG_PREFIX_LIMIT, spec_for
from ..execution_role.requirements import PipelineRequirements
from ..notices import (
    BUILD_TIMESTAMP,
    COARSENED_JOB_SCOPES,
    DEFINITION_PREFIX,
    MIXED_CASE_PREFIX,
    STEP_NAME_NOT_IN_JOB_NAMES,
    UNSCOPED_DEFAULT_NAMES,
    Notice,
)
from .expressions import ExpressionError, Pattern
from .paths import values_at
from .state import ReadState
from .values import not_an_expression, one_star

#: How many characters of a step's name the default job name carries (AWS page).
STEP_NAME_PREFIX_LENGTH = 20

_JOB_NAME_CHARS = re.compile(r"[A-Za-z0-9-]+")

#: The SDK's build timestamp at the end of a NotebookJob's name (``-2026-11-30-02-11-47-059``).
_BUILD_TIMESTAMP = re.compile(r"(.+)-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}")


class JobNames:
    """The job-name patterns of each step, and the steps whose names overlap.

    Args:
        state: the reading in progress (warnings and problems go there).
    """

    def __init__(self, state: ReadState) -> None:
        self._state = state
        #: Step -> the start of its jobs' default names (its first 20 characters) and the
        #: resource type of its jobs: names collide only within one type (one log group).
        self._default_named: dict[str, tuple[str, str | None]] = {}
        #: Step -> the literal custom prefixes of its jobs' names, with that type.
        self._custom_prefixed: dict[str, set[tuple[str, str | None]]] = {}

    def job_names_of(
        self, step_name: str, step_type: StepType, step: dict[str, Any],
        evaluate: Callable[[Any], list[Pattern]], *, notify: bool = True,
    ) -> set[str]:
        """The name patterns of the jobs (or resources) a step's pipeline creates
        (``notify``: report a prefix that is no expression, and warn where the default
        naming cannot be narrowed; off when another step merely refers to them, whose
        caller then names the field of an :class:`ExpressionError`)."""
        for group in spec_for(step_type).action_groups:
            for source in group.names:
                if source.form is not ValueForm.PREFIX:
                    continue
                texts: set[str] = set()
                for field_name, value in values_at(step, source.path):
                    if value is None:
                        continue
                    try:
                        patterns = evaluate(value)
                    except ExpressionError as error:
                        if not notify:
                            raise  # a reference's evaluation: its caller names the field
                        not_an_expression(self._state, step_name, field_name, error)
                        patterns = []
                    for pattern in patterns:
                        texts.update(_prefixed(_strip_timestamp(pattern.text)))
                return texts or self.default_names(step_name, step_type, notify=notify)
        return self.default_names(step_name, step_type, notify=notify)

    def default_names(self, name: str, step_type: StepType, *, notify: bool = True
                      ) -> set[str]:
        """The default naming of a step's jobs (``notify``: warn where it cannot narrow
        them; off when another step merely refers to them)."""
        notices = self._state.out.notices
        prefix = name[:STEP_NAME_PREFIX_LENGTH]
        if spec_for(step_type).max_prefix_length != LONG_PREFIX_LIMIT:
            # Tuning and AutoML names hold 32 characters: how the step name fits is
            # undocumented, so only the static start narrows them.
            if notify:
                notices.append(Notice(
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
            notices.append(Notice(
                STEP_NAME_NOT_IN_JOB_NAMES,
                f"step {name!r} has characters job names cannot hold, and how SageMaker "
                "rewrites them is undocumented: its jobs are allowed as 'pipelines-*'. "
                "Rename the step with letters, digits and hyphens to narrow it.",
            ))
            return set(naming.default_patterns())
        self._default_named[name] = (prefix, spec_for(step_type).resource_type)
        start = f"{naming.DEFAULT_PREFIX}-*-"
        return {f"{start}{prefix}-*", f"{start}{prefix.lower()}-*"}

    def prefix(
        self, name: str, step_type: StepType | None, field_name: str, text: str
    ) -> set[str]:
        """The job-name patterns of a prefix from the definition, checked as props are."""
        notices = self._state.out.notices
        match = _BUILD_TIMESTAMP.fullmatch(text)
        if match is not None:
            notices.append(Notice(
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
                notices.append(Notice(
                    DEFINITION_PREFIX, f"step {name!r}: {problem.message}"
                ))
            if naming.is_mixed_case(text):
                notices.append(Notice(
                    MIXED_CASE_PREFIX,
                    f"step {name!r} field {field_name}: prefix {text!r} has upper-case "
                    "letters; whether SageMaker lower-cases names inside job ARNs is "
                    f"unconfirmed, so the policy allows both '{text}-*' and "
                    f"'{text.lower()}-*'",
                ))
        return set(_prefixed(text))

    def default_name_overlaps(self) -> None:
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
                    self._state.problem(
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

    def custom_prefix_overlaps(self) -> None:
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
                    self._state.problem(
                        f"{first_step}.Name", "jobPrefixesOverlap",
                        f"steps {first_step!r} and {second_step!r}: job prefix {first!r} "
                        f"followed by '-' starts {second!r}, so the pattern "
                        f"'{min(first, second, key=len)}-*' covers both steps' jobs, their "
                        "output paths and log streams: give them prefixes neither of which, "
                        "followed by '-', starts the other (e.g. 'fraud-prep' and "
                        "'fraud-prepv2'), or the same prefix knowingly",
                    )


def _default_name_covers(start: str, other: str) -> bool:
    """True when ``pipelines-*-<start>-*`` matches the default job names of a step whose
    names start with ``other`` (``pipelines-<id>-<other>-<token>-<n>``): the same start,
    ``<start>-`` starting it (``Train`` and ``Train-Challenger``), or ``-<start>-`` inside
    it, which the ``*`` of the execution id reaches (``Train`` and ``Re-Train``)."""
    return (other == start or other.startswith(f"{start}-")
            or f"-{start}-" in f"{other}-")


def _prefixed(prefix: str) -> tuple[str, ...]:
    patterns = naming.prefix_patterns(prefix)
    return tuple(one_star(pattern) for pattern in patterns)


def _strip_timestamp(text: str) -> str:
    match = _BUILD_TIMESTAMP.fullmatch(text)
    return match.group(1) if match else text


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
