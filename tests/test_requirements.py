"""Requirements gathered from a list of step types: problems, notices, patterns, pass roles.

Expected values come from the AWS page "IAM Access Management" for Pipelines
(https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-access.html: default
``pipelines-`` naming, prefix naming, the unconfirmed lower-casing; PassRole only where a
step hands a role to SageMaker) and the Service Authorization Reference (Transform passes
none; integration steps act on resources the caller names).
"""

from __future__ import annotations

import pytest

from sm_pipeline_iam.core.catalog.bindings import Binding
from sm_pipeline_iam.core.catalog.schema import StepType
from sm_pipeline_iam.core.errors import Problem
from sm_pipeline_iam.core.execution_role.requirements import (
    GivenResources,
    PassRoleTarget,
    from_step_types,
)
from sm_pipeline_iam.core.locations import S3ObjectPattern
from sm_pipeline_iam.core.notices import (
    MIXED_CASE_PREFIX,
    SDK_IGNORES_PREFIX,
    UNSCOPED_USER_NAMES,
)
from support.samples import step_id
from support.step_types import documented

SAGEMAKER = "sagemaker.amazonaws.com"
ROLE = "arn:aws:iam::111122223333:role/step-role"
OTHER_ROLE = "arn:aws:iam::111122223333:role/other-role"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:fn"
QUEUE_ARN = "arn:aws:sqs:us-east-1:111122223333:q"

#: Integration step -> (GivenResources field, a valid value, the value as recorded).
INTEGRATION = {
    step_type: (given["field"], given["value"], given["recorded"])
    for step_type, given in documented("given").items()
}

#: Steps whose jobs the pipeline names (the AWS page: default or prefix naming applies).
PIPELINE_NAMED = tuple(s for s, by in documented("named_by").items() if by == "pipeline")

#: Steps that create resources whose names the user chooses.
USER_NAMED = tuple(s for s, by in documented("named_by").items() if by == "user")



# --- step types ---------------------------------------------------------------------------


def test_strings_and_members_are_both_accepted() -> None:
    """GIVEN step types as strings and members, with a repeat WHEN gathered THEN each once."""
    requirements, problems = from_step_types(["Processing", StepType.TRAINING, "Processing"])

    assert problems == []
    assert requirements.step_types == {StepType.PROCESSING, StepType.TRAINING}


@pytest.mark.parametrize("bad", ["processing", "Trainig", "NotebookJob"])
def test_unknown_step_type_is_a_problem(bad: str) -> None:
    """GIVEN one unknown step type among valid ones WHEN gathered THEN one problem names it
    under step_types, and the valid ones are kept."""
    requirements, problems = from_step_types(["Processing", bad])

    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == ("step_types", "unknownStepType")
    assert problems[0].message.startswith(
        f"step_types: {bad!r} is not a SageMaker Pipelines step type: use one of Processing"
    )
    assert requirements.step_types == {StepType.PROCESSING}


def test_empty_step_types_is_a_problem() -> None:
    """GIVEN no step types WHEN gathered THEN the problem asks to name them."""
    requirements, problems = from_step_types([])

    assert problems == [Problem(
        "step_types",
        "empty",
        "step_types is empty: name the step types the pipeline runs (e.g. ['Processing', "
        "'Training'])",
    )]
    assert requirements.step_types == frozenset()


def test_only_unknown_step_types_do_not_add_the_empty_problem() -> None:
    """GIVEN only unknown step types WHEN gathered THEN each is a problem, 'empty' is not."""
    _, problems = from_step_types(["foo", "bar"])

    assert [problem.code for problem in problems] == ["unknownStepType", "unknownStepType"]
    assert not any("is empty" in problem.message for problem in problems)


