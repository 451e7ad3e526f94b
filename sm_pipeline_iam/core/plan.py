"""The access plan: every call SageMaker and the jobs make while a pipeline runs. No CDK.

For a definition, :func:`access_plan` lists each call with the role that makes it (the
execution role, or the role a step's job runs as), the action, a concrete example of the
resource as SageMaker names it, the condition keys the request carries, and why the call
is made. It is written from the catalog (:mod:`~sm_pipeline_iam.core.catalog.steps`: the action
groups each step and pipeline feature switches on) and from what the definition reader
found (:class:`~sm_pipeline_iam.core.definition.reader.DefinitionReading`: each step's name
scopes, the roles passed, the JsonGet objects, the integrations' resources, and each
job's :class:`~sm_pipeline_iam.core.job_roles.needs.JobNeeds`), never from the policy builder's
statements: the tests hold the one against the other (every planned call allowed, every
statement needed by some planned call).

Each ``*`` of a name pattern is filled with sample text of the kind SageMaker puts there:
the execution id (:data:`EXECUTION_ID`), a job name's generated suffix, an object's name
under a folder, a log stream's instance part. Where the reader allows two spellings of a
name (whether SageMaker lower-cases names inside ARNs is unconfirmed), the plan holds a
call for each, the lower-cased one marked :attr:`PlannedCall.alternate_spelling`.

The job-role calls follow the AWS page "How to use SageMaker AI execution roles": read the
inputs (and list their prefixes), write the outputs, pull the image (and sign in to ECR),
create the job kind's log group and the job's own log streams, publish metrics in the job
kind's namespace, manage network interfaces in the job's subnets, use its KMS keys as
each key's field says (a volume key: EBS's grant; an output key: SSE-KMS writes; the
output key of a step whose output the job reads: SSE-KMS reads).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .catalog.bindings import Binding
from .catalog.features import PIPELINE_FEATURES
from .catalog.schema import ActionGroup, KeyUse, ResourceScope, StepType
from .catalog.steps import spec_for
from .definition.expressions import EXECUTION_ID_PATTERN
from .definition.reader import DefinitionReading
from .execution_role.policy import PLACEHOLDERS, ArnEnvironment
from .job_roles.needs import JobNeeds, repository_arns
from .locations import S3ObjectPattern

#: The role the pipeline runs as.
EXECUTION_ROLE = "execution"

#: The environment the plan's example ARNs are written in, unless told otherwise.
SAMPLE_ENV = ArnEnvironment("aws", "us-east-1", "111122223333")

#: Sample text for what SageMaker generates when a pipeline runs.
EXECUTION_ID = "a1b2c3d4e5f6"
#: A job name's generated end (``pipelines-<id>-<step>-<suffix>``).
JOB_SUFFIX = "x7Kq9PzT2m-1"
#: A generated part between others (``<prefix>-<id>-<part>``).
NAME_PART = "x7Kq9PzT2m"
#: An object under a folder the job reads or writes.
OBJECT_NAME = "part-00000"
#: The instance part of a job's log stream (``<job name>/algo-1-<epoch>``).
STREAM_PART = "algo-1-1764470000"
#: A bucket the definition leaves to run time.
SAMPLE_BUCKET = "sample-bucket-111122223333"
#: A network interface SageMaker creates in the job's subnet.
NETWORK_INTERFACE = "eni-0a1b2c3d4e5f60718"
#: The key behind a KMS alias (its id is not in the definition).
ALIAS_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"

#: What a lone ``*`` stands for, per resource type (what SageMaker or the service names).
_BARE_NAMES = {
    "artifact": "2b3c4d5e6f708192a3b4c5d6e7f80912",
    "experiment-trial": EXECUTION_ID,
    "experiment": "sample-pipeline",
    "cluster": "j-2AXXXXXXGAPLF",
    "applications": "00fnewapplicat01",
    "role": "SampleRole",
}
#: Parts of the catalog's ARN templates outside ``{name}`` that the service fills.
_TEMPLATE_PARTS = {"job/*/": "job/training/", "/jobruns/*": "/jobruns/00fjobrun0000001"}

S3_OBJECT = "arn:{partition}:s3:::{bucket}/{key}"
S3_BUCKET = "arn:{partition}:s3:::{bucket}"


@dataclass(frozen=True)
class PlannedCall:
    """One call made while the pipeline runs.

    Attributes:
        role: ``"execution"``, or ``"job:<step>"`` for the role the step's job runs as (a
            Transform's job runs as its model's role: ``"job:<model step>"``).
        action: the IAM action (``sagemaker:CreateTrainingJob``).
        resource: a concrete example of the ARN the request is authorized on, as
            SageMaker names it, or ``"*"`` for an action IAM gives no resource type.
        context: the condition keys the request carries (``iam:PassedToService``,
            ``s3:prefix``, ``cloudwatch:namespace``, ``ec2:Subnet``).
        why: one line: which step or feature makes the call, and for what.
        inferred: True where no AWS document lists the call (the catalog's ``inferred``
            groups, and the plan's own inferences about jobs).
        alternate_spelling: True for the lower-cased spelling of a name whose spelling
            in ARNs is unconfirmed.
    """

    role: str
    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    why: str = ""
    inferred: bool = False
    alternate_spelling: bool = False

    @property
    def key(self) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
        """What identifies the call: role, action, resource and context."""
        return (self.role, self.action, self.resource, tuple(sorted(self.context.items())))

    def to_data(self) -> dict[str, Any]:
        """The call as plain data."""
        return {
            "role": self.role,
            "action": self.action,
            "resource": self.resource,
            "context": dict(self.context),
            "why": self.why,
            "inferred": self.inferred,
            "alternate_spelling": self.alternate_spelling,
        }


def job_role(step: str) -> str:
    """The plan's name of the role ``step``'s job runs as."""
    return f"job:{step}"


def access_plan(reading: DefinitionReading, env: ArnEnvironment = SAMPLE_ENV
                ) -> list[PlannedCall]:
    """Every call SageMaker (as the execution role) and the jobs (as their roles) make
    while the pipeline of ``reading`` runs: execution-role calls first, in step order,
    then each job role's; without repeats."""
    calls: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], PlannedCall] = {}
    for call in (*_execution_calls(reading, env), *_job_calls(reading, env)):
        calls.setdefault(call.key, call)
    return list(calls.values())


