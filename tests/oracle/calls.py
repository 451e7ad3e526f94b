"""The calls each step's JOB makes with the role it runs as, from AWS's pages alone.

What the role handed to a job must allow, per the AWS API reference
(API_CreateTrainingJob ``RoleArn``: "SageMaker needs your permission to read input data from
an S3 bucket, download a Docker image that contains training code, write model artifacts to
an S3 bucket, write logs to Amazon CloudWatch Logs, and publish metrics to Amazon
CloudWatch") and the AWS page "How to use SageMaker AI execution roles"
(https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html), which lists, per
create API, the actions of the passed role. Each call family below cites the page that says
which resource and which condition context a call has; the families are:

=================  ============================================================================
family             what (page)
=================  ============================================================================
s3-input           S3Prefix: every object whose key starts with the prefix, and ListBucket with
                   ``s3:prefix``; ManifestFile / AugmentedManifestFile: the manifest and every
                   object it lists (API_S3DataSource, API_ProcessingS3Input,
                   API_TransformS3DataSource)
s3-output          processing outputs (API_ProcessingS3Output), training
                   ``<S3OutputPath>/<job>/output/model.tar.gz`` and ``output.tar.gz``
                   (API_OutputDataConfig, "How Amazon SageMaker AI Provides Training
                   Information"), checkpoints (API_CheckpointConfig), Debugger/profiler
                   outputs (API_DebugHookConfig, API_ProfilerConfig), TensorBoard
                   (API_TensorBoardOutputConfig), transform ``<S3OutputPath>/<file>.out``
                   (API_TransformOutput)
code               ``HyperParameters.sagemaker_submit_directory`` and a model's
                   ``Environment.SAGEMAKER_SUBMIT_DIRECTORY`` (SageMaker Training Toolkit,
                   "Use the SageMaker Python SDK" script mode)
model-data         ModelDataUrl / ModelDataSource (API_ContainerDefinition, API_S3ModelDataSource)
image              ECR pull (sagemaker-roles; "Private repository policies" / ECR IAM page)
logs               log group ``/aws/sagemaker/<kind>`` and its stream ("Log Amazon SageMaker AI
                   Events with Amazon CloudWatch"; CloudWatch Logs "Identity and access
                   management": CreateLogGroup and DescribeLogStreams on ``log-group:<g>:*``)
metrics            cloudwatch:PutMetricData with ``cloudwatch:namespace`` ("Metrics for
                   monitoring Amazon SageMaker AI with Amazon CloudWatch")
vpc                EC2 network interfaces (sagemaker-roles, "Give SageMaker AI Access to
                   Resources in your Amazon VPC")
kms-volume         kms:CreateGrant with ``kms:GrantIsForAWSResource`` (KMS "Condition keys":
                   GrantIsForAWSResource; API_ResourceConfig ``VolumeKmsKeyId``)
kms-output         kms:GenerateDataKey (API_OutputDataConfig ``KmsKeyId``; S3 "Using server-side
                   encryption with AWS KMS keys")
kms-input          kms:Decrypt of an input another step wrote with SSE-KMS (same S3 page)
clarify-endpoint   Clarify's shadow endpoint ("Configure a SageMaker Clarify Processing Job",
                   analysis configuration ``predictor``)
automl             an AutoML job's own calls (sagemaker-roles, "CreateAutoMLJob and
                   CreateAutoMLJobV2 API: Execution Role Permissions")
data-capture       endpoint data capture writes ("Capture data from real-time endpoint")
remote-function    ``@step`` payloads and results (SageMaker Python SDK remote function:
                   ``<s3_base_uri>/<step>/<build dir>/{function,arguments}`` read,
                   ``.../<execution id>/results`` written)
debugger-rule      rule evaluation jobs ("Amazon SageMaker Debugger built-in rules": they run
                   as processing jobs with the training job's role and read its debug output)
=================  ============================================================================

A row's ``role`` is the role ARN the definition hands the job: run the oracle on the
deployed definition and each row names the deployed role. A Transform job runs as its
model's ``ExecutionRoleArn`` (API_CreateModel: "access model artifacts and docker image for
deployment ... or for batch transform jobs"); a Transform of a model outside the pipeline
has no role the definition knows, and no row. An endpoint a Model step's model is deployed
on outside the pipeline has rows only where the case names it (``model_endpoints``), a
batch transform run outside the pipeline none (its caller names it). Roles the library
does not make (an EndpointConfig's ``ExecutionRoleArn`` for inference components, EMR
runtime roles) are the user's, and not listed. Not covered (no row, say so before relying
on it): processing inputs from a ``DatasetDefinition`` (Athena, Redshift),
``FileSystemDataSource`` channels, a Processing step that runs the Clarify image directly
(whether it has a model is in its analysis configuration, an S3 object).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .execution import (
    ACCOUNT,
    AUTOML_IMAGE,
    EPOCH,
    EXECUTION_ID,
    REGION,
    Execution,
    OracleError,
    S3Uri,
    model_step_of,
)

__all__ = ["Call", "OracleError", "job_calls", "neighbour_calls"]

#: The key policy AWS gives a key by default ("Default key policy": the account may use IAM
#: policies to allow access): KMS requests need the key policy too, and with it the
#: identity policy decides.
DEFAULT_KEY_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                   "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                   "Action": "kms:*", "Resource": "*"}],
}
#: What the repository policy of an image owned by another account (AWS's own images)
#: allows: the pull ("Private repository policies"); the caller's identity policy decides.
PULL_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                              "ecr:BatchCheckLayerAvailability"], "Resource": "*"}],
}
#: Stands for the role's own ARN in a row (an AutoML job passes its own role).
SELF = "<the role itself>"
#: An example object key where the definition names a folder or a key-name prefix.
EXAMPLE_FILE = "part-0.csv"

Context = tuple[tuple[str, str | tuple[str, ...]], ...]


@dataclass(frozen=True)
class Call:
    """One call a job makes: ``action`` on ``resource`` with ``context``, as ``role``.

    ``step`` is the step whose job makes the call, ``family`` its call family (module
    docstring), ``scope`` the location the example stands for (a key-name prefix, a log
    group: a neighbour inside it is no neighbour), ``literal`` marks a resource whose
    ``*`` is literal (CloudWatch Logs' ``log-group:<name>:*``, actions evaluated on ``*``).
    """

    step: str
    role: str
    family: str
    action: str
    resource: str
    context: Context = ()
    scope: str = ""
    resource_account: str | None = None
    resource_policy: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)
    literal: bool = False

    def describe(self) -> str:
        context = f" {dict(self.context)}" if self.context else ""
        role = self.role.rsplit("/", 1)[-1]
        return (f"step {self.step} [{self.family}]: {self.action} on {self.resource}{context} "
                f"as {role}")


# --- the families ------------------------------------------------------------------------


def _object(step: str, role: str, family: str, action: str, bucket_key: tuple[str, str],
            scope: str) -> Call:
    bucket, key = bucket_key
    return Call(step, role, family, action, f"arn:aws:s3:::{bucket}/{key}",
                scope=f"arn:aws:s3:::{bucket}/{scope}")


def s3_read(step: str, role: str, uri: str, data_type: str, where: str,
            listed: Sequence[str] = (), family: str = "s3-input") -> list[Call]:
    """Reading an S3 input (API_S3DataSource, API_ProcessingS3Input).

    ``S3Prefix``: "SageMaker uses all objects that match the specified key name prefix"
    (``s3://b/train`` reads ``train``, ``train/part-0.csv`` and ``train-2024/part-0.csv``;
    a prefix that names one file, ``code/prep.py``, is a key-name prefix too), after
    listing the bucket with that prefix (s3:ListBucket on the bucket, ``s3:prefix``; S3's
    "Actions, resources, and condition keys"). ``S3Object`` / a model's ``ModelDataUrl``:
    that object. ``ManifestFile`` / ``AugmentedManifestFile``: the manifest object and every
    object it lists (``listed``: the objects, which the definition does not hold).
    """
    location = S3Uri.parse(uri, where)
    calls: list[Call] = []
    if data_type in ("ManifestFile", "AugmentedManifestFile"):
        calls.append(_object(step, role, family, "s3:GetObject",
                             (location.bucket, location.key), location.key))
        for listed_uri in listed:
            item = S3Uri.parse(listed_uri, where)
            calls.append(_object(step, role, family, "s3:GetObject",
                                 (item.bucket, item.key), item.key))
        return calls
    if data_type == "S3Object":
        return [_object(step, role, family, "s3:GetObject", (location.bucket, location.key),
                        location.key)]
    prefix = location.key
    # Every key starting with the prefix: the prefix itself (an object of that name), a
    # "folder" under it and a sibling that shares it (``train`` -> ``train-2024/...``).
    if prefix == "" or prefix.endswith("/"):
        keys = [f"{prefix}{EXAMPLE_FILE}"]
    else:
        keys = [prefix, f"{prefix}/{EXAMPLE_FILE}", f"{prefix}-2024/{EXAMPLE_FILE}"]
    calls += [_object(step, role, family, "s3:GetObject", (location.bucket, key), prefix)
              for key in keys]
    calls.append(Call(step, role, family, "s3:ListBucket", location.bucket_arn,
                      (("s3:prefix", prefix),), scope=f"{location.bucket_arn}/{prefix}"))
    return calls


def _looks_like_file(key: str) -> bool:
    return "." in key.rsplit("/", 1)[-1]


def s3_write(step: str, role: str, uri: str, *parts: str, where: str,
             family: str = "s3-output") -> Call:
    """A PutObject of ``parts`` under ``uri`` read as a folder; a bucket root (``s3://b``
    or ``s3://b/``) writes ``b/<parts>`` (API_ProcessingS3Output, API_OutputDataConfig)."""
    location = S3Uri.parse(uri, where)
    folder = location.join(*parts[:-1])
    return _object(step, role, family, "s3:PutObject",
                   (location.bucket, location.join(*parts)), f"{folder}/" if folder else "")


def image_pull(step: str, role: str, image: str) -> list[Call]:
    """Pulling an ECR image: ecr:GetAuthorizationToken on ``*`` (ECR gives it no resource
    type) and BatchCheckLayerAvailability, GetDownloadUrlForLayer, BatchGetImage on the
    repository (sagemaker-roles; ECR "Amazon ECR managed policies" / "Private repository
    policies"). An image in another account (AWS's own images) is pulled with that
    account's repository policy allowing it. Images outside ECR make no ECR call."""
    match = re.fullmatch(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
                         r"([^:@]+)(?:[:@].*)?", image)
    if match is None:
        return []
    account, region, repository = match.groups()
    arn = f"arn:aws:ecr:{region}:{account}:repository/{repository}"
    other = account if account != ACCOUNT else None
    calls = [Call(step, role, "image", action, arn, scope=arn, resource_account=other,
                  resource_policy=PULL_POLICY if other else None)
             for action in ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                            "ecr:BatchGetImage")]
    calls.append(Call(step, role, "image", "ecr:GetAuthorizationToken", "*",
                      literal=True))
    return calls


def logs(step: str, role: str, group: str, stream: str) -> list[Call]:
    """Writing the job's logs ("Log Amazon SageMaker AI Events with Amazon CloudWatch": group
    ``/aws/sagemaker/TrainingJobs`` stream ``<job>/algo-1-<epoch>``, ``/ProcessingJobs``
    ``<job>/algo-1-<epoch>``, ``/TransformJobs`` ``<job>/<instance-id>-<epoch>``,
    ``/Endpoints/<endpoint>`` ``<variant>/<instance-id>``). CloudWatch Logs evaluates
    CreateLogGroup and DescribeLogStreams on the group ARN with a trailing ``:*``, and
    CreateLogStream and PutLogEvents on the stream ARN (CloudWatch Logs, "Identity and access
    management for Amazon CloudWatch Logs": "CloudWatch Logs resources and operations")."""
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"
    stream_arn = f"{group_arn}:log-stream:{stream}"
    return [
        Call(step, role, "logs", "logs:CreateLogGroup", f"{group_arn}:*", scope=group_arn,
             literal=True),
        Call(step, role, "logs", "logs:DescribeLogStreams", f"{group_arn}:*",
             scope=group_arn, literal=True),
        Call(step, role, "logs", "logs:CreateLogStream", stream_arn, scope=group_arn),
        Call(step, role, "logs", "logs:PutLogEvents", stream_arn, scope=group_arn),
    ]


def metrics(step: str, role: str, namespace: str) -> Call:
    """cloudwatch:PutMetricData in the job kind's namespace ("Metrics for monitoring Amazon
    SageMaker AI with Amazon CloudWatch": ``/aws/sagemaker/TrainingJobs``,
    ``/ProcessingJobs``, ``/TransformJobs``, ``/Endpoints``), evaluated on ``*`` with
    ``cloudwatch:namespace`` (CloudWatch "Using condition keys to limit access to CloudWatch
    namespaces")."""
    return Call(step, role, "metrics", "cloudwatch:PutMetricData", "*",
                (("cloudwatch:namespace", namespace),), scope=namespace, literal=True)


def key_arn_and_context(key: str) -> tuple[str, Context]:
    """The key ARN a KMS request is evaluated on, and the context an alias adds.

    A key id, a key ARN, an alias name or an alias ARN may name a key (API_OutputDataConfig
    ``KmsKeyId``). KMS authorizes on the key ARN; a key named by an alias carries the
    resource's ``kms:ResourceAliases`` (KMS "ABAC for AWS KMS" / "Condition keys":
    kms:ResourceAliases applies to every key operation, kms:RequestAlias only to some and
    only when the request names the alias)."""
    if key.startswith("arn:") and ":key/" in key:
        return key, ()
    alias = re.fullmatch(r"(?:arn:aws:kms:[a-z0-9-]+:\d{12}:)?(alias/.+)", key)
    if alias:
        # The key behind the alias is not in the definition: an example id of its own.
        digest = hashlib.sha256(alias.group(1).encode()).hexdigest()
        key_id = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        return (f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}",
                (("kms:ResourceAliases", (alias.group(1),)),))
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key}", ()


