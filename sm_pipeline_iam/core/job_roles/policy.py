""":class:`~sm_pipeline_iam.core.job_roles.needs.JobNeeds` -> the statements of the role a job runs
as.

Each statement is scoped as IAM allows (sources: the AWS page "How to use SageMaker AI
execution roles" and the Service Authorization Reference): S3 objects of the job's own
inputs (key-name prefixes, folders, objects) and under its outputs, listing only its input
prefixes (``s3:prefix``), its image's ECR
repository, its job kind's log group and its own log streams, metrics in its job kind's
namespace (``cloudwatch:namespace``), network interfaces in its own subnets and security
groups, and its KMS keys, each with the actions its use needs (:data:`KEY_ACTIONS`). Only
``ecr:GetAuthorizationToken``, ``cloudwatch:PutMetricData`` and the EC2 ``Describe*`` calls
have no resource type: they are granted on ``*`` (the metrics with their namespace
condition), each with its reason. No CDK import.
"""

from __future__ import annotations

from collections import defaultdict

from ..catalog.schema import KeyUse
from ..execution_role.policy import (
    PLACEHOLDERS,
    S3_ARN,
    ArnEnvironment,
    Statement,
    render_environment,
)
from ..locations import S3ObjectPattern
from .needs import JobNeeds, repository_arns

S3_READ = ("s3:GetObject",)
S3_WRITE = ("s3:AbortMultipartUpload", "s3:PutObject")
ECR_PULL = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
LOG_GROUP_ACTIONS = ("logs:CreateLogGroup", "logs:DescribeLogStreams")
#: CloudWatch Logs authorizes every log-group action but tagging on the group's ARN with a
#: trailing ':*' (AWS page "Overview of managing access permissions to your CloudWatch Logs
#: resources": the ARN DescribeLogGroups returns), which the Service Authorization
#: Reference's log-group ARN leaves out.
LOG_GROUP_SUFFIX = ":*"
LOG_STREAM_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
ENI_CREATE = ("ec2:CreateNetworkInterface",)
ENI_MANAGE = (
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
)
EC2_DESCRIBE = (
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
)
#: What each use of a key needs (sources in :class:`~sm_pipeline_iam.core.catalog.schema.KeyUse`).
KEY_ACTIONS: dict[KeyUse, tuple[str, ...]] = {
    KeyUse.VOLUME: ("kms:CreateGrant",),
    KeyUse.OUTPUT: ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"),
    KeyUse.INPUT: ("kms:Decrypt",),
}
#: A volume key's grant is made by EBS for the job's instance: only grants for AWS
#: resources (AWS KMS Developer Guide, "kms:GrantIsForAWSResource").
KEY_CONDITIONS: dict[KeyUse, tuple[tuple[str, str, str], ...]] = {
    KeyUse.VOLUME: (("Bool", "kms:GrantIsForAWSResource", "true"),),
}
#: The condition that names an alias's key: kms:ResourceAliases, a condition key of the
#: key resource type and so of every action on a key (CreateGrant included, which
#: kms:RequestAlias is not; Service Authorization Reference), true whether the request
#: names the key by the alias or by its ARN (AWS KMS Developer Guide, "Use aliases to
#: control access to KMS keys").
ALIAS_CONDITION = ("ForAnyValue:StringEquals", "kms:ResourceAliases")

#: The job roles' actions that IAM gives no resource type (granted on '*').
NO_RESOURCE_ACTIONS = frozenset(("ecr:GetAuthorizationToken", "cloudwatch:PutMetricData",
                                 *EC2_DESCRIBE))

#: Why each wildcard of a job role exists (the cdk-nag acknowledgements say it).
NO_RESOURCE_REASON = "IAM gives these actions no resource type"
S3_REASON = (
    "the job's own inputs (key-name prefixes, folders, objects, declared manifest folders) "
    "and objects under its output locations (a Get of another step's output, such as an "
    "AutoML best candidate's model, resolves to that output; a @step function's payload "
    "and results lie under its s3_base_uri and output path), and run-time parts of those "
    "paths"
)
LOG_REASON = (
    "the job's own log streams, named '<job name>/...' (its Debugger rule jobs' by the "
    "training job's name cut to 26 characters; an AutoML job's candidate jobs, which "
    "SageMaker names, by any stream of their kinds' log groups)"
)
LOG_GROUP_REASON = (
    "the job kind's log group: CloudWatch Logs authorizes CreateLogGroup and "
    "DescribeLogStreams on the group's ARN ending in ':*'"
)
ENI_REASON = "the network interfaces SageMaker creates in the job's own subnets"


def _arn(service: str, resource: str, env: ArnEnvironment) -> str:
    return f"arn:{env.partition}:{service}:{env.region}:{env.account}:{resource}"


