"""Least-privilege AWS CDK constructs for the IAM side of Amazon SageMaker Pipelines."""

from .errors import InvalidPropsError
from .execution_role import PipelineExecutionRole
from .org_scp import OrgScpException
from .pipeline_role import RoleOptions
from .requirements import GivenResources, PipelineRequirements
from .step_role import PrefixedStepRole
from .steps import CATALOG, StepType

__all__ = [
    "CATALOG",
    "GivenResources",
    "InvalidPropsError",
    "OrgScpException",
    "PipelineExecutionRole",
    "PipelineRequirements",
    "PrefixedStepRole",
    "RoleOptions",
    "StepType",
]
