"""Point a definition's role fields at other roles: the roles a pipeline construct makes.

The SDK writes a role ARN into each step before the roles exist (``RoleArn``,
``ExecutionRoleArn``, a tuning step's ``TrainingJobDefinition(s)``, EMR's runtime roles);
a construct that creates the roles rewrites those fields to the new roles' ARNs (CDK
tokens while synthesizing, resolved by CloudFormation). Which fields hold roles comes from
the catalog's ``role_fields``, so every step type is covered. No CDK import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..catalog.schema import StepType
from ..catalog.steps import spec_for
from .loading import load_definition
from .paths import values_at
from .walk import all_steps


@dataclass(frozen=True)
class RoleSlot:
    """One role field of one step.

    Attributes:
        step: the step's name.
        step_type: its type.
        field: the field as messages name it (``RoleArn``,
            ``TrainingJobDefinitions[1].RoleArn``).
        path: the catalog path it was found by.
        service: the service the role is passed to.
        value: what the definition holds there today.
    """

    step: str
    step_type: StepType
    field: str
    path: str
    service: str
    value: Any


def role_slots(definition: Mapping[str, Any]) -> list[RoleSlot]:
    """Every role field that a step of ``definition`` holds, in step order."""
    slots = []
    for step in all_steps(definition.get("Steps")):
        type_name, name = step.get("Type"), step.get("Name")
        if not isinstance(type_name, str) or not isinstance(name, str) or (
            type_name not in StepType._value2member_map_
        ):
            continue
        step_type = StepType(type_name)
        for role_field in spec_for(step_type).role_fields:
            for field_name, value in values_at(step, role_field.path):
                if value is not None:
                    slots.append(RoleSlot(name, step_type, field_name, role_field.path,
                                          role_field.service, value))
    return slots


def with_roles(
    source: str | Mapping[str, Any], choose: Callable[[RoleSlot], Any | None]
) -> dict[str, Any]:
    """A copy of the definition in which each role field holds ``choose(slot)``, or keeps
    its value where ``choose`` returns None.

    Raises:
        DefinitionError: the definition cannot be read.
    """
    # A copy through JSON, not copy.deepcopy: C-level, so a deeply nested definition
    # costs no Python stack frames (load_definition has checked the depth).
    definition: dict[str, Any] = json.loads(json.dumps(load_definition(source)))
    by_name = {step.get("Name"): step for step in all_steps(definition.get("Steps"))}
    for slot in role_slots(definition):
        new = choose(slot)
        if new is not None:
            concrete = f"Arguments.{slot.field}" if slot.path.startswith("Arguments.") else (
                slot.field)
            _set(by_name[slot.step], concrete, new)
    return definition


_SEGMENT = re.compile(r"(\w+)(?:\[(\d+)\])?")


def _set(holder: Any, path: str, value: Any) -> None:
    """Set the value at a concrete field path (``Arguments.Defs[1].RoleArn``)."""
    *parents, last = path.split(".")
    for part in parents:
        key, index = _segment(part)
        holder = holder[key] if index is None else holder[key][index]
    key, index = _segment(last)
    if index is None:
        holder[key] = value
    else:
        holder[key][index] = value


def _segment(part: str) -> tuple[str, int | None]:
    match = _SEGMENT.fullmatch(part)
    if match is None:
        raise ValueError(f"{part!r} is not a concrete field path segment")
    return match.group(1), int(match.group(2)) if match.group(2) else None
