"""The pure side of job roles (core.job_roles): which role each job runs as, the
execution role's pass-role targets swapped for the job roles, a role's needs from
settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sm_pipeline_iam.core.catalog.schema import KeyUse
from sm_pipeline_iam.core.catalog.services import SAGEMAKER
from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.core.execution_role.requirements import PassRoleTarget
from sm_pipeline_iam.core.job_roles.assignment import (
    JOB_KINDS,
    SHARED_ROLE_ID,
    JobLocation,
    job_role_needs,
    plan_job_roles,
    replace_job_role_targets,
    replace_runtime_role_targets,
    role_id,
    runtime_role_problems,
)
from sm_pipeline_iam.core.locations import S3ObjectPattern

DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"
ROLE = "arn:aws:iam::111122223333:role/{}"
NEW = ("${Token[New0000.1]}", "${Token[New0001.2]}")


def _definition(name: str) -> dict[str, Any]:
    return json.loads((DEFINITIONS / f"{name}.json").read_text())  # type: ignore[no-any-return]


def test_role_ids_are_the_step_name_after_step() -> None:
    """GIVEN step names WHEN turned into construct ids THEN 'Step' + the name, with only
    letters, digits, '_' and '-' kept."""
    assert role_id("TrainModel") == "StepTrainModel"
    assert role_id("train_model-v2") == "Steptrain_model-v2"


def test_the_job_kinds_are_the_catalogs() -> None:
    """GIVEN the catalog WHEN its job kinds are listed THEN the three job log groups."""
    assert JOB_KINDS == ("ProcessingJobs", "TrainingJobs", "TransformJobs")


def test_per_step_and_shared_plans() -> None:
    """GIVEN a definition with a Transform WHEN planned per step and shared THEN the
    transform on its model's role, and one role for all."""
    reading = read_definition(DEFINITIONS / "tuning_transform_foreach.json")
    plan, problems = plan_job_roles(reading)
    assert problems == []
    assert [r.role_id for r in plan.roles] == [
        "StepTuneModel", "StepCreateBestModel", "Steptrain_model_v2", "StepScoreSegment"]
    assert plan.step_roles["BatchScore"] == "StepCreateBestModel"
    (model,) = [r for r in plan.roles if r.role_id == "StepCreateBestModel"]
    assert model.needs.steps == ("CreateBestModel", "BatchScore")
    shared, problems = plan_job_roles(reading, per_step=False)
    assert problems == [] and [r.role_id for r in shared.roles] == [SHARED_ROLE_ID]
    assert set(shared.step_roles.values()) == {SHARED_ROLE_ID}
    assert set(shared.step_roles) == {needs.step for needs in reading.jobs}


def test_a_transform_of_a_model_from_outside_gets_no_role_and_keeps_its_warning() -> None:
    """GIVEN a Transform running a model no step makes WHEN planned THEN it has no role,
    and its modelOutsidePipeline warning is the plan's."""
    definition = _definition("tuning_transform_foreach")
    for step in definition["Steps"]:
        if step["Name"] == "BatchScore":
            step["Arguments"]["ModelName"] = "a-model-from-elsewhere"
    plan, problems = plan_job_roles(read_definition(definition))
    assert problems == []
    assert "BatchScore" not in plan.step_roles
    assert "runs a model that no step of the pipeline makes" in plan.no_role["BatchScore"]
    assert [n.id for n in plan.notices] == ["sm-pipeline-iam:modelOutsidePipeline"]


def test_the_definitions_roles_are_swapped_where_only_covered_steps_use_them() -> None:
    """GIVEN other_steps with every job step covered but RunFraudReport WHEN the targets are
    replaced THEN the new roles, the kept step's role and the endpoint config's stay; the
    roles only covered steps used are gone; other services' targets are untouched."""
    definition = _definition("other_steps")
    reading = read_definition(definition)
    covered = ["CheckDataQuality", "CheckDataBias", "CreateServingModel", "SummarizeScores"]
    swapped = replace_job_role_targets(definition, reading.requirements, covered, NEW)
    assert sorted(t.role_arn for t in swapped.pass_roles) == sorted([
        *NEW, ROLE.format("InferenceComponentEndpointRole"), ROLE.format("NotebookJobRole")])
    assert all(t.service == SAGEMAKER for t in swapped.pass_roles)

    integrations = _definition("integrations")
    requirements = read_definition(integrations).requirements
    swapped = replace_job_role_targets(integrations, requirements, ["ExtractFeatures"], NEW[:1])
    assert swapped.pass_roles == frozenset(
        {t for t in requirements.pass_roles if t.service != SAGEMAKER}
        | {PassRoleTarget(NEW[0], SAGEMAKER)})


