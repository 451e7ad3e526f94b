"""Requirements -> policy statements: determinism, merging, scoping, sizing and splitting.

Expected values come from the AWS documentation: the page "IAM Access Management" for
Pipelines (PassRole carries ``iam:PassedToService``; JsonGet needs ``s3:GetObject``; the
example ``arn:aws:sagemaker:region:account-id:*/MyBaseJobName-*``), the Service
Authorization Reference (only ``ListCandidatesForAutoMLJob`` has no resource type) and
the IAM quotas page (identity policies: 6,144 / 10,240 characters, whitespace not counted).
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from sm_pipeline_iam.core.catalog.schema import StepType
from sm_pipeline_iam.core.execution_role.policy import (
    INLINE_POLICIES_LIMIT,
    MANAGED_POLICY_LIMIT,
    PLACEHOLDERS,
    ArnEnvironment,
    Statement,
    build_statements,
    pack_statements,
    policy_document,
    policy_size,
)
from sm_pipeline_iam.core.execution_role.requirements import (
    GivenResources,
    PipelineRequirements,
    from_step_types,
)
from support.samples import GIVEN_RESOURCES, step_id
from support.step_types import documented

SAGEMAKER = "sagemaker.amazonaws.com"
ROLE = "arn:aws:iam::111122223333:role/step-role"
ENV = ArnEnvironment("aws", "us-east-1", "111122223333")

#: Realistic values for every integration step, so that every step type can be built.
ALL_RESOURCES = GIVEN_RESOURCES
_NEEDS = {step_type: given["field"] for step_type, given in documented("given").items()}



def _requirements(step_types: list[StepType] | list[str], **kwargs: object) -> PipelineRequirements:
    """Requirements that must be valid: the test fails on any problem."""
    requirements, problems = from_step_types(step_types, **kwargs)  # type: ignore[arg-type]
    assert problems == []
    return requirements


def _resources_for(step_types: list[StepType]) -> GivenResources:
    fields = {_NEEDS[s] for s in step_types if s in _NEEDS}
    if StepType.EMR_SERVERLESS in step_types:
        fields.add("emr_serverless_role_arns")  # the step requires its runtime role
    return GivenResources(**{field: getattr(ALL_RESOURCES, field) for field in fields})


def _find(statements: list[Statement], action: str) -> list[Statement]:
    return [statement for statement in statements if action in statement.actions]


# --- determinism --------------------------------------------------------------------------


def test_same_input_gives_the_same_statements() -> None:
    """GIVEN one requirements object WHEN built twice THEN the statements are equal."""
    requirements = _requirements(
        list(StepType), job_prefix="team", step_role_arns=[ROLE], resources=ALL_RESOURCES
    )

    first = build_statements(requirements)
    second = build_statements(requirements)

    assert first == second
    assert json.dumps(policy_document(first)) == json.dumps(policy_document(second))


def test_order_of_step_types_and_inputs_is_irrelevant() -> None:
    """GIVEN the same step types, roles and folders in two orders WHEN built THEN the policy
    documents are identical."""
    steps = ["Training", "Processing", "Lambda", "Model", "AutoML", "Endpoint"]
    roles = [ROLE, "arn:aws:iam::111122223333:role/another"]
    folders = ["s3://bucket/b", "s3://bucket/a"]
    functions = [
        "arn:aws:lambda:us-east-1:111122223333:function:b",
        "arn:aws:lambda:us-east-1:111122223333:function:a",
    ]

    forward = _requirements(
        steps,
        job_prefix="team",
        step_role_arns=roles,
        json_get_locations=folders,
        resources=GivenResources(lambda_function_arns=functions),
    )
    backward = _requirements(
        list(reversed(steps)),
        job_prefix="team",
        step_role_arns=list(reversed(roles)),
        json_get_locations=list(reversed(folders)),
        resources=GivenResources(lambda_function_arns=list(reversed(functions))),
    )

    assert policy_document(build_statements(forward)) == policy_document(build_statements(backward))


def test_statements_are_sorted_and_their_lists_too() -> None:
    """GIVEN many step types WHEN built THEN statements are ordered by sid and each one's
    actions and resources are sorted, for stable diffs."""
    statements = build_statements(
        _requirements(list(StepType), step_role_arns=[ROLE], resources=ALL_RESOURCES)
    )

    assert [s.sid for s in statements] == sorted(s.sid for s in statements)
    for statement in statements:
        assert list(statement.actions) == sorted(statement.actions)
        assert list(statement.resources) == sorted(statement.resources)


# --- merging ------------------------------------------------------------------------------


def test_processing_and_clarify_check_share_one_statement() -> None:
    """GIVEN Processing, ClarifyCheck and QualityCheck (all processing jobs) WHEN built THEN
    one ProcessingJobs statement covers them."""
    statements = build_statements(
        _requirements(["Processing", "ClarifyCheck", "QualityCheck"], job_prefix="team")
    )

    assert len(statements) == 1
    (statement,) = statements
    assert statement.sid == "ProcessingJobs"
    assert set(statement.actions) == {
        "sagemaker:AddTags",
        "sagemaker:CreateProcessingJob",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:StopProcessingJob",
    }
    assert statement.resources == (
        "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:processing-job/team-*",
    )


def test_different_resources_are_never_merged() -> None:
    """GIVEN Training and Processing WHEN built THEN their actions stay apart: training
    actions never reach processing jobs."""
    statements = build_statements(_requirements(["Training", "Processing"], job_prefix="team"))

    (training,) = _find(statements, "sagemaker:CreateTrainingJob")
    (processing,) = _find(statements, "sagemaker:CreateProcessingJob")
    assert training is not processing
    assert "sagemaker:CreateProcessingJob" not in training.actions
    assert all("training-job/" in resource for resource in training.resources)
    assert all("processing-job/" in resource for resource in processing.resources)


def test_groups_on_identical_resources_merge_across_steps() -> None:
    """GIVEN Endpoint and InferenceComponent (both act on endpoints) WHEN built THEN one
    statement on the endpoint ARNs holds both steps' endpoint actions."""
    statements = build_statements(
        _requirements(["Endpoint", "InferenceComponent"], job_prefix="team")
    )
    endpoint_arn = (
        "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:endpoint/team-*"
    )

    on_endpoints = [s for s in statements if s.resources == (endpoint_arn,)]

    assert len(on_endpoints) == 1
    assert {"sagemaker:CreateEndpoint", "sagemaker:CreateInferenceComponent"} <= set(
        on_endpoints[0].actions
    )


