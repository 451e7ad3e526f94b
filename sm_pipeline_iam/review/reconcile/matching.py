"""Match a call to its pipeline, role and step, and to the access plan.

A record belongs to a pipeline when its session's role (``AssumedRole``, the role in
``userIdentity.sessionContext.sessionIssuer``: AWS page "CloudTrail userIdentity element",
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html)
is one of the pipeline's roles. A job role's calls are its step's (or its steps', for a
role steps share). The execution role's calls are the step whose name scope holds the
resource's name (``abalone-preprocess-*``), else the steps the plan says make the call.

The plan names resources by example (a sample execution id, a sample object name): a call
is *predicted* when the plan has the same role making the same action on the same kind of
resource: the same bucket (object or bucket) for S3, the same service and resource type
otherwise. The grants decide the names; the plan decides whether the library knew of the
call at all.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...core.catalog.schema import StepType
from ...core.plan import EXECUTION_ROLE, SAMPLE_BUCKET, PlannedCall
from .calls import Call
from .pipelines import PipelineModel, RoleModel


@dataclass(frozen=True)
class Owner:
    """The pipeline and role a record's session is."""

    pipeline: PipelineModel
    role: RoleModel


def owner_of(models: Sequence[PipelineModel], role_arn: str) -> list[Owner]:
    """The pipelines' roles that ``role_arn`` is (best match first; several when
    pipelines share the role); none for another principal."""
    if not role_arn:
        return []
    scored = [(role.matches(role_arn), Owner(model, role))
              for model in models for role in model.roles]
    best = max((score for score, _ in scored), default=0)
    return [owner for score, owner in scored if score and score == best]


def _resource_name(resource: str) -> str:
    return re.split(r"[/:]", resource.split(":", 5)[-1], maxsplit=1)[-1] if (
        resource.startswith("arn:")) else resource


def steps_of(model: PipelineModel, role: RoleModel, call: Call) -> list[str]:
    """The steps whose job or whose execution made ``call``."""
    steps: list[str] = []
    for plan_role in role.serves:
        if plan_role != EXECUTION_ROLE:
            steps += model.plan_role_steps(plan_role)
    if EXECUTION_ROLE not in role.serves:
        return list(dict.fromkeys(steps))
    name = _resource_name(call.resource)
    for scope in model.reading.scopes:
        if name and any(fnmatch.fnmatchcase(name, pattern) for pattern in scope.patterns):
            return [scope.step]
    planned = [p for p in model.plan if p.role == EXECUTION_ROLE
               and p.action.lower() == call.action.lower()
               and same_kind(p.resource, call.resource)]
    for p in planned:
        steps += planned_steps(model, p)
    return list(dict.fromkeys(steps))


def planned_steps(model: PipelineModel, call: PlannedCall) -> list[str]:
    """The steps a planned call is made for (none: the pipeline as a whole)."""
    if call.role != EXECUTION_ROLE:
        return model.plan_role_steps(call.role)
    named = [name for name, _ in model.steps
             if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", call.why)]
    if named:
        return named
    if "Condition's JsonGet" in call.why:
        return [name for name, kind in model.steps if kind is StepType.CONDITION]
    return []


def _kind(resource: str) -> tuple[str, ...]:
    if not resource.startswith("arn:"):
        return (resource,)
    service, rest = resource.split(":")[2], resource.split(":", 5)[-1]
    if service == "s3":
        bucket, slash, _ = rest.partition("/")
        return ("s3", "object" if slash else "bucket", bucket)
    return (service, re.split(r"[/:]", rest, maxsplit=1)[0])


def same_kind(planned: str, resource: str) -> bool:
    """True when a planned call's example resource and a recorded resource are the same
    kind (unknown and ``*`` match any)."""
    if not resource or resource == "*" or planned == "*":
        return True
    mine, theirs = _kind(planned), _kind(resource)
    if mine[:2] == ("s3", "object") or mine[:2] == ("s3", "bucket"):
        return mine[:2] == theirs[:2] and mine[2] in (theirs[2], SAMPLE_BUCKET)
    return mine == theirs


def predicted(model: PipelineModel, role: RoleModel, call: Call) -> PlannedCall | None:
    """The planned call that predicts ``call`` for the role, or None."""
    for planned in model.plan:
        if planned.role in role.serves and planned.action.lower() == call.action.lower() and (
                same_kind(planned.resource, call.resource)):
            return planned
    return None
