"""Sample values shared by the core tests."""

from __future__ import annotations

from sm_pipeline_iam.core.catalog.schema import StepType
from sm_pipeline_iam.core.execution_role.requirements import GivenResources

#: One well-formed resource for each integration binding.
GIVEN_RESOURCES = GivenResources(
    lambda_function_arns=["arn:aws:lambda:us-east-1:111122223333:function:fn"],
    callback_queue_arns=["arn:aws:sqs:us-east-1:111122223333:q"],
    emr_cluster_ids=["j-ABC123"],
    emr_serverless_application_ids=["00abc"],
    cleanup_locations=["s3://bucket/tmp"],
    emr_role_arns=["arn:aws:iam::111122223333:role/EmrRuntimeRole"],
    emr_serverless_role_arns=["arn:aws:iam::111122223333:role/EmrServerlessJobRole"],
)


def step_id(value: object) -> str | None:
    """Test ids: a step type's value; pytest's default for other parameters."""
    return value.value if isinstance(value, StepType) else None
