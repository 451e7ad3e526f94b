"""LeastPrivilegePipeline: its props are checked before anything is made, the definition
goes inline or into S3, and what it exposes (roles, name, ARN, grants)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from iamsim import Request
from sm_pipeline_iam import DefinitionError, InvalidPropsError, LeastPrivilegePipeline
from sm_pipeline_iam.cdk import pipeline as pipeline_module
from sm_pipeline_iam.core.notices import MANIFEST_UNDECLARED, MODEL_ENDPOINTS_UNNAMED
from support.cfn import ACCOUNT, REGION, resources_of_type, synthesized_resolver
from support.tables import decide, role_ids

DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"
DEFINITION = DEFINITIONS / "training_eval_register.json"


def _stack(env: bool = True) -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(
        account=ACCOUNT, region=REGION) if env else None)


def _build(stack: cdk.Stack | None = None, **props: Any) -> LeastPrivilegePipeline:
    props = {"definition": DEFINITION, "pipeline_name": "fraud", **props}
    return LeastPrivilegePipeline(stack or _stack(), "Pipeline", **props)


@pytest.mark.parametrize(("props", "prop", "code"), [
    ({"pipeline_name": "bad name"}, "pipeline_name", "invalidPipelineName"),
    ({"pipeline_name": None}, "pipeline_name", "notAString"),
    ({"pipeline_name": cdk.Aws.STACK_NAME}, "pipeline_name", "token"),
    ({"definition": 42}, "definition", "notADefinition"),
    ({"per_step_roles": "yes"}, "per_step_roles", "notABool"),
    ({"definition_in_s3": 1}, "definition_in_s3", "notABool"),
    ({"required_job_prefix": 5}, "required_job_prefix", "notAString"),
    ({"required_job_prefix": cdk.Aws.STACK_NAME}, "required_job_prefix", "notAString"),
    ({"pipeline_display_name": ""}, "pipeline_display_name", "invalidPipelineName"),
    ({"pipeline_display_name": "Fraud detection"}, "pipeline_display_name",
     "invalidPipelineName"),
    ({"pipeline_description": "x" * 3073}, "pipeline_description", "invalidText"),
    ({"parallelism": "25"}, "parallelism", "invalidParallelism"),
    ({"parallelism": 0}, "parallelism", "invalidParallelism"),
    ({"parallelism": True}, "parallelism", "invalidParallelism"),
    ({"parallelism": -1}, "parallelism", "invalidParallelism"),
    ({"tags": ["team", "fraud"]}, "tags", "notAMapping"),
    ({"role_name": "one-role"}, "role_name", "oneRoleOption"),
    ({"permission_boundary": None}, "permission_boundary", "unknownProp"),
])
def test_bad_props_are_named_and_nothing_is_made(props: dict[str, Any], prop: str,
                                                 code: str) -> None:
    """GIVEN one bad prop WHEN the pipeline is built THEN InvalidPropsError names the prop,
    and the stack holds nothing."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        _build(stack, **props)
    assert [(p.prop, p.code) for p in raised.value.problems] == [(prop, code)]
    assert "Traceback" not in str(raised.value)
    assert stack.node.try_find_child("Pipeline") is None


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(InvalidPropsError) as raised:
        _build(pipeline_name="-x", parallelism="4", tags="team=fraud")
    assert {p.prop for p in raised.value.problems} == {"pipeline_name", "parallelism", "tags"}


def test_a_malformed_definition_is_a_definition_error() -> None:
    stack = _stack()
    with pytest.raises(DefinitionError):
        _build(stack, definition='{"Steps": 1}')
    assert stack.node.try_find_child("Pipeline") is None


def test_required_job_prefix_outside_the_definition_is_named() -> None:
    """GIVEN required_job_prefix='fraud' and a definition whose training job the SDK names by
    default WHEN built THEN the error names that step, and no pipeline is made."""
    stack = _stack()
    with pytest.raises(InvalidPropsError, match="step TrainModel"):
        _build(stack, definition=DEFINITIONS / "training_eval_register_prefixed.json",
               required_job_prefix="fraud")
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}


def test_required_job_prefix_that_every_job_carries_passes() -> None:
    definition = json.loads((DEFINITIONS / "training_eval_register_prefixed.json").read_text())
    definition["Steps"] = [s for s in definition["Steps"] if s["Name"] != "TrainModel"]
    built = _build(definition=json.dumps(definition).replace(
        '"Get": "Steps.TrainModel.ModelArtifacts.S3ModelArtifacts"',
        '"Get": "Parameters.InputDataUrl"'), required_job_prefix="fraud")
    assert built.pipeline_name == "fraud"


