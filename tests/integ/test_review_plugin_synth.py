"""A team app with the one line that adds ReviewPlugin, through the real CDK CLI: `cdk synth`
writes the review into the assembly and fails on an unaccepted finding, naming it; with
the finding accepted, it passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"
APP = """
import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from sm_pipeline_iam import PrefixedStepRole, ReviewPlugin

app = cdk.App()
stack = cdk.Stack(app, "Team")
role = PrefixedStepRole(stack, "Research", step_types=["Processing"], job_prefix="rsch")
role.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=["*"]))
cdk.Validations.of(app).add_plugins(ReviewPlugin(app{arguments}))
app.synth()
"""
WHERE = "Team/Research45C4ADF7"


def _synth(directory: Path, arguments: str = "") -> subprocess.CompletedProcess[str]:
    (directory / "app.py").write_text(APP.format(arguments=arguments))
    (directory / "cdk.json").write_text(json.dumps({"app": f"{sys.executable} app.py"}))
    # As a user runs it: not under pytest (the CDK reports differently inside a test).
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PYTEST_")}
    env |= {"CDK_DISABLE_CLI_TELEMETRY": "true",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [str(CDK), "synth", "--no-notices", "--quiet"], cwd=directory, env=env,
        capture_output=True, text=True, timeout=300, check=False)


def test_an_unaccepted_finding_fails_cdk_synth_and_the_report_is_written(
        tmp_path: Path) -> None:
    """GIVEN a team app with ReviewPlugin and an unscoped grant WHEN `cdk synth` runs THEN
    it exits non-zero, the output names the finding, its resource and its fix, and
    cdk.out holds the report with the finding."""
    completed = _synth(tmp_path)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert f"error unscopedGrant at {WHERE}" in output
    assert "Scope the resources." in output  # the fix
    report = (tmp_path / "cdk.out" / "sm-pipeline-iam-report.md").read_text()
    assert f"- error `unscopedGrant` `{WHERE}`" in report


def test_with_the_finding_accepted_cdk_synth_passes(tmp_path: Path) -> None:
    """GIVEN the same app with an acceptance file accepting the finding WHEN `cdk synth`
    runs THEN it exits 0, and the report marks the finding accepted."""
    (tmp_path / "accept.json").write_text(json.dumps({"accept": [
        {"where": WHERE, "id": "unscopedGrant", "reason": "the team's scratch bucket"}]}))
    completed = _synth(tmp_path, ', accept="accept.json"')
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = (tmp_path / "cdk.out" / "sm-pipeline-iam-report.md").read_text()
    assert "**accepted**: the team's scratch bucket" in report
