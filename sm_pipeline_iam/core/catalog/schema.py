"""The catalog's schema: the types its table is written in, from a step's type to what
its job needs from its role.

ARN templates use ``{partition}``, ``{region}``, ``{account}`` and ``{name}`` placeholders;
the policy builder fills them (``{name}`` with a job-name pattern or a value the caller
gives). Paths say where a pipeline definition holds what an entry needs, as dot-separated
keys into the step's JSON (see :class:`Source`), so that the definition reader walks every
step generically. No CDK import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum, unique

from .bindings import Binding


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
        binding: for GIVEN groups, which caller-given values fill ``{name}`` (see
            :mod:`~sm_pipeline_iam.core.catalog.bindings`).
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
            :data:`~sm_pipeline_iam.core.catalog.automl.AUTOML_REPOSITORIES`); none by default.
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
    def job_runs_as_model(self) -> bool:
        """True when the step's job runs as the role of a model it names (a batch transform
        job, :attr:`JobSpec.runs_models`): it has no role of its own."""
        return self.job is not None and self.job.runs_models is not None

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

