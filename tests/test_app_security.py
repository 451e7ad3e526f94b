"""The sample app refuses team names that share jobs and tag admins anyone could be (the
real `cdk synth` refusing them: tests/integ/test_cdk_synth_context.py)."""

from __future__ import annotations

import pytest

from app import build_app
from support.scenarios import sample_context

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
