"""The step-type catalog: what each SageMaker Pipelines step needs from the execution role.

This table is the single source of truth for the library: the constructs, the policy
builder, the definition reader and the report all read it. Nothing here imports the CDK.

ARN templates use ``{partition}``, ``{region}``, ``{account}`` and ``{name}`` placeholders;
the policy builder fills them (``{name}`` with a job-name pattern or a value the caller
gives). Where AWS does not document an action for a step, the group is marked
``inferred=True`` and the comment beside it says what was inferred and why.

Each entry also says where a pipeline definition holds what the entry needs (the names
of its resources, the roles it passes, the resources it acts on, what makes it create
its own cluster or application), as paths into the step's JSON, so the definition reader
walks every step generically: adding a step type is one entry here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum, StrEnum, unique

from ..notices import AUTOML_RESOURCE_NAMES, CLARIFY_MODEL_UNKNOWN


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

    @property
    def description(self) -> str:
        """What the values are, for people (``"Lambda functions invoked"``)."""
        return _BINDING_DESCRIPTIONS[self]


_BINDING_DESCRIPTIONS = {
    Binding.LAMBDA_FUNCTIONS: "Lambda functions invoked",
    Binding.CALLBACK_QUEUES: "Callback queues sent to",
    Binding.EMR_CLUSTERS: "EMR clusters used",
    Binding.EMR_SERVERLESS_APPLICATIONS: "EMR Serverless applications used",
    Binding.CLEANUP_OBJECTS: "S3 objects Cleanup deletes",
}


@unique
class ValueForm(Enum):
    """What a value in a definition is, and so how it becomes resource names."""

    #: A job-name prefix: SageMaker appends a generated suffix (``<prefix>-*``).
    PREFIX = "prefix"
    #: The resource's exact name (or id).
    EXACT = "exact"
    #: A model package group's name: the resources are its versions (``<group>/*``).
    GROUP_VERSIONS = "group-versions"
    #: An ARN: the name is what follows the group's resource type; ARNs of other
    #: resource types belong to other groups.
    ARN = "arn"
    #: An SQS queue URL, turned into the queue's ARN.
    QUEUE_URL = "queue-url"
    #: A Cleanup source: its ``S3Uris``, else the output locations of its ``StepName``.
    CLEANUP_SOURCE = "cleanup-source"


@unique
class WhenAbsent(Enum):
    """What it means when a definition's step holds none of a group's names."""

    #: SageMaker names the resource itself (``pipelines-<id>-<step>-...``).
    DEFAULT_NAMING = "default-naming"
    #: The step makes none of the group's calls (e.g. no model package group).
    NOT_CALLED = "not-called"
    #: The step cannot run without it: the definition is malformed.
    REQUIRED = "required"


@dataclass(frozen=True)
class Source:
    """Where a definition's step holds values, and what they are.

    Attributes:
        path: dot-separated keys from the step object (``Arguments.TrainingJobName``,
            ``FunctionArn``); ``[*]`` takes every item of a list
            (``Arguments.TrainingJobDefinitions[*].RoleArn``) and ``[Key=Value]`` keeps an
            object only when its ``Key`` is ``Value`` (``Source[Type=Action].Name``).
        form: what the value is.
    """

    path: str
    form: ValueForm = ValueForm.EXACT

    @property
    def field(self) -> str:
        """The path as messages name it: without the leading ``Arguments.``."""
        return self.path.removeprefix("Arguments.")


@dataclass(frozen=True)
class RoleField:
    """A role a step hands to a service: where the definition holds it, and the service
    it is passed to (``iam:PassedToService``)."""

    path: str
    service: str


@dataclass(frozen=True)
class VariantTrigger:
    """A definition field whose presence switches a catalog variant on for the step."""

    path: str
    variant: str


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
        unless_variant: when set, the group does not apply to steps of that variant
            (e.g. an EMR step that creates its cluster adds no steps to another one).
        names: where a definition's step holds this group's names (JOB_NAME, USER_NAME)
            or its caller-given values (GIVEN); all sources add up.
        when_absent: what a step holding none of ``names`` means.
        wide_reason: for a group granted on ``*`` or a whole resource type (FIXED ``*``,
            NO_RESOURCE), why no narrower resource exists; such a grant is always named
            in a warning.
        lists_folders: for a GIVEN group of S3 ``bucket/key`` values: the actions list
            the bucket, only under each value that is a folder (``.../*``), with an
            ``s3:prefix`` condition; values naming one object need no listing.
        inferred: True where no AWS document lists these actions for the step.
    """

    label: str
    actions: tuple[str, ...]
    arn_template: str
    scope: ResourceScope
    binding: Binding | None = None
    fixed_names: tuple[str, ...] = ()
    variant: str | None = None
    unless_variant: str | None = None
    names: tuple[Source, ...] = ()
    when_absent: WhenAbsent = WhenAbsent.REQUIRED
    wide_reason: str | None = None
    lists_folders: bool = False
    inferred: bool = False

    @property
    def resource_type(self) -> str:
        """The resource type in the ARN template (``training-job``), or the template."""
        head = self.arn_template.split("/{name}", 1)[0]
        return head.rsplit(":", 1)[-1].strip("/").split("/", 1)[0] or head