def test_no_two_statements_have_the_same_resources_and_condition() -> None:
    """GIVEN every step type WHEN built THEN statements that could merge did merge."""
    statements = build_statements(
        _requirements(
            list(StepType), job_prefix="team", step_role_arns=[ROLE], resources=ALL_RESOURCES
        )
    )

    keys = Counter((s.resources, s.condition) for s in statements)
    assert max(keys.values()) == 1


# --- statement ids ------------------------------------------------------------------------


@pytest.mark.parametrize("job_prefix", [None, "team", "Team"])
def test_sids_are_unique_and_alphanumeric(job_prefix: str | None) -> None:
    """GIVEN every step type WHEN built THEN each Sid is unique and [A-Za-z0-9]+ (IAM)."""
    statements = build_statements(
        _requirements(
            list(StepType),
            job_prefix=job_prefix,
            step_role_arns=[ROLE],
            json_get_locations=["s3://bucket/prefix"],
            resources=ALL_RESOURCES,
        )
    )

    sids = [s.sid for s in statements]
    assert len(sids) == len(set(sids))
    assert all(re.fullmatch(r"[A-Za-z0-9]+", sid) for sid in sids)


def test_one_label_with_different_resources_gets_distinct_sids() -> None:
    """GIVEN two processing-like steps scoped by different patterns WHEN built THEN two
    ProcessingJobs statements exist, each with its own Sid and resources."""
    requirements = PipelineRequirements(
        step_types=frozenset({StepType.PROCESSING, StepType.CLARIFY_CHECK}),
        name_patterns={StepType.PROCESSING: ("a-*",), StepType.CLARIFY_CHECK: ("b-*",)},
    )

    statements = build_statements(requirements, ENV)

    assert len(statements) == 2
    assert len({s.sid for s in statements}) == 2
    assert all(s.sid.startswith("ProcessingJobs") for s in statements)
    assert {s.resources for s in statements} == {
        ("arn:aws:sagemaker:us-east-1:111122223333:processing-job/a-*",),
        ("arn:aws:sagemaker:us-east-1:111122223333:processing-job/b-*",),
    }


# --- PassRole and JsonGet -----------------------------------------------------------------


