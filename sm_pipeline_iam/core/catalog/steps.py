"""The step-type catalog: what each SageMaker Pipelines step needs from the execution role.

This table is the single source of truth for the library: the constructs, the policy
builder, the definition reader and the report all read it. Its types are in
:mod:`~sm_pipeline_iam.core.catalog.schema`, the caller-given resources of its integration
steps in :mod:`~sm_pipeline_iam.core.catalog.bindings`, the pipeline-level settings in
:mod:`~sm_pipeline_iam.core.catalog.features`. Nothing here imports the CDK.

Where AWS does not document an action for a step, the group is marked ``inferred=True``
and the comment beside it says what was inferred and why.

Each entry also says where a pipeline definition holds what the entry needs (the names
of its resources, the roles it passes, the resources it acts on, what makes it create
its own cluster or application), as paths into the step's JSON, so the definition reader
walks every step generically: adding a step type is one entry here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..notices import CLARIFY_MODEL_UNKNOWN
from ._builders import (
    CLARIFY_IMAGE,
    EMR_CLUSTER_ARN,
    EMR_SERVERLESS_APPLICATION_ARN,
    EMR_STEP_ACTIONS,
    PROCESSING_JOB,
    PROCESSING_JOBS,
    PROCESSING_OUTPUTS,
    SAGEMAKER_ROLE,
    SM_ARN,
    SUBMIT_DIRECTORY_ENVIRONMENT,
    arguments,
    clarify_calls,
    job_group,
    lineage_names,
    merged,
    training_job,
    user_named_group,
)
from .automl import AUTOML_IMAGES, AUTOML_JOB_CALLS, AUTOML_REPOSITORIES
from .bindings import Binding
from .schema import (
    ActionGroup,
    JobSpec,
    KeyUse,
    KmsKey,
    Property,
    ResourceScope,
    RoleField,
    S3Access,
    S3Use,
    Source,
    StepSpec,
    StepType,
    ValueForm,
    VariantTrigger,
    WhenAbsent,
)
from .services import EC2_SERVICE, EMR_SERVERLESS_SERVICE, EMR_SERVICE, SAGEMAKER

# StepType and StepSpec, the table's types (from schema), stay importable from here.
__all__ = [
    "CATALOG",
    "CHECK_BASELINES_FROM_REGISTRY",
    "EMR_NEW_CLUSTER",
    "EMR_SERVERLESS_NEW_APPLICATION",
    "HOSTING_KINDS",
    "LONG_PREFIX_LIMIT",
    "NAME_SCOPED_STEP_TYPES",
    "SHORT_PREFIX_LIMIT",
    "StepSpec",
    "StepType",
    "spec_for",
    "step_names",
    "step_types_using",
]

#: The prefix table of the AWS page ("Prefix length restrictions").
LONG_PREFIX_LIMIT = 38
SHORT_PREFIX_LIMIT = 6


#: The job kinds that run a Model step's model as its role (its ExecutionRoleArn): the
#: endpoints that host it and the batch transform jobs that run it (API reference:
#: CreateModel, ExecutionRoleArn). Their metrics go to ``/aws/sagemaker/<kind>`` (AWS page
#: "Amazon SageMaker AI metrics in Amazon CloudWatch"), a namespace no name narrows.
HOSTING_KINDS = ("Endpoints", "TransformJobs")

_CHECK_CAVEAT = (
    "the SDK always names check jobs 'clarify-job' / 'baseline-job', whatever "
    "CheckJobConfig(base_job_name=...) says"
)


#: A check step that names a model package group (step-level ``ModelPackageGroupName``)
#: reads the drift-check baselines of the group's latest approved package.
CHECK_BASELINES_FROM_REGISTRY = "check-baselines-from-model-registry"

_CHECK_BASELINE_PACKAGES = user_named_group(
    # Inferred from what the step reads; AWS lists no action for it.
    "CheckBaselinePackages",
    "model-package",
    (Source("ModelPackageGroupName", ValueForm.GROUP_VERSIONS),),
    "ListModelPackages",
    "DescribeModelPackage",
    tags=False,
    variant=CHECK_BASELINES_FROM_REGISTRY,
    inferred=True,
)


def _processing_like(
    step_type: StepType, prefix_argument: str, caveat: str | None = None,
    job: JobSpec = PROCESSING_JOB,
) -> StepSpec:
    # ClarifyCheck and QualityCheck run processing jobs: same resource, same actions, and
    # may read their baselines from the model registry.
    checks = step_type is not StepType.PROCESSING
    return StepSpec(
        step_type=step_type,
        create_apis=("CreateProcessingJob",),
        resource_type="processing-job",
        action_groups=(PROCESSING_JOBS, _CHECK_BASELINE_PACKAGES) if checks
        else (PROCESSING_JOBS,),
        variant_triggers=(
            VariantTrigger("ModelPackageGroupName", CHECK_BASELINES_FROM_REGISTRY),
        ) if checks else (),
        role_fields=(SAGEMAKER_ROLE,),
        output_paths=(PROCESSING_OUTPUTS,),
        job=job,
        properties=(Property("ProcessingJobName", "{job}"),),
        prefix_argument=prefix_argument,
        max_prefix_length=LONG_PREFIX_LIMIT,
        sdk_prefix_caveat=caveat,
    )


#: Variants of integration steps that create what they run on.
EMR_NEW_CLUSTER = "emr-new-cluster"
EMR_SERVERLESS_NEW_APPLICATION = "emr-serverless-new-application"


_CATALOG: tuple[StepSpec, ...] = (
    # A Processing step that runs the Clarify container may name a model only in its
    # analysis config (on S3): the shadow endpoint is allowed for any model, with a warning.
    _processing_like(StepType.PROCESSING, "Processor(base_job_name=...)", job=replace(
        PROCESSING_JOB, calls=clarify_calls(
            "Arguments.AppSpecification.ImageUri", matches=CLARIFY_IMAGE,
            notice=CLARIFY_MODEL_UNKNOWN))),
    StepSpec(
        step_type=StepType.TRAINING,
        create_apis=("CreateTrainingJob",),
        resource_type="training-job",
        action_groups=(
            job_group(
                "TrainingJobs",
                "training-job",
                "TrainingJobName",
                "CreateTrainingJob",
                "DescribeTrainingJob",
                "StopTrainingJob",
            ),
        ),
        role_fields=(SAGEMAKER_ROLE,),
        output_paths=("Arguments.OutputDataConfig.S3OutputPath",),
        job=training_job("Arguments"),
        properties=(
            Property("TrainingJobName", "{job}"),
            Property("ModelArtifacts.S3ModelArtifacts",
                     "{Arguments.OutputDataConfig.S3OutputPath}/{job}/output/model.tar.gz"),
        ),
        prefix_argument="ModelTrainer(base_job_name=...)",
        max_prefix_length=LONG_PREFIX_LIMIT,
        sdk_prefix_caveat=(
            "training steps built from a ModelTrainer (or another sagemaker.train trainer) "
            "never carry the prefix (SDK issues #5776, #6299); @step functions "
            "(step(job_name_prefix=...)) and NotebookJobStep(notebook_job_name=...) do"
        ),
    ),
    StepSpec(
        step_type=StepType.TUNING,
        create_apis=("CreateHyperParameterTuningJob",),
        resource_type="hyper-parameter-tuning-job",
        action_groups=(
            job_group(
                "TuningJobs",
                "hyper-parameter-tuning-job",
                "HyperParameterTuningJobName",
                "CreateHyperParameterTuningJob",
                "DescribeHyperParameterTuningJob",
                "StopHyperParameterTuningJob",
            ),
            # Inferred: the pipeline lists the tuning job's training jobs to pick the best
            # one (TrainingJobSummaries); AWS does not list this action for Pipelines.
            job_group(
                "TuningJobs",
                "hyper-parameter-tuning-job",
                "HyperParameterTuningJobName",
                "ListTrainingJobsForHyperParameterTuningJob",
                tags=False,
                inferred=True,
            ),
        ),
        # One training job definition, or several for multi-algorithm tuning.
        role_fields=(
            RoleField("Arguments.TrainingJobDefinition.RoleArn", SAGEMAKER),
            RoleField("Arguments.TrainingJobDefinitions[*].RoleArn", SAGEMAKER),
        ),
        output_paths=(
            "Arguments.TrainingJobDefinition.OutputDataConfig.S3OutputPath",
            "Arguments.TrainingJobDefinitions[*].OutputDataConfig.S3OutputPath",
        ),
        # Its training jobs are named '<tuning job name>-<n>-<hash>': under {job}.
        job=merged(
            training_job("Arguments.TrainingJobDefinition", "StaticHyperParameters"),
            training_job("Arguments.TrainingJobDefinitions[*]", "StaticHyperParameters"),
        ),
        properties=(
            Property("HyperParameterTuningJobName", "{job}"),
            Property("TrainingJobSummaries[*].TrainingJobName", "{job}-*"),
            Property("BestTrainingJob.TrainingJobName", "{job}-*"),
        ),
        prefix_argument="HyperparameterTuner(base_tuning_job_name=...)",
        max_prefix_length=SHORT_PREFIX_LIMIT,
        sdk_prefix_caveat=(
            "HyperparameterTuner leaves every tuning step without its job name, whatever "
            "base_tuning_job_name says (SDK issue #6299)"
        ),
    ),
    StepSpec(
        step_type=StepType.TRANSFORM,
        create_apis=("CreateTransformJob",),
        resource_type="transform-job",
        action_groups=(
            job_group(
                "TransformJobs",
                "transform-job",
                "TransformJobName",
                "CreateTransformJob",
                "DescribeTransformJob",
                "StopTransformJob",
            ),
        ),
        # A transform job runs as the model's role: the step passes none.
        output_paths=("Arguments.TransformOutput.S3OutputPath",),
        job=JobSpec(
            kinds=("TransformJobs",),
            # A batch transform's DataCaptureConfig (API reference: BatchDataCaptureConfig)
            # is written by the job like its output.
            s3=(
                S3Use("Arguments.TransformInput.DataSource.S3DataSource", S3Access.READ),
                S3Use("Arguments.TransformOutput.S3OutputPath", S3Access.WRITE),
                S3Use("Arguments.DataCaptureConfig.DestinationS3Uri", S3Access.WRITE),
            ),
            kms_keys=(
                KmsKey("Arguments.TransformResources.VolumeKmsKeyId", KeyUse.VOLUME),
                KmsKey("Arguments.TransformOutput.KmsKeyId", KeyUse.OUTPUT),
                KmsKey("Arguments.DataCaptureConfig.KmsKeyId", KeyUse.OUTPUT),
            ),
            runs_models="Arguments.ModelName",
        ),
        properties=(Property("TransformJobName", "{job}"),),
        prefix_argument="Transformer(base_transform_job_name=...)",
        max_prefix_length=LONG_PREFIX_LIMIT,
    ),
    StepSpec(
        step_type=StepType.MODEL,
        create_apis=("CreateModel",),
        resource_type="model",
        action_groups=(
            job_group("Models", "model", "ModelName", "CreateModel", "DescribeModel"),
        ),
        role_fields=(RoleField("Arguments.ExecutionRoleArn", SAGEMAKER),),
        # The model's role serves its endpoints and the transform jobs that run it.
        job=JobSpec(
            kinds=(),
            s3=(
                S3Use("Arguments.PrimaryContainer.ModelDataUrl", S3Access.READ_URI),
                S3Use("Arguments.PrimaryContainer.ModelDataSource.S3DataSource",
                      S3Access.READ),
                S3Use("Arguments.Containers[*].ModelDataUrl", S3Access.READ_URI),
                S3Use("Arguments.Containers[*].ModelDataSource.S3DataSource", S3Access.READ),
                S3Use(f"Arguments.PrimaryContainer.Environment.{SUBMIT_DIRECTORY_ENVIRONMENT}",
                      S3Access.READ_OBJECT),
                S3Use(f"Arguments.Containers[*].Environment.{SUBMIT_DIRECTORY_ENVIRONMENT}",
                      S3Access.READ_OBJECT),
            ),
            images=("Arguments.PrimaryContainer.Image", "Arguments.Containers[*].Image"),
            vpc_configs=("Arguments.VpcConfig",),
        ),
        properties=(Property("ModelName", "{job}"),),
        prefix_argument="ModelBuilder.build(model_name=...)",
        max_prefix_length=LONG_PREFIX_LIMIT,
    ),
    StepSpec(
        step_type=StepType.REGISTER_MODEL,
        create_apis=("CreateModelPackage",),
        resource_type="model-package",
        action_groups=(
            # DescribeModelPackage and the group actions are inferred: the step registers a
            # version into a group that it may create; AWS lists only CreateModelPackage.
            # A versioned package is named by its group (ModelPackageGroupName), an
            # unversioned one by the pipeline (ModelPackageName holds the prefix).
            user_named_group(
                "ModelPackages",
                "model-package",
                (
                    Source("Arguments.ModelPackageGroupName", ValueForm.GROUP_VERSIONS),
                    Source("Arguments.ModelPackageName", ValueForm.PREFIX),
                ),
                "CreateModelPackage",
                "DescribeModelPackage",
                when_absent=WhenAbsent.DEFAULT_NAMING,
            ),
            user_named_group(
                "ModelPackageGroups",
                "model-package-group",
                arguments("ModelPackageGroupName"),
                "CreateModelPackageGroup",
                "DescribeModelPackageGroup",
                when_absent=WhenAbsent.NOT_CALLED,
                inferred=True,
            ),
        ),
        prefix_argument="ModelBuilder.register(model_package_name=...)",
        max_prefix_length=LONG_PREFIX_LIMIT,
    ),
    StepSpec(
        step_type=StepType.AUTOML,
        create_apis=("CreateAutoMLJob", "CreateAutoMLJobV2"),
        resource_type="automl-job",
        action_groups=(
            # StopAutoMLJob is inferred (the pipeline stops what it started on cancel).
            job_group(
                "AutoMLJobs",
                "automl-job",
                "AutoMLJobName",
                "CreateAutoMLJob",
                "CreateAutoMLJobV2",
                "DescribeAutoMLJob",
                "DescribeAutoMLJobV2",
                "StopAutoMLJob",
            ),
            # Inferred, and IAM gives ListCandidatesForAutoMLJob no resource type: "*".
            ActionGroup(
                label="AutoMLCandidates",
                actions=("sagemaker:ListCandidatesForAutoMLJob",),
                arn_template="*",
                scope=ResourceScope.NO_RESOURCE,
                wide_reason="IAM gives ListCandidatesForAutoMLJob no resource type",
                inferred=True,
            ),
        ),
        role_fields=(SAGEMAKER_ROLE,),
        output_paths=("Arguments.OutputDataConfig.S3OutputPath",),
        # Its candidates run as processing, training and batch transform jobs (API
        # reference TransformJob.AutoMLJobArn: "the AutoML job that created the transform
        # job"), logging and putting metrics under each kind.
        job=JobSpec(
            kinds=("ProcessingJobs", "TrainingJobs", "TransformJobs"),
            s3=(
                S3Use("Arguments.InputDataConfig[*].DataSource.S3DataSource", S3Access.READ),
                S3Use("Arguments.AutoMLJobInputDataConfig[*].DataSource.S3DataSource",
                      S3Access.READ),
                S3Use("Arguments.OutputDataConfig.S3OutputPath", S3Access.WRITE),
            ),
            vpc_configs=("Arguments.AutoMLJobConfig.SecurityConfig.VpcConfig",),
            kms_keys=(
                KmsKey("Arguments.AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId",
                       KeyUse.VOLUME),
                KmsKey("Arguments.OutputDataConfig.KmsKeyId", KeyUse.OUTPUT),
            ),
            calls=AUTOML_JOB_CALLS,
            pulls=(AUTOML_REPOSITORIES,),
        ),
        # The best candidate's model lies under the job's output path, where the job stores
        # its artifacts (API AutoMLOutputDataConfig.S3OutputPath; the job-name folder under
        # it is not documented, so the whole path is read), and runs an AutoML container
        # from an AWS-owned registry of the pipeline's region (its account differs by region).
        properties=(
            Property("AutoMLJobName", "{job}"),
            Property("BestCandidate.InferenceContainers[*].ModelDataUrl",
                     "{Arguments.OutputDataConfig.S3OutputPath}/*"),
            Property("BestCandidate.InferenceContainers[*].Image", AUTOML_IMAGES),
        ),
        prefix_argument="AutoMLJobName in the step's definition (SDK v3 cannot build AutoML steps)",
        max_prefix_length=SHORT_PREFIX_LIMIT,
    ),
    # A model bias or explainability check names its model at step level (ModelName; the
    # SDK takes it out of the analysis config it uploads).
    _processing_like(StepType.CLARIFY_CHECK, "CheckJobConfig(base_job_name=...)", _CHECK_CAVEAT,
                     job=replace(PROCESSING_JOB, calls=clarify_calls(
                         "ModelName", model="ModelName"))),
    _processing_like(StepType.QUALITY_CHECK, "CheckJobConfig(base_job_name=...)", _CHECK_CAVEAT),
    StepSpec(
        step_type=StepType.ENDPOINT_CONFIG,
        create_apis=("CreateEndpointConfig",),
        resource_type="endpoint-config",
        action_groups=(
            user_named_group(
                "EndpointConfigs",
                "endpoint-config",
                arguments("EndpointConfigName"),
                "CreateEndpointConfig",
                "DescribeEndpointConfig",
            ),
        ),
        # An endpoint config for inference components carries an ExecutionRoleArn.
        role_fields=(RoleField("Arguments.ExecutionRoleArn", SAGEMAKER),),
        # The endpoint writes captured requests and responses under DestinationS3Uri
        # (<uri>/<endpoint>/<variant>/<yyyy>/<mm>/<dd>/<hh>/...), with SSE-KMS under KmsKeyId
        # (API reference: DataCaptureConfig; AWS page "Capture data from real-time
        # endpoint"), as the role of the model it serves: SageMaker hosting runs a model's
        # containers as its ExecutionRoleArn (API reference: CreateModel), the role the
        # KMS key policy must allow (API reference: TransformOutput.KmsKeyId, "the IAM role
        # that you specify in your CreateModel request"; inferred alike for data capture).
        hosting=JobSpec(
            kinds=(),
            s3=(S3Use("Arguments.DataCaptureConfig.DestinationS3Uri", S3Access.WRITE),),
            kms_keys=(KmsKey("Arguments.DataCaptureConfig.KmsKeyId", KeyUse.OUTPUT),),
            runs_models="Arguments.ProductionVariants[*].ModelName",
            # "Whether data capture should be enabled or disabled (defaults to enabled)".
            off_when_false="Arguments.DataCaptureConfig.EnableCapture",
        ),
    ),
    StepSpec(
        step_type=StepType.ENDPOINT,
        create_apis=("CreateEndpoint",),
        resource_type="endpoint",
        action_groups=(
            user_named_group(
                "Endpoints",
                "endpoint",
                arguments("EndpointName"),
                "CreateEndpoint",
                "DescribeEndpoint",
                "UpdateEndpoint",
            ),
            # CreateEndpoint/UpdateEndpoint are authorized on the endpoint config too.
            user_named_group(
                "EndpointConfigsUsedByEndpoints",
                "endpoint-config",
                arguments("EndpointConfigName"),
                "CreateEndpoint",
                "UpdateEndpoint",
                tags=False,
            ),
            # Inferred: the step reads the config it deploys (its variants, to wait on).
            user_named_group(
                "EndpointConfigsReadByEndpoints",
                "endpoint-config",
                arguments("EndpointConfigName"),
                "DescribeEndpointConfig",
                tags=False,
                inferred=True,
            ),
        ),
    ),
    StepSpec(
        step_type=StepType.INFERENCE_COMPONENT,
        create_apis=("CreateInferenceComponent",),
        resource_type="inference-component",
        action_groups=(
            # Inferred from the create/describe/update pattern of the endpoint steps.
            user_named_group(
                "InferenceComponents",
                "inference-component",
                arguments("InferenceComponentName"),
                "CreateInferenceComponent",
                "DescribeInferenceComponent",
                "UpdateInferenceComponent",
                inferred=True,
            ),
            user_named_group(
                "EndpointsHostingInferenceComponents",
                "endpoint",
                arguments("EndpointName"),
                "CreateInferenceComponent",
                tags=False,
                inferred=True,
            ),
        ),
        # CreateInferenceComponent takes no role: the endpoint's model carries it.
    ),
    StepSpec(
        step_type=StepType.LINEAGE,
        resource_type="context",
        action_groups=(
            # Inferred: the step records lineage entities and links them.
            user_named_group(
                "LineageActions",
                "action",
                lineage_names("Action"),
                "CreateAction",
                "AddAssociation",
                when_absent=WhenAbsent.NOT_CALLED,
                inferred=True,
            ),
            # An artifact's ARN holds a hash of its source, not its name: no prefix can
            # narrow it, so the group covers the account's artifacts.
            ActionGroup(
                label="LineageArtifacts",
                actions=(
                    "sagemaker:AddAssociation",
                    "sagemaker:AddTags",
                    "sagemaker:CreateArtifact",
                ),
                arn_template=f"{SM_ARN}artifact/{{name}}",
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                wide_reason=(
                    "a lineage artifact's ARN holds a hash of its source, not a name a "
                    "prefix could narrow"
                ),
                inferred=True,
            ),
            user_named_group(
                "LineageContexts",
                "context",
                lineage_names("Context"),
                "CreateContext",
                "AddAssociation",
                when_absent=WhenAbsent.NOT_CALLED,
                inferred=True,
            ),
        ),
    ),
    StepSpec(
        step_type=StepType.JOB,
        resource_type="job",
        action_groups=(
            # Inferred: the generic CreateJob API; its ARN carries a job category.
            ActionGroup(
                label="Jobs",
                actions=(
                    "sagemaker:AddTags",
                    "sagemaker:CreateJob",
                    "sagemaker:DescribeJob",
                    "sagemaker:StopJob",
                ),
                arn_template=f"{SM_ARN}job/*/{{name}}",
                scope=ResourceScope.JOB_NAME,
                names=arguments("JobName", ValueForm.PREFIX),
                when_absent=WhenAbsent.DEFAULT_NAMING,
                inferred=True,
            ),
        ),
        role_fields=(SAGEMAKER_ROLE,),
        prefix_argument="MultiTurnRLTrainer(base_job_name=...)",
    ),
    StepSpec(
        step_type=StepType.LAMBDA,
        resource_type=None,
        action_groups=(
            ActionGroup(
                label="LambdaFunctions",
                actions=("lambda:InvokeFunction",),
                arn_template="{name}",
                scope=ResourceScope.GIVEN,
                binding=Binding.LAMBDA_FUNCTIONS,
                # The function sits at step level, outside Arguments.
                names=(Source("FunctionArn"),),
            ),
        ),
    ),
    StepSpec(
        step_type=StepType.CALLBACK,
        resource_type=None,
        action_groups=(
            ActionGroup(
                label="CallbackQueues",
                actions=("sqs:SendMessage",),
                arn_template="{name}",
                scope=ResourceScope.GIVEN,
                binding=Binding.CALLBACK_QUEUES,
                names=(Source("SqsQueueUrl", ValueForm.QUEUE_URL),),
            ),
        ),
    ),
    StepSpec(
        step_type=StepType.EMR,
        resource_type=None,
        action_groups=(
            ActionGroup(
                label="EmrClusterSteps",
                actions=EMR_STEP_ACTIONS,
                arn_template=EMR_CLUSTER_ARN,
                scope=ResourceScope.GIVEN,
                binding=Binding.EMR_CLUSTERS,
                unless_variant=EMR_NEW_CLUSTER,
                names=arguments("ClusterId"),
            ),
            # The two EventBridge rules through which Pipelines follows EMR steps.
            ActionGroup(
                label="EmrStatusRules",
                actions=("events:DescribeRule", "events:PutRule", "events:PutTargets"),
                arn_template="arn:{partition}:events:{region}:{account}:rule/{name}",
                scope=ResourceScope.FIXED,
                fixed_names=(
                    "SageMakerPipelineExecutionEMRClusterStatusUpdateRule",
                    "SageMakerPipelineExecutionEMRStepStatusUpdateRule",
                ),
            ),
            # A step with ClusterConfig creates its cluster: RunJobFlow has no resource
            # type in IAM ('*'), and the new cluster's id is unknown until it runs.
            ActionGroup(
                label="EmrNewClusters",
                actions=("elasticmapreduce:RunJobFlow",),
                arn_template="*",
                scope=ResourceScope.NO_RESOURCE,
                wide_reason="IAM gives RunJobFlow no resource type",
                variant=EMR_NEW_CLUSTER,
            ),
            ActionGroup(
                label="EmrNewClusterSteps",
                actions=(*EMR_STEP_ACTIONS, "elasticmapreduce:TerminateJobFlows"),
                arn_template=EMR_CLUSTER_ARN,
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                wide_reason="the cluster the step creates gets its id only when it runs",
                variant=EMR_NEW_CLUSTER,
            ),
        ),
        role_fields=(
            RoleField("Arguments.ExecutionRoleArn", EMR_SERVICE),
            RoleField("Arguments.ClusterConfig.ServiceRole", EMR_SERVICE),
            # An instance profile's name: by EMR's convention, its role's name too.
            RoleField("Arguments.ClusterConfig.JobFlowRole", EC2_SERVICE),
        ),
        variant_triggers=(VariantTrigger("Arguments.ClusterConfig", EMR_NEW_CLUSTER),),
    ),
    StepSpec(
        step_type=StepType.EMR_SERVERLESS,
        resource_type=None,
        action_groups=(
            # Inferred from the EMR Serverless job-run API the step drives.
            ActionGroup(
                label="EmrServerlessApplications",
                actions=("emr-serverless:StartJobRun",),
                arn_template=EMR_SERVERLESS_APPLICATION_ARN,
                scope=ResourceScope.GIVEN,
                binding=Binding.EMR_SERVERLESS_APPLICATIONS,
                unless_variant=EMR_SERVERLESS_NEW_APPLICATION,
                names=arguments("ApplicationId"),
                inferred=True,
            ),
            ActionGroup(
                label="EmrServerlessJobRuns",
                actions=("emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"),
                arn_template=(
                    "arn:{partition}:emr-serverless:{region}:{account}:"
                    "/applications/{name}/jobruns/*"
                ),
                scope=ResourceScope.GIVEN,
                binding=Binding.EMR_SERVERLESS_APPLICATIONS,
                unless_variant=EMR_SERVERLESS_NEW_APPLICATION,
                names=arguments("ApplicationId"),
                inferred=True,
            ),
            # A step with ApplicationConfig creates its application (inferred):
            # CreateApplication has no resource type in IAM ('*'), the new id is unknown.
            ActionGroup(
                label="EmrServerlessNewApplications",
                actions=("emr-serverless:CreateApplication",),
                arn_template="*",
                scope=ResourceScope.NO_RESOURCE,
                wide_reason="IAM gives CreateApplication no resource type",
                variant=EMR_SERVERLESS_NEW_APPLICATION,
                inferred=True,
            ),
            ActionGroup(
                label="EmrServerlessNewApplicationRuns",
                actions=(
                    "emr-serverless:DeleteApplication",
                    "emr-serverless:GetApplication",
                    "emr-serverless:StartApplication",
                    "emr-serverless:StartJobRun",
                    "emr-serverless:StopApplication",
                ),
                arn_template=EMR_SERVERLESS_APPLICATION_ARN,
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                wide_reason="the application the step creates gets its id only when it runs",
                variant=EMR_SERVERLESS_NEW_APPLICATION,
                inferred=True,
            ),
            ActionGroup(
                label="EmrServerlessNewApplicationJobRuns",
                actions=("emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"),
                arn_template=EMR_SERVERLESS_APPLICATION_ARN,
                scope=ResourceScope.FIXED,
                fixed_names=("*/jobruns/*",),
                wide_reason="the application the step creates gets its id only when it runs",
                variant=EMR_SERVERLESS_NEW_APPLICATION,
                inferred=True,
            ),
        ),
        role_fields=(RoleField("Arguments.ExecutionRoleArn", EMR_SERVERLESS_SERVICE),),
        variant_triggers=(
            VariantTrigger("Arguments.ApplicationConfig", EMR_SERVERLESS_NEW_APPLICATION),
        ),
    ),
    StepSpec(
        step_type=StepType.CLEANUP,
        resource_type=None,
        action_groups=(
            ActionGroup(
                label="CleanupObjects",
                actions=("s3:DeleteObject",),
                arn_template="arn:{partition}:s3:::{name}",
                scope=ResourceScope.GIVEN,
                binding=Binding.CLEANUP_OBJECTS,
                names=(Source("Arguments.Resources.S3[*]", ValueForm.CLEANUP_SOURCE),),
            ),
            # Inferred: deleting a folder means listing it first; only under the folder
            # (the policy builder adds the s3:prefix condition per folder).
            ActionGroup(
                label="CleanupFolderListings",
                actions=("s3:ListBucket",),
                arn_template="arn:{partition}:s3:::{name}",
                scope=ResourceScope.GIVEN,
                binding=Binding.CLEANUP_OBJECTS,
                names=(Source("Arguments.Resources.S3[*]", ValueForm.CLEANUP_SOURCE),),
                lists_folders=True,
                inferred=True,
            ),
        ),
    ),
    StepSpec(step_type=StepType.CONDITION, resource_type=None, action_groups=()),
    StepSpec(step_type=StepType.FAIL, resource_type=None, action_groups=()),
    StepSpec(step_type=StepType.FOR_EACH, resource_type=None, action_groups=()),
)

CATALOG: dict[StepType, StepSpec] = {spec.step_type: spec for spec in _CATALOG}


def step_names(step_types: Iterable[StepType]) -> str:
    """``"Processing, Training"``: step types for messages, sorted."""
    return ", ".join(sorted(s.value for s in step_types))


def spec_for(step_type: StepType) -> StepSpec:
    """Return the catalog entry of ``step_type``."""
    return CATALOG[step_type]


#: Step types whose permissions are scoped by job or resource names (and so by a prefix).
NAME_SCOPED_STEP_TYPES: tuple[StepType, ...] = tuple(
    spec.step_type for spec in _CATALOG if spec.creates_sagemaker_resources
)


def step_types_using(binding: Binding) -> tuple[StepType, ...]:
    """The step types whose groups the caller-given values of ``binding`` fill, in catalog
    order."""
    return tuple(spec.step_type for spec in _CATALOG
                 if any(group.binding is binding for group in spec.action_groups))


def __getattr__(name: str) -> Any:
    # The names that moved out of this module, kept one release (deprecated).
    from ..._deprecated import forward_moved_name

    return forward_moved_name(__name__, name)
