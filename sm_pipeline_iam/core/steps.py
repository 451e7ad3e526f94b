"""The step-type catalog: what each SageMaker Pipelines step needs from the execution role.

This table is the single source of truth for the library: the constructs, the policy
builder, the definition reader and the report all read it. Nothing here imports the CDK.

ARN templates use ``{partition}``, ``{region}``, ``{account}`` and ``{name}`` placeholders;
the policy builder fills them (``{name}`` with a job-name pattern or a value the caller
gives). Where AWS does not document an action for a step, the group is marked
``inferred=True`` and the comment beside it says what was inferred and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum, unique


@unique
class StepType(StrEnum):
    """Every step ``Type`` that the SageMaker Python SDK v3 writes into a definition."""

    PROCESSING = "Processing"
    TRAINING = "Training"
    TUNING = "Tuning"
    TRANSFORM = "Transform"
    MODEL = "Model"
    REGISTER_MODEL = "RegisterModel"
    AUTOML = "AutoML"
    CLARIFY_CHECK = "ClarifyCheck"
    QUALITY_CHECK = "QualityCheck"
    ENDPOINT_CONFIG = "EndpointConfig"
    ENDPOINT = "Endpoint"
    INFERENCE_COMPONENT = "InferenceComponent"
    LINEAGE = "Lineage"
    JOB = "Job"
    LAMBDA = "Lambda"
    CALLBACK = "Callback"
    EMR = "EMR"
    EMR_SERVERLESS = "EMRServerless"
    CLEANUP = "Cleanup"
    CONDITION = "Condition"
    FAIL = "Fail"
    FOR_EACH = "ForEach"

    @classmethod
    def parse(cls, value: str | StepType) -> StepType:
        """Return the member whose ``Type`` string is ``value`` (exact spelling).

        Raises:
            ValueError: ``value`` is not a step ``Type`` the SDK writes.
        """
        if isinstance(value, StepType):
            return value
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(member.value for member in cls)
            raise ValueError(
                f"{value!r} is not a SageMaker Pipelines step type: use one of {allowed}"
            ) from None


@unique
class ResourceScope(Enum):
    """How the policy builder fills ``{name}`` in an action group's ARN template."""

    #: A SageMaker resource the pipeline names: scoped by the step's job-name patterns.
    JOB_NAME = "job-name"
    #: A SageMaker resource the user names (endpoints, lineage entities, model package
    #: groups): scoped by the job prefix when one is set.
    USER_NAME = "user-name"
    #: The actions have no resource type in IAM: the statement's resource is ``*``.
    NO_RESOURCE = "no-resource"
    #: Resources the caller must name (function ARNs, queue ARNs, cluster ids, S3 objects).
    GIVEN = "given"
    #: Fixed resources: ``{name}`` is filled from the group's ``fixed_names``.
    FIXED = "fixed"


@unique
class Binding(Enum):
    """Which caller-given values fill a :attr:`ResourceScope.GIVEN` group."""

    LAMBDA_FUNCTIONS = "lambda_function_arns"
    CALLBACK_QUEUES = "callback_queue_arns"
    EMR_CLUSTERS = "emr_cluster_ids"
    EMR_SERVERLESS_APPLICATIONS = "emr_serverless_application_ids"
    CLEANUP_OBJECTS = "cleanup_locations"


@dataclass(frozen=True)
class ActionGroup:
    """Actions that share one resource pattern.

    Attributes:
        label: a short CamelCase name, used as the statement id.
        actions: IAM actions (``service:Action``).
        arn_template: the resource ARN with placeholders, ``*`` for NO_RESOURCE.
        scope: how ``{name}`` is filled.
        binding: for GIVEN groups, which caller-given values fill ``{name}``.
        fixed_names: for FIXED groups, the names that fill ``{name}``.
        variant: when set, the group applies only to steps of that variant (e.g. an EMR
            step that creates its own cluster), which a pipeline definition reveals.
        inferred: True where no AWS document lists these actions for the step.
    """

    label: str
    actions: tuple[str, ...]
    arn_template: str
    scope: ResourceScope
    binding: Binding | None = None
    fixed_names: tuple[str, ...] = ()
    variant: str | None = None
    inferred: bool = False


