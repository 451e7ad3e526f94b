"""Reading real SDK-built pipeline definitions (tests/fixtures) into requirements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sm_pipeline_iam.core.catalog.bindings import Binding
from sm_pipeline_iam.core.catalog.features import PIPELINE_EXPERIMENTS
from sm_pipeline_iam.core.catalog.schema import StepType as T
from sm_pipeline_iam.core.catalog.steps import EMR_NEW_CLUSTER, EMR_SERVERLESS_NEW_APPLICATION
from sm_pipeline_iam.core.definition.reader import (
    DEFINITION_LIMIT,
    load_definition,
    read_definition,
)
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.core.execution_role.requirements import PassRoleTarget
from sm_pipeline_iam.core.locations import S3ObjectPattern
from sm_pipeline_iam.core.notices import (
    BUILD_TIMESTAMP,
    PARAMETER_SCOPED_TO_DEFAULT,
    STEP_NAME_NOT_IN_JOB_NAMES,
    UNKNOWN_STEP_TYPE,
    UNRESOLVED_VALUE,
    WILDCARD_WRITE_COVERS,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "definitions"
ROLE = "arn:aws:iam::111122223333:role/{}"
SAGEMAKER = "sagemaker.amazonaws.com"


def _definition(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def _scopes(name: str, **kw: Any) -> dict[tuple[str, str], tuple[str, ...]]:
    reading = read_definition(FIXTURES / f"{name}.json", **kw)
    return {(s.step, s.resource): s.patterns for s in reading.scopes}


def test_default_naming_is_narrowed_to_each_step_name() -> None:
    """GIVEN the prefix flag off WHEN read THEN pipelines-*-<step name>-* per job step, both
    spellings, and the registration scoped to its model package group."""
    scopes = _scopes("training_eval_register")
    assert scopes[("PreprocessData", "processing-job")] == (
        "pipelines-*-PreprocessData-*", "pipelines-*-preprocessdata-*")
    assert scopes[("CreateFraudModel", "model")] == (
        "pipelines-*-CreateFraudModel-*", "pipelines-*-createfraudmodel-*")
    assert scopes[("RegisterFraudModel", "model-package-group")] == ("fraud-models",)


def test_the_custom_prefix_replaces_the_default_naming_where_the_sdk_writes_it() -> None:
    """GIVEN the prefix flag on WHEN read THEN <prefix>-*; ModelTrainer training keeps the
    default naming (the SDK drops its prefix)."""
    scopes = _scopes("training_eval_register_prefixed")
    assert scopes[("PreprocessData", "processing-job")] == ("fraud-preprocess-*",)
    assert scopes[("CreateFraudModel", "model")] == ("fraud-model-*",)
    assert scopes[("TrainModel", "training-job")] == (
        "pipelines-*-TrainModel-*", "pipelines-*-trainmodel-*")


def test_step_names_are_cut_to_twenty_characters() -> None:
    """GIVEN a 22-character step name WHEN read THEN the first 20 narrow the job names."""
    assert _scopes("other_steps")[("RegisterStandaloneModel", "model-package")] == (
        "pipelines-*-RegisterStandaloneMo-*", "pipelines-*-registerstandalonemo-*")


def test_a_step_name_job_names_cannot_hold_falls_back_with_a_warning() -> None:
    """GIVEN 'train_model_v2' WHEN read THEN pipelines-* for it, and a warning."""
    reading = read_definition(FIXTURES / "tuning_transform_foreach.json")
    scopes = {(s.step, s.resource): s.patterns for s in reading.scopes}
    assert scopes[("train_model_v2", "training-job")] == ("pipelines-*",)
    notices = [n for n in reading.requirements.notices if n.id == STEP_NAME_NOT_IN_JOB_NAMES]
    assert len(notices) == 1 and "'train_model_v2'" in notices[0].message


def test_nested_steps_are_read_in_conditions_and_for_each() -> None:
    """GIVEN IfSteps, ElseSteps and ForEachBody WHEN read THEN their steps count."""
    steps = dict(read_definition(_definition("tuning_transform_foreach")).steps)
    assert steps["ScoreSegment"] is T.PROCESSING and steps["NotifySegment"] is T.LAMBDA
    inner = dict(read_definition(_definition("training_eval_register")).steps)
    assert inner["RegisterFraudModel"] is T.REGISTER_MODEL and inner["AccuracyTooLow"] is T.FAIL


def test_every_role_is_passed_to_its_service() -> None:
    """GIVEN SageMaker, EMR and EMR Serverless roles WHEN read THEN each to its service."""
    roles = read_definition(_definition("integrations")).requirements.pass_roles
    assert roles == {
        PassRoleTarget(ROLE.format("FraudProcessingRole"), SAGEMAKER),
        PassRoleTarget(ROLE.format("EmrRuntimeRole"), "elasticmapreduce.amazonaws.com"),
        PassRoleTarget(ROLE.format("EMR_DefaultRole"), "elasticmapreduce.amazonaws.com"),
        PassRoleTarget("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/EMR_EC2_DefaultRole",
                       "ec2.amazonaws.com"),
        PassRoleTarget(ROLE.format("EmrServerlessJobRole"), "emr-serverless.amazonaws.com"),
    }
    tuning = read_definition(_definition("tuning_transform_foreach")).requirements.pass_roles
    assert PassRoleTarget(ROLE.format("FraudTrainingRole"), SAGEMAKER) in tuning


def test_json_get_property_files_resolve_to_the_producing_output() -> None:
    """GIVEN a PropertyFile JsonGet WHEN read THEN the output's S3Uri plus the file path."""
    requirements = read_definition(_definition("training_eval_register")).requirements
    assert requirements.json_get_objects == (
        S3ObjectPattern("ml-artifacts-111122223333", "fraud/evaluation/evaluation.json"),
    )


