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
from sm_pipeline_iam.core.definition import read_definition
from sm_pipeline_iam.core.job_policy import job_statements
from sm_pipeline_iam.core.notices import STEP_NAME_NOT_IN_JOB_NAMES, UNSCOPED_DEFAULT_NAMES
from sm_pipeline_iam.core.plan import EXECUTION_ROLE, PlannedCall, access_plan
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


def _expect(role: str, probes: list[PlannedCall], planned: set[Any]
            ) -> dict[str, tuple[Request, str]]:
    """Each probe asked by ``role``: allowed only when the plan has that call for it."""
    expected = {}
    for probe in probes:
        asked = replace(probe, role=role)
        item = request(asked, tag="probe ")
        expected[item.id] = (item, "Allowed" if asked.key in planned else "ImplicitlyDenied")
    return expected


def _check(name: str, probes_of: dict[str, list[PlannedCall]]) -> list[str]:
    """Each role's probes, in one iam-simulate process: the failures."""
    policies = job_policies(name)
    planned = _keys(job_calls(name))
    expected: dict[str, tuple[Request, str]] = {}
    for role, probes in probes_of.items():
        expected.update(_expect(role, probes, planned))
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
        group = group_arn.rsplit("log-group:", 1)[1]
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
# iam-simulate authorizes a request on a KMS key only through the key's own policy (as KMS
# does), and tests/iamsim passes no resource policies: every KMS request would be denied
# whatever the role holds. The KMS calls are therefore matched against the role's
# statements here (action, resource by IAM's wildcard rules, and the simple condition
# operators), in both directions: each planned call granted, each granted key planned.

_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def _vpc_step(volume_key: str) -> dict[str, Any]:
    return {
        "Name": "Prep", "Type": "Processing",
        "Arguments": {
            "ProcessingJobName": "prep",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/PrepRole",
            "AppSpecification": {
                "ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/prep:1"},
            "ProcessingInputs": [{"S3Input": {"S3Uri": "s3://ml-in-111122223333/data",
                                              "S3DataType": "S3Prefix"}}],
            "ProcessingOutputConfig": {
                "Outputs": [{"S3Output": {"S3Uri": "s3://ml-out-111122223333/prep"}}],
                "KmsKeyId": _KEY,
            },
            "NetworkConfig": {"VpcConfig": {"Subnets": ["subnet-0a1b2c3d"],
                                            "SecurityGroupIds": ["sg-0a1b2c3d"]}},
            "ProcessingResources": {"ClusterConfig": {"VolumeKmsKeyId": volume_key}},
        },
    }


#: Condition operators the KMS matching below understands (value equal, or IAM wildcards).
_OPERATORS = {"StringEquals": False, "ArnEquals": False, "StringLike": True, "ArnLike": True}


def _kms_grants(policy: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(action, resource, statement.get("Condition", {}))
            for statement in policy["Statement"]
            if any(a.startswith("kms:") for a in statement["Action"])
            for action in statement["Action"] for resource in statement["Resource"]]


def _grants(grant: tuple[str, str, dict[str, Any]], call: PlannedCall) -> bool:
    action, resource, condition = grant
    if action != call.action or not glob(resource).fullmatch(call.resource):
        return False
    for operator, keys in condition.items():
        assert operator in _OPERATORS, f"cannot judge condition operator {operator}"
        for key, values in keys.items():
            given = call.context.get(key)
            allowed = values if isinstance(values, list) else [values]
            if given is None or not any(
                glob(v).fullmatch(given) if _OPERATORS[operator] else v == given
                for v in allowed
            ):
                return False
    return True


def _kms_mismatches(calls: list[PlannedCall], policy: dict[str, Any]) -> list[str]:
    """Planned KMS calls no grant covers, and KMS grants no planned call uses."""
    grants = _kms_grants(policy)
    kms = [c for c in calls if c.action.startswith("kms:")]
    assert kms
    ungranted = [f"not granted: {c.action} {c.resource} {dict(c.context)}" for c in kms
                 if not any(_grants(g, c) for g in grants)]
    unused = [f"not needed: {g[0]} {g[1]} {g[2]}" for g in grants
              if not any(_grants(g, c) for c in kms)]
    return ungranted + unused


def test_a_job_in_a_vpc_with_kms_keys_gets_exactly_its_network_and_keys() -> None:
    """GIVEN a processing step with a VpcConfig, an output key (ARN) and a volume key (id)
    WHEN its role is derived THEN its network interfaces in its subnet and security group
    are allowed and other subnets denied, its keys (and only they) are granted, and no
    statement is unneeded."""
    reading = read_definition({"Steps": [_vpc_step("1234abcd-12ab-34cd-56ef-1234567890ab")]})
    calls = [c for c in access_plan(reading, ENV) if c.role != EXECUTION_ROLE]
    (needs,) = reading.jobs
    policy = render(job_statements(needs))
    assert {"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeVpcs",
            "kms:CreateGrant", "kms:GenerateDataKey"} <= {c.action for c in calls}
    simulated = [c for c in calls if not c.action.startswith("kms:")]
    requests = [request(c) for c in simulated]
    assert_none(wrong(decide(requests, policy), {r.id: "Allowed" for r in requests}),
                "not as planned")
    other_subnet = f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-0fffffff"
    probes = []
    for call in simulated:
        if call.action == "ec2:CreateNetworkInterface" and ":subnet/" in call.resource:
            probes.append(replace(call, resource=other_subnet))
        elif "ec2:Subnet" in call.context:
            probes.append(replace(call, context={"ec2:Subnet": other_subnet}))
    denied = [request(p, tag="probe ") for p in probes]
    assert denied
    assert_none(wrong(decide(denied, policy), {r.id: "ImplicitlyDenied" for r in denied}),
                "not denied")
    assert_none(_kms_mismatches(calls, policy), "KMS grants and calls apart")
    other_key = _KEY.replace("0b1c2d3e", "ffffffff")
    assert not any(glob(r).fullmatch(other_key) for _, r, _ in _kms_grants(policy))
    without_keys = {**policy, "Statement": [
        s for s in policy["Statement"] if not any(a.startswith("kms:") for a in s["Action"])]}
    assert_none(unneeded_units({simulated[0].role: without_keys}, simulated),
                "removing these denies no planned call")


def test_a_kms_alias_grants_the_key_behind_it() -> None:
    """GIVEN a volume key named by its alias (VolumeKmsKeyId 'alias/prep-volume') WHEN the
    job's role is derived THEN the job's calls on the key behind the alias (requests name
    the alias in kms:RequestAlias; KMS authorizes them on the key, never on the alias's
    ARN) are granted, and no grant is left that they do not use."""
    reading = read_definition({"Steps": [_vpc_step("alias/prep-volume")]})
    calls = [c for c in access_plan(reading, ENV) if c.role != EXECUTION_ROLE]
    assert any(c.context.get("kms:RequestAlias") == "alias/prep-volume" for c in calls)
    (needs,) = reading.jobs
    assert_none(_kms_mismatches(calls, render(job_statements(needs))),
                "KMS grants and calls apart")


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
