"""The sample app, deployed for real with the CDK CLI against a (patched) moto server.

GIVEN a moto server with the library's adapter (``sm_pipeline_iam.rehearse``), started once for
this module and stopped by its PID afterwards,
WHEN ``deploy_local.py``'s round trip runs (``cdk bootstrap``; ``cdk deploy
--all`` with the OrgStack, then two updates with changed context; ``cdk destroy``; then
the StackSet phase: the app with ``stackset_ou_ids`` deployed, updated (a second OU),
an account moved into and out of a target OU, destroyed; then the pipeline phase: the app
with the sample pipeline deployed, one step of its definition changed, destroyed),
THEN after each deploy the state read back with boto3 equals the synthesized templates
of that deploy (for the StackSet: the stack set, its operations, one instance per account
of its OUs, and each instance's stack and roles in its member account; for the pipeline:
the pipeline, its definition, and each step's role the deployed job role of that step),
the updates changed every resource in place (the pipeline update: only the changed step's
job role policy), auto-deployment follows the account, and each destroy leaves nothing
behind in any account.

Nothing here skips: a missing CLI or server is a failure. Every command has a timeout.
The whole module takes about two minutes (most of it the CLI synthesizing the app).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integ.deploy_local import (
    CDK,
    PHASES,
    SAMPLE_PIPELINE_NAME,
    RoundTrip,
    pipeline_update_change,
    round_trip,
)
from sm_pipeline_iam.core.cfn import REGION
from sm_pipeline_iam.core.definition.rewrite import role_slots
from sm_pipeline_iam.rehearse.inventory import inventory
from sm_pipeline_iam.rehearse.readback import check_deployment, check_stack, stack_templates
from sm_pipeline_iam.rehearse.server import MotoServer, moto_server

#: Per CLI command, in this test (a deploy takes ~5 s on a 2-core machine).
COMMAND_TIMEOUT = 300
EXECUTION_ROLE = "PipelineExecutionRoleF9B1F2D0"
TEAM_ROLE = "TeamRoleanalytics553E0C48"
TEAM_POLICY = "TeamRoleanalyticsPolicy0FDEC52B"
SCP = "PipelineS3ExceptionPolicy8B29164F"
STACK_SET = "WorkloadStackSetB4753AF9"
PIPELINE = "PipelineC660917D"
PIPELINE_EXECUTION_ROLE = "PipelineExecutionRoleA23949A9"
#: step -> the logical id of its job role (``Pipeline/JobRoles/Step<step>``)
JOB_ROLES = {
    "PreprocessAbaloneData": "PipelineJobRolesStepPreprocessAbaloneDataE2484EE2",
    "TrainAbaloneModel": "PipelineJobRolesStepTrainAbaloneModelC743155D",
    "EvaluateAbaloneModel": "PipelineJobRolesStepEvaluateAbaloneModel5ACF54B0",
    "CreateAbaloneModel": "PipelineJobRolesStepCreateAbaloneModelAF3F242C",
}
EVALUATE_POLICY = "PipelineJobRolesStepEvaluateAbaloneModelPolicyB2A993DB"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("deploy-local"))


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[MotoServer]:
    assert CDK.exists(), f"{CDK} is missing: run `make setup` (npm ci)"
    with moto_server(workdir) as running:
        yield running


@pytest.fixture(scope="module")
def trip(server: MotoServer, workdir: Path) -> RoundTrip:
    log_path = workdir / "round_trip.log"
    with log_path.open("w") as log:
        return round_trip(
            server, workdir, echo=lambda line: print(line, file=log), timeout=COMMAND_TIMEOUT
        )


def resources(trip: RoundTrip, deploy: str, stack: str) -> dict[str, Any]:
    return dict(trip.templates[deploy][stack]["Resources"])


def test_every_phase_ran_without_a_failing_command(trip: RoundTrip, workdir: Path) -> None:
    errors = {name: phase.error for name, phase in trip.phases.items() if phase.error}
    assert errors == {}, f"CLI output in {workdir / 'round_trip.log'}"
    assert list(trip.phases) == list(PHASES)


@pytest.mark.parametrize("phase", PHASES)
def test_state_read_back_is_what_the_templates_say(trip: RoundTrip, phase: str) -> None:
    # bootstrap: the version parameter; each deploy: roles, trust policies, paths, tags,
    # inline and managed policy documents and attachments, the SCP's content and targets,
    # outputs, nothing else in the account, and (updates) every resource kept in place;
    # destroy: nothing the stacks created is left.
    assert phase in trip.phases, f"not run: {[p.error for p in trip.phases.values()]}"
    assert trip.phases[phase].problems == []


def test_updates_kept_every_role_and_the_scp(trip: RoundTrip) -> None:
    states = [trip.states[name] for name in ("initial", "update", "reprefix")]
    role_ids = [state.stacks["PipelineIamStack"].role_ids for state in states]
    scp_ids = [state.stacks["OrgStack"].resources[SCP] for state in states]
    assert sorted(role_ids[0]) == [EXECUTION_ROLE, TEAM_ROLE]
    assert role_ids[0] == role_ids[1] == role_ids[2]
    assert scp_ids[0] == scp_ids[1] == scp_ids[2]


def test_the_updates_really_changed_what_is_deployed(trip: RoundTrip) -> None:
    # GIVEN the three deploys' templates THEN each update changed what the read-back
    # compares (so the in-place and equality checks above are not vacuous).
    initial, update, reprefix = (
        {stack: resources(trip, name, stack) for stack in ("OrgStack", "PipelineIamStack")}
        for name in ("initial", "update", "reprefix")
    )

    def props(deploy: dict[str, Any], stack: str, logical_id: str) -> dict[str, Any]:
        return dict(deploy[stack][logical_id]["Properties"])

    for role in (EXECUTION_ROLE, TEAM_ROLE):
        before = props(initial, "PipelineIamStack", role)
        after = props(update, "PipelineIamStack", role)
        assert before["Tags"] != after["Tags"]
        assert before["Description"] != after["Description"]
    assert props(initial, "OrgStack", SCP)["Content"] != props(update, "OrgStack", SCP)["Content"]
    assert (
        props(initial, "OrgStack", SCP)["TargetIds"]
        != props(update, "OrgStack", SCP)["TargetIds"]
        != props(reprefix, "OrgStack", SCP)["TargetIds"]
    )
    assert (
        props(initial, "PipelineIamStack", TEAM_POLICY)["PolicyDocument"]
        != props(update, "PipelineIamStack", TEAM_POLICY)["PolicyDocument"]
    )

    def managed(deploy: dict[str, Any]) -> dict[str, Any]:
        return {
            logical_id: resource["Properties"]["PolicyDocument"]
            for logical_id, resource in deploy["PipelineIamStack"].items()
            if resource["Type"] == "AWS::IAM::ManagedPolicy"
        }

    assert managed(initial) == {}
    assert len(managed(update)) >= 2
    assert managed(update).keys() == managed(reprefix).keys()
    assert managed(update) != managed(reprefix)


def test_read_back_catches_drift(trip: RoundTrip, server: MotoServer) -> None:
    # GIVEN the last deploy's stacks created again (with boto3, after the round trip)
    assert trip.baseline is not None and trip.organization is not None
    outdir = trip.outdirs["reprefix"]
    cfn = server.client("cloudformation")
    baseline = inventory(server)
    for name, template in stack_templates(outdir).items():
        change_set = cfn.create_change_set(
            StackName=name,
            ChangeSetName="canary",
            ChangeSetType="CREATE",
            TemplateBody=json.dumps(template),
        )
        cfn.execute_change_set(ChangeSetName=change_set["Id"], StackName=name)
    state, problems = check_deployment(server, outdir, baseline)
    assert problems == []
    iam, orgs = server.client("iam"), server.client("organizations")
    physical = {
        logical_id: physical_id
        for stack in state.stacks.values()
        for logical_id, (_, physical_id) in stack.resources.items()
    }
    execution_role, team_role = physical[EXECUTION_ROLE], physical[TEAM_ROLE]
    managed = sorted(
        logical_id
        for logical_id, (resource_type, _) in state.stacks["PipelineIamStack"].resources.items()
        if resource_type == "AWS::IAM::ManagedPolicy"
    )

    # WHEN each compared aspect drifts
    iam.tag_role(RoleName=execution_role, Tags=[{"Key": "drift", "Value": "yes"}])
    iam.update_assume_role_policy(
        RoleName=team_role,
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    inline = iam.get_role_policy(RoleName=team_role, PolicyName=TEAM_POLICY)["PolicyDocument"]
    inline["Statement"] = inline["Statement"][1:]
    iam.put_role_policy(
        RoleName=team_role, PolicyName=TEAM_POLICY, PolicyDocument=json.dumps(inline)
    )
    iam.create_policy_version(
        PolicyArn=physical[managed[0]],
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
            }
        ),
        SetAsDefault=True,
    )
    stray = iam.create_policy(
        PolicyName="stray",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=execution_role, PolicyArn=stray)
    orgs.detach_policy(PolicyId=physical[SCP], TargetId=trip.organization.ou_ids[0])

    # THEN the read-back reports each of them
    _, problems = check_deployment(server, outdir, baseline)
    report = "\n".join(problems)
    for expected in (
        f"{EXECUTION_ROLE} ({execution_role}): tags differs",
        f"{TEAM_ROLE} ({team_role}): trust policy (AssumeRolePolicyDocument) differs",
        f"{TEAM_ROLE} ({team_role}): inline policy {TEAM_POLICY} document differs",
        f"{managed[0]} ({physical[managed[0]]}): document (default version) differs",
        f"{EXECUTION_ROLE} ({execution_role}): attached managed policies differs",
        "account: all customer managed policies in the account differs",
        f"{SCP} ({physical[SCP]}): targets differs",
    ):
        assert expected in report, (expected, report)


# --- the StackSet phase ---------------------------------------------------------------


def test_stack_set_deployed_the_workload_to_every_account_of_its_ous(trip: RoundTrip) -> None:
    # GIVEN the StackSet deploys (first one OU, then both) THEN each account of the
    # targeted OUs has an instance whose stack holds the workload roles (their trust
    # policies, tags, policies and the outputs compared by the read-back above), and the
    # update kept the stack set and every role (same RoleId).
    assert trip.organization is not None
    first_ou, second_ou = trip.organization.ou_ids
    accounts = trip.organization.accounts
    expected = {
        "stackset": sorted(accounts[first_ou]),
        "stackset-update": sorted(accounts[first_ou] + accounts[second_ou]),
    }
    for deploy, members in expected.items():
        instances = trip.states[deploy].instances
        assert sorted(instances) == [f"{account}/{REGION}" for account in members]
        for state in instances.values():
            assert sorted(state.role_ids) == [EXECUTION_ROLE, TEAM_ROLE]
            assert state.name.startswith("StackSet-sm-pipeline-iam-Workload-")
    before, after = (trip.states[name] for name in ("stackset", "stackset-update"))
    set_ids = {
        state.stacks["PipelineIamStackSet"].resources[STACK_SET] for state in (before, after)
    }
    assert len(set_ids) == 1
    for key, state in before.instances.items():
        assert after.instances[key].role_ids == state.role_ids
        assert after.instances[key].stack_id == state.stack_id
    assert trip.late_account and trip.late_account in trip.member_baselines


def test_the_stack_set_update_really_changed_what_is_deployed(trip: RoundTrip) -> None:
    # GIVEN the two StackSet deploys' templates THEN the update changed the workload
    # template (so the instance stacks were updated) and the targeted OUs.
    before, after = (
        resources(trip, name, "PipelineIamStackSet")[STACK_SET]["Properties"]
        for name in ("stackset", "stackset-update")
    )
    assert before["TemplateBody"] != after["TemplateBody"]
    assert before["StackInstancesGroup"] != after["StackInstancesGroup"]
    assert before["PermissionModel"] == after["PermissionModel"] == "SERVICE_MANAGED"
    assert before["AutoDeployment"]["Enabled"] is True
    assert "PipelineIamStack" not in trip.templates["stackset"]


def test_stack_set_read_back_catches_drift(trip: RoundTrip, server: MotoServer) -> None:
    # GIVEN the last StackSet deploy's stack created again (with boto3, after the trip)
    assert trip.organization is not None
    outdir = trip.outdirs["stackset-update"]
    cfn = server.client("cloudformation")
    baseline = inventory(server)
    members = {account: inventory(server, account) for account in trip.member_baselines}
    template = stack_templates(outdir)["PipelineIamStackSet"]
    change_set = cfn.create_change_set(
        StackName="PipelineIamStackSet",
        ChangeSetName="canary",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(template),
    )
    cfn.execute_change_set(ChangeSetName=change_set["Id"], StackName="PipelineIamStackSet")
    only = ["PipelineIamStackSet"]
    state, problems = check_deployment(server, outdir, baseline, members, only=only)
    assert problems == []
    stack_set_id = state.stacks["PipelineIamStackSet"].resources[STACK_SET][1]
    first_ou, second_ou = trip.organization.ou_ids
    drifted, removed = (
        trip.organization.accounts[first_ou][0],
        trip.organization.accounts[second_ou][0],
    )
    instance = state.instances[f"{drifted}/{REGION}"]
    role_name = instance.resources[EXECUTION_ROLE][1]

    # WHEN a member's role, the instances and the stack set's template drift
    server.client("iam", drifted).tag_role(
        RoleName=role_name, Tags=[{"Key": "drift", "Value": "yes"}]
    )
    cfn.delete_stack_instances(
        StackSetName=stack_set_id, Accounts=[removed], Regions=[REGION], RetainStacks=False
    )
    body = json.loads(template["Resources"][STACK_SET]["Properties"]["TemplateBody"])
    body["Outputs"] = {}
    cfn.update_stack_set(StackSetName=stack_set_id, TemplateBody=json.dumps(body))

    # THEN the read-back reports each of them
    _, problems = check_deployment(server, outdir, baseline, members, only=only)
    report = "\n".join(problems)
    where = f"PipelineIamStackSet/{STACK_SET} ({stack_set_id})"
    for expected in (
        f"{drifted}:{instance.name}/{EXECUTION_ROLE} ({role_name}): tags differs",
        f"{where}: stack instances (account, region, OU) differs",
        f"{where}: TemplateBody differs",
    ):
        assert expected in report, (expected, report)


# --- the pipeline phase ---------------------------------------------------------------


def role_arn(trip: RoundTrip, deploy: str, logical_id: str) -> str:
    """The ARN of a role of the deploy's PipelineIamStack (its physical id is its name)."""
    name = trip.states[deploy].stacks["PipelineIamStack"].resources[logical_id][1]
    return f"arn:aws:iam::{trip.account}:role/{name}"


