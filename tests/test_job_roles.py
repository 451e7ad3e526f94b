"""Job roles: PipelineJobRoles (from a definition), JobRole (from settings), the execution
role passing them, its executionRoleRunsJobs warning, and the sample app's job_roles key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from app import PipelineIamStack, build_app
from sm_pipeline_iam import (
    InvalidPropsError,
    JobRole,
    JobRoleLocation,
    NoJobRoleError,
    PipelineExecutionRole,
    PipelineJobRoles,
    StepType,
)
from sm_pipeline_iam.cdk.job_roles import StableTokens
from sm_pipeline_iam.core.cfn import render_text
from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.definition.rewrite import role_slots, with_roles
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.core.job_roles.needs import merge_needs
from sm_pipeline_iam.core.job_roles.policy import job_statements
from sm_pipeline_iam.core.notices import ANY_VALUE_METADATA, EXECUTION_ROLE_RUNS_JOBS
from support.cfn import ACCOUNT, REGION
from support.scenarios import sample_context, stacks_of

DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"
FIXTURES = sorted(path.stem for path in DEFINITIONS.glob("*.json"))
TRAINING = DEFINITIONS / "training_eval_register.json"
TUNING = DEFINITIONS / "tuning_transform_foreach.json"
OTHER = DEFINITIONS / "other_steps.json"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/{{}}"


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Stack", env=cdk.Environment(account=ACCOUNT, region=REGION))


def _logical_id(stack: cdk.Stack, role: iam.IRole) -> str:
    assert isinstance(role, iam.Role)
    child = role.node.default_child
    assert isinstance(child, cdk.CfnElement)
    return stack.resolve(child.logical_id)  # type: ignore[no-any-return]


def _roles(template: dict[str, Any]) -> list[str]:
    return sorted(k for k, v in template["Resources"].items() if v["Type"] == "AWS::IAM::Role")


def _statements(template: dict[str, Any], role_logical_id: str) -> list[dict[str, Any]]:
    """The statements of the role's policies, each intrinsic rendered as ${...}."""
    found = []
    for resource in template["Resources"].values():
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and (
            {"Ref": role_logical_id} in resource["Properties"].get("Roles", [])
        ):
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                resources = statement["Resource"]
                resources = resources if isinstance(resources, list) else [resources]
                found.append({**statement, "Resource": [render_text(r) for r in resources]})
    return found


