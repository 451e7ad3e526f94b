"""The catalog drives the definition reader: no action group can be dropped silently.

Two proofs. Hand-written steps (written from the SageMaker create APIs, not generated from
the catalog) give every name-scoped group of every step type a distinctive name, and the
group's statement must carry it; and in every SDK-built fixture, each group of each step
type present is either granted or, as the definition shows, never called.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sm_pipeline_iam.core.catalog.schema import ActionGroup, ResourceScope, StepType
from sm_pipeline_iam.core.catalog.steps import CATALOG
from sm_pipeline_iam.core.definition.reader import read_definition, values_at
from sm_pipeline_iam.core.execution_role.policy import (
    PLACEHOLDERS,
    UnnamedResourcesError,
    build_statements,
)
from sm_pipeline_iam.core.execution_role.requirements import PipelineRequirements
from support.step_types import documented

FIXTURES = Path(__file__).parent / "fixtures" / "definitions"
ROLE = "arn:aws:iam::111122223333:role/CoverageRole"

#: Per step type, one step as SageMaker's create API takes it, each name distinctive.
HAND_WRITTEN: dict[StepType, dict[str, Any]] = documented("coverage_step")

#: The distinctive name each step's resources carry.
MARKS: dict[StepType, str] = documented("coverage_mark")
GROUP_MARKS: dict[str, str] = {
    label: mark
    for marks in documented("coverage_group_marks").values()
    for label, mark in marks.items()
}

NAMED_SCOPES = (ResourceScope.JOB_NAME, ResourceScope.USER_NAME, ResourceScope.GIVEN)


def _named_groups() -> list[tuple[StepType, ActionGroup]]:
    return [
        (step_type, group)
        for step_type, spec in CATALOG.items()
        for group in spec.action_groups
        if group.scope in NAMED_SCOPES and group.variant is None
    ]


def _definition(step_type: StepType, step: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2020-12-01",
            "Steps": [{"Name": "Covered", "Type": step_type.value, **step}]}


def _granted(requirements: PipelineRequirements, group: ActionGroup) -> list[str]:
    """The resources of the group's type on which all of the group's actions are allowed
    (a create call that names a model sits in a statement of its own, with its
    ``sagemaker:ModelArn`` condition)."""
    env = PLACEHOLDERS
    start = group.arn_template.split("{name}", 1)[0].format(
        partition=env.partition, region=env.region, account=env.account)
    actions: dict[str, set[str]] = {}
    for statement in build_statements(requirements):
        for resource in statement.resources:
            if resource.startswith(start):
                actions.setdefault(resource, set()).update(statement.actions)
    return [resource for resource, allowed in actions.items() if set(group.actions) <= allowed]


def test_every_name_scoped_step_type_has_a_hand_written_step() -> None:
    """GIVEN the catalog WHEN a step type has groups scoped by names THEN this test knows
    a step of it (a new step type must come with one)."""
    missing = {step_type for step_type, _ in _named_groups()} - set(HAND_WRITTEN)
    assert missing == set()


@pytest.mark.parametrize(
    ("step_type", "group"), _named_groups(), ids=lambda v: getattr(v, "label", str(v))
)
def test_each_group_gets_its_names_from_the_definition(
    step_type: StepType, group: ActionGroup
) -> None:
    """GIVEN a step naming its resources WHEN read THEN the group's statement is scoped
    to exactly those names."""
    requirements = read_definition(_definition(step_type, HAND_WRITTEN[step_type])).requirements
    mark = GROUP_MARKS.get(group.label) or MARKS.get(step_type) or "cov"
    resources = _granted(requirements, group)
    assert resources, f"{group.label} of {step_type.value} was granted nothing"
    assert all(mark in resource for resource in resources), resources


def _fixture_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for step in steps:
        found.append(step)
        for key in ("IfSteps", "ElseSteps", "ForEachBody"):
            found += _fixture_steps(step.get("Arguments", {}).get(key, []))
    return found


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_sdk_definitions_grant_or_explain_every_group(path: Path) -> None:
    """GIVEN a definition the SDK built WHEN read THEN every group of every step type in it
    is granted on some resource, or the definition shows no step calls it."""
    definition = json.loads(path.read_text())
    requirements = read_definition(definition).requirements
    step_types = {StepType(step["Type"]) for step in _fixture_steps(definition["Steps"])}
    for step_type in step_types:
        for group in CATALOG[step_type].action_groups:
            if group.variant is not None and group.variant not in requirements.variants:
                continue
            if group.label in requirements.unused_groups:
                continue
            # Listing serves folders only: a Cleanup of single objects lists nothing.
            if group.lists_folders and group.binding is not None and not any(
                value.endswith("/*") for value in requirements.given_values(group.binding)
            ):
                continue
            assert _granted(requirements, group), f"{path.stem}: {group.label} dropped"


def test_a_group_called_without_resources_fails_loudly() -> None:
    """GIVEN hand-made requirements that name no endpoint WHEN built THEN an error, never a
    policy that silently lacks the endpoint statement."""
    requirements = PipelineRequirements(step_types=frozenset({StepType.ENDPOINT}),
                                        group_names={"Endpoints": ()})
    with pytest.raises(UnnamedResourcesError, match=r"Endpoints .*needed by Endpoint steps"):
        build_statements(requirements)


def test_a_group_the_definition_never_calls_is_left_out() -> None:
    """GIVEN an unversioned model package (no group) WHEN read THEN the group actions are
    listed as unused and not granted."""
    step = {"Arguments": {"ModelPackageName": "covpkg"}}
    requirements = read_definition(_definition(StepType.REGISTER_MODEL, step)).requirements
    assert requirements.unused_groups == {"ModelPackageGroups"}
    actions = {a for s in build_statements(requirements) for a in s.actions}
    assert "sagemaker:CreateModelPackageGroup" not in actions
    assert "sagemaker:CreateModelPackage" in actions


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Arguments.Name", [("Name", "n")]),
        ("Arguments.List[*].Name", [("List[0].Name", "a"), ("List[1].Name", "b")]),
        ("Arguments.Ends[*].End[Type=Action].Name", [("Ends[0].End.Name", "x")]),
        ("Arguments.Missing.Name", []),
        ("Top", [("Top", "t")]),
    ],
)
def test_values_at_walks_catalog_paths(path: str, expected: list[tuple[str, Any]]) -> None:
    """GIVEN a step WHEN a catalog path is read THEN each value with the field it sits at."""
    step = {"Top": "t", "Arguments": {
        "Name": "n", "List": [{"Name": "a"}, {"Name": "b"}],
        "Ends": [{"End": {"Type": "Action", "Name": "x"}},
                 {"End": {"Type": "Context", "Name": "y"}}],
    }}
    assert list(values_at(step, path)) == expected
