"""The API calls jobs make themselves (core.catalog.schema.JobCall -> JobNeeds.service_calls ->
core.job_policy), and the definition fields whose calls the library names instead.

Each case holds a role derived from a definition against requests written here from AWS's
pages and the SDK (not from the plan): the calls the job makes are allowed by a real IAM
engine (iam-simulate), and the calls next to them (another model, another endpoint name,
another role or service, another region) are denied.

- Clarify's shadow endpoint (AWS page "Analysis configuration files" of SageMaker Clarify,
  ``predictor.model_name``; SDK v3 ``clarify.ModelConfig``): a model bias or
  explainability check deploys its model on an endpoint config and endpoint named
  ``sm-clarify-...``, tags, waits on, invokes and deletes them, with the job's role.
- AutoML (AWS page "How to use SageMaker AI execution roles", CreateAutoMLJob and
  CreateAutoMLJobV2): the job's role passes itself to SageMaker, creates, describes,
  invokes and deletes models and endpoints, and pulls the AutoML containers.
- A Model step fed by an AutoML best candidate reads the candidate's artifacts under the
  AutoML job's output path and pulls its image from the region's registries, never
  ``s3:::*/*`` nor every repository of every region.
- Fields of SDK v3 definitions whose calls are not granted are named in a warning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_plan import (
    ENV,
    assert_none,
    decide,
    job_needs_by_role,
    render,
    request,
    unneeded_units,
    wrong,
)

from iamsim import Request
from sm_pipeline_iam.core.definition.reader import DefinitionReading, read_definition
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.core.execution_role.policy import JOB_ROLE_ARN
from sm_pipeline_iam.core.job_roles.needs import automl_repositories
from sm_pipeline_iam.core.job_roles.policy import job_statements
from sm_pipeline_iam.core.notices import (
    AUTOML_RESOURCE_NAMES,
    CLARIFY_MODEL_UNKNOWN,
    UNGRANTED_FIELD,
)
from sm_pipeline_iam.core.plan import EXECUTION_ROLE, PlannedCall, access_plan, job_role
from support.cfn import ACCOUNT, REGION, Resolver, synthesized_resolver
from support.tables import PRINCIPAL, SAGEMAKER, assert_all, pass_role
from support.tables import decide as decide_as

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
#: AWS's registry of the SageMaker first-party images (the AutoML containers) in us-east-1.
AWS_REGISTRY = "683313688378"


def _policies(reading: DefinitionReading) -> dict[str, dict[str, Any]]:
    """Each job role's policy in the region of the requests (known, as in a stack with an
    env: the AutoML images' registries are that region's)."""
    return {role: render(job_statements(needs, region=REGION))
            for role, needs in job_needs_by_role(reading).items()}


def _decide(reading: DefinitionReading, rows: list[tuple[str, str, str, dict[str, str], str]]
            ) -> list[str]:
    """Each ``(step, action, resource, context, expected)`` asked by the step's job role."""
    policies = _policies(reading)
    failures: list[str] = []
    for step in dict.fromkeys(row[0] for row in rows):
        role = job_role(step)
        requests = {}
        for _, action, resource, context, expected in (r for r in rows if r[0] == step):
            item = request(PlannedCall(role, action, resource, context))
            requests[item.id] = (item, expected)
        results = decide([item for item, _ in requests.values()], policies[role])
        failures += wrong(results, {i: want for i, (_, want) in requests.items()})
    return failures


def _planned_calls_allowed(reading: DefinitionReading) -> list[str]:
    """Every job-role call of the plan, asked by its role, and every statement unit that
    no planned call needs: the failures."""
    policies = _policies(reading)
    failures: list[str] = []
    calls = [c for c in access_plan(reading, ENV) if c.role != EXECUTION_ROLE]
    for role in dict.fromkeys(c.role for c in calls):
        requests = [request(c) for c in calls if c.role == role]
        failures += wrong(decide(requests, policies[role]), {r.id: "Allowed" for r in requests})
    return failures + [f"unneeded: {unit}" for unit in unneeded_units(policies, calls)]


# --- Clarify's shadow endpoint ------------------------------------------------------------

def _clarify_checks() -> DefinitionReading:
    return read_definition(FIXTURES / "job_calls" / "clarify_model_checks.json")


#: The model the SDK-built checks name (``Steps.CreateFraudModel.ModelName``, default naming).
_CHECKED_MODEL = f"{SM}:model/pipelines-a1b2c3d4e5f6-CreateFraudModel-x7Kq9PzT2m-1"
_SHADOW_CONFIG = f"{SM}:endpoint-config/sm-clarify-config-1746251067-14e5"
_SHADOW_ENDPOINT = f"{SM}:endpoint/sm-clarify-pipelines-a1b2c3d4e5f6-createfra-1746251067-14e5"