def roles(plan: Iterable[PlannedCall]) -> list[str]:
    """The roles of a plan, in order."""
    return list(dict.fromkeys(call.role for call in plan))


# --- sample names --------------------------------------------------------------------


def _render(text: str, env: ArnEnvironment) -> str:
    """``text`` with the reader's placeholders replaced by ``env``'s values."""
    return (text.replace(PLACEHOLDERS.partition, env.partition)
            .replace(PLACEHOLDERS.region, env.region)
            .replace(PLACEHOLDERS.account, env.account))


def _fill_name(text: str, *, lower: bool = False, bare: str = EXECUTION_ID) -> str:
    """A name pattern with each ``*`` filled: the execution id first, a generated suffix
    last (``pipelines-*-TrainModel-*`` -> ``pipelines-a1b2c3d4e5f6-TrainModel-x7Kq9PzT2m-1``;
    ``fraud-*`` -> ``fraud-a1b2c3d4e5f6-x7Kq9PzT2m``; ``fraud-models/*`` ->
    ``fraud-models/1``, a version)."""
    def case(value: str) -> str:
        return value.lower() if lower else value

    # The execution id pinned as 12 '?' (expressions.EXECUTION_ID_PATTERN) is that id.
    text = text.replace(EXECUTION_ID_PATTERN, EXECUTION_ID)
    stars = text.count("*")
    if stars == 0:
        return text
    if text == "*":
        return case(bare)
    if stars == 1 and text.endswith("*"):
        head = text[:-1]
        return head + ("1" if head.endswith("/") else case(f"{EXECUTION_ID}-{NAME_PART}"))
    parts = text.split("*")
    fills = [EXECUTION_ID] + ([*[NAME_PART] * (stars - 2), JOB_SUFFIX] if stars > 1 else [])
    return parts[0] + "".join(case(fill) + part for fill, part in zip(fills, parts[1:],
                                                                         strict=True))