def test_a_role_from_a_parameter_goes_unless_an_uncovered_step_has_one_too() -> None:
    """GIVEN RoleArn fields from a parameter bound to one role WHEN only covered steps hold
    them THEN that role goes from the passed roles; when an uncovered step holds one too,
    it stays."""
    definition = _definition("training_eval_register")
    definition["Parameters"].append({"Name": "Role", "Type": "String"})
    for step in definition["Steps"]:
        if step["Type"] in ("Processing", "Training"):
            step["Arguments"]["RoleArn"] = {"Get": "Parameters.Role"}
    bound = "arn:aws:iam::111122223333:role/bound"
    requirements = read_definition(definition, parameter_values={"Role": [bound]}).requirements
    assert PassRoleTarget(bound, SAGEMAKER) in requirements.pass_roles
    every = ["PreprocessData", "TrainModel", "EvaluateModel", "CreateFraudModel"]
    swapped = replace_job_role_targets(definition, requirements, every, NEW)
    assert {t.role_arn for t in swapped.pass_roles} == set(NEW)
    partly = replace_job_role_targets(definition, requirements, every[1:], NEW)
    assert PassRoleTarget(bound, SAGEMAKER) in partly.pass_roles


def test_a_role_field_never_allows_any_role() -> None:
    """GIVEN a kept step whose RoleArn is a parameter opted in to any value, unbound, or a
    run-time value WHEN read THEN each is an error naming the step and field, never a
    PassRole on role/*; bound to a role ARN, it passes that role only."""
    definition = _definition("training_eval_register")
    definition["Parameters"].append({"Name": "Role", "Type": "String"})
    steps = {step["Name"]: step for step in definition["Steps"]}
    steps["PreprocessData"]["Arguments"]["RoleArn"] = {"Get": "Parameters.Role"}
    with pytest.raises(DefinitionError) as opted:
        read_definition(definition, any_value_parameters=["Role"])
    assert [(p.prop, p.code) for p in opted.value.problems] == [
        ("PreprocessData.RoleArn", "anyRole")]
    assert "any_value_parameters" in str(opted.value)
    with pytest.raises(DefinitionError) as unbound:
        read_definition(definition)
    assert [(p.prop, p.code) for p in unbound.value.problems] == [
        ("PreprocessData.RoleArn", "unboundParameter")]
    assert "any_value_parameters" not in str(unbound.value)
    steps["PreprocessData"]["Arguments"]["RoleArn"] = {"Std:Join": {
        "On": "",
        "Values": ["arn:aws:iam::111122223333:role/", {"Get": "Execution.PipelineExecutionId"}],
    }}
    with pytest.raises(DefinitionError) as run_time:
        read_definition(definition)
    assert [(p.prop, p.code) for p in run_time.value.problems] == [
        ("PreprocessData.RoleArn", "anyRole")]


def test_needs_from_literal_settings() -> None:
    """GIVEN literal settings WHEN turned into needs THEN reads (with listing) under the
    inputs, writes under the outputs, the image's repository, the prefix's log streams
    (both spellings), the kinds' namespaces, the network and the key by ARN."""
    needs, problems = job_role_needs(
        job_kinds=["TrainingJobs"],
        inputs=["s3://ml-data/train/", JobLocation("ml-data", "")],
        outputs=["s3://ml-out/models"],
        images=["111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/train:1",
                "arn:aws:ecr:us-east-1:111122223333:repository/other"],
        subnets=["subnet-0a1b2c3d"], security_groups=["sg-0a1b2c3d"],
        kms_keys=["mrk-" + "0" * 32, "alias/data"], job_prefix="Fraud",
    )
    assert problems == []
    assert needs.reads == (S3ObjectPattern("ml-data", "*"), S3ObjectPattern("ml-data", "train"),
                           S3ObjectPattern("ml-data", "train/*"))
    assert needs.lists == (("ml-data", "*"), ("ml-data", "train"), ("ml-data", "train/*"))
    assert needs.writes == (S3ObjectPattern("ml-out", "models/*"),)
    assert needs.repositories == (
        "arn:aws-cn:ecr:cn-north-1:111122223333:repository/train",
        "arn:aws:ecr:us-east-1:111122223333:repository/other")
    assert needs.log_streams == (("/aws/sagemaker/TrainingJobs", "Fraud-*/*"),
                                 ("/aws/sagemaker/TrainingJobs", "fraud-*/*"))
    assert needs.metric_namespaces == ("/aws/sagemaker/TrainingJobs",)
    assert (needs.subnets, needs.security_groups) == (("subnet-0a1b2c3d",), ("sg-0a1b2c3d",))
    # Settings do not say which field names a key: each serves every use.
    assert needs.kms_keys == tuple((key, use) for key in (
        "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/data",
        "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/mrk-" + "0" * 32)
        for use in KeyUse)