def kms(step: str, role: str, family: str, key: str) -> list[Call]:
    """The KMS calls of one key field: a volume key gets the grant the instance's volume
    needs (kms:CreateGrant with ``kms:GrantIsForAWSResource`` true; KMS "Condition keys":
    "the grant is created on behalf of the principal by an AWS service integrated with
    AWS KMS"), an output key the data keys of S3's SSE-KMS writes (kms:GenerateDataKey via
    S3, ``kms:ViaService`` ``s3.<region>.amazonaws.com``; S3 "Using server-side encryption
    with AWS KMS keys"), an input another step wrote with SSE-KMS their decryption
    (kms:Decrypt via S3)."""
    arn, context = key_arn_and_context(key)
    via = (("kms:ViaService", f"s3.{REGION}.amazonaws.com"),)
    actions: dict[str, tuple[str, Context]] = {
        "kms-volume": ("kms:CreateGrant", (("kms:GrantIsForAWSResource", "true"),)),
        "kms-output": ("kms:GenerateDataKey", via),
        "kms-input": ("kms:Decrypt", via),
    }
    action, extra = actions[family]
    return [Call(step, role, family, action, arn, context + extra, scope=arn,
                 resource_policy=DEFAULT_KEY_POLICY)]


def vpc(step: str, role: str, config: Mapping[str, Any], execution: Execution,
        where: str) -> list[Call]:
    """A job in a VPC makes its network interfaces (sagemaker-roles, "CreateTrainingJob ...
    with VpcConfig": ec2:CreateNetworkInterface, CreateNetworkInterfacePermission,
    DeleteNetworkInterface, DeleteNetworkInterfacePermission, DescribeNetworkInterfaces,
    DescribeVpcs, DescribeDhcpOptions, DescribeSubnets, DescribeSecurityGroups).
    CreateNetworkInterface is evaluated on the subnet, the security groups and the new
    interface (EC2 "Actions, resources, and condition keys")."""
    subnets = [execution.value(s, where) for s in config.get("Subnets", [])]
    groups = [execution.value(g, where) for g in config.get("SecurityGroupIds", [])]
    ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    eni = f"{ec2}:network-interface/eni-0a1b2c3d4e5f67890"
    calls = [Call(step, role, "vpc", "ec2:CreateNetworkInterface", f"{ec2}:subnet/{s}",
                  scope=f"{ec2}:subnet/{s}") for s in subnets]
    calls += [Call(step, role, "vpc", "ec2:CreateNetworkInterface",
                   f"{ec2}:security-group/{g}", scope=f"{ec2}:security-group/{g}")
              for g in groups]
    subnet_context: Context = (("ec2:Subnet", f"{ec2}:subnet/{subnets[0]}"),) if subnets else ()
    calls += [Call(step, role, "vpc", action, eni, subnet_context, scope=eni)
              for action in ("ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
                             "ec2:DeleteNetworkInterface")]
    calls += [Call(step, role, "vpc", f"ec2:{action}", "*", literal=True)
              for action in ("DescribeNetworkInterfaces", "DescribeVpcs", "DescribeDhcpOptions",
                             "DescribeSubnets", "DescribeSecurityGroups")]
    return calls


