"""Least-privilege AWS CDK constructs for the IAM side of Amazon SageMaker Pipelines."""

from .errors import InvalidPropsError
from .execution_role import PipelineExecutionRole
from .requirements import GivenResources, PipelineRequirements
from .steps import CATALOG, StepType

__all__ = [
    "CATALOG",
    "GivenResources",
    "InvalidPropsError",
    "PipelineExecutionRole",
    "PipelineRequirements",
    "StepType",
]