def test_pipeline_runs_each_step_as_its_generated_job_role(trip: RoundTrip) -> None:
    # GIVEN the pipeline deploys THEN the account holds the one pipeline, run by the
    # deployed execution role, and its definition names in each step's role field the
    # deployed job role of that step: four different roles, none the definition's own.
    for deploy in ("pipeline", "pipeline-update"):
        state = trip.states[deploy]
        stack = state.stacks["PipelineIamStack"]
        assert state.inventory.pipelines == {SAMPLE_PIPELINE_NAME}
        assert sorted(stack.pipelines) == [PIPELINE]
        pipeline = stack.pipelines[PIPELINE]
        assert pipeline.name == SAMPLE_PIPELINE_NAME
        assert pipeline.execution_role == PIPELINE_EXECUTION_ROLE
        assert pipeline.role_arn == role_arn(trip, deploy, PIPELINE_EXECUTION_ROLE)
        assert dict(pipeline.job_roles) == JOB_ROLES
        assert sorted(stack.role_ids) == sorted(
            [PIPELINE_EXECUTION_ROLE, TEAM_ROLE, *JOB_ROLES.values()]
        )
        slots = {slot.step: slot.value for slot in role_slots(json.loads(pipeline.definition))}
        assert slots == {step: role_arn(trip, deploy, role) for step, role in JOB_ROLES.items()}
        assert len(set(slots.values())) == len(JOB_ROLES)
    # The job roles carry the SCP exception tag (the OrgStack is deployed with them).
    template = resources(trip, "pipeline", "PipelineIamStack")
    for role in JOB_ROLES.values():
        assert template[role]["Properties"]["Tags"]