def _pass_role_targets(template: dict[str, Any], role_logical_id: str) -> list[str]:
    statements = [s for s in _statements(template, role_logical_id)
                  if s["Action"] == "iam:PassRole"]
    assert len(statements) == 1, statements
    (statement,) = statements
    assert statement["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    return statement["Resource"]  # type: ignore[no-any-return]


def _warnings(stack: cdk.Stack, path: str = "*") -> list[str]:
    return [str(w.entry.data) for w in Annotations.from_stack(stack).find_warning(
        path, Match.any_value())]


# --- PipelineJobRoles ----------------------------------------------------------------------


@pytest.mark.parametrize("fixture", FIXTURES)
def test_one_role_per_job_step_named_after_the_step(fixture: str) -> None:
    """GIVEN an SDK-built definition WHEN its job roles are made THEN one role per step that
    runs a job (a Transform step on its model's), each at JobRoles/Step<name>, with exactly
    the statements of its step's needs."""
    path = DEFINITIONS / f"{fixture}.json"
    jobs = read_definition(path).jobs
    stack = _stack()
    job_roles = PipelineJobRoles(stack, "JobRoles", definition=path)
    own = [needs for needs in jobs if needs.step_types[0] is not StepType.TRANSFORM]
    template = Template.from_stack(stack).to_json()
    assert len(_roles(template)) == len(own)
    assert sorted(job_roles.roles) == sorted(needs.step for needs in jobs)
    for needs in own:
        role = job_roles.role_for(needs.step)
        assert role.node.path == f"Stack/JobRoles/Step{needs.step}"
        assert _logical_id(stack, role).startswith(f"JobRolesStep{needs.step.replace('_', '')}")
        runners = [n for n in jobs if n.runs_as_step == needs.step]
        expected = merge_needs([needs, *runners]) if runners else needs
        assert job_roles.roles[needs.step].statements == tuple(job_statements(expected))
    for needs in jobs:
        if needs.runs_as_step is not None:
            assert job_roles.role_for(needs.step) is job_roles.role_for(needs.runs_as_step)


def test_a_transform_step_runs_on_its_models_role_and_no_other() -> None:
    """GIVEN a Transform step running a Model step's model WHEN roles are made THEN the
    model's role holds the transform's input, output and logs; no other role does."""
    stack = _stack()
    job_roles = PipelineJobRoles(stack, "JobRoles", definition=TUNING)
    model = job_roles.role_for("BatchScore")
    assert model is job_roles.role_for("CreateBestModel")
    template = Template.from_stack(stack).to_json()
    for step, role in job_roles.roles.items():
        text = json.dumps(_statements(template, _logical_id(stack, role)))
        holds = ":log-group:/aws/sagemaker/TransformJobs" in text and "fraud/batch-output/*" in text
        assert holds == (step in ("BatchScore", "CreateBestModel")), step


def test_shared_mode_makes_one_role_for_every_job() -> None:
    """GIVEN per_step_roles=False WHEN roles are made THEN one role, JobRoles/Shared, for every
    job step, with the union of their needs."""
    stack = _stack()
    job_roles = PipelineJobRoles(stack, "JobRoles", definition=TUNING, per_step_roles=False)
    jobs = read_definition(TUNING).jobs
    assert {role.node.path for role in job_roles.roles.values()} == {"Stack/JobRoles/Shared"}
    assert sorted(job_roles.roles) == sorted(needs.step for needs in jobs)
    (shared,) = set(job_roles.roles.values())
    assert shared.statements == tuple(job_statements(merge_needs(jobs)))
    assert len(_roles(Template.from_stack(stack).to_json())) == 1
    assert len(job_roles.execution_role_targets) == 1


def test_kept_steps_keep_the_definitions_role() -> None:
    """GIVEN keep_roles_for=[TrainModel] WHEN roles are made THEN none for it, role_for says
    so, and the execution role still passes its definition role, the others no more."""
    stack = _stack()
    job_roles = PipelineJobRoles(stack, "JobRoles", definition=TRAINING,
                                 keep_roles_for=["TrainModel"])
    execution = PipelineExecutionRole.from_definition(stack, "Execution", TRAINING,
                                                      job_roles=job_roles)
    assert "TrainModel" not in job_roles.roles and job_roles.kept_steps == ("TrainModel",)
    with pytest.raises(NoJobRoleError, match="keeps the definition's role"):
        job_roles.role_for("TrainModel")
    template = Template.from_stack(stack).to_json()
    targets = _pass_role_targets(template, _logical_id(stack, execution))
    generated = [f"${{{_logical_id(stack, job_roles.role_for(step))}.Arn}}"
                 for step in ("PreprocessData", "EvaluateModel", "CreateFraudModel")]
    assert targets == [*generated, ROLE.format("FraudTrainingRole")]


@pytest.mark.parametrize(
    ("props", "codes"),
    [
        ({"keep_roles_for": ["NoSuchStep"]}, {("keep_roles_for", "unknownStep")}),
        ({"keep_roles_for": ["CheckAccuracy"]}, {("keep_roles_for", "notAJobStep")}),
        ({"keep_roles_for": "TrainModel", "role_name": "one", "per_step_roles": True},
         {("keep_roles_for", "notAList"), ("role_name", "namePerStep")}),
        ({"per_step_roles": "yes"}, {("per_step_roles", "notABool")}),
        ({"definition": 42}, {("definition", "notADefinition")}),
        ({"parameter_values": {"InputDataUrl": "s3://a/b"}},
         {("parameter_values", "notAMapping")}),
        ({"principal_tag": ("", "x")}, {("principal_tag", "tagKeyLength")}),
        ({"definition": TUNING, "keep_roles_for": ["CreateBestModel"]},
         {("keep_roles_for", "modelRoleSplit")}),
        ({"definition": TUNING, "keep_roles_for": ["BatchScore"]},
         {("keep_roles_for", "modelRoleSplit")}),
        ({"keep_roles_for": ["PreprocessData", "TrainModel", "EvaluateModel",
                             "CreateFraudModel"]}, {("definition", "noJobSteps")}),
    ],
)
def test_bad_props_fail_at_once_and_make_nothing(
    props: dict[str, Any], codes: set[tuple[str, str]]
) -> None:
    """GIVEN bad props WHEN the roles are made THEN one InvalidPropsError with every problem
    (by prop and code), and nothing added to the stack."""
    stack = _stack()
    with pytest.raises(InvalidPropsError) as raised:
        PipelineJobRoles(stack, "JobRoles", **{"definition": TRAINING, **props})
    assert {(p.prop, p.code) for p in raised.value.problems} == codes
    assert stack.node.children == [] or stack.node.try_find_child("JobRoles") is None
    assert not [c for c in stack.node.find_all() if isinstance(c, iam.Role)]


def test_role_for_names_what_is_wrong_with_the_step() -> None:
    """GIVEN an unknown step, a step that runs no job WHEN role_for THEN NoJobRoleError (a
    KeyError) saying which."""
    job_roles = PipelineJobRoles(_stack(), "JobRoles", definition=TRAINING)
    with pytest.raises(NoJobRoleError, match=r"no step is named 'Nope' \(steps with job "
                       r"roles: PreprocessData, TrainModel, EvaluateModel, CreateFraudModel\)"):
        job_roles.role_for("Nope")
    with pytest.raises(KeyError, match="'CheckAccuracy' is a Condition step, which runs no "
                                       "SageMaker job"):
        job_roles.role_for("CheckAccuracy")


def test_the_role_arn_mapping_names_each_role_field_and_rewrites_the_definition() -> None:
    """GIVEN job roles WHEN their mapping is read THEN each job step's SageMaker role field
    maps to its role's ARN (none for a Transform), and core.rewrite.with_roles with
    role_arn_for points exactly those fields at them."""
    stack = _stack()
    job_roles = PipelineJobRoles(stack, "JobRoles", definition=OTHER,
                                 keep_roles_for=["RunFraudReport"])
    mapping = {step: dict(fields) for step, fields in job_roles.role_arn_mapping.items()}
    assert mapping == {
        "CheckDataQuality": {"RoleArn": job_roles.role_for("CheckDataQuality").role_arn},
        "CheckDataBias": {"RoleArn": job_roles.role_for("CheckDataBias").role_arn},
        "CreateServingModel": {
            "ExecutionRoleArn": job_roles.role_for("CreateServingModel").role_arn},
        "SummarizeScores": {"RoleArn": job_roles.role_for("SummarizeScores").role_arn},
    }
    rewritten = with_roles(str(OTHER), job_roles.role_arn_for)
    values = {(slot.step, slot.field): stack.resolve(slot.value)
              for slot in role_slots(rewritten)}
    assert values[("CheckDataBias", "RoleArn")] == {
        "Fn::GetAtt": [_logical_id(stack, job_roles.role_for("CheckDataBias")), "Arn"]}
    assert values[("RunFraudReport", "RoleArn")] == ROLE.format("NotebookJobRole")
    assert values[("CreateSharedEndpointConfig", "ExecutionRoleArn")] == ROLE.format(
        "InferenceComponentEndpointRole")

    tuning = PipelineJobRoles(_stack(), "JobRoles", definition=TUNING)
    assert set(tuning.role_arn_mapping["TuneModel"]) == {"TrainingJobDefinition.RoleArn"}
    assert "BatchScore" not in tuning.role_arn_mapping


def test_the_execution_role_passes_exactly_the_job_roles() -> None:
    """GIVEN the execution role of a definition with its job roles WHEN synthesized THEN
    it passes the generated roles, to SageMaker only, and none of the definition's."""
    stack = _stack()
    job_roles = PipelineJobRoles(stack, "JobRoles", definition=TRAINING)
    execution = PipelineExecutionRole.from_definition(stack, "Execution", TRAINING,
                                                      job_roles=job_roles)
    template = Template.from_stack(stack).to_json()
    generated = [f"${{{_logical_id(stack, job_roles.role_for(step))}.Arn}}"
                 for step in ("PreprocessData", "TrainModel", "EvaluateModel",
                              "CreateFraudModel")]
    assert _pass_role_targets(template, _logical_id(stack, execution)) == generated
    assert [stack.resolve(arn) for arn in job_roles.execution_role_targets] == [
        {"Fn::GetAtt": [target[2:-5], "Arn"]} for target in generated]


def test_a_role_from_a_parameter_is_refused_unless_replaced() -> None:
    """GIVEN a step whose RoleArn is a parameter opted in to any value WHEN the execution
    role would pass it THEN an error names the step and field (never a PassRole on role/*);
    WHEN its job role replaces it THEN the field is not read and the execution role passes
    the generated roles only."""
    definition = json.loads(TRAINING.read_text())
    definition["Parameters"].append({"Name": "ProcessingRole", "Type": "String"})
    for step in definition["Steps"]:
        if step["Type"] == "Processing":
            step["Arguments"]["RoleArn"] = {"Get": "Parameters.ProcessingRole"}
    opt_in = {"any_value_parameters": ["ProcessingRole"]}
    with pytest.raises(DefinitionError, match=r"field RoleArn: parameter 'ProcessingRole' is "
                       r"opted in to any value .*role/\*"):
        PipelineExecutionRole.from_definition(_stack(), "Execution", definition, **opt_in)
    stack = _stack()
    job_roles = PipelineJobRoles(stack, "JobRoles", definition=definition, **opt_in)
    execution = PipelineExecutionRole.from_definition(stack, "Execution", definition,
                                                      job_roles=job_roles, **opt_in)
    targets = _pass_role_targets(Template.from_stack(stack).to_json(),
                                 _logical_id(stack, execution))
    assert not [t for t in targets if t.endswith(":role/*")]
    assert len(targets) == 4
    assert not [w for w in _warnings(stack, "/Stack/Execution") if "field RoleArn" in w]
    assert ANY_VALUE_METADATA not in json.dumps(Template.from_stack(stack).to_json())


def test_job_roles_of_another_definition_are_refused() -> None:
    """GIVEN job roles of one definition WHEN given to another's execution role THEN an
    InvalidPropsError naming the step; roles (not PipelineJobRoles) are refused too."""
    stack = _stack()
    job_roles = PipelineJobRoles(stack, "JobRoles", definition=TUNING)
    with pytest.raises(InvalidPropsError) as raised:
        PipelineExecutionRole.from_definition(stack, "Execution", TRAINING, job_roles=job_roles)
    assert {p.code for p in raised.value.problems} == {"otherDefinition"}
    assert "'TuneModel'" in str(raised.value)
    with pytest.raises(InvalidPropsError, match="give the PipelineJobRoles"):
        PipelineExecutionRole.from_definition(
            stack, "Execution2", TRAINING,
            job_roles=[job_roles.role_for("TuneModel")],  # type: ignore[arg-type]
        )


def test_a_jobs_warnings_are_on_its_own_role() -> None:
    """GIVEN a definition whose input is an unbound parameter WHEN roles are made THEN the
    unresolved-value warning is on that step's role only."""
    stack = _stack()
    PipelineJobRoles(stack, "JobRoles", definition=TRAINING)
    assert any("InputDataUrl" in w for w in _warnings(stack, "/Stack/JobRoles/StepPreprocessData"))
    assert not any("InputDataUrl" in w for w in _warnings(stack, "/Stack/JobRoles/StepTrainModel"))


# --- JobRole --------------------------------------------------------------------------------


#: The key statements of a JobRole: one per use of a key (its inputs' Decrypt is among
#: its outputs' actions).
KEY_SIDS = ("JobKeysForVolumes", "JobKeysForOutputs")


def _resources(statements: list[dict[str, Any]], sid: str) -> list[str]:
    (statement,) = [s for s in statements if s["Sid"] == sid]
    return statement["Resource"]  # type: ignore[no-any-return]


def test_a_job_role_from_constructs_resolves_to_their_arns() -> None:
    """GIVEN a bucket, a repository, a key, a VPC and a security group of the app WHEN a
    JobRole is made of them THEN its statements name them by their CloudFormation values."""
    stack = _stack()
    bucket = s3.Bucket(stack, "Data")
    repository = ecr.Repository(stack, "Repo")
    key = kms.Key(stack, "Key")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="jobs", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    group = ec2.SecurityGroup(stack, "Jobs", vpc=vpc)
    role = JobRole(
        stack, "JobRole", job_kinds=["TrainingJobs"],
        inputs=[JobRoleLocation.bucket(bucket, "fraud/train/")], outputs=[bucket],
        images=[repository], vpc=vpc, security_groups=[group], kms_keys=[key],
    )
    ids = {name: _logical_id_of(stack, construct) for name, construct in (
        ("bucket", bucket), ("repository", repository), ("key", key), ("group", group))}
    subnets = [_logical_id_of(stack, subnet) for subnet in vpc.isolated_subnets]
    statements = _statements(Template.from_stack(stack).to_json(), _logical_id(stack, role))
    s3_arn = f"arn:${{AWS::Partition}}:s3:::${{{ids['bucket']}}}"
    assert _resources(statements, "JobReadsObjects") == [
        f"{s3_arn}/fraud/train", f"{s3_arn}/fraud/train/*"]
    assert _resources(statements, "JobWritesObjects") == [f"{s3_arn}/*"]
    assert _resources(statements, "JobPullsImages") == [f"${{{ids['repository']}.Arn}}"]
    for sid in KEY_SIDS:  # settings do not say which field names a key: every use
        assert _resources(statements, sid) == [f"${{{ids['key']}.Arn}}"]
    ec2_arn = f"arn:${{AWS::Partition}}:ec2:{REGION}:{ACCOUNT}"
    assert sorted(_resources(statements, "JobCreatesNetworkInterfaces")) == sorted([
        f"{ec2_arn}:network-interface/*",
        f"{ec2_arn}:security-group/${{{ids['group']}.GroupId}}",
        *(f"{ec2_arn}:subnet/${{{subnet}}}" for subnet in subnets),
    ])
    assert _resources(statements, "JobLogStreams") == [
        f"arn:${{AWS::Partition}}:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/"
        "TrainingJobs:log-stream:pipelines-*/*"]


def _logical_id_of(stack: cdk.Stack, construct: Any) -> str:
    child = construct.node.default_child
    return stack.resolve(child.logical_id)  # type: ignore[no-any-return]


def test_a_job_role_from_literals_grants_exactly_them() -> None:
    """GIVEN literal locations, an image URI, subnet and group ids and a key id WHEN a
    JobRole is made THEN its statements name exactly them."""
    stack = _stack()
    role = JobRole(
        stack, "JobRole", job_kinds=["ProcessingJobs"],
        inputs=["s3://ml-data/fraud/in"], outputs=["s3://ml-data/fraud/out/"],
        images=[f"683313688378.dkr.ecr.{REGION}.amazonaws.com/sagemaker-scikit-learn:1.2-1"],
        subnet_ids=["subnet-0a1b2c3d"], security_groups=["sg-0a1b2c3d"],
        kms_keys=["1234abcd-12ab-34cd-56ef-1234567890ab"], job_prefix="Fraud",
    )
    statements = _statements(Template.from_stack(stack).to_json(), _logical_id(stack, role))
    assert _resources(statements, "JobWritesObjects") == [
        "arn:${AWS::Partition}:s3:::ml-data/fraud/out/*"]
    assert _resources(statements, "JobPullsImages") == [
        f"arn:${{AWS::Partition}}:ecr:{REGION}:683313688378:repository/sagemaker-scikit-learn"]
    for sid in KEY_SIDS:
        assert _resources(statements, sid) == [
            f"arn:${{AWS::Partition}}:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-"
            "1234567890ab"]
    streams = _resources(statements, "JobLogStreams")
    assert [s.rsplit(":", 1)[1] for s in streams] == ["Fraud-*/*", "fraud-*/*"]


def test_bad_job_role_props_fail_at_once() -> None:
    """GIVEN every kind of bad setting WHEN a JobRole is made THEN one InvalidPropsError
    with each problem, and no role."""
    stack = _stack()
    token = cdk.CfnParameter(stack, "Uri").value_as_string
    vpc = ec2.Vpc.from_vpc_attributes(stack, "Vpc", vpc_id="vpc-0a1b2c3d",
                                      availability_zones=["us-east-1a"],
                                      private_subnet_ids=["subnet-0a1b2c3d"])
    with pytest.raises(InvalidPropsError) as raised:
        JobRole(
            stack, "JobRole", job_kinds=["Endpoints"],
            inputs=["data/train", token, 7],  # type: ignore[list-item]
            outputs=["s3://ml-data/out/*"],
            images=["docker.io/library/python:3", token],
            vpc=vpc, subnet_ids=["subnet-0a1b2c3d"],
            kms_keys=["data-key"],
        )
    codes = {(p.prop, p.code) for p in raised.value.problems}
    assert codes == {
        ("job_kinds", "unknownJobKind"), ("inputs", "notAnS3Uri"),
        ("inputs", "notAnS3Location"), ("outputs", "wildcard"), ("images", "notAnImageUri"),
        ("images", "tokenImage"), ("subnet_ids", "givenWithVpc"),
        ("vpc", "incompleteVpcConfig"), ("kms_keys", "notAKey"),
    }
    assert "a token cannot be split into bucket and prefix" in str(raised.value)
    assert stack.node.try_find_child("JobRole") is None
    with pytest.raises(InvalidPropsError) as empty:
        JobRole(stack, "Empty", job_kinds=[], vpc_subnets=ec2.SubnetSelection())
    assert {(p.prop, p.code) for p in empty.value.problems} == {
        ("job_kinds", "empty"), ("vpc_subnets", "withoutVpc")}


def test_tokens_in_a_jobs_values_go_through_unchecked() -> None:
    """GIVEN a bucket name, prefix part and job prefix that are tokens WHEN a JobRole is
    made THEN no problem: they are CloudFormation values."""
    stack = _stack()
    bucket = cdk.CfnParameter(stack, "Bucket").value_as_string
    prefix = cdk.CfnParameter(stack, "Prefix").value_as_string
    role = JobRole(stack, "JobRole", job_kinds=["TransformJobs"],
                   inputs=[f"s3://{bucket}/in"], outputs=[f"s3://ml-data/{prefix}/out"],
                   job_prefix=prefix)
    text = json.dumps(_statements(Template.from_stack(stack).to_json(),
                                  _logical_id(stack, role)))
    assert ":s3:::${Bucket}/in/*" in text and ":s3:::ml-data/${Prefix}/out/*" in text
    assert ":log-stream:${Prefix}-*/*" in text


def test_stable_tokens_sort_in_the_order_first_seen_and_resolve_as_before() -> None:
    """GIVEN tokens seen in another order than they were made (as a policy's resources may
    be) WHEN hinted THEN sorting the hinted strings keeps the order they were seen in, which
    the plain tokens, numbered by the process, do not; each resolves as before."""
    stack = _stack()
    made = [cdk.Fn.ref(f"P{n}") for n in range(20)]
    seen = [f"arn:{token}/*" for token in reversed(made)]
    assert sorted(seen) != seen, "plain tokens sort by their process-wide number"
    stable = StableTokens("Value")
    hinted = [stable(text) for text in seen]
    assert sorted(hinted) == hinted
    assert stable(seen[3]) == hinted[3]
    assert stack.resolve(hinted[0]) == stack.resolve(seen[0]) == {
        "Fn::Join": ["", ["arn:", {"Ref": "P19"}, "/*"]]}


# --- the execution role passing job roles, and its warning ---------------------------------


def test_a_step_types_execution_role_passes_exactly_its_job_roles() -> None:
    """GIVEN step types and job roles WHEN synthesized THEN the role passes those, to
    SageMaker only, and not itself; no executionRoleRunsJobs warning."""
    stack = _stack()
    training = JobRole(stack, "Training", job_kinds=["TrainingJobs"])
    processing = iam.Role.from_role_arn(stack, "Processing", ROLE.format("Processing"))
    execution = PipelineExecutionRole(stack, "Execution", step_types=["Training", "Processing"],
                                      job_roles=[training, processing])
    targets = _pass_role_targets(Template.from_stack(stack).to_json(),
                                 _logical_id(stack, execution))
    assert targets == [f"${{{_logical_id(stack, training)}.Arn}}", ROLE.format("Processing")]
    assert not [w for w in _warnings(stack) if EXECUTION_ROLE_RUNS_JOBS in w]


def test_the_execution_role_warns_when_its_jobs_run_as_it() -> None:
    """GIVEN step types without job or step roles WHEN synthesized THEN it passes itself and
    warns executionRoleRunsJobs naming the job steps; acknowledging silences it."""
    stack = _stack()
    PipelineExecutionRole(stack, "Execution", step_types=["Training", "Processing", "Condition"],
                          job_prefix="fraud")
    (warning,) = [w for w in _warnings(stack, "/Stack/Execution") if EXECUTION_ROLE_RUNS_JOBS in w]
    assert "the SageMaker jobs of the Processing, Training steps run as this execution role" in (
        warning)
    acknowledged = _stack()
    role = PipelineExecutionRole(acknowledged, "Execution", step_types=["Processing"],
                                 job_prefix="fraud")
    cdk.Annotations.of(role).acknowledge_warning(EXECUTION_ROLE_RUNS_JOBS)
    assert _warnings(acknowledged) == []


@pytest.mark.parametrize("case", ["step_roles", "no_job_steps", "definition"])
def test_no_warning_when_the_jobs_run_as_other_roles(case: str) -> None:
    """GIVEN step roles, step types that run no SageMaker job, or a definition WHEN
    synthesized THEN no executionRoleRunsJobs warning (the roles are named elsewhere)."""
    stack = _stack()
    if case == "step_roles":
        PipelineExecutionRole(stack, "Execution", step_types=["Training"], job_prefix="fraud",
                              step_roles=[iam.Role.from_role_arn(stack, "R", ROLE.format("R"))])
    elif case == "no_job_steps":
        PipelineExecutionRole(stack, "Execution", step_types=["Endpoint", "Condition"])
    else:
        PipelineExecutionRole.from_definition(stack, "Execution", TRAINING)
    assert not [w for w in _warnings(stack) if EXECUTION_ROLE_RUNS_JOBS in w]


@pytest.mark.parametrize(
    ("props", "codes"),
    [
        ({"job_roles": [], "step_types": ["Training"]}, {("job_roles", "empty")}),
        ({"job_roles": [ROLE.format("R")], "step_types": ["Training"]},
         {("job_roles", "notARole")}),
        ({"job_roles": "R", "step_types": ["Training"]}, {("job_roles", "notRoles")}),
        ({"job_roles": "role", "step_roles": "role", "step_types": ["Training"]},
         {("job_roles", "givenWithStepRoles")}),
        ({"job_roles": "role", "step_types": ["Condition"]}, {("job_roles", "noJobSteps")}),
    ],
)
def test_bad_job_roles_props_fail(props: dict[str, Any], codes: set[tuple[str, str]]) -> None:
    """GIVEN wrong job_roles WHEN the execution role is made THEN InvalidPropsError."""
    stack = _stack()
    role = iam.Role.from_role_arn(stack, "R", ROLE.format("R"))
    props = {k: [role] if v == "role" else v for k, v in props.items()}
    with pytest.raises(InvalidPropsError) as raised:
        PipelineExecutionRole(stack, "Execution", **props)
    assert {(p.prop, p.code) for p in raised.value.problems} == codes


def test_job_roles_with_requirements_are_refused() -> None:
    """GIVEN requirements and job_roles WHEN made THEN givenWithRequirements."""
    stack = _stack()
    requirements = read_definition(TRAINING).requirements
    with pytest.raises(InvalidPropsError) as raised:
        PipelineExecutionRole(stack, "Execution", requirements=requirements,
                              job_roles=[iam.Role.from_role_arn(stack, "R", ROLE.format("R"))])
    assert {(p.prop, p.code) for p in raised.value.problems} == {
        ("job_roles", "givenWithRequirements")}


# --- the sample app -------------------------------------------------------------------------


def _app_stack(**context: str) -> PipelineIamStack:
    stack = stacks_of(build_app(sample_context(teams="", **context)))[0]
    assert isinstance(stack, PipelineIamStack)
    return stack


@pytest.mark.parametrize(("mode", "roles"), [
    (None, ["StepPreprocessData", "StepTrainModel", "StepEvaluateModel", "StepCreateFraudModel"]),
    ("per-step", ["StepPreprocessData", "StepTrainModel", "StepEvaluateModel",
                  "StepCreateFraudModel"]),
    ("shared", ["Shared"]),
    ("none", []),
])
def test_the_job_roles_context_key_chooses_the_job_roles(
    mode: str | None, roles: list[str]
) -> None:
    """GIVEN a definition and job_roles=per-step (the default), shared or none WHEN the
    sample app is built THEN those job roles, passed by the execution role (or the
    definition's roles), and their ARNs as outputs."""
    context = {"pipeline_definition": str(TRAINING)}
    if mode is not None:
        context["job_roles"] = mode
    stack = _app_stack(**context)
    made = [] if stack.job_roles is None else list(dict.fromkeys(
        role.node.id for role in stack.job_roles.roles.values()))
    assert made == roles
    template = Template.from_stack(stack).to_json()
    targets = _pass_role_targets(template, _logical_id(stack, stack.execution_role))
    if stack.job_roles is not None:
        unique = list(dict.fromkeys(stack.job_roles.roles.values()))
        # Compared as sets: the recommended minimizePolicies flag (cdk.json) sorts them.
        assert sorted(targets) == sorted(f"${{{_logical_id(stack, role)}.Arn}}"
                                         for role in unique)
        assert {f"JobRoleArn{role}" for role in roles} <= set(template["Outputs"])
    else:
        assert sorted(targets) == [ROLE.format(name) for name in (
            "FraudModelRole", "FraudProcessingRole", "FraudTrainingRole")]


def test_a_bad_job_roles_value_is_a_one_line_error() -> None:
    """GIVEN job_roles=both WHEN the app is built THEN one line naming the allowed values."""
    with pytest.raises(ValueError) as raised:
        build_app(sample_context(pipeline_definition=str(TRAINING), job_roles="both"))
    assert str(raised.value) == ("context job_roles 'both' is not one of per-step, shared, "
                                 "none: give e.g. -c job_roles=shared")


def test_job_roles_without_a_definition_is_an_error() -> None:
    """GIVEN job_roles but no pipeline_definition WHEN built THEN an error saying so."""
    with pytest.raises(ValueError, match="job_roles=shared needs pipeline_definition"):
        build_app(sample_context(job_roles="shared"))


def test_the_default_app_has_no_job_roles_and_shows_no_new_warning() -> None:
    """GIVEN the default context WHEN built THEN no job role, and the execution role's
    executionRoleRunsJobs warning is acknowledged (the step types name no job data)."""
    stack = _app_stack()
    assert stack.job_roles is None
    assert not [w for w in _warnings(stack) if EXECUTION_ROLE_RUNS_JOBS in w]


def test_job_roles_carry_the_scp_exception_tag() -> None:
    """GIVEN an OrgStack and a definition WHEN built THEN the job roles carry the tag too
    (their jobs read S3 as they did under the execution role)."""
    app = build_app(sample_context(pipeline_definition=str(TRAINING), job_roles="shared",
                                   scp_targets="ou-ab12-cdefgh34", organization_id="o-a1b2c3d4e5",
                                   vpc_endpoint_ids="vpce-0a1b2c3d4e5f60718", teams=""))
    workload = next(s for s in stacks_of(app) if isinstance(s, PipelineIamStack))
    roles = Template.from_stack(workload).find_resources("AWS::IAM::Role")
    assert len(roles) == 2
    for role in roles.values():
        assert {"Key": "sm-pipeline-exception", "Value": "true"} in role["Properties"]["Tags"]
