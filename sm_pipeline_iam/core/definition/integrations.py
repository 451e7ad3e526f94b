"""The resources of the steps that call other services for the pipeline: the SQS queue a
Callback step sends to (its URL as the queue's ARN) and the S3 objects a Cleanup step
deletes (its ``S3Uris``, or the outputs of the step it names).

A queue URL is ``https://sqs.<region>.amazonaws.com/<account>/<queue>`` (Amazon SQS
Developer Guide, "Amazon SQS queue and message identifiers",
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..catalog.steps import spec_for
from ..execution_role.policy import PLACEHOLDERS
from ..execution_role.requirements import has_token_marker
from ..notices import UNRESOLVED_VALUE, Notice, Unresolved
from .expressions import Pattern
from .paths import values_at
from .state import ReadState
from .values import FieldValues

_QUEUE_URL = re.compile(r"https://(?:sqs\.)?([a-z0-9-]+)\.[^/]+/(\d{12})/([\w.-]+)")


class Integrations:
    """Reads the queues and the objects that steps' integrations use.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
    """

    def __init__(self, state: ReadState, values: FieldValues) -> None:
        self._state = state
        self._values = values

    def queue_arn(self, name: str, field_name: str, pattern: Pattern) -> str:
        """The ARN of the queue a queue URL names (the account's queues in the region
        where the URL is not a literal)."""
        match = _QUEUE_URL.fullmatch(pattern.text) if pattern.is_literal else None
        if match is None:
            arn = f"arn:{PLACEHOLDERS.partition}:sqs:{PLACEHOLDERS.region}:{PLACEHOLDERS.account}:*"
            if has_token_marker(pattern.text):
                # A CDK token: the URL exists only once the stack deploys.
                self._state.out.unresolved.append(Unresolved(name, field_name, arn, ()))
                self._state.out.notices.append(Notice(
                    UNRESOLVED_VALUE,
                    f"step {name!r} field {field_name}: a CDK token, known only at deploy "
                    f"time, so the policy allows {arn!r}; give the queue's URL as a literal "
                    "string",
                ))
                return arn
            self._values.unresolved(name, field_name, replace(pattern, text=arn))
            return arn
        region, account, queue = match.groups()
        return f"arn:{PLACEHOLDERS.partition}:sqs:{region}:{account}:{queue}"

    def cleanup_source(self, name: str, field_name: str, source: Any) -> set[str]:
        """The objects (``bucket/key pattern``) a Cleanup step's source deletes."""
        values = self._values
        if not isinstance(source, dict):
            self._state.problem(f"{name}.{field_name}", "notAnObject",
                                f"step {name!r} field {field_name} is not an object")
            return set()
        objects: set[str] = set()
        uris = source.get("S3Uris")
        if uris:
            for uri in _list(uris):
                for pattern in values.patterns(name, f"{field_name}.S3Uris", uri):
                    objects.update(self._cleanup_object(name, f"{field_name}.S3Uris", pattern))
            return objects
        # Without S3Uris the service deletes the source step's outputs.
        step_field = f"{field_name}.StepName"
        locations = self._output_locations(source.get("StepName"))
        if not locations:
            self._state.problem(
                f"{name}.{step_field}", "noOutputs",
                f"step {name!r} field {step_field}: {source.get('StepName')!r} names no step "
                "with an S3 output location to clean up; give S3Uris"
            )
        for uri in locations:
            for pattern in values.patterns(name, step_field, uri):
                folder = replace(pattern, text=pattern.text.rstrip("/") + "/*")
                objects.update(self._cleanup_object(name, step_field, folder))
        return objects

    def _cleanup_object(self, name: str, field_name: str, pattern: Pattern) -> set[str]:
        if pattern.text.endswith("/"):
            # A URI ending in '/' is a folder: the step deletes what lies under it.
            pattern = replace(pattern, text=pattern.text + "*")
        target = self._values.s3_object(name, field_name, pattern)
        return set() if target is None else {f"{target.bucket}/{target.key_pattern}"}

    def _output_locations(self, step_name: Any) -> list[Any]:
        """The S3 output locations of the step named ``step_name``, as the catalog says."""
        step_type = self._state.step_type(step_name)
        if step_type is None:
            return []
        step = self._state.by_name[step_name]
        return [
            value
            for path in spec_for(step_type).output_paths
            for _, value in values_at(step, path)
            if value is not None
        ]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
