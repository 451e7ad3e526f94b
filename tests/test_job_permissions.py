"""The roles the jobs run as (core.job_policy), held against the access plan (core.plan).

Per SDK-built fixture, each step's job gets a role of its own,
``job_policy.job_statements(needs)`` (a model step's role also holds the needs of the
Transform jobs that run its model: they run as that role). A real IAM engine then
allows every call the plan says the job makes; denies each role every other step's calls
(inputs, outputs, logs...) that the definition does not link to it, other buckets and
prefixes, other repositories, other log groups, streams and metric namespaces; and no
statement (resource, or value of a multi-valued condition key) is left that no planned
call needs. The fixtures are read as tests/test_plan.py reads them (S3 parameters bound
to their defaults).

"Linked" is what the plan says: a request another step's job makes is expected to be
allowed to a role only when the plan has the same call (action, resource, condition
keys) for that role, e.g. TrainModel reading the 'train' output PreprocessData writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from test_plan import (
    ENV,
    NAMES,
    assert_none,
    decide,
    decide_cases,
    glob,
    job_needs_by_role,
    plan_of,
    reading_of,
    render,
    request,
    unneeded_units,
    wrong,
)

from iamsim import Request
from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.core.job_roles.needs import JobNeeds
from sm_pipeline_iam.core.job_roles.policy import job_statements
from sm_pipeline_iam.core.notices import (
    MODEL_ENDPOINTS_UNNAMED,
    MODEL_OUTSIDE_PIPELINE,
    STEP_NAME_NOT_IN_JOB_NAMES,
    UNSCOPED_DEFAULT_NAMES,
)
from sm_pipeline_iam.core.plan import ALIAS_KEY_ID, EXECUTION_ROLE, PlannedCall, access_plan
from support.cfn import ACCOUNT, REGION

OTHER_BUCKET = "other-bucket-111122223333"
OTHER_ACCOUNT = "444455556666"
OTHER_GROUP = "/aws/sagemaker/Endpoints"
OTHER_NAMESPACES = ("AWS/EC2", "/aws/sagemaker/Endpoints")
OTHER_JOB = "pipelines-a1b2c3d4e5f6-SomeOtherStep-x7Kq9PzT2m-1"
#: The warnings a job whose names can only be scoped as 'pipelines-*' carries.
SHARED_NAME_WARNINGS = {UNSCOPED_DEFAULT_NAMES, STEP_NAME_NOT_IN_JOB_NAMES}


def job_policies(name: str) -> dict[str, dict[str, Any]]:
    """Each job role of fixture ``name`` -> its statements, as IAM would read them."""
    return {role: render(job_statements(needs))
            for role, needs in job_needs_by_role(reading_of(name)).items()}


def job_calls(name: str) -> list[PlannedCall]:
    return [c for c in plan_of(name) if c.role != EXECUTION_ROLE]


def _keys(calls: list[PlannedCall]) -> set[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
    return {c.key for c in calls}


def _key_name_prefixes(needs: JobNeeds) -> list[re.Pattern[str]]:
    """What the role's key-name-prefix inputs (S3Prefix ``train``: ``train*``, not a
    folder's ``train/*``) reach, as ``bucket/key`` (objects) and ``bucket?prefix``
    (listings): SageMaker reads every key that starts with such a prefix, so another
    step's call there is linked to the role by the prefix (``inputPrefixOverlaps`` names
    it where no Get links the two steps)."""
    def prefix(pattern: str) -> bool:
        return pattern.endswith("*") and not pattern.endswith("/*") and pattern != "*"

    return [glob(f"{o.bucket}/{o.key_pattern}") for o in needs.reads if prefix(o.key_pattern)] + [
        glob(f"{bucket}?{key}") for bucket, key in needs.lists if prefix(key)]


def _reached(call: PlannedCall, reach: list[re.Pattern[str]]) -> bool:
    target = call.resource.removeprefix("arn:aws:s3:::")
    if call.action == "s3:ListBucket":
        target = f"{target}?{call.context.get('s3:prefix', '')}"
    elif call.action != "s3:GetObject":
        return False
    return any(pattern.fullmatch(target) for pattern in reach)


def _expect(role: str, probes: list[PlannedCall], planned: set[Any],
            reach: list[re.Pattern[str]]) -> dict[str, tuple[Request, str]]:
    """Each probe asked by ``role``: allowed only when the plan has that call for it, or one
    of the role's key-name prefixes reaches it."""
    expected = {}
    for probe in probes:
        asked = replace(probe, role=role)
        item = request(asked, tag="probe ")
        linked = asked.key in planned or _reached(asked, reach)
        expected[item.id] = (item, "Allowed" if linked else "ImplicitlyDenied")
    return expected