def _fill_path(text: str, last: str, *, lower: bool = False) -> str:
    """A ``/``-separated pattern (an S3 key, a log stream) with each ``*`` filled: a lone
    ``*`` as the last part becomes ``last``, elsewhere the execution id (a folder holding
    it); other parts are names."""
    segments = text.split("/")
    filled = []
    for index, segment in enumerate(segments):
        if segment == "*":
            filled.append(last if index == len(segments) - 1 else EXECUTION_ID)
        else:
            filled.append(_fill_name(segment, lower=lower))
    return "/".join(filled)


def _fill_arn(arn: str, env: ArnEnvironment, bare: str) -> str:
    """An ARN the definition left partly to run time, filled: a ``*`` region or account is
    ``env``'s, a lone ``*`` name is ``bare``, other names are filled as names."""
    parts = _render(arn, env).split(":", 5)
    if len(parts) < 6:
        return _fill_name(arn, bare=bare)
    parts[3] = env.region if parts[3] == "*" else parts[3]
    parts[4] = env.account if parts[4] == "*" else parts[4]
    kind, slash, name = parts[5].rpartition("/")
    if not slash:
        kind, slash, name = parts[5].rpartition(":")
    filled = bare if name == "*" else _fill_name(name, bare=bare)
    parts[5] = f"{kind}{slash}{filled}" if slash else filled
    return ":".join(parts)


def _upper(text: str) -> int:
    return sum(char.isupper() for char in text)


def _alternates(patterns: Iterable[str]) -> set[str]:
    """The lower-cased spellings among ``patterns`` (another pattern is the same but for
    upper-case letters)."""
    items = set(patterns)
    return {
        p for p in items
        if any(q != p and q.lower() == p.lower() and _upper(q) > _upper(p) for q in items)
    }


def _s3_object(pattern: S3ObjectPattern, env: ArnEnvironment, *, lower: bool) -> str:
    bucket = SAMPLE_BUCKET if "*" in pattern.bucket else pattern.bucket
    return S3_OBJECT.format(partition=env.partition, bucket=bucket,
                            key=_fill_path(pattern.key_pattern, OBJECT_NAME, lower=lower))


def _s3_bucket(bucket: str, env: ArnEnvironment) -> str:
    return S3_BUCKET.format(partition=env.partition,
                            bucket=SAMPLE_BUCKET if "*" in bucket else bucket)


def _arn(service: str, resource: str, env: ArnEnvironment) -> str:
    return f"arn:{env.partition}:{service}:{env.region}:{env.account}:{resource}"


# --- the execution role ----------------------------------------------------------------

#: How the ``why`` of an execution-role call words its action, by the action's verb.
_VERBS = (
    ("AddTags", "tags"),
    ("AddAssociation", "links lineage to"),
    ("AssociateTrialComponent", "adds the jobs' trial components to"),
    ("Create", "creates"),
    ("Describe", "reads the state of"),
    ("Get", "reads the state of"),
    ("List", "lists"),
    ("Stop", "stops, when the execution stops,"),
    ("Cancel", "cancels, when the execution stops,"),
    ("Terminate", "terminates"),
    ("Delete", "deletes"),
    ("Update", "updates"),
    ("Start", "starts"),
    ("Run", "runs"),
    ("Put", "puts"),
    ("Invoke", "invokes"),
    ("Send", "sends a message to"),
)


def _phrase(action: str) -> str:
    verb = action.split(":", 1)[1]
    for start, phrase in _VERBS:
        if verb.startswith(start):
            return phrase
    return f"calls {verb} on"  # pragma: no cover - every catalog verb is listed


def _group_why(who: str, group: ActionGroup, action: str, what: str) -> str:
    inferred = ", inferred" if group.inferred else ""
    return f"{who} {_phrase(action)} {what} ({group.label}{inferred})"


