"""The sample app uses the library's public API only, and the public pieces it needs do
what it relies on: the settings' derived values, ``PipelineJobRoles.if_needed``,
``stackset_template`` and ``report_markdown``."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match

import sm_pipeline_iam
from sm_pipeline_iam import (
    AppSettings,
    InvalidPropsError,
    PipelineJobRoles,
    PrefixedStepRole,
    report_markdown,
    stackset_template,
)
from sm_pipeline_iam.app_context import TEAMS_PER_STACK
from sm_pipeline_iam.core.notices import MODEL_OUTSIDE_PIPELINE
from support.scenarios import sample_context

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "tests" / "fixtures" / "definitions" / "training_eval_register.json"
LAMBDA_ONLY = {"Version": "2020-12-01", "Steps": [{
    "Name": "Notify", "Type": "Lambda", "Arguments": {},
    "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:notify",
    "OutputParameters": [],
}]}
OUTSIDE_MODEL_TRANSFORM = {"Version": "2020-12-01", "Steps": [{
    "Name": "BatchScore", "Type": "Transform",
    "Arguments": {
        "ModelName": "fraud-model-registered-elsewhere",
        "TransformInput": {"DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://ml-artifacts/fraud/batch-input"}}},
        "TransformOutput": {"S3OutputPath": "s3://ml-artifacts/fraud/batch-output"},
        "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge"},
    },
}]}

#: Where app.py may import from besides the standard library.
THIRD_PARTY = ("aws_cdk", "constructs")


def _import_problems(source: str) -> list[str]:
    """What is wrong with the imports of ``source``, as app.py must import: the library
    only as ``from sm_pipeline_iam import <public name>``, and nothing but the standard
    library, aws_cdk and constructs besides."""
    problems = []
    allowed = set(sys.stdlib_module_names) | {*THIRD_PARTY, "__future__", "sm_pipeline_iam"}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imports = [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imports = [(node.module or "", alias.name) for alias in node.names]
        else:
            continue
        for module, name in imports:
            if module.split(".")[0] not in allowed:
                problems.append(f"{module} is neither the library nor the CDK")
            elif module.startswith("sm_pipeline_iam."):
                problems.append(f"{module} is a submodule: import from sm_pipeline_iam")
            elif module == "sm_pipeline_iam" and not name:
                problems.append("import sm_pipeline_iam reaches its submodules: import "
                                "its public names")
            elif module == "sm_pipeline_iam" and name not in sm_pipeline_iam.__all__:
                problems.append(f"sm_pipeline_iam.{name} is not public (__all__)")
    return problems


def test_app_imports_only_the_librarys_top_level_names() -> None:
    """GIVEN app.py's source WHEN its imports are parsed THEN the library is imported only
    as ``from sm_pipeline_iam import <public name>`` (no ``sm_pipeline_iam.<sub>``)."""
    source = (ROOT / "app.py").read_text()
    assert "from sm_pipeline_iam import" in source
    assert _import_problems(source) == []


@pytest.mark.parametrize(("source", "problem"), [
    ("from sm_pipeline_iam.core.errors import DefinitionError",
     "sm_pipeline_iam.core.errors is a submodule"),
    ("import sm_pipeline_iam.cdk.job_roles", "sm_pipeline_iam.cdk.job_roles is a submodule"),
    ("from sm_pipeline_iam import _deprecated", "sm_pipeline_iam._deprecated is not public"),
    ("import sm_pipeline_iam", "import sm_pipeline_iam reaches its submodules"),
    ("import boto3", "boto3 is neither the library nor the CDK"),
])
def test_the_import_check_refuses_what_app_py_must_not_import(source: str,
                                                              problem: str) -> None:
    """GIVEN a source with a forbidden import WHEN checked as app.py is THEN its problem."""
    (found,) = _import_problems(source)
    assert found.startswith(problem)


# --- the settings' derived values ----------------------------------------------------------


class _Node:
    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context

    def try_get_context(self, key: str) -> Any:
        return self.context.get(key)


def _settings(**overrides: str) -> AppSettings:
    return AppSettings.from_context(_Node(sample_context(**overrides)))


@pytest.mark.parametrize(("count", "sizes"), [
    (0, [0]), (1, [1]), (TEAMS_PER_STACK, [TEAMS_PER_STACK]),
    (TEAMS_PER_STACK + 1, [TEAMS_PER_STACK, 1]), (450, [200, 200, 50]),
])
def test_team_groups_fill_stacks_up_to_the_limit(count: int, sizes: list[int]) -> None:
    """GIVEN some teams WHEN grouped THEN groups of at most TEAMS_PER_STACK, in order, and
    one empty group without teams."""
    settings = _settings(teams=";".join(f"t{n}=Processing" for n in range(count)))
    groups = settings.team_groups
    assert [len(group) for group in groups] == sizes
    assert [name for group in groups for name, _ in group] == [f"t{n}" for n in range(count)]


@pytest.mark.parametrize(("mode", "generates", "per_step"), [
    (None, True, True), ("per-step", True, True), ("shared", True, False),
    ("none", False, True),
])
def test_job_roles_key_maps_to_the_constructs_props(
    mode: str | None, generates: bool, per_step: bool
) -> None:
    """GIVEN job_roles WHEN read THEN whether roles are generated, and one per step."""
    context = {"pipeline_definition": str(TRAINING)}
    if mode is not None:
        context["job_roles"] = mode
    settings = _settings(**context)
    assert (settings.generates_job_roles, settings.per_step_roles) == (generates, per_step)


def test_exception_tag_defaults_to_the_documented_tag() -> None:
    assert _settings().exception_tag == ("sm-pipeline-exception", "true")
    assert _settings(principal_tag="team=ml").exception_tag == ("team", "ml")


# --- PipelineJobRoles.if_needed ------------------------------------------------------------


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack",
                     env=cdk.Environment(account="111122223333", region="us-east-1"))


def test_if_needed_makes_the_job_roles_of_a_definition_with_jobs() -> None:
    stack = _stack()
    job_roles = PipelineJobRoles.if_needed(stack, "JobRoles", definition=TRAINING,
                                           per_step_roles=False)
    assert job_roles is not None and job_roles.node.path == "Stack/JobRoles"
    assert [role.node.id for role in dict.fromkeys(job_roles.roles.values())] == ["Shared"]


def test_if_needed_makes_nothing_for_a_definition_without_job_steps() -> None:
    stack = _stack()
    assert PipelineJobRoles.if_needed(stack, "JobRoles", definition=LAMBDA_ONLY) is None
    assert stack.node.try_find_child("JobRoles") is None
    assert not [c for c in stack.node.find_all() if isinstance(c, iam.Role)]


def test_if_needed_puts_the_outside_models_warnings_on_its_scope() -> None:
    """GIVEN a Transform of a model made outside the pipeline WHEN if_needed THEN no job
    roles, and the job's warnings on the scope (they concern a role not made here)."""
    stack = _stack()
    assert PipelineJobRoles.if_needed(stack, "JobRoles",
                                      definition=OUTSIDE_MODEL_TRANSFORM) is None
    Annotations.from_stack(stack).has_warning(
        "/Stack", Match.string_like_regexp(f".*{MODEL_OUTSIDE_PIPELINE}.*"))


