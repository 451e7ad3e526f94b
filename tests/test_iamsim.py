"""The simulator bridge refuses requests it could not really evaluate."""

from __future__ import annotations

import pytest

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