# --- the job prefix -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "steps", "code", "fragment"),
    [
        ("team_a", ["Processing"], "invalidJobNamePrefix", "is not a valid job-name prefix"),
        ("team-*", ["Processing"], "wildcard", "contains a wildcard"),
        ("", ["Processing"], "invalidJobNamePrefix", "is not a valid job-name prefix"),
        ("a" * 39, ["Training"], "prefixTooLong", "longer than the 38 that Training steps allow"),
        ("abcdefg", ["Training", "Tuning"], "prefixTooLong",
         "longer than the 6 that Tuning steps allow"),
    ],
)
def test_prefix_problems_are_reported(
    prefix: str, steps: list[str], code: str, fragment: str
) -> None:
    """GIVEN a bad job_prefix WHEN gathered THEN its problem is reported under job_prefix."""
    _, problems = from_step_types(steps, job_prefix=prefix)

    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == ("job_prefix", code)
    assert problems[0].message.startswith("job_prefix ")
    assert fragment in problems[0].message


def test_token_prefix_is_not_validated_nor_case_folded() -> None:
    """GIVEN a CDK token as job_prefix and validate_prefix=False WHEN gathered THEN no
    problem, and the token is used as-is in the patterns."""
    token = "${Token[TOKEN.123]}"

    requirements, problems = from_step_types(["Training"], job_prefix=token, validate_prefix=False)

    assert problems == []
    assert requirements.name_patterns[StepType.TRAINING][0] == f"{token}-*"


# --- name patterns and notices ------------------------------------------------------------


@pytest.mark.parametrize("step_type", PIPELINE_NAMED, ids=step_id)
def test_pipeline_named_steps_use_default_naming_without_prefix(step_type: StepType) -> None:
    """GIVEN a pipeline-named step and no prefix WHEN gathered THEN 'pipelines-*', no notice."""
    requirements, problems = from_step_types([step_type])

    assert problems == []
    assert requirements.name_patterns == {step_type: ("pipelines-*",)}
    assert requirements.notices == ()


@pytest.mark.parametrize("step_type", PIPELINE_NAMED + USER_NAMED, ids=step_id)
def test_prefix_scopes_every_name_scoped_step(step_type: StepType) -> None:
    """GIVEN a lower-case prefix WHEN gathered THEN the step's names match '<prefix>-*' only."""
    requirements, problems = from_step_types([step_type], job_prefix="team")

    assert problems == []
    assert requirements.name_patterns == {step_type: ("team-*",)}
    # (The SDK caveat for steps that drop the prefix is tested on its own, below.)
    assert [n for n in requirements.notices if n.id != SDK_IGNORES_PREFIX] == []


@pytest.mark.parametrize("step_type", USER_NAMED, ids=step_id)
def test_user_named_steps_without_prefix_get_a_notice(step_type: StepType) -> None:
    """GIVEN a step whose resources the user names and no prefix WHEN gathered THEN its
    names are unscoped ('*') and a notice with a stable id names the step."""
    requirements, _ = from_step_types([step_type, StepType.PROCESSING])

    assert requirements.name_patterns[step_type] == ("*",)
    assert [notice.id for notice in requirements.notices] == [UNSCOPED_USER_NAMES]
    assert requirements.notices[0].message.startswith(f"{step_type.value} steps create")
    assert "job_prefix" in requirements.notices[0].message


def test_unscoped_notice_lists_all_user_named_steps_once() -> None:
    """GIVEN two user-named steps WHEN gathered THEN one notice lists both, sorted."""
    requirements, _ = from_step_types(["EndpointConfig", "Endpoint"])

    assert len(requirements.notices) == 1
    assert requirements.notices[0].id == "sm-pipeline-iam:unscopedResourceNames"
    assert requirements.notices[0].message.startswith("Endpoint, EndpointConfig steps create")


def test_mixed_case_prefix_allows_both_spellings_and_warns() -> None:
    """GIVEN a mixed-case prefix WHEN gathered THEN both spellings are allowed (AWS page,
    UNCONFIRMED) and a notice with the stable id says so."""
    requirements, problems = from_step_types(["Training"], job_prefix="TeamA")

    assert problems == []
    assert requirements.name_patterns[StepType.TRAINING] == ("TeamA-*", "teama-*")
    assert [n.id for n in requirements.notices if n.id != SDK_IGNORES_PREFIX] == [
        MIXED_CASE_PREFIX
    ]
    assert MIXED_CASE_PREFIX == "sm-pipeline-iam:mixedCaseJobPrefix"
    assert "'TeamA-*' and 'teama-*'" in requirements.notices[0].message