def _check(name: str, probes_of: dict[str, list[PlannedCall]]) -> list[str]:
    """Each role's probes, in one iam-simulate process: the failures."""
    policies = job_policies(name)
    planned = _keys(job_calls(name))
    needs = job_needs_by_role(reading_of(name))
    expected: dict[str, tuple[Request, str]] = {}
    for role, probes in probes_of.items():
        expected.update(_expect(role, probes, planned, _key_name_prefixes(needs[role])))
    results = decide_cases([(item, [policies[item_role(item)]])
                            for item, _ in expected.values()])
    return wrong(results, {i: want for i, (_, want) in expected.items()})


def item_role(item: Request) -> str:
    """The plan's role of a request ``request()`` made (its id starts with it)."""
    return item.id.removeprefix("probe ").split(" ", 1)[0]


# --- allowed --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_job_role_allows_every_call_its_job_makes(name: str) -> None:
    """GIVEN a fixture's job roles (job_statements) WHEN each call the plan says a job
    makes is asked by its role THEN allowed."""
    policies = job_policies(name)
    calls = job_calls(name)
    assert set(policies) == {c.role for c in calls}
    requests = [request(c) for c in calls]
    results = decide_cases([(r, [policies[item_role(r)]]) for r in requests])
    assert_none(wrong(results, {r.id: "Allowed" for r in requests}), "not as planned")


# --- denied ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_job_role_is_denied_what_other_steps_jobs_do(name: str) -> None:
    """GIVEN a fixture's job roles WHEN a role makes another step's job's calls (its inputs,
    outputs, listings, log streams...) THEN denied, unless the definition links them (the
    plan has that very call for the role)."""
    calls = job_calls(name)
    roles = sorted({c.role for c in calls})
    probes = {role: [c for c in calls if c.role != role] for role in roles}
    assert_none(_check(name, probes), "not as expected")


def _s3_neighbours(call: PlannedCall) -> Iterator[PlannedCall]:
    arn = call.resource
    if call.action == "s3:ListBucket":
        prefix = call.context.get("s3:prefix", "")
        yield replace(call, resource=f"arn:aws:s3:::{OTHER_BUCKET}")
        yield replace(call, context={})
        yield replace(call, context={"s3:prefix": f"other/{prefix}"})
        if "/" in prefix.rstrip("/"):
            yield replace(call, context={"s3:prefix": prefix.rstrip("/").rsplit("/", 1)[0]
                                         + "/"})
        return
    bucket, _, key = arn.removeprefix("arn:aws:s3:::").partition("/")
    yield replace(call, resource=f"arn:aws:s3:::{OTHER_BUCKET}/{key}")
    yield replace(call, resource=f"arn:aws:s3:::{bucket}/other/{key}")
    segments = key.split("/")
    if len(segments) > 1:
        parent = "/".join([*segments[:-2], segments[-1]])
        yield replace(call, resource=f"arn:aws:s3:::{bucket}/{parent}")
    if call.action == "s3:GetObject":
        yield replace(call, action="s3:PutObject")  # an input is not an output