def _shadow_endpoint_rows(step: str, expected: str) -> list[tuple[str, str, str, dict[str, str],
                                                                  str]]:
    model = {"sagemaker:ModelArn": _CHECKED_MODEL}
    return [
        (step, "sagemaker:CreateEndpointConfig", _SHADOW_CONFIG, model, expected),
        (step, "sagemaker:AddTags", _SHADOW_CONFIG, {}, expected),
        (step, "sagemaker:CreateEndpoint", _SHADOW_CONFIG, {}, expected),
        (step, "sagemaker:CreateEndpoint", _SHADOW_ENDPOINT, {}, expected),
        (step, "sagemaker:AddTags", _SHADOW_ENDPOINT, {}, expected),
        (step, "sagemaker:DescribeEndpoint", _SHADOW_ENDPOINT, {}, expected),
        (step, "sagemaker:InvokeEndpoint", _SHADOW_ENDPOINT, {}, expected),
        (step, "sagemaker:DeleteEndpoint", _SHADOW_ENDPOINT, {}, expected),
        (step, "sagemaker:DeleteEndpointConfig", _SHADOW_CONFIG, {}, expected),
    ]


def test_a_model_check_deploys_invokes_and_deletes_its_shadow_endpoint() -> None:
    """GIVEN SDK v3 model bias and explainability checks of a pipeline's model WHEN their
    job roles are derived THEN each may create an 'sm-clarify-*' endpoint config for that
    model, create, tag, describe, invoke and delete the endpoint and delete the config;
    and every call the plan lists for the fixture's jobs is allowed."""
    reading = _clarify_checks()
    rows = [*_shadow_endpoint_rows("CheckModelBias", "Allowed"),
            *_shadow_endpoint_rows("CheckExplainability", "Allowed")]
    assert_none(_decide(reading, rows), "not as expected")
    assert_none(_planned_calls_allowed(reading), "planned but denied")


def test_a_model_check_is_denied_other_models_endpoints_and_actions() -> None:
    """GIVEN the model checks' roles WHEN they deploy another model, touch an endpoint not
    named 'sm-clarify-*', update an endpoint or delete the model THEN denied; the model's
    own role gets none of the shadow-endpoint calls."""
    reading = _clarify_checks()
    other_model = f"{SM}:model/pipelines-a1b2c3d4e5f6-OtherModel-x7Kq9PzT2m-1"
    rows = [
        ("CheckModelBias", "sagemaker:CreateEndpointConfig", _SHADOW_CONFIG,
         {"sagemaker:ModelArn": other_model}, "ImplicitlyDenied"),
        ("CheckModelBias", "sagemaker:CreateEndpointConfig", f"{SM}:endpoint-config/prod",
         {"sagemaker:ModelArn": _CHECKED_MODEL}, "ImplicitlyDenied"),
        ("CheckModelBias", "sagemaker:InvokeEndpoint", f"{SM}:endpoint/fraud-prod", {},
         "ImplicitlyDenied"),
        ("CheckModelBias", "sagemaker:DeleteEndpoint", f"{SM}:endpoint/fraud-prod", {},
         "ImplicitlyDenied"),
        ("CheckModelBias", "sagemaker:UpdateEndpoint", _SHADOW_ENDPOINT, {},
         "ImplicitlyDenied"),
        ("CheckModelBias", "sagemaker:DeleteModel", _CHECKED_MODEL, {}, "ImplicitlyDenied"),
        ("CheckExplainability", "sagemaker:InvokeEndpoint",
         _SHADOW_ENDPOINT.replace(f":{REGION}:", ":us-west-2:"), {}, "ImplicitlyDenied"),
        *_shadow_endpoint_rows("CreateFraudModel", "ImplicitlyDenied"),
    ]
    assert_none(_decide(reading, rows), "not as expected")


def test_a_data_bias_check_gets_no_shadow_endpoint() -> None:
    """GIVEN the SDK-built data bias check (no model: no ModelName) WHEN its role is
    derived THEN none of the shadow-endpoint calls is allowed."""
    reading = read_definition(FIXTURES / "definitions" / "other_steps.json")
    assert_none(_decide(reading, _shadow_endpoint_rows("CheckDataBias", "ImplicitlyDenied")),
                "not denied")


def _processing(image: str) -> dict[str, Any]:
    return {"Steps": [{
        "Name": "ExplainWithClarify", "Type": "Processing",
        "Arguments": {
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/ClarifyRole",
            "AppSpecification": {"ImageUri": image},
            "ProcessingInputs": [{"InputName": "analysis_config", "S3Input": {
                "S3Uri": "s3://ml-artifacts-111122223333/clarify/analysis_config.json",
                "S3DataType": "S3Prefix", "LocalPath": "/opt/ml/processing/input/config"}}],
            "ProcessingOutputConfig": {"Outputs": [{"S3Output": {
                "S3Uri": "s3://ml-artifacts-111122223333/clarify/out",
                "LocalPath": "/opt/ml/processing/output"}}]},
            "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1,
                                                      "InstanceType": "ml.m5.xlarge"}},
        },
    }]}


_CLARIFY_IMAGE = "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"