def _template_arn(group: ActionGroup, name: str, env: ArnEnvironment) -> str:
    arn = group.arn_template.format(partition=env.partition, region=env.region,
                                    account=env.account, name=name)
    for part, filled in _TEMPLATE_PARTS.items():
        arn = arn.replace(part, filled)
    return _render(arn, env)


#: The create calls that name the model the resource runs (Service Authorization
#: Reference: CreateTransformJob and CreateEndpointConfig take ``sagemaker:ModelArn``).
_MODEL_ACTIONS = ("sagemaker:CreateTransformJob", "sagemaker:CreateEndpointConfig")


def _model_arn(name: str, env: ArnEnvironment, *, lower: bool) -> str:
    """A model's ARN (API reference: CreateModel returns ``model/<name>``), its name
    pattern filled."""
    filled = _fill_name(name, lower=lower)
    return (f"arn:{env.partition}:sagemaker:{env.region}:{env.account}:model/"
            f"{filled.lower() if lower else filled}")


def _named_calls(who: str, group: ActionGroup, names: Iterable[str], env: ArnEnvironment,
                 bare: str | None = None, model: tuple[str, str] | None = None
                 ) -> Iterator[PlannedCall]:
    """The group's actions on each name pattern's sample (both spellings where the names
    hold both); ``model``: the ARN of the model that the calls naming one run (as written,
    and lower-cased for the other spelling), their ``sagemaker:ModelArn``."""
    names = list(names)
    alternates = _alternates(names)
    bare = bare or _BARE_NAMES.get(group.resource_type, f"sample-{EXECUTION_ID}")
    for name in names:
        lower = name in alternates
        sample = _fill_name(name, lower=lower, bare=bare)
        resource = _template_arn(group, sample, env)
        for action in group.actions:
            # A call naming a model: once per spelling of the model's ARN.
            contexts = [{"sagemaker:ModelArn": arn} for arn in dict.fromkeys(model)] if (
                model and action in _MODEL_ACTIONS) else [{}]
            for index, context in enumerate(contexts):
                yield PlannedCall(
                    EXECUTION_ROLE, action, resource, context,
                    why=_group_why(who, group, action, f"{group.resource_type} {name}"),
                    inferred=group.inferred, alternate_spelling=lower or index > 0,
                )


def _execution_calls(reading: DefinitionReading, env: ArnEnvironment) -> Iterator[PlannedCall]:
    requirements = reading.requirements
    scopes: dict[tuple[str, str], list[str]] = {}
    for scope in reading.scopes:
        scopes.setdefault((scope.step, scope.resource), []).extend(scope.patterns)
    steps_of: dict[StepType, list[str]] = {}
    for name, step_type in reading.steps:
        steps_of.setdefault(step_type, []).append(name)

    # A transform job or endpoint config runs one of the pipeline's models.
    models = requirements.model_names or ()
    model = (_model_arn(models[0], env, lower=False),
             _model_arn(models[0], env, lower=True)) if models else None
    # Per step: its jobs and the resources it names, as the reader scoped them.
    trial_components: list[str] = []
    for name, step_type in reading.steps:
        spec = spec_for(step_type)
        for group in spec.action_groups:
            if group.scope not in (ResourceScope.JOB_NAME, ResourceScope.USER_NAME):
                continue
            patterns = scopes.get((name, group.resource_type))
            if patterns is None:
                continue  # the step makes none of the group's calls
            yield from _named_calls(f"step {name} ({step_type.value})", group,
                                    dict.fromkeys(patterns), env, model=model)
            if spec.job is not None and spec.job.kinds and group.scope is ResourceScope.JOB_NAME:
                sample = _fill_name(patterns[0])
                trial_components.append(f"{sample}-aws-{group.resource_type}")

    # Per step type: what its steps share (integrations, fixed and resource-less calls).
    for step_type, names in steps_of.items():
        who = f"{step_type.value} step{'s' if len(names) > 1 else ''} {', '.join(names)}"
        for group in spec_for(step_type).action_groups:
            if group.scope in (ResourceScope.JOB_NAME, ResourceScope.USER_NAME):
                continue
            if group.variant is not None and group.variant not in requirements.variants:
                continue
            yield from _shared_calls(who, group, reading, env)

    # Pipeline-level features (Experiments).
    for feature in PIPELINE_FEATURES:
        if feature.variant not in requirements.variants:
            continue
        who = f"the pipeline's {feature.trigger}"
        for group in feature.action_groups:
            if group.scope is ResourceScope.USER_NAME:
                yield from _named_calls(
                    who, group, requirements.group_names.get(group.label, ("*",)), env)
            elif group.resource_type == "experiment-trial-component" and trial_components:
                for component in trial_components:
                    resource = _template_arn(group, component, env)
                    for action in group.actions:
                        yield PlannedCall(
                            EXECUTION_ROLE, action, resource,
                            why=_group_why(who, group, action, f"trial component {component}"),
                            inferred=group.inferred)
            else:
                yield from _shared_calls(who, group, reading, env)

    # Roles handed to services, and the objects JsonGet reads.
    for target in sorted(requirements.pass_roles):
        users = [job.step for job in reading.jobs if target.role_arn in job.role_arns]
        by = f" (the role of {', '.join(users)})" if users else ""
        yield PlannedCall(
            EXECUTION_ROLE, "iam:PassRole",
            _fill_arn(target.role_arn, env, _BARE_NAMES["role"]),
            {"iam:PassedToService": target.service},
            why=f"a step hands {target.role_arn.rsplit('/', 1)[-1]} to {target.service}{by}",
        )
    for read in requirements.json_get_objects:
        yield PlannedCall(
            EXECUTION_ROLE, "s3:GetObject", _s3_object(read, env, lower=False),
            why=f"a Condition's JsonGet reads {read}",
        )


