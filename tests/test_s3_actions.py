"""Every S3 action of the IAM reference is classified for the perimeter, and the table
agrees with the SCP's lists."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from sm_pipeline_iam.core.organization.s3_actions import S3_ACTIONS
from sm_pipeline_iam.core.organization.scp import S3_DATA_ACTIONS, S3_SHARING_ACTIONS
from support.iam_reference import IAM

REFERENCE = sorted(f"s3:{name}" for name in IAM.actions.get_actions_for_service("s3"))


def _denied_by_the_scp(action: str) -> bool:
    return any(fnmatchcase(action.lower(), p.lower())
               for p in (*S3_DATA_ACTIONS, *S3_SHARING_ACTIONS))


def test_every_s3_action_of_the_reference_is_classified() -> None:
    """GIVEN the IAM reference's S3 actions WHEN compared with the table THEN none is
    missing (an action AWS adds fails here until it is classified) and none is extra."""
    assert sorted(set(REFERENCE) - set(S3_ACTIONS)) == []
    assert sorted(set(S3_ACTIONS) - set(REFERENCE)) == []


@pytest.mark.parametrize("action", REFERENCE)
def test_the_scp_denies_exactly_the_actions_classified_denied(action: str) -> None:
    """GIVEN an S3 action WHEN matched against the SCP's data and sharing lists THEN it is
    matched exactly when the table says denied, and every class has a reason."""
    assert _denied_by_the_scp(action) is S3_ACTIONS[action].denied
    assert S3_ACTIONS[action].reason


@pytest.mark.parametrize("action", ["s3:PutAccessPointConfigurationForObjectLambda",
                                    "s3:SubmitMultiRegionAccessPointRoutes",
                                    "s3:ListObjectAnnotations", "s3:UpdateObjectEncryption"])
def test_the_actions_the_review_found_unlisted_are_denied(action: str) -> None:
    """GIVEN the actions issue 21 found allowed outside the VPC and listed nowhere (and the
    object-annotation listing and encryption change found with them) THEN denied."""
    assert S3_ACTIONS[action].denied and _denied_by_the_scp(action)