def test_a_processing_step_running_clarify_gets_the_shadow_endpoint_with_a_warning() -> None:
    """GIVEN a Processing step running the Clarify container (its model lies in the
    analysis config, not in the definition) WHEN its role is derived THEN the shadow
    endpoint calls are allowed for any model, 'sm-clarify-*' only, with a warning; the
    same step with another image gets neither."""
    reading = read_definition(_processing(_CLARIFY_IMAGE))
    assert CLARIFY_MODEL_UNKNOWN in {n.id for n in reading.jobs[0].notices}
    rows = [*_shadow_endpoint_rows("ExplainWithClarify", "Allowed"),
            ("ExplainWithClarify", "sagemaker:CreateEndpointConfig",
             f"{SM}:endpoint-config/prod", {"sagemaker:ModelArn": _CHECKED_MODEL},
             "ImplicitlyDenied"),
            ("ExplainWithClarify", "sagemaker:InvokeEndpoint", f"{SM}:endpoint/prod", {},
             "ImplicitlyDenied")]
    assert_none(_decide(reading, rows), "not as expected")
    assert_none(_planned_calls_allowed(reading), "planned but denied")
    other = read_definition(_processing(_CLARIFY_IMAGE.replace("clarify-processing",
                                                               "scikit-learn")))
    assert CLARIFY_MODEL_UNKNOWN not in {n.id for n in other.jobs[0].notices}
    assert_none(_decide(other, _shadow_endpoint_rows("ExplainWithClarify", "ImplicitlyDenied")),
                "not denied")


# --- AutoML ---------------------------------------------------------------------------------

_AUTOML_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AutoMLRole"
_CANDIDATE = "Steps.AutoMLTrain.BestCandidate.InferenceContainers[0]"


def _automl(version: str) -> dict[str, Any]:
    """An AutoML step (V1 ``InputDataConfig`` or V2 ``AutoMLJobInputDataConfig``, prefix
    'fraud') and a Model step made from its best candidate, as SDK v2's
    ``AutoMLStep.get_best_auto_ml_model`` writes it."""
    source = {"DataSource": {"S3DataSource": {
        "S3DataType": "S3Prefix", "S3Uri": "s3://ml-in-111122223333/automl/train"}}}
    inputs = ({"InputDataConfig": [{**source, "TargetAttributeName": "y"}]} if version == "V1"
              else {"AutoMLJobInputDataConfig": [{**source, "ChannelType": "training"}],
                    "AutoMLProblemTypeConfig": {"TabularJobConfig": {
                        "TargetAttributeName": "y"}}})
    return {"Version": "2020-12-01", "Steps": [
        {"Name": "AutoMLTrain", "Type": "AutoML", "Arguments": {
            "AutoMLJobName": "fraud", "RoleArn": _AUTOML_ROLE, **inputs,
            "OutputDataConfig": {"S3OutputPath": "s3://ml-out-111122223333/automl"}}},
        {"Name": "BestModel", "Type": "Model", "Arguments": {
            "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ModelRole",
            "PrimaryContainer": {
                "Image": {"Get": f"{_CANDIDATE}.Image"},
                "ModelDataUrl": {"Get": f"{_CANDIDATE}.ModelDataUrl"}}}},
    ]}


def _ecr(region: str, repository: str) -> str:
    return f"arn:aws:ecr:{region}:{AWS_REGISTRY}:repository/{repository}"


def _automl_image_rows(step: str) -> list[tuple[str, str, str, dict[str, str], str]]:
    """Pulls of the AutoML images in us-east-1's registries (SDK v2 image_uri_config:
    xgboost.json, linear-learner.json, autogluon.json) allowed; another repository of the
    same registry, the same repository in another account, denied."""
    def pull(account: str, repository: str, expected: str) -> tuple[
            str, str, str, dict[str, str], str]:
        return (step, "ecr:BatchGetImage",
                f"arn:aws:ecr:{REGION}:{account}:repository/{repository}", {}, expected)
    return [
        pull(AWS_REGISTRY, "sagemaker-xgboost", "Allowed"),
        pull("382416733822", "linear-learner", "Allowed"),
        pull("763104351884", "autogluon-inference", "Allowed"),
        pull("763104351884", "autogluon-training", "Allowed"),
        pull(AWS_REGISTRY, "neighbour-sagemaker-sklearn-automl", "ImplicitlyDenied"),
        pull(AWS_REGISTRY, "sagemaker-scikit-learn", "ImplicitlyDenied"),
        pull("763104351884", "sagemaker-sklearn-automl", "ImplicitlyDenied"),
        pull("246618743249", "sagemaker-sklearn-automl", "ImplicitlyDenied"),
        pull(ACCOUNT, "sagemaker-sklearn-automl", "ImplicitlyDenied"),
    ]