def test_tokens_go_through_and_literals_are_checked() -> None:
    """GIVEN values marked as tokens WHEN turned into needs THEN taken as they are; the
    same values as literals are problems."""
    def is_token(text: str) -> bool:
        return "TOKEN" in text

    settings: dict[str, Any] = {
        "job_kinds": ["ProcessingJobs"], "inputs": [JobLocation("TOKEN-bucket", "in")],
        "repositories": ["TOKEN-arn"], "subnets": ["TOKEN-subnet"],
        "security_groups": ["TOKEN-group"], "kms_keys": ["TOKEN-key"],
        "job_prefix": "TOKEN.prefix",
    }
    needs, problems = job_role_needs(**settings, is_token=is_token)
    assert problems == []
    assert needs.reads[0] == S3ObjectPattern("TOKEN-bucket", "in")
    assert needs.kms_keys == tuple(("TOKEN-key", use) for use in KeyUse)
    assert needs.subnets == ("TOKEN-subnet",)
    assert needs.log_streams == (("/aws/sagemaker/ProcessingJobs", "TOKEN.prefix-*/*"),)
    _, problems = job_role_needs(**settings)
    assert {(p.prop, p.code) for p in problems} == {
        ("inputs", "invalidBucketName"), ("subnet_ids", "invalidId"),
        ("security_groups", "invalidId"), ("kms_keys", "notAKey"),
        ("job_prefix", "invalidJobNamePrefix")}


# --- runtime roles of EMR and EMRServerless steps ------------------------------------------

EMR = "elasticmapreduce.amazonaws.com"
EMR_SERVERLESS = "emr-serverless.amazonaws.com"


def _integrations() -> dict[str, Any]:
    return dict(json.loads((DEFINITIONS / "integrations.json").read_text()))


def test_runtime_roles_replace_only_roles_no_other_step_uses() -> None:
    """GIVEN new runtime roles for one EMR and one of two EMRServerless steps sharing a role
    WHEN the targets are replaced THEN each new role goes to its own service; the EMR
    step's old role is gone, the shared EMR Serverless role stays (the other step keeps
    it), and every other target is untouched."""
    definition = _integrations()
    before = read_definition(definition).requirements
    after = replace_runtime_role_targets(
        definition, before, {"AggregateOnEmr": "NEW-EMR", "EnrichOnEmrServerless": "NEW-SL"})
    old_emr = PassRoleTarget("arn:aws:iam::111122223333:role/EmrRuntimeRole", EMR)
    shared = PassRoleTarget("arn:aws:iam::111122223333:role/EmrServerlessJobRole",
                            EMR_SERVERLESS)
    assert after.pass_roles == (before.pass_roles - {old_emr}) | {
        PassRoleTarget("NEW-EMR", EMR), PassRoleTarget("NEW-SL", EMR_SERVERLESS)}
    assert shared in after.pass_roles


def test_runtime_roles_for_every_user_of_a_role_drop_it() -> None:
    definition = _integrations()
    before = read_definition(definition).requirements
    after = replace_runtime_role_targets(definition, before, {
        "EnrichOnEmrServerless": "A", "EnrichOnNewEmrServerlessApp": "B"})
    assert {t for t in after.pass_roles if t.service == EMR_SERVERLESS} == {
        PassRoleTarget("A", EMR_SERVERLESS), PassRoleTarget("B", EMR_SERVERLESS)}


def test_runtime_roles_only_for_steps_with_a_runtime_role_field() -> None:
    problems = runtime_role_problems(_integrations(), ["AggregateOnEmr", "ExtractFeatures",
                                                        "BackfillOnNewEmrCluster"])
    assert [p.code for p in problems] == ["noRuntimeRoleField"] * 2
    assert "'ExtractFeatures'" in problems[0].message
    assert "'BackfillOnNewEmrCluster'" in problems[1].message
