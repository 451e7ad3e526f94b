"""A team app's first `cdk synth` through the real CDK CLI: no jsii stack-trace line above
the library's warnings (the app's own keep theirs), and with recommended_feature_flags()
no "feature flags are not configured" line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"
APP = """
import aws_cdk as cdk
from aws_cdk import Annotations
from sm_pipeline_iam import PrefixedStepRole, recommended_feature_flags

app = cdk.App({context})
stack = cdk.Stack(app, "Team")
PrefixedStepRole(stack, "Research", step_types=["Processing"], job_prefix="Rsch")
Annotations.of(stack).add_warning_v2("team:own", "the team's own warning")
app.synth()
"""


def _synth(directory: Path, context: str) -> list[str]:
    """`cdk synth` of a team app without a cdk.json context: its output lines."""
    (directory / "app.py").write_text(APP.format(context=context))
    (directory / "cdk.json").write_text(f'{{"app": "{sys.executable} app.py"}}')
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    completed = subprocess.run(
        [str(CDK), "synth", "--no-notices", "--quiet"], cwd=directory, env=env,
        capture_output=True, text=True, timeout=300, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output.splitlines()


def _line_above(lines: list[str], text: str) -> str:
    index = next(i for i, line in enumerate(lines) if text in line)
    return lines[index - 1] if index else ""


def test_without_flags_only_the_apps_own_warning_has_the_jsii_location(tmp_path: Path) -> None:
    """GIVEN a team app without feature flags WHEN `cdk synth` runs THEN the CLI prints the
    jsii runtime's lib/program.js above the app's own warning (CDK's, unchanged) and above
    none of the library's."""
    lines = _synth(tmp_path, "")
    assert "program.js" in _line_above(lines, "the team's own warning")
    assert "program.js" not in _line_above(lines, "job_prefix 'Rsch' has upper-case letters")
    assert sum("program.js" in line for line in lines) == 1, lines
    assert any("feature flags are not configured" in line for line in lines)


def test_with_the_recommended_flags_no_flag_notice_and_no_jsii_location(tmp_path: Path) -> None:
    """GIVEN the same app built with recommended_feature_flags() WHEN `cdk synth` runs THEN
    no "feature flags are not configured" line and no lib/program.js line; the warnings
    are printed, each once."""
    lines = _synth(tmp_path, "context=recommended_feature_flags()")
    assert not any("feature flag" in line for line in lines), lines
    assert not any("program.js" in line for line in lines), lines
    assert sum("Acknowledge with 'Annotation::sm-pipeline-iam:mixedCaseJobPrefix'" in line
               for line in lines) == 1