def test_pass_role_statement_is_conditioned_on_the_service() -> None:
    """GIVEN Training and two step roles WHEN built THEN iam:PassRole on exactly those roles,
    with StringEquals iam:PassedToService = sagemaker.amazonaws.com (AWS page "IAM Access
    Management")."""
    other = "arn:aws:iam::111122223333:role/a-role"
    statements = build_statements(_requirements(["Training"], step_role_arns=[ROLE, other]))

    (pass_role,) = _find(statements, "iam:PassRole")
    document = pass_role.to_json()

    assert document["Effect"] == "Allow"
    assert document["Action"] == ["iam:PassRole"]
    assert document["Resource"] == [other, ROLE]
    assert document["Condition"] == {"StringEquals": {"iam:PassedToService": SAGEMAKER}}
    assert all("Condition" not in s.to_json() for s in statements if s is not pass_role)


def test_no_pass_role_statement_without_roles_to_pass() -> None:
    """GIVEN Transform only and a step role WHEN built THEN no iam:PassRole at all."""
    statements = build_statements(_requirements(["Transform"], step_role_arns=[ROLE]))

    assert _find(statements, "iam:PassRole") == []


@pytest.mark.parametrize(
    ("env", "arn"),
    [
        (PLACEHOLDERS, "arn:${AWS::Partition}:s3:::bucket/prefix/*"),
        (ENV, "arn:aws:s3:::bucket/prefix/*"),
        (ArnEnvironment("aws-cn", "cn-north-1", "111122223333"), "arn:aws-cn:s3:::bucket/prefix/*"),
    ],
)
def test_json_get_reads_objects_under_the_folder(env: ArnEnvironment, arn: str) -> None:
    """GIVEN a JsonGet folder WHEN built THEN s3:GetObject on the objects under it only."""
    statements = build_statements(
        _requirements(["Condition"], json_get_locations=["s3://bucket/prefix"]), env
    )

    assert [s.to_json() for s in statements] == [
        {
            "Sid": "JsonGetReads",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [arn],
        }
    ]


def test_control_flow_steps_alone_need_no_statement() -> None:
    """GIVEN Condition, Fail and ForEach without JsonGet WHEN built THEN no statement."""
    assert build_statements(_requirements(["Condition", "Fail", "ForEach"])) == []


# --- scoping ------------------------------------------------------------------------------


@pytest.mark.parametrize("job_prefix", [None, "team"])
@pytest.mark.parametrize("step_type", list(StepType), ids=step_id)
def test_no_bare_star_resource_except_automl_candidates(
    step_type: StepType, job_prefix: str | None
) -> None:
    """GIVEN any step type WHEN built THEN no statement is on '*' except the AutoML
    ListCandidatesForAutoMLJob one (IAM gives that action no resource type)."""
    statements = build_statements(
        _requirements(
            [step_type],
            job_prefix=job_prefix,
            step_role_arns=[ROLE],
            resources=_resources_for([step_type]),
        ),
        ENV,
    )

    for statement in statements:
        if statement.actions == ("sagemaker:ListCandidatesForAutoMLJob",):
            assert step_type is StepType.AUTOML
            assert statement.resources == ("*",)
        else:
            assert "*" not in statement.resources, statement
            assert all(r.startswith("arn:aws:") for r in statement.resources), statement


def test_prefix_scopes_job_arns_like_the_aws_example() -> None:
    """GIVEN job_prefix 'MyBaseJobName' WHEN built THEN CreateTrainingJob is on
    training-job/MyBaseJobName-* (the AWS page's example), plus the lower-case spelling."""
    statements = build_statements(_requirements(["Training"], job_prefix="MyBaseJobName"), ENV)

    (training,) = _find(statements, "sagemaker:CreateTrainingJob")
    assert training.resources == (
        "arn:aws:sagemaker:us-east-1:111122223333:training-job/MyBaseJobName-*",
        "arn:aws:sagemaker:us-east-1:111122223333:training-job/mybasejobname-*",
    )


def test_default_naming_scopes_to_pipelines_jobs() -> None:
    """GIVEN no prefix WHEN built THEN job actions are on '<type>/pipelines-*'."""
    statements = build_statements(_requirements(["Tuning"]), ENV)

    (tuning,) = _find(statements, "sagemaker:CreateHyperParameterTuningJob")
    assert tuning.resources == (
        "arn:aws:sagemaker:us-east-1:111122223333:hyper-parameter-tuning-job/pipelines-*",
    )