@unique
class S3Access(Enum):
    """What a job does with an S3 location its step names."""

    #: An input: the value is the S3 data source object (``S3Uri`` with ``S3DataType``).
    #: ``S3Prefix`` (the default) and ``Converse`` name a key-name prefix: every object
    #: whose key starts with it, listed with that prefix (a URI ending with ``/`` is a
    #: folder); a ``ManifestFile`` / ``AugmentedManifestFile`` names the manifest object
    #: (the objects it lists are declared with ``manifest_locations``); ``S3Object``
    #: (model data) names one object (AWS API reference: S3DataSource,
    #: ProcessingS3Input, TransformS3DataSource, S3ModelDataSource).
    READ = "read"
    #: An input given as a bare URI (a model artifact ``ModelDataUrl``: one ``.tar.gz``
    #: object, or for a multi-model endpoint the folder of its models; AWS API reference,
    #: ContainerDefinition): read that object or the objects under it, never its siblings.
    READ_URI = "read-uri"
    #: An object the job's container downloads itself with the job's role (a framework's
    #: code archive, ``sagemaker_submit_directory``): that object only. A value that is
    #: not an ``s3://`` URI (``file://...``, ``/opt/ml/model/code``, empty) is a path
    #: inside the container or the SDK's machine and reads nothing from S3.
    READ_OBJECT = "read-object"
    #: An output: ``PutObject`` under the location.
    WRITE = "write"
    #: An output the job writes under a folder named after itself
    #: (``<S3OutputPath>/<job name>/...``: training artifacts).
    WRITE_PER_JOB = "write-per-job"
    #: Read and written by the job (checkpoints).
    READ_WRITE = "read-write"


@dataclass(frozen=True)
class S3Use:
    """An S3 location a step's job touches: where the definition holds it, and how.

    Attributes:
        path: where the definition holds it.
        access: what the job does with it.
        json_text: the value is JSON text of the URI: SDK v2 JSON-encodes every literal
            hyperparameter (``Estimator._json_encode_hyperparameters``), so
            ``sagemaker_submit_directory`` reads ``"\"s3://b/k/sourcedir.tar.gz\""``.
            Default False.
    """

    path: str
    access: S3Access
    json_text: bool = False


@unique
class KeyUse(Enum):
    """What a job does with a KMS key its step names, and so the key actions its role needs.

    Sources: the AWS page "How to use SageMaker AI execution roles" (per create API: a
    volume key needs ``kms:CreateGrant``, an output key ``kms:Encrypt``, SSE-KMS inputs
    ``kms:Decrypt``), the API reference of each ``KmsKeyId`` field (``OutputDataConfig``:
    "the SageMaker execution role must include permissions to call kms:Encrypt"), and the
    S3 page "Using server-side encryption with AWS KMS keys (SSE-KMS)" (an SSE-KMS upload
    needs ``kms:GenerateDataKey``, a multipart one also ``kms:Decrypt``; a download
    ``kms:Decrypt``).
    """

    #: The ML storage volume of the job's instances, which EBS encrypts for SageMaker:
    #: ``kms:CreateGrant`` for AWS resources only (``kms:GrantIsForAWSResource``).
    VOLUME = "volume"
    #: S3 objects the job writes with SSE-KMS: ``kms:GenerateDataKey``, ``kms:Encrypt``,
    #: ``kms:Decrypt`` (multipart uploads).
    OUTPUT = "output"
    #: S3 objects the job reads that another step wrote with SSE-KMS: ``kms:Decrypt``.
    INPUT = "input"


@dataclass(frozen=True)
class KmsKey:
    """A KMS key a step's job uses: where the definition holds it, and for what."""

    path: str
    use: KeyUse