def _given(step_type: StepType | str, **fields: list[str]) -> GivenResources:
    """GivenResources with ``fields``, plus the runtime role an EMRServerless step needs."""
    if StepType.parse(step_type) is StepType.EMR_SERVERLESS:
        fields["emr_serverless_role_arns"] = [SERVERLESS_ROLE]
    return GivenResources(**fields)  # type: ignore[arg-type]


SERVERLESS_ROLE = "arn:aws:iam::111122223333:role/EmrServerlessJobRole"


@pytest.mark.parametrize("step_type", list(INTEGRATION), ids=step_id)
def test_integration_steps_have_no_name_patterns(step_type: StepType) -> None:
    """GIVEN an integration step WHEN gathered THEN no name pattern is recorded for it."""
    field, value, _ = INTEGRATION[step_type]

    requirements, problems = from_step_types(
        [step_type], job_prefix="team", resources=_given(step_type, **{field: [value]})
    )

    assert problems == []
    assert requirements.name_patterns == {}


# --- integration resources ----------------------------------------------------------------


@pytest.mark.parametrize("step_type", list(INTEGRATION), ids=step_id)
def test_missing_integration_resources_are_a_problem(step_type: StepType) -> None:
    """GIVEN an integration step and none of its resources WHEN gathered THEN the problem
    names the field and the step, so the grant never falls back to '*'."""
    field, _, _ = INTEGRATION[step_type]

    requirements, problems = from_step_types([step_type], resources=_given(step_type))

    assert problems == [Problem(
        field,
        "empty",
        f"{field} is empty but step types {step_type.value} need it: name the resources "
        "those steps use, so that they are not granted on '*'",
    )]
    assert requirements.given == {}


@pytest.mark.parametrize("step_type", list(INTEGRATION), ids=step_id)
def test_given_integration_resources_are_recorded(step_type: StepType) -> None:
    """GIVEN an integration step and its resources (with a repeat) WHEN gathered THEN they are
    recorded once under the step's binding."""
    field, value, recorded = INTEGRATION[step_type]

    requirements, problems = from_step_types(
        [step_type], resources=_given(step_type, **{field: [value, value]})
    )

    assert problems == []
    assert requirements.given == {Binding(field): (recorded,)}
    assert requirements.given_values(Binding(field)) == (recorded,)


@pytest.mark.parametrize("step_type", list(INTEGRATION), ids=step_id)
def test_resources_for_no_chosen_step_are_a_problem(step_type: StepType) -> None:
    """GIVEN resources for a step type that is not chosen WHEN gathered THEN a problem asks to
    remove them, and they are not recorded."""
    field, value, _ = INTEGRATION[step_type]

    requirements, problems = from_step_types(
        ["Processing"], resources=GivenResources(**{field: [value]})
    )

    assert problems == [Problem(
        field,
        "unused",
        f"{field} is given but no chosen step type uses it: remove it or add the step type "
        "that does",
    )]
    assert requirements.given == {}


def test_given_values_are_sorted() -> None:
    """GIVEN two function ARNs out of order WHEN gathered THEN they are recorded sorted."""
    second = "arn:aws:lambda:us-east-1:111122223333:function:a-fn"

    requirements, _ = from_step_types(
        ["Lambda"], resources=GivenResources(lambda_function_arns=[LAMBDA_ARN, second])
    )

    assert requirements.given_values(Binding.LAMBDA_FUNCTIONS) == (second, LAMBDA_ARN)
    assert requirements.given_values(Binding.CALLBACK_QUEUES) == ()


