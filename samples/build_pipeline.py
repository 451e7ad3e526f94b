"""Build the sample "abalone" SageMaker pipeline offline and write its definition.

Run it from the repository root::

    .venv/bin/python samples/build_pipeline.py            # writes samples/pipeline.json
    .venv/bin/python samples/build_pipeline.py --output /tmp/pipeline.json

The pipeline (name ``sample-abalone``, account 111122223333, us-east-1) is built with the
SageMaker Python SDK v3 (``sagemaker==3.27.0``); the file is the SDK's own
``pipeline.definition()``, re-serialized with ``indent=2, sort_keys=True``::

    PreprocessAbaloneData [Processing]  raw CSV -> train / validation / test splits
    TrainAbaloneModel     [Training]    XGBoost on the train and validation splits
    EvaluateAbaloneModel  [Processing]  its own role; writes evaluation.json (a PropertyFile)
    CheckMseEvaluation    [Condition]   JsonGet(evaluation.json, regression_metrics.mse.value)
                                        <= parameter MseThreshold
      if:   CreateAbaloneModel    [Model]          the model SageMaker can host
            RegisterAbaloneModel  [RegisterModel]  a version in group sample-abalone-models
            NotifyModelRegistered [Lambda]         function sample-notify
      else: MseTooHigh            [Fail]

Job names: the custom job prefix is on (``PipelineDefinitionConfig(use_custom_job_prefix=
True)``), so the steps that keep a name (both Processing steps, the Model step) carry one
starting with ``abalone-``; see ``samples/README.md`` for what the SDK keeps.

Nothing touches AWS:

- the environment (region, fake credentials, no role validation, no SDK config files) is
  set before the SDK is imported, and the session gets an explicit config that only turns
  telemetry off;
- the session's default bucket is fixed, so the SDK never asks S3 or STS which to use;
- every image and code location is given explicitly, so nothing is looked up or uploaded;
- the build runs inside moto's ``mock_aws()`` (account 111122223333): any AWS call the SDK
  still makes lands in moto, never on the network.

Byte-stable output: the definition holds no time stamp, host path or generated key for this
pipeline. The SDK does generate job names with a time stamp (``abalone-preprocess-<YYYY-MM-
DD-HH-MM-SS-mmm>``), but with the custom prefix on it trims them back to the base name
before writing the definition. As a guard, :func:`scrub` replaces any SDK time stamp left in
a string by ``TIMESTAMP``, and the script fails if the definition mentions this machine's
working directory or home directory.
"""

# ruff: noqa: E402  (the SDK is imported after the environment below is set)

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import warnings
from pathlib import Path
from typing import Any

REGION = "us-east-1"
ACCOUNT = "111122223333"
BUCKET = f"sm-pipeline-iam-sample-{ACCOUNT}"
PIPELINE_NAME = "sample-abalone"
JOB_PREFIX = "abalone"

# --- offline environment: before boto3, moto and sagemaker are imported ---------------
os.environ["AWS_DEFAULT_REGION"] = REGION
os.environ["AWS_REGION"] = REGION
os.environ["MOTO_ACCOUNT_ID"] = ACCOUNT
os.environ["SAGEMAKER_VALIDATE_ROLE"] = "false"
os.environ["AWS_ACCESS_KEY_ID"] = "testing"  # fake: mock_aws() answers every call
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
for variable in (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "SAGEMAKER_ADMIN_CONFIG_OVERRIDE",
    "SAGEMAKER_USER_CONFIG_OVERRIDE",
):
    os.environ.pop(variable, None)

import boto3
from moto import mock_aws
from sagemaker.core.lambda_helper import Lambda
from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
from sagemaker.core.processing import Processor, ScriptProcessor
from sagemaker.core.shapes import (
    OutputDataConfig,
    ProcessingInput,
    ProcessingOutput,
    ProcessingS3Input,
    ProcessingS3Output,
)
from sagemaker.core.workflow.conditions import ConditionLessThanOrEqualTo
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.parameters import ParameterFloat, ParameterString
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.pipeline_definition_config import PipelineDefinitionConfig
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.lambda_step import LambdaOutput, LambdaStep
from sagemaker.mlops.workflow.model_step import ModelStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.steps import ProcessingStep, TrainingStep
from sagemaker.serve.model_builder import ModelBuilder
from sagemaker.train import ModelTrainer
from sagemaker.train.configs import Compute, InputData

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "pipeline.json"