def job_statements(needs: JobNeeds, env: ArnEnvironment = PLACEHOLDERS,
                   region: str | None = None) -> list[Statement]:
    """Every statement the role of ``needs``' jobs must hold, deterministic and sorted;
    ``region``: the role's region where it is known (else ``env``'s), for the AutoML
    images' registries, which differ by region."""
    statements: list[Statement] = []

    def add(sid: str, actions: tuple[str, ...], resources: list[str],
            condition: tuple[tuple[str, str, str], ...] = (), reason: str = "") -> None:
        if resources:
            statements.append(Statement(sid, tuple(sorted(actions)), tuple(sorted(set(
                resources))), condition, wildcard_reason=reason))

    def objects(patterns: tuple[S3ObjectPattern, ...]) -> list[str]:
        return [S3_ARN.format(partition=env.partition, name=f"{p.bucket}/{p.key_pattern}")
                for p in patterns]

    add("JobReadsObjects", S3_READ, objects(needs.reads), reason=S3_REASON)
    add("JobWritesObjects", S3_WRITE, objects(needs.writes), reason=S3_REASON)
    prefixes: dict[str, list[str]] = defaultdict(list)
    for bucket, prefix in needs.lists:
        prefixes[bucket].append(prefix)
    for number, (bucket, keys) in enumerate(sorted(prefixes.items()), start=1):
        add(f"JobListsPrefixes{number}", ("s3:ListBucket",),
            [S3_ARN.format(partition=env.partition, name=bucket)],
            tuple(("StringLike", "s3:prefix", key) for key in sorted(set(keys))),
            reason=S3_REASON)
    add("JobPullsImages", ECR_PULL,
        [render_environment(arn, env)
         for arn in repository_arns(needs.repositories, region or env.region)],
        reason="the repositories of images whose URI holds a run-time value (a step "
        "property such as an AutoML best candidate's image: its region's registries)")
    if needs.repositories:
        add("JobRegistryToken", ("ecr:GetAuthorizationToken",), ["*"],
            reason=NO_RESOURCE_REASON)
    groups = sorted({group for group, _ in needs.log_streams})
    add("JobLogGroups", LOG_GROUP_ACTIONS,
        [_arn("logs", f"log-group:{group}{LOG_GROUP_SUFFIX}", env) for group in groups],
        reason=LOG_GROUP_REASON)
    add("JobLogStreams", LOG_STREAM_ACTIONS,
        [_arn("logs", f"log-group:{group}:log-stream:{stream}", env)
         for group, stream in needs.log_streams], reason=LOG_REASON)
    add("JobMetrics", ("cloudwatch:PutMetricData",), ["*"] if needs.metric_namespaces else [],
        tuple(("StringEquals", "cloudwatch:namespace", ns) for ns in needs.metric_namespaces),
        reason=NO_RESOURCE_REASON)
    if needs.subnets:
        network = [_arn("ec2", f"subnet/{s}", env) for s in needs.subnets] + [
            _arn("ec2", f"security-group/{g}", env) for g in needs.security_groups]
        add("JobCreatesNetworkInterfaces", ENI_CREATE,
            [*network, _arn("ec2", "network-interface/*", env)], reason=ENI_REASON)
        add("JobManagesNetworkInterfaces", ENI_MANAGE,
            [_arn("ec2", "network-interface/*", env)],
            tuple(("ArnEquals", "ec2:Subnet", _arn("ec2", f"subnet/{s}", env))
                  for s in needs.subnets), reason=ENI_REASON)
        add("JobDescribesNetwork", EC2_DESCRIBE, ["*"], reason=NO_RESOURCE_REASON)
    uses = {use: {render_environment(arn, env) for arn, key_use in needs.kms_keys
                  if key_use is use} for use in KeyUse}
    # An output key's statement already lets the role decrypt with it.
    uses[KeyUse.INPUT] -= uses[KeyUse.OUTPUT]
    for use in KeyUse:
        statements.extend(_key_statements(use, sorted(uses[use])))
    statements.extend(_service_statements(needs, env))
    return sorted(statements, key=lambda s: s.sid)


def _key_statements(use: KeyUse, keys: list[str]) -> list[Statement]:
    """The statements of the keys of one use: by key ARN, and per account and region of
    aliases, on the keys there that carry one of the aliases (kms:ResourceAliases)."""
    sid = f"JobKeysFor{use.value.title()}s"
    actions, condition = KEY_ACTIONS[use], KEY_CONDITIONS.get(use, ())
    statements = []
    by_arn = sorted({arn for arn in keys if ":alias/" not in arn})
    if by_arn:
        statements.append(Statement(sid, actions, tuple(by_arn), condition,
                                    wildcard_reason="keys whose id holds a run-time value"))
    # KMS authorizes a call on the key, never on the alias that named it: the keys of the
    # alias's account and region, only while they carry that alias.
    aliases: dict[str, set[str]] = defaultdict(set)
    for arn in keys:
        if ":alias/" in arn:
            head, alias = arn.split(":alias/", 1)
            aliases[f"{head}:key/*"].add(f"alias/{alias}")
    for number, (resource, names) in enumerate(sorted(aliases.items()), start=1):
        statements.append(Statement(
            f"{sid}ByAlias{number}", actions, (resource,),
            (*condition, *((*ALIAS_CONDITION, name) for name in sorted(names))),
            wildcard_reason="the key behind an alias the job names (kms:ResourceAliases)"))
    return statements


def _service_statements(needs: JobNeeds, env: ArnEnvironment) -> list[Statement]:
    """The API calls the job makes itself: one statement per reason, condition and set of
    actions (a resource gets only the actions named for it, never its neighbours')."""
    grouped: dict[tuple[str, tuple[tuple[str, str, str], ...]], dict[str, set[str]]] = {}
    for call in needs.service_calls:
        condition = tuple((op, key, render_environment(value, env))
                          for op, key, value in call.condition)
        resources = grouped.setdefault((call.reason, condition), {})
        resources.setdefault(render_environment(call.resource, env), set()).add(call.action)
    statements: list[Statement] = []
    for (reason, condition), resources in sorted(grouped.items()):
        by_actions: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for resource, granted in resources.items():
            by_actions[tuple(sorted(granted))].append(resource)
        for actions, arns in sorted(by_actions.items()):
            statements.append(Statement(
                f"JobCallsServices{len(statements) + 1}", actions, tuple(sorted(arns)),
                tuple(sorted(condition)), wildcard_reason=reason))
    return statements
