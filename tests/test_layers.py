"""The layers: the core and the review side never import the CDK; only ``cdk`` does. The
rehearsal (``rehearse``: moto and boto3, an optional extra) is neither: it never names the
CDK either, and nothing imports it (nor moto, nor boto3) until ``sm-pipeline-iam rehearse``
runs."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import sm_pipeline_iam
from sm_pipeline_iam import cdk, core, rehearse, review

PACKAGE = Path(sm_pipeline_iam.__file__).parent

#: Imports the library must never need outside sm_pipeline_iam.cdk.
CDK_MODULES = ("aws_cdk", "constructs", "jsii")


def _modules(package: object) -> list[str]:
    path = package.__path__  # type: ignore[attr-defined]
    prefix = f"{package.__name__}."  # type: ignore[attr-defined]
    return sorted(info.name for info in pkgutil.walk_packages(path, prefix))


#: The app context's parsing is pure too (it reads an App's node without importing the CDK).
PURE_MODULES = ["sm_pipeline_iam.app_context", *_modules(core), *_modules(review)]
#: The rehearsal's modules: no CDK either (the CDK CLI is a subprocess).
REHEARSAL_MODULES = ["sm_pipeline_iam.rehearse", *_modules(rehearse)]
#: What only the rehearsal may import, and only when it runs.
REHEARSAL_REQUIREMENTS = ("moto", "boto3", "botocore", "sm_pipeline_iam.rehearse")


def test_the_layers_hold_modules() -> None:
    """GIVEN the package WHEN listed THEN each layer has its modules (no empty layer)."""
    assert "sm_pipeline_iam.core.catalog.steps" in PURE_MODULES
    assert "sm_pipeline_iam.review.report" in PURE_MODULES
    assert "sm_pipeline_iam.cdk.execution_role" in _modules(cdk)
    assert "sm_pipeline_iam.rehearse.readback" in REHEARSAL_MODULES


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_import_with_the_cdk_blocked(module: str) -> None:
    """GIVEN aws_cdk, constructs and jsii made unimportable WHEN a core or review module is
    imported in a fresh interpreter THEN it imports (nothing in it needs the CDK)."""
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in CDK_MODULES)
    code = f"import sys; {blocked}; import importlib; importlib.import_module({module!r})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


def test_the_package_root_imports_with_the_cdk_blocked() -> None:
    """GIVEN the CDK blocked WHEN the package is imported and a construct is asked for THEN
    the root imports (constructs load lazily) and only the construct needs the CDK."""
    code = (
        "import sys; sys.modules['aws_cdk'] = None\n"
        "import sm_pipeline_iam\n"
        "assert sm_pipeline_iam.StepType and sm_pipeline_iam.read_definition\n"
        "try:\n    sm_pipeline_iam.PipelineExecutionRole\n"
        "except ImportError:\n    print('lazy')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "lazy"


@pytest.mark.parametrize(
    "entry",
    ["import sm_pipeline_iam", "import sm_pipeline_iam.review.cli",
     "import sm_pipeline_iam.rehearse"],
)
def test_nothing_imports_the_rehearsal_requirements_until_it_runs(entry: str) -> None:
    """GIVEN a fresh interpreter WHEN the package, the command line or the rehearse
    package's root is imported THEN neither moto, boto3 nor (but for the last) the
    rehearsal's modules are: they are the optional extra's, loaded when the command runs."""
    code = f"import sys; {entry}; print(sorted(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    loaded = set(ast.literal_eval(result.stdout.strip()))
    allowed = {"sm_pipeline_iam.rehearse"} if entry.endswith("rehearse") else set()
    assert {m for m in loaded if m.startswith(REHEARSAL_REQUIREMENTS)} == allowed


@pytest.mark.parametrize("module", PURE_MODULES + REHEARSAL_MODULES)
def test_pure_modules_do_not_name_the_cdk(module: str) -> None:
    """GIVEN a core or review module's source WHEN parsed THEN no import statement, even a
    lazy one inside a function, names the CDK or the cdk layer."""
    path = PACKAGE.joinpath(*module.split(".")[1:]).with_suffix(".py")
    if not path.is_file():
        path = path.with_suffix("") / "__init__.py"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [("." * node.level) + (node.module or "")]
        else:
            continue
        for name in names:
            assert name.split(".")[0] not in CDK_MODULES, f"{module} imports {name}"
            # The cdk layer itself or a module in it, not a name that merely starts alike.
            assert not any(name == layer or name.startswith(f"{layer}.")
                           for layer in (".cdk", "..cdk", "sm_pipeline_iam.cdk")), (
                f"{module} imports {name}"
            )