def test_bad_cleanup_location_is_a_problem() -> None:
    """GIVEN a cleanup location with a wildcard WHEN gathered THEN the problem names
    cleanup_locations and only the good location is recorded."""
    requirements, problems = from_step_types(
        ["Cleanup"], resources=GivenResources(cleanup_locations=["s3://bkt1/*", "s3://bkt2/tmp/"])
    )

    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == ("cleanup_locations", "wildcard")
    assert problems[0].message.startswith("cleanup_locations 's3://bkt1/*' contains a wildcard")
    assert requirements.given_values(Binding.CLEANUP_OBJECTS) == ("bkt2/tmp/*",)


# --- JsonGet locations --------------------------------------------------------------------


def test_json_get_locations_are_parsed_deduplicated_and_sorted() -> None:
    """GIVEN JsonGet folders, one twice in two spellings WHEN gathered THEN each folder's
    objects are recorded once, sorted."""
    requirements, problems = from_step_types(
        ["Condition"],
        json_get_locations=["s3://zeta/eval", "s3://alpha/reports/", "s3://zeta/eval/"],
    )

    assert problems == []
    assert requirements.json_get_objects == (
        S3ObjectPattern("alpha", "reports/*"),
        S3ObjectPattern("zeta", "eval/*"),
    )


def test_bad_json_get_location_is_a_problem() -> None:
    """GIVEN a JsonGet location that is not an S3 URI WHEN gathered THEN the problem names
    json_get_locations."""
    requirements, problems = from_step_types(["Condition"], json_get_locations=["bucket/key"])

    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == ("json_get_locations", "notAnS3Uri")
    assert problems[0].message.startswith("json_get_locations 'bucket/key' is not an S3 URI")
    assert requirements.json_get_objects == ()


# --- pass roles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "step_type",
    [
        StepType.TRAINING,
        StepType.PROCESSING,
        StepType.CLARIFY_CHECK,
        StepType.QUALITY_CHECK,
        StepType.TUNING,
        StepType.AUTOML,
        StepType.MODEL,
    ],
    ids=step_id,
)
def test_steps_that_pass_a_role_to_sagemaker_get_pass_roles(step_type: StepType) -> None:
    """GIVEN a step that hands a role to SageMaker WHEN gathered with step roles THEN each
    role may be passed to sagemaker.amazonaws.com."""
    requirements, _ = from_step_types([step_type], step_role_arns=[ROLE, OTHER_ROLE, ROLE])

    assert requirements.pass_roles == {
        PassRoleTarget(ROLE, SAGEMAKER),
        PassRoleTarget(OTHER_ROLE, SAGEMAKER),
    }


@pytest.mark.parametrize(
    "steps",
    [["Transform"], ["RegisterModel"], ["Transform", "Condition", "Fail"]],
    ids=lambda steps: "+".join(steps),
)
def test_no_pass_roles_when_no_step_passes_one_to_sagemaker(steps: list[str]) -> None:
    """GIVEN only steps that hand SageMaker no role (Transform runs as the model's role)
    WHEN gathered with step roles THEN no role may be passed."""
    requirements, _ = from_step_types(steps, step_role_arns=[ROLE])

    assert requirements.pass_roles == frozenset()


def test_transform_with_training_passes_roles() -> None:
    """GIVEN Transform and Training WHEN gathered with a step role THEN Training's need wins."""
    requirements, _ = from_step_types(["Transform", "Training"], step_role_arns=[ROLE])

    assert requirements.pass_roles == {PassRoleTarget(ROLE, SAGEMAKER)}


def test_no_step_roles_means_no_pass_roles() -> None:
    """GIVEN Training but no step roles WHEN gathered THEN there is nothing to pass."""
    requirements, _ = from_step_types(["Training"])

    assert requirements.pass_roles == frozenset()


