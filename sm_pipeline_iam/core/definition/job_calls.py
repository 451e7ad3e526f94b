"""The API calls a step's job makes itself with the role it runs as (beyond its S3, logs,
images and keys): the catalog's :class:`~sm_pipeline_iam.core.catalog.steps.JobCall`
entries whose trigger the step holds, with their resources filled from the step's job
names, named resources and roles; and a warning for each field whose calls the library
does not grant.

Each entry's ``reason`` names the AWS page it comes from (e.g. "How to use SageMaker AI
execution roles", https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html, and
"Analysis configuration files" for SageMaker Clarify's shadow endpoint).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

from ..catalog.schema import JobCall, JobSpec
from ..execution_role.policy import PLACEHOLDERS
from ..job_roles.needs import ServiceCall
from ..notices import AUTOML_RESOURCE_NAMES, CLARIFY_MODEL_UNKNOWN, UNGRANTED_FIELD, Notice
from .paths import values_at
from .state import ReadState
from .values import FieldValues, one_star

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


class JobCalls:
    """Reads the calls steps' jobs make.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
    """

    def __init__(self, state: ReadState, values: FieldValues) -> None:
        self._state = state
        self._values = values

    def service_calls(self, name: str, job: JobSpec, step: dict[str, Any],
                      job_names: tuple[str, ...], roles: tuple[str, ...]
                      ) -> set[ServiceCall]:
        """The API calls the job makes itself, as the catalog's :class:`JobCall` entries
        say, for those whose trigger the step holds (``roles``: the roles the step hands
        its job)."""
        notices = self._state.out.notices
        for ungranted in job.ungranted:
            self._values.ungranted(name, ungranted, step)
        found: set[ServiceCall] = set()
        for job_call in job.calls:
            if not _triggered(job_call, step):
                continue
            if job_call.notice is not None:
                notices.append(Notice(job_call.notice, _CALL_NOTICES[
                    job_call.notice].format(step=name)))
            if "{role}" in job_call.resource and not roles:
                notices.append(Notice(UNGRANTED_FIELD, (
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

    def _call_names(self, name: str, job_call: JobCall, step: dict[str, Any]
                    ) -> tuple[str, ...]:
        """The values that fill a call's ``{name}``: names (both spellings, as SageMaker may
        put them into ARNs lower-cased) or ARNs, each as its narrowest pattern."""
        if job_call.names is None:
            return ()
        values = self._values
        texts: set[str] = set()
        for field_name, value in values_at(step, job_call.names):
            if value is None or not values.wildcard_free(name, field_name, value):
                continue
            for text in values.names(name, field_name,
                                     values.patterns(name, field_name, value)):
                texts.update((text,) if text.startswith("arn:") else (text, text.lower()))
        return tuple(sorted(texts))


def _triggered(job_call: JobCall, step: dict[str, Any]) -> bool:
    values = [value for _, value in values_at(step, job_call.trigger) if value is not None]
    if job_call.matches is None:
        return bool(values)
    return any(isinstance(v, str) and re.fullmatch(job_call.matches, v) for v in values)


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
        texts.append(one_star(text))
    return texts