def _neighbours(
    call: PlannedCall, outputs: list[re.Pattern[str]], shared_names: bool = False
) -> Iterator[PlannedCall]:
    """Requests next to a planned call that the job does not make (``outputs``: where the
    reader says the job writes; an input under one of them may be written;
    ``shared_names``: the job's names are the documented 'pipelines-*' scope, so another
    default-named job's stream is not a neighbour it can be denied)."""
    service = call.action.split(":", 1)[0]
    if service == "s3":
        for probe in _s3_neighbours(call):
            if not (probe.action == "s3:PutObject" and call.action == "s3:GetObject"
                    and any(o.fullmatch(probe.resource.removeprefix("arn:aws:s3:::"))
                            for o in outputs)):
                yield probe
    elif service == "ecr" and call.resource != "*":
        yield replace(call, resource=f"{call.resource}-other")
        head, _, repository = call.resource.rpartition(":")
        account = head.split(":")[4]
        yield replace(call, resource=f"{head.replace(account, OTHER_ACCOUNT)}:{repository}")
    elif service == "logs":
        group_arn, _, stream = call.resource.partition(":log-stream:")
        group = group_arn.rsplit("log-group:", 1)[1].removesuffix(":*")
        other_group = group_arn.replace(group, OTHER_GROUP)
        yield replace(call, resource=call.resource.replace(group, OTHER_GROUP))
        yield replace(call, resource=call.resource.replace(f":{REGION}:", ":us-west-2:"))
        # An endpoint's log group is the endpoint's own: its streams are not named by job.
        if stream and not shared_names and "/aws/sagemaker/Endpoints/" not in group:
            yield replace(call, resource=f"{group_arn}:log-stream:{OTHER_JOB}/algo-1")
        if stream:
            yield replace(call, resource=f"{other_group}:log-stream:{stream}")
    elif call.action == "cloudwatch:PutMetricData":
        for namespace in OTHER_NAMESPACES:
            yield replace(call, context={"cloudwatch:namespace": namespace})
        yield replace(call, context={})


@pytest.mark.parametrize("name", NAMES)
def test_a_job_role_is_denied_other_buckets_prefixes_repositories_logs_and_namespaces(
    name: str,
) -> None:
    """GIVEN a fixture's job roles WHEN a job's calls are made on another bucket, another
    prefix or the parent folder, a listing without or outside its prefixes, a write to an
    input outside its outputs, another repository (or account), another log group, region
    or job's stream, another metric namespace THEN denied."""
    calls = job_calls(name)
    needs_by_role = job_needs_by_role(reading_of(name))
    outputs = {role: [glob(f"{o.bucket}/{o.key_pattern}") for o in needs.writes]
               for role, needs in needs_by_role.items()}
    # Jobs that can only be scoped as 'pipelines-*' say so in a warning instead.
    shared = {role for role, needs in needs_by_role.items()
              if any(n.id in SHARED_NAME_WARNINGS for n in needs.notices)}
    assert shared == {role for role, needs in needs_by_role.items()
                      if "pipelines-*" in needs.job_names}
    probes: dict[str, list[PlannedCall]] = {}
    for call in calls:
        probes.setdefault(call.role, []).extend(
            _neighbours(call, outputs[call.role], call.role in shared))
    assert any(probes.values())
    assert_none(_check(name, probes), "not as expected")


# --- nothing unneeded -------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_no_job_role_statement_is_left_that_no_planned_call_needs(name: str) -> None:
    """GIVEN a fixture's job roles WHEN any one resource of a statement (or one value of a
    multi-valued condition key) is removed THEN some call the plan says the job makes is
    denied."""
    assert_none(unneeded_units(job_policies(name), job_calls(name)),
                "removing these denies no planned call")


# --- a job in a VPC, with KMS keys -------------------------------------------------------------
#
# Every KMS request is evaluated with the key's default key policy (test_plan.key_policy),
# which lets the role's own policy decide, as KMS does.

_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
_OTHER_KEY = _KEY.replace("0b1c2d3e", "ffffffff")
_ROLE = f"arn:aws:iam::{ACCOUNT}:role/JobRole"
_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/prep:1"
_VOLUME_ONLY = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")


