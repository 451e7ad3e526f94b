"""Every warning the library emits, in one registry. No CDK import.

A warning id is a public contract: users acknowledge a warning by its id
(``Annotations.of(role).acknowledge_warning("sm-pipeline-iam:...")``), so ids never
change. Each id below has a one-line meaning and what to do, the text of the generated
page docs/warnings.md (``python -m sm_pipeline_iam.review.warnings_page``; a test keeps the
page, the registry and the source in step).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

#: The start of every warning id.
ID_PREFIX = "sm-pipeline-iam:"


@dataclass(frozen=True)
class Notice:
    """A warning for the user, with a stable id they can acknowledge."""

    id: str
    message: str


@dataclass(frozen=True)
class Unresolved:
    """A value known only at run time, and how to narrow it."""

    step: str
    field: str
    pattern: str
    parameters: tuple[str, ...]
    run_time: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """``step 'Train' field RoleArn``, or for a setting of the whole pipeline, which the
        reader names in place of a step, ``the pipeline's PipelineExperimentConfig.
        ExperimentName``: it is no step."""
        # Imported here: the catalog imports this module.
        from .catalog.features import PIPELINE_FEATURES

        if any(self.step == feature.trigger and self.field.startswith(f"{self.step}.")
               for feature in PIPELINE_FEATURES):
            return f"the pipeline's {self.field}"
        return f"step {self.step!r} field {self.field}"

    def message(self) -> str:
        """The warning text: the step, the field, the pattern granted, and what narrows it
        (a binding), or why nothing but the definition can."""
        where = self.where
        parameters = [p for p in self.parameters if p.startswith("Parameters.")]
        if parameters:
            names = ", ".join(p.removeprefix("Parameters.") for p in parameters)
            bind = (
                f"bind {names} with parameter_values (e.g. {{'{names.split(', ')[0]}': "
                "['value-a', 'value-b']}), the values executions may use"
            )
        elif self.parameters:
            bind = "give pipeline_name, the pipeline's name (--pipeline-name in explain)"
        elif self.run_time:
            # An execution variable or a step property: a new value in every execution.
            return (
                f"{where}: {', '.join(self.run_time)} is known only while the pipeline runs "
                f"and the value has no literal part around it, so the policy allows "
                f"{self.pattern!r}; it is no parameter, so no binding can narrow it: give "
                "the field a literal value in the pipeline code, or join the run-time value "
                "to literal parts (a fixed name prefix, bucket or key) that the grant can "
                "pin, or accept the grant"
            )
        else:
            # A literal of another form than the field takes, or a deploy-time token.
            return (f"{where}: no resource name can be read from it, so the policy allows "
                    f"{self.pattern!r}; give the field a literal value of the form "
                    "SageMaker documents for it")
        return (
            f"{where}: only known at run time, so the policy allows {self.pattern!r}; {bind}"
        )


#: The template metadata key of a role whose grants allow any value of some parameters
#: (``any_value_parameters``): ``[{"Parameter": name, "Grants": ["step 'S' field F:
#: pattern", ...]}]``, what the review report turns into ``anyValueParameter`` findings.
ANY_VALUE_METADATA = "sm-pipeline-iam/anyValueParameters"


def any_value_grants(unresolved: Iterable[Unresolved]) -> list[dict[str, Any]]:
    """The :data:`ANY_VALUE_METADATA` of a role with these unresolved values: per
    parameter opted in to any value (every pipeline parameter still unbound in a
    reading), the grants it widens."""
    found: dict[str, dict[str, None]] = {}
    for item in unresolved:
        for parameter in item.parameters:
            if parameter.startswith("Parameters."):
                found.setdefault(parameter.removeprefix("Parameters."), {})[
                    f"{item.where}: {item.pattern}"] = None
    return [{"Parameter": name, "Grants": list(grants)}
            for name, grants in sorted(found.items())]


@dataclass(frozen=True)
class WarningKind:
    """A registered warning id: what it means and what to do about it.

    Attributes:
        meaning: one line of Markdown (names in backticks), a cell of docs/warnings.md.
        what_to_do: the same, for the page's last column.
        informational: True for a warning that states a fact about a grant that is as
            narrow as it can be (a run-time part of a path, a build timestamp): it needs
            no action, and ``sm-pipeline-iam explain`` does not fail on it.
    """

    id: str
    meaning: str
    what_to_do: str
    informational: bool = False


# --- the ids (import them from here) --------------------------------------------------

#: A catalog grant on '*' or a whole resource type that nothing can narrow.
WIDE_GRANT = "sm-pipeline-iam:wideGrant"
#: A job prefix with upper-case letters: the policy allows both spellings.
MIXED_CASE_PREFIX = "sm-pipeline-iam:mixedCaseJobPrefix"
#: Steps creating user-named resources without a prefix: granted on every such name.
UNSCOPED_USER_NAMES = "sm-pipeline-iam:unscopedResourceNames"
#: A definition value known only at run time became the narrowest pattern it allows.
UNRESOLVED_VALUE = "sm-pipeline-iam:unresolvedDefinitionValue"
#: A step name job names cannot hold: its jobs are allowed as ``pipelines-*``.
STEP_NAME_NOT_IN_JOB_NAMES = "sm-pipeline-iam:stepNameNotInJobNames"
#: An unknown step ``Type``, allowed by ``allow_unknown_step_types``: granted nothing.
UNKNOWN_STEP_TYPE = "sm-pipeline-iam:unknownStepType"
#: Too many per-step scopes for IAM's limits: widened to ``pipelines-*``.
COARSENED_JOB_SCOPES = "sm-pipeline-iam:coarsenedJobScopes"
#: A team's step type whose jobs the SDK does not name with the prefix.
SDK_IGNORES_PREFIX = "sm-pipeline-iam:sdkIgnoresJobPrefix"
#: A team principal that cannot hold an identity policy got no grants.
PRINCIPAL_WITHOUT_POLICY = "sm-pipeline-iam:teamPrincipalWithoutPolicy"
#: A target would get more SCPs than AWS allows.
TOO_MANY_SCPS = "sm-pipeline-iam:tooManyScpsPerTarget"
#: A StackSet deployed to several regions: each region gets its own IAM roles.
IAM_PER_REGION = "sm-pipeline-iam:stackSetIamPerRegion"
#: A definition value holds an execution variable or step property: '*' in that part.
RUN_TIME_VALUE = "sm-pipeline-iam:runTimeValue"
#: A job name with the SDK's build timestamp: scoped by the name before it.
BUILD_TIMESTAMP = "sm-pipeline-iam:buildTimestampInJobName"
#: A Transform step (or an endpoint config's data capture) runs a model no step of the
#: pipeline makes: the role it runs as is unknown.
MODEL_OUTSIDE_PIPELINE = "sm-pipeline-iam:modelOutsidePipeline"
#: A Model step's model is hosted by no Endpoint step and no ``model_endpoints`` entry:
#: endpoint logs are not granted.
MODEL_ENDPOINTS_UNNAMED = "sm-pipeline-iam:modelEndpointsUnnamed"
#: Tuning/AutoML jobs under the default naming: only ``pipelines-*`` can scope them.
UNSCOPED_DEFAULT_NAMES = "sm-pipeline-iam:unscopedDefaultJobNames"
#: An ``Arguments`` key that the step's create API does not take.
UNKNOWN_ARGUMENT = "sm-pipeline-iam:unknownArgument"
#: A prefix in a definition that the step type's job names cannot carry.
DEFINITION_PREFIX = "sm-pipeline-iam:invalidPrefixInDefinition"
#: The pipeline's SageMaker jobs run as the execution role, which holds no job permissions.
EXECUTION_ROLE_RUNS_JOBS = "sm-pipeline-iam:executionRoleRunsJobs"
#: A prop holds a token that resolves only at deploy time: used as given, unchecked.
DEPLOY_TIME_VALUE = "sm-pipeline-iam:deployTimeValue"
#: An input's key-name prefix also covers another step's S3 location.
INPUT_PREFIX_OVERLAPS = "sm-pipeline-iam:inputPrefixOverlaps"
#: A write location whose run-time part (``*``) spans another step's read location.
WILDCARD_WRITE_COVERS = "sm-pipeline-iam:wildcardWriteCovers"
#: A manifest input whose listed objects no ``manifest_locations`` entry declares.
MANIFEST_UNDECLARED = "sm-pipeline-iam:manifestObjectsUndeclared"
#: A Processing step runs the Clarify container, whose model the definition does not name.
CLARIFY_MODEL_UNKNOWN = "sm-pipeline-iam:clarifyModelUnknown"
#: An AutoML job's models and endpoints, allowed by names AWS does not document.
AUTOML_RESOURCE_NAMES = "sm-pipeline-iam:autoMLResourceNames"
#: A definition field whose calls the library does not grant (MLflow, hub models...).
UNGRANTED_FIELD = "sm-pipeline-iam:ungrantedField"
#: A step's image is a literal that is not an ECR image URI: no ECR repository granted.
NOT_AN_ECR_IMAGE = "sm-pipeline-iam:notAnEcrImage"
#: An unbound parameter with a default: the grants that depend on it allow the default.
PARAMETER_SCOPED_TO_DEFAULT = "sm-pipeline-iam:parameterScopedToDefault"


#: Every warning id the library emits, with its meaning and what to do.
REGISTRY: tuple[WarningKind, ...] = (
    WarningKind(
        RUN_TIME_VALUE,
        "a definition value holds an execution variable or a step property "
        "(`Execution.PipelineExecutionId`, `Steps.Train.TrainingJobName`), known only while the "
        "pipeline runs: that part is `*` in the grant (the execution id: 12 `?`, which cannot span"
        " a `/`), while the literal parts around it still pin the bucket, the prefix or the name",
        "nothing, if the pinned part is narrow enough; else give the value more literal parts (a "
        "fixed bucket and prefix)",
        informational=True,
    ),
    WarningKind(
        MODEL_OUTSIDE_PIPELINE,
        "a Transform step, or an EndpointConfig step's data capture, runs a model that no step of "
        "the pipeline makes: its job (or endpoint) runs as that model's role, which the library "
        "neither derives nor changes",
        "grant the model's role the step's inputs, outputs and logs, or the capture destination "
        "and key (see `explain --plan`), or make the model in the pipeline",
    ),
    WarningKind(
        MODEL_ENDPOINTS_UNNAMED,
        "a Model step has no Endpoint step in the pipeline and no `model_endpoints` entry: an "
        "endpoint that serves its model later runs as its role and logs to "
        "`/aws/sagemaker/Endpoints/<endpoint name>`, which nothing names, so the role grants no "
        "endpoint's logs; a batch transform run outside the pipeline is named by its caller and "
        "gets no logs either (the role grants the model's data, images and the namespaces of its "
        "metrics)",
        'name the endpoints that will serve the model with `model_endpoints={"<step>": ["<endpoint'
        ' name>"]}` (`explain --model-endpoint STEP=NAME`); grant a transform run outside the '
        "pipeline its log streams in `/aws/sagemaker/TransformJobs` where the transform is made",
        # The pipeline itself runs as granted: only a later deployment is concerned, and
        # a model that is only registered is never deployed.
        informational=True,
    ),
    WarningKind(
        UNSCOPED_DEFAULT_NAMES,
        "a Tuning or AutoML step runs under the default naming: how SageMaker fits the step name "
        "into those 32-character job names is undocumented, so its jobs (and their logs and output"
        " folders) can only be allowed as `pipelines-*`, shared with every default-named job",
        "turn on the custom job prefix (`PipelineDefinitionConfig(use_custom_job_prefix=True)`) "
        "and give the step a prefix",
    ),
    WarningKind(
        UNKNOWN_ARGUMENT,
        "a step's `Arguments` hold a key that its SageMaker create API does not take (a "
        "misspelling such as `ProcessingOutputs`): SageMaker rejects or ignores it, and the role "
        "was derived without it",
        "fix the key in the pipeline code; the warning names the closest field",
    ),
    WarningKind(
        BUILD_TIMESTAMP,
        "a job name in the definition ends with the SDK's build timestamp (NotebookJob writes "
        "`<base>-YYYY-MM-DD-HH-MM-SS-mmm`, new on every build): the role is scoped by `<base>-*` "
        "so that it survives the next upsert",
        "nothing; rebuilding the definition does not change the role",
        informational=True,
    ),
    WarningKind(
        DEFINITION_PREFIX,
        "a job prefix in the definition breaks SageMaker's rules for its step type (longer than "
        "its limit, or characters job names cannot hold: an SDK v2 AutoML definition carries "
        "`AutoMLJo`, over the 6-character limit): SageMaker may not name the jobs as the role "
        "expects",
        "shorten or fix the prefix where the SDK takes it (`base_job_name` and its kin)",
    ),
    WarningKind(
        MIXED_CASE_PREFIX,
        "`job_prefix` has upper-case letters; whether SageMaker lower-cases names inside job ARNs "
        "is unconfirmed, so the policy allows both spellings",
        "use a lower-case prefix to allow one spelling only",
    ),
    WarningKind(
        UNSCOPED_USER_NAMES,
        "without `job_prefix`, steps that create resources you name (endpoints, model package "
        "groups...) are allowed on every such resource in the account and region",
        "set `job_prefix` and name those resources `<prefix>-...`, or use `from_definition`",
    ),
    WarningKind(
        UNRESOLVED_VALUE,
        "a definition value known only at run time (a parameter opted in to any value with "
        "`any_value_parameters`, an execution variable, a step property) became the narrowest "
        "pattern its literal parts allow",
        "bind the parameter it names with `parameter_values` (or `--parameter` in `explain`) "
        "instead of opting it in; for a run-time value, give the field literal parts",
    ),
    WarningKind(
        STEP_NAME_NOT_IN_JOB_NAMES,
        "a step name has characters job names cannot hold, so its jobs are allowed as "
        "`pipelines-*`",
        "rename the step with letters, digits and hyphens",
    ),
    WarningKind(
        UNKNOWN_STEP_TYPE,
        "a step `Type` unknown to the library was read with `allow_unknown_step_types=True`; the "
        "role grants that step nothing",
        "check what the step needs and grant it separately, or remove the step",
    ),
    WarningKind(
        COARSENED_JOB_SCOPES,
        "the per-step job-name scopes of a large definition cannot fit IAM's policy limits, so "
        "default-named jobs are allowed as `pipelines-*`",
        "turn on the custom job prefix (`use_custom_job_prefix=True`) to scope them again",
    ),
    WarningKind(
        SDK_IGNORES_PREFIX,
        "the SageMaker SDK does not put the team's prefix into some jobs of a chosen step type "
        "(ModelTrainer-based training and tuning, ClarifyCheck, QualityCheck), which are then "
        "denied",
        "use the step's other form, or run such steps under a role that allows their default names",
    ),
    WarningKind(
        PRINCIPAL_WITHOUT_POLICY,
        "a team principal cannot hold an identity policy (e.g. a service or another account's "
        "principal), so it got no pass-role or pipeline access",
        "grant it in its own account, or give a role, user or group",
    ),
    WarningKind(
        TOO_MANY_SCPS,
        "a root, OU or account would get more SCPs from this app, plus FullAWSAccess, than the 5 "
        "AWS allows per target",
        "merge exceptions, or attach some to a parent OU",
    ),
    WarningKind(
        IAM_PER_REGION,
        "a StackSet deploys to several regions; IAM is global, so each region creates its own copy"
        " of the roles in every account",
        "deploy IAM-only stacks to one region unless each region needs its own roles",
    ),
    WarningKind(
        WIDE_GRANT,
        "a step is granted actions on `*` or on every resource of a type (one warning per catalog "
        "group, naming the step type, actions, resource and why): IAM gives the action no resource"
        " type (EMR `RunJobFlow`, EMR Serverless `CreateApplication`, "
        "`ListCandidatesForAutoMLJob`), or no narrower ARN is known when the role is made (the "
        "cluster or application an EMR/EMRServerless step creates gets its id when it runs; a "
        "lineage artifact's ARN holds a hash of its source). No condition narrows it: IAM offers "
        "at most tag conditions there (`aws:RequestTag` on the create call, `aws:ResourceTag` on "
        "`cluster` and `application`), and AWS documents no tag SageMaker puts on what it creates",
        "acknowledge it if the pipeline needs the step; for EMR and EMRServerless steps, give an "
        "existing cluster or application (`ClusterId`, `ApplicationId`) instead of one the step "
        "creates",
        informational=True,
    ),
    WarningKind(
        EXECUTION_ROLE_RUNS_JOBS,
        "a `PipelineExecutionRole` given neither `job_roles` nor `step_roles` passes itself to its"
        " SageMaker jobs, so they run as it, and it holds none of their permissions (input and "
        "output data, images, logs, metrics)",
        "give job roles (`PipelineExecutionRole(job_roles=...)` with `JobRole` or "
        "`PipelineJobRoles`), or grant the execution role what the jobs use",
    ),
    WarningKind(
        INPUT_PREFIX_OVERLAPS,
        "a job input is a key-name prefix (`S3DataType: S3Prefix`, the default): SageMaker reads "
        "every object whose key starts with it, so the job's role also reads another step's "
        "location that starts with the same text (`s3://b/train` reaches `s3://b/train-eval/...`);"
        " the definition links the two steps by the prefix",
        "end the input URI with `/` so that it names a folder, or move one of the locations",
    ),
    WarningKind(
        WILDCARD_WRITE_COVERS,
        "a job writes under an S3 location holding a run-time value of unknown form (a step "
        "property, a JsonGet, an execution variable other than the execution id): that part is `*`"
        " in the grant, and `*` also matches `/`, so the role may write under another step's input"
        " that the definition does not link (`s3://b/a/*/evaluation` covers "
        "`s3://b/a/x/train/evaluation/...`, read by the step whose input is `s3://b/a/x/train`)",
        "join the run-time value to literal parts that keep it in a folder of its own, or move one"
        " of the locations (another prefix)",
    ),
    WarningKind(
        MANIFEST_UNDECLARED,
        "a job input is a manifest (`ManifestFile`, `AugmentedManifestFile`): SageMaker reads "
        "every object it lists with the job's role, and the definition does not say where they "
        "lie, so the role grants the manifest object only and the job is denied the objects",
        'declare the folders the objects lie under with `manifest_locations={"<step>": '
        '["s3://bucket/prefix"]}` (`--manifest-location STEP=URI` in `explain`)',
    ),
    WarningKind(
        PARAMETER_SCOPED_TO_DEFAULT,
        "a pipeline parameter that `parameter_values` does not bind scopes the grants that depend "
        "on it to its `DefaultValue` (the warning names the fields): an execution that passes "
        "another value fails with AccessDenied",
        "bind the parameter with `parameter_values` (`--parameter` in `explain`) to the values "
        "executions may use, its default among them if it is used",
    ),
    WarningKind(
        NOT_AN_ECR_IMAGE,
        "a step's image is a literal that is not an ECR image URI (`fakeimage`): the job cannot "
        "pull it from ECR with its role, so no ECR repository is granted for it",
        "give the image's ECR URI "
        "(`<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@sha256:digest]`); an image "
        "in a private Docker registry that the job reaches through its VPC (`RepositoryAccessMode`"
        " `Vpc`) needs no ECR grant: acknowledge the warning",
    ),
    WarningKind(
        DEPLOY_TIME_VALUE,
        "a prop (`job_prefix`, S3 locations, ARNs, ids) holds a token that resolves only at deploy"
        " time (a `CfnParameter`, an import, another resource's attribute): the grants use it as "
        "given and nothing checks it; a deploy-time `*`, `pipelines` or another team's prefix "
        "would widen the role",
        "give a literal or a `cdk.Lazy` that resolves at synthesis (checked then), or constrain "
        "the parameter (`AllowedPattern`) where it is defined",
    ),
    WarningKind(
        CLARIFY_MODEL_UNKNOWN,
        "a Processing step runs the SageMaker Clarify container: its analysis config (on S3, not "
        "in the definition) may name a model, for which the job deploys, invokes and deletes a "
        "shadow endpoint `sm-clarify-*`; the role allows that for any model",
        "use a `ClarifyCheck` step (its `ModelName` scopes the endpoint to that model), or "
        "acknowledge it",
    ),
    WarningKind(
        AUTOML_RESOURCE_NAMES,
        "AWS's execution-role page lists model and endpoint actions and ECR pulls for an AutoML "
        "job's role on `*`: the role allows the model and endpoint actions on names that start "
        "with the AutoML job's name (how the job names them is undocumented) and the pulls on the "
        "AutoML images' repositories in the registries listed for the stack's region (not the HPO "
        "`mlp` candidates' or non-tabular problem types' images, whose repositories AWS does not "
        "publish). On a role: the stack's region is unknown at synthesis (every listed registry "
        "account is allowed), or the region has no listed registries (no AutoML image is allowed)",
        "acknowledge it; if the job is denied a model or endpoint name or an image, grant it to "
        "the AutoML step's role; give the stack a region to narrow the registries",
    ),
    WarningKind(
        UNGRANTED_FIELD,
        "a definition field makes the pipeline or a job call a service the library does not grant "
        "(the pipeline's `MlflowConfig` tracking server, a training job's hub base model or model "
        "package registration): the warning names the step, the field and the calls",
        "grant those calls to the role the warning names, or remove the field",
    ),
)

#: The registry by id.
BY_ID: Mapping[str, WarningKind] = MappingProxyType({kind.id: kind for kind in REGISTRY})


def needs_action(notices: Iterable[Notice]) -> list[Notice]:
    """The notices that ask the user to act (every registered one but the informational)."""
    return [n for n in notices if n.id not in BY_ID or not BY_ID[n.id].informational]


def describe(warning_id: str) -> WarningKind:
    """The meaning of ``warning_id`` and what to do.

    Raises:
        KeyError: the library emits no such warning.
    """
    return BY_ID[warning_id]