@dataclass(frozen=True)
class JobCall:
    """API calls a job makes itself, with its own role, while its step holds ``trigger``
    (Clarify's shadow endpoint, the models and endpoints an AutoML job deploys): not
    SageMaker acting for the pipeline, but the job's own code or service calling out.

    Attributes:
        trigger: the path whose value (not null) switches the calls on.
        matches: when set, the trigger's literal value must match this pattern (an image
            URI of the Clarify container); an expression never matches.
        actions: the IAM actions.
        resource: the ARN template: ``{partition}``, ``{region}``, ``{account}``, ``{job}``
            (each of the step's job-name patterns), ``{role}`` (each role the step hands its
            job) and ``{name}`` (each value at ``names``).
        names: the path whose values fill ``{name}``.
        condition: ``(operator, key, value template)`` the calls carry (same placeholders).
        reason: why the job makes the calls, with the AWS page that says so (the plan's
            ``why`` and the cdk-nag acknowledgement of the statement).
        notice: when set, the warning id the step gets while the calls apply.
        inferred: True where no AWS document lists these calls for the job.
    """

    trigger: str
    actions: tuple[str, ...]
    resource: str
    reason: str
    matches: str | None = None
    names: str | None = None
    condition: tuple[tuple[str, str, str], ...] = ()
    notice: str | None = None
    inferred: bool = False


@dataclass(frozen=True)
class UngrantedField:
    """A definition field that makes a job (or the pipeline) call a service the library
    does not grant: read, and named in a warning (``ungrantedField``), never dropped.

    Attributes:
        path: where the definition holds it.
        calls: what it makes the job or pipeline call, for the warning.
    """

    path: str
    calls: str


@dataclass(frozen=True)
class SideJobs:
    """Jobs SageMaker starts beside the step's own, under the same role, while the step
    holds ``configs`` (Debugger's rule evaluations: API DebugRuleConfiguration takes no
    role of its own).

    Attributes:
        configs: paths to the configurations that start them (any item present).
        kind: their job kind in CloudWatch names (``ProcessingJobs``).
        reads: paths to S3 locations they read (what the step's job wrote there).
    """

    configs: tuple[str, ...]
    kind: str
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobSpec:
    """What the job a step starts needs from the role it runs as (AWS page "How to use
    SageMaker AI execution roles": inputs, outputs, the image, logs and metrics, the VPC and
    the KMS keys), and where a definition holds each.

    Attributes:
        kinds: the job kinds in CloudWatch names: logs go to ``/aws/sagemaker/<kind>``
            (streams ``<job name>/...``) and metrics to that namespace (``TrainingJobs``,
            ``ProcessingJobs``...); an AutoML job runs jobs of several kinds.
        s3: the S3 locations the job touches.
        images: paths to the container image URIs it pulls.
        vpc_configs: paths to its ``VpcConfig`` (subnets and security groups).
        kms_keys: where it names KMS keys (ids, ARNs, aliases), each with its use; an
            input that another step's output feeds also gets that output's key
            (:attr:`KeyUse.INPUT`).
        runs_models: for a job that runs another step's model (Transform), the path to
            the model's name: the job runs as that model's role.
        off_when_false: a boolean field that, literally ``false``, means the job does
            none of this (``DataCaptureConfig.EnableCapture``). Default: none.
        calls: the API calls the job makes itself (see :class:`JobCall`).
        ungranted: fields whose calls the role does not get, each named in a warning.
        function_arguments: for a training job that may run a ``@step`` function, the
            path to its container arguments (``--s3_base_uri``, ``--pipeline_step_name``,
            ``--func_step_s3_dir``...), which say where its payload and results lie.
        side_jobs: jobs SageMaker starts beside the step's own under its role.
        pulls: repositories it pulls whatever its definition says (an AutoML job's images,
            :data:`AUTOML_REPOSITORIES`); none by default.
    """

    kinds: tuple[str, ...]
    s3: tuple[S3Use, ...] = ()
    images: tuple[str, ...] = ()
    vpc_configs: tuple[str, ...] = ()
    kms_keys: tuple[KmsKey, ...] = ()
    runs_models: str | None = None
    off_when_false: str | None = None
    calls: tuple[JobCall, ...] = ()
    ungranted: tuple[UngrantedField, ...] = ()
    function_arguments: str | None = None
    side_jobs: tuple[SideJobs, ...] = ()
    pulls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Property:
    """A step property other steps refer to (``{"Get": "Steps.Train.<path>"}``), and the
    value it takes: a template of ``{job}`` (the step's job-name patterns), ``{region}``
    (the pipeline's region) and ``{Arguments...}`` paths into the step."""

    path: str
    template: str