def _vpc_step(volume_key: str, output_key: str = _KEY) -> dict[str, Any]:
    return {
        "Name": "Prep", "Type": "Processing",
        "Arguments": {
            "ProcessingJobName": "prep",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/PrepRole",
            "AppSpecification": {"ImageUri": _IMAGE},
            "ProcessingInputs": [{"S3Input": {"S3Uri": "s3://ml-in-111122223333/data",
                                              "S3DataType": "S3Prefix"}}],
            "ProcessingOutputConfig": {
                "Outputs": [{"S3Output": {"S3Uri": "s3://ml-out-111122223333/prep"}}],
                "KmsKeyId": output_key,
            },
            "NetworkConfig": {"VpcConfig": {"Subnets": ["subnet-0a1b2c3d"],
                                            "SecurityGroupIds": ["sg-0a1b2c3d"]}},
            "ProcessingResources": {"ClusterConfig": {"VolumeKmsKeyId": volume_key}},
        },
    }


def _roles(definition: dict[str, Any], **options: Any
           ) -> tuple[dict[str, dict[str, Any]], list[PlannedCall]]:
    """Each job role of ``definition`` read with ``options`` (its policy, as IAM reads it),
    and the calls the plan says the jobs make."""
    reading = read_definition(definition, **options)
    policies = {role: render(job_statements(needs))
                for role, needs in job_needs_by_role(reading).items()}
    return policies, [c for c in access_plan(reading, ENV) if c.role != EXECUTION_ROLE]


def _assert_decided(policies: dict[str, dict[str, Any]], allowed: list[PlannedCall],
                    denied: list[PlannedCall]) -> None:
    """``allowed`` allowed and ``denied`` denied, each asked by its role, by iam-simulate."""
    expected = {request(c).id: (request(c), "Allowed") for c in allowed}
    expected.update({request(c, tag="probe ").id: (request(c, tag="probe "), "ImplicitlyDenied")
                     for c in denied})
    assert allowed and denied
    results = decide_cases([(item, [policies[item_role(item)]])
                            for item, _ in expected.values()])
    assert_none(wrong(results, {i: want for i, (_, want) in expected.items()}),
                "not as expected")


def _call(calls: list[PlannedCall], action: str, resource: str) -> PlannedCall:
    (found,) = [c for c in calls if c.action == action and c.resource == resource]
    return found


def test_a_job_in_a_vpc_with_kms_keys_gets_exactly_its_network_and_keys() -> None:
    """GIVEN a processing step with a VpcConfig, an output key (ARN) and a volume key (id)
    WHEN its role is derived THEN its network interfaces in its subnet and security group
    are allowed and other subnets denied; the volume key only lets EBS make grants for AWS
    resources (kms:CreateGrant, kms:GrantIsForAWSResource), the output key only writes
    SSE-KMS objects (GenerateDataKey, Encrypt, Decrypt); another key is denied; and no
    statement is unneeded."""
    volume = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{ALIAS_KEY_ID}"
    policies, calls = _roles({"Steps": [_vpc_step(ALIAS_KEY_ID)]})
    assert {"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeVpcs",
            "kms:CreateGrant", "kms:GenerateDataKey"} <= {c.action for c in calls}
    other_subnet = f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-0fffffff"
    grant = _call(calls, "kms:CreateGrant", volume)
    assert grant.context == {"kms:GrantIsForAWSResource": "true"}
    probes = [replace(grant, context={"kms:GrantIsForAWSResource": "false"}),
              replace(grant, resource=_KEY),  # the output key makes no grants
              *(replace(grant, action=a, context={}) for a in _VOLUME_ONLY)]
    for call in calls:
        if call.action == "ec2:CreateNetworkInterface" and ":subnet/" in call.resource:
            probes.append(replace(call, resource=other_subnet))
        elif "ec2:Subnet" in call.context:
            probes.append(replace(call, context={"ec2:Subnet": other_subnet}))
        elif call.action.startswith("kms:"):
            probes.append(replace(call, resource=_OTHER_KEY))
    _assert_decided(policies, calls, probes)
    assert_none(unneeded_units(policies, calls), "removing these denies no planned call")