def test_a_parameter_opted_in_to_any_value_gives_the_narrowest_pattern_and_a_warning(
) -> None:
    """GIVEN a JsonGet S3Uri from a parameter opted in to any value WHEN read THEN
    s3://*/summary.json and a warning naming the step, the field and the parameter."""
    reading = read_definition(_definition("integrations"), pipeline_name="fraud",
                              any_value_parameters=["ScoresPrefix"])
    assert reading.requirements.json_get_objects == (
        S3ObjectPattern("*", "????????????/summary.json"),)
    (unresolved,) = reading.unresolved
    assert (unresolved.step, unresolved.field) == ("CheckScore", "Std:JsonGet.S3Uri")
    (notice,) = [n for n in reading.requirements.notices if n.id == UNRESOLVED_VALUE]
    assert "bind ScoresPrefix with parameter_values" in notice.message


def test_an_unbound_parameter_is_scoped_to_its_default() -> None:
    """GIVEN the same parameter neither bound nor opted in WHEN read THEN the object under
    its DefaultValue, and a warning naming the parameter, the field and how to allow more."""
    reading = read_definition(_definition("integrations"), pipeline_name="fraud")
    assert reading.unresolved == ()
    assert reading.requirements.json_get_objects == (
        S3ObjectPattern("ml-artifacts-111122223333", "scores/????????????/summary.json"),
    )
    (notice,) = [n for n in reading.requirements.notices
                 if n.id == PARAMETER_SCOPED_TO_DEFAULT]
    assert notice.message.startswith(
        "parameter 'ScoresPrefix' is not in parameter_values, so the grants of step "
        "'CheckScore' field Std:JsonGet.S3Uri are scoped to its DefaultValue "
        "'s3://ml-artifacts-111122223333/scores': an execution that passes another value "
        "fails with AccessDenied")
    assert "parameter_values={'ScoresPrefix': [" in notice.message


def test_bound_parameters_narrow_the_pattern_and_silence_the_warning() -> None:
    """GIVEN the parameter's allowed values WHEN read THEN one object per value."""
    reading = read_definition(
        _definition("integrations"),
        parameter_values={"ScoresPrefix": ["s3://ml-artifacts-111122223333/scores"]},
        pipeline_name="fraud",
    )
    assert reading.unresolved == ()
    assert reading.requirements.json_get_objects == (
        S3ObjectPattern("ml-artifacts-111122223333", "scores/????????????/summary.json"),
    )