def test_pipeline_update_changed_one_step_and_only_its_job_role(trip: RoundTrip) -> None:
    # GIVEN the two pipeline deploys' templates THEN the update changed only the pipeline
    # and the changed step's job role policy (so the read-back's checks are not vacuous)
    before, after = (
        resources(trip, name, "PipelineIamStack") for name in ("pipeline", "pipeline-update")
    )
    assert sorted(before) == sorted(after)
    assert sorted(k for k in before if before[k] != after[k]) == [PIPELINE, EVALUATE_POLICY]
    assert trip.templates["pipeline"]["OrgStack"] == trip.templates["pipeline-update"]["OrgStack"]
    # AND as read back: the same roles and pipeline, updated; only that policy changed.
    old, new = (
        trip.states[name].stacks["PipelineIamStack"] for name in ("pipeline", "pipeline-update")
    )
    assert new.role_ids == old.role_ids
    was, now = old.pipelines[PIPELINE], new.pipelines[PIPELINE]
    assert (now.arn, now.created) == (was.arn, was.created)
    assert now.modified > was.modified
    assert now.definition != was.definition
    changed = sorted(key for key in old.documents if old.documents[key] != new.documents[key])
    assert changed == [f"{JOB_ROLES['EvaluateAbaloneModel']}/{EVALUATE_POLICY}"]
    assert old.documents.keys() == new.documents.keys()
    change = pipeline_update_change(trip.account)
    assert change.found_in(json.loads(now.definition)) == change.value
    assert change.found_in(json.loads(was.definition)) != change.value
    policy = new.documents[changed[0]]
    assert f":ecr:{REGION}:{trip.account}:repository/abalone-evaluate" in policy
    assert "repository/sagemaker-xgboost" not in policy
    assert "repository/sagemaker-xgboost" in old.documents[changed[0]]