def test_a_kms_alias_grants_the_key_behind_it_by_a_condition_each_action_supports() -> None:
    """GIVEN a volume key and an output key named by their aliases WHEN the job's role is
    derived THEN calls on the keys that carry those aliases (kms:ResourceAliases: true of
    the key however a request names it, also by ARN after the alias) are allowed, each key
    for its own use only; a key without the alias, or with another, is denied. The old
    condition, kms:RequestAlias, is no condition key of kms:CreateGrant: iam-simulate
    refuses it."""
    policies, calls = _roles({"Steps": [_vpc_step("alias/prep-volume", "alias/prep-out")]})
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{ALIAS_KEY_ID}"
    grant = _call(calls, "kms:CreateGrant", key)
    assert grant.context == {"kms:GrantIsForAWSResource": "true",
                             "kms:ResourceAliases": "alias/prep-volume"}
    writes = [c for c in calls if c.action in _VOLUME_ONLY]
    assert {c.context.get("kms:ResourceAliases") for c in writes} == {"alias/prep-out"}
    probes = [replace(grant, context={**grant.context, "kms:ResourceAliases": "alias/other"}),
              replace(grant, context={"kms:GrantIsForAWSResource": "true"}),
              replace(grant, context={**grant.context, "kms:ResourceAliases": "alias/prep-out"}),
              *(replace(c, context={"kms:ResourceAliases": "alias/prep-volume"})
                for c in writes),
              *(replace(c, context={}) for c in writes)]
    _assert_decided(policies, [c for c in calls if c.action.startswith("kms:")], probes)
    assert_none(unneeded_units(policies, calls), "removing these denies no planned call")
    with pytest.raises(AssertionError, match="kms:RequestAlias"):
        decide([replace(request(grant), context={"kms:RequestAlias": "alias/prep-volume"})],
               policies[grant.role])