def test_integrations_give_their_resources_and_variants() -> None:
    """GIVEN Lambda, Callback, EMR, EMR Serverless and Cleanup WHEN read THEN their
    resources, the queue URL as an ARN, and the create-cluster/application variants."""
    requirements = read_definition(_definition("integrations")).requirements
    assert dict(requirements.given) == {
        Binding.LAMBDA_FUNCTIONS: ("arn:aws:lambda:us-east-1:111122223333:function:score",),
        Binding.CALLBACK_QUEUES: ("arn:${AWS::Partition}:sqs:us-east-1:111122223333:approvals",),
        Binding.EMR_CLUSTERS: ("j-1ABCDEFGHIJKL",),
        Binding.EMR_SERVERLESS_APPLICATIONS: ("00fabcdefghij012",),
        Binding.CLEANUP_OBJECTS: ("ml-artifacts-111122223333/tmp/features/part-0000.parquet",),
    }
    assert requirements.variants == {
        EMR_NEW_CLUSTER, EMR_SERVERLESS_NEW_APPLICATION, PIPELINE_EXPERIMENTS
    }


def test_experiments_are_scoped_by_the_pipeline_name_and_off_when_null() -> None:
    """GIVEN SDK v3's default PipelineExperimentConfig WHEN read with the pipeline's name
    THEN its experiment is that name (both spellings); WHEN the config is null THEN no
    Experiments permissions at all."""
    definition = _definition("integrations")
    requirements = read_definition(definition, pipeline_name="Fraud").requirements
    assert requirements.group_names["PipelineExperiments"] == ("Fraud", "fraud")
    off = read_definition({**definition, "PipelineExperimentConfig": None}).requirements
    assert PIPELINE_EXPERIMENTS not in off.variants
    assert "PipelineExperiments" not in off.group_names


def test_a_wildcard_in_a_name_is_a_definition_error_naming_the_step_and_field() -> None:
    """GIVEN literal wildcards in a job prefix, a role ARN and a JsonGet S3Uri WHEN read THEN
    DefinitionError with one wildcard problem per field."""
    definition = {"Version": "2020-12-01", "Steps": [
        {"Name": "Train", "Type": "Training",
         "Arguments": {"TrainingJobName": "p*", "RoleArn": "arn:aws:iam::111122223333:role/ro?e"}},
        {"Name": "Check", "Type": "Condition", "Arguments": {"Conditions": [{
            "Type": "GreaterThan", "LeftValue": {"Std:JsonGet": {
                "S3Uri": "s3://bucket/*", "Path": "a"}}, "RightValue": 1}]}},
    ]}
    with pytest.raises(DefinitionError) as raised:
        read_definition(definition)
    assert sorted((p.prop, p.code) for p in raised.value.problems) == [
        ("Check.Std:JsonGet.S3Uri", "wildcard"),
        ("Train.RoleArn", "wildcard"),
        ("Train.TrainingJobName", "wildcard"),
    ]