@pytest.mark.parametrize(
    ("field", "step_type", "value", "code", "form"),
    [
        ("lambda_function_arns", "Lambda", "*", "notAnArn", "a function ARN"),
        ("lambda_function_arns", "Lambda", "arn:aws:lambda:us-east-1:111122223333:function:*",
         "notAnArn", "a function ARN"),
        ("callback_queue_arns", "Callback", "arn:aws:sqs:us-east-1:111122223333:*", "notAnArn",
         "a queue ARN"),
        ("emr_cluster_ids", "EMR", "j-*", "notAClusterId", "a cluster id"),
        ("emr_serverless_application_ids", "EMRServerless", "*", "notAnApplicationId",
         "an application id"),
    ],
)
def test_given_resources_must_name_one_resource(
    field: str, step_type: str, value: str, code: str, form: str
) -> None:
    """GIVEN a wildcard where one resource belongs WHEN gathered THEN a problem names the form."""
    _, problems = from_step_types([step_type], resources=_given(step_type, **{field: [value]}))
    (problem,) = problems
    assert (problem.prop, problem.code) == (field, code)
    assert problem.message.startswith(f"{field} {value!r} is not {form}")


def test_given_resources_that_are_tokens_pass_unchecked() -> None:
    """GIVEN a CDK token as a function ARN WHEN gathered THEN no problem (resolved later)."""
    _, problems = from_step_types(
        ["Lambda"], resources=GivenResources(lambda_function_arns=["${Token[TOKEN.12]}"])
    )
    assert problems == []


@pytest.mark.parametrize(
    ("step_type", "field", "service"),
    [(StepType.EMR, "emr_role_arns", "elasticmapreduce.amazonaws.com"),
     (StepType.EMR_SERVERLESS, "emr_serverless_role_arns", "emr-serverless.amazonaws.com")],
    ids=step_id,
)
def test_integration_runtime_roles_are_passed_to_their_service_only(
    step_type: StepType, field: str, service: str
) -> None:
    """GIVEN an EMR or EMRServerless step with its runtime role WHEN gathered from step types
    THEN the role may be passed to that step's service, and to nothing else."""
    binding, value, _ = INTEGRATION[step_type]
    requirements, problems = from_step_types(
        [step_type], resources=GivenResources(**{binding: [value], field: [SERVERLESS_ROLE]})
    )
    assert problems == []
    assert requirements.pass_roles == {PassRoleTarget(SERVERLESS_ROLE, service)}


def test_an_emr_serverless_step_without_its_runtime_role_is_a_problem() -> None:
    """GIVEN an EMRServerless step without emr_serverless_role_arns WHEN gathered THEN the
    problem says the step needs its runtime role (PassRole would be missing)."""
    field, value, _ = INTEGRATION[StepType.EMR_SERVERLESS]
    _, problems = from_step_types(
        [StepType.EMR_SERVERLESS], resources=GivenResources(**{field: [value]})
    )
    assert [(p.prop, p.code) for p in problems] == [("emr_serverless_role_arns", "empty")]


def test_runtime_roles_must_be_role_arns_and_for_a_chosen_step() -> None:
    """GIVEN a wildcard role and a role for an unchosen step WHEN gathered THEN one problem
    each."""
    _, problems = from_step_types(
        [StepType.EMR], resources=GivenResources(
            emr_cluster_ids=["j-ABC123"], emr_role_arns=["arn:aws:iam::111122223333:role/*"],
            emr_serverless_role_arns=[SERVERLESS_ROLE]),
    )
    assert sorted((p.prop, p.code) for p in problems) == [
        ("emr_role_arns", "notAnArn"), ("emr_serverless_role_arns", "unused"),
    ]


def test_a_prefix_on_steps_the_sdk_does_not_prefix_warns() -> None:
    """GIVEN job_prefix with Training and Processing WHEN gathered from step types (as
    PipelineExecutionRole does) THEN one sdkIgnoresJobPrefix warning, for Training only; none
    without a prefix."""
    requirements, _ = from_step_types(["Training", "Processing"], job_prefix="fraud")
    caveats = [n for n in requirements.notices if n.id == SDK_IGNORES_PREFIX]
    assert [n.message.split(" ")[0] for n in caveats] == ["Training"]
    unprefixed, _ = from_step_types(["Training"])
    assert not [n for n in unprefixed.notices if n.id == SDK_IGNORES_PREFIX]
