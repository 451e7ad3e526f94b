"""The sample app's context through the real CDK CLI: `cdk synth -c key=value` refuses each
bad value (and teams or tag admins the app must not accept) with its line, no traceback and
no template; and the context's region beats the CLI's default environment.

Moved from tests/test_app_context.py and tests/test_app_security.py, which check the same
rules in process (fast); each test here starts the CLI (a Node process and a Python
synthesis, one to several seconds each).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"


def _cdk_synth(tmp_path: Path, *context: str, **environment: str
               ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true", **environment}
    for variable in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"):
        env.pop(variable, None)
    arguments = [arg for item in context for arg in ("-c", item)]
    return subprocess.run(
        [str(CDK), "synth", "--no-notices", "--quiet", "--output", str(tmp_path / "cdk.out"),
         *arguments],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


CLI_CASES = [
    ("region=us-east-1*", "context region 'us-east-1*' is not a region name"),
    ("region=US-EAST-1", "context region 'US-EAST-1' is not a region name"),
    ("region=us east 1", "context region 'us east 1' is not a region name"),
    ("account=12345", "context account '12345' is not a 12-digit account id"),
    ("json_get_s3=s3://192.168.1.1/eval", "bucket '192.168.1.1', which S3's bucket naming "
     "rules refuse: it is formatted as an IP address"),
    ("json_get_s3=s3://xn--bucket/eval", "it starts with the reserved prefix 'xn--'"),
    ("teams=rsch=Training;rsch=Processing", "context teams names team 'rsch' twice"),
    ("pipeline_definition=missing.json",
     "context pipeline_definition 'missing.json' is not a file"),
    ("pipeline_name=fraud_train", "context pipeline_name 'fraud_train' is not a SageMaker"),
    ("job_roles=both", "context job_roles 'both' is not one of per-step, shared, none"),
    # A construct's own error, raised while the stack is made, prints the same way.
    ("teams=research=Tuning", "job_prefix 'research' is 8 characters, longer than the 6"),
]


@pytest.mark.parametrize(("context", "line"), CLI_CASES, ids=[c for c, _ in CLI_CASES])
def test_cdk_synth_prints_each_context_error_as_its_line(
    tmp_path: Path, context: str, line: str
) -> None:
    """GIVEN a bad context value WHEN the real `cdk synth -c key=value` runs THEN it fails,
    printing the line, no traceback, no template."""
    completed = _cdk_synth(tmp_path, context)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert line in output, output
    assert "Traceback" not in output and "jsii" not in output, output
    assert not list((tmp_path / "cdk.out").glob("*.template.json"))


def test_cdk_synth_region_context_beats_the_profiles_region(tmp_path: Path) -> None:
    """GIVEN AWS_REGION=us-west-2 (the CLI's default environment) WHEN `cdk synth -c
    region=eu-west-1` THEN the stack is in eu-west-1; without -c, in us-west-2."""
    given = _cdk_synth(tmp_path / "given", "region=eu-west-1", AWS_REGION="us-west-2")
    assert given.returncode == 0, given.stderr
    default = _cdk_synth(tmp_path / "default", AWS_REGION="us-west-2")
    assert default.returncode == 0, default.stderr
    for name, region in (("given", "eu-west-1"), ("default", "us-west-2")):
        manifest = json.loads((tmp_path / name / "cdk.out" / "manifest.json").read_text())
        stack = manifest["artifacts"]["PipelineIamStack"]
        assert stack["environment"] == f"aws://111122223333/{region}"


def test_the_cdk_cli_refuses_overlapping_teams_with_the_reason(tmp_path: Path) -> None:
    """GIVEN the real CDK CLI WHEN `cdk synth -c teams='rsch=Training;rsch-a=Training'`
    THEN it fails, printing both teams and why, and writes no template."""
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"}
    env.pop("CDK_DEFAULT_ACCOUNT", None)
    completed = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "cdk"), "synth", "--no-notices", "--quiet",
         "--output", str(tmp_path / "cdk.out"), "-c", "teams=rsch=Training;rsch-a=Training"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert (
        "PrefixedStepRole 'TeamRole-rsch-a' has 1 problem:\n  - team "
        "'PipelineIamStack/TeamRole-rsch-a' (job_prefix 'rsch-a') and team "
        "'PipelineIamStack/TeamRole-rsch' (job_prefix 'rsch') overlap" in output
    ), output
    assert not (tmp_path / "cdk.out" / "PipelineIamStack.template.json").exists()


def test_the_cdk_cli_refuses_an_admin_pattern_anyone_could_satisfy(tmp_path: Path) -> None:
    """GIVEN the real CDK CLI WHEN `cdk synth -c tag_admin_principal_arns='arn:aws:iam::*:
    role/*'` THEN it fails with the reason."""
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"}
    env.pop("CDK_DEFAULT_ACCOUNT", None)
    completed = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "cdk"), "synth", "--no-notices", "--quiet",
         "--output", str(tmp_path / "cdk.out"),
         "-c", "tag_admin_principal_arns=arn:aws:iam::*:role/*"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert "context tag_admin_principal_arns 'arn:aws:iam::*:role/*' matches every role" in output