def _shared_calls(who: str, group: ActionGroup, reading: DefinitionReading,
                  env: ArnEnvironment) -> Iterator[PlannedCall]:
    requirements = reading.requirements
    if group.scope is ResourceScope.NO_RESOURCE:
        for action in group.actions:
            yield PlannedCall(EXECUTION_ROLE, action, "*",
                              why=_group_why(who, group, action, "(no resource type)"),
                              inferred=group.inferred)
        return
    if group.scope is ResourceScope.FIXED:
        yield from _named_calls(who, group, group.fixed_names, env)
        return
    if group.scope is not ResourceScope.GIVEN or group.binding is None:
        return  # pragma: no cover - named scopes are read per step
    values = requirements.given_values(group.binding)
    if group.lists_folders:
        for value in values:
            bucket, _, key = value.partition("/")
            if not key.endswith("/*"):
                continue  # one object: nothing to list
            for action in group.actions:
                yield PlannedCall(
                    EXECUTION_ROLE, action, _s3_bucket(bucket, env),
                    {"s3:prefix": _fill_path(key, "")},
                    why=_group_why(who, group, action, f"the folder s3://{value[:-1]}"),
                    inferred=group.inferred)
        return
    yield from _given_calls(who, group, values, env)


def _given_calls(who: str, group: ActionGroup, values: Iterable[str], env: ArnEnvironment
                 ) -> Iterator[PlannedCall]:
    for value in values:
        if group.binding is Binding.CLEANUP_OBJECTS:
            bucket, _, key = value.partition("/")
            sample = (f"{SAMPLE_BUCKET if '*' in bucket else bucket}/"
                      f"{_fill_path(key, OBJECT_NAME)}")
        elif value.startswith("arn:"):
            sample = _fill_arn(value, env, f"sample-{EXECUTION_ID}")
        else:
            sample = _fill_name(_render(value, env))
        resource = _template_arn(group, sample, env)
        for action in group.actions:
            yield PlannedCall(
                EXECUTION_ROLE, action, resource,
                why=_group_why(who, group, action, value),
                inferred=group.inferred)


# --- the jobs' roles ---------------------------------------------------------------------

S3_WRITE_ABORT = "s3:AbortMultipartUpload"
ECR_PULL = ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage")
EC2_DESCRIBE = ("ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions",
                "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups")