@pytest.mark.parametrize(
    ("step_type", "action", "resources"),
    [
        (
            StepType.LAMBDA,
            "lambda:InvokeFunction",
            ("arn:aws:lambda:us-east-1:111122223333:function:fn",),
        ),
        (StepType.CALLBACK, "sqs:SendMessage", ("arn:aws:sqs:us-east-1:111122223333:q",)),
        (
            StepType.EMR,
            "elasticmapreduce:AddJobFlowSteps",
            ("arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/j-ABC123",),
        ),
        (
            StepType.EMR,
            "events:PutRule",
            (
                "arn:aws:events:us-east-1:111122223333:rule/"
                "SageMakerPipelineExecutionEMRClusterStatusUpdateRule",
                "arn:aws:events:us-east-1:111122223333:rule/"
                "SageMakerPipelineExecutionEMRStepStatusUpdateRule",
            ),
        ),
        (
            StepType.EMR_SERVERLESS,
            "emr-serverless:StartJobRun",
            ("arn:aws:emr-serverless:us-east-1:111122223333:/applications/00abc",),
        ),
        (StepType.CLEANUP, "s3:DeleteObject", ("arn:aws:s3:::bucket/tmp/*",)),
    ],
    ids=step_id,
)
def test_integration_steps_act_on_the_given_resources(
    step_type: StepType, action: str, resources: tuple[str, ...]
) -> None:
    """GIVEN an integration step and its resources WHEN built THEN its action is on exactly
    those resources' ARNs."""
    statements = build_statements(
        _requirements([step_type], resources=_resources_for([step_type])), ENV
    )

    (statement,) = _find(statements, action)
    assert statement.resources == resources


# --- sizing -------------------------------------------------------------------------------


def test_limits_are_the_iam_quotas() -> None:
    """GIVEN the IAM quotas page WHEN reading the limits THEN 6,144 managed and 10,240 inline."""
    assert (MANAGED_POLICY_LIMIT, INLINE_POLICIES_LIMIT) == (6_144, 10_240)


def test_policy_size_counts_without_whitespace() -> None:
    """GIVEN a statement without placeholders WHEN sized THEN the size is the document's
    length with all whitespace removed."""
    statement = Statement("S", ("s3:GetObject",), ("arn:aws:s3:::b/*",))
    expected = (
        '{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow",'
        '"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"]}]}'
    )
    pretty = json.dumps(policy_document([statement]), indent=4)

    assert policy_size([statement]) == len(expected)
    assert policy_size([statement]) == len(re.sub(r"\s", "", pretty))
    assert len(pretty) > len(expected)


def test_policy_size_renders_the_longest_partition_and_account() -> None:
    """GIVEN a partition and account placeholder WHEN sized THEN they count as 'aws-us-gov'
    (the longest partition) and 12 digits."""
    with_placeholders = Statement(
        "S", ("iam:PassRole",), ("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/r",)
    )
    concrete = Statement("S", ("iam:PassRole",), ("arn:aws-us-gov:iam::111122223333:role/r",))

    assert policy_size([with_placeholders]) == policy_size([concrete])
    assert policy_size([with_placeholders], render=lambda text: text) > policy_size([concrete])


@pytest.mark.parametrize(
    "region",
    ["us-east-1", "ap-southeast-5", "ap-northeast-3", "us-gov-west-1", "cn-northwest-1",
     "us-isob-east-1", "eu-central-2"],
)  # fmt: skip
def test_region_placeholder_is_sized_as_a_long_region(region: str) -> None:
    """GIVEN an ARN with the region placeholder WHEN sized THEN it counts at least as many
    characters as a real region name."""
    with_placeholder = Statement("S", ("a:B",), ("arn:aws:sagemaker:${AWS::Region}:1:model/x",))
    concrete = Statement("S", ("a:B",), (f"arn:aws:sagemaker:{region}:1:model/x",))

    assert policy_size([with_placeholder]) >= policy_size([concrete])


@pytest.mark.parametrize(
    "env",
    [
        ArnEnvironment("aws", "us-east-1", "111122223333"),
        ArnEnvironment("aws", "ap-southeast-5", "111122223333"),
        ArnEnvironment("aws", "ap-northeast-3", "111122223333"),
        ArnEnvironment("aws-us-gov", "us-gov-west-1", "111122223333"),
        ArnEnvironment("aws-cn", "cn-northwest-1", "111122223333"),
        ArnEnvironment("aws-iso-b", "us-isob-east-1", "111122223333"),
    ],
    ids=lambda env: f"{env.partition}/{env.region}",
)
def test_placeholder_size_bounds_every_real_environment(env: ArnEnvironment) -> None:
    """GIVEN every step type WHEN sized with placeholders and in a real partition/region
    THEN the placeholder size is an upper bound."""
    requirements = _requirements(
        list(StepType), job_prefix="team", step_role_arns=[ROLE], resources=ALL_RESOURCES
    )

    bound = policy_size(build_statements(requirements))
    real = policy_size(build_statements(requirements, env), render=lambda text: text)

    assert real <= bound


