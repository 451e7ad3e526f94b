"""What a team sees on day one, without the CDK CLI: the library's warnings carry no stack
trace (the CLI would print the jsii runtime's ``lib/program.js:1:5591`` above each), a
warning shared by the execution role and a job role is given once, the acknowledgement
spellings the README gives work, the recommended feature flags are one source, and
``explain`` words roles and the plan plainly. The CLI's own output: tests/integ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Annotations, CfnParameter, Validations

from sm_pipeline_iam import (
    LeastPrivilegePipeline,
    PrefixedStepRole,
    read_definition,
    recommended_feature_flags,
)
from sm_pipeline_iam.core.notices import MIXED_CASE_PREFIX, UNSCOPED_DEFAULT_NAMES
from sm_pipeline_iam.review.assembly import read_assembly
from sm_pipeline_iam.review.explain import plan_to_text, to_text

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = Path(__file__).resolve().parent / "fixtures" / "definitions"
WARNING = "aws:cdk:warning"
ENV = cdk.Environment(account="111122223333", region="us-east-1")


def _warnings(construct: Any) -> list[Any]:
    return [entry for entry in construct.node.metadata if entry.type == WARNING]


def _mixed_case_role(stack: cdk.Stack) -> PrefixedStepRole:
    return PrefixedStepRole(stack, "Team", step_types=["Processing"], job_prefix="Rsch")


# --- no stack trace on the library's warnings ---------------------------------------------


def test_the_librarys_warnings_carry_no_stack_trace_and_the_apps_own_keep_theirs() -> None:
    """GIVEN a library warning (a mixed-case prefix) and the app's own warning WHEN
    recorded THEN the library's has no trace (the CLI prints none above it), the app's own
    keeps its trace: nothing of the app is hidden."""
    stack = cdk.Stack(cdk.App(), "Stack")
    role = _mixed_case_role(stack)
    Annotations.of(stack).add_warning_v2("team:own", "the team's own warning")
    (library,) = _warnings(role)
    assert f"[ack: {MIXED_CASE_PREFIX}]" in library.data
    assert not library.trace
    (own,) = _warnings(stack)
    assert own.trace


def test_a_warning_raised_during_validation_carries_no_stack_trace_either() -> None:
    """GIVEN a team prefix known only at deploy time (deployTimeValue, raised while the app
    is validated) WHEN synthesized THEN that warning has no trace in the assembly."""
    app = cdk.App()
    stack = cdk.Stack(app, "Stack")
    prefix = CfnParameter(stack, "Prefix").value_as_string
    PrefixedStepRole(stack, "Team", step_types=["Training"], job_prefix=prefix)
    entries = [entry for entries in json.loads(
        (Path(app.synth().directory) / "Stack.metadata.json").read_text()).values()
        for entry in entries if entry["type"] == WARNING]
    deploy_time = [e for e in entries if "sm-pipeline-iam:deployTimeValue" in e["data"]]
    assert deploy_time and all(not e.get("trace") for e in entries)


def test_asking_for_the_acknowledgement_leaves_the_tree_as_it_was() -> None:
    """GIVEN a role that warned WHEN its children are listed THEN only its own: the child
    that asked whether the warning is acknowledged is gone."""
    stack = cdk.Stack(cdk.App(), "Stack")
    role = _mixed_case_role(stack)
    plain = PrefixedStepRole(stack, "Plain", step_types=["Processing"], job_prefix="ana")
    assert [c.node.id for c in role.node.children] == [c.node.id for c in plain.node.children]


def test_the_same_warning_is_recorded_once() -> None:
    """GIVEN the same notice emitted twice on one construct WHEN recorded THEN once (as
    add_warning_v2 does)."""
    from sm_pipeline_iam.cdk._private.warnings import add_warning

    stack = cdk.Stack(cdk.App(), "Stack")
    add_warning(stack, "sm-pipeline-iam:x", "once")
    add_warning(stack, "sm-pipeline-iam:x", "once")
    assert len(_warnings(stack)) == 1


# --- acknowledgements, as the README spells them ------------------------------------------


def _synth_warnings(acknowledge: Any, *, before: bool = False) -> list[str]:
    app = cdk.App()
    stack = cdk.Stack(app, "Stack")
    if before:
        acknowledge(stack)
        _mixed_case_role(stack)
    else:
        acknowledge(_mixed_case_role(stack))
    directory = Path(app.synth().directory)
    return [w.id or "" for s in read_assembly(directory) for w in s.warnings]


@pytest.mark.parametrize(("label", "acknowledge", "before", "hidden"), [
    ("acknowledge_warning with the id", lambda c: Annotations.of(c).acknowledge_warning(
        MIXED_CASE_PREFIX), False, True),
    ("acknowledge_warning on a parent, before the role", lambda c: Annotations.of(
        c).acknowledge_warning(MIXED_CASE_PREFIX), True, True),
    ("Validations with cdk synth's Annotation:: id", lambda c: Validations.of(c).acknowledge(
        Acknowledgment(id=f"Annotation::{MIXED_CASE_PREFIX}", reason="reviewed")), False, True),
    ("acknowledge_warning with the Annotation:: prefix", lambda c: Annotations.of(
        c).acknowledge_warning(f"Annotation::{MIXED_CASE_PREFIX}"), False, False),
])
def test_the_readmes_acknowledgements_work_and_the_prefixed_id_does_not(
    label: str, acknowledge: Any, before: bool, hidden: bool,
) -> None:
    """GIVEN a mixed-case prefix's warning acknowledged as the README says (or with
    acknowledge_warning given the CLI hint's Annotation:: id) WHEN synthesized THEN it is
    gone (or, for the latter, still there)."""
    ids = _synth_warnings(acknowledge, before=before)
    assert (MIXED_CASE_PREFIX not in ids) is hidden, (label, ids)


def test_the_readme_gives_the_acknowledgement_spellings_that_work() -> None:
    """GIVEN the README's section on warnings THEN it names acknowledge_warning with the
    bare id and the Annotation:: id with Validations, the two that work above."""
    readme = (ROOT / "README.md").read_text()
    assert f'acknowledge_warning("{MIXED_CASE_PREFIX}")' in readme
    assert f'Acknowledgment(id="Annotation::{MIXED_CASE_PREFIX}"' in readme
    assert 'acknowledge_warning("Annotation::' not in readme


# --- a warning shared by the execution role and a job role -------------------------------


def test_a_tuning_steps_default_names_are_warned_about_once_per_pipeline() -> None:
    """GIVEN a LeastPrivilegePipeline with a Tuning step under the default naming WHEN
    synthesized THEN unscopedDefaultJobNames is raised once, on the job role that runs the
    tuning jobs, not again on the execution role that reads the same definition."""
    app = cdk.App()
    stack = cdk.Stack(app, "Stack", env=ENV)
    LeastPrivilegePipeline(stack, "Pipeline",
                           definition=DEFINITIONS / "tuning_transform_foreach.json",
                           pipeline_name="fraud")
    directory = Path(app.synth().directory)
    found = [(w.path, w.message) for s in read_assembly(directory) for w in s.warnings
             if w.id == UNSCOPED_DEFAULT_NAMES]
    assert len(found) == 1, found
    assert len({message for _, message in found}) == 1
    assert found[0][0].startswith("/Stack/Pipeline/JobRoles/")


# --- the recommended feature flags ---------------------------------------------------------


def test_the_recommended_feature_flags_are_the_projects_cdk_json_flags() -> None:
    """GIVEN recommended_feature_flags() WHEN compared with cdk.json THEN every flag there
    is set to it (one source for the project and a team app), and each call is a copy."""
    flags = recommended_feature_flags()
    assert len(flags) > 80 and all(flag.startswith("@") for flag in flags)
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    assert {flag: context.get(flag) for flag in flags} == flags
    flags.clear()
    assert recommended_feature_flags()


def test_the_readmes_team_app_uses_the_recommended_feature_flags() -> None:
    """GIVEN the README's team-app section THEN its app is built with them."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### A team app across stacks", 1)[1].split("\n## ", 1)[0]
    assert "cdk.App(context=recommended_feature_flags())" in section
    assert "cdk.json" in section