def test_a_wildcard_reaching_a_grant_through_another_step_is_a_definition_error() -> None:
    """GIVEN a training input that Gets another step's field the reader never checks on its
    own step (Environment.DATA = 's3://b/*') WHEN read THEN a DefinitionError names that
    step and field, instead of a read of the whole bucket."""
    definition = _pipeline(
        {"Name": "Prep", "Type": "Processing", "Arguments": {
            "RoleArn": ROLE.format("prep"),
            "AppSpecification": {"ImageUri": "111122223333.dkr.ecr.us-east-1.amazonaws.com/p:1"},
            "Environment": {"DATA": "s3://b/*"}}},
        {"Name": "Train", "Type": "Training", "Arguments": {
            "RoleArn": ROLE.format("train"),
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": {"Get": "Steps.Prep.Environment.DATA"}}}}]}},
    )
    with pytest.raises(DefinitionError) as raised:
        read_definition(definition)
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        ("Prep.Environment.DATA", "wildcard")]
    assert raised.value.problems[0].message.startswith(
        "step 'Prep' field Environment.DATA: 's3://b/*' holds a wildcard")


@pytest.mark.parametrize(("names", "refused"), [
    (("Train", "Train-Challenger"), True),
    (("Train", "train-v2"), True),
    (("PreprocessAbaloneData1", "PreprocessAbaloneData2"), True),  # same first 20
    (("Re-Train", "Train"), True),  # the '*' of the execution id reaches 'Re-'
    (("Train", "TrainChallenger"), False),
    (("Train-A", "Train-B"), False),
])
def test_steps_whose_default_job_names_overlap_are_refused(
        names: tuple[str, str], refused: bool) -> None:
    """GIVEN two default-named training steps WHEN one's first 20 characters followed by
    '-' start the other's, occur in it between '-', or are the same THEN a DefinitionError
    names both steps and the fix; names that 'pipelines-*-<name>-*' keeps apart are read."""
    definition = _pipeline(*[
        {"Name": name, "Type": "Training", "Arguments": {
            "RoleArn": ROLE.format("train"),
            "OutputDataConfig": {"S3OutputPath": "s3://b/models"}}} for name in names])
    if not refused:
        read_definition(definition)
        return
    with pytest.raises(DefinitionError) as raised:
        read_definition(definition)
    (problem,) = [p for p in raised.value.problems if p.code == "jobNamesOverlap"]
    assert problem.message.startswith(f"steps {names[0]!r} and {names[1]!r}: ")
    assert "rename one step" in problem.message


@pytest.mark.parametrize(("run_time", "warned"), [
    ({"Get": "Execution.StartDateTime"}, True),  # unknown form: '*', spans 'x/train'
    ({"Get": "Execution.PipelineExecutionId"}, False),  # 12 '?': cannot span a '/'
])
def test_a_wildcard_write_over_another_steps_input_is_warned_naming_both(
        run_time: Any, warned: bool) -> None:
    """GIVEN an evaluation output s3://b/a/<run-time value>/evaluation and a training input
    s3://b/a/x/train WHEN read THEN a run-time value of unknown form ('*') is warned on the
    evaluation job, naming both steps and fields; the execution id (12 '?') is not."""
    definition = _pipeline(
        {"Name": "Eval", "Type": "Processing", "Arguments": {
            "RoleArn": ROLE.format("eval"),
            "AppSpecification": {"ImageUri": "111122223333.dkr.ecr.us-east-1.amazonaws.com/p:1"},
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": "evaluation", "S3Output": {
                "S3Uri": {"Std:Join": {"On": "/", "Values": ["s3://b/a", run_time,
                                                             "evaluation"]}},
                "LocalPath": "/opt/ml/processing/evaluation", "S3UploadMode": "EndOfJob"}}]}}},
        {"Name": "Train", "Type": "Training", "Arguments": {
            "RoleArn": ROLE.format("train"),
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": "s3://b/a/x/train"}}}]}},
    )
    (eval_job,) = [j for j in read_definition(definition).jobs if j.step == "Eval"]
    notices = [n.message for n in eval_job.notices if n.id == WILDCARD_WRITE_COVERS]
    if not warned:
        assert notices == []
        return
    (message,) = notices
    assert message.startswith("step 'Eval' field ProcessingOutputConfig.Outputs[0].S3Output"
                              ".S3Uri: output 's3://b/a/*/evaluation' holds a run-time value")
    assert ("step 'Train''s input 's3://b/a/x/train' "
            "(InputDataConfig[0].DataSource.S3DataSource.S3Uri)") in message


def _processing(name: str, **arguments: Any) -> dict[str, Any]:
    return {"Name": name, "Type": "Processing", "Arguments": {
        "RoleArn": ROLE.format("prep"),
        "AppSpecification": {"ImageUri": "111122223333.dkr.ecr.us-east-1.amazonaws.com/p:1"},
        **arguments}}


def _training(name: str, **arguments: Any) -> dict[str, Any]:
    return {"Name": name, "Type": "Training", "Arguments": {
        "RoleArn": ROLE.format("train"), **arguments}}


@pytest.mark.parametrize(("steps", "refused"), [
    # One prefix followed by '-' starts the other's: 'fraud-prep-*' matches both.
    ((_processing("Prep", ProcessingJobName="fraud-prep"),
      _processing("PrepV2", ProcessingJobName="fraud-prep-v2")), True),
    # Jobs of different types: other ARNs, other log groups.
    ((_training("Train", TrainingJobName="fraud"),
      _processing("Prep", ProcessingJobName="fraud-prep")), False),
    ((_training("Train"), _processing("Train-Challenger")), False),
    ((_processing("Prep", ProcessingJobName="fraud-prep"),
      _processing("PrepV2", ProcessingJobName="fraud-prepv2")), False),
])
def test_custom_prefixes_one_of_which_starts_the_other_are_refused(
        steps: tuple[dict[str, Any], ...], refused: bool) -> None:
    """GIVEN two steps whose jobs of one type have custom prefixes 'fraud-prep' and
    'fraud-prep-v2' WHEN read THEN a DefinitionError names both steps; prefixes that no
    '<prefix>-*' shares, or jobs of different types, are read."""
    definition = _pipeline(*steps)
    if not refused:
        read_definition(definition)
        return
    with pytest.raises(DefinitionError) as raised:
        read_definition(definition)
    (problem,) = [p for p in raised.value.problems if p.code == "jobPrefixesOverlap"]
    assert problem.message.startswith("steps 'Prep' and 'PrepV2': job prefix 'fraud-prep' ")


def test_a_job_prefix_joined_with_the_execution_id_is_pinned_not_refused() -> None:
    """GIVEN TrainingJobName = Std:Join('-', ['fraud', execution id]) WHEN read THEN the
    jobs are allowed as 'fraud-????????????-*', with no wildcard notice on the prefix."""
    reading = read_definition(_pipeline(_training("Train", TrainingJobName={"Std:Join": {
        "On": "-", "Values": ["fraud", {"Get": "Execution.PipelineExecutionId"}]}})))
    assert reading.requirements.name_patterns[T.TRAINING] == ("fraud-????????????-*",)
    assert not [n for n in reading.requirements.notices if "wildcard" in n.message]


def test_a_job_name_reference_resolves_to_the_job_name_pattern() -> None:
    """GIVEN a JsonGet path joined with Steps.Train.TrainingJobName WHEN the training step
    has the prefix 'fraud' THEN the path holds 'fraud-*', not the bare prefix."""
    join = {"Std:Join": {"On": "/", "Values": [
        "s3://bucket/models", {"Get": "Steps.Train.TrainingJobName"}, "metrics.json"]}}
    definition = {"Version": "2020-12-01", "Steps": [
        {"Name": "Train", "Type": "Training", "Arguments": {"TrainingJobName": "fraud"}},
        {"Name": "Check", "Type": "Condition", "Arguments": {"Conditions": [{
            "Type": "GreaterThan", "LeftValue": {"Std:JsonGet": {"S3Uri": join, "Path": "a"}},
            "RightValue": 1}]}},
    ]}
    requirements = read_definition(definition).requirements
    assert {str(o) for o in requirements.json_get_objects} == {
        "s3://bucket/models/fraud-*/metrics.json",
    }


def test_a_notebook_job_name_is_scoped_by_its_base_name() -> None:
    """GIVEN a NotebookJob's TrainingJobName with the SDK's build timestamp WHEN read THEN
    the jobs are scoped by the base name, with a notice."""
    definition = {"Version": "2020-12-01", "Steps": [{
        "Name": "Score", "Type": "Training",
        "Arguments": {"TrainingJobName": "score-ipynb-2026-11-30-02-11-47-059"},
    }]}
    reading = read_definition(definition)
    assert reading.requirements.name_patterns[T.TRAINING] == ("score-ipynb-*",)
    assert [n.id for n in reading.requirements.notices] == [BUILD_TIMESTAMP]


def test_cleanup_of_a_training_step_deletes_under_its_output_path() -> None:
    """GIVEN a Cleanup of a training step without S3Uris WHEN read THEN its output folder."""
    given = read_definition(_definition("tuning_transform_foreach")).requirements.given
    assert given[Binding.CLEANUP_OBJECTS] == ("ml-artifacts-111122223333/fraud-v2/*",)


def test_user_named_resources_are_scoped_to_their_exact_names() -> None:
    """GIVEN endpoints named in the definition WHEN read THEN exactly those names, the
    config name followed through the step that made it."""
    groups = read_definition(_definition("other_steps")).requirements.group_names
    assert groups["Endpoints"] == ("fraud-endpoint", "fraud-shared-endpoint")
    assert groups["EndpointConfigsUsedByEndpoints"] == (
        "fraud-endpoint-config", "fraud-shared-endpoint-config")
    assert groups["InferenceComponents"] == ("fraud-ic",)
    assert groups["LineageActions"] == ("fraud-training-run",)


def test_check_steps_keep_the_names_the_sdk_forces() -> None:
    """GIVEN Quality/Clarify checks with the flag on WHEN read THEN baseline-job-* and
    clarify-job-* (the SDK ignores their base_job_name)."""
    scopes = _scopes("other_steps_prefixed")
    assert scopes[("CheckDataQuality", "processing-job")] == ("baseline-job-*",)
    assert scopes[("CheckDataBias", "processing-job")] == ("clarify-job-*",)


def _pipeline(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2020-12-01", "Steps": list(steps)}


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("{not json", r"the definition is not JSON"),
        ('{"Version": "2020-12-01"}', r"has no Steps list"),
        ("no-such-file.json", r"is neither definition JSON nor a file"),
        (_pipeline({"Name": "A"}), r"step 'A' has no Type"),
        (_pipeline({"Type": "Training"}), r"Steps\[0\] has no Name"),
        (_pipeline({"Name": "A", "Type": "Trainer", "Arguments": {}}),
         r"step 'A' field Type: 'Trainer' is not a SageMaker Pipelines step type.*"
         r"allow_unknown_step_types=True"),
        (_pipeline({"Name": "A", "Type": "Training", "Arguments": {"RoleArn": 12}}),
         r"step 'A' field RoleArn: 12 is not a role ARN string"),
        (_pipeline({"Name": "A", "Type": "Training", "Arguments": {"RoleArn": "arn:aws:s3:::b"}}),
         r"step 'A' field RoleArn: 'arn:aws:s3:::b' is not an IAM role ARN"),
        (_pipeline({"Name": "A", "Type": "Training", "Arguments": []}),
         r"step 'A' field Arguments is not an object"),
        (_pipeline({"Name": "A", "Type": "Fail", "Arguments": {"ErrorMessage": {
            "Std:JsonGet": {"PropertyFile": {"Get": "Steps.B.PropertyFiles.R"}, "Path": "x"}}}}),
         r"step 'A' field Std:JsonGet.PropertyFile: no step 'B' with property file 'R'"),
    ],
)
def test_malformed_definitions_name_the_step_and_the_field(source: Any, match: str) -> None:
    """GIVEN a malformed definition WHEN read THEN DefinitionError says where and what."""
    with pytest.raises(DefinitionError, match=match):
        read_definition(source)


