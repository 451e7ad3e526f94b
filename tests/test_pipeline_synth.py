"""The pipeline scenarios synthesized (``LeastPrivilegePipeline``): reviewed snapshots,
stable logical ids, cdk-nag AwsSolutions and cfn-lint clean, a definition that names only
the generated (or kept) roles, and what a real IAM engine allows each principal.

They are SCENARIOS' kin (tests/support/scenarios.py: PIPELINE_SCENARIOS), kept apart so
that the existing scenarios' snapshots do not change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from iamsim import Request
from sm_pipeline_iam import LeastPrivilegePipeline
from sm_pipeline_iam.core.definition.reader import load_definition
from sm_pipeline_iam.core.definition.rewrite import role_slots
from support.cfn import ACCOUNT, REGION, Resolver, resources_of_type, synthesized_resolver
from support.lint import cfn_lint
from support.scenarios import DEFINITIONS, PIPELINE_GRANTEES, PIPELINE_SCENARIOS
from support.tables import PRINCIPAL, SAGEMAKER, assert_all, decide, pass_role, role_id_of

ACKNOWLEDGED = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
IDENTITY_TYPES = ("AWS::IAM::Role", "AWS::SageMaker::Pipeline")
PIPELINES = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline"


@pytest.fixture(scope="module")
def stacks() -> dict[str, cdk.Stack]:
    return {name: scenario.build() for name, scenario in PIPELINE_SCENARIOS.items()}


@pytest.fixture(scope="module")
def templates(stacks: dict[str, cdk.Stack]) -> dict[str, dict[str, Any]]:
    """Scenario name -> its synthesized template."""
    return {name: Template.from_stack(stack).to_json() for name, stack in stacks.items()}


@pytest.fixture(scope="module")
def resolvers(templates: dict[str, dict[str, Any]]) -> dict[str, Resolver]:
    return {name: synthesized_resolver(template) for name, template in templates.items()}


def _logical_id(stack: cdk.Stack, role: Any) -> str:
    child = role.node.default_child
    assert isinstance(child, cdk.CfnElement)
    return stack.get_logical_id(child)


def _construct(stack: cdk.Stack) -> LeastPrivilegePipeline:
    construct = stack.node.find_child("Pipeline")
    assert isinstance(construct, LeastPrivilegePipeline)
    return construct


@pytest.mark.parametrize("name", sorted(PIPELINE_SCENARIOS))
def test_template_matches_the_reviewed_snapshot(
    name: str, templates: dict[str, dict[str, Any]], snapshot: SnapshotAssertion
) -> None:
    """GIVEN a pipeline scenario WHEN synthesized THEN the template equals its snapshot."""
    assert templates[name] == snapshot.use_extension(JSONSnapshotExtension)


def test_identities_are_stable(
    templates: dict[str, dict[str, Any]], snapshot: SnapshotAssertion
) -> None:
    """GIVEN every pipeline scenario WHEN synthesized THEN the pipeline and each role keep
    their logical ids (a changed id replaces the resource)."""
    identities = {
        name: sorted(
            logical_id for logical_id, resource in template["Resources"].items()
            if resource["Type"] in IDENTITY_TYPES
        )
        for name, template in templates.items()
    }
    assert identities == snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("name", sorted(PIPELINE_SCENARIOS))
def test_no_unacknowledged_nag_findings(name: str, tmp_path: Any) -> None:
    """GIVEN a pipeline scenario WHEN synthesized under AwsSolutions THEN synthesis
    succeeds, each wildcard acknowledged on the library's own roles, with a reason."""
    app = cdk.App(outdir=str(tmp_path))
    stack = PIPELINE_SCENARIOS[name].build(app)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    pipeline = _construct(stack)
    for construct in stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type != ACKNOWLEDGED:
                continue
            # The library acknowledges only on what it creates; the scenario itself (the
            # user) acknowledges on the user's grantees.
            assert construct.node.path.startswith(pipeline.node.path + "/") or (
                construct.node.id in PIPELINE_GRANTEES), construct.node.path
            for rule_id, reason in entry.data.items():
                assert rule_id.startswith("AwsSolutions::AwsSolutions-IAM5[Resource::"), rule_id
                assert len(reason) > 30, reason


