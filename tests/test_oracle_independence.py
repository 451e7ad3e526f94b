"""The run-time oracle (tests/oracle) shares no knowledge with the library it judges.

Like tests/test_layers.py for the core: its modules import with the whole library blocked,
and no import statement of theirs, even a lazy one, names it. Otherwise a test comparing the
oracle with the deployed roles would compare the library with itself (issue 20).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ORACLE = Path(__file__).resolve().parent / "oracle"
MODULES = sorted(f"oracle.{p.stem}" for p in ORACLE.glob("*.py") if p.stem != "__init__")

#: What the oracle must not know: the catalog, the reader and its job needs, job policies,
#: the access plan, job-role planning, and (simplest to enforce) the whole package.
BLOCKED = ("sm_pipeline_iam", "sm_pipeline_iam.core", "sm_pipeline_iam.core.catalog.steps",
           "sm_pipeline_iam.core.definition.reader", "sm_pipeline_iam.core.job_roles.needs",
           "sm_pipeline_iam.core.job_roles.policy", "sm_pipeline_iam.core.plan",
           "sm_pipeline_iam.core.job_roles.assignment")


def test_the_oracle_has_modules() -> None:
    """GIVEN tests/oracle WHEN listed THEN it holds the modules this test guards."""
    assert {"oracle.calls", "oracle.execution"} <= set(MODULES)


@pytest.mark.parametrize("module", ["oracle", *MODULES])
def test_imports_with_the_library_blocked(module: str) -> None:
    """GIVEN every module of sm_pipeline_iam made unimportable WHEN an oracle module is
    imported in a fresh interpreter THEN it imports and lists a job's calls."""
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in BLOCKED)
    code = (f"import sys; {blocked}; import importlib; importlib.import_module({module!r}); "
            "from oracle import job_calls; "
            "step = {'Name': 'P', 'Type': 'Processing', 'Arguments': {"
            "'AppSpecification': {'ImageUri': 'x'}, 'RoleArn': 'r'}}; "
            "assert job_calls({'Steps': [step]}, {}, pipeline_name='p')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ORACLE.parent, check=False)
    assert result.returncode == 0, result.stderr


def test_blocking_works() -> None:
    """GIVEN the same blocking WHEN the library's catalog is imported THEN it fails (the
    check above can fail)."""
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in BLOCKED)
    code = f"import sys; {blocked}; import sm_pipeline_iam.core.catalog.steps"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ORACLE.parent, check=False)
    assert result.returncode != 0


@pytest.mark.parametrize("path", sorted(ORACLE.glob("*.py")), ids=lambda p: p.name)
def test_no_import_names_the_library(path: Path) -> None:
    """GIVEN an oracle module's source WHEN parsed THEN no import statement, even a lazy one
    inside a function, names sm_pipeline_iam, and relative imports stay inside the oracle."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level <= 1, f"{path.name} imports from outside the oracle"
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert not name.startswith("sm_pipeline_iam"), f"{path.name} imports {name}"
            assert name.split(".")[0] not in {"support", "iamsim"}, (
                f"{path.name} imports {name}")
