"""The sample app: context keys (the real `cdk synth` of it: tests/integ/test_cdk_synth_*.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from app import PipelineIamStack, build_app
from support.scenarios import sample_context, stacks_of

ROOT = Path(__file__).resolve().parent.parent


def _template(**context: str) -> dict[str, Any]:
    stack = stacks_of(build_app(sample_context(**context)))[0]
    assert isinstance(stack, PipelineIamStack)
    return Template.from_stack(stack).to_json()


def test_context_keys_drive_the_role() -> None:
    """GIVEN step_types, job_prefix, json_get_s3, principal_tag WHEN built THEN all applied."""
    template = _template(
        step_types="Training,Tuning",
        job_prefix="fraud",
        json_get_s3="s3://ml-artifacts-1/eval,s3://ml-artifacts-2/metrics/",
        principal_tag="sm-exception=true",
        teams="",
    )
    text = json.dumps(template)
    assert ":training-job/fraud-*" in text and ":hyper-parameter-tuning-job/fraud-*" in text
    assert "processing-job" not in text
    assert ":s3:::ml-artifacts-1/eval/*" in text and ":s3:::ml-artifacts-2/metrics/*" in text
    role = next(r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    assert role["Properties"]["Tags"] == [{"Key": "sm-exception", "Value": "true"}]


def test_defaults_use_the_default_naming_and_cdk_json_environment() -> None:
    """GIVEN cdk.json's defaults WHEN built THEN pipelines-* names in 111122223333/us-east-1."""
    app = build_app(sample_context())
    stack = stacks_of(app)[0]
    assert (stack.account, stack.region) == ("111122223333", "us-east-1")
    assert ":training-job/pipelines-*" in json.dumps(Template.from_stack(stack).to_json())


def test_bad_principal_tag_context_says_the_expected_form() -> None:
    """GIVEN principal_tag without '=' WHEN built THEN the error shows key=value."""
    with pytest.raises(ValueError, match=r"principal_tag 'oops' is not key=value"):
        build_app(sample_context(principal_tag="oops"))


def test_bad_step_type_context_fails_with_the_constructs_message() -> None:
    """GIVEN an unknown step type WHEN built THEN the construct's error names it."""
    with pytest.raises(ValueError, match=r"'Trainnig' is not a SageMaker Pipelines step type"):
        build_app(sample_context(step_types="Trainnig"))


def test_stacks_of_lists_only_stacks() -> None:
    """GIVEN an app with a stack WHEN listed THEN exactly the stacks."""
    app = cdk.App()
    cdk.Stack(app, "One")
    assert [s.stack_name for s in stacks_of(app)] == ["One"]


def test_teams_context_adds_one_prefixed_role_per_team() -> None:
    """GIVEN two teams WHEN built THEN one role each, scoped by the team name."""
    teams = "rsch=Training,Model; analytics=Processing"
    stack = stacks_of(build_app(sample_context(teams=teams)))[0]
    assert isinstance(stack, PipelineIamStack)
    assert [r.job_prefix for r in stack.team_roles] == ["rsch", "analytics"]
    assert [r.node.id for r in stack.team_roles] == ["TeamRole-rsch", "TeamRole-analytics"]
    text = json.dumps(Template.from_stack(stack).to_json())
    assert ":training-job/rsch-*" in text and ":processing-job/analytics-*" in text


def test_empty_teams_context_adds_no_team_role() -> None:
    """GIVEN no teams WHEN built THEN only the execution role."""
    stack = stacks_of(build_app(sample_context(teams="")))[0]
    assert isinstance(stack, PipelineIamStack) and stack.team_roles == []


@pytest.mark.parametrize(
    ("teams", "match"),
    [
        ("rsch", r"context teams entry 'rsch' is not name=Type,Type"),
        ("research=Tuning", r"job_prefix 'research' is 8 characters, longer than the 6 that "
                            r"Tuning steps allow"),
    ],
)
def test_bad_teams_context_is_a_synth_error(teams: str, match: str) -> None:
    """GIVEN a malformed team or a team name too long for its steps WHEN built THEN an error."""
    with pytest.raises(ValueError, match=match):
        build_app(sample_context(teams=teams))