@dataclass(frozen=True)
class StepSpec:
    """What one step type needs.

    Attributes:
        step_type: the step ``Type``.
        resource_type: the SageMaker resource type its jobs create, if any.
        action_groups: the execution role's permissions for the step.
        passes_role_to: services the step hands a role to (``iam:PassedToService``).
        name_key: the create-API name key inside the step's ``Arguments``.
        prefix_argument: the SDK argument that carries a custom job prefix.
        max_prefix_length: the longest custom prefix the step accepts, if the AWS
            prefix table covers the step.
        sdk_prefix_caveat: how SDK v3 (sagemaker 3.27) fails to put the prefix into
            some jobs of this type, if it does: such jobs are denied by a prefix-scoped
            role.
    """

    step_type: StepType
    resource_type: str | None
    action_groups: tuple[ActionGroup, ...]
    passes_role_to: tuple[str, ...] = ()
    name_key: str | None = None
    prefix_argument: str | None = None
    max_prefix_length: int | None = None
    sdk_prefix_caveat: str | None = None

    @property
    def creates_sagemaker_resources(self) -> bool:
        """True when the step's permissions are scoped by job or resource names."""
        return any(
            group.scope in (ResourceScope.JOB_NAME, ResourceScope.USER_NAME)
            for group in self.action_groups
        )

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action of the step, sorted and without repeats."""
        return tuple(sorted({a for group in self.action_groups for a in group.actions}))


SAGEMAKER = "sagemaker.amazonaws.com"
_SM_ARN = "arn:{partition}:sagemaker:{region}:{account}:"

#: The prefix table of the AWS page ("Prefix length restrictions").
LONG_PREFIX_LIMIT = 38
SHORT_PREFIX_LIMIT = 6


def _job_group(
    label: str, resource_type: str, *verbs: str, tags: bool = True, inferred: bool = False
) -> ActionGroup:
    """Actions on one SageMaker job type, with the AddTags that every Create* needs."""
    actions = (("sagemaker:AddTags",) if tags else ()) + tuple(f"sagemaker:{v}" for v in verbs)
    return ActionGroup(
        label=label,
        actions=actions,
        arn_template=f"{_SM_ARN}{resource_type}/{{name}}",
        scope=ResourceScope.JOB_NAME,
        inferred=inferred,
    )


def _user_named_group(
    label: str, resource_type: str, *verbs: str, tags: bool = True, inferred: bool = False
) -> ActionGroup:
    actions = (("sagemaker:AddTags",) if tags else ()) + tuple(f"sagemaker:{v}" for v in verbs)
    return ActionGroup(
        label=label,
        actions=actions,
        arn_template=f"{_SM_ARN}{resource_type}/{{name}}",
        scope=ResourceScope.USER_NAME,
        inferred=inferred,
    )


_PROCESSING_JOBS = _job_group(
    "ProcessingJobs",
    "processing-job",
    "CreateProcessingJob",
    "DescribeProcessingJob",
    "StopProcessingJob",
)


_CHECK_CAVEAT = (
    "the SDK always names check jobs 'clarify-job' / 'baseline-job', whatever "
    "CheckJobConfig(base_job_name=...) says"
)


def _processing_like(
    step_type: StepType, prefix_argument: str, caveat: str | None = None
) -> StepSpec:
    # ClarifyCheck and QualityCheck run processing jobs: same resource, same actions.
    return StepSpec(
        step_type=step_type,
        resource_type="processing-job",
        action_groups=(_PROCESSING_JOBS,),
        passes_role_to=(SAGEMAKER,),
        name_key="ProcessingJobName",
        prefix_argument=prefix_argument,
        max_prefix_length=LONG_PREFIX_LIMIT,
        sdk_prefix_caveat=caveat,
    )


#: Variants of integration steps that create what they run on.
EMR_NEW_CLUSTER = "emr-new-cluster"
EMR_SERVERLESS_NEW_APPLICATION = "emr-serverless-new-application"

_CATALOG: tuple[StepSpec, ...] = (
    _processing_like(StepType.PROCESSING, "Processor(base_job_name=...)"),
    StepSpec(
        step_type=StepType.TRAINING,
        resource_type="training-job",
        action_groups=(
            _job_group(
                "TrainingJobs",
                "training-job",
                "CreateTrainingJob",
                "DescribeTrainingJob",
                "StopTrainingJob",
            ),
        ),
        passes_role_to=(SAGEMAKER,),
        name_key="TrainingJobName",
        prefix_argument="Estimator/ModelTrainer(base_job_name=...)",
        max_prefix_length=LONG_PREFIX_LIMIT,
        sdk_prefix_caveat=(
            "training steps built from a ModelTrainer never carry the prefix (SDK issues "
            "#5776, #6299); Estimator-based steps do"
        ),
    ),
    StepSpec(
        step_type=StepType.TUNING,
        resource_type="hyper-parameter-tuning-job",
        action_groups=(
            _job_group(
                "TuningJobs",
                "hyper-parameter-tuning-job",
                "CreateHyperParameterTuningJob",
                "DescribeHyperParameterTuningJob",
                "StopHyperParameterTuningJob",
            ),
            # Inferred: the pipeline lists the tuning job's training jobs to pick the best
            # one (TrainingJobSummaries); AWS does not list this action for Pipelines.
            _job_group(
                "TuningJobs",
                "hyper-parameter-tuning-job",
                "ListTrainingJobsForHyperParameterTuningJob",
                tags=False,
                inferred=True,
            ),
        ),
        passes_role_to=(SAGEMAKER,),
        name_key="HyperParameterTuningJobName",
        prefix_argument="HyperparameterTuner(tuning_base_job_name=...)",
        max_prefix_length=SHORT_PREFIX_LIMIT,
        sdk_prefix_caveat=(
            "tuning steps built from a ModelTrainer never carry the prefix (SDK issues "
            "#5776, #6299)"
        ),
    ),
    StepSpec(
        step_type=StepType.TRANSFORM,
        resource_type="transform-job",
        action_groups=(
            _job_group(
                "TransformJobs",
                "transform-job",
                "CreateTransformJob",
                "DescribeTransformJob",
                "StopTransformJob",
            ),
        ),
        # A transform job runs as the model's role: the step passes none.
        name_key="TransformJobName",
        prefix_argument="Transformer(transform_base_job_name=...)",
        max_prefix_length=LONG_PREFIX_LIMIT,
    ),
    StepSpec(
        step_type=StepType.MODEL,
        resource_type="model",
        action_groups=(_job_group("Models", "model", "CreateModel", "DescribeModel"),),
        passes_role_to=(SAGEMAKER,),
        name_key="ModelName",
        prefix_argument="Model(name=...)",
        max_prefix_length=LONG_PREFIX_LIMIT,
    ),
    StepSpec(
        step_type=StepType.REGISTER_MODEL,
        resource_type="model-package",
        action_groups=(
            # DescribeModelPackage and the group actions are inferred: the step registers a
            # version into a group that it may create; AWS lists only CreateModelPackage.
            _user_named_group(
                "ModelPackages", "model-package", "CreateModelPackage", "DescribeModelPackage"
            ),
            _user_named_group(
                "ModelPackageGroups",
                "model-package-group",
                "CreateModelPackageGroup",
                "DescribeModelPackageGroup",
                inferred=True,
            ),
        ),
        name_key="ModelPackageName",
        prefix_argument="model.register(model_package_name=...)",
        max_prefix_length=LONG_PREFIX_LIMIT,
    ),
    StepSpec(
        step_type=StepType.AUTOML,
        resource_type="automl-job",
        action_groups=(
            # StopAutoMLJob is inferred (the pipeline stops what it started on cancel).
            _job_group(
                "AutoMLJobs",
                "automl-job",
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
                inferred=True,
            ),
        ),
        passes_role_to=(SAGEMAKER,),
        name_key="AutoMLJobName",
        prefix_argument="AutoML(base_job_name=...)",
        max_prefix_length=SHORT_PREFIX_LIMIT,
    ),
    _processing_like(StepType.CLARIFY_CHECK, "CheckJobConfig(base_job_name=...)", _CHECK_CAVEAT),
    _processing_like(StepType.QUALITY_CHECK, "CheckJobConfig(base_job_name=...)", _CHECK_CAVEAT),
    StepSpec(
        step_type=StepType.ENDPOINT_CONFIG,
        resource_type="endpoint-config",
        action_groups=(
            _user_named_group(
                "EndpointConfigs",
                "endpoint-config",
                "CreateEndpointConfig",
                "DescribeEndpointConfig",
            ),
        ),
        # An endpoint config for inference components carries an ExecutionRoleArn.
        passes_role_to=(SAGEMAKER,),
        name_key="EndpointConfigName",
    ),
    StepSpec(
        step_type=StepType.ENDPOINT,
        resource_type="endpoint",
        action_groups=(
            _user_named_group(
                "Endpoints", "endpoint", "CreateEndpoint", "DescribeEndpoint", "UpdateEndpoint"
            ),
            # CreateEndpoint/UpdateEndpoint are authorized on the endpoint config too.
            _user_named_group(
                "EndpointConfigsUsedByEndpoints",
                "endpoint-config",
                "CreateEndpoint",
                "UpdateEndpoint",
                tags=False,
            ),
        ),
        name_key="EndpointName",
    ),
    StepSpec(
        step_type=StepType.INFERENCE_COMPONENT,
        resource_type="inference-component",
        action_groups=(
            # Inferred from the create/describe/update pattern of the endpoint steps.
            _user_named_group(
                "InferenceComponents",
                "inference-component",
                "CreateInferenceComponent",
                "DescribeInferenceComponent",
                "UpdateInferenceComponent",
                inferred=True,
            ),
            _user_named_group(
                "EndpointsHostingInferenceComponents",
                "endpoint",
                "CreateInferenceComponent",
                tags=False,
                inferred=True,
            ),
        ),
        # CreateInferenceComponent takes no role: the endpoint's model carries it.
        name_key="InferenceComponentName",
    ),
    StepSpec(
        step_type=StepType.LINEAGE,
        resource_type="context",
        action_groups=(
            # Inferred: the step records lineage entities and links them.
            _user_named_group(
                "LineageActions", "action", "CreateAction", "AddAssociation", inferred=True
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
                arn_template=f"{_SM_ARN}artifact/{{name}}",
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                inferred=True,
            ),
            _user_named_group(
                "LineageContexts", "context", "CreateContext", "AddAssociation", inferred=True
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
                arn_template=f"{_SM_ARN}job/*/{{name}}",
                scope=ResourceScope.JOB_NAME,
                inferred=True,
            ),
        ),
        passes_role_to=(SAGEMAKER,),
        name_key="JobName",
        prefix_argument="the CreateJob producer's job name",
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
            ),
        ),
    ),
    StepSpec(
        step_type=StepType.EMR,
        resource_type=None,
        action_groups=(
            ActionGroup(
                label="EmrClusterSteps",
                actions=(
                    "elasticmapreduce:AddJobFlowSteps",
                    "elasticmapreduce:CancelSteps",
                    "elasticmapreduce:DescribeCluster",
                    "elasticmapreduce:DescribeStep",
                    "elasticmapreduce:ListSteps",
                ),
                arn_template="arn:{partition}:elasticmapreduce:{region}:{account}:cluster/{name}",
                scope=ResourceScope.GIVEN,
                binding=Binding.EMR_CLUSTERS,
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
                variant=EMR_NEW_CLUSTER,
            ),
            ActionGroup(
                label="EmrNewClusterSteps",
                actions=(
                    "elasticmapreduce:AddJobFlowSteps",
                    "elasticmapreduce:CancelSteps",
                    "elasticmapreduce:DescribeCluster",
                    "elasticmapreduce:DescribeStep",
                    "elasticmapreduce:ListSteps",
                    "elasticmapreduce:TerminateJobFlows",
                ),
                arn_template="arn:{partition}:elasticmapreduce:{region}:{account}:cluster/{name}",
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                variant=EMR_NEW_CLUSTER,
            ),
        ),
        passes_role_to=("elasticmapreduce.amazonaws.com", "ec2.amazonaws.com"),
    ),
    StepSpec(
        step_type=StepType.EMR_SERVERLESS,
        resource_type=None,
        action_groups=(
            # Inferred from the EMR Serverless job-run API the step drives.
            ActionGroup(
                label="EmrServerlessApplications",
                actions=("emr-serverless:StartJobRun",),
                arn_template="arn:{partition}:emr-serverless:{region}:{account}:/applications/{name}",
                scope=ResourceScope.GIVEN,
                binding=Binding.EMR_SERVERLESS_APPLICATIONS,
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
                inferred=True,
            ),
            # A step with ApplicationConfig creates its application (inferred):
            # CreateApplication has no resource type in IAM ('*'), the new id is unknown.
            ActionGroup(
                label="EmrServerlessNewApplications",
                actions=("emr-serverless:CreateApplication",),
                arn_template="*",
                scope=ResourceScope.NO_RESOURCE,
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
                arn_template="arn:{partition}:emr-serverless:{region}:{account}:/applications/{name}",
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                variant=EMR_SERVERLESS_NEW_APPLICATION,
                inferred=True,
            ),
            ActionGroup(
                label="EmrServerlessNewApplicationJobRuns",
                actions=("emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"),
                arn_template=(
                    "arn:{partition}:emr-serverless:{region}:{account}:/applications/{name}"
                ),
                scope=ResourceScope.FIXED,
                fixed_names=("*/jobruns/*",),
                variant=EMR_SERVERLESS_NEW_APPLICATION,
                inferred=True,
            ),
        ),
        passes_role_to=("emr-serverless.amazonaws.com",),
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