def test_an_automl_job_role_holds_what_aws_lists_for_it_and_no_more() -> None:
    """GIVEN AutoML steps (V1 and V2) WHEN the job's role is derived THEN it may pass
    itself to SageMaker, create, describe, invoke and delete models and endpoints named
    after the AutoML job, and pull the AutoML containers of its region, with a warning;
    another role, another service, other names and other regions are denied."""
    for version in ("V1", "V2"):
        reading = read_definition(_automl(version))
        automl = next(job for job in reading.jobs if job.step == "AutoMLTrain")
        assert AUTOML_RESOURCE_NAMES in {n.id for n in automl.notices}
        own, other = f"{SM}:model/fraud-a1b2c3d4e5f6-best", f"{SM}:model/prod-model"
        rows = [
            ("AutoMLTrain", "iam:PassRole", _AUTOML_ROLE,
             {"iam:PassedToService": "sagemaker.amazonaws.com"}, "Allowed"),
            ("AutoMLTrain", "sagemaker:CreateModel", own, {}, "Allowed"),
            ("AutoMLTrain", "sagemaker:DeleteModel", own, {}, "Allowed"),
            ("AutoMLTrain", "sagemaker:CreateEndpointConfig",
             f"{SM}:endpoint-config/fraud-a1b2c3d4e5f6-best", {}, "Allowed"),
            ("AutoMLTrain", "sagemaker:InvokeEndpoint", f"{SM}:endpoint/fraud-a1b2c3d4e5f6-x",
             {}, "Allowed"),
            ("AutoMLTrain", "sagemaker:DeleteEndpoint", f"{SM}:endpoint/fraud-a1b2c3d4e5f6-x",
             {}, "Allowed"),
            ("AutoMLTrain", "ecr:BatchGetImage", _ecr(REGION, "sagemaker-sklearn-automl"), {},
             "Allowed"),
            ("AutoMLTrain", "iam:PassRole", _AUTOML_ROLE,
             {"iam:PassedToService": "ec2.amazonaws.com"}, "ImplicitlyDenied"),
            ("AutoMLTrain", "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/AdminRole",
             {"iam:PassedToService": "sagemaker.amazonaws.com"}, "ImplicitlyDenied"),
            ("AutoMLTrain", "sagemaker:CreateModel", other, {}, "ImplicitlyDenied"),
            ("AutoMLTrain", "sagemaker:InvokeEndpoint", f"{SM}:endpoint/prod", {},
             "ImplicitlyDenied"),
            ("AutoMLTrain", "sagemaker:UpdateEndpoint", f"{SM}:endpoint/fraud-a1b2c3d4e5f6-x",
             {}, "ImplicitlyDenied"),
            ("AutoMLTrain", "ecr:BatchGetImage", _ecr("us-west-2", "sagemaker-sklearn-automl"),
             {}, "ImplicitlyDenied"),
            ("AutoMLTrain", "ecr:PutImage", _ecr(REGION, "sagemaker-sklearn-automl"), {},
             "ImplicitlyDenied"),
            *_automl_image_rows("AutoMLTrain"),
        ]
        assert_none(_decide(reading, rows), f"{version}: not as expected")
        assert_none(_planned_calls_allowed(reading), f"{version}: planned but denied")


def test_a_model_from_an_automl_best_candidate_reads_only_that_job_s_output() -> None:
    """GIVEN a Model step whose image and model data are an AutoML step's best candidate
    WHEN its role is derived THEN it reads the candidate's artifacts under the AutoML
    job's output path and pulls from the region's registries; other buckets, prefixes
    and regions are denied, and no statement names every bucket."""
    reading = read_definition(_automl("V2"))
    artifact = "ml-out-111122223333/automl/fraud-a1b2c3d4e5f6-x7/tuning/t1/output/model.tar.gz"
    rows = [
        ("BestModel", "s3:GetObject", f"arn:aws:s3:::{artifact}", {}, "Allowed"),
        ("BestModel", "ecr:BatchGetImage", _ecr(REGION, "sagemaker-sklearn-automl"), {},
         "Allowed"),
        ("BestModel", "s3:GetObject", "arn:aws:s3:::other-bucket-111122223333/automl/m.tar.gz",
         {}, "ImplicitlyDenied"),
        ("BestModel", "s3:GetObject", "arn:aws:s3:::ml-out-111122223333/other/model.tar.gz",
         {}, "ImplicitlyDenied"),
        ("BestModel", "s3:GetObject", "arn:aws:s3:::ml-in-111122223333/automl/train/x.csv",
         {}, "ImplicitlyDenied"),
        ("BestModel", "ecr:BatchGetImage", _ecr("us-west-2", "sagemaker-sklearn-automl"), {},
         "ImplicitlyDenied"),
        *_automl_image_rows("BestModel"),
    ]
    assert_none(_decide(reading, rows), "not as expected")
    policy = json.dumps(_policies(reading)[job_role("BestModel")])
    assert "s3:::*" not in policy and "ecr:*:" not in policy


# --- fields whose calls are named, never dropped ---------------------------------------------

def _evaluation_template() -> dict[str, Any]:
    """The shape of SDK v3's model-evaluation pipelines
    (``sagemaker.train.evaluate.pipeline_templates``, DETERMINISTIC_TEMPLATE rendered): a
    pipeline-level MlflowConfig and a serverless Training step with a hub base model,
    a model package config, its own MlflowConfig and a hub dataset."""
    hub = f"arn:aws:sagemaker:{REGION}:aws:hub-content/SageMakerPublicHub"
    return {
        "Version": "2020-12-01", "Metadata": {}, "Parameters": [],
        "MlflowConfig": {
            "MlflowResourceArn": f"{SM}:mlflow-tracking-server/fraud",
            "MlflowExperimentName": "fraud-eval"},
        "Steps": [{"Name": "EvaluateCustomModel", "Type": "Training", "Arguments": {
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/EvalRole",
            "ModelPackageConfig": {
                "ModelPackageGroupArn": f"{SM}:model-package-group/fraud",
                "SourceModelPackageArn": f"{SM}:model-package/fraud/3"},
            "ServerlessJobConfig": {
                "BaseModelArn": f"{hub}/Model/meta-textgeneration-llama-3-8b/1.0.0",
                "AcceptEula": True, "JobType": "Evaluation",
                "EvaluationType": "BenchmarkEvaluation"},
            "MlflowConfig": {"MlflowResourceArn": f"{SM}:mlflow-tracking-server/fraud"},
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
            "HyperParameters": {"task": "mmlu", "strategy": "zs_cot"},
            "OutputDataConfig": {"S3OutputPath": "s3://ml-artifacts-111122223333/eval",
                                 "CompressionType": "NONE"},
            "InputDataConfig": [{"ChannelName": "train", "DataSource": {"DatasetSource": {
                "DatasetArn": f"{hub}/DataSet/fraud-eval/1.0.0"}}}],
        }}],
    }