# --- per step type -----------------------------------------------------------------------


@dataclass
class _Job:
    """Builds the rows of one step's job."""

    execution: Execution
    step: str
    role: str
    manifests: Mapping[str, Sequence[str]]
    calls: list[Call] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"step {self.step}"

    def value(self, expression: Any) -> str:
        return self.execution.value(expression, self.where)

    def read(self, uri: Any, data_type: str = "S3Prefix", family: str = "s3-input") -> None:
        concrete = self.value(uri)
        self.calls += s3_read(self.step, self.role, concrete, data_type, self.where,
                              self.manifests.get(concrete, ()), family)
        self._decrypt_if_encrypted_upstream(uri)

    def _decrypt_if_encrypted_upstream(self, uri: Any) -> None:
        """An input another step wrote with its output key is read with kms:Decrypt."""
        upstream = _upstream_step(uri)
        if upstream is None or upstream not in self.execution.steps:
            return
        key = output_key_of(self.execution.steps[upstream])
        if key is not None:
            self.calls += kms(self.step, self.role, "kms-input",
                              self.execution.value(key, f"step {upstream}"))

    def write(self, uri: Any, *parts: str, family: str = "s3-output") -> None:
        self.calls.append(s3_write(self.step, self.role, self.value(uri), *parts,
                                   where=self.where, family=family))

    def image(self, image: Any) -> None:
        self.calls += image_pull(self.step, self.role, self.value(image))

    def logs_and_metrics(self, kind: str, stream: str) -> None:
        self.calls += logs(self.step, self.role, f"/aws/sagemaker/{kind}", stream)
        self.calls.append(metrics(self.step, self.role, f"/aws/sagemaker/{kind}"))

    def key(self, family: str, key: Any) -> None:
        if key not in (None, ""):
            self.calls += kms(self.step, self.role, family, self.value(key))

    def network(self, config: Any) -> None:
        if isinstance(config, dict) and config.get("Subnets"):
            self.calls += vpc(self.step, self.role, config, self.execution, self.where)


