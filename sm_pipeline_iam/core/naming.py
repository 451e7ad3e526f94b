"""Job names and job prefixes: validation and the name patterns that IAM matches.

SageMaker Pipelines names a step's job ``pipelines-<executionId>-<stepNamePrefix>-...`` by
default, or ``<prefix>-<executionId>-...`` when the pipeline turns on
``PipelineDefinitionConfig(use_custom_job_prefix=True)`` and the step carries a prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import Problem
from .steps import StepType, spec_for

#: The create APIs' name rule (botocore): letters, digits and inner hyphens.
JOB_NAME_PATTERN = "[a-zA-Z0-9](-*[a-zA-Z0-9])*"
_JOB_NAME = re.compile(JOB_NAME_PATTERN)

#: The static start of every job name when the custom prefix is off.
DEFAULT_PREFIX = "pipelines"

#: The pattern that user-named resources get when no prefix narrows them.
ANY_NAME = "*"


def prefix_problems(
    prefix: str, step_types: Iterable[StepType], *, prop: str = "job_prefix"
) -> list[Problem]:
    """Every reason ``prefix`` cannot prefix the jobs of ``step_types``.

    Each message names the prop, the bad value, the allowed form and the fix.
    """
    problems: list[Problem] = []
    if any(char in prefix for char in "*?"):
        problems.append(Problem(
            prop,
            "wildcard",
            f"{prop} {prefix!r} contains a wildcard: IAM would match other prefixes' jobs; "
            "give the literal prefix the pipeline puts in its job names (e.g. 'team-a')",
        ))
    elif not _JOB_NAME.fullmatch(prefix):
        problems.append(Problem(
            prop,
            "invalidJobNamePrefix",
            f"{prop} {prefix!r} is not a valid job-name prefix: use letters, digits and "
            f"hyphens, starting and ending with a letter or digit ({JOB_NAME_PATTERN})",
        ))
    for step_type in sorted(set(step_types), key=lambda s: s.value):
        limit = spec_for(step_type).max_prefix_length
        if limit is not None and len(prefix) > limit:
            fitting = prefix[:limit].rstrip("-")
            problems.append(Problem(
                prop,
                "prefixTooLong",
                f"{prop} {prefix!r} is {len(prefix)} characters, longer than the {limit} that "
                f"{step_type.value} steps allow: shorten it to at most {limit} characters "
                f"(e.g. {fitting!r})",
            ))
    return problems


def is_mixed_case(prefix: str) -> bool:
    """True when IAM would see a different ARN if SageMaker lower-cased the name."""
    return prefix.lower() != prefix


def prefix_patterns(prefix: str) -> tuple[str, ...]:
    """The name patterns of jobs named with ``prefix``.

    IAM matches ARNs case-sensitively and it is unconfirmed whether SageMaker lower-cases
    names inside job ARNs, so a mixed-case prefix yields both spellings: either answer is
    then safe.
    """
    patterns = [f"{prefix}-*"]
    if is_mixed_case(prefix):
        patterns.append(f"{prefix.lower()}-*")
    return tuple(patterns)


def is_reserved_prefix(prefix: str) -> bool:
    """True when ``prefix`` is the default naming's start, ``pipelines``, or that and a
    hyphen (any case, since a mixed-case prefix also allows its lower-case spelling): its
    ``<prefix>-*`` would match jobs of every pipeline without the custom prefix."""
    lowered = prefix.lower()
    return lowered == DEFAULT_PREFIX or lowered.startswith(f"{DEFAULT_PREFIX}-")


def default_patterns() -> tuple[str, ...]:
    """The name pattern of jobs under the default naming (custom prefix off)."""
    return (f"{DEFAULT_PREFIX}-*",)