SCP_CONTEXT = {"scp_targets": "ou-ab12-cdefgh34", "vpc_endpoint_ids": "vpce-0a1b2c3d4e5f60718",
               "organization_id": "o-a1b2c3d4e5"}


def test_scp_targets_add_an_org_stack_and_tag_every_workload_role() -> None:
    """GIVEN scp_targets WHEN built THEN OrgStack holds the SCP; the roles carry its tag."""
    app = build_app(sample_context(**SCP_CONTEXT, teams="rsch=Model"))
    stacks = {stack.stack_name: stack for stack in stacks_of(app)}
    assert sorted(stacks) == ["OrgStack", "PipelineIamStack"]
    Template.from_stack(stacks["OrgStack"]).has_resource_properties(
        "AWS::Organizations::Policy",
        {"Type": "SERVICE_CONTROL_POLICY", "TargetIds": ["ou-ab12-cdefgh34"]},
    )
    roles = Template.from_stack(stacks["PipelineIamStack"]).find_resources("AWS::IAM::Role")
    assert len(roles) == 2
    for role in roles.values():
        assert role["Properties"]["Tags"] == [{"Key": "sm-pipeline-exception", "Value": "true"}]


def test_principal_tag_context_is_the_scps_exception_tag() -> None:
    """GIVEN principal_tag and scp_targets WHEN built THEN the SCP exempts that tag."""
    app = build_app(sample_context(**SCP_CONTEXT, principal_tag="pipeline=yes"))
    org = next(s for s in stacks_of(app) if s.stack_name == "OrgStack")
    assert "aws:PrincipalTag/pipeline" in json.dumps(Template.from_stack(org).to_json())


def test_no_scp_targets_no_org_stack() -> None:
    """GIVEN cdk.json's defaults WHEN built THEN no OrgStack."""
    assert [s.stack_name for s in stacks_of(build_app(sample_context()))] == ["PipelineIamStack"]


def test_scp_targets_without_a_vpc_is_a_synth_error() -> None:
    """GIVEN scp_targets but no VPC or endpoint WHEN built THEN the SCP's error."""
    with pytest.raises(ValueError, match=r"vpc_ids and vpc_endpoint_ids are both empty"):
        build_app(sample_context(scp_targets="ou-ab12-cdefgh34", organization_id="o-a1b2c3d4e5"))


def test_pipeline_definition_context_derives_the_execution_role() -> None:
    """GIVEN a definition path WHEN built THEN the role is the definition's, not the step
    types'."""
    definition = ROOT / "tests" / "fixtures" / "definitions" / "training_eval_register.json"
    stack = stacks_of(build_app(sample_context(pipeline_definition=str(definition), teams="")))[0]
    text = json.dumps(Template.from_stack(stack).to_json())
    assert "processing-job/pipelines-*-PreprocessData-*" in text
    assert "transform-job" not in text and "model-package-group/fraud-models" in text


def test_a_malformed_pipeline_definition_is_a_synth_error(tmp_path: Path) -> None:
    """GIVEN a definition without Steps WHEN built THEN the reader's error."""
    broken = tmp_path / "definition.json"
    broken.write_text("{}")
    with pytest.raises(ValueError, match=r"has no Steps list"):
        build_app(sample_context(pipeline_definition=str(broken)))


