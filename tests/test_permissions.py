"""Allow/deny tables: the synthesized execution roles, evaluated by a real IAM engine.

Each scenario's template is resolved (partition, region, account, role ARNs) and its
identity policies are evaluated by ``@cloud-copilot/iam-simulate``; one simulator call
per table. A request the engine could not really evaluate (unknown action, a resource
that does not fit the action, ignored context keys) fails the test.
"""

from __future__ import annotations

import pytest

from iamsim import Request
from sm_pipeline_iam.core.catalog.schema import ResourceScope, StepType
from sm_pipeline_iam.core.catalog.steps import CATALOG
from support.cfn import ACCOUNT, REGION, Resolver
from support.scenarios import JSON_GET_LOCATION, NAMED_STEP_TYPES, STEP_ROLE_ARN
from support.tables import (
    OTHER_ACCOUNT,
    PRINCIPAL,
    SAGEMAKER,
    assert_all,
    decide,
    named_requests,
    only_role_id,
    pass_role,
)


@pytest.mark.parametrize(
    ("scenario", "own_name"), [("custom_prefix", "fraud-x1-abc"), ("default_naming", None)]
)
def test_every_named_action_is_allowed_on_the_pipelines_own_names(
    resolvers: dict[str, Resolver], scenario: str, own_name: str | None
) -> None:
    """GIVEN a role for every job step type WHEN its jobs act on their own names THEN allowed."""
    requests = []
    for step_type in NAMED_STEP_TYPES:
        spec = CATALOG[step_type]
        user_named = any(
            g.scope is ResourceScope.USER_NAME and g.variant is None for g in spec.action_groups
        )
        # Default naming: pipeline-named jobs start with `pipelines-`; user-named
        # resources (endpoints, ...) are unscoped by name, so any name will do.
        name = own_name or ("my-endpoint-1" if user_named else "pipelines-x1-train-abc")
        requests += named_requests([step_type], name, "own")
    results = decide(resolvers[scenario], requests)
    assert len(results) == len(requests) > 50
    assert_all(results, "Allowed")


def test_automl_candidates_action_is_allowed_on_any_resource(
    resolvers: dict[str, Resolver],
) -> None:
    """GIVEN AutoML WHEN listing candidates (no resource type in IAM) THEN allowed on '*'."""
    request = Request(
        "candidates", PRINCIPAL, "sagemaker:ListCandidatesForAutoMLJob", "*"
    )
    assert_all(decide(resolvers["custom_prefix"], [request]), "Allowed")


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("other-x1-abc", {}),
        ("pipelines-x1-train-abc", {}),
        ("fraudster-x1-abc", {}),
        ("fraud-x1-abc", {"account": OTHER_ACCOUNT}),
        ("fraud-x1-abc", {"region": "eu-west-1"}),
    ],
    ids=["other-prefix", "default-prefix", "longer-prefix", "other-account", "other-region"],
)
def test_named_actions_are_denied_outside_the_prefix_account_and_region(
    resolvers: dict[str, Resolver], name: str, where: dict[str, str]
) -> None:
    """GIVEN prefix 'fraud' WHEN a job is named otherwise or lives elsewhere THEN denied."""
    requests = named_requests(NAMED_STEP_TYPES, name, "x", **where)
    # Another account's resources are asked by a principal of that account: the request is
    # then same-account, so only the policy's account in the ARN can deny it.
    results = decide(
        resolvers["custom_prefix"], requests, principal_account=where.get("account", ACCOUNT)
    )
    assert results
    assert_all(results, "ImplicitlyDenied")


def test_other_job_types_are_denied(resolvers: dict[str, Resolver]) -> None:
    """GIVEN a role for Processing and Training WHEN other step types act THEN denied."""
    others = [s for s in NAMED_STEP_TYPES if s not in (StepType.PROCESSING, StepType.TRAINING)
              and CATALOG[s].resource_type not in ("processing-job", "training-job")]
    requests = named_requests(others, "fraud-x1-abc", "other-type")
    assert len(requests) > 20
    assert_all(decide(resolvers["step_roles_json_get"], requests), "ImplicitlyDenied")


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("sagemaker:DeleteModel", f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/fraud-x"),
        ("sagemaker:CreatePipeline", f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/fraud-x"),
        ("sagemaker:CreateNotebookInstance",
         f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/fraud-x"),
        ("sagemaker:DeleteEndpoint", f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/fraud-x"),
        ("s3:PutObject", "arn:aws:s3:::ml-artifacts-111122223333/evaluation/x.json"),
        ("s3:DeleteObject", "arn:aws:s3:::ml-artifacts-111122223333/evaluation/x.json"),
        ("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/fraud-x"),
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/fraud-x"),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fraud-x"),
    ],
)
@pytest.mark.parametrize("scenario", ["custom_prefix", "step_roles_json_get"])
def test_actions_outside_the_catalog_are_denied(
    resolvers: dict[str, Resolver], scenario: str, action: str, resource: str
) -> None:
    """GIVEN any scenario WHEN an action outside the catalog is asked THEN denied."""
    request = Request("outside", PRINCIPAL, action, resource)
    assert_all(decide(resolvers[scenario], [request]), "ImplicitlyDenied")


def test_pass_role_only_for_step_roles_and_itself_to_sagemaker(
    resolvers: dict[str, Resolver],
) -> None:
    """GIVEN a step role WHEN roles are passed THEN only it and the role itself, to SageMaker."""
    resolver = resolvers["step_roles_json_get"]
    own_arn = resolver.role_arn(only_role_id(resolver))
    allowed = [pass_role(STEP_ROLE_ARN, SAGEMAKER), pass_role(own_arn, SAGEMAKER)]
    denied = [
        pass_role(STEP_ROLE_ARN, "ec2.amazonaws.com"),
        pass_role(STEP_ROLE_ARN, "lambda.amazonaws.com"),
        pass_role(own_arn, "lambda.amazonaws.com"),
        pass_role(f"arn:aws:iam::{ACCOUNT}:role/admin", SAGEMAKER),
        pass_role(f"{STEP_ROLE_ARN}-2", SAGEMAKER),
    ]
    assert_all(decide(resolver, allowed), "Allowed")
    assert_all(decide(resolver, denied), "ImplicitlyDenied")


def test_json_get_reads_only_inside_its_location(resolvers: dict[str, Resolver]) -> None:
    """GIVEN a JsonGet folder WHEN objects are read THEN inside allowed, outside denied."""
    bucket = JSON_GET_LOCATION.removeprefix("s3://").split("/")[0]

    def get(key: str, target: str = bucket) -> Request:
        return Request(f"get {target}/{key}", PRINCIPAL, "s3:GetObject",
                       f"arn:aws:s3:::{target}/{key}")

    resolver = resolvers["step_roles_json_get"]
    assert_all(
        decide(resolver, [get("evaluation/metrics.json"), get("evaluation/run/1/e.json")]),
        "Allowed",
    )
    assert_all(
        decide(resolver, [get("evaluation-old/metrics.json"), get("train/data.csv"),
                           get("evaluation/metrics.json", "other-bucket-1")]),
        "ImplicitlyDenied",
    )
