"""Every deprecated public name, in one registry, and the means that keep each working for
one release with a :class:`DeprecationWarning`: an import hook for moved modules, module
attributes for moved names, a decorator for renamed keyword arguments, and a call for
deprecated members.

Modules moved when the core was grouped into sub-packages by concept (catalog, definition,
execution role, job roles, organization) and the constructs' internals went private;
keyword arguments and members changed when the constructs took one vocabulary (aws-iam's).
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.machinery
import os
import sys
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar, cast

#: Old module path -> the module it moved to (removed in the release after 0.2).
MOVED_MODULES: dict[str, str] = {
    "sm_pipeline_iam.core.steps": "sm_pipeline_iam.core.catalog.steps",
    "sm_pipeline_iam.core.api_fields": "sm_pipeline_iam.core.catalog.api_fields",
    "sm_pipeline_iam.core.expressions": "sm_pipeline_iam.core.definition.expressions",
    "sm_pipeline_iam.core.rewrite": "sm_pipeline_iam.core.definition.rewrite",
    "sm_pipeline_iam.core.requirements": "sm_pipeline_iam.core.execution_role.requirements",
    "sm_pipeline_iam.core.policy": "sm_pipeline_iam.core.execution_role.policy",
    "sm_pipeline_iam.core.wildcards": "sm_pipeline_iam.core.execution_role.wildcards",
    "sm_pipeline_iam.core.pipeline": "sm_pipeline_iam.core.execution_role.pipeline",
    "sm_pipeline_iam.core.jobs": "sm_pipeline_iam.core.job_roles.needs",
    "sm_pipeline_iam.core.job_policy": "sm_pipeline_iam.core.job_roles.policy",
    "sm_pipeline_iam.core.scp": "sm_pipeline_iam.core.organization.scp",
    "sm_pipeline_iam.core.rcp": "sm_pipeline_iam.core.organization.rcp",
    "sm_pipeline_iam.core.s3_actions": "sm_pipeline_iam.core.organization.s3_actions",
    "sm_pipeline_iam.core.tags": "sm_pipeline_iam.core.organization.tags",
    "sm_pipeline_iam.core.stackset": "sm_pipeline_iam.core.organization.stackset",
    "sm_pipeline_iam.cdk.role_limits": "sm_pipeline_iam.cdk._private.role_limits",
    "sm_pipeline_iam.cdk.role_policies": "sm_pipeline_iam.cdk._private.role_policies",
}
# ``core.definition`` and ``core.job_roles`` became packages of the same name: their old
# public names are forwarded by the packages' own ``__getattr__`` (see
# :func:`forward_attribute`), since an import hook never sees a name that still exists.
MOVED_PACKAGE_NAMES: dict[str, str] = {
    "sm_pipeline_iam.core.definition": "sm_pipeline_iam.core.definition.reader",
    "sm_pipeline_iam.core.job_roles": "sm_pipeline_iam.core.job_roles.assignment",
}
#: Names that moved out of a module that stays: old ``module.name`` -> new ``module.name``.
MOVED_NAMES: dict[str, str] = {
    f"sm_pipeline_iam.cdk.pipeline_role.{old}": f"sm_pipeline_iam.cdk.{new}"
    for old, new in {
        "RoleOptions": "role_options.RoleOptions",
        "JobRoleLocation": "locations.JobRoleLocation",
        # The union of a location prop's forms: S3Location now names the neutral class.
        "S3Location": "locations.S3LocationLike",
        "option_problems": "_private.role_option_checks.option_problems",
        "is_token": "_private.tokens.is_token",
        "fake_token_problems": "_private.tokens.fake_token_problems",
        "final_given": "_private.tokens.final_given",
        "check_tokens_at_synth": "_private.tokens.check_tokens_at_synth",
        "StableTokens": "_private.tokens.StableTokens",
        "shown": "_private.messages.shown",
        "token_refusal": "_private.messages.token_refusal",
        "is_role": "_private.duck_types.is_role",
        "is_principal": "_private.duck_types.is_principal",
        "is_bucket": "_private.duck_types.is_bucket",
        "PropTypes": "_private.prop_types.PropTypes",
        "definition_problems": "_private.prop_types.definition_problems",
        "LOCATION_FORMS": "_private.s3_locations.LOCATION_FORMS",
        "is_location": "_private.s3_locations.is_location",
        "location_uri": "_private.s3_locations.location_uri",
        "location_uris": "_private.s3_locations.location_uris",
        "given_with_uris": "_private.s3_locations.given_with_uris",
        "gather_with_tokens": "_private.gathering.gather_with_tokens",
        "token_prefix_problems": "_private.gathering.token_prefix_problems",
        "grant_pass_to_sagemaker": "_private.trust.grant_pass_to_sagemaker",
        "sagemaker_trust": "_private.trust.sagemaker_trust",
        "pipeline_execution_source_arns": "_private.trust.pipeline_execution_source_arns",
        "restrict_trust_to_sources": "_private.trust.restrict_trust_to_sources",
    }.items()
} | {
    # The catalog's schema, AutoML facts and pipeline-level features left the table.
    f"sm_pipeline_iam.core.catalog.steps.{name}": f"sm_pipeline_iam.core.catalog.{new}.{name}"
    for name, new in {
        "AUTOML_REGISTRIES": "automl",
        "AUTOML_REPOSITORY_NAMES": "automl",
        "FeatureSpec": "schema",
        "JobCall": "schema",
        "PIPELINE_EXPERIMENTS": "features",
        "PIPELINE_FEATURES": "features",
        "PIPELINE_UNGRANTED": "features",
        "SUBMIT_DIRECTORY_HYPERPARAMETER": "_builders",
        "SideJobs": "schema",
        "UngrantedField": "schema",
    }.items()
}

#: Per construct, its renamed keyword arguments: old -> new (see :func:`renamed_kwargs`).
RENAMED_KWARGS: dict[str, dict[str, str]] = {
    # One spelling across constructs: LeastPrivilegePipeline's.
    "PipelineJobRoles": {"per_step": "per_step_roles"},
    # job_prefix grants jobs named <prefix>-* everywhere else; here it was a check.
    "LeastPrivilegePipeline": {"job_prefix": "required_job_prefix"},
}

#: Deprecated members of the constructs: ``Class.member`` -> what to use instead.
DEPRECATED_MEMBERS: dict[str, str] = {
    "PipelineRoleBase.role": "the construct itself, which is the iam.Role",
}


def _warn(old: str, new: str) -> None:
    _warn_caller(f"{old} is deprecated: use {new} (the old path goes in the next release)")


#: Where the frames of this library and of jsii (which calls a construct's __init__) live.
_INNER = (os.path.dirname(__file__) + os.sep, f"{os.sep}jsii{os.sep}")


def _warn_caller(message: str) -> None:
    """Warn, pointing at the first frame outside this library and jsii: the user's call."""
    frame, level = sys._getframe(0), 1
    while frame.f_back is not None and (
        frame.f_code.co_filename.startswith(_INNER[0]) or _INNER[1] in frame.f_code.co_filename
    ):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, DeprecationWarning, stacklevel=level)


