""":class:`~sm_pipeline_iam.core.jobs.JobNeeds` -> the statements of the role a job runs as.

Each statement is scoped as IAM allows (sources: the AWS page "How to use SageMaker AI
execution roles" and the Service Authorization Reference): S3 objects under the job's own
inputs and outputs, listing only under its input prefixes (``s3:prefix``), its image's ECR
repository, its job kind's log group and its own log streams, metrics in its job kind's
namespace (``cloudwatch:namespace``), network interfaces in its own subnets and security
groups, and its KMS keys. Only ``ecr:GetAuthorizationToken``, ``cloudwatch:PutMetricData``
and the EC2 ``Describe*`` calls have no resource type: they are granted on ``*`` (the
metrics with their namespace condition), each with its reason. No CDK import.
"""

from __future__ import annotations

from collections import defaultdict

from .jobs import JobNeeds
from .locations import S3ObjectPattern
from .policy import PLACEHOLDERS, S3_ARN, ArnEnvironment, Statement, render_environment

S3_READ = ("s3:GetObject",)
S3_WRITE = ("s3:AbortMultipartUpload", "s3:PutObject")
ECR_PULL = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
LOG_GROUP_ACTIONS = ("logs:CreateLogGroup", "logs:DescribeLogStreams")
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
KMS_ACTIONS = ("kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
               "kms:GenerateDataKey")

#: The job roles' actions that IAM gives no resource type (granted on '*').
NO_RESOURCE_ACTIONS = frozenset(("ecr:GetAuthorizationToken", "cloudwatch:PutMetricData",
                                 *EC2_DESCRIBE))

#: Why each wildcard of a job role exists (the cdk-nag acknowledgements say it).
NO_RESOURCE_REASON = "IAM gives these actions no resource type"
S3_REASON = (
    "objects under the job's own input and output locations (a Get of another step's "
    "output, such as an AutoML best candidate's model, resolves to that output; a @step "
    "function's payload and results lie under its s3_base_uri and output path), and "
    "run-time parts of those paths"
)
LOG_REASON = (
    "the job's own log streams, named '<job name>/...' (its Debugger rule jobs' by the "
    "training job's name cut to 26 characters; an AutoML job's candidate jobs, which "
    "SageMaker names, by any stream of their kinds' log groups)"
)
ENI_REASON = "the network interfaces SageMaker creates in the job's own subnets"


def _arn(service: str, resource: str, env: ArnEnvironment) -> str:
    return f"arn:{env.partition}:{service}:{env.region}:{env.account}:{resource}"


def job_statements(needs: JobNeeds, env: ArnEnvironment = PLACEHOLDERS) -> list[Statement]:
    """Every statement the role of ``needs``' jobs must hold, deterministic and sorted."""
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
        [render_environment(arn, env) for arn in needs.repositories],
        reason="the repositories of images whose URI holds a run-time value (a step "
        "property such as an AutoML best candidate's image: its region's registries)")
    if needs.repositories:
        add("JobRegistryToken", ("ecr:GetAuthorizationToken",), ["*"],
            reason=NO_RESOURCE_REASON)
    groups = sorted({group for group, _ in needs.log_streams})
    add("JobLogGroups", LOG_GROUP_ACTIONS,
        [_arn("logs", f"log-group:{group}", env) for group in groups])
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
    keys = [render_environment(arn, env) for arn in needs.kms_keys]
    add("JobUsesKeys", KMS_ACTIONS, [arn for arn in keys if ":alias/" not in arn],
        reason="keys whose id holds a run-time value")
    # KMS authorizes a call made through an alias on the key behind it: any key of the
    # account, but only when the request names that alias.
    aliases = sorted(arn.split(":alias/", 1)[1] for arn in keys if ":alias/" in arn)
    add("JobUsesKeysByAlias", KMS_ACTIONS,
        [_arn("kms", "key/*", env)] if aliases else [],
        tuple(("StringEquals", "kms:RequestAlias", f"alias/{alias}") for alias in aliases),
        reason="the key behind an alias the job names (kms:RequestAlias)")
    statements.extend(_service_statements(needs, env))
    return sorted(statements, key=lambda s: s.sid)


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