# --- packing ------------------------------------------------------------------------------


def _pass_role_statement(count: int) -> Statement:
    role = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/step-role-"
    roles = tuple(f"{role}{index:03d}" for index in range(count))
    return Statement(
        "PassRoleToSagemaker",
        ("iam:PassRole",),
        roles,
        (("StringEquals", "iam:PassedToService", SAGEMAKER),),
    )


def test_many_role_arns_are_split_under_the_limit() -> None:
    """GIVEN a PassRole statement on 300 roles (too big for one managed policy) WHEN packed
    THEN each document fits, every role appears exactly once, in order, and every part keeps
    the action, the condition and a unique Sid."""
    statement = _pass_role_statement(300)
    assert policy_size([statement]) > MANAGED_POLICY_LIMIT

    documents = pack_statements([statement], MANAGED_POLICY_LIMIT)

    assert len(documents) > 1
    parts = [part for document in documents for part in document]
    for document in documents:
        assert policy_size(document) <= MANAGED_POLICY_LIMIT
    assert [r for part in parts for r in part.resources] == list(statement.resources)
    assert all(part.actions == statement.actions for part in parts)
    assert all(part.condition == statement.condition for part in parts)
    sids = [part.sid for part in parts]
    assert len(set(sids)) == len(sids)
    assert all(sid.startswith("PassRoleToSagemaker") for sid in sids)


def test_small_statements_share_one_document_in_order() -> None:
    """GIVEN statements that fit together WHEN packed THEN one document, unchanged, in order."""
    statements = build_statements(
        _requirements(["Training", "Processing", "Model"], step_role_arns=[ROLE])
    )

    documents = pack_statements(statements, MANAGED_POLICY_LIMIT)

    assert documents == [statements]


def test_statements_fill_documents_in_order() -> None:
    """GIVEN statements whose sizes force several documents WHEN packed THEN each document
    fits and the statements keep their order."""
    statements = build_statements(
        _requirements(list(StepType), step_role_arns=[ROLE], resources=ALL_RESOURCES)
    )
    limit = policy_size(statements) // 3

    documents = pack_statements(statements, limit)

    assert len(documents) >= 3
    assert all(policy_size(document) <= limit for document in documents)
    flat = [s for document in documents for s in document]
    assert [r for s in flat for r in s.resources] == [r for s in statements for r in s.resources]


def test_one_resource_too_big_for_the_limit_raises() -> None:
    """GIVEN a statement whose single resource alone exceeds the limit WHEN packed THEN a
    ValueError names the statement and the limit."""
    statement = Statement("Huge", ("s3:GetObject",), ("arn:aws:s3:::bucket/" + "k" * 500,))

    message = (
        r"statement Huge on arn:aws:s3:::bucket/k+ alone is \d+ characters, "
        r"over the 300-character policy limit"
    )
    with pytest.raises(ValueError, match=message):
        pack_statements([statement], 300)


def test_braces_in_a_json_get_key_go_into_the_arn_verbatim() -> None:
    """GIVEN a JsonGet key with braces WHEN statements are built THEN the key is kept as is."""
    from sm_pipeline_iam.core.execution_role import requirements as reqs
    built, problems = reqs.from_step_types(["Condition"], json_get_locations=["s3://bucket/a{b}/c"])
    assert problems == []
    statements = build_statements(built)
    assert statements[0].resources == ("arn:${AWS::Partition}:s3:::bucket/a{b}/c/*",)


def test_packing_refuses_a_statement_whose_one_resource_exceeds_the_limit_among_others() -> None:
    """GIVEN an oversized resource beside a small one WHEN packed THEN ValueError, never an
    oversized document."""
    big = Statement("Big", ("s3:GetObject",), ("arn:aws:s3:::b/" + "x" * 7000, "arn:aws:s3:::b/y"))
    with pytest.raises(ValueError, match=r"statement Big on arn:aws:s3:::b/x+ alone is \d+"):
        pack_statements([big], 6144)
