"""The simulator bridge refuses requests it could not really evaluate."""

from __future__ import annotations

import pytest

import iamsim
from iamsim import Request, simulate

PRINCIPAL = "arn:aws:iam::111122223333:role/pipeline"
ALLOW_TRAINING = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sagemaker:CreateTrainingJob",
            "Resource": "arn:aws:sagemaker:us-east-1:111122223333:training-job/team-*",
        }
    ],
}
JOB = "arn:aws:sagemaker:us-east-1:111122223333:training-job/team-1"


def test_an_unknown_action_fails_the_test() -> None:
    """GIVEN a misspelt action WHEN simulated THEN AssertionError, not a quiet deny."""
    request = Request("typo", PRINCIPAL, "sagemaker:CreateTrainingJobs", JOB)
    with pytest.raises(AssertionError, match=r"request 'typo'"):
        simulate([request], identity_policies=[ALLOW_TRAINING])


def test_an_ignored_context_key_fails_the_test() -> None:
    """GIVEN a context key the action ignores WHEN simulated THEN AssertionError."""
    request = Request(
        "ignored", PRINCIPAL, "sagemaker:CreateTrainingJob", JOB,
        {"iam:PassedToService": "sagemaker.amazonaws.com"},
    )
    with pytest.raises(AssertionError, match=r"request 'ignored'"):
        simulate([request], identity_policies=[ALLOW_TRAINING])


def test_a_valid_request_is_evaluated() -> None:
    """GIVEN valid requests WHEN simulated THEN allowed inside the pattern, denied outside."""
    decisions = simulate(
        [
            Request("inside", PRINCIPAL, "sagemaker:CreateTrainingJob", JOB),
            Request("outside", PRINCIPAL, "sagemaker:CreateTrainingJob", JOB.replace("team", "x")),
        ],
        identity_policies=[ALLOW_TRAINING],
    )
    assert decisions["inside"].result == "Allowed"
    assert decisions["outside"].result == "ImplicitlyDenied"


GROUP = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/TrainingJobs"


def _allow(action: str, resource: str) -> dict[str, object]:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def test_a_literal_is_evaluated_as_written() -> None:
    """GIVEN CloudWatch Logs' ``log-group:<name>:*`` marked literal WHEN simulated THEN a
    policy naming the ARN with ``:*`` allows it, one without does not; unmarked, the same
    request fails the test."""
    request = Request("group", PRINCIPAL, "logs:CreateLogGroup", f"{GROUP}:*", literal=True)
    assert simulate([request], identity_policies=[_allow("logs:CreateLogGroup", f"{GROUP}:*")]
                    )["group"].result == "Allowed"
    assert simulate([request], identity_policies=[_allow("logs:CreateLogGroup", GROUP)]
                    )["group"].result == "ImplicitlyDenied"
    unmarked = Request("group", PRINCIPAL, "logs:CreateLogGroup", f"{GROUP}:*")
    with pytest.raises(AssertionError, match="use a concrete ARN"):
        simulate([unmarked], identity_policies=[_allow("logs:CreateLogGroup", f"{GROUP}:*")])


def test_each_request_may_carry_its_own_policies() -> None:
    """GIVEN two requests of the same call, one with a policy that allows it WHEN simulated
    together THEN each is decided by its own policies."""
    allowed = Request("own", PRINCIPAL, "sagemaker:CreateTrainingJob", JOB,
                      identity_policies=[ALLOW_TRAINING])
    default = Request("default", PRINCIPAL, "sagemaker:CreateTrainingJob", JOB)
    decisions = simulate([allowed, default], identity_policies=[])
    assert decisions["own"].result == "Allowed"
    assert decisions["default"].result == "ImplicitlyDenied"


def test_a_resource_policy_lets_another_accounts_resource_in() -> None:
    """GIVEN a pull from another account's repository WHEN simulated without and with that
    repository's policy THEN denied without it, allowed with it."""
    repository = "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost"
    pull = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:BatchGetImage",
        "Resource": "*"}]}
    policies = [_allow("ecr:BatchGetImage", repository)]
    without = Request("without", PRINCIPAL, "ecr:BatchGetImage", repository,
                      resource_account="683313688378")
    with_policy = Request("with", PRINCIPAL, "ecr:BatchGetImage", repository,
                          resource_account="683313688378", resource_policy=pull)
    decisions = simulate([without, with_policy], identity_policies=policies)
    assert decisions["without"].result == "ImplicitlyDenied"
    assert decisions["with"].result == "Allowed"


def test_resource_control_policies_reach_the_simulation() -> None:
    """GIVEN an RCP that denies training jobs to principals of other organizations WHEN a
    request is simulated with and without it, and from inside the organization THEN only
    the outsider's request with the RCP is denied (by the RCP)."""
    rcp = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "sagemaker:CreateTrainingJob",
        "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}
    inside = {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}
    requests = [Request("outsider", PRINCIPAL, "sagemaker:CreateTrainingJob", JOB),
                Request("insider", PRINCIPAL, "sagemaker:CreateTrainingJob", JOB, inside)]
    without = simulate(requests, identity_policies=[ALLOW_TRAINING])
    assert {k: d.result for k, d in without.items()} == {
        "outsider": "Allowed", "insider": "Allowed"}
    with_rcp = simulate(requests, identity_policies=[ALLOW_TRAINING],
                        resource_control_policies=[[], [rcp]])
    assert {k: d.result for k, d in with_rcp.items()} == {
        "outsider": "ExplicitlyDenied", "insider": "Allowed"}
    assert with_rcp["outsider"].blocked_by == ["rcp"]


def test_a_document_the_bridge_cannot_read_fails_and_the_next_is_evaluated() -> None:
    """GIVEN the session's one simulate.mjs process WHEN it is sent a malformed document
    THEN that call fails with the reason, and the same process evaluates the next one."""
    with pytest.raises(RuntimeError, match=r"status 2:\nsimulate\.mjs: malformed input: "
                                           r"cases\[0\]\.id: expected a non-empty string"):
        iamsim._run_node({"cases": [{"id": 1}]})
    request = Request("after", PRINCIPAL, "sagemaker:CreateTrainingJob", JOB)
    assert simulate([request], identity_policies=[ALLOW_TRAINING])["after"].allowed


def test_a_bridge_that_ended_is_reported_and_started_again() -> None:
    """GIVEN the simulate.mjs process ended (here: stopped) WHEN simulated THEN a new process
    answers; GIVEN it dies mid-session THEN the call fails with its exit status."""
    iamsim._NODE.stop()
    request = Request("again", PRINCIPAL, "sagemaker:CreateTrainingJob", JOB)
    assert simulate([request], identity_policies=[ALLOW_TRAINING])["again"].allowed
    process = iamsim._NODE._started()
    process.kill()
    process.wait()
    with pytest.raises(RuntimeError, match=r"simulate\.mjs exited with status -9"):
        simulate([request], identity_policies=[ALLOW_TRAINING])
    assert simulate([request], identity_policies=[ALLOW_TRAINING])["again"].allowed