def test_fields_whose_calls_are_not_granted_are_named_in_warnings() -> None:
    """GIVEN a definition in the shape of SDK v3's evaluation pipelines WHEN read THEN each
    field whose calls the library does not grant is named in an ungrantedField warning
    (the pipeline's MlflowConfig on the execution role's side; the job's base model,
    model package config, MlflowConfig and hub dataset on the job's), none dropped."""
    reading = read_definition(_evaluation_template())
    pipeline = [n.message for n in reading.requirements.notices if n.id == UNGRANTED_FIELD]
    (job,) = reading.jobs
    fields = [n.message for n in job.notices if n.id == UNGRANTED_FIELD]
    assert len(pipeline) == 1 and "the pipeline field MlflowConfig" in pipeline[0]
    for name in ("ServerlessJobConfig.BaseModelArn", "ModelPackageConfig", "MlflowConfig",
                 "InputDataConfig[0].DataSource.DatasetSource"):
        assert any(f"step 'EvaluateCustomModel' field {name}:" in m for m in fields), name
    plain = read_definition(FIXTURES / "definitions" / "training_eval_register.json")
    assert UNGRANTED_FIELD not in {n.id for n in plain.requirements.notices}
    assert all(UNGRANTED_FIELD not in {n.id for n in j.notices} for j in plain.jobs)


# --- @step functions ---------------------------------------------------------------------------

_BASE = "arn:aws:s3:::ml-artifacts-111122223333/fraud-other-steps"
_RUN = f"{_BASE}/SummarizeScores/TIMESTAMP"


def test_a_step_function_reads_its_payload_and_writes_its_results() -> None:
    """GIVEN the SDK-built ``@step`` function (other_steps: its container arguments name
    ``--s3_base_uri``, ``--pipeline_step_name`` and ``--func_step_s3_dir``) WHEN its role is
    derived THEN it reads its pickled function and arguments, writes its results under its
    S3OutputPath (the execution id a run-time part) and its error under
    ``<base>/<execution id>/<step>/exception``; it may not overwrite its payload nor read
    another function's, and the execution role still reads the results' JSON."""
    reading = read_definition(FIXTURES / "definitions" / "other_steps.json")
    step = "SummarizeScores"
    rows = [
        (step, "s3:GetObject", f"{_RUN}/function/payload.pkl", {}, "Allowed"),
        (step, "s3:GetObject", f"{_RUN}/arguments/payload.pkl", {}, "Allowed"),
        (step, "s3:PutObject", f"{_RUN}/a1b2c3d4e5f6/results/results.json", {}, "Allowed"),
        (step, "s3:PutObject", f"{_RUN}/a1b2c3d4e5f6/results/payload.pkl", {}, "Allowed"),
        (step, "s3:PutObject", f"{_BASE}/a1b2c3d4e5f6/{step}/exception/payload.pkl", {},
         "Allowed"),
        (step, "s3:PutObject", f"{_RUN}/function/payload.pkl", {}, "ImplicitlyDenied"),
        (step, "s3:GetObject", f"{_BASE}/OtherFunction/TIMESTAMP/function/payload.pkl", {},
         "ImplicitlyDenied"),
        (step, "s3:GetObject", f"{_RUN}/other/payload.pkl", {}, "ImplicitlyDenied"),
        (step, "s3:PutObject", f"{_BASE}/a1b2c3d4e5f6/OtherFunction/exception/payload.pkl",
         {}, "ImplicitlyDenied"),
    ]
    assert_none(_decide(reading, rows), "not as expected")
    json_get = PlannedCall(EXECUTION_ROLE, "s3:GetObject",
                           f"{_RUN}/a1b2c3d4e5f6/results/results.json")
    assert any(c.key == json_get.key for c in access_plan(reading, ENV))