def test_unknown_step_types_can_be_warnings_instead() -> None:
    """GIVEN a future step Type and the opt-in WHEN read THEN a warning, no grant."""
    reading = read_definition(
        _pipeline({"Name": "A", "Type": "Quantum", "Arguments": {}},
                  {"Name": "B", "Type": "Fail", "Arguments": {}}),
        allow_unknown_step_types=True,
    )
    assert reading.requirements.step_types == {T.FAIL}
    assert [n.id for n in reading.requirements.notices] == [UNKNOWN_STEP_TYPE]


def test_a_definition_over_the_sagemaker_limit_is_refused() -> None:
    """GIVEN more than 1,048,576 characters WHEN loaded THEN the size error."""
    text = json.dumps(_pipeline({"Name": "A", "Type": "Fail", "Arguments": {
        "ErrorMessage": "x" * DEFINITION_LIMIT}}))
    with pytest.raises(DefinitionError, match=r"over SageMaker's 1,048,576"):
        load_definition(text)


def test_text_path_and_dict_read_the_same() -> None:
    """GIVEN one definition as text, path and dict WHEN loaded THEN the same dict."""
    path = FIXTURES / "training_eval_register.json"
    assert load_definition(path) == load_definition(str(path)) == load_definition(
        path.read_text()) == load_definition(_definition("training_eval_register"))