# --- explain, in plain words --------------------------------------------------------------


def _definition(steps: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"Version": "2020-12-01", "Parameters": [], "Steps": steps, **more}


def _processing(role: Any) -> dict[str, Any]:
    return {"Name": "Prepare", "Type": "Processing", "Arguments": {
        "RoleArn": role, "ProcessingJobName": "fraud-prepare",
        "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/p:1"},
        "ProcessingResources": {"ClusterConfig": {
            "InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}}}}


def test_explain_shows_a_role_name_as_given_and_says_where_its_arn_comes_from() -> None:
    """GIVEN a step whose role is a bare name WHEN explained THEN the name as given, and
    that the stack's partition and account complete its ARN (no ${AWS::...} text)."""
    text = to_text(read_definition(_definition([_processing("prepare-role")])))
    roles = text.split("Roles passed:\n", 1)[1].split("\n\n", 1)[0]
    assert roles.startswith("  prepare-role (a role name: its ARN takes the partition and "
                            "account of the stack that deploys the pipeline)")
    assert "${AWS::" not in roles


def test_explain_calls_the_experiment_config_the_pipelines_not_a_step() -> None:
    """GIVEN a definition with PipelineExperimentConfig WHEN explained without the
    pipeline's name THEN its value is the pipeline's setting, never 'step
    PipelineExperimentConfig'."""
    definition = _definition([_processing("arn:aws:iam::111122223333:role/r")],
                             PipelineExperimentConfig={
                                 "ExperimentName": {"Get": "Execution.PipelineName"},
                                 "TrialName": {"Get": "Execution.PipelineExecutionId"}})
    text = to_text(read_definition(definition))
    assert "the pipeline's PipelineExperimentConfig.ExperimentName" in text
    assert "step 'PipelineExperimentConfig'" not in text


def test_the_plan_says_plainly_what_runs_a_job_today() -> None:
    """GIVEN a step whose role is a parameter, and one with a role ARN WHEN the plan is
    written THEN the heading says the definition names no role ARN for the first, and what
    it runs the second as; never 'none derived'."""
    definition = _definition(
        [_processing({"Get": "Parameters.Role"}),
         {**_processing("arn:aws:iam::111122223333:role/r"), "Name": "Other"}],
        Parameters=[{"Name": "Role", "Type": "String",
                     "DefaultValue": "arn:aws:iam::111122223333:role/x"}])
    definition["Steps"][1]["Arguments"]["ProcessingJobName"] = "fraud-other"
    text = plan_to_text(read_definition(definition))
    headings = [line for line in text.splitlines() if line.startswith("Role of")]
    assert "none derived" not in text
    assert any("the definition names no role ARN for it today" in h for h in headings), headings
    assert any("the definition runs it as arn:aws:iam::111122223333:role/r today" in h
               for h in headings), headings