def _upstream_step(uri: Any) -> str | None:
    text = json.dumps(uri)
    match = re.search(r'"Get": "Steps\.([^."]+)\.', text)
    return match.group(1) if match else None


def output_key_of(step: Mapping[str, Any]) -> Any:
    """The key a step writes its outputs with, if any."""
    arguments = step.get("Arguments", {})
    for path in (("ProcessingOutputConfig", "KmsKeyId"), ("OutputDataConfig", "KmsKeyId"),
                 ("TransformOutput", "KmsKeyId")):
        value: Any = arguments
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value:
            return value
    return None


def _processing(job: _Job, arguments: Mapping[str, Any], step: Mapping[str, Any]) -> None:
    """A processing job (API_CreateProcessingJob; ClarifyCheck and QualityCheck steps run
    one too): its inputs, outputs, image, logs ``/aws/sagemaker/ProcessingJobs``
    (stream ``<job>/algo-1-<epoch>``), metrics, keys and network."""
    name = job.execution.job_name(job.step)
    for item in arguments.get("ProcessingInputs", []):
        source = item.get("S3Input")
        if source:
            job.read(source["S3Uri"], source.get("S3DataType", "S3Prefix"))
    property_files = {p.get("OutputName"): p.get("FilePath") for p in
                      step.get("PropertyFiles", [])}
    config = arguments.get("ProcessingOutputConfig", {})
    for output in config.get("Outputs", []):
        target = output.get("S3Output")
        if target:
            job.write(target["S3Uri"],
                      property_files.get(output.get("OutputName")) or EXAMPLE_FILE)
    job.image(arguments["AppSpecification"]["ImageUri"])
    job.logs_and_metrics("ProcessingJobs", f"{name}/algo-1-{EPOCH}")
    job.key("kms-output", config.get("KmsKeyId"))
    job.key("kms-volume", arguments.get("ProcessingResources", {}).get("ClusterConfig", {})
            .get("VolumeKmsKeyId"))
    job.network(arguments.get("NetworkConfig", {}).get("VpcConfig"))
    if step["Type"] == "ClarifyCheck" and step.get("CheckType") in ("MODEL_BIAS",
                                                                   "MODEL_EXPLAINABILITY"):
        job.calls += clarify_shadow_endpoint(job, step.get("ModelName"))


def clarify_shadow_endpoint(job: _Job, model_name: Any = None) -> list[Call]:
    """Clarify's shadow endpoint: for a model bias or explainability analysis the Clarify
    job creates an endpoint config and an endpoint for the model of its analysis
    configuration (``predictor.model_name``), tags them, waits for, invokes and deletes them,
    with its own role ("Configure a SageMaker Clarify Processing Job"; "Analysis
    Configuration Files": ``predictor`` ... ``endpoint_name_prefix``). The names follow the
    Clarify container: ``sm-clarify-config-<epoch>-<4 hex>`` and
    ``sm-clarify-<model name>-<epoch>-<4 hex>``. A ClarifyCheck step names the model in its
    step-level ``ModelName`` (the SDK's ``ClarifyCheckStep.to_request`` writes
    ``model_config``'s model name there and removes it from the analysis configuration it
    uploads); without it the model is only in the analysis configuration (an S3 object): the
    example then takes ``fraud-model``.
    ``CreateEndpointConfig`` carries the model's ARN in ``sagemaker:ModelArn`` (Service
    Authorization Reference, Amazon SageMaker AI: CreateEndpointConfig's condition keys)."""
    model = job.execution.value(model_name, job.step) if model_name else "fraud-model"
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
    config = f"{arn}:endpoint-config/sm-clarify-config-{EPOCH}-1a2b"
    endpoint = f"{arn}:endpoint/sm-clarify-{model[:30]}-{EPOCH}-1a2b"
    model_arn = (("sagemaker:ModelArn", f"{arn}:model/{model}"),)
    pairs: list[tuple[str, str, Context]] = [
        ("sagemaker:CreateEndpointConfig", config, model_arn),
        ("sagemaker:AddTags", config, ()), ("sagemaker:CreateEndpoint", endpoint, ()),
        ("sagemaker:CreateEndpoint", config, ()), ("sagemaker:AddTags", endpoint, ()),
        ("sagemaker:DescribeEndpoint", endpoint, ()), ("sagemaker:InvokeEndpoint", endpoint, ()),
        ("sagemaker:DeleteEndpoint", endpoint, ()), ("sagemaker:DeleteEndpointConfig", config, ())]
    return [Call(job.step, job.role, "clarify-endpoint", action, resource, context,
                 scope=resource.rsplit("/", 1)[0] + "/sm-clarify-") for action, resource, context
            in pairs]