def _training(name: str, output: str, key: str) -> dict[str, Any]:
    return {"Name": name, "Type": "Training", "Arguments": {
        "TrainingJobName": name.lower(), "RoleArn": _ROLE,
        "AlgorithmSpecification": {"TrainingImage": _IMAGE, "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": output, "KmsKeyId": key},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                           "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600}}}


def _model(name: str, data: Any) -> dict[str, Any]:
    return {"Name": name, "Type": "Model", "Arguments": {
        "ModelName": name.lower(), "ExecutionRoleArn": _ROLE,
        "PrimaryContainer": {"Image": _IMAGE, "ModelDataUrl": data}}}


def test_an_input_another_step_wrote_with_sse_kms_is_decrypted_with_that_step_s_key() -> None:
    """GIVEN a training step writing with output key K and a model step whose artifact is
    a Get of the training step's ModelArtifacts, beside a model step with a literal
    artifact WHEN the roles are derived THEN the linked model's role may kms:Decrypt with K
    (and only decrypt), the unlinked one may not, and neither may use another key."""
    artifacts = {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    policies, calls = _roles({"Steps": [
        _training("Train", "s3://ml-out-111122223333/train", _KEY),
        _model("Linked", artifacts),
        _model("Unlinked", "s3://ml-out-111122223333/train/fixed/model.tar.gz"),
    ]})
    assert {c.role for c in calls if c.resource == _KEY} == {"job:Train", "job:Linked"}
    linked = [c for c in calls if c.role == "job:Linked" and c.action.startswith("kms:")]
    assert [c.action for c in linked] == ["kms:Decrypt"]
    probes = [replace(linked[0], role="job:Unlinked"), replace(linked[0], resource=_OTHER_KEY),
              replace(linked[0], action="kms:GenerateDataKey"),
              replace(linked[0], action="kms:Encrypt")]
    _assert_decided(policies, [c for c in calls if c.action.startswith("kms:")], probes)


# --- logs and the model's role ------------------------------------------------------------------


def test_log_group_calls_are_allowed_on_the_arn_cloudwatch_logs_authorizes() -> None:
    """GIVEN a processing step WHEN its role is derived THEN CreateLogGroup and
    DescribeLogStreams on '/aws/sagemaker/ProcessingJobs:*' (the group's ARN with the
    trailing ':*' the service evaluates them on) are allowed, on another group denied."""
    policies, calls = _roles({"Steps": [_vpc_step(ALIAS_KEY_ID)]})
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs:*"
    at_group = [c for c in calls if c.resource == group]
    assert {c.action for c in at_group} == {"logs:CreateLogGroup", "logs:DescribeLogStreams"}
    other = group.replace("ProcessingJobs", "TrainingJobs")
    _assert_decided(policies, at_group, [replace(c, resource=other) for c in at_group])


def _hosting(capture: dict[str, Any] | None, model: Any) -> list[dict[str, Any]]:
    config: dict[str, Any] = {"EndpointConfigName": "serve-config", "ProductionVariants": [
        {"VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": 1,
         "InstanceType": "ml.m5.large"}]}
    if capture is not None:
        config["DataCaptureConfig"] = capture
    return [
        {"Name": "Config", "Type": "EndpointConfig", "Arguments": config},
        {"Name": "Serve", "Type": "Endpoint", "Arguments": {
            "EndpointName": "serve-ep",
            "EndpointConfigName": {"Get": "Steps.Config.EndpointConfigName"}}},
    ]


_METRICS = PlannedCall("job:Model", "cloudwatch:PutMetricData", "*")


def test_a_model_s_role_serves_whatever_runs_it_and_warns_where_logs_are_unnamed() -> None:
    """GIVEN a model step hosted by no Endpoint step WHEN its role is derived THEN it may
    publish metrics in the endpoints' and transform jobs' namespaces (no name narrows
    them), is granted no endpoint's logs (their group is named after an endpoint the
    definition does not name) and says so in a warning naming the step; GIVEN the same
    model deployed by EndpointConfig and Endpoint steps THEN the named endpoint's log
    group is allowed, another endpoint's denied, and no warning."""
    artifact = "s3://ml-out-111122223333/model/model.tar.gz"
    alone = read_definition({"Steps": [_model("Model", artifact)]})
    (job,) = alone.jobs
    assert [n.id for n in job.notices] == [MODEL_ENDPOINTS_UNNAMED]
    assert "'Model'" in job.notices[0].message
    policies, calls = _roles({"Steps": [_model("Model", artifact)]})
    namespaces = [replace(_METRICS, context={"cloudwatch:namespace": f"/aws/sagemaker/{k}"})
                  for k in ("Endpoints", "TransformJobs")]
    stream = (f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints/serve-ep:"
              "log-stream:AllTraffic/i-0123456789abcdef0")
    assert not [c for c in calls if c.action.startswith("logs:")]
    _assert_decided(policies, namespaces, [
        replace(_METRICS, context={"cloudwatch:namespace": "/aws/sagemaker/TrainingJobs"}),
        PlannedCall("job:Model", "logs:PutLogEvents", stream)])

    hosted = read_definition({"Steps": [_model("Model", artifact),
                                        *_hosting(None, {"Get": "Steps.Model.ModelName"})]})
    assert not [n for n in hosted.jobs[0].notices if n.id == MODEL_ENDPOINTS_UNNAMED]
    policies, calls = _roles({"Steps": [_model("Model", artifact),
                                        *_hosting(None, {"Get": "Steps.Model.ModelName"})]})
    logs = [c for c in calls if c.action.startswith("logs:")]
    assert {c.resource.split("log-group:")[1].split(":")[0] for c in logs} == {
        "/aws/sagemaker/Endpoints/serve-ep"}
    _assert_decided(policies, logs, [replace(c, resource=c.resource.replace(
        "serve-ep", "other-ep")) for c in logs])


def test_endpoints_declared_for_a_model_get_their_logs_on_its_role() -> None:
    """GIVEN a model step hosted by no Endpoint step, with model_endpoints={'Model':
    ['fraud-prod']} WHEN its role is derived THEN CreateLogGroup and DescribeLogStreams on
    that endpoint's group (':*') and CreateLogStream and PutLogEvents on its streams are
    allowed, as for an endpoint an Endpoint step names; another endpoint's group (one whose
    name starts the same too) is denied; and no modelEndpointsUnnamed warning."""
    definition = {"Steps": [_model("Model", "s3://ml-out-111122223333/model/model.tar.gz")]}
    declared = {"Model": ["fraud-prod"]}
    reading = read_definition(definition, model_endpoints=declared)
    assert not [n for n in reading.jobs[0].notices if n.id == MODEL_ENDPOINTS_UNNAMED]
    policies, calls = _roles(definition, model_endpoints=declared)
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/sagemaker/Endpoints/fraud-prod"
    logs = [c for c in calls if c.action.startswith("logs:")]
    assert {(c.action, c.resource) for c in logs if c.resource == f"{group}:*"} == {
        ("logs:CreateLogGroup", f"{group}:*"), ("logs:DescribeLogStreams", f"{group}:*")}
    stream = PlannedCall("job:Model", "logs:PutLogEvents",
                         f"{group}:log-stream:AllTraffic/i-0123456789abcdef0")
    allowed = [*logs, stream, replace(stream, action="logs:CreateLogStream")]
    _assert_decided(policies, allowed, [
        replace(c, resource=c.resource.replace("fraud-prod", other))
        for c in allowed for other in ("other-ep", "fraud-prod-old")])


_BAD_ENDPOINT_NAMES = ["fraud*", "fraud-?", "-fraud", "fraud_prod", "a" * 64,
                       "${Token[TOKEN.123]}"]


def test_bad_model_endpoints_are_one_error_with_every_problem() -> None:
    """GIVEN model_endpoints naming a misspelt step, a step that is not a Model step, and
    names that are wildcards, not endpoint names (API_CreateEndpoint EndpointName) or a
    token WHEN read THEN one DefinitionError lists every problem, the misspelt step with
    the closest Model step."""
    definition = {"Steps": [_model("Model", "s3://ml-out-111122223333/model/model.tar.gz"),
                            _training("Train", "s3://ml-out-111122223333/train", _KEY)]}
    with pytest.raises(DefinitionError) as raised:
        read_definition(definition, model_endpoints={
            "Modle": ["fraud-prod"], "Train": ["fraud-prod"],
            "Model": ["fraud-prod", *_BAD_ENDPOINT_NAMES]})
    prop = "model_endpoints['Model']"
    assert [(p.prop, p.code) for p in raised.value.problems] == [
        (prop, "wildcard"), (prop, "wildcard"), (prop, "invalidEndpointName"),
        (prop, "invalidEndpointName"), (prop, "invalidEndpointName"), (prop, "token"),
        ("model_endpoints", "unknownStep"), ("model_endpoints", "notAModelStep")]
    assert "'Modle', which is no step of the definition; did you mean 'Model'?" in str(
        raised.value)
    assert "step 'Train', a Training step" in str(raised.value)
    assert read_definition(definition, model_endpoints={"Model": ["a" * 63, "f-p--2"]})


@pytest.mark.parametrize("given", [["Model"], "Model", {"Model": "fraud-prod"},
                                   {"Model": []}, {"Model": [3]}, {3: ["fraud-prod"]}])
def test_model_endpoints_of_the_wrong_shape_are_an_error(given: Any) -> None:
    """GIVEN model_endpoints that is not Model step -> list of endpoint names WHEN read
    THEN a DefinitionError says what to give, never a traceback."""
    with pytest.raises(DefinitionError, match=r"model_endpoints.*: give"):
        read_definition({"Steps": [_model("Model", "s3://ml-out-111122223333/m.tar.gz")]},
                        model_endpoints=given)


def test_data_capture_is_written_with_the_role_of_the_model_the_endpoint_serves() -> None:
    """GIVEN an EndpointConfig step whose variant serves a Model step's model, with a
    DataCaptureConfig (destination and key) WHEN the roles are derived THEN the model's
    role may write captured data under the destination with SSE-KMS under that key (and
    not make grants with it), not beside it, and nothing when EnableCapture is false;
    GIVEN a config whose model no step makes THEN a warning names the config step."""
    capture = {"DestinationS3Uri": "s3://capture-111122223333/serve", "KmsKeyId": _KEY,
               "InitialSamplingPercentage": 100,
               "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
    steps = [_model("Model", "s3://ml-out-111122223333/model/model.tar.gz"),
             *_hosting(capture, {"Get": "Steps.Model.ModelName"})]
    policies, calls = _roles({"Steps": steps})
    written = "arn:aws:s3:::capture-111122223333/serve/part-00000"
    put = _call(calls, "s3:PutObject", written)
    keys = [c for c in calls if c.resource == _KEY]
    assert {c.action for c in keys} == set(_VOLUME_ONLY) and {c.role for c in keys} == {
        "job:Model"}
    captured = "arn:aws:s3:::capture-111122223333/serve/serve-ep/AllTraffic/2026/12/07/10/x"
    _assert_decided(policies, [put, replace(put, resource=captured), *keys], [
        replace(put, resource="arn:aws:s3:::capture-111122223333/other/x"),
        replace(put, resource="arn:aws:s3:::capture-111122223333/serve-old/x"),
        replace(keys[0], action="kms:CreateGrant",
                context={"kms:GrantIsForAWSResource": "true"}),
        replace(keys[0], resource=_OTHER_KEY)])

    off = read_definition({"Steps": [steps[0], *_hosting(
        {**capture, "EnableCapture": False}, {"Get": "Steps.Model.ModelName"})]})
    assert not off.jobs[0].writes and not off.jobs[0].kms_keys  # capture turned off

    outside = read_definition({"Steps": _hosting(capture, "model-made-elsewhere")})
    notices = [n for n in outside.requirements.notices if n.id == MODEL_OUTSIDE_PIPELINE]
    assert len(notices) == 1 and "'Config'" in notices[0].message


def test_a_batch_transform_s_data_capture_is_written_with_its_model_s_role() -> None:
    """GIVEN a Transform step of a Model step's model with a DataCaptureConfig (destination
    and key) WHEN the roles are derived THEN the model's role may write the captured data
    under the destination with SSE-KMS under that key, not beside it nor with another key."""
    transform = {"Name": "Batch", "Type": "Transform", "Arguments": {
        "TransformJobName": "batch", "ModelName": {"Get": "Steps.Model.ModelName"},
        "TransformInput": {"DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://ml-in-111122223333/batch"}}},
        "TransformOutput": {"S3OutputPath": "s3://ml-out-111122223333/batch"},
        "TransformResources": {"InstanceCount": 1, "InstanceType": "ml.m5.large"},
        "DataCaptureConfig": {"DestinationS3Uri": "s3://capture-111122223333/batch",
                              "KmsKeyId": _KEY}}}
    policies, calls = _roles({"Steps": [
        _model("Model", "s3://ml-out-111122223333/model/model.tar.gz"), transform]})
    put = _call(calls, "s3:PutObject", "arn:aws:s3:::capture-111122223333/batch/part-00000")
    keys = [c for c in calls if c.resource == _KEY]
    assert put.role == "job:Model" and {c.action for c in keys} == set(_VOLUME_ONLY)
    _assert_decided(policies, [put, *keys], [
        replace(put, resource="arn:aws:s3:::capture-111122223333/other/part-00000"),
        replace(keys[0], resource=_OTHER_KEY)])


def test_a_literal_image_outside_ecr_gets_no_repository() -> None:
    """GIVEN a training step whose image is 'fakeimage' (no ECR image URI) and one whose
    image is in ECR WHEN their job roles pull THEN the ECR image's repository is allowed to
    its own job only; the 'fakeimage' job may pull from no repository."""
    ecr = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/fraud-train:1"

    def step(name: str, image: str) -> dict[str, Any]:
        return {"Name": name, "Type": "Training", "Arguments": {
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/R",
            "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
            "OutputDataConfig": {"S3OutputPath": "s3://ml-artifacts/out"},
            "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge",
                               "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 60}}}

    reading = read_definition({"Steps": [step("Fake", "fakeimage"), step("Real", ecr)]})
    policies = {job.step: render(job_statements(job)) for job in reading.jobs}
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/fraud-train"
    pull = [Request(f"{action} {repository}", f"arn:aws:iam::{ACCOUNT}:role/R", action,
                    repository) for action in ("ecr:BatchGetImage",
                                               "ecr:GetDownloadUrlForLayer")]
    assert set(decide(pull, policies["Real"]).values()) == {"Allowed"}
    other = [replace(r, id=f"{r.id}-other", resource=repository.replace("fraud-train", "x"))
             for r in pull]
    assert set(decide([*pull, *other], policies["Fake"]).values()) == {"ImplicitlyDenied"}