def test_a_step_function_reads_the_results_of_the_functions_it_takes() -> None:
    """GIVEN a ``@step`` function whose argument is another one's result (the SDK lists
    that step's ``S3OutputPath`` after ``--property_references``) WHEN its role is derived
    THEN it reads the other function's results, and not the other's payload."""
    definition = json.loads((FIXTURES / "definitions" / "other_steps.json").read_text())
    steps = {s["Name"]: s for s in definition["Steps"]}
    consumer = json.loads(json.dumps(steps["SummarizeScores"]))
    consumer["Name"] = "ReportScores"
    arguments = consumer["Arguments"]["AlgorithmSpecification"]["ContainerArguments"]
    arguments[arguments.index("SummarizeScores")] = "ReportScores"
    reference = "Steps.SummarizeScores.OutputDataConfig.S3OutputPath"
    arguments += [reference, {"Get": reference}]
    consumer["Arguments"]["OutputDataConfig"]["S3OutputPath"]["Std:Join"]["Values"][1] = (
        "ReportScores")
    definition["Steps"].append(consumer)
    reading = read_definition(definition)
    rows = [
        ("ReportScores", "s3:GetObject", f"{_RUN}/a1b2c3d4e5f6/results/payload.pkl", {},
         "Allowed"),
        ("ReportScores", "s3:GetObject", f"{_BASE}/ReportScores/TIMESTAMP/function/payload.pkl",
         {}, "Allowed"),
        ("ReportScores", "s3:GetObject", f"{_RUN}/function/payload.pkl", {},
         "ImplicitlyDenied"),
        ("ReportScores", "s3:PutObject", f"{_RUN}/a1b2c3d4e5f6/results/payload.pkl", {},
         "ImplicitlyDenied"),
    ]
    assert_none(_decide(reading, rows), "not as expected")


# --- Debugger rule evaluations ------------------------------------------------------------------

_RULE_IMAGE = "503895931360.dkr.ecr.us-east-1.amazonaws.com/sagemaker-debugger-rules:latest"
_DEBUG = "ml-artifacts-111122223333/fraud-v2/debug"


