"""The caller-given resources of the integration steps: one table, which the catalog's step
types, ``GivenResources`` and the messages agree with.

Expected values come from the AWS pages of each integration (Lambda, Callback, EMR, EMR
Serverless, Cleanup steps: "Pipelines steps" in the SageMaker developer guide) and from the
public ``GivenResources`` fields, not from the table's own output.
"""

from __future__ import annotations

import dataclasses

import pytest

from sm_pipeline_iam.core.arns import ROLE_ARN
from sm_pipeline_iam.core.catalog.bindings import BINDINGS, GIVEN_FIELDS, Binding
from sm_pipeline_iam.core.catalog.schema import StepType
from sm_pipeline_iam.core.catalog.steps import spec_for, step_types_using
from sm_pipeline_iam.core.execution_role.requirements import GivenResources, from_step_types
from sm_pipeline_iam.core.locations import parse_s3_folder

#: Which step type acts on each binding's resources (one each).
USERS = {
    Binding.LAMBDA_FUNCTIONS: (StepType.LAMBDA,),
    Binding.CALLBACK_QUEUES: (StepType.CALLBACK,),
    Binding.EMR_CLUSTERS: (StepType.EMR,),
    Binding.EMR_SERVERLESS_APPLICATIONS: (StepType.EMR_SERVERLESS,),
    Binding.CLEANUP_OBJECTS: (StepType.CLEANUP,),
}


def test_the_table_has_a_row_per_binding_and_a_field_per_given_resource() -> None:
    """GIVEN the table WHEN compared with Binding and GivenResources THEN one row per
    binding, and its fields are GivenResources' own, in their order."""
    assert list(BINDINGS) == list(Binding)
    assert all(spec.binding is binding for binding, spec in BINDINGS.items())
    assert list(GIVEN_FIELDS) == [field.name for field in dataclasses.fields(GivenResources)]


@pytest.mark.parametrize("binding", list(Binding), ids=lambda b: b.name)
def test_each_binding_is_used_by_its_step_type(binding: Binding) -> None:
    """GIVEN a binding WHEN the catalog is asked which step types use it THEN its own."""
    assert step_types_using(binding) == USERS[binding]


@pytest.mark.parametrize(
    "binding", [b for b in Binding if BINDINGS[b].role is not None], ids=lambda b: b.name)
def test_a_runtime_role_goes_to_a_service_its_steps_pass_roles_to(binding: Binding) -> None:
    """GIVEN a binding with runtime roles WHEN its steps' catalog entries are read THEN they
    hand a role to that service, and the example is one role's ARN."""
    role = BINDINGS[binding].role
    assert role is not None
    for step_type in step_types_using(binding):
        assert role.service in spec_for(step_type).passes_role_to
    assert ROLE_ARN.fullmatch(role.field.example)


@pytest.mark.parametrize("binding", list(Binding), ids=lambda b: b.name)
def test_each_example_is_in_its_form(binding: Binding) -> None:
    """GIVEN a row WHEN its example is checked as a value THEN it passes (messages never
    show an example the check refuses)."""
    spec = BINDINGS[binding]
    if spec.form is None:
        pattern, problems = parse_s3_folder(spec.example, prop=binding.value)
        assert pattern is not None and problems == []
        assert spec.field.s3_locations
    else:
        assert spec.form.pattern.fullmatch(spec.example)
        assert not spec.field.s3_locations
    assert spec.field.examples == f"['{spec.example}']"


def test_a_runtime_role_for_no_chosen_step_names_the_step_to_add() -> None:
    """GIVEN emr_role_arns with only a Lambda step WHEN gathered THEN the problem says to
    add EMR (the step type that uses EMR clusters)."""
    _, problems = from_step_types(["Lambda"], resources=GivenResources(
        lambda_function_arns=["arn:aws:lambda:us-east-1:111122223333:function:fn"],
        emr_role_arns=["arn:aws:iam::111122223333:role/emr-step"]))
    (problem,) = problems
    assert (problem.prop, problem.code) == ("emr_role_arns", "unused")
    assert problem.message.endswith("add EMR to step_types")


def test_a_description_comes_from_the_row() -> None:
    """GIVEN a binding WHEN described THEN its row's description."""
    assert Binding.EMR_CLUSTERS.description == "EMR clusters used"
    assert Binding.CLEANUP_OBJECTS.spec is BINDINGS[Binding.CLEANUP_OBJECTS]
