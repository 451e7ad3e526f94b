"""The sample app refuses team names that share jobs and tag admins anyone could be."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from app import build_app
from support.scenarios import sample_context

ROOT = Path(__file__).resolve().parent.parent
SCP_CONTEXT = {"scp_targets": "ou-ab12-cdefgh34", "vpc_endpoint_ids": "vpce-0a1b2c3d4e5f60718",
               "organization_id": "o-a1b2c3d4e5"}


@pytest.mark.parametrize(
    ("teams", "match"),
    [
        ("rsch=Training;rsch-a=Training",
         r"team 'PipelineIamStack/TeamRole-rsch-a' \(job_prefix 'rsch-a'\) and team "
         r"'PipelineIamStack/TeamRole-rsch' \(job_prefix 'rsch'\) overlap: 'rsch-\*' also "
         r"matches the names 'rsch-a-\.\.\.'"),
        ("Ana=Training;ana=Processing",
         r"team 'PipelineIamStack/TeamRole-ana' \(job_prefix 'ana'\) and team "
         r"'PipelineIamStack/TeamRole-Ana' \(job_prefix 'Ana'\) overlap: 'ana' and 'Ana' are "
         r"one prefix ignoring case"),
        ("pipelines=Training", r"job_prefix 'pipelines' is reserved"),
    ],
    ids=["hyphen", "case", "reserved"],
)
def test_teams_that_would_share_names_are_a_synth_error(teams: str, match: str) -> None:
    """GIVEN teams whose names overlap, or the default naming's WHEN built THEN an error
    naming both teams."""
    with pytest.raises(ValueError, match=match):
        build_app(sample_context(teams=teams))


@pytest.mark.parametrize("context", [{}, SCP_CONTEXT], ids=["no-scp", "with-scp"])
@pytest.mark.parametrize(
    ("admins", "match"),
    [
        ("arn:aws:iam::*:role/*",
         r"context tag_admin_principal_arns 'arn:aws:iam::\*:role/\*' matches every role, "
         r"among them every developer's, so any of them would be a tag admin"),
        ("arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*,arn:aws:iam::*:*",
         r"'arn:aws:iam::\*:\*' matches every kind of principal"),
        ("arn:aws:sts::*:assumed-role/*", r"is a session \(sts\) ARN"),
    ],
)
def test_tag_admins_anyone_could_be_are_a_synth_error(
    context: dict[str, str], admins: str, match: str
) -> None:
    """GIVEN an admin pattern that any principal could satisfy WHEN built (with or without
    an OrgStack) THEN an error that says why."""
    with pytest.raises(ValueError, match=match):
        build_app(sample_context(**context, tag_admin_principal_arns=admins))


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
