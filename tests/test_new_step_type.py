"""A new step type is its catalog row plus its own test data: proven by adding one.

The package is copied to a temporary folder and only its catalog changes there: one
``StepType`` member (``catalog/schema.py``) and one ``StepSpec`` row (``catalog/steps.py``)
for a hypothetical ``Evaluation`` step that runs processing jobs. Its test data goes into a
copy of ``tests/fixtures/step_types/``. The tests that must cover every step type then run
against the copy in a fresh interpreter: they find the new step type through the catalog
(the definition reader reads its hand-written step and scopes its statement to the names in
it) and pass; without the data file they fail and name the file to add.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "fixtures" / "step_types"

#: The whole change to the library: a member and a row, nothing else.
MEMBER = '    EVALUATION = "Evaluation"\n'
ROW = """    StepSpec(
        step_type=StepType.EVALUATION,
        create_apis=("CreateProcessingJob",),
        resource_type="processing-job",
        action_groups=(PROCESSING_JOBS,),
        role_fields=(SAGEMAKER_ROLE,),
        output_paths=(PROCESSING_OUTPUTS,),
        job=PROCESSING_JOB,
        properties=(Property("ProcessingJobName", "{job}"),),
        prefix_argument="Evaluator(base_job_name=...)",
        max_prefix_length=LONG_PREFIX_LIMIT,
    ),
"""

#: Its test data, written as for a real step type (what the page and the API say).
EVALUATION_DATA = {
    "type": "Evaluation",
    "passes_role_to": ["sagemaker.amazonaws.com"],
    "max_prefix_length": 38,
    "name_key": "ProcessingJobName",
    "documented_actions": ["sagemaker:AddTags", "sagemaker:CreateProcessingJob",
                           "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob"],
    "named_by": "pipeline",
    "no_sdk_call": "a hypothetical step type: no SDK class builds it",
    "coverage_step": {"Arguments": {"ProcessingJobName": "coveval",
                                    "RoleArn": "arn:aws:iam::111122223333:role/CoverageRole"}},
    "coverage_mark": "coveval",
}

#: The modules whose checks walk the catalog for every step type.
WALKING_TESTS = ("tests/test_steps.py", "tests/test_catalog_coverage.py",
                 "tests/test_api_fields.py", "tests/test_requirements.py")


def _insert(path: Path, after: str, text: str) -> None:
    source = path.read_text()
    assert source.count(after) == 1, f"{path.name}: {after!r} is not one line"
    path.write_text(source.replace(after, after + text))


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package with the new step type in its catalog, and nothing else."""
    root = tmp_path_factory.mktemp("extended")
    package = root / "sm_pipeline_iam"
    shutil.copytree(ROOT / "sm_pipeline_iam", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    _insert(package / "core" / "catalog" / "schema.py", '    FOR_EACH = "ForEach"\n', MEMBER)
    _insert(package / "core" / "catalog" / "steps.py",
            "_CATALOG: tuple[StepSpec, ...] = (\n", ROW)
    return root


def _run(extended: Path, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SM_PIPELINE_IAM_STEP_TYPE_DATA": str(data),
           # The copy comes first, before the installed (editable) package.
           "PYTHONPATH": os.pathsep.join([str(extended), str(ROOT / "tests")])}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(ROOT), "-o", "pythonpath=", *args],
        cwd=extended, env=env, capture_output=True, text=True, check=False, timeout=600,
    )


def _data_with(tmp_path: Path, extra: dict[str, object] | None) -> Path:
    folder = tmp_path / "step_types"
    shutil.copytree(DATA, folder)
    if extra is not None:
        (folder / f"{extra['type']}.json").write_text(json.dumps(extra, indent=2))
    return folder


def test_a_new_row_with_its_data_passes_every_check_that_walks_the_catalog(
    extended: Path, tmp_path: Path
) -> None:
    """GIVEN the catalog with one more row and its data file WHEN the tests that cover
    every step type run THEN they pass, and they did test the new step type."""
    data = _data_with(tmp_path, EVALUATION_DATA)
    tests = [str(ROOT / name) for name in WALKING_TESTS]

    result = _run(extended, data, *tests, "-rA")

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    ran = [line for line in result.stdout.splitlines()
           if line.startswith("PASSED") and "Evaluation" in line]
    # The data file, the enum, the name key, the prefix limit, the reader's scoping.
    assert any("has_its_test_data[Evaluation]" in line for line in ran), ran
    assert any("names_from_the_definition[Evaluation-ProcessingJobs]" in line
               for line in ran), ran
    assert any("test_name_key_follows_facts[Evaluation-" in line for line in ran), ran
    assert any("test_max_prefix_length_follows_the_aws_table[Evaluation]" in line
               for line in ran), ran


def test_a_new_row_without_its_data_fails_and_names_the_file(
    extended: Path, tmp_path: Path
) -> None:
    """GIVEN the catalog with one more row and no data file WHEN the step-type checks run
    THEN they fail, naming the file to add."""
    data = _data_with(tmp_path, None)

    result = _run(extended, data, str(ROOT / "tests" / "test_steps.py"),
                  "-k", "has_its_test_data")

    assert result.returncode == 1, result.stdout[-4000:]
    assert "1 failed" in result.stdout, result.stdout[-4000:]
    assert "step type Evaluation has no test data" in result.stdout
    assert "Evaluation.json" in result.stdout