#: The role the jobs run as unless a step says otherwise.
JOB_ROLE = f"arn:aws:iam::{ACCOUNT}:role/sample-abalone-job-role"
#: The evaluation step's own role (e.g. one that may read a protected test set).
EVALUATION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/sample-evaluation-role"
NOTIFY_FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sample-notify"
MODEL_PACKAGE_GROUP = "sample-abalone-models"

# AWS's public framework images for us-east-1, given explicitly so the SDK looks nothing up.
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"

S3 = f"s3://{BUCKET}/abalone"

#: The SDK's time stamp (``YYYY-MM-DD-HH-MM-SS`` with optional milliseconds).
SDK_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}(?:-\d{3})?")


def s3_input(name: str, source: Any, destination: str) -> ProcessingInput:
    """A processing input copied from S3 into the container before the job starts."""
    return ProcessingInput(
        input_name=name,
        s3_input=ProcessingS3Input(
            s3_uri=source, local_path=destination, s3_data_type="S3Prefix", s3_input_mode="File"
        ),
    )


def s3_output(name: str, source: str, destination: Any) -> ProcessingOutput:
    """A processing output uploaded to S3 when the job ends."""
    return ProcessingOutput(
        output_name=name,
        s3_output=ProcessingS3Output(
            s3_uri=destination, local_path=source, s3_upload_mode="EndOfJob"
        ),
    )