@dataclass(frozen=True)
class StepSpec:
    """What one step type needs.

    Attributes:
        step_type: the step ``Type``.
        resource_type: the SageMaker resource type its jobs create, if any.
        action_groups: the execution role's permissions for the step.
        role_fields: the roles the step hands to services, where a definition holds them.
        create_apis: the SageMaker create APIs whose request fields the step's
            ``Arguments`` hold (a key none of them takes is named in a warning).
        variant_triggers: definition fields that switch a variant on for the step.
        output_paths: where a definition's step holds its S3 output locations (what a
            Cleanup step naming it deletes).
        prefix_argument: the SDK argument that carries a custom job prefix.
        max_prefix_length: the longest custom prefix the step accepts, if the AWS
            prefix table covers the step.
        sdk_prefix_caveat: how SDK v3 (sagemaker 3.27) fails to put the prefix into
            some jobs of this type, if it does: such jobs are denied by a prefix-scoped
            role.
        job: what the job the step starts needs from its own role, if it starts one.
        properties: the step's properties that other steps refer to and that name
            SageMaker resources or S3 locations (``ModelArtifacts.S3ModelArtifacts``).
        hosting: for a step that configures an endpoint, what the endpoint does while it
            serves with the role of each model its variants name (``runs_models``): data
            capture.
    """

    step_type: StepType
    resource_type: str | None
    action_groups: tuple[ActionGroup, ...]
    role_fields: tuple[RoleField, ...] = ()
    create_apis: tuple[str, ...] = ()
    variant_triggers: tuple[VariantTrigger, ...] = ()
    output_paths: tuple[str, ...] = ()
    prefix_argument: str | None = None
    max_prefix_length: int | None = None
    sdk_prefix_caveat: str | None = None
    job: JobSpec | None = None
    properties: tuple[Property, ...] = ()
    hosting: JobSpec | None = None

    @property
    def passes_role_to(self) -> tuple[str, ...]:
        """The services the step hands a role to (``iam:PassedToService``), in order."""
        return tuple(dict.fromkeys(field.service for field in self.role_fields))

    @property
    def name_key(self) -> str | None:
        """The create-API name key inside ``Arguments`` that carries a job's prefix."""
        for group in self.action_groups:
            for source in group.names:
                if source.form is ValueForm.PREFIX:
                    return source.field
        return None

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
EMR_SERVICE = "elasticmapreduce.amazonaws.com"
EMR_SERVERLESS_SERVICE = "emr-serverless.amazonaws.com"
EC2_SERVICE = "ec2.amazonaws.com"
_SM_ARN = "arn:{partition}:sagemaker:{region}:{account}:"

#: The prefix table of the AWS page ("Prefix length restrictions").
LONG_PREFIX_LIMIT = 38
SHORT_PREFIX_LIMIT = 6


def _job_group(
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
        arn_template=f"{_SM_ARN}{resource_type}/{{name}}",
        scope=ResourceScope.JOB_NAME,
        names=(Source(f"Arguments.{name_key}", ValueForm.PREFIX),),
        when_absent=WhenAbsent.DEFAULT_NAMING,
        inferred=inferred,
    )


def _user_named_group(
    label: str,
    resource_type: str,
    names: tuple[Source, ...],
    *verbs: str,
    tags: bool = True,
    when_absent: WhenAbsent = WhenAbsent.REQUIRED,
    variant: str | None = None,
    inferred: bool = False,
) -> ActionGroup:
    actions = (("sagemaker:AddTags",) if tags else ()) + tuple(f"sagemaker:{v}" for v in verbs)
    return ActionGroup(
        label=label,
        actions=actions,
        arn_template=f"{_SM_ARN}{resource_type}/{{name}}",
        scope=ResourceScope.USER_NAME,
        names=names,
        when_absent=when_absent,
        variant=variant,
        inferred=inferred,
    )


def _arguments(key: str, form: ValueForm = ValueForm.EXACT) -> tuple[Source, ...]:
    return (Source(f"Arguments.{key}", form),)


_PROCESSING_JOBS = _job_group(
    "ProcessingJobs",
    "processing-job",
    "ProcessingJobName",
    "CreateProcessingJob",
    "DescribeProcessingJob",
    "StopProcessingJob",
)

_ROLE_ARN = RoleField("Arguments.RoleArn", SAGEMAKER)
_PROCESSING_OUTPUTS = "Arguments.ProcessingOutputConfig.Outputs[*].S3Output.S3Uri"