def forward_moved_name(module: str, name: str) -> object:
    """A name asked of ``module`` that moved out of it (:data:`MOVED_NAMES`): warn and
    return it from its new place; AttributeError for any other name."""
    target = MOVED_NAMES.get(f"{module}.{name}")
    if target is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    new_module, _, new_name = target.rpartition(".")
    _warn_caller(f"{module}.{name} is deprecated: use {target} (the old path goes in the "
                 "next release)")
    return getattr(importlib.import_module(new_module), new_name)


_Function = TypeVar("_Function", bound=Callable[..., Any])


def renamed_kwargs(construct: str) -> Callable[[_Function], _Function]:
    """Decorate ``construct``'s ``__init__`` so that each old keyword argument of
    :data:`RENAMED_KWARGS` still works, as its new name, with a warning.

    Raises:
        TypeError: (from the decorated call) an old and its new name are both given.
    """
    renames = RENAMED_KWARGS[construct]

    def decorate(function: _Function) -> _Function:
        @functools.wraps(function)
        def renaming(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(f"{construct}() got both {old}= and {new}=: give {new} "
                                    f"only ({old} is its deprecated spelling)")
                _warn_caller(f"{construct}({old}=...) is deprecated: use {new}=... (the "
                             "old spelling goes in the next release)")
                kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        return cast(_Function, renaming)

    return decorate


def warn_member(member: str) -> None:
    """Warn that ``member`` (a key of :data:`DEPRECATED_MEMBERS`) is deprecated."""
    _warn_caller(f"{member} is deprecated: use {DEPRECATED_MEMBERS[member]} (it goes in the "
                 "next release)")


def forward_attribute(package: str, name: str) -> object:
    """A name asked of ``package`` that lived there before it became a package: warn and
    return it from its new module; AttributeError for any other name."""
    target = MOVED_PACKAGE_NAMES[package]
    module = importlib.import_module(target)
    if name.startswith("_") or not hasattr(module, name):
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    _warn(f"{package}.{name}", f"{target}.{name}")
    return getattr(module, name)


class _MovedModuleLoader(importlib.abc.Loader):
    def __init__(self, new: str) -> None:
        self._new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        _warn(spec.name, self._new)
        return importlib.import_module(self._new)

    def exec_module(self, module: ModuleType) -> None:
        """The new module is already executed: nothing to do."""


class _MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Finds only the old paths of :data:`MOVED_MODULES`, after every real finder."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED_MODULES.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _MovedModuleLoader(new))


def install() -> None:
    """Keep the old module paths importable (idempotent)."""
    if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
