"""How the catalog's entries are built: the action groups, job specs and job calls that
several entries share or that follow one pattern (a SageMaker job type's Create/Describe/Stop
with its AddTags, a training job's fields wherever its definition lies). Private: the entries
themselves are in :mod:`~sm_pipeline_iam.core.catalog.steps`. No CDK import.
"""

from __future__ import annotations

from ..arns import image_uri
from .schema import (
    ActionGroup,
    JobCall,
    JobSpec,
    KeyUse,
    KmsKey,
    ResourceScope,
    RoleField,
    S3Access,
    S3Use,
    SideJobs,
    Source,
    UngrantedField,
    ValueForm,
    WhenAbsent,
)
from .services import SAGEMAKER

#: The start of a SageMaker resource's ARN template.
SM_ARN = "arn:{partition}:sagemaker:{region}:{account}:"


def job_group(
    label: str,
    resource_type: str,
    name_key: str,
    *verbs: str,
    tags: bool = True,
    inferred: bool = False,
) -> ActionGroup:
    """Actions on one SageMaker job type, with the AddTags that every Create* needs.

    The pipeline names the job: ``Arguments.<name_key>`` holds the custom prefix, and a
    step without it runs under the default naming.
    """
    actions = (("sagemaker:AddTags",) if tags else ()) + tuple(f"sagemaker:{v}" for v in verbs)
    return ActionGroup(
        label=label,
        actions=actions,
        arn_template=f"{SM_ARN}{resource_type}/{{name}}",
        scope=ResourceScope.JOB_NAME,
        names=(Source(f"Arguments.{name_key}", ValueForm.PREFIX),),
        when_absent=WhenAbsent.DEFAULT_NAMING,
        inferred=inferred,
    )


def user_named_group(
    label: str,
    resource_type: str,
    names: tuple[Source, ...],
    *verbs: str,
    tags: bool = True,
    when_absent: WhenAbsent = WhenAbsent.REQUIRED,
    variant: str | None = None,
    inferred: bool = False,
) -> ActionGroup:
    """Actions on one SageMaker resource type whose names the user chooses (endpoints,
    model package groups, lineage entities), with AddTags unless ``tags`` is False;
    ``names`` says where a step holds them."""
    actions = (("sagemaker:AddTags",) if tags else ()) + tuple(f"sagemaker:{v}" for v in verbs)
    return ActionGroup(
        label=label,
        actions=actions,
        arn_template=f"{SM_ARN}{resource_type}/{{name}}",
        scope=ResourceScope.USER_NAME,
        names=names,
        when_absent=when_absent,
        variant=variant,
        inferred=inferred,
    )


def arguments(key: str, form: ValueForm = ValueForm.EXACT) -> tuple[Source, ...]:
    """The source ``Arguments.<key>`` (the step's create request), an exact name unless
    ``form`` says otherwise."""
    return (Source(f"Arguments.{key}", form),)


PROCESSING_JOBS = job_group(
    "ProcessingJobs",
    "processing-job",
    "ProcessingJobName",
    "CreateProcessingJob",
    "DescribeProcessingJob",
    "StopProcessingJob",
)

#: The role a job step hands to its SageMaker job.
SAGEMAKER_ROLE = RoleField("Arguments.RoleArn", SAGEMAKER)
PROCESSING_OUTPUTS = "Arguments.ProcessingOutputConfig.Outputs[*].S3Output.S3Uri"

#: What a processing job (Processing, ClarifyCheck, QualityCheck) needs from its role.
PROCESSING_JOB = JobSpec(
    kinds=("ProcessingJobs",),
    s3=(
        S3Use("Arguments.ProcessingInputs[*].S3Input", S3Access.READ),
        S3Use(PROCESSING_OUTPUTS, S3Access.WRITE),
    ),
    images=("Arguments.AppSpecification.ImageUri",),
    vpc_configs=("Arguments.NetworkConfig.VpcConfig",),
    kms_keys=(
        KmsKey("Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId", KeyUse.VOLUME),
        KmsKey("Arguments.ProcessingOutputConfig.KmsKeyId", KeyUse.OUTPUT),
    ),
)