@pytest.mark.parametrize(("props", "codes"), [
    ({"definition": TRAINING, "per_step_roles": "yes"}, {("per_step_roles", "notABool")}),
    ({"definition": LAMBDA_ONLY, "keep_roles_for": ["Nope"]},
     {("keep_roles_for", "unknownStep"), ("definition", "noJobSteps")}),
])
def test_if_needed_raises_every_other_problem(props: dict[str, Any],
                                              codes: set[tuple[str, str]]) -> None:
    """GIVEN bad props (with or without noJobSteps) WHEN if_needed THEN the constructor's
    error, nothing made."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        PipelineJobRoles.if_needed(stack, "JobRoles", **props)
    assert {(p.prop, p.code) for p in raised.value.problems} == codes
    assert stack.node.try_find_child("JobRoles") is None


# --- stackset_template ---------------------------------------------------------------------


def _workload(scope: Any, id: str, **props: Any) -> cdk.Stack:
    stack = cdk.Stack(scope, id, **props)
    PrefixedStepRole(stack, "TeamRole", job_prefix="rsch", step_types=["Processing"])
    return stack


def test_stackset_template_is_environment_agnostic_and_bootstrapless() -> None:
    text = stackset_template(_workload, stack_id="Workload", literal_accounts=["444455556666"])
    template = json.loads(text)
    assert text == json.dumps(template, separators=(",", ":"), sort_keys=True)
    assert "BootstrapVersion" not in text and "Rules" not in template
    assert '{"Ref":"AWS::AccountId"}' in text
    assert [r["Type"] for r in template["Resources"].values()].count("AWS::IAM::Role") == 1


def test_stackset_template_refuses_a_literal_account() -> None:
    def named(scope: Any, id: str, **props: Any) -> cdk.Stack:
        stack = _workload(scope, id, **props)
        cdk.CfnOutput(stack, "Account", value="444455556666")
        return stack

    with pytest.raises(ValueError, match=r"names account 444455556666 literally"):
        stackset_template(named, stack_id="Workload", literal_accounts=["444455556666"])


# --- report_markdown -----------------------------------------------------------------------


def test_report_markdown_reviews_the_assembly(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    _workload(app, "Workload")
    text = report_markdown(app.synth().directory)
    assert text.startswith("#") and "Workload" in text and "TeamRole" in text