def test_the_fixtures_are_what_the_sdk_builds() -> None:
    """GIVEN the SageMaker SDK WHEN it builds the first fixture pipeline again THEN the same
    definition (the fixtures are real SDK output, not hand-written)."""
    from fixtures.build_definitions import build_training_eval_register

    assert build_training_eval_register() == _definition("training_eval_register")


def test_coarsening_widens_only_the_default_naming_scopes() -> None:
    """GIVEN per-step default-naming and prefixed scopes WHEN coarsened THEN pipelines-*
    for the former, the prefixes kept, and a warning."""
    from sm_pipeline_iam.core.definition.reader import coarsened
    from sm_pipeline_iam.core.notices import COARSENED_JOB_SCOPES

    requirements = read_definition(_definition("training_eval_register_prefixed")).requirements
    wide = coarsened(requirements)
    assert wide.name_patterns[T.TRAINING] == ("pipelines-*",)
    assert wide.name_patterns[T.PROCESSING] == ("fraud-evaluate-*", "fraud-preprocess-*")
    assert wide.notices[-1].id == COARSENED_JOB_SCOPES


def test_a_queue_url_token_says_deploy_time_not_run_time() -> None:
    """GIVEN a Callback step whose queue URL is a CDK token WHEN read THEN the queue is
    widened with a warning that names the field and says 'deploy time'."""
    definition = {"Steps": [{"Name": "Wait", "Type": "Callback", "Arguments": {},
                             "SqsQueueUrl": "${Token[TOKEN.42]}"}]}
    reading = read_definition(definition)
    (notice,) = [n for n in reading.requirements.notices if n.id == UNRESOLVED_VALUE]
    assert "field SqsQueueUrl" in notice.message and "deploy time" in notice.message
    assert "run time" not in notice.message
    assert [u.field for u in reading.unresolved] == ["SqsQueueUrl"]