def _training(job: _Job, arguments: Mapping[str, Any], name: str) -> None:
    """A training job (API_CreateTrainingJob): channels, ``<S3OutputPath>/<job>/output/
    model.tar.gz`` and ``output.tar.gz`` ("How Amazon SageMaker AI Provides Training
    Information"), checkpoints, Debugger and profiler outputs under
    ``<path>/<job>/debug-output`` and ``/profiler-output`` (API_DebugHookConfig,
    API_ProfilerConfig), TensorBoard, framework code, image, logs
    ``/aws/sagemaker/TrainingJobs`` (stream ``<job>/algo-1-<epoch>``), metrics, keys,
    network."""
    for channel in arguments.get("InputDataConfig", []):
        source = channel.get("DataSource", {}).get("S3DataSource")
        if source:
            job.read(source["S3Uri"], source.get("S3DataType", "S3Prefix"))
    output = arguments.get("OutputDataConfig", {})
    if "S3OutputPath" in output:
        job.write(output["S3OutputPath"], name, "output", "model.tar.gz")
        job.write(output["S3OutputPath"], name, "output", "output.tar.gz")
    checkpoint = arguments.get("CheckpointConfig", {}).get("S3Uri")
    if checkpoint is not None:
        job.write(checkpoint, "checkpoint-1.pt")
        job.read(checkpoint)
    debug = arguments.get("DebugHookConfig", {}).get("S3OutputPath")
    if debug is not None:
        job.write(debug, name, "debug-output", "index", "000000000", "000000000000_worker_0.json")
    profiler = arguments.get("ProfilerConfig", {})
    if profiler.get("S3OutputPath") is not None and not profiler.get("DisableProfiler"):
        job.write(profiler["S3OutputPath"], name, "profiler-output", "system", "incremental",
                  "2026120708", f"{EPOCH}.algo-1.json")
    board = arguments.get("TensorBoardOutputConfig", {}).get("S3OutputPath")
    if board is not None:
        job.write(board, "events.out.tfevents.1765094400.algo-1")
    # A tuning job's training definition holds them as StaticHyperParameters.
    hyperparameters = arguments.get("HyperParameters") or arguments.get("StaticHyperParameters")
    submit = (hyperparameters or {}).get("sagemaker_submit_directory")
    if submit is not None:
        code = job.value(submit)
        job.read(json.loads(code) if code.startswith('"') else code, "S3Object", "code")
    algorithm = arguments.get("AlgorithmSpecification", {})
    if "TrainingImage" in algorithm:
        job.image(algorithm["TrainingImage"])
    job.logs_and_metrics("TrainingJobs", f"{name}/algo-1-{EPOCH}")
    job.key("kms-output", output.get("KmsKeyId"))
    job.key("kms-volume", arguments.get("ResourceConfig", {}).get("VolumeKmsKeyId"))
    job.network(arguments.get("VpcConfig"))
    _remote_function(job, arguments)
    _debugger_rules(job, arguments, name)


def _remote_function(job: _Job, arguments: Mapping[str, Any]) -> None:
    """A ``@step`` function's job reads the function and arguments the SDK stored at
    ``<s3_base_uri>/<step>/<build dir>/{function,arguments}/payload.pkl`` (and
    ``metadata.json``) and writes its result to ``<S3OutputPath>/{payload.pkl,
    results.json}`` (SageMaker Python SDK, ``remote_function/core/stored_function.py``:
    ``func_upload_path``, ``results_upload_path``; the definition's JsonGet reads
    ``<S3OutputPath>/results.json``)."""
    args = arguments.get("AlgorithmSpecification", {}).get("ContainerArguments", [])
    flags = {args[i]: args[i + 1] for i in range(len(args) - 1)
             if isinstance(args[i], str) and args[i].startswith("--")}
    if "--s3_base_uri" not in flags or "--func_step_s3_dir" not in flags:
        return
    base = job.value(flags["--s3_base_uri"]).rstrip("/")
    step, build = job.value(flags["--pipeline_step_name"]), job.value(flags["--func_step_s3_dir"])
    folder = f"{base}/{step}/{build}"
    for part in ("function", "arguments"):
        for file in ("payload.pkl", "metadata.json"):
            job.read(f"{folder}/{part}/{file}", "S3Object", "remote-function")
    results = arguments.get("OutputDataConfig", {}).get("S3OutputPath")
    for file in ("payload.pkl", "results.json"):
        job.write(results, file, family="remote-function")


