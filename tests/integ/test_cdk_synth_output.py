"""What the real `cdk synth` of the sample app prints: nothing when all is well (no error,
no Node end-of-life banner, no "feature flags are not configured" line), and only the
warnings when there are some.

Moved from tests/test_app.py and tests/test_cdk_json.py (which checks in process that
cdk.json sets the recommended flags); each test here starts the CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"


def test_cdk_cli_synth_prints_no_error_and_no_node_end_of_life_banner(tmp_path: Path) -> None:
    """GIVEN the real CDK CLI WHEN `cdk synth` runs THEN a template, no error, no EOL banner."""
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"}
    env.pop("CDK_DEFAULT_ACCOUNT", None)
    completed = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "cdk"), "synth", "--no-notices", "--quiet",
         "--output", str(tmp_path / "cdk.out"), "-c", "job_prefix=fraud"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "end-of-life" not in output.lower() and "eol" not in output.lower()
    assert "error" not in output.lower()
    template = json.loads((tmp_path / "cdk.out" / "PipelineIamStack.template.json").read_text())
    assert ":training-job/fraud-*" in json.dumps(template)


def _cdk_synth(tmp_path: Path, *context: str) -> str:
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"}
    for variable in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"):
        env.pop(variable, None)
    completed = subprocess.run(
        [str(CDK), "synth", "--no-notices", "--quiet", "--output", str(tmp_path / "cdk.out"),
         *[arg for item in context for arg in ("-c", item)]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


def test_cdk_synth_prints_no_feature_flag_notice_and_nothing_else(tmp_path: Path) -> None:
    """GIVEN cdk.json WHEN the real `cdk synth` of the sample app runs as `make synth` does
    THEN it prints nothing at all: no "feature flags are not configured", no warning."""
    assert _cdk_synth(tmp_path) == ""


def test_cdk_synth_with_warnings_prints_only_them(tmp_path: Path) -> None:
    """GIVEN a team whose step type raises a warning WHEN `cdk synth` runs THEN the warning
    is printed, once, and no feature-flag line."""
    output = _cdk_synth(tmp_path, "teams=rsch=Training")
    assert "feature flag" not in output.lower()
    assert output.count("Acknowledge with 'Annotation::sm-pipeline-iam:sdkIgnoresJobPrefix'"
                        ) == 1, output
    assert "Traceback" not in output and "program.js" not in output