def test_inline_definition_and_properties() -> None:
    stack = _stack()
    built = _build(stack, pipeline_display_name="Fraud", pipeline_description="Detects fraud",
                   parallelism=1000, tags={"team": "fraud"})
    (resource,) = resources_of_type(Template.from_stack(stack).to_json(),
                                    "AWS::SageMaker::Pipeline").values()
    properties = resource["Properties"]
    assert "PipelineDefinitionBody" in properties["PipelineDefinition"]
    assert properties["PipelineName"] == "fraud"
    assert properties["PipelineDisplayName"] == "Fraud"
    assert properties["PipelineDescription"] == "Detects fraud"
    # SageMaker sets no upper bound on MaxParallelExecutionSteps.
    assert properties["ParallelismConfiguration"] == {"MaxParallelExecutionSteps": 1000}
    assert properties["Tags"] == [{"Key": "team", "Value": "fraud"}]
    assert built.pipeline_arn.endswith(":pipeline/fraud")
    assert built.role_for("TrainModel") is built.job_roles.roles["TrainModel"]


def test_a_large_definition_goes_to_s3(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a definition over the inline limit WHEN built THEN it goes into an S3 asset
    whose role ARNs are literal and named like the roles the stack creates."""
    monkeypatch.setattr(pipeline_module, "INLINE_DEFINITION_LIMIT", 1_000)
    stack = _stack()
    _build(stack)
    template = Template.from_stack(stack).to_json()
    (resource,) = resources_of_type(template, "AWS::SageMaker::Pipeline").values()
    assert "PipelineDefinitionS3Location" in resource["Properties"]["PipelineDefinition"]
    names = {r["Properties"]["RoleName"] for r in resources_of_type(
        template, "AWS::IAM::Role").values() if "RoleName" in r["Properties"]}
    assert len(names) == 4 and all(name.startswith("fraud-Step") for name in names)
    assert all(len(name) <= 64 for name in names)


def test_s3_definition_needs_a_concrete_environment() -> None:
    """GIVEN an environment-agnostic stack WHEN the definition must go to S3 THEN the error
    says why, and no role made before the check stays in the stack."""
    stack = _stack(env=False)
    with pytest.raises(InvalidPropsError, match="concrete account and region"):
        _build(stack, definition_in_s3=True)
    assert stack.node.try_find_child("Pipeline") is None
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}


def test_long_names_give_unique_role_names_within_iam_limits() -> None:
    long_name = "p" * 256
    first = pipeline_module._job_role_name(long_name, "StepA" + "x" * 70)
    second = pipeline_module._job_role_name(long_name, "StepA" + "x" * 70 + "y")
    assert len(first) <= 64 and len(second) <= 64 and first != second


def test_grants_return_successful_grants_on_the_grantee() -> None:
    stack = _stack()
    built = _build(stack)
    user = iam.Role(stack, "User", assumed_by=iam.AccountRootPrincipal())
    for grant in (built.grant_start_execution(user), built.grant_read(user),
                  built.grant_update(user)):
        assert grant.success
        assert grant.principal_statements


INTEGRATIONS = DEFINITIONS / "integrations.json"
SCORES = {"ScoresPrefix": ["s3://ml-artifacts-111122223333/scores"]}


@pytest.mark.parametrize(("runtime_roles", "code"), [
    ({"AggregateOnEmr": "arn:aws:iam::111122223333:role/Runtime"}, "notRoles"),
    (["AggregateOnEmr"], "notRoles"),
    ({"ExtractFeatures": None}, "notRoles"),
])
def test_runtime_roles_of_the_wrong_type_are_named(runtime_roles: Any, code: str) -> None:
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        _build(stack, definition=INTEGRATIONS, parameter_values=SCORES,
               runtime_roles=runtime_roles)
    assert [(p.prop, p.code) for p in raised.value.problems] == [("runtime_roles", code)]
    assert stack.node.try_find_child("Pipeline") is None


def test_runtime_roles_for_a_step_without_one_are_named() -> None:
    stack = _stack()
    role = iam.Role.from_role_arn(stack, "R", "arn:aws:iam::111122223333:role/Runtime")
    with pytest.raises(InvalidPropsError, match="'ExtractFeatures', which is not an EMR"):
        _build(stack, definition=INTEGRATIONS, parameter_values=SCORES,
               runtime_roles={"ExtractFeatures": role})
    assert stack.node.try_find_child("Pipeline") is None


def test_runtime_roles_in_an_s3_definition_need_literal_arns() -> None:
    """GIVEN a definition in S3 WHEN a runtime role's ARN is a token THEN the error says to
    give a literal ARN; a role imported by its ARN is written into the S3 copy."""
    stack = _stack()
    made = iam.Role(stack, "Made",
                    assumed_by=iam.ServicePrincipal("elasticmapreduce.amazonaws.com"))
    with pytest.raises(InvalidPropsError, match="known only at deploy time"):
        _build(stack, definition=INTEGRATIONS, parameter_values=SCORES, definition_in_s3=True,
               runtime_roles={"AggregateOnEmr": made})
    assert stack.node.try_find_child("Pipeline") is None

    stack = _stack()
    literal = "arn:aws:iam::111122223333:role/NewEmrRuntime"
    imported = iam.Role.from_role_arn(stack, "Imported", literal)
    _build(stack, definition=INTEGRATIONS, parameter_values=SCORES, definition_in_s3=True,
           runtime_roles={"AggregateOnEmr": imported})
    outdir = Path(cdk.Stage.of(stack).synth().directory)  # type: ignore[union-attr]
    (asset,) = outdir.glob("asset.*.json")
    steps = {s["Name"]: s for s in json.loads(asset.read_text())["Steps"]}
    assert steps["AggregateOnEmr"]["Arguments"]["ExecutionRoleArn"] == literal


def test_a_96_deep_chain_of_conditions_deploys() -> None:
    """GIVEN a Processing step inside 96 nested Conditions (a public Airflow system-test
    pipeline's depth) WHEN deployed THEN the pipeline's body holds every level and the
    step's role field is its generated role's ARN."""
    original = json.loads(DEFINITION.read_text())
    step: dict[str, Any] = original["Steps"][0]
    for level in range(96):
        step = {"Name": f"Check{level}", "Type": "Condition", "Arguments": {
            "Conditions": [{"Type": "Equals", "LeftValue": "a", "RightValue": "a"}],
            "IfSteps": [step], "ElseSteps": []}}
    stack = _stack()
    pipeline = _build(stack, definition={**original, "Steps": [step]})
    (resource,) = resources_of_type(Template.from_stack(stack).to_json(),
                                    "AWS::SageMaker::Pipeline").values()
    body = json.dumps(resource["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"])
    role = stack.get_logical_id(pipeline.role_for("PreprocessData").node.default_child)  # type: ignore[arg-type]
    assert '\\"Name\\":\\"Check95\\"' in body
    assert '\\"Name\\":\\"Check0\\"' in body
    assert f'{{"Fn::GetAtt": ["{role}", "Arn"]}}' in body


# --- manifest_locations ------------------------------------------------------------------

_MANIFEST_DEFINITION = {"Steps": [{"Name": "TrainOnImages", "Type": "Training", "Arguments": {
    "TrainingJobName": "fraud",
    "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/TrainRole",
    "AlgorithmSpecification": {
        "TrainingImage": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/train:1",
        "TrainingInputMode": "Pipe"},
    "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
        "S3DataType": "AugmentedManifestFile",
        "S3Uri": "s3://ml-data-111122223333/manifests/train.manifest"}}}],
    "OutputDataConfig": {"S3OutputPath": "s3://ml-data-111122223333/models"},
}}]}


def _warnings(stack: cdk.Stack) -> list[str]:
    return [str(w.entry.data) for w in Annotations.from_stack(stack).find_warning(
        "*", Match.any_value())]


def test_manifest_locations_reach_the_steps_job_role() -> None:
    """GIVEN a definition whose training step reads a manifest WHEN the pipeline is built
    with manifest_locations for it THEN that step's deployed job role reads the declared
    folder's objects (not a sibling folder's), and no manifest warning is left; without
    them, the warning names the step."""
    stack = _stack()
    _build(stack, definition=_MANIFEST_DEFINITION,
           manifest_locations={"TrainOnImages": ["s3://ml-data-111122223333/images"]})
    resolver = synthesized_resolver(Template.from_stack(stack).to_json(), "Stack")
    (role_id,) = [i for i in role_ids(resolver) if "JobRolesStepTrainOnImages" in i]
    objects = {key: Request(key, "", "s3:GetObject", f"arn:aws:s3:::ml-data-111122223333/{key}")
               for key in ("images/cat.jpg", "images-old/cat.jpg")}
    results = decide(resolver, objects.values(), role_id=role_id)
    assert results == {"images/cat.jpg": "Allowed", "images-old/cat.jpg": "ImplicitlyDenied"}
    assert not any(MANIFEST_UNDECLARED in w for w in _warnings(stack))

    undeclared = _stack()
    _build(undeclared, definition=_MANIFEST_DEFINITION)
    assert any(MANIFEST_UNDECLARED in w and "'TrainOnImages'" in w
               for w in _warnings(undeclared))


def test_manifest_locations_naming_no_manifest_step_is_an_error() -> None:
    """GIVEN manifest_locations with a misspelt step WHEN the pipeline is built THEN a
    DefinitionError names the closest step, and nothing is made."""
    stack = _stack()
    with pytest.raises(DefinitionError, match="did you mean 'TrainOnImages'"):
        _build(stack, definition=_MANIFEST_DEFINITION,
               manifest_locations={"TrainOnImage": ["s3://ml-data-111122223333/images"]})
    assert stack.node.try_find_child("Pipeline") is None


# --- model_endpoints ---------------------------------------------------------------------


def test_model_endpoints_reach_the_model_steps_role() -> None:
    """GIVEN a definition whose Model step no Endpoint step deploys WHEN the pipeline is
    built with model_endpoints for it THEN that step's deployed role writes the declared
    endpoint's logs (its group ':*' and its streams), not another endpoint's, and no
    modelEndpointsUnnamed warning names it; without them, the warning does."""
    stack = _stack()
    _build(stack, model_endpoints={"CreateFraudModel": ["fraud-prod"]})
    resolver = synthesized_resolver(Template.from_stack(stack).to_json(), "Stack")
    (role_id,) = [i for i in role_ids(resolver) if "JobRolesStepCreateFraudModel" in i]
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints/"
    # The ':*' of a group ARN is part of the ARN CloudWatch Logs authorizes, not a pattern.
    requests = [Request(f"{action} {name}", "", action, f"{group}{name}{suffix}",
                        literal=suffix == ":*")
                for name in ("fraud-prod", "other-ep")
                for action, suffix in (("logs:CreateLogGroup", ":*"),
                                       ("logs:DescribeLogStreams", ":*"),
                                       ("logs:CreateLogStream", ":log-stream:AllTraffic/i-0a"),
                                       ("logs:PutLogEvents", ":log-stream:AllTraffic/i-0a"))]
    results = decide(resolver, requests, role_id=role_id)
    assert results == {r.id: "Allowed" if "fraud-prod" in r.id else "ImplicitlyDenied"
                       for r in requests}
    assert not any(MODEL_ENDPOINTS_UNNAMED in w and "'CreateFraudModel'" in w
                   for w in _warnings(stack))

    undeclared = _stack()
    _build(undeclared)
    assert any(MODEL_ENDPOINTS_UNNAMED in w and "'CreateFraudModel'" in w
               for w in _warnings(undeclared))


@pytest.mark.parametrize(("declared", "fragment"), [
    ({"CreateFraudMdel": ["fraud-prod"]}, "did you mean 'CreateFraudModel'"),
    ({"TrainModel": ["fraud-prod"]}, "a Training step"),
    ({"CreateFraudModel": ["fraud-*"]}, "contains a wildcard"),
])
def test_bad_model_endpoints_fail_before_anything_is_made(
    declared: dict[str, list[str]], fragment: str
) -> None:
    """GIVEN model_endpoints naming a misspelt step, a step that is not a Model step, or a
    wildcard WHEN the pipeline is built THEN a DefinitionError says so, and nothing is
    made."""
    stack = _stack()
    with pytest.raises(DefinitionError, match=fragment):
        _build(stack, model_endpoints=declared)
    assert stack.node.try_find_child("Pipeline") is None


def test_a_token_in_model_endpoints_is_refused_up_front() -> None:
    """GIVEN an endpoint name from a CfnParameter WHEN the pipeline is built THEN a
    DefinitionError 'token' names the prop (the name scopes a log group grant, so it must be
    known at synthesis), and nothing is made."""
    stack = _stack()
    name = cdk.CfnParameter(stack, "EndpointName").value_as_string
    with pytest.raises(DefinitionError) as raised:
        _build(stack, model_endpoints={"CreateFraudModel": [name]})
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("model_endpoints['CreateFraudModel']", "token")]
    assert stack.node.try_find_child("Pipeline") is None