@pytest.mark.parametrize("name", sorted(PIPELINE_SCENARIOS))
def test_cfn_lint_reports_nothing(name: str, templates: dict[str, dict[str, Any]]) -> None:
    """GIVEN a pipeline scenario's template WHEN cfn-lint checks it THEN no finding."""
    matches = cfn_lint(json.dumps(templates[name]))
    assert [str(match) for match in matches] == []


# --- the deployed definition -------------------------------------------------------------


def _deployed_definition(name: str, stack: cdk.Stack, resolver: Resolver) -> dict[str, Any]:
    """The definition SageMaker gets: the inline body resolved, or the asset's file."""
    (pipeline,) = resources_of_type(resolver.template, "AWS::SageMaker::Pipeline").values()
    source = pipeline["Properties"]["PipelineDefinition"]
    if "PipelineDefinitionBody" in source:
        body = resolver.resolve(source["PipelineDefinitionBody"])
        assert isinstance(body, str)
        return dict(json.loads(body))
    key = source["PipelineDefinitionS3Location"]["Key"]
    outdir = Path(cdk.Stage.of(stack).outdir)  # type: ignore[union-attr]
    return dict(json.loads((outdir / f"asset.{key}").read_text()))


@pytest.mark.parametrize("name", sorted(PIPELINE_SCENARIOS))
def test_each_step_names_its_generated_role(
    name: str, stacks: dict[str, cdk.Stack], resolvers: dict[str, Resolver]
) -> None:
    """GIVEN a pipeline scenario WHEN its definition is resolved THEN every role field of a
    step with a generated role names exactly that step's role (the one the job-role plan
    gives it), an EMR step given a runtime role names that role, and every other field
    (a kept step's) keeps the definition's role."""
    stack, resolver = stacks[name], resolvers[name]
    pipeline = _construct(stack)
    deployed = _deployed_definition(name, stack, resolver)
    original = {(s.step, s.field): s.value for s in role_slots(load_definition(
        DEFINITIONS / f"{_fixture(name)}.json"))}
    slots = role_slots(deployed)
    assert slots and {(s.step, s.field) for s in slots} == set(original)
    generated = 0
    for slot in slots:
        runtime_role = pipeline.runtime_roles.get(slot.step)
        if runtime_role is not None and slot.field == "ExecutionRoleArn":
            assert slot.value == _role_arn(resolver, _logical_id(stack, runtime_role))
        elif slot.step in pipeline.job_roles.roles and slot.service == SAGEMAKER:
            role = pipeline.job_roles.roles[slot.step]
            assert role.node.id == pipeline.job_roles.plan.step_roles[slot.step]
            expected = _role_arn(resolver, _logical_id(stack, role))
            assert slot.value == expected, (slot.step, slot.field)
            generated += 1
        else:
            assert slot.value == original[(slot.step, slot.field)], (slot.step, slot.field)
    assert generated


def _fixture(name: str) -> str:
    return {
        "pipeline_per_step": "training_eval_register",
        "pipeline_kept_step": "other_steps",
        "pipeline_definition_in_s3": "training_eval_register_prefixed",
        "pipeline_runtime_roles": "integrations",
    }[name]


def test_kept_step_keeps_its_role(stacks: dict[str, cdk.Stack]) -> None:
    """GIVEN keep_roles_for=[RunFraudReport] WHEN synthesized THEN no role is made for it
    and the execution role still passes the definition's role for it."""
    pipeline = _construct(stacks["pipeline_kept_step"])
    assert pipeline.job_roles.kept_steps == ("RunFraudReport",)
    assert "RunFraudReport" not in pipeline.job_roles.roles


# --- who may do what (iam-simulate) ------------------------------------------------------


def _requests(*pairs: tuple[str, str]) -> list[Request]:
    return [Request(f"{action} {arn}", PRINCIPAL, action, arn) for action, arn in pairs]


def _role_arn(resolver: Resolver, logical_id: str) -> str:
    """The ARN the role with ``logical_id`` gets."""
    return f"arn:aws:iam::{ACCOUNT}:role/{resolver.role_name(logical_id)}"


