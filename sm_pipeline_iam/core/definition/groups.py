"""The names of the resources each catalog action group of a step acts on (a job's name
patterns, a model package group, a queue, the objects a Cleanup deletes...), read from the
step's fields as the catalog says, and the pipeline-level features read from the
definition's top level.

The catalog (:mod:`sm_pipeline_iam.core.catalog.steps`) holds which fields name which
resources, from the AWS page "How to use SageMaker AI execution roles"
(https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html) and the Service
Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..catalog.features import PIPELINE_FEATURES, PIPELINE_UNGRANTED
from ..catalog.schema import (
    ActionGroup,
    ResourceScope,
    Source,
    StepType,
    ValueForm,
    WhenAbsent,
)
from .expressions import Pattern
from .integrations import Integrations
from .names import JobNames
from .paths import values_at
from .results import JobScope
from .state import ReadState
from .values import FieldValues


class ActionGroups:
    """Reads the resource names of steps' action groups into the requirements.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
        names: the job names of steps (for a group named by the job's name).
        integrations: the queues and objects of integration steps.
    """

    def __init__(self, state: ReadState, values: FieldValues, names: JobNames,
                 integrations: Integrations) -> None:
        self._state = state
        self._values = values
        self._names = names
        self._integrations = integrations

    def read_features(self, definition: Mapping[str, Any]) -> None:
        """Pipeline-level settings, read from the definition's top level as the catalog
        says."""
        for ungranted in PIPELINE_UNGRANTED:
            self._values.ungranted("", ungranted, definition)
        for feature in PIPELINE_FEATURES:
            if definition.get(feature.trigger) is None:
                continue
            self._state.out.variants.add(feature.variant)
            for group in feature.action_groups:
                if group.scope is ResourceScope.USER_NAME:
                    self.read_group(feature.trigger, None, dict(definition), group)

    def read_group(
        self, name: str, step_type: StepType | None, step: dict[str, Any], group: ActionGroup
    ) -> None:
        """Read one group's names from a step (or, with no step type, from the definition's
        top level for a pipeline-level feature)."""
        out = self._state.out
        values: set[str] = set()
        for source in group.names:
            for field_name, value in values_at(step, source.path):
                if value is not None:
                    values.update(self._source_values(
                        name, step_type, group, source, field_name, value))
        if not values:
            if group.when_absent is WhenAbsent.NOT_CALLED:
                out.not_called.add(group.label)
                return
            if group.when_absent is WhenAbsent.REQUIRED:
                fields = " or ".join(source.field for source in group.names)
                owner = f"a {step_type.value} step" if step_type else "the definition"
                self._state.problem(
                    f"{name}.{fields}", "missing",
                    f"step {name!r} field {fields} is missing: {owner} needs it "
                    f"({group.label})"
                )
                return
            assert step_type is not None  # only steps name jobs by default
            values = self._names.default_names(name, step_type)
        out.named.add(group.label)
        if group.scope is ResourceScope.GIVEN:
            assert group.binding is not None
            out.given.setdefault(group.binding, set()).update(values)
            return
        if group.scope is ResourceScope.JOB_NAME and step_type is not None:
            out.name_patterns.setdefault(step_type, set()).update(values)
        else:
            out.group_names.setdefault(group.label, set()).update(values)
        if step_type is not None:
            scope = JobScope(name, step_type, group.resource_type, tuple(sorted(values)))
            if scope not in out.scopes:
                out.scopes.append(scope)

    def _source_values(
        self, name: str, step_type: StepType | None, group: ActionGroup, source: Source,
        field_name: str, value: Any,
    ) -> set[str]:
        """The resource names (or caller-given values) that one definition value means."""
        values = self._values
        form = source.form
        if not values.wildcard_free(name, field_name, value):
            return set()
        if form is ValueForm.CLEANUP_SOURCE:
            return self._integrations.cleanup_source(name, field_name, value)
        patterns = values.patterns(name, field_name, value)
        if form is ValueForm.QUEUE_URL:
            return {self._integrations.queue_arn(name, field_name, pattern)
                    for pattern in patterns}
        if form is ValueForm.ARN:
            return self._arn_names(name, group, field_name, patterns)
        if group.scope is ResourceScope.GIVEN:
            # An id or ARN of a resource the pipeline uses: short of a literal, unresolved.
            for pattern in patterns:
                if not pattern.is_literal:
                    values.unresolved(name, field_name, pattern)
            return {pattern.text for pattern in patterns}
        texts = values.names(name, field_name, patterns)
        if form is ValueForm.PREFIX:
            return {pattern for text in texts
                    for pattern in self._names.prefix(name, step_type, field_name, text)}
        if form is ValueForm.GROUP_VERSIONS:
            texts = [f"{text}/*" for text in texts]
        # SageMaker may put names into ARNs lower-cased (AWS's guide shows
        # model-package/abalonemodelpackagegroupname/1): allow both spellings.
        return {spelling for text in texts for spelling in (text, text.lower())}

    def _arn_names(
        self, name: str, group: ActionGroup, field_name: str, patterns: list[Pattern]
    ) -> set[str]:
        # An association end names an entity of this group only when its ARN has the
        # group's resource type; an ARN of another type belongs to another group.
        marker = f":{group.resource_type}/"
        names: set[str] = set()
        for pattern in patterns:
            if marker in pattern.text:
                # The name part may hold a parameter or a run-time value: named as any name.
                names.update(self._values.names(name, field_name, [
                    replace(pattern, text=pattern.text.split(marker, 1)[1])]))
            elif not pattern.literal_prefix.startswith("arn:"):
                self._values.unresolved(name, field_name, replace(pattern, text="*"))
                names.add("*")
        return names