def _training_with_rules(rules: bool) -> dict[str, Any]:
    """An SDK v2 Estimator's training step (``TrainingJobName`` 'fraud') with a Debugger
    hook and, when ``rules``, a built-in rule (LossNotDecreasing)."""
    arguments: dict[str, Any] = {
        "TrainingJobName": "fraud",
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/TrainRole",
        "AlgorithmSpecification": {"TrainingImage": f"{AWS_REGISTRY}.dkr.ecr.us-east-1."
                                   "amazonaws.com/sagemaker-xgboost:1.7-1",
                                   "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://ml-artifacts-111122223333/fraud-v2/models"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                           "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "DebugHookConfig": {"S3OutputPath": f"s3://{_DEBUG}", "CollectionConfigurations": []},
    }
    if rules:
        arguments["DebugRuleConfigurations"] = [{
            "RuleConfigurationName": "LossNotDecreasing",
            "RuleEvaluatorImage": _RULE_IMAGE,
            "RuleParameters": {"rule_to_invoke": "LossNotDecreasing"}}]
    return {"Version": "2020-12-01",
            "Steps": [{"Name": "Train", "Type": "Training", "Arguments": arguments}]}


def _rule_job_rows(expected: str) -> list[tuple[str, str, str, dict[str, str], str]]:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs"
    stream = f"{group}:log-stream:fraud-a1b2c3d4e5f6-x7kq9pz-lossnotdecreasing-2473c70b/algo-1"
    return [
        ("Train", "ecr:BatchGetImage",
         "arn:aws:ecr:us-east-1:503895931360:repository/sagemaker-debugger-rules", {},
         expected),
        ("Train", "logs:CreateLogStream", stream, {}, expected),
        ("Train", "logs:PutLogEvents", stream, {}, expected),
        ("Train", "s3:GetObject",
         f"arn:aws:s3:::{_DEBUG}/fraud-a1b2c3d4e5f6-x7Kq9PzT2m/debug-output/index/0.json", {},
         expected),
        ("Train", "cloudwatch:PutMetricData", f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:dataset/"
         "sagemaker-metrics", {"cloudwatch:namespace": "/aws/sagemaker/ProcessingJobs"},
         expected),
    ]


def test_a_training_job_s_debugger_rules_run_under_its_role() -> None:
    """GIVEN a training step with a Debugger rule (its evaluation is a processing job that
    SageMaker starts under the training job's role: DebugRuleConfiguration has no role)
    WHEN the role is derived THEN the rule's image, the rule job's logs and metrics and
    the hook's output are allowed; another image, another job's rule streams and the
    training job's own stream group for other jobs are denied; without rules, none of it."""
    reading = read_definition(_training_with_rules(rules=True))
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs"
    rows = [
        *_rule_job_rows("Allowed"),
        ("Train", "ecr:BatchGetImage",
         "arn:aws:ecr:us-east-1:503895931360:repository/sagemaker-other", {},
         "ImplicitlyDenied"),
        ("Train", "logs:CreateLogStream",
         f"{group}:log-stream:other-a1b2c3d4e5f6-x7kq9pz-lossnotdecreasing-2473c70b/algo-1",
         {}, "ImplicitlyDenied"),
        ("Train", "s3:GetObject", "arn:aws:s3:::ml-artifacts-111122223333/fraud-v2/other/x",
         {}, "ImplicitlyDenied"),
    ]
    assert_none(_decide(reading, rows), "not as expected")
    assert_none(_planned_calls_allowed(reading), "planned but denied")
    without = read_definition(_training_with_rules(rules=False))
    assert_none(_decide(without, _rule_job_rows("ImplicitlyDenied")), "not denied")


# --- synthesized under cdk-nag ----------------------------------------------------------------

def test_job_call_wildcards_are_acknowledged_with_their_own_reasons(tmp_path: Path) -> None:
    """GIVEN job roles for the Clarify model checks and the AutoML pipeline WHEN
    synthesized under AwsSolutions THEN synthesis succeeds, and each wildcard of a job-call
    statement is acknowledged with that statement's own reason (the shadow endpoint's,
    the AutoML deployments', the AutoML registries')."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from sm_pipeline_iam import PipelineJobRoles

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "JobCalls", env=cdk.Environment(account=ACCOUNT, region=REGION))
    PipelineJobRoles(stack, "Clarify", definition=FIXTURES / "job_calls" /
                     "clarify_model_checks.json")
    PipelineJobRoles(stack, "AutoML", definition=_automl("V2"))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    reasons = {
        reason
        for construct in stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule_id, reason in entry.data.items()
        if "sm-clarify" in rule_id or ":model/fraud" in rule_id
    }
    assert any("shadow endpoint 'sm-clarify-*'" in r for r in reasons), reasons
    assert any("models and endpoints it names after itself" in r for r in reasons), reasons


def _generated_roles(definition: dict[str, Any]) -> tuple[Resolver, dict[str, str]]:
    """The synthesized PipelineJobRoles of ``definition`` (a concrete stack): its resolver
    and step -> the logical id of the role that step's job runs as."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from sm_pipeline_iam import PipelineJobRoles

    stack = cdk.Stack(cdk.App(), "Scenario",
                      env=cdk.Environment(account=ACCOUNT, region=REGION))
    roles = PipelineJobRoles(stack, "Roles", definition=definition)
    resolver = synthesized_resolver(Template.from_stack(stack).to_json())
    return resolver, {step: stack.resolve(roles.role_for(step).role_arn)["Fn::GetAtt"][0]
                      for step in ("AutoMLTrain", "BestModel")}


def test_a_generated_automl_job_role_passes_itself_to_sagemaker_only() -> None:
    """GIVEN PipelineJobRoles for AutoML steps (V1 and V2), whose RoleArn the generated
    role replaces WHEN synthesized THEN the AutoML job role may pass its own ARN to
    SageMaker (the role its candidates' jobs run as); the definition's replaced role,
    the best model's role and its own ARN to another service are denied."""
    for version in ("V1", "V2"):
        resolver, ids = _generated_roles(_automl(version))
        own = f"arn:aws:iam::{ACCOUNT}:role/{resolver.role_name(ids['AutoMLTrain'])}"
        model = f"arn:aws:iam::{ACCOUNT}:role/{resolver.role_name(ids['BestModel'])}"
        allowed = [pass_role(own, SAGEMAKER)]
        denied = [pass_role(own, "ec2.amazonaws.com"), pass_role(_AUTOML_ROLE, SAGEMAKER),
                  pass_role(model, SAGEMAKER)]
        assert_all(decide_as(resolver, allowed, role_id=ids["AutoMLTrain"]), "Allowed")
        assert_all(decide_as(resolver, denied, role_id=ids["AutoMLTrain"]), "ImplicitlyDenied")


def test_a_kept_automl_role_passes_the_definition_s_role() -> None:
    """GIVEN an AutoML step kept on its own role (keep_roles_for) WHEN read THEN the
    passing of its role names the definition's literal ARN, never the generated role's
    placeholder."""
    reading = read_definition(_automl("V2"), replaced_role_steps=["BestModel"])
    automl = next(job for job in reading.jobs if job.step == "AutoMLTrain")
    assert {c.resource for c in automl.service_calls if c.action == "iam:PassRole"} == {
        _AUTOML_ROLE}
    replaced = read_definition(_automl("V2"), replaced_role_steps=["AutoMLTrain"])
    automl = next(job for job in replaced.jobs if job.step == "AutoMLTrain")
    assert {c.resource for c in automl.service_calls if c.action == "iam:PassRole"} == {
        JOB_ROLE_ARN}
    assert not any(n.id == UNGRANTED_FIELD for n in automl.notices)


#: PutMetricData's request with no resource (iam-simulate refuses '*' for its optional
#: ``dataset`` resource type), as tests/test_plan.py asks it.
_METRICS = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:dataset/sample"


def test_an_automl_job_logs_and_measures_its_batch_transform_candidates() -> None:
    """GIVEN an AutoML step WHEN its generated role is synthesized THEN the batch transform
    jobs it runs for its candidates (API TransformJob.AutoMLJobArn) may log and put
    metrics under TransformJobs; the Endpoints group and namespace stay denied."""
    resolver, ids = _generated_roles(_automl("V2"))
    logs = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker"
    stream = "fraud-a1b2c3d4e5f6-dpp0-1-1a2b3c4d/algo-1-1765094400"
    def rows(kind: str) -> list[Request]:
        return [
            Request(f"stream {kind}", PRINCIPAL, "logs:CreateLogStream",
                    f"{logs}/{kind}:log-stream:{stream}", {}),
            Request(f"put {kind}", PRINCIPAL, "logs:PutLogEvents",
                    f"{logs}/{kind}:log-stream:{stream}", {}),
            Request(f"metrics {kind}", PRINCIPAL, "cloudwatch:PutMetricData", _METRICS,
                    {"cloudwatch:namespace": f"/aws/sagemaker/{kind}"}),
        ]
    assert_all(decide_as(resolver, rows("TransformJobs"), role_id=ids["AutoMLTrain"]), "Allowed")
    assert_all(decide_as(resolver, rows("Endpoints"), role_id=ids["AutoMLTrain"]),
               "ImplicitlyDenied")


def test_automl_images_come_from_the_stack_s_region_or_every_listed_registry() -> None:
    """GIVEN the AutoML pipeline's job roles WHEN the stack has a region THEN the AutoML and
    best-model roles name only that region's registries, with no warning about them; WHEN
    the stack is environment-agnostic THEN they name every listed registry account (never
    an account wildcard) and each role warns (autoMLResourceNames) that the region is not
    known at synthesis."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Annotations, Match, Template

    from sm_pipeline_iam import PipelineJobRoles

    def synth(env: cdk.Environment | None) -> tuple[str, list[Any]]:
        stack = cdk.Stack(cdk.App(), "Scenario", env=env)
        PipelineJobRoles(stack, "Roles", definition=_automl("V2"))
        warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(
            "region is not known at synthesis"))
        return json.dumps(Template.from_stack(stack).to_json()), warnings

    concrete, warned = synth(cdk.Environment(account=ACCOUNT, region=REGION))
    assert "683313688378:repository/sagemaker-sklearn-automl" in concrete
    assert "246618743249" not in concrete and ":*:repository" not in concrete
    assert not warned
    agnostic, warned = synth(None)
    assert "683313688378:repository/sagemaker-sklearn-automl" in agnostic
    assert "246618743249:repository/sagemaker-sklearn-automl" in agnostic
    assert ":*:repository" not in agnostic and "repository/*" not in agnostic
    assert len(warned) == 2, warned


def test_a_region_without_listed_automl_registries_is_named_not_guessed() -> None:
    """GIVEN a region the AutoML registry table does not list WHEN the AutoML images'
    repositories are asked for THEN none (the CDK role warns), never a wildcard."""
    assert automl_repositories("xx-newregion-1") == []
    assert automl_repositories("us-west-2") == [
        f"arn:${{AWS::Partition}}:ecr:us-west-2:{account}:repository/{name}"
        for account, name in (("246618743249", "sagemaker-sklearn-automl"),
                              ("246618743249", "sagemaker-xgboost"),
                              ("174872318107", "linear-learner"),
                              ("763104351884", "autogluon-inference"),
                              ("763104351884", "autogluon-training"))]


def test_an_automl_role_given_by_a_parameter_is_named_not_granted() -> None:
    """GIVEN an AutoML step whose RoleArn is a pipeline parameter opted in to any value WHEN
    read THEN refused, naming the step and field (no role is passed on a guess); replaced
    by a generated role, the job passes that role."""
    definition = _automl("V2")
    definition["Parameters"] = [{"Name": "AutoMLRoleArn", "Type": "String"}]
    definition["Steps"][0]["Arguments"]["RoleArn"] = {"Get": "Parameters.AutoMLRoleArn"}
    with pytest.raises(DefinitionError, match="step 'AutoMLTrain' field RoleArn"):
        read_definition(definition, any_value_parameters=["AutoMLRoleArn"])
    # A generated role replaces the parameter: it passes itself, with no warning.
    replaced = read_definition(definition, replaced_role_steps=["AutoMLTrain"])
    automl = next(job for job in replaced.jobs if job.step == "AutoMLTrain")
    assert {c.resource for c in automl.service_calls if c.action == "iam:PassRole"} == {
        JOB_ROLE_ARN}
    assert not any(n.id == UNGRANTED_FIELD for n in automl.notices)


def test_the_clarify_fixture_is_what_the_sdk_builds() -> None:
    """GIVEN the SageMaker SDK WHEN it builds the Clarify model checks again THEN the same
    definition (real SDK output: the step-level ModelName is the SDK's)."""
    from fixtures.job_calls.build_job_calls import build_all

    assert build_all()["clarify_model_checks"] == json.loads(
        (FIXTURES / "job_calls" / "clarify_model_checks.json").read_text())


def test_a_role_s_own_arn_is_sized_as_the_longest_role_arn() -> None:
    """GIVEN a job role whose grants name its own ARN 50 times (about 9,100 characters
    with the placeholder, over 13,400 with a 64-character role name) WHEN made THEN the
    sizing counts the longest role ARN, not the placeholder: the grants go to managed
    policies instead of an inline policy IAM would refuse."""
    import aws_cdk as cdk

    from sm_pipeline_iam.cdk.job_roles import JobNeedsRole
    from sm_pipeline_iam.core.catalog.schema import StepType
    from sm_pipeline_iam.core.job_roles.needs import JobNeeds, ServiceCall

    calls = tuple(ServiceCall("iam:PassRole", JOB_ROLE_ARN, f"reason {n}", (
        ("StringEquals", "iam:PassedToService", "sagemaker.amazonaws.com"),)) for n in range(50))
    stack = cdk.Stack(cdk.App(), "Scenario", env=cdk.Environment(account=ACCOUNT, region=REGION))
    role = JobNeedsRole(stack, "Role", needs=JobNeeds(
        steps=("AutoMLTrain",), step_types=(StepType.AUTOML,), service_calls=calls))
    assert len(role.policies) > 1