def _debugger_rules(job: _Job, arguments: Mapping[str, Any], name: str) -> None:
    """Debugger and profiler rules run as processing jobs with the training job's role:
    they pull the rule image, read the training job's debug (or profiler) output, log to
    ``/aws/sagemaker/ProcessingJobs`` ("Amazon SageMaker Debugger built-in rules",
    "Configure Debugger built-in rules"; API_DebugRuleConfiguration ``RuleEvaluatorImage``).
    Rule job names: ``<training job name[:26]>-<rule configuration name[:26]>-<8 hex>`` in the
    case they were written (AWS's SageMaker Debugger example notebooks,
    ``_get_rule_job_name`` "rule job name with correct casing", and the DescribeTrainingJob
    outputs they print: ``processing-job/smdebugger-demo-mnist-tens-lossnotdecreasing-
    d6176866``, ``tensorflow-training-2021-0-profilerreport-1623637290-2473c70b``; the log
    stream prefix ``smdebug-demo-tf2-keras-202-LossNotDecreasing-45295edc``)."""
    debug = arguments.get("DebugHookConfig", {}).get("S3OutputPath")
    profiler = arguments.get("ProfilerConfig", {}).get("S3OutputPath")
    for rules, source, folder in (
            (arguments.get("DebugRuleConfigurations", []), debug, "debug-output"),
            (arguments.get("ProfilerRuleConfigurations", []), profiler, "profiler-output")):
        for rule in rules:
            rule_job = f"{name[:26]}-{job.value(rule['RuleConfigurationName'])[:26]}-1a2b3c4d"
            before = len(job.calls)
            job.image(rule["RuleEvaluatorImage"])
            if source is not None:
                job.read(f"{job.value(source).rstrip('/')}/{name}/{folder}/")
            job.calls += logs(job.step, job.role, "/aws/sagemaker/ProcessingJobs",
                              f"{rule_job}/algo-1-{EPOCH}")
            job.calls[before:] = [replace(c, family="debugger-rule") for c in job.calls[before:]]


def _tuning(job: _Job, definition: Mapping[str, Any]) -> None:
    """The training jobs a tuning job launches (API_HyperParameterTrainingJobDefinition):
    each is a training job of that definition, named ``<tuning job>-<NNN>-<8 hex>``."""
    name = job.execution.tuning_training_job(job.step)
    _training(job, definition, name)


def _transform(job: _Job, arguments: Mapping[str, Any], model_step: Mapping[str, Any]) -> None:
    """A transform job runs as its model's role: reads its input, writes
    ``<S3OutputPath>/<input file>.out`` (API_TransformOutput: "the same name as the input
    file with .out appended"), pulls the model's images and data, logs to
    ``/aws/sagemaker/TransformJobs`` (stream ``<job>/<instance-id>-<epoch>``), metrics,
    keys, network."""
    name = job.execution.job_name(job.step)
    source = arguments["TransformInput"]["DataSource"]["S3DataSource"]
    job.read(source["S3Uri"], source.get("S3DataType", "S3Prefix"))
    input_key = S3Uri.parse(job.value(source["S3Uri"]), job.where).key
    file = input_key.rsplit("/", 1)[-1] if _looks_like_file(input_key) else EXAMPLE_FILE
    output = arguments["TransformOutput"]
    job.write(output["S3OutputPath"], f"{file}.out")
    job.logs_and_metrics("TransformJobs", f"{name}/i-0a1b2c3d4e5f67890-{EPOCH}")
    job.key("kms-output", output.get("KmsKeyId"))
    job.key("kms-volume", arguments.get("TransformResources", {}).get("VolumeKmsKeyId"))
    _model_artifacts(job, model_step.get("Arguments", {}))


