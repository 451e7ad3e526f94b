"""The KMS keys a step's job uses: those its fields name (as key or alias ARNs, each with
its use), and ``kms:Decrypt`` on the output keys of the steps whose outputs it reads.

An input encrypted with SSE-KMS needs ``kms:Decrypt`` (AWS page "How to use SageMaker AI
execution roles", https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html); a
key id or alias is a key in the job's region and account (AWS KMS Developer Guide, "Key
identifiers (KeyId)", https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..catalog.schema import JobSpec, KeyUse, S3Access
from ..catalog.steps import spec_for
from ..execution_role.policy import PLACEHOLDERS
from .paths import values_at
from .scan import steps_referred
from .state import ReadState
from .values import FieldValues


def sorted_keys(keys: Iterable[tuple[str, KeyUse]]) -> tuple[tuple[str, KeyUse], ...]:
    """Keys with their uses, each once, sorted by ARN then use."""
    return tuple(sorted(set(keys), key=lambda key: (key[0], key[1].value)))


class JobKeys:
    """Reads the KMS keys of steps' jobs.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
    """

    def __init__(self, state: ReadState, values: FieldValues) -> None:
        self._state = state
        self._values = values

    def named(
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
                for pattern in self._values.patterns(name, field_name, value):
                    text = pattern.text
                    if not pattern.is_literal:
                        self._values.unresolved(name, field_name, pattern)
                    if not text.startswith("arn:"):
                        resource = text if text.startswith("alias/") else f"key/{text}"
                        text = f"arn:{PLACEHOLDERS.partition}:kms:{region}:{account}:{resource}"
                    found.add((text, key.use))
        return found

    def of_inputs(self, name: str, job: JobSpec, step: dict[str, Any]
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
                for producer in sorted(set(steps_referred(value)) - {name}):
                    step_type = self._state.step_type(producer)
                    if step_type is None:
                        continue
                    spec = spec_for(step_type).job
                    if spec is not None:
                        found.update((arn, KeyUse.INPUT) for arn, _ in self.named(
                            producer, spec, self._state.by_name[producer], KeyUse.OUTPUT))
        return found