_PROCESSING_JOB = JobSpec(
    kinds=("ProcessingJobs",),
    s3=(
        S3Use("Arguments.ProcessingInputs[*].S3Input", S3Access.READ),
        S3Use(_PROCESSING_OUTPUTS, S3Access.WRITE),
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
_CLARIFY_ENDPOINT = f"{_SM_ARN}endpoint/sm-clarify-*"
_CLARIFY_ENDPOINT_CONFIG = f"{_SM_ARN}endpoint-config/sm-clarify-*"
_CLARIFY_REASON = (
    "deploys, invokes and deletes SageMaker Clarify's shadow endpoint 'sm-clarify-*' for "
    "the model it explains (AWS page 'Analysis configuration files', predictor.model_name)"
)
_CLARIFY_IMAGE = (
    r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/sagemaker-clarify-processing"
    r"(:[\w.-]+|@sha256:[0-9a-f]{64})?"
)


def _clarify_calls(trigger: str, *, matches: str | None = None, model: str | None = None,
                   notice: str | None = None) -> tuple[JobCall, ...]:
    """The shadow-endpoint calls of a Clarify job; ``model``: where the step names the model
    (``CreateEndpointConfig`` is then allowed for that model only, ``sagemaker:ModelArn``)."""
    def calls(actions: tuple[str, ...], resource: str,
              condition: tuple[tuple[str, str, str], ...] = ()) -> JobCall:
        return JobCall(trigger, tuple(f"sagemaker:{a}" for a in actions), resource,
                       _CLARIFY_REASON, matches=matches, names=model, condition=condition,
                       notice=notice, inferred=True)

    model_condition = (("ArnLike", "sagemaker:ModelArn", f"{_SM_ARN}model/{{name}}"),
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


#: What AWS's page "How to use SageMaker AI execution roles" (CreateAutoMLJob and
#: CreateAutoMLJobV2 API: execution role permissions) lists for an AutoML job's role,
#: beside its data, logs and metrics: passing the role on to SageMaker, the model,
#: endpoint-config and endpoint actions of the models it deploys, and ECR pulls, all on
#: '*'. Narrowed here: PassRole to the role itself and to SageMaker only; the models and
#: endpoints to names that start with the AutoML job's name (inferred: how the job names
#: them is undocumented); the pulls to the pipeline's region (the AutoML containers live
#: in AWS-owned registries whose accounts differ by region), with a warning.
_AUTOML_PAGE = (
    "(AWS page 'How to use SageMaker AI execution roles', CreateAutoMLJob and "
    "CreateAutoMLJobV2 API)"
)
_AUTOML_TRIGGER = "Arguments.RoleArn"


#: Stands for the repositories of the images an AutoML job runs (its own and its
#: candidates'), in :attr:`JobSpec.pulls` and as the repository of a best candidate's image:
#: ``core.job_policy.automl_repositories`` turns it into ARNs for the role's region.
AUTOML_REPOSITORIES = "${AutoML.Repositories}"
#: A best candidate's image (a step property): one of the AutoML images.
AUTOML_IMAGES = "<an AutoML image>"

#: The repositories of the images Autopilot runs, by registry: its data-processing
#: container ``sagemaker-sklearn-automl`` (the inference containers of AWS's Autopilot
#: deployment examples, ``aws sagemaker create-model``; it lives in the registry of the
#: SDK's XGBoost framework images) and its XGBoost candidates; its Linear Learner
#: candidates (a SageMaker algorithm); its ensembling candidates (AutoGluon deep learning
#: containers). AWS page "Training modes and algorithm support" (Autopilot), API reference
#: AutoMLAlgorithmConfig. Not listed, as AWS publishes no repository for them: the HPO
#: ``mlp`` candidates' image and those of the non-tabular problem types (time series, text,
#: image, text generation): their pulls are not granted (the autoMLResourceNames warning).
AUTOML_REPOSITORY_NAMES: tuple[tuple[str, ...], ...] = (
    ("sagemaker-sklearn-automl", "sagemaker-xgboost"),
    ("linear-learner",),
    ("autogluon-inference", "autogluon-training"),
)

#: Region -> the registry account of each group of :data:`AUTOML_REPOSITORY_NAMES` (None:
#: no such registry there). Source: SageMaker Python SDK v2.257.6
#: ``src/sagemaker/image_uri_config/xgboost.json`` (framework version 3.0-5),
#: ``linear-learner.json`` (version 1), ``autogluon.json`` (version 1.3.0), the same
#: accounts as AWS's "Docker Registry Paths and Example Code" pages per region.
AUTOML_REGISTRIES: dict[str, tuple[str | None, str | None, str | None]] = {
    "af-south-1": ("510948584623", "455444449433", "626614931356"),
    "ap-east-1": ("651117190479", "286214385809", "871362719292"),
    "ap-northeast-1": ("354813040037", "351501993468", "763104351884"),
    "ap-northeast-2": ("366743142698", "835164637446", "763104351884"),
    "ap-northeast-3": ("867004704886", "867004704886", "364406365360"),
    "ap-south-1": ("720646828776", "991648021394", "763104351884"),
    "ap-south-2": ("628508329040", "628508329040", None),
    "ap-southeast-1": ("121021644041", "475088953585", "763104351884"),
    "ap-southeast-2": ("783357654285", "712309505854", "763104351884"),
    "ap-southeast-3": ("951798379941", "951798379941", "907027046896"),
    "ap-southeast-4": ("106583098589", "106583098589", "457447274322"),
    "ca-central-1": ("341280168497", "469771592824", "763104351884"),
    "ca-west-1": ("190319476487", "190319476487", "204538143572"),
    "cn-north-1": ("450853457545", "390948362332", None),
    "cn-northwest-1": ("451049120500", "387376663083", None),
    "eu-central-1": ("492215442770", "664544806723", "763104351884"),
    "eu-central-2": ("680994064768", "680994064768", None),
    "eu-north-1": ("662702820516", "669576153137", "763104351884"),
    "eu-south-1": ("978288397137", "257386234256", "692866216735"),
    "eu-south-2": ("104374241257", "104374241257", None),
    "eu-west-1": ("141502667606", "438346466558", "763104351884"),
    "eu-west-2": ("764974769150", "644912444149", "763104351884"),
    "eu-west-3": ("659782779980", "749696950732", "763104351884"),
    "il-central-1": ("898809789911", "898809789911", "780543022126"),
    "me-central-1": ("272398656194", "272398656194", None),
    "me-south-1": ("801668240914", "249704162688", "217643126080"),
    "sa-east-1": ("737474898029", "855470959533", "763104351884"),
    "us-east-1": ("683313688378", "382416733822", "763104351884"),
    "us-east-2": ("257758044811", "404615174143", "763104351884"),
    "us-gov-east-1": ("237065988967", "237065988967", "446045086412"),
    "us-gov-west-1": ("414596584902", "226302683700", "442386744353"),
    "us-iso-east-1": ("833128469047", "490574956308", "886529160074"),
    "us-isob-east-1": ("281123927165", "765400339828", "094389454867"),
    "us-isof-east-1": ("108575199400", "108575199400", None),
    "us-isof-south-1": ("124985052026", "124985052026", None),
    "us-west-1": ("746614075791", "632365934929", "763104351884"),
    "us-west-2": ("246618743249", "174872318107", "763104351884"),
}


def _automl_calls() -> tuple[JobCall, ...]:
    def calls(actions: tuple[str, ...], resource: str, why: str, *,
              condition: tuple[tuple[str, str, str], ...] = (), notice: str | None = None,
              inferred: bool = False) -> JobCall:
        return JobCall(_AUTOML_TRIGGER, actions, resource, f"{why} {_AUTOML_PAGE}",
                       condition=condition, notice=notice, inferred=inferred)

    deploys = ("deploys, invokes and deletes the models and endpoints it names after "
               "itself (the AutoML job's name)")
    return (
        calls(("iam:PassRole",), "{role}", "passes its own role to the jobs it starts",
              condition=(("StringEquals", "iam:PassedToService", SAGEMAKER),)),
        calls(tuple(f"sagemaker:{a}" for a in (
            "CreateModel", "DeleteModel", "DescribeModel", "ListTags")),
            f"{_SM_ARN}model/{{job}}", deploys, inferred=True, notice=AUTOML_RESOURCE_NAMES),
        calls(tuple(f"sagemaker:{a}" for a in (
            "CreateEndpoint", "CreateEndpointConfig", "DeleteEndpointConfig",
            "DescribeEndpointConfig", "ListTags")),
            f"{_SM_ARN}endpoint-config/{{job}}", deploys, inferred=True),
        calls(tuple(f"sagemaker:{a}" for a in (
            "CreateEndpoint", "DeleteEndpoint", "DescribeEndpoint", "InvokeEndpoint",
            "ListTags")),
            f"{_SM_ARN}endpoint/{{job}}", deploys, inferred=True),
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


def _training_job(at: str, hyperparameters: str = "HyperParameters") -> JobSpec:
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


def _merged(*jobs: JobSpec) -> JobSpec:
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

_CHECK_BASELINE_PACKAGES = _user_named_group(
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
    job: JobSpec = _PROCESSING_JOB,
) -> StepSpec:
    # ClarifyCheck and QualityCheck run processing jobs: same resource, same actions, and
    # may read their baselines from the model registry.
    checks = step_type is not StepType.PROCESSING
    return StepSpec(
        step_type=step_type,
        create_apis=("CreateProcessingJob",),
        resource_type="processing-job",
        action_groups=(_PROCESSING_JOBS, _CHECK_BASELINE_PACKAGES) if checks
        else (_PROCESSING_JOBS,),
        variant_triggers=(
            VariantTrigger("ModelPackageGroupName", CHECK_BASELINES_FROM_REGISTRY),
        ) if checks else (),
        role_fields=(_ROLE_ARN,),
        output_paths=(_PROCESSING_OUTPUTS,),
        job=job,
        properties=(Property("ProcessingJobName", "{job}"),),
        prefix_argument=prefix_argument,
        max_prefix_length=LONG_PREFIX_LIMIT,
        sdk_prefix_caveat=caveat,
    )


#: Variants of integration steps that create what they run on.
EMR_NEW_CLUSTER = "emr-new-cluster"
EMR_SERVERLESS_NEW_APPLICATION = "emr-serverless-new-application"

_EMR_CLUSTER_ARN = "arn:{partition}:elasticmapreduce:{region}:{account}:cluster/{name}"
_EMR_SERVERLESS_APPLICATION_ARN = (
    "arn:{partition}:emr-serverless:{region}:{account}:/applications/{name}"
)
_EMR_STEP_ACTIONS = (
    "elasticmapreduce:AddJobFlowSteps",
    "elasticmapreduce:CancelSteps",
    "elasticmapreduce:DescribeCluster",
    "elasticmapreduce:DescribeStep",
    "elasticmapreduce:ListSteps",
)

def _lineage_names(kind: str) -> tuple[Source, ...]:
    """Where a Lineage step names its ``kind`` entities: in its list of them, or as the
    ends of its associations (by ARN, or by name and type)."""
    return (
        Source(f"Arguments.{kind}s[*].{kind}Name"),
        Source("Arguments.Associations[*].Source.Arn", ValueForm.ARN),
        Source("Arguments.Associations[*].Destination.Arn", ValueForm.ARN),
        Source(f"Arguments.Associations[*].Source[Type={kind}].Name"),
        Source(f"Arguments.Associations[*].Destination[Type={kind}].Name"),
    )


_CATALOG: tuple[StepSpec, ...] = (
    # A Processing step that runs the Clarify container may name a model only in its
    # analysis config (on S3): the shadow endpoint is allowed for any model, with a warning.
    _processing_like(StepType.PROCESSING, "Processor(base_job_name=...)", job=replace(
        _PROCESSING_JOB, calls=_clarify_calls(
            "Arguments.AppSpecification.ImageUri", matches=_CLARIFY_IMAGE,
            notice=CLARIFY_MODEL_UNKNOWN))),
    StepSpec(
        step_type=StepType.TRAINING,
        create_apis=("CreateTrainingJob",),
        resource_type="training-job",
        action_groups=(
            _job_group(
                "TrainingJobs",
                "training-job",
                "TrainingJobName",
                "CreateTrainingJob",
                "DescribeTrainingJob",
                "StopTrainingJob",
            ),
        ),
        role_fields=(_ROLE_ARN,),
        output_paths=("Arguments.OutputDataConfig.S3OutputPath",),
        job=_training_job("Arguments"),
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
            _job_group(
                "TuningJobs",
                "hyper-parameter-tuning-job",
                "HyperParameterTuningJobName",
                "CreateHyperParameterTuningJob",
                "DescribeHyperParameterTuningJob",
                "StopHyperParameterTuningJob",
            ),
            # Inferred: the pipeline lists the tuning job's training jobs to pick the best
            # one (TrainingJobSummaries); AWS does not list this action for Pipelines.
            _job_group(
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
        job=_merged(
            _training_job("Arguments.TrainingJobDefinition", "StaticHyperParameters"),
            _training_job("Arguments.TrainingJobDefinitions[*]", "StaticHyperParameters"),
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
            _job_group(
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
            _job_group("Models", "model", "ModelName", "CreateModel", "DescribeModel"),
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
            _user_named_group(
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
            _user_named_group(
                "ModelPackageGroups",
                "model-package-group",
                _arguments("ModelPackageGroupName"),
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
            _job_group(
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
        role_fields=(_ROLE_ARN,),
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
            calls=_automl_calls(),
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
                     job=replace(_PROCESSING_JOB, calls=_clarify_calls(
                         "ModelName", model="ModelName"))),
    _processing_like(StepType.QUALITY_CHECK, "CheckJobConfig(base_job_name=...)", _CHECK_CAVEAT),
    StepSpec(
        step_type=StepType.ENDPOINT_CONFIG,
        create_apis=("CreateEndpointConfig",),
        resource_type="endpoint-config",
        action_groups=(
            _user_named_group(
                "EndpointConfigs",
                "endpoint-config",
                _arguments("EndpointConfigName"),
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
            _user_named_group(
                "Endpoints",
                "endpoint",
                _arguments("EndpointName"),
                "CreateEndpoint",
                "DescribeEndpoint",
                "UpdateEndpoint",
            ),
            # CreateEndpoint/UpdateEndpoint are authorized on the endpoint config too.
            _user_named_group(
                "EndpointConfigsUsedByEndpoints",
                "endpoint-config",
                _arguments("EndpointConfigName"),
                "CreateEndpoint",
                "UpdateEndpoint",
                tags=False,
            ),
            # Inferred: the step reads the config it deploys (its variants, to wait on).
            _user_named_group(
                "EndpointConfigsReadByEndpoints",
                "endpoint-config",
                _arguments("EndpointConfigName"),
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
            _user_named_group(
                "InferenceComponents",
                "inference-component",
                _arguments("InferenceComponentName"),
                "CreateInferenceComponent",
                "DescribeInferenceComponent",
                "UpdateInferenceComponent",
                inferred=True,
            ),
            _user_named_group(
                "EndpointsHostingInferenceComponents",
                "endpoint",
                _arguments("EndpointName"),
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
            _user_named_group(
                "LineageActions",
                "action",
                _lineage_names("Action"),
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
                arn_template=f"{_SM_ARN}artifact/{{name}}",
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                wide_reason=(
                    "a lineage artifact's ARN holds a hash of its source, not a name a "
                    "prefix could narrow"
                ),
                inferred=True,
            ),
            _user_named_group(
                "LineageContexts",
                "context",
                _lineage_names("Context"),
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
                arn_template=f"{_SM_ARN}job/*/{{name}}",
                scope=ResourceScope.JOB_NAME,
                names=_arguments("JobName", ValueForm.PREFIX),
                when_absent=WhenAbsent.DEFAULT_NAMING,
                inferred=True,
            ),
        ),
        role_fields=(_ROLE_ARN,),
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
                actions=_EMR_STEP_ACTIONS,
                arn_template=_EMR_CLUSTER_ARN,
                scope=ResourceScope.GIVEN,
                binding=Binding.EMR_CLUSTERS,
                unless_variant=EMR_NEW_CLUSTER,
                names=_arguments("ClusterId"),
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
                actions=(*_EMR_STEP_ACTIONS, "elasticmapreduce:TerminateJobFlows"),
                arn_template=_EMR_CLUSTER_ARN,
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
                arn_template=_EMR_SERVERLESS_APPLICATION_ARN,
                scope=ResourceScope.GIVEN,
                binding=Binding.EMR_SERVERLESS_APPLICATIONS,
                unless_variant=EMR_SERVERLESS_NEW_APPLICATION,
                names=_arguments("ApplicationId"),
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
                names=_arguments("ApplicationId"),
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
                arn_template=_EMR_SERVERLESS_APPLICATION_ARN,
                scope=ResourceScope.FIXED,
                fixed_names=("*",),
                wide_reason="the application the step creates gets its id only when it runs",
                variant=EMR_SERVERLESS_NEW_APPLICATION,
                inferred=True,
            ),
            ActionGroup(
                label="EmrServerlessNewApplicationJobRuns",
                actions=("emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"),
                arn_template=_EMR_SERVERLESS_APPLICATION_ARN,
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


@dataclass(frozen=True)
class FeatureSpec:
    """A pipeline-level setting, outside the steps, that makes SageMaker act for the
    pipeline while a definition holds it (a non-null ``trigger`` at its top level).

    Attributes:
        variant: the variant it switches on (in ``PipelineRequirements.variants``).
        trigger: the top-level definition key.
        action_groups: what the execution role needs for it; names are read from paths
            at the definition's top level.
    """

    variant: str
    trigger: str
    action_groups: tuple[ActionGroup, ...]


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
            _user_named_group(
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
                arn_template=f"{_SM_ARN}experiment-trial/{{name}}",
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
                arn_template=f"{_SM_ARN}experiment-trial-component/{{name}}",
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