#: Clarify's shadow endpoint. AWS page "Analysis configuration files" (SageMaker Clarify):
#: with ``predictor.model_name``, "the Clarify processing job creates an ephemeral
#: endpoint with the model name, known as a shadow endpoint, and gets predictions from the
#: endpoint. The job deletes the shadow endpoint after the computations are completed";
#: ``endpoint_name_prefix`` is "a custom name prefix for the shadow endpoint". The job does
#: it with its own role. The calls are inferred from that (create the endpoint config and
#: the endpoint, wait on it, invoke it, delete both) and from public AccessDenied reports
#: (``sagemaker:AddTags`` on ``endpoint-config/sm-clarify-config-<epoch>-<hex>``); the
#: names are Clarify's own (endpoint configs ``sm-clarify-config-<epoch>-<hex>``, endpoints
#: ``sm-clarify-<model>-<epoch>-<hex>``, whose log groups show them; the model part is cut
#: to fit 63 characters, so only ``sm-clarify-*`` pins them). A prefix of one's own lives in
#: the analysis config on S3, not in the definition: such an endpoint is not granted.
_CLARIFY_ENDPOINT = f"{SM_ARN}endpoint/sm-clarify-*"
_CLARIFY_ENDPOINT_CONFIG = f"{SM_ARN}endpoint-config/sm-clarify-*"
_CLARIFY_REASON = (
    "deploys, invokes and deletes SageMaker Clarify's shadow endpoint 'sm-clarify-*' for "
    "the model it explains (AWS page 'Analysis configuration files', predictor.model_name)"
)
#: The image URI of the Clarify container, in any region's registry.
CLARIFY_IMAGE = image_uri("sagemaker-clarify-processing")


def clarify_calls(trigger: str, *, matches: str | None = None, model: str | None = None,
                  notice: str | None = None) -> tuple[JobCall, ...]:
    """The shadow-endpoint calls of a Clarify job; ``model``: where the step names the model
    (``CreateEndpointConfig`` is then allowed for that model only, ``sagemaker:ModelArn``)."""
    def calls(actions: tuple[str, ...], resource: str,
              condition: tuple[tuple[str, str, str], ...] = ()) -> JobCall:
        return JobCall(trigger, tuple(f"sagemaker:{a}" for a in actions), resource,
                       _CLARIFY_REASON, matches=matches, names=model, condition=condition,
                       notice=notice, inferred=True)

    model_condition = (("ArnLike", "sagemaker:ModelArn", f"{SM_ARN}model/{{name}}"),
                       ) if model else ()
    return (
        calls(("CreateEndpointConfig",), _CLARIFY_ENDPOINT_CONFIG, model_condition),
        calls(("AddTags", "CreateEndpoint", "DeleteEndpointConfig"), _CLARIFY_ENDPOINT_CONFIG),
        calls(("AddTags", "CreateEndpoint", "DeleteEndpoint", "DescribeEndpoint",
               "InvokeEndpoint"), _CLARIFY_ENDPOINT),
    )


#: Training fields of SDK v3's serverless (fine-tuning, evaluation) jobs whose calls AWS
#: does not document for the job's role (API reference: CreateTrainingJob,
#: ServerlessJobConfig, ModelPackageConfig, MlflowConfig, DatasetSource), so they are named
#: in a warning rather than guessed (SDK v3's evaluation templates,
#: ``sagemaker.train.evaluate.pipeline_templates``, write them into Training steps).
_SERVERLESS_TRAINING_FIELDS = (
    UngrantedField(
        "ServerlessJobConfig.BaseModelArn",
        "the job starts from a SageMaker Hub base model (sagemaker:DescribeHubContent on "
        "the hub and its hub content)",
    ),
    UngrantedField(
        "ModelPackageConfig",
        "the job registers its model as a version of ModelPackageGroupArn from "
        "SourceModelPackageArn (sagemaker:CreateModelPackage, DescribeModelPackage)",
    ),
    UngrantedField(
        "MlflowConfig",
        "the job logs to the MLflow tracking server MlflowResourceArn (sagemaker-mlflow "
        "actions on it)",
    ),
    UngrantedField(
        "InputDataConfig[*].DataSource.DatasetSource",
        "the job reads a SageMaker Hub dataset DatasetArn (sagemaker:DescribeHubContent)",
    ),
)


#: A framework's code archive: SDK v2 script mode puts the uploaded ``sourcedir.tar.gz`` in
#: the training job's hyperparameters (``sagemaker_submit_directory``, also in the repack
#: step SDK v2 adds to a ModelStep) and in a model's environment
#: (``SAGEMAKER_SUBMIT_DIRECTORY``, ``Model._script_mode_env_vars``); the container
#: downloads it with the job's own role (sagemaker-training-toolkit ``files.s3_download``).
#: The repack step's other hyperparameters read nothing more: ``model_archive`` repeats its
#: ``training`` input channel, and ``inference_script``, ``dependencies`` and ``source_dir``
#: name files of that code inside the container (``/opt/ml/code``; SDK v2
#: ``sagemaker/workflow/_repack_model.py``).
SUBMIT_DIRECTORY_HYPERPARAMETER = "sagemaker_submit_directory"
SUBMIT_DIRECTORY_ENVIRONMENT = "SAGEMAKER_SUBMIT_DIRECTORY"