@pytest.mark.parametrize("name", ["x" * 65, "Train Model", "train.model", "étape", "a/b"])
def test_a_step_name_sagemaker_refuses_is_a_definition_error(name: str) -> None:
    """GIVEN a step whose name breaks SageMaker's StepName rule (64 letters, digits, hyphens
    and underscores) WHEN read THEN a DefinitionError names the step and the rule."""
    definition = {"Steps": [{"Name": name, "Type": "Fail", "Arguments": {}}]}
    with pytest.raises(DefinitionError) as raised:
        read_definition(definition)
    (problem,) = raised.value.problems
    assert problem.code == "invalidStepName"
    assert "1 to 64 letters, digits, hyphens and underscores" in problem.message


@pytest.mark.parametrize("name", ["x" * 64, "Train_Model-2", "a"])
def test_step_names_at_the_edges_of_the_rule_are_read(name: str) -> None:
    reading = read_definition({"Steps": [{"Name": name, "Type": "Fail", "Arguments": {}}]})
    assert [step for step, _ in reading.steps] == [name]


def test_parameter_values_for_a_parameter_the_definition_lacks_are_a_definition_error() -> None:
    """GIVEN parameter_values that name a parameter the definition neither declares nor
    refers to (a typo) WHEN read THEN a DefinitionError names it and the closest one,
    instead of silently leaving the real parameter unbound."""
    definition = _definition("training_eval_register")
    with pytest.raises(DefinitionError) as raised:
        read_definition(definition, parameter_values={"InputDataUri": ["s3://b/in"]})
    (problem,) = raised.value.problems
    assert (problem.prop, problem.code) == ("parameter_values", "unknownParameter")
    assert "'InputDataUri'" in problem.message and "did you mean 'InputDataUrl'?" in (
        problem.message)
