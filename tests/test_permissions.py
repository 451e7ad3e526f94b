"""Allow/deny tables: the synthesized execution roles, evaluated by a real IAM engine.

Each scenario's template is resolved (partition, region, account, role ARNs) and its
identity policies are evaluated by ``@cloud-copilot/iam-simulate``; one simulator call
per table. A request the engine could not really evaluate (unknown action, a resource
that does not fit the action, ignored context keys) fails the test.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from iamsim import Request, simulate
from sm_pipeline_iam.steps import CATALOG, ResourceScope, StepType
from support.cfn import ACCOUNT, REGION, Resolver, identity_policies
from support.scenarios import JSON_GET_LOCATION, NAMED_STEP_TYPES, STEP_ROLE_ARN

OTHER_ACCOUNT = "444455556666"
SAGEMAKER = "sagemaker.amazonaws.com"


def _role_id(resolver: Resolver) -> str:
    roles = [
        logical_id
        for logical_id, resource in resolver.template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
    ]
    assert len(roles) == 1, roles
    return roles[0]


def _job_arn(template: str, name: str, *, account: str = ACCOUNT, region: str = REGION) -> str:
    # The catalog's `job/*/{name}` template: a concrete request names a job category.
    concrete = template.replace("job/*/", "job/training/")
    return concrete.format(partition="aws", region=region, account=account, name=name)


PRINCIPAL = "arn:aws:iam::{account}:role/{name}"


def _named_requests(
    step_types: Iterable[StepType], job_name: str, tag: str, **where: str
) -> list[Request]:
    """One request per (step type, name-scoped action) on a resource named ``job_name``."""
    requests = []
    for step_type in step_types:
        for group in CATALOG[step_type].action_groups:
            if group.scope not in (ResourceScope.JOB_NAME, ResourceScope.USER_NAME):
                continue
            for action in group.actions:
                arn = _job_arn(group.arn_template, job_name, **where)
                requests.append(
                    Request(
                        id=f"{tag}:{step_type.value}:{action}:{arn}",
                        principal=PRINCIPAL,
                        action=action,
                        resource=arn,
                    )
                )
    return requests


def _decide(
    resolver: Resolver, requests: list[Request], principal_account: str = ACCOUNT
) -> dict[str, str]:
    """Evaluate ``requests`` as the scenario's role (in ``principal_account``)."""
    role_id = _role_id(resolver)
    principal = PRINCIPAL.format(account=principal_account, name=resolver.role_name(role_id))
    unique = {
        r.id: Request(r.id, principal, r.action, r.resource, r.context) for r in requests
    }
    decisions = simulate(
        list(unique.values()), identity_policies=identity_policies(resolver, role_id)
    )
    return {request_id: decision.result for request_id, decision in decisions.items()}


def _assert_all(results: dict[str, str], expected: str) -> None:
    wrong = {request_id: result for request_id, result in results.items() if result != expected}
    assert not wrong, f"expected {expected} for every request, got:\n" + "\n".join(
        f"  {request_id}: {result}" for request_id, result in sorted(wrong.items())
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
        user_named = any(g.scope is ResourceScope.USER_NAME for g in spec.action_groups)
        # Default naming: pipeline-named jobs start with `pipelines-`; user-named
        # resources (endpoints, ...) are unscoped by name, so any name will do.
        name = own_name or ("my-endpoint-1" if user_named else "pipelines-x1-train-abc")
        requests += _named_requests([step_type], name, "own")
    results = _decide(resolvers[scenario], requests)
    assert len(results) == len(requests) > 50
    _assert_all(results, "Allowed")


def test_automl_candidates_action_is_allowed_on_any_resource(
    resolvers: dict[str, Resolver],
) -> None:
    """GIVEN AutoML WHEN listing candidates (no resource type in IAM) THEN allowed on '*'."""
    request = Request(
        "candidates", PRINCIPAL, "sagemaker:ListCandidatesForAutoMLJob", "*"
    )
    _assert_all(_decide(resolvers["custom_prefix"], [request]), "Allowed")


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
    requests = _named_requests(NAMED_STEP_TYPES, name, "x", **where)
    # Another account's resources are asked by a principal of that account: the request is
    # then same-account, so only the policy's account in the ARN can deny it.
    results = _decide(resolvers["custom_prefix"], requests, where.get("account", ACCOUNT))
    assert results
    _assert_all(results, "ImplicitlyDenied")


def test_other_job_types_are_denied(resolvers: dict[str, Resolver]) -> None:
    """GIVEN a role for Processing and Training WHEN other step types act THEN denied."""
    others = [s for s in NAMED_STEP_TYPES if s not in (StepType.PROCESSING, StepType.TRAINING)
              and CATALOG[s].resource_type not in ("processing-job", "training-job")]
    requests = _named_requests(others, "fraud-x1-abc", "other-type")
    assert len(requests) > 20
    _assert_all(_decide(resolvers["step_roles_json_get"], requests), "ImplicitlyDenied")


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
    _assert_all(_decide(resolvers[scenario], [request]), "ImplicitlyDenied")


def _pass_role(role_arn: str, service: str) -> Request:
    return Request(
        f"pass {role_arn} to {service}",
        PRINCIPAL,
        "iam:PassRole",
        role_arn,
        {"iam:PassedToService": service},
    )


def test_pass_role_only_for_step_roles_and_itself_to_sagemaker(
    resolvers: dict[str, Resolver],
) -> None:
    """GIVEN a step role WHEN roles are passed THEN only it and the role itself, to SageMaker."""
    resolver = resolvers["step_roles_json_get"]
    own_arn = resolver.role_arn(_role_id(resolver))
    allowed = [_pass_role(STEP_ROLE_ARN, SAGEMAKER), _pass_role(own_arn, SAGEMAKER)]
    denied = [
        _pass_role(STEP_ROLE_ARN, "ec2.amazonaws.com"),
        _pass_role(STEP_ROLE_ARN, "lambda.amazonaws.com"),
        _pass_role(own_arn, "lambda.amazonaws.com"),
        _pass_role(f"arn:aws:iam::{ACCOUNT}:role/admin", SAGEMAKER),
        _pass_role(f"{STEP_ROLE_ARN}-2", SAGEMAKER),
    ]
    _assert_all(_decide(resolver, allowed), "Allowed")
    _assert_all(_decide(resolver, denied), "ImplicitlyDenied")


def test_json_get_reads_only_inside_its_location(resolvers: dict[str, Resolver]) -> None:
    """GIVEN a JsonGet folder WHEN objects are read THEN inside allowed, outside denied."""
    bucket = JSON_GET_LOCATION.removeprefix("s3://").split("/")[0]

    def get(key: str, target: str = bucket) -> Request:
        return Request(f"get {target}/{key}", PRINCIPAL, "s3:GetObject",
                       f"arn:aws:s3:::{target}/{key}")

    resolver = resolvers["step_roles_json_get"]
    _assert_all(
        _decide(resolver, [get("evaluation/metrics.json"), get("evaluation/run/1/e.json")]),
        "Allowed",
    )
    _assert_all(
        _decide(resolver, [get("evaluation-old/metrics.json"), get("train/data.csv"),
                           get("evaluation/metrics.json", "other-bucket-1")]),
        "ImplicitlyDenied",
    )
