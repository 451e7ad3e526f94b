"""Least-privilege AWS CDK constructs for the IAM side of Amazon SageMaker Pipelines.

The constructs import the CDK, which starts Node through jsii; they are loaded on first
use, so that the core (catalog, policy building, definition reading, the report and the
command line) stays fast to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _deprecated
from .core.catalog.schema import StepType
from .core.catalog.steps import CATALOG
from .core.errors import DefinitionError, InvalidPropsError
from .core.execution_role.requirements import GivenResources, PipelineRequirements

_deprecated.install()

if TYPE_CHECKING:
    from .app_context import AppContextError, AppSettings
    from .cdk.execution_role import PipelineExecutionRole
    from .cdk.feature_flags import recommended_feature_flags
    from .cdk.job_roles import JobNeedsRole, JobRole, PipelineJobRoles
    from .cdk.locations import JobRoleLocation, S3Location
    from .cdk.org_rcp import OrgRcpException
    from .cdk.org_scp import OrgScpException
    from .cdk.pipeline import LeastPrivilegePipeline
    from .cdk.review_plugin import ReviewPlugin
    from .cdk.role_options import CommonRoleOptions, RoleOptions
    from .cdk.stackset_construct import ServiceManagedStackSet
    from .cdk.stackset_template import stackset_template
    from .cdk.step_role import PrefixedStepRole
    from .core.definition.reader import read_definition
    from .core.job_roles.assignment import NoJobRoleError
    from .review.report import report_markdown

_CONSTRUCTS = {
    # Names that pull in the definition reader or the review: loaded on first use too.
    "AppContextError": "app_context",
    "AppSettings": "app_context",
    "NoJobRoleError": "core.job_roles.assignment",
    "read_definition": "core.definition.reader",
    "report_markdown": "review.report",
    "JobNeedsRole": "cdk.job_roles",
    "JobRole": "cdk.job_roles",
    "JobRoleLocation": "cdk.locations",
    "LeastPrivilegePipeline": "cdk.pipeline",
    "OrgRcpException": "cdk.org_rcp",
    "OrgScpException": "cdk.org_scp",
    "PipelineExecutionRole": "cdk.execution_role",
    "PipelineJobRoles": "cdk.job_roles",
    "PrefixedStepRole": "cdk.step_role",
    "ReviewPlugin": "cdk.review_plugin",
    "RoleOptions": "cdk.role_options",
    "CommonRoleOptions": "cdk.role_options",
    "S3Location": "cdk.locations",
    "ServiceManagedStackSet": "cdk.stackset_construct",
    # Reads aws-cdk-lib's bundle (without starting Node): on first use too.
    "recommended_feature_flags": "cdk.feature_flags",
    "stackset_template": "cdk.stackset_template",
}

__all__ = [
    "CATALOG",
    "AppContextError",
    "AppSettings",
    "CommonRoleOptions",
    "DefinitionError",
    "GivenResources",
    "InvalidPropsError",
    "JobNeedsRole",
    "JobRole",
    "JobRoleLocation",
    "LeastPrivilegePipeline",
    "NoJobRoleError",
    "OrgRcpException",
    "OrgScpException",
    "PipelineExecutionRole",
    "PipelineJobRoles",
    "PipelineRequirements",
    "PrefixedStepRole",
    "ReviewPlugin",
    "RoleOptions",
    "S3Location",
    "ServiceManagedStackSet",
    "StepType",
    "read_definition",
    "recommended_feature_flags",
    "report_markdown",
    "stackset_template",
]


def __getattr__(name: str) -> Any:
    if name in _CONSTRUCTS:
        module = importlib.import_module(f".{_CONSTRUCTS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