def training_job(at: str, hyperparameters: str = "HyperParameters") -> JobSpec:
    """A training job whose definition lies at ``at`` (``Arguments`` for a Training step,
    ``Arguments.TrainingJobDefinition`` for a Tuning step's, whose fixed hyperparameters
    are ``StaticHyperParameters``)."""
    return JobSpec(
        kinds=("TrainingJobs",),
        s3=(
            S3Use(f"{at}.InputDataConfig[*].DataSource.S3DataSource", S3Access.READ),
            S3Use(f"{at}.{hyperparameters}.{SUBMIT_DIRECTORY_HYPERPARAMETER}",
                  S3Access.READ_OBJECT, json_text=True),
            S3Use(f"{at}.OutputDataConfig.S3OutputPath", S3Access.WRITE_PER_JOB),
            S3Use(f"{at}.CheckpointConfig.S3Uri", S3Access.READ_WRITE),
            S3Use(f"{at}.DebugHookConfig.S3OutputPath", S3Access.WRITE),
            S3Use(f"{at}.DebugRuleConfigurations[*].S3OutputPath", S3Access.WRITE),
            S3Use(f"{at}.ProfilerConfig.S3OutputPath", S3Access.WRITE),
            S3Use(f"{at}.ProfilerRuleConfigurations[*].S3OutputPath", S3Access.WRITE),
            S3Use(f"{at}.TensorBoardOutputConfig.S3OutputPath", S3Access.WRITE),
        ),
        images=(
            f"{at}.AlgorithmSpecification.TrainingImage",
            f"{at}.DebugRuleConfigurations[*].RuleEvaluatorImage",
            f"{at}.ProfilerRuleConfigurations[*].RuleEvaluatorImage",
        ),
        vpc_configs=(f"{at}.VpcConfig",),
        kms_keys=(KmsKey(f"{at}.ResourceConfig.VolumeKmsKeyId", KeyUse.VOLUME),
                  KmsKey(f"{at}.OutputDataConfig.KmsKeyId", KeyUse.OUTPUT)),
        ungranted=tuple(UngrantedField(f"{at}.{field.path}", field.calls)
                        for field in _SERVERLESS_TRAINING_FIELDS),
        function_arguments=f"{at}.AlgorithmSpecification.ContainerArguments",
        # Debugger and profiler rules run as processing jobs with the rule's image
        # (RuleEvaluatorImage) under the training job's role (API DebugRuleConfiguration
        # names no role), reading what its hook and profiler wrote; their logs are in
        # /aws/sagemaker/ProcessingJobs under the rule evaluation job's name (AWS's
        # Debugger example notebooks: DescribeTrainingJob's RuleEvaluationJobArn).
        side_jobs=(SideJobs(
            configs=(f"{at}.DebugRuleConfigurations[*]", f"{at}.ProfilerRuleConfigurations[*]"),
            kind="ProcessingJobs",
            reads=(f"{at}.DebugHookConfig.S3OutputPath", f"{at}.ProfilerConfig.S3OutputPath"),
        ),),
    )


def merged(*jobs: JobSpec) -> JobSpec:
    """One job spec holding what each of ``jobs`` holds (a Tuning step's one or several
    training job definitions); kinds and function arguments are the first's."""
    return JobSpec(
        kinds=jobs[0].kinds,
        s3=tuple(use for job in jobs for use in job.s3),
        images=tuple(path for job in jobs for path in job.images),
        vpc_configs=tuple(path for job in jobs for path in job.vpc_configs),
        kms_keys=tuple(key for job in jobs for key in job.kms_keys),
        ungranted=tuple(field for job in jobs for field in job.ungranted),
        function_arguments=jobs[0].function_arguments,
        side_jobs=tuple(side for job in jobs for side in job.side_jobs),
    )


#: What an EMR step does to its cluster, and the ARNs of EMR and EMR Serverless resources.
EMR_CLUSTER_ARN = "arn:{partition}:elasticmapreduce:{region}:{account}:cluster/{name}"
EMR_SERVERLESS_APPLICATION_ARN = (
    "arn:{partition}:emr-serverless:{region}:{account}:/applications/{name}"
)
EMR_STEP_ACTIONS = (
    "elasticmapreduce:AddJobFlowSteps",
    "elasticmapreduce:CancelSteps",
    "elasticmapreduce:DescribeCluster",
    "elasticmapreduce:DescribeStep",
    "elasticmapreduce:ListSteps",
)


def lineage_names(kind: str) -> tuple[Source, ...]:
    """Where a Lineage step names its ``kind`` entities: in its list of them, or as the
    ends of its associations (by ARN, or by name and type)."""
    return (
        Source(f"Arguments.{kind}s[*].{kind}Name"),
        Source("Arguments.Associations[*].Source.Arn", ValueForm.ARN),
        Source("Arguments.Associations[*].Destination.Arn", ValueForm.ARN),
        Source(f"Arguments.Associations[*].Source[Type={kind}].Name"),
        Source(f"Arguments.Associations[*].Destination[Type={kind}].Name"),
    )