def build_pipeline(session: PipelineSession) -> Pipeline:
    """The sample pipeline, on ``session`` (a ``PipelineSession``: nothing runs)."""
    input_data = ParameterString(name="InputDataUrl", default_value=f"{S3}/input/abalone.csv")
    processing_instance = ParameterString(
        name="ProcessingInstanceType", default_value="ml.m5.xlarge"
    )
    training_instance = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
    approval_status = ParameterString(
        name="ModelApprovalStatus", default_value="PendingManualApproval"
    )
    mse_threshold = ParameterFloat(name="MseThreshold", default_value=6.0)

    # 1. Preprocess: split the raw CSV. Outputs go under the execution's own folder.
    def execution_folder(name: str) -> Join:
        return Join(on="/", values=[S3, ExecutionVariables.PIPELINE_EXECUTION_ID, name])

    preprocess = ProcessingStep(
        name="PreprocessAbaloneData",
        step_args=ScriptProcessor(
            image_uri=SKLEARN_IMAGE,
            command=["python3"],
            instance_type=processing_instance,
            instance_count=1,
            role=JOB_ROLE,
            base_job_name=f"{JOB_PREFIX}-preprocess",
            sagemaker_session=session,
        ).run(
            code=f"{S3}/code/preprocess.py",
            inputs=[s3_input("raw", input_data, "/opt/ml/processing/input")],
            outputs=[
                s3_output(split, f"/opt/ml/processing/{split}", execution_folder(split))
                for split in ("train", "validation", "test")
            ],
        ),
    )
    splits = preprocess.properties.ProcessingOutputConfig.Outputs

    # 2. Train XGBoost on the train and validation splits (SDK v3: ModelTrainer).
    train = TrainingStep(
        name="TrainAbaloneModel",
        step_args=ModelTrainer(
            training_image=XGBOOST_IMAGE,
            compute=Compute(instance_type=training_instance, instance_count=1),
            role=JOB_ROLE,
            base_job_name=f"{JOB_PREFIX}-train",
            output_data_config=OutputDataConfig(s3_output_path=f"{S3}/models"),
            hyperparameters={"objective": "reg:squarederror", "num_round": 50, "max_depth": 5},
            input_data_config=[
                InputData(
                    channel_name=channel,
                    data_source=splits[channel].S3Output.S3Uri,
                    content_type="text/csv",
                )
                for channel in ("train", "validation")
            ],
            sagemaker_session=session,
        ).train(),
    )
    model_data = train.properties.ModelArtifacts.S3ModelArtifacts

    # 3. Evaluate on the test split, as its own role; evaluation.json is a PropertyFile.
    evaluation_report = PropertyFile(
        name="EvaluationReport", output_name="evaluation", path="evaluation.json"
    )
    evaluate = ProcessingStep(
        name="EvaluateAbaloneModel",
        step_args=Processor(
            image_uri=XGBOOST_IMAGE,
            entrypoint=["python3", "/opt/ml/processing/code/evaluate.py"],
            instance_type=processing_instance,
            instance_count=1,
            role=EVALUATION_ROLE,
            base_job_name=f"{JOB_PREFIX}-evaluate",
            sagemaker_session=session,
        ).run(
            inputs=[
                s3_input("model", model_data, "/opt/ml/processing/model"),
                s3_input("test", splits["test"].S3Output.S3Uri, "/opt/ml/processing/test"),
                s3_input("code", f"{S3}/code/evaluate.py", "/opt/ml/processing/code"),
            ],
            outputs=[
                s3_output(
                    "evaluation", "/opt/ml/processing/evaluation", execution_folder("evaluation")
                )
            ],
        ),
        property_files=[evaluation_report],
    )
    evaluation_folder = evaluate.properties.ProcessingOutputConfig.Outputs[
        "evaluation"
    ].S3Output.S3Uri

    # 4. If the MSE is low enough: create the model, register it, notify.
    def model_builder() -> ModelBuilder:
        return ModelBuilder(
            s3_model_data_url=model_data,
            image_uri=XGBOOST_IMAGE,
            role_arn=JOB_ROLE,
            sagemaker_session=session,
        )

    create_model = ModelStep(
        name="CreateAbaloneModel",
        step_args=model_builder().build(model_name=f"{JOB_PREFIX}-model"),
    )
    register_model = ModelStep(
        name="RegisterAbaloneModel",
        step_args=model_builder().register(
            model_package_group_name=MODEL_PACKAGE_GROUP,
            content_types=["text/csv"],
            response_types=["text/csv"],
            inference_instances=["ml.m5.large"],
            transform_instances=["ml.m5.large"],
            approval_status=approval_status,
            model_metrics=ModelMetrics(
                model_statistics=MetricsSource(
                    content_type="application/json",
                    s3_uri=Join(on="/", values=[evaluation_folder, "evaluation.json"]),
                )
            ),
        ),
    )
    notify = LambdaStep(
        name="NotifyModelRegistered",
        lambda_func=Lambda(function_arn=NOTIFY_FUNCTION, session=session),
        inputs={
            "pipeline_execution_arn": ExecutionVariables.PIPELINE_EXECUTION_ARN,
            "model_package_group": MODEL_PACKAGE_GROUP,
        },
        outputs=[LambdaOutput(output_name="status")],
        depends_on=[register_model],
    )
    too_high = FailStep(
        name="MseTooHigh",
        error_message=Join(on=" ", values=["MSE above the threshold", mse_threshold]),
    )
    check = ConditionStep(
        name="CheckMseEvaluation",
        conditions=[
            ConditionLessThanOrEqualTo(
                left=JsonGet(
                    step_name=evaluate.name,
                    property_file=evaluation_report,
                    json_path="regression_metrics.mse.value",
                ),
                right=mse_threshold,
            )
        ],
        if_steps=[create_model, register_model, notify],
        else_steps=[too_high],
    )

    return Pipeline(
        name=PIPELINE_NAME,
        parameters=[
            input_data,
            processing_instance,
            training_instance,
            approval_status,
            mse_threshold,
        ],
        steps=[preprocess, train, evaluate, check],
        pipeline_definition_config=PipelineDefinitionConfig(use_custom_job_prefix=True),
        sagemaker_session=session,
    )


def scrub(value: Any) -> Any:
    """``value`` with every SDK time stamp in its strings replaced by ``TIMESTAMP``."""
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return SDK_TIMESTAMP.sub("TIMESTAMP", value)
    return value


def definition_text() -> str:
    """The pipeline's definition, as written to the file."""
    logging.disable(logging.WARNING)  # the SDK logs each default it fills in
    try:
        with warnings.catch_warnings(), mock_aws():
            warnings.simplefilter("ignore")
            boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
            session = PipelineSession(
                boto_session=boto3.Session(region_name=REGION),
                default_bucket=BUCKET,
                sagemaker_config={
                    "SchemaVersion": "1.0",
                    "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}},
                },
            )
            session._default_bucket = BUCKET  # never ask S3/STS which bucket to use
            definition = json.loads(build_pipeline(session).definition())
    finally:
        logging.disable(logging.NOTSET)
    text = json.dumps(scrub(definition), indent=2, sort_keys=True) + "\n"
    for local in {str(Path.cwd()), str(Path.home())} - {"/"}:
        if local in text:
            raise RuntimeError(f"the definition mentions a local path ({local}): not portable")
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where to write the definition (default: samples/pipeline.json)",
    )
    args = parser.parse_args(argv)
    args.output.write_text(definition_text())
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
