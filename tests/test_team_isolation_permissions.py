"""Why overlapping team prefixes are refused, evaluated by a real IAM engine.

A team's role and people are scoped by ``<prefix>-*``. When one prefix is another's
followed by a hyphen (``rsch`` and ``rsch-a``), IAM matches the shorter team's patterns
against the longer team's names: the first table shows the synthesized ``rsch`` role and
its people allowed ``rsch-a``'s jobs and pipelines, which is why ``PrefixedStepRole``
refuses such a pair in one app (tests/test_step_role.py). The second shows a pair it
accepts (``rsch`` and ``rscha``) kept apart.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from iamsim import Request
from sm_pipeline_iam import InvalidPropsError, PrefixedStepRole, StepType
from support.cfn import ACCOUNT, REGION, Resolver, synthesized_resolver
from support.tables import (
    PRINCIPAL,
    SAGEMAKER,
    assert_all,
    decide,
    named_requests,
    pass_role,
    role_id_of,
)


def _teams(*prefixes: str) -> Resolver:
    """One app with a team role and its people per prefix, synthesized and resolved."""
    stack = cdk.Stack(cdk.App(), "Scenario", env=cdk.Environment(account=ACCOUNT, region=REGION))
    for prefix in prefixes:
        construct_id = prefix.replace("-", "").capitalize()
        people = iam.Role(stack, f"{construct_id}People", assumed_by=iam.AccountRootPrincipal())
        PrefixedStepRole(stack, construct_id, job_prefix=prefix, step_types=["Training"],
                         team_principals=[people])
    template: dict[str, Any] = Template.from_stack(stack).to_json()
    return synthesized_resolver(template)


def _pipeline(action: str, name: str) -> Request:
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{name}"
    return Request(f"{action} {arn}", PRINCIPAL, action, arn)


def _reach(teams: Resolver, team: str, other: str) -> tuple[dict[str, str], dict[str, str]]:
    """What ``team``'s role and people may do to ``other``'s jobs and pipelines."""
    jobs = named_requests([StepType.TRAINING], f"{other}-x1-abc", "other's job")
    pipelines = [
        _pipeline("sagemaker:UpdatePipeline", f"{other}-churn"),
        _pipeline("sagemaker:StartPipelineExecution", f"{other}-churn"),
    ]
    construct_id = team.replace("-", "").capitalize()
    role = decide(teams, jobs, role_id=role_id_of(teams, construct_id))
    people = decide(teams, pipelines, role_id=role_id_of(teams, f"{construct_id}People"))
    return role, people


def test_an_overlapping_pair_would_share_jobs_and_pipelines() -> None:
    """GIVEN rsch alone (rsch-a is refused in its app) WHEN rsch's role and people act on
    rsch-a's jobs and pipelines THEN IAM allows it: the reason for the refusal."""
    with pytest.raises(InvalidPropsError, match="overlap"):
        _teams("rsch", "rsch-a")
    role, people = _reach(_teams("rsch"), "rsch", "rsch-a")
    assert_all(role, "Allowed")
    assert_all(people, "Allowed")


def test_an_accepted_pair_keeps_each_teams_names_its_own() -> None:
    """GIVEN rsch and rscha in one app WHEN each acts on the other's jobs and pipelines
    THEN denied; each still runs and passes its own."""
    teams = _teams("rsch", "rscha")
    for team, other in (("rsch", "rscha"), ("rscha", "rsch")):
        role, people = _reach(teams, team, other)
        assert_all(role, "ImplicitlyDenied")
        assert_all(people, "ImplicitlyDenied")
        own = named_requests([StepType.TRAINING], f"{team}-x1-abc", "own job")
        construct_id = team.capitalize()
        assert_all(decide(teams, own, role_id=role_id_of(teams, construct_id)), "Allowed")
        own_role = teams.role_arn(role_id_of(teams, construct_id))
        people_id = role_id_of(teams, f"{construct_id}People")
        assert_all(decide(teams, [pass_role(own_role, SAGEMAKER)], role_id=people_id), "Allowed")