def test_pipeline_read_back_catches_drift(trip: RoundTrip, server: MotoServer) -> None:
    # GIVEN the pipeline update's workload stack created again under another name (with
    # boto3, after the round trip destroyed the pipeline)
    template = stack_templates(trip.outdirs["pipeline-update"])["PipelineIamStack"]
    cfn, sm = server.client("cloudformation"), server.client("sagemaker")
    change_set = cfn.create_change_set(
        StackName="PipelineCanary",
        ChangeSetName="canary",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(template),
    )
    cfn.execute_change_set(ChangeSetName=change_set["Id"], StackName="PipelineCanary")
    state, problems = check_stack(server, "PipelineCanary", template)
    assert problems == []
    roles = {
        role: f"arn:aws:iam::{trip.account}:role/{state.resources[role][1]}"
        for role in JOB_ROLES.values()
    }
    evaluate, train = JOB_ROLES["EvaluateAbaloneModel"], JOB_ROLES["TrainAbaloneModel"]
    definition = json.loads(state.pipelines[PIPELINE].definition)
    assert definition["Steps"][2]["Name"] == "EvaluateAbaloneModel"
    definition["Steps"][2]["Arguments"]["RoleArn"] = roles[train]

    # WHEN the pipeline drifts: its role, a step's role, display name, parallelism, tags
    sm.update_pipeline(
        PipelineName=SAMPLE_PIPELINE_NAME,
        RoleArn=roles[evaluate],
        PipelineDefinition=json.dumps(definition),
        PipelineDisplayName="drifted",
        ParallelismConfiguration={"MaxParallelExecutionSteps": 3},
    )
    arn = state.pipelines[PIPELINE].arn
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "drift", "Value": "yes"}])

    # THEN the read-back reports each of them
    _, problems = check_stack(server, "PipelineCanary", template)
    report = "\n".join(problems)
    where = f"PipelineCanary/{PIPELINE} ({SAMPLE_PIPELINE_NAME})"
    for expected in (
        f"{where}: RoleArn differs",
        f"{where}: RoleArn (the execution role {PIPELINE_EXECUTION_ROLE}) differs",
        f"{where}: PipelineDefinition differs: Steps[2].Arguments.RoleArn: "
        f"deployed {roles[train]!r}",
        f"{where}: step EvaluateAbaloneModel RoleArn (its job role {evaluate}) differs",
        f"{where}: job roles that no step's role field names: [{evaluate!r}]",
        f"{where}: PipelineDisplayName differs",
        f"{where}: ParallelismConfiguration differs",
        f"{where}: tags differs",
    ):
        assert expected in report, (expected, report)
    # AND a pipeline deleted behind the stack's back is reported missing
    sm.delete_pipeline(PipelineName=SAMPLE_PIPELINE_NAME)
    _, problems = check_stack(server, "PipelineCanary", template)
    missing = f"pipeline '{SAMPLE_PIPELINE_NAME}' not found (ValidationException)"
    assert f"PipelineCanary/{PIPELINE}: {missing}" in problems
