"""Pipeline-level settings, outside the steps, that make SageMaker act for the pipeline
(:class:`~sm_pipeline_iam.core.catalog.schema.FeatureSpec`), and those whose calls the library
does not grant. No CDK import.
"""

from __future__ import annotations

from ._builders import SM_ARN, user_named_group
from .schema import ActionGroup, FeatureSpec, ResourceScope, Source, UngrantedField

#: The pipeline-level MlflowConfig (SDK v3 ``Pipeline(mlflow_config=...)``): the
#: pipeline's runs are logged to an MLflow tracking server; which role makes the calls is
#: undocumented, so it is named in a warning.
PIPELINE_UNGRANTED = (
    UngrantedField(
        "MlflowConfig",
        "the pipeline's runs are logged to the MLflow tracking server MlflowResourceArn "
        "(sagemaker-mlflow actions on it; which role makes them is undocumented)",
    ),
)


PIPELINE_EXPERIMENTS = "pipeline-experiments"

#: Pipeline-level settings. SDK v3 writes ``PipelineExperimentConfig`` by default:
#: SageMaker then records an experiment per pipeline and a run group (trial) per execution
#: (AWS page "Amazon SageMaker Experiments integration"). Which role makes these calls is
#: unconfirmed, so the execution role holds them (inferred); ``null`` turns them off.
PIPELINE_FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        variant=PIPELINE_EXPERIMENTS,
        trigger="PipelineExperimentConfig",
        action_groups=(
            user_named_group(
                "PipelineExperiments",
                "experiment",
                (Source("PipelineExperimentConfig.ExperimentName"),),
                "CreateExperiment",
                "DescribeExperiment",
                "CreateTrial",
                inferred=True,
            ),
            # A trial per execution, named after the execution id by default.
            ActionGroup(
                label="PipelineExperimentTrials",
                actions=("sagemaker:AddTags", "sagemaker:AssociateTrialComponent",
                         "sagemaker:CreateTrial", "sagemaker:DescribeTrial"),
                arn_template=f"{SM_ARN}experiment-trial/{{name}}",
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                wide_reason=(
                    "SageMaker names a pipeline's trial (run group) after each execution's "
                    "id, known only when it starts"
                ),
                inferred=True,
            ),
            ActionGroup(
                label="PipelineExperimentTrialComponents",
                actions=("sagemaker:AssociateTrialComponent",
                         "sagemaker:DescribeTrialComponent"),
                arn_template=f"{SM_ARN}experiment-trial-component/{{name}}",
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                wide_reason=(
                    "the trial components are the jobs' own, named by SageMaker after each "
                    "job and its kind"
                ),
                inferred=True,
            ),
        ),
    ),
)