def test_start_execution_grant_is_this_pipeline_only(resolvers: dict[str, Resolver]) -> None:
    """GIVEN grant_start_execution WHEN the grantee acts THEN it starts, stops, retries and
    follows this pipeline's executions, and no other pipeline's; it cannot update or pass."""
    resolver = resolvers["pipeline_per_step"]
    role = role_id_of(resolver, "Operators")
    own, other = f"{PIPELINES}/fraud-detection", f"{PIPELINES}/fraud-detection-v2"
    allowed = _requests(
        ("sagemaker:StartPipelineExecution", own),
        ("sagemaker:ListPipelineExecutions", own),
        ("sagemaker:DescribePipeline", own),
        ("sagemaker:StopPipelineExecution", f"{own}/execution/a1b2c3"),
        ("sagemaker:RetryPipelineExecution", f"{own}/execution/a1b2c3"),
        ("sagemaker:DescribePipelineExecution", f"{own}/execution/a1b2c3"),
        ("sagemaker:ListPipelineExecutionSteps", f"{own}/execution/a1b2c3"),
    )
    denied = [
        *_requests(
            ("sagemaker:StartPipelineExecution", other),
            ("sagemaker:StopPipelineExecution", f"{other}/execution/a1b2c3"),
            ("sagemaker:UpdatePipeline", own),
            ("sagemaker:DeletePipeline", own),
        ),
        pass_role(_role_arn(resolver, role_id_of(resolver, "PipelineExecutionRole")), SAGEMAKER),
    ]
    assert_all(decide(resolver, allowed, role_id=role), "Allowed")
    assert_all(decide(resolver, denied, role_id=role), "ImplicitlyDenied")


def test_update_grant_passes_only_the_execution_role(resolvers: dict[str, Resolver]) -> None:
    """GIVEN grant_update WHEN the grantee acts THEN it updates this pipeline and passes its
    execution role to SageMaker only; no other pipeline, service or role."""
    resolver = resolvers["pipeline_per_step"]
    role = role_id_of(resolver, "Deployer")
    own, other = f"{PIPELINES}/fraud-detection", f"{PIPELINES}/other"

    def arn(construct_id: str) -> str:
        return _role_arn(resolver, role_id_of(resolver, construct_id))

    allowed = _requests(("sagemaker:UpdatePipeline", own), ("sagemaker:DescribePipeline", own))
    allowed.append(pass_role(arn("PipelineExecutionRole"), SAGEMAKER))
    denied = _requests(("sagemaker:UpdatePipeline", other),
                       ("sagemaker:StartPipelineExecution", own))
    denied += [
        pass_role(arn("PipelineExecutionRole"), "glue.amazonaws.com"),
        pass_role(arn("PipelineJobRolesStepTrainModel"), SAGEMAKER),
        pass_role(f"arn:aws:iam::{ACCOUNT}:role/AdminRole", SAGEMAKER),
    ]
    assert_all(decide(resolver, allowed, role_id=role), "Allowed")
    assert_all(decide(resolver, denied, role_id=role), "ImplicitlyDenied")


def test_read_grant_changes_nothing(resolvers: dict[str, Resolver]) -> None:
    """GIVEN grant_read WHEN the grantee acts THEN it describes this pipeline and its
    executions, and cannot start, stop or update it, nor read another pipeline."""
    resolver = resolvers["pipeline_per_step"]
    role = role_id_of(resolver, "Auditors")
    own, other = f"{PIPELINES}/fraud-detection", f"{PIPELINES}/other"
    allowed = _requests(
        ("sagemaker:DescribePipeline", own),
        ("sagemaker:ListPipelineExecutions", own),
        ("sagemaker:DescribePipelineDefinitionForExecution", f"{own}/execution/a1b2c3"),
        ("sagemaker:DescribePipelineExecution", f"{own}/execution/a1b2c3"),
    )
    denied = _requests(
        ("sagemaker:DescribePipeline", other),
        ("sagemaker:StartPipelineExecution", own),
        ("sagemaker:StopPipelineExecution", f"{own}/execution/a1b2c3"),
        ("sagemaker:UpdatePipeline", own),
    )
    assert_all(decide(resolver, allowed, role_id=role), "Allowed")
    assert_all(decide(resolver, denied, role_id=role), "ImplicitlyDenied")


def test_mixed_case_name_is_granted_in_both_spellings(resolvers: dict[str, Resolver]) -> None:
    """GIVEN a mixed-case pipeline name WHEN the grantee starts it THEN the ARN is allowed
    as given and in lower case (whichever SageMaker writes), and nothing else."""
    resolver = resolvers["pipeline_definition_in_s3"]
    role = role_id_of(resolver, "Operators")
    allowed = _requests(("sagemaker:StartPipelineExecution", f"{PIPELINES}/Fraud-Prefixed"),
                        ("sagemaker:StartPipelineExecution", f"{PIPELINES}/fraud-prefixed"))
    denied = _requests(("sagemaker:StartPipelineExecution", f"{PIPELINES}/Fraud-Prefixed2"))
    assert_all(decide(resolver, allowed, role_id=role), "Allowed")
    assert_all(decide(resolver, denied, role_id=role), "ImplicitlyDenied")