def test_stackset_context_emits_the_workload_as_an_environment_agnostic_stackset() -> None:
    """GIVEN stackset_ou_ids WHEN built THEN a StackSet stack whose body names no account and
    carries no bootstrap check, instead of the workload stack."""
    app = build_app(sample_context(stackset_ou_ids="ou-ab12-cdefgh34",
                                   stackset_regions="us-east-1"))
    (stack,) = stacks_of(app)
    assert stack.stack_name == "PipelineIamStackSet"
    (stack_set,) = Template.from_stack(stack).find_resources(
        "AWS::CloudFormation::StackSet").values()
    body = stack_set["Properties"]["TemplateBody"]
    assert "111122223333" not in body and "BootstrapVersion" not in body
    assert '"aws:SourceAccount":{"Ref":"AWS::AccountId"}' in body


def test_stackset_and_scp_in_different_organizations_is_a_synth_error() -> None:
    """GIVEN SCP targets and StackSet OUs of different roots WHEN built THEN an error."""
    with pytest.raises(ValueError, match=r"deploy both in one organization"):
        build_app(sample_context(stackset_ou_ids="ou-ab12-cdefgh34", scp_targets="r-zz99",
                                 vpc_endpoint_ids="vpce-0a1b2c3d4e5f60718", rcp="false"))


def test_many_teams_are_spread_over_stacks_below_the_resource_limit() -> None:
    """GIVEN 450 teams WHEN built THEN three stacks of at most 200 teams, all synthesize."""
    teams = ";".join(f"t{n}=Processing" for n in range(450))
    app = build_app(sample_context(teams=teams))
    assert [s.stack_name for s in stacks_of(app)] == [
        "PipelineIamStack", "PipelineIamTeams2", "PipelineIamTeams3"]
    assert len(app.synth().stacks) == 3


def test_more_roles_than_an_account_holds_is_a_synth_error() -> None:
    """GIVEN 1,000 teams WHEN built THEN the roles-per-account error."""
    teams = ";".join(f"t{n}=Processing" for n in range(1000))
    with pytest.raises(ValueError, match=r"1001 roles .* exceed IAM's default 1000 roles"):
        build_app(sample_context(teams=teams))


def test_scp_targets_add_the_rcp_by_default_on_the_same_targets() -> None:
    """GIVEN scp_targets and organization_id WHEN built THEN OrgStack also holds the RCP,
    attached where the SCP is; -c rcp=false (any case) leaves it out."""
    org = next(s for s in stacks_of(build_app(sample_context(**SCP_CONTEXT)))
               if s.stack_name == "OrgStack")
    Template.from_stack(org).has_resource_properties("AWS::Organizations::Policy", {
        "Type": "RESOURCE_CONTROL_POLICY", "TargetIds": ["ou-ab12-cdefgh34"]})
    off = next(s for s in stacks_of(build_app(sample_context(**SCP_CONTEXT, rcp="FALSE")))
               if s.stack_name == "OrgStack")
    kinds = [p["Properties"]["Type"] for p in Template.from_stack(off)
             .find_resources("AWS::Organizations::Policy").values()]
    assert kinds == ["SERVICE_CONTROL_POLICY"]


@pytest.mark.parametrize(
    ("context", "match"),
    [
        ({"rcp": "yes"}, r"context rcp 'yes' is not true or false: give e.g. -c rcp=false"),
        ({"organization_id": ""},
         r"context rcp \(on by default with scp_targets\) needs organization_id: .* or "
         r"-c rcp=false for the SCP alone"),
        ({"organization_id": "org-1"},
         r"context organization_id 'org-1' is not an organization id \(o-\.\.\.\): give e\.g\."),
    ],
)
def test_bad_rcp_settings_are_context_errors(context: dict[str, str], match: str) -> None:
    """GIVEN a bad rcp value, no organization id for the RCP, or a malformed one WHEN built
    THEN a context error that says what to give."""
    with pytest.raises(ValueError, match=match):
        build_app(sample_context(**{**SCP_CONTEXT, **context}))


def test_rcp_without_scp_targets_needs_no_organization() -> None:
    """GIVEN cdk.json's defaults (rcp on, no scp_targets) WHEN built THEN no error."""
    assert [s.stack_name for s in stacks_of(build_app(sample_context(rcp="true")))] == [
        "PipelineIamStack"]
