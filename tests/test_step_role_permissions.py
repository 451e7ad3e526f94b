"""Two teams side by side: each team's role and people, evaluated by a real IAM engine."""

from __future__ import annotations

import pytest

from iamsim import Request
from sm_pipeline_iam.core.catalog.schema import StepType
from support.cfn import ACCOUNT, REGION, Resolver
from support.scenarios import JSON_GET_LOCATION, SHARED_FUNCTION_ARN, TEAMS
from support.tables import (
    OTHER_ACCOUNT,
    PRINCIPAL,
    SAGEMAKER,
    assert_all,
    decide,
    named_requests,
    pass_role,
    role_id_of,
)

RSCH_ROLE, ANALYTICS_ROLE = TEAMS["rsch"][0], TEAMS["analytics"][0]


@pytest.fixture(scope="module")
def teams(resolvers: dict[str, Resolver]) -> Resolver:
    return resolvers["two_teams"]


def _as_team(teams: Resolver, construct_id: str, requests: list[Request], **kw: str) -> dict[
    str, str
]:
    return decide(teams, requests, role_id=role_id_of(teams, construct_id), **kw)


def test_a_team_runs_its_own_job_steps_under_its_prefix(teams: Resolver) -> None:
    """GIVEN rsch (Training, Model) WHEN its jobs are named rsch-* THEN create/describe/stop
    are allowed."""
    requests = named_requests([StepType.TRAINING, StepType.MODEL], "rsch-x1-abc", "own")
    assert len(requests) >= 7
    assert_all(_as_team(teams, RSCH_ROLE, requests), "Allowed")


@pytest.mark.parametrize(
    ("step_types", "name", "where"),
    [
        ([StepType.PROCESSING], "rsch-x1-abc", {}),
        ([StepType.TRAINING], "analytics-x1-abc", {}),
        ([StepType.TRAINING], "pipelines-x1-train-abc", {}),
        ([StepType.TRAINING], "rsch-x1-abc", {"account": OTHER_ACCOUNT}),
        ([StepType.TRAINING], "rsch-x1-abc", {"region": "eu-west-1"}),
        ([StepType.TUNING, StepType.TRANSFORM, StepType.ENDPOINT], "rsch-x1-abc", {}),
    ],
    ids=["not-its-step-type", "other-team", "default-naming", "other-account", "other-region",
         "other-job-types"],
)
def test_a_team_is_denied_everything_else(
    teams: Resolver, step_types: list[StepType], name: str, where: dict[str, str]
) -> None:
    """GIVEN rsch WHEN a job is of another type, team, naming, account or region THEN
    denied."""
    requests = named_requests(step_types, name, "other", **where)
    results = _as_team(
        teams, RSCH_ROLE, requests, principal_account=where.get("account", ACCOUNT)
    )
    assert_all(results, "ImplicitlyDenied")


def test_the_other_team_is_scoped_the_same_way(teams: Resolver) -> None:
    """GIVEN analytics (Processing) WHEN it acts THEN its own processing jobs only."""
    own = named_requests([StepType.PROCESSING], "analytics-x1-abc", "own")
    assert_all(_as_team(teams, ANALYTICS_ROLE, own), "Allowed")
    others = named_requests([StepType.TRAINING], "analytics-x1-abc", "type") + named_requests(
        [StepType.PROCESSING], "rsch-x1-abc", "team"
    )
    assert_all(_as_team(teams, ANALYTICS_ROLE, others), "ImplicitlyDenied")


@pytest.mark.parametrize("construct_id", [RSCH_ROLE, ANALYTICS_ROLE])
def test_both_teams_run_the_shared_steps(teams: Resolver, construct_id: str) -> None:
    """GIVEN the shared Lambda and JsonGet WHEN either team runs them THEN allowed."""
    bucket = JSON_GET_LOCATION.removeprefix("s3://").split("/")[0]
    shared = [
        Request("lambda", PRINCIPAL, "lambda:InvokeFunction", SHARED_FUNCTION_ARN),
        Request("jsonget", PRINCIPAL, "s3:GetObject", f"arn:aws:s3:::{bucket}/evaluation/m.json"),
    ]
    assert_all(_as_team(teams, construct_id, shared), "Allowed")
    other_function = SHARED_FUNCTION_ARN.replace(":score", ":other")
    denied = [Request("other-lambda", PRINCIPAL, "lambda:InvokeFunction", other_function)]
    assert_all(_as_team(teams, construct_id, denied), "ImplicitlyDenied")


def _pipeline(action: str, pipeline: str, execution: bool = False) -> Request:
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{pipeline}"
    if execution:
        arn += "/execution/abc123"
    return Request(f"{action} {arn}", PRINCIPAL, action, arn)


def test_team_people_pass_and_start_their_own_pipelines_only(teams: Resolver) -> None:
    """GIVEN rsch's people WHEN they pass roles and run pipelines THEN only rsch's."""
    people = role_id_of(teams, f"{RSCH_ROLE}People")
    own_role = teams.role_arn(role_id_of(teams, RSCH_ROLE))
    other_role = teams.role_arn(role_id_of(teams, ANALYTICS_ROLE))
    allowed = [
        pass_role(own_role, SAGEMAKER),
        _pipeline("sagemaker:CreatePipeline", "rsch-churn"),
        _pipeline("sagemaker:UpdatePipeline", "rsch-churn"),
        _pipeline("sagemaker:StartPipelineExecution", "rsch-churn"),
        _pipeline("sagemaker:DescribePipeline", "rsch-churn"),
        _pipeline("sagemaker:DescribePipelineExecution", "rsch-churn", execution=True),
        _pipeline("sagemaker:ListPipelineExecutionSteps", "rsch-churn", execution=True),
        _pipeline("sagemaker:StopPipelineExecution", "rsch-churn", execution=True),
        _pipeline("sagemaker:RetryPipelineExecution", "rsch-churn", execution=True),
    ]
    denied = [
        pass_role(other_role, SAGEMAKER),
        pass_role(own_role, "ec2.amazonaws.com"),
        _pipeline("sagemaker:StartPipelineExecution", "analytics-churn"),
        _pipeline("sagemaker:CreatePipeline", "churn"),
        _pipeline("sagemaker:StopPipelineExecution", "analytics-churn", execution=True),
        _pipeline("sagemaker:DeletePipeline", "rsch-churn"),
    ]
    assert_all(decide(teams, allowed, role_id=people), "Allowed")
    assert_all(decide(teams, denied, role_id=people), "ImplicitlyDenied")
