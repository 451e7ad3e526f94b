"""Running the core's requirement gatherers (``from_step_types``, ``team_requirements``) on
props that hold CDK tokens, which the core (reading literal names) cannot check."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from ...core import naming
from ...core.errors import Problem
from ...core.execution_role.requirements import GivenResources, PipelineRequirements
from ...core.locations import S3ObjectPattern
from ...core.notices import MIXED_CASE_PREFIX
from .tokens import is_token

#: A bucket name that stands for a token while the core checks the rest of a location.
_PLACEHOLDER_BUCKET = "sm-pipeline-iam-token-bucket-{}"


class _TokenBuckets:
    """Stands a placeholder bucket in for each S3 location whose bucket is a token, so that
    the core (which reads literal bucket names) checks the rest of the location; the
    tokens go back into the requirements and the problems after."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def hide(self, uri: str) -> str:
        if not uri.startswith("s3://"):
            return uri
        bucket, slash, key = uri.removeprefix("s3://").partition("/")
        if not is_token(bucket):
            return uri
        placeholder = next((p for p, token in self._tokens.items() if token == bucket), None)
        if placeholder is None:
            placeholder = _PLACEHOLDER_BUCKET.format(len(self._tokens))
            self._tokens[placeholder] = bucket
        return f"s3://{placeholder}{slash}{key}"

    def hide_resources(self, resources: GivenResources | None) -> GivenResources | None:
        if resources is None:
            return None
        return dataclasses.replace(resources, cleanup_locations=tuple(
            self.hide(uri) for uri in resources.cleanup_locations))

    def _put_back(self, value: str) -> str:
        bucket, slash, rest = value.partition("/")
        return self._tokens.get(bucket, bucket) + slash + rest

    def restore(self, requirements: PipelineRequirements) -> PipelineRequirements:
        if not self._tokens:
            return requirements
        objects = {S3ObjectPattern(self._tokens.get(o.bucket, o.bucket), o.key_pattern)
                   for o in requirements.json_get_objects}
        given = {binding: tuple(sorted({self._put_back(v) for v in values}))
                 for binding, values in requirements.given.items()}
        return dataclasses.replace(requirements, json_get_objects=tuple(sorted(objects)),
                                   given=given)

    def restore_problems(self, problems: Sequence[Problem]) -> list[Problem]:
        restored = []
        for problem in problems:
            message = problem.message
            for placeholder, token in self._tokens.items():
                message = message.replace(placeholder, token)
            restored.append(dataclasses.replace(problem, message=message))
        return restored


def gather_with_tokens(
    gather: Callable[..., tuple[PipelineRequirements, list[Problem]]],
    *,
    job_prefix: str | None,
    json_get_locations: Sequence[str],
    resources: GivenResources | None,
    **more: Any,
) -> tuple[PipelineRequirements, list[Problem]]:
    """Run a core gatherer (``from_step_types``, ``team_requirements``) on props that may
    hold tokens. A token ``job_prefix`` is used as it is: not validated (its value is
    unknown), not case-folded (a lower-cased token is no token) and without the mixed-case
    warning. An S3 location whose bucket is a token is checked with a placeholder bucket
    (its key prefix still is) and keeps its token."""
    buckets = _TokenBuckets()
    prefix_is_token = is_token(job_prefix)
    requirements, problems = gather(
        job_prefix=job_prefix,
        validate_prefix=not prefix_is_token,
        json_get_locations=[buckets.hide(uri) for uri in json_get_locations],
        resources=buckets.hide_resources(resources),
        **more,
    )
    requirements = buckets.restore(requirements)
    if prefix_is_token and job_prefix is not None:
        requirements = dataclasses.replace(
            requirements,
            name_patterns={
                step_type: tuple(p for p in patterns if job_prefix in p) or patterns
                for step_type, patterns in requirements.name_patterns.items()
            },
            notices=tuple(n for n in requirements.notices if n.id != MIXED_CASE_PREFIX),
        )
    return requirements, buckets.restore_problems(problems)


def token_prefix_problems(given: object, final: object) -> list[Problem]:
    """The problem of a token ``job_prefix`` whose value at synth has upper-case letters:
    the grant holds the token once, in that spelling only."""
    if not is_token(given) or not isinstance(final, str) or is_token(final):
        return []
    if not naming.is_mixed_case(final):
        return []
    return [Problem("job_prefix", "mixedCaseToken", (
        f"job_prefix is a token whose value is {final!r}, with upper-case letters: a prefix "
        "given as a token is granted in that one spelling, and whether SageMaker lower-cases "
        "names inside job ARNs is unconfirmed; give the prefix as a literal string (both "
        f"spellings are then allowed, with a warning) or lower-case it ({final.lower()!r})"
    ))]