ENI_FOLLOW_UP = ("ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
                 "ec2:DeleteNetworkInterfacePermission")
#: The calls made with a key, per use of the field that names it, and the request context
#: they carry: EBS encrypts an ML volume through a grant it makes for the job's instance
#: (AWS page "How to use SageMaker AI execution roles": kms:CreateGrant; AWS KMS Developer
#: Guide: kms:GrantIsForAWSResource), S3 writes SSE-KMS objects with a data key (and reads
#: one back to finish a multipart upload) and reads them with kms:Decrypt (S3 page
#: "Using server-side encryption with AWS KMS keys"); SageMaker's OutputDataConfig.KmsKeyId
#: needs kms:Encrypt (API reference).
KMS_USE: dict[KeyUse, tuple[tuple[str, str, Mapping[str, str]], ...]] = {
    KeyUse.VOLUME: (("kms:CreateGrant", "lets EBS encrypt its volumes with",
                     {"kms:GrantIsForAWSResource": "true"}),),
    KeyUse.OUTPUT: (("kms:GenerateDataKey", "encrypts its outputs with", {}),
                    ("kms:Encrypt", "encrypts its outputs with", {}),
                    ("kms:Decrypt", "completes multipart uploads of its outputs with", {})),
    KeyUse.INPUT: (("kms:Decrypt", "decrypts its inputs (another step's outputs) with", {}),),
}
_KEY_ID = re.compile(r":key/")


def _job_calls(reading: DefinitionReading, env: ArnEnvironment) -> Iterator[PlannedCall]:
    for job in reading.jobs:
        yield from _calls_of_job(job, env)


def _who(job: JobNeeds) -> str:
    step_type = job.step_types[0]
    if step_type is StepType.MODEL:
        return f"model {job.step} (its containers, wherever they run)"
    if job.runs_as_step:
        return f"{job.step}'s {step_type.value} job (as model {job.runs_as_step}'s role)"
    if spec_for(step_type).job_runs_as_model:
        return (f"{job.step}'s {step_type.value} job (as the role of a model made outside "
                "the pipeline)")
    return f"{job.step}'s {step_type.value} job"


