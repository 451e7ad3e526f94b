"""Every deprecated public name, in one registry, and the import hook that keeps old module
paths working for one release with a :class:`DeprecationWarning`.

Modules moved when the core was grouped into sub-packages by concept (catalog, definition,
execution role, job roles, organization) and the constructs' internals went private.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

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


#: Module -> public name that moved out of it -> the module that holds it now.
MOVED_NAMES: dict[str, dict[str, str]] = {
    # The catalog's schema, AutoML facts and pipeline-level features left the table.
    "sm_pipeline_iam.core.catalog.steps": {
        "AUTOML_REGISTRIES": "sm_pipeline_iam.core.catalog.automl",
        "AUTOML_REPOSITORY_NAMES": "sm_pipeline_iam.core.catalog.automl",
        "FeatureSpec": "sm_pipeline_iam.core.catalog.schema",
        "JobCall": "sm_pipeline_iam.core.catalog.schema",
        "PIPELINE_EXPERIMENTS": "sm_pipeline_iam.core.catalog.features",
        "PIPELINE_FEATURES": "sm_pipeline_iam.core.catalog.features",
        "PIPELINE_UNGRANTED": "sm_pipeline_iam.core.catalog.features",
        "SUBMIT_DIRECTORY_HYPERPARAMETER": "sm_pipeline_iam.core.catalog._builders",
        "SideJobs": "sm_pipeline_iam.core.catalog.schema",
        "UngrantedField": "sm_pipeline_iam.core.catalog.schema",
    },
}


def _warn(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is deprecated: use {new} (the old path goes in the next release)",
        DeprecationWarning,
        stacklevel=3,
    )


def forward_attribute(module: str, name: str) -> object:
    """A name asked of ``module`` (from its ``__getattr__``) that lived there before it
    moved: warn and return it from its new module; AttributeError for any other name."""
    target = MOVED_NAMES.get(module, {}).get(name) or MOVED_PACKAGE_NAMES.get(module)
    if target is None or name.startswith("_"):
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    new = importlib.import_module(target)
    if not hasattr(new, name):
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    _warn(f"{module}.{name}", f"{target}.{name}")
    return getattr(new, name)


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