def _containers(arguments: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    primary = arguments.get("PrimaryContainer")
    return ([primary] if isinstance(primary, dict) else []) + list(arguments.get("Containers",
                                                                                 []))


def _model_artifacts(job: _Job, arguments: Mapping[str, Any]) -> None:
    """What hosting or a transform fetches with the model's role (API_ContainerDefinition:
    ``Image``, ``ModelDataUrl``, ``ModelDataSource.S3DataSource`` with ``S3DataType``
    S3Prefix or S3Object; ``Environment.SAGEMAKER_SUBMIT_DIRECTORY`` when it is an S3 URI:
    the inference toolkit downloads it), and the network of the model's VpcConfig."""
    for container in _containers(arguments):
        if "Image" in container:
            job.image(container["Image"])
        if "ModelDataUrl" in container:
            job.read(container["ModelDataUrl"], "S3Object", "model-data")
        source = container.get("ModelDataSource", {}).get("S3DataSource")
        if source:
            kind = source.get("S3DataType", "S3Prefix")
            uri = job.value(source["S3Uri"])
            job.read(uri if kind == "S3Object" or uri.endswith("/") else f"{uri}/", kind,
                     "model-data")
        submit = container.get("Environment", {}).get("SAGEMAKER_SUBMIT_DIRECTORY")
        if submit is not None and job.value(submit).startswith("s3://"):
            job.read(submit, "S3Object", "code")
    job.network(arguments.get("VpcConfig"))


def _model(job: _Job, arguments: Mapping[str, Any], declared: Sequence[str]) -> None:
    """A model's role serves every job that runs the model (API_CreateModel
    ``ExecutionRoleArn``): its artifacts and images, and the logs and metrics of the
    endpoints that host it (``/aws/sagemaker/Endpoints/<endpoint>``, namespace
    ``/aws/sagemaker/Endpoints``). Those endpoints are the ones the pipeline's Endpoint steps
    deploy it on, and those the case declares serve it outside the pipeline
    (``model_endpoints``: an endpoint nobody names has a log group nobody can know). A batch
    transform outside the pipeline is named by its caller: no call of this pipeline (its
    Transform steps list their own, as this role)."""
    _model_artifacts(job, arguments)
    endpoints = list(dict.fromkeys([*endpoints_of_model(job.execution, job.step), *declared]))
    for endpoint in endpoints:
        job.calls += logs(job.step, job.role, f"/aws/sagemaker/Endpoints/{endpoint}",
                          "AllTraffic/i-0a1b2c3d4e5f67890")
    if endpoints:
        job.calls.append(metrics(job.step, job.role, "/aws/sagemaker/Endpoints"))
    _data_capture(job)


def endpoints_of_model(execution: Execution, model: str) -> list[str]:
    """The endpoints of this pipeline whose config hosts ``model``."""
    configs = {name for name, step in execution.steps.items()
               if step["Type"] == "EndpointConfig" and model in {
                   model_step_of(v.get("ModelName")) for v in
                   step.get("Arguments", {}).get("ProductionVariants", [])}}
    endpoints = []
    for name, step in execution.steps.items():
        config = step.get("Arguments", {}).get("EndpointConfigName")
        if step["Type"] == "Endpoint" and _names_step(config, configs, execution):
            endpoints.append(execution.value(step["Arguments"]["EndpointName"], f"step {name}"))
    return endpoints


def _names_step(value: Any, steps: set[str], execution: Execution) -> bool:
    upstream = _upstream_step(value)
    if upstream is not None:
        return upstream in steps
    literal = {execution.value(execution.steps[s]["Arguments"]["EndpointConfigName"],
                               f"step {s}") for s in steps}
    return isinstance(value, str) and value in literal


def _data_capture(job: _Job) -> None:
    """Endpoint data capture writes ``<DestinationS3Uri>/<endpoint>/<variant>/<yyyy>/<mm>/
    <dd>/<hh>/<file>.jsonl`` with the key ``KmsKeyId`` ("Capture data from real-time
    endpoint": the model's execution role needs to write there), for each EndpointConfig of
    the pipeline that hosts this model."""
    for step in job.execution.steps.values():
        arguments = step.get("Arguments", {})
        capture = arguments.get("DataCaptureConfig") if step["Type"] == "EndpointConfig" else None
        variants = [v for v in arguments.get("ProductionVariants", []) if
                    model_step_of(v.get("ModelName")) == job.step]
        if not capture or not variants:
            continue
        # The config is the pipeline's: it captures under its destination whichever
        # endpoint uses it (the example endpoint ``deployed-later`` when no step names one).
        endpoints = [e for e in endpoints_of_model(job.execution, job.step)] or ["deployed-later"]
        before = len(job.calls)
        for endpoint in endpoints:
            job.write(capture["DestinationS3Uri"], endpoint,
                      job.value(variants[0].get("VariantName", "AllTraffic")),
                      "2026", "12", "07", "08", f"00-00-000-{EXECUTION_ID}.jsonl",
                      family="data-capture")
        job.key("kms-output", capture.get("KmsKeyId"))
        job.calls[before:] = [replace(c, family="data-capture") if c.family == "s3-output"
                              else c for c in job.calls[before:]]


def _automl(job: _Job, arguments: Mapping[str, Any]) -> None:
    """An AutoML job (V1 API_CreateAutoMLJob, V2 API_CreateAutoMLJobV2) runs its candidates'
    processing, training and transform jobs with its own role (sagemaker-roles,
    "CreateAutoMLJob and CreateAutoMLJobV2 API: Execution Role Permissions": PassRole of the
    role to SageMaker, ECR, Logs, S3, metrics): it reads its input channels, writes under
    ``<S3OutputPath>/<job name>/``, pulls Autopilot's images and logs as the jobs it runs.
    The page also lists model and endpoint actions; no AWS page names the models and
    endpoints an AutoML job makes, so the oracle lists no call on them (a grant of them
    shows as an excess in bench/runtime_least_privilege.py, not as a pass here)."""
    name = job.execution.job_name(job.step)
    channels = arguments.get("InputDataConfig") or arguments.get("AutoMLJobInputDataConfig", [])
    for channel in channels:
        source = channel.get("DataSource", {}).get("S3DataSource")
        if source:
            job.read(source["S3Uri"], source.get("S3DataType", "S3Prefix"))
    output = arguments["OutputDataConfig"]
    job.write(output["S3OutputPath"], name, "data-processor-models", f"{name[:16]}-dpp0",
              "output", "model.tar.gz")
    job.image(AUTOML_IMAGE)
    for kind in ("ProcessingJobs", "TrainingJobs", "TransformJobs"):
        job.logs_and_metrics(kind, f"{name[:16]}-dpp0-1-1a2b3c4d/algo-1-{EPOCH}")
    job.calls.append(Call(job.step, job.role, "automl", "iam:PassRole", SELF,
                          (("iam:PassedToService", "sagemaker.amazonaws.com"),), scope=SELF))
    job.key("kms-output", output.get("KmsKeyId"))
    security = (arguments.get("AutoMLJobConfig") or {}).get("SecurityConfig", {})
    job.key("kms-volume", security.get("VolumeKmsKeyId"))
    job.network(security.get("VpcConfig"))


# --- the definition ----------------------------------------------------------------------


def _role_of(step: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(role ARN value, the arguments its jobs run) for each job role field of a step."""
    arguments = step.get("Arguments", {})
    if step["Type"] == "Tuning":
        definitions = list(arguments.get("TrainingJobDefinitions", []))
        if "TrainingJobDefinition" in arguments:
            definitions.insert(0, arguments["TrainingJobDefinition"])
        return [(d["RoleArn"], d) for d in definitions]
    if step["Type"] == "Model":
        return [(arguments["ExecutionRoleArn"], arguments)] if "ExecutionRoleArn" in arguments \
            else []
    if "RoleArn" in arguments:
        return [(arguments["RoleArn"], arguments)]
    return []


def job_calls(definition: Mapping[str, Any], parameters: Mapping[str, Any], *,
              pipeline_name: str,
              manifests: Mapping[str, Sequence[str]] | None = None,
              model_endpoints: Mapping[str, Sequence[str]] | None = None) -> list[Call]:
    """Every call the jobs of ``definition`` make in one example execution, each with the
    role the definition hands its job.

    ``parameters``: parameter name -> the value this execution uses (else the default).
    ``manifests``: manifest S3 URI -> the objects it lists (the definition does not hold
    them). ``model_endpoints``: Model step -> the endpoints that serve its model outside
    the pipeline (the definition does not name them either). Raises :class:`OracleError`
    for a value the oracle cannot evaluate.
    """
    execution = Execution(definition, parameters, pipeline_name)
    calls: list[Call] = []
    for name, step in execution.steps.items():
        calls += _step_calls(execution, name, step, manifests or {},
                             (model_endpoints or {}).get(name, ()))
    return list(dict.fromkeys(calls))


def _step_calls(execution: Execution, name: str, step: Mapping[str, Any],
                manifests: Mapping[str, Sequence[str]], endpoints: Sequence[str]
                ) -> list[Call]:
    kind = step["Type"]
    if kind == "Transform":
        model = model_step_of(step.get("Arguments", {}).get("ModelName"))
        if model is None:
            return []
        model_step = execution.steps[model]
        calls: list[Call] = []
        for role, _ in _role_of(model_step):
            job = _Job(execution, name, execution.value(role, f"step {model}"), manifests)
            _transform(job, step["Arguments"], model_step)
            calls += job.calls
        return calls
    calls = []
    for role, arguments in _role_of(step):
        job = _Job(execution, name, execution.value(role, f"step {name}"), manifests)
        if kind in ("Processing", "ClarifyCheck", "QualityCheck"):
            _processing(job, arguments, step)
        elif kind == "Training":
            _training(job, arguments, execution.job_name(name))
        elif kind == "Tuning":
            _tuning(job, arguments)
        elif kind == "Model":
            _model(job, arguments, endpoints)
        elif kind == "AutoML":
            _automl(job, arguments)
        else:
            continue  # EMR runtime roles and the like: not a SageMaker job's role
        calls += job.calls
    return calls


# --- neighbours --------------------------------------------------------------------------

#: A key no definition of the corpus names.
OTHER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/ffffffff-0000-4000-8000-000000000000"


def neighbour_calls(calls: Sequence[Call]) -> list[Call]:
    """Calls next to the allowed ones that no role may make: the same action on another
    bucket, another repository, another key, another log group, Clarify's endpoint config
    for another model; and another step's S3
    location that this role's own calls do not cover (the definition does not link them).
    """
    by_role: dict[str, list[Call]] = {}
    for call in calls:
        by_role.setdefault(call.role, []).append(call)
    neighbours: list[Call] = []
    for role, own in by_role.items():
        candidates = list(_shifted(own)) + _other_steps(role, own, calls)
        # A neighbour inside a location the role itself uses with the same action and
        # context is no neighbour (a key-name prefix covers its siblings; a linked step's
        # output is read); another context (another model) stays one.
        neighbours += [n for n in candidates if not any(
            c.scope and c.action == n.action and c.context == n.context
            and n.resource.startswith(c.scope) for c in own)]
    return list(dict.fromkeys(neighbours))


def _shifted(own: Iterable[Call]) -> Iterator[Call]:
    """Each call moved one step aside: another bucket, repository, key, log group (and
    another endpoint's), subnet, security group, an endpoint that is not Clarify's own, or
    Clarify's endpoint config for another model."""
    for call in own:
        if call.family in ("s3-input", "s3-output", "code", "model-data") and (
                call.action in ("s3:GetObject", "s3:PutObject")):
            bucket, _, key = call.resource.removeprefix("arn:aws:s3:::").partition("/")
            yield replace(call, resource=f"arn:aws:s3:::{bucket}-neighbour/{key}",
                          family=f"{call.family} (another bucket)", scope="")
        elif call.family == "image" and ":repository/" in call.resource:
            repository = call.resource.replace(":repository/", ":repository/neighbour-")
            yield replace(call, resource=repository,
                          family="image (another repository)", scope="")
        elif call.family.startswith("kms"):
            yield replace(call, resource=OTHER_KEY, context=tuple(
                (k, v) for k, v in call.context if k != "kms:ResourceAliases"),
                family=f"{call.family} (another key)", scope="")
        elif call.family == "vpc" and re.search(r":(subnet|security-group)/", call.resource):
            kind, _, _ = call.resource.rpartition("/")
            prefix = "subnet" if kind.endswith(":subnet") else "sg"
            other = f"{kind}/{prefix}-0fff0fff0fff0fff0"
            yield replace(call, resource=other, family="vpc (another network)", scope="")
        elif call.family == "clarify-endpoint":
            kind, _, _ = call.resource.rpartition("/")
            yield replace(call, resource=f"{kind}/fraud-production",
                          family="clarify-endpoint (another endpoint)", scope="")
            if call.context:
                model = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/fraud-production"
                yield replace(call, context=(("sagemaker:ModelArn", model),),
                              family="clarify-endpoint (another model)", scope="")
        elif call.family == "logs" and call.action == "logs:PutLogEvents":
            group = call.resource.split(":log-group:", 1)[1].split(":log-stream:", 1)[0]
            other = call.resource.replace(f":log-group:{group}:",
                                          ":log-group:/aws/lambda/neighbour:")
            yield replace(call, resource=other, family="logs (another log group)", scope="")
            if group.startswith("/aws/sagemaker/Endpoints/"):
                # The group of an endpoint that does not serve this role's model.
                other = call.resource.replace(f":log-group:{group}:",
                                              ":log-group:/aws/sagemaker/Endpoints/neighbour:")
                yield replace(call, resource=other, family="logs (another endpoint)",
                              scope="")


def _other_steps(role: str, own: Sequence[Call], calls: Sequence[Call]) -> list[Call]:
    """Another step's written objects, read or overwritten by this role: denied unless this
    role's own calls cover them (then the definition links the two)."""
    steps = {c.step for c in own}
    found = []
    for call in calls:
        if call.role == role or call.step in steps or call.action != "s3:PutObject":
            continue
        for action in ("s3:GetObject", "s3:PutObject"):
            found.append(Call(next(iter(sorted(steps))), role, "another step's output", action,
                              call.resource, scope=""))
    return found