def _calls_of_job(job: JobNeeds, env: ArnEnvironment) -> Iterator[PlannedCall]:
    role = job_role(job.runs_as_step or job.step)
    who = _who(job)

    def call(action: str, resource: str, why: str, context: Mapping[str, str] | None = None,
             *, inferred: bool = False, alternate: bool = False) -> PlannedCall:
        return PlannedCall(role, action, resource, dict(context or {}), f"{who} {why}",
                           inferred, alternate)

    reads = _alternates(str(p) for p in job.reads)
    for pattern in job.reads:
        lower = str(pattern) in reads
        yield call("s3:GetObject", _s3_object(pattern, env, lower=lower),
                   f"reads its input {pattern}", alternate=lower)
    listed = _alternates(f"{b}/{p}" for b, p in job.lists)
    for bucket, prefix in job.lists:
        lower = f"{bucket}/{prefix}" in listed
        yield call("s3:ListBucket", _s3_bucket(bucket, env),
                   f"lists its input prefix s3://{bucket}/{prefix}",
                   {"s3:prefix": _fill_path(prefix, "", lower=lower)}, alternate=lower)
    writes = _alternates(str(p) for p in job.writes)
    for pattern in job.writes:
        lower = str(pattern) in writes
        resource = _s3_object(pattern, env, lower=lower)
        yield call("s3:PutObject", resource, f"writes its output {pattern}", alternate=lower)
        # Large outputs go up in parts; a failed upload is aborted (no AWS page says so).
        yield call(S3_WRITE_ABORT, resource, f"aborts a failed multipart upload to {pattern}",
                   inferred=True, alternate=lower)
    if job.repositories:
        yield call("ecr:GetAuthorizationToken", "*", "signs in to ECR to pull its image")
    for repository in repository_arns(job.repositories, env.region):
        arn = _fill_arn(repository, env, "sample-repository")
        for action in ECR_PULL:
            yield call(action, arn, f"pulls its image from {arn.rsplit(':', 1)[-1]}")
    for group in sorted({group for group, _ in job.log_streams}):
        # Logs authorizes these on the group's ARN with a trailing ':*' (AWS page
        # "Overview of managing access permissions to your CloudWatch Logs resources").
        arn = _arn("logs", f"log-group:{group}:*", env)
        yield call("logs:CreateLogGroup", arn, f"creates its job kind's log group {group}")
        yield call("logs:DescribeLogStreams", arn, f"finds its log streams in {group}")
    streams = _alternates(stream for _, stream in job.log_streams)
    for group, stream in job.log_streams:
        lower = stream in streams
        arn = _arn("logs", f"log-group:{group}:log-stream:"
                   f"{_fill_path(stream, STREAM_PART, lower=lower)}", env)
        yield call("logs:CreateLogStream", arn, f"creates its log stream {stream}",
                   alternate=lower)
        yield call("logs:PutLogEvents", arn, f"writes its logs to {stream}", alternate=lower)
    for namespace in job.metric_namespaces:
        yield call("cloudwatch:PutMetricData", "*", f"publishes its metrics in {namespace}",
                   {"cloudwatch:namespace": namespace})
    if job.subnets:
        eni = _arn("ec2", f"network-interface/{NETWORK_INTERFACE}", env)
        for subnet in job.subnets:
            yield call("ec2:CreateNetworkInterface", _arn("ec2", f"subnet/{subnet}", env),
                       f"creates a network interface in its subnet {subnet}")
        for group in job.security_groups:
            yield call("ec2:CreateNetworkInterface",
                       _arn("ec2", f"security-group/{group}", env),
                       f"creates a network interface with its security group {group}")
        yield call("ec2:CreateNetworkInterface", eni, "creates its network interface")
        for subnet in job.subnets:
            for action in ENI_FOLLOW_UP:
                yield call(action, eni, f"manages its network interface in subnet {subnet}",
                           {"ec2:Subnet": _arn("ec2", f"subnet/{subnet}", env)})
        for action in EC2_DESCRIBE:
            yield call(action, "*", "reads its VPC's network configuration")
    made: set[tuple[str, str, str]] = set()
    for key, use in job.kms_keys:
        arn = _render(key, env)
        note, aliases = "", {}
        if not _KEY_ID.search(arn):
            # KMS authorizes a key operation on the key, never on an alias naming it; the
            # key carries its aliases (kms:ResourceAliases), however the request names it.
            alias = arn.split(":", 5)[-1]
            note, aliases = f" (the key behind {alias})", {"kms:ResourceAliases": alias}
            arn = re.sub(r":alias/.*$", f":key/{ALIAS_KEY_ID}", arn)
        arn = _fill_arn(arn, env, ALIAS_KEY_ID)
        for action, phrase, context in KMS_USE[use]:
            if (action, arn, note) not in made:
                made.add((action, arn, note))
                yield call(action, arn, f"{phrase} its KMS key{note}", {**context, **aliases})
    yield from _service_calls(job, env, call)


def _service_calls(job: JobNeeds, env: ArnEnvironment, call: Callable[..., PlannedCall]
                   ) -> Iterator[PlannedCall]:
    """The API calls the job makes itself, each on its resource's sample and, for a
    condition key with several values (two spellings of a name), once per value."""
    spellings = _alternates(c.resource for c in job.service_calls) | _alternates(
        value for c in job.service_calls for _, _, value in c.condition)
    for item in job.service_calls:
        resource = item.resource if item.resource == "*" else _fill_arn(
            item.resource, env, f"sample-{EXECUTION_ID}")
        values = [{}] if not item.condition else [
            {key: _fill_arn(value, env, f"sample-{EXECUTION_ID}")}
            for _, key, value in item.condition]
        for context in values:
            alternate = item.resource in spellings or any(
                value in spellings for _, _, value in item.condition
                if _fill_arn(value, env, f"sample-{EXECUTION_ID}") in context.values())
            yield call(item.action, resource, item.reason, context, inferred=item.inferred,
                       alternate=alternate)
