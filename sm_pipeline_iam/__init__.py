"""Least-privilege AWS CDK constructs for the IAM side of Amazon SageMaker Pipelines.

The constructs import the CDK, which starts Node through jsii; they are loaded on first
use, so that the core (catalog, policy building, definition reading, the report and the
command line) stays fast to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import InvalidPropsError
from .requirements import GivenResources, PipelineRequirements
from .steps import CATALOG, StepType

if TYPE_CHECKING:
    from .execution_role import PipelineExecutionRole
    from .org_scp import OrgScpException
    from .pipeline_role import RoleOptions
    from .stackset_construct import ServiceManagedStackSet
    from .step_role import PrefixedStepRole

_CONSTRUCTS = {
    "OrgScpException": "org_scp",
    "PipelineExecutionRole": "execution_role",
    "PrefixedStepRole": "step_role",
    "RoleOptions": "pipeline_role",
    "ServiceManagedStackSet": "stackset_construct",
}

__all__ = [
    "CATALOG",
    "GivenResources",
    "InvalidPropsError",
    "OrgScpException",
    "PipelineExecutionRole",
    "PipelineRequirements",
    "PrefixedStepRole",
    "RoleOptions",
    "ServiceManagedStackSet",
    "StepType",
]


def __getattr__(name: str) -> Any:
    if name in _CONSTRUCTS:
        module = importlib.import_module(f".{_CONSTRUCTS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