@pytest.mark.parametrize("name", sorted(PIPELINE_SCENARIOS))
def test_execution_role_passes_each_job_role_to_sagemaker_only(
    name: str, stacks: dict[str, cdk.Stack], resolvers: dict[str, Resolver]
) -> None:
    """GIVEN a pipeline WHEN its execution role passes a job role THEN SageMaker may get it
    and no other service; the execution role does not pass itself."""
    stack, resolver = stacks[name], resolvers[name]
    pipeline = _construct(stack)
    execution = _logical_id(stack, pipeline.execution_role)
    job_role_arns = [_role_arn(resolver, _logical_id(stack, role))
                     for role in dict.fromkeys(pipeline.job_roles.roles.values())]
    assert job_role_arns
    allowed = [pass_role(arn, SAGEMAKER) for arn in job_role_arns]
    denied = [pass_role(arn, "glue.amazonaws.com") for arn in job_role_arns]
    denied.append(pass_role(_role_arn(resolver, execution), SAGEMAKER))
    assert_all(decide(resolver, allowed, role_id=execution), "Allowed")
    assert_all(decide(resolver, denied, role_id=execution), "ImplicitlyDenied")


def test_execution_role_reads_only_the_definition_object(
    stacks: dict[str, cdk.Stack], resolvers: dict[str, Resolver]
) -> None:
    """GIVEN a definition in S3 WHEN the execution role reads THEN that object is allowed,
    its neighbours in the assets bucket are not."""
    stack, resolver = stacks["pipeline_definition_in_s3"], resolvers["pipeline_definition_in_s3"]
    (pipeline,) = resources_of_type(resolver.template, "AWS::SageMaker::Pipeline").values()
    location = pipeline["Properties"]["PipelineDefinition"]["PipelineDefinitionS3Location"]
    bucket, key = resolver.resolve(location["Bucket"]), location["Key"]
    execution = _logical_id(stack, _construct(stack).execution_role)
    allowed = _requests(("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}"))
    denied = _requests(("s3:GetObject", f"arn:aws:s3:::{bucket}/other.json"),
                       ("s3:PutObject", f"arn:aws:s3:::{bucket}/{key}"))
    assert_all(decide(resolver, allowed, role_id=execution), "Allowed")
    assert_all(decide(resolver, denied, role_id=execution), "ImplicitlyDenied")


def test_execution_role_passes_the_given_runtime_roles_to_their_service_only(
    stacks: dict[str, cdk.Stack], resolvers: dict[str, Resolver]
) -> None:
    """GIVEN runtime roles for an EMR and an EMR Serverless step WHEN the execution role
    passes them THEN each goes to its own service only; the definition's EMR runtime role,
    which no other step uses, is no longer passable; the EMR Serverless one still is (another
    step keeps it)."""
    stack, resolver = stacks["pipeline_runtime_roles"], resolvers["pipeline_runtime_roles"]
    pipeline = _construct(stack)
    execution = _logical_id(stack, pipeline.execution_role)
    emr = _role_arn(resolver, _logical_id(stack, pipeline.runtime_roles["AggregateOnEmr"]))
    serverless = _role_arn(resolver, _logical_id(
        stack, pipeline.runtime_roles["EnrichOnEmrServerless"]))
    old_emr = f"arn:aws:iam::{ACCOUNT}:role/EmrRuntimeRole"
    kept_serverless = f"arn:aws:iam::{ACCOUNT}:role/EmrServerlessJobRole"
    allowed = [pass_role(emr, "elasticmapreduce.amazonaws.com"),
               pass_role(serverless, "emr-serverless.amazonaws.com"),
               pass_role(kept_serverless, "emr-serverless.amazonaws.com")]
    denied = [pass_role(emr, "emr-serverless.amazonaws.com"), pass_role(emr, SAGEMAKER),
              pass_role(serverless, "elasticmapreduce.amazonaws.com"),
              pass_role(old_emr, "elasticmapreduce.amazonaws.com")]
    assert_all(decide(resolver, allowed, role_id=execution), "Allowed")
    assert_all(decide(resolver, denied, role_id=execution), "ImplicitlyDenied")
