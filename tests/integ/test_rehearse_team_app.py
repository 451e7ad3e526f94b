"""`sm-pipeline-iam rehearse` on the README's team app, as a user runs it.

GIVEN the README's team app (the block after ``<!-- readme-example: team-app``) written to
an empty directory with the definition it reads (``samples/pipeline.json``),
WHEN ``sm-pipeline-iam rehearse --app "python app.py"`` runs there (the installed console
script, with the project's CDK CLI),
THEN every stack (``Abalone-People`` and ``Abalone-Workload`` in 111122223333, ``Org`` in
999988887777) was bootstrapped, deployed, read back equal to its template and destroyed,
and what moto cannot model is reported. About 40 seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_readme import readme_example

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"
SCRIPT = Path(sys.executable).parent / "sm-pipeline-iam"
STACKS = ("111122223333:Abalone-People", "111122223333:Abalone-Workload", "999988887777:Org")


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    app = tmp_path_factory.mktemp("team-app")
    (app / "app.py").write_text(readme_example("team-app"))
    (app / "samples").mkdir()
    shutil.copy(ROOT / "samples" / "pipeline.json", app / "samples" / "pipeline.json")
    assert CDK.exists(), f"{CDK} is missing: run `make setup` (npm ci)"
    # The console script of the shared venv imports this checkout's library, as the app does.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [str(SCRIPT), "rehearse", "--app", f"{sys.executable} app.py", "--cdk", str(CDK),
         "--timeout", "300"],
        cwd=app, env=env, capture_output=True, text=True, timeout=900, check=False,
    )


def _report(rehearsal: subprocess.CompletedProcess[str]) -> str:
    """The report: from its heading on (the CLI's output comes before)."""
    output = rehearsal.stdout
    assert "=== rehearsal" in output, output[-3000:] + rehearsal.stderr
    return output[output.index("=== rehearsal"):]


def test_every_phase_passed_and_the_command_exits_0(
    rehearsal: subprocess.CompletedProcess[str],
) -> None:
    report = _report(rehearsal)
    for phase in ("synth", "bootstrap", "organization", "deploy", "destroy"):
        assert re.search(rf"^  {phase}: ok \(", report, re.MULTILINE), report
    assert rehearsal.returncode == 0, report + rehearsal.stderr
    assert rehearsal.stderr == ""


def test_every_stack_deployed_read_back_equal_and_destroyed(
    rehearsal: subprocess.CompletedProcess[str],
) -> None:
    report = _report(rehearsal)
    listed = report.split("stacks deployed, read back and destroyed:\n")[1].split("what moto")[0]
    assert re.findall(r"^  (\S+): \d+ resources$", listed, re.MULTILINE) == list(STACKS)
    assert "- " not in report.split("what moto")[0], "a read-back difference was reported"


def test_what_moto_cannot_model_is_reported(
    rehearsal: subprocess.CompletedProcess[str],
) -> None:
    limits = _report(rehearsal).split("what moto cannot model (not rehearsed here):\n")[1]
    assert "  - permissions: moto's IAM stores policies but evaluates none" in limits
    assert "  - SCPs and RCPs: stored and attached to the stand-in organization's" in limits
    assert "  - SageMaker pipelines: created, described and deleted, never run" in limits
    assert ("  - AWS::CDK::Metadata: moto has no model, nothing was created for "
            "Abalone-People/CDKMetadata, Abalone-Workload/CDKMetadata, Org/CDKMetadata"
            ) in limits
