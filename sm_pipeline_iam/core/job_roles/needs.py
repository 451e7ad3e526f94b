"""What the jobs of a pipeline need from the roles they run as, as plain data. No CDK.

A step that starts a SageMaker job hands it a role (``RoleArn``, a model's
``ExecutionRoleArn``); SageMaker needs that role to read the job's inputs, pull its image,
write its outputs, logs and metrics, and use its VPC and KMS keys (AWS page "How to use
SageMaker AI execution roles"). :class:`JobNeeds` holds exactly that for one step, read
from the definition through the catalog's :class:`~sm_pipeline_iam.core.catalog.schema.JobSpec`;
another step's data is reachable only where the definition links the two (an input that
is a ``Get`` of the other step's output resolves to that output's location).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields

from ..catalog.automl import AUTOML_REGISTRIES, AUTOML_REPOSITORIES, AUTOML_REPOSITORY_NAMES
from ..catalog.schema import KeyUse, StepType
from ..execution_role.policy import PLACEHOLDERS
from ..locations import S3ObjectPattern
from ..notices import Notice, Unresolved


@dataclass(frozen=True, order=True)
class ServiceCall:
    """One API call a job makes itself with its role (not SageMaker storing its data):
    Clarify's shadow endpoint, the models an AutoML job deploys, passing its own role on.

    Attributes:
        action: the IAM action (``sagemaker:CreateEndpoint``).
        resource: the resource ARN pattern (the reader's placeholders for partition,
            region and account).
        reason: why the job makes the call, and the AWS page that says so.
        condition: ``(operator, key, value)`` triples the request must match.
        inferred: True where no AWS document says the job makes the call so.
    """

    action: str
    resource: str
    reason: str
    condition: tuple[tuple[str, str, str], ...] = ()
    inferred: bool = False


@dataclass(frozen=True)
class JobNeeds:
    """What the job of one step (or, merged, of several steps) needs from its role.

    Attributes:
        steps: the steps whose jobs run as the role (one, unless merged).
        step_types: their step types.
        role_arns: the roles the definition gives those jobs today.
        job_names: the jobs' name patterns (log streams, per-job output folders).
        reads: objects the jobs read.
        lists: ``(bucket, s3:prefix pattern)`` the jobs list.
        writes: objects the jobs write.
        repositories: ECR repository ARNs of the images the jobs pull.
        log_streams: ``(log group, stream pattern)`` the jobs write logs to.
        metric_namespaces: CloudWatch namespaces the jobs publish metrics in.
        subnets: subnet ids of the jobs' VPC configs.
        security_groups: security group ids of the jobs' VPC configs.
        kms_keys: ``(key ARN, use)``: the KMS keys the jobs use, each with what for (the
            actions its role needs follow from the use; an alias ARN stands for the key
            behind it).
        service_calls: API calls the jobs make themselves (:class:`ServiceCall`).
        runs_as_step: for a Transform step, the Model step whose role its job runs as.
        notices: the warnings about these needs (values known only at run time...).
        unresolved: the values behind ``unresolvedDefinitionValue`` warnings among them.
    """

    steps: tuple[str, ...]
    step_types: tuple[StepType, ...]
    role_arns: tuple[str, ...] = ()
    job_names: tuple[str, ...] = ()
    reads: tuple[S3ObjectPattern, ...] = ()
    lists: tuple[tuple[str, str], ...] = ()
    writes: tuple[S3ObjectPattern, ...] = ()
    repositories: tuple[str, ...] = ()
    log_streams: tuple[tuple[str, str], ...] = ()
    metric_namespaces: tuple[str, ...] = ()
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    kms_keys: tuple[tuple[str, KeyUse], ...] = ()
    service_calls: tuple[ServiceCall, ...] = ()
    runs_as_step: str | None = None
    notices: tuple[Notice, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()

    @property
    def step(self) -> str:
        """The (first) step whose job runs as the role."""
        return self.steps[0]


def merge_needs(needs: Iterable[JobNeeds]) -> JobNeeds:
    """One role's needs for several steps' jobs: the union of each field, sorted."""
    items = list(needs)
    merged: dict[str, object] = {}
    for item in fields(JobNeeds):
        if item.name == "runs_as_step":
            continue
        if item.name in ("notices", "unresolved"):
            merged[item.name] = tuple(dict.fromkeys(v for n in items for v in getattr(
                n, item.name)))
            continue
        values: set[object] = set()
        ordered: list[object] = []
        for need in items:
            for value in getattr(need, item.name):
                if value not in values:
                    values.add(value)
                    ordered.append(value)
        merged[item.name] = tuple(ordered) if item.name in ("steps", "step_types") else tuple(
            sorted(ordered, key=str)
        )
    return JobNeeds(**merged)  # type: ignore[arg-type]


def automl_repositories(region: str) -> list[str]:
    """The ARNs of the AutoML images' repositories (:data:`AUTOML_REPOSITORY_NAMES`) in
    ``region``'s registries (:data:`AUTOML_REGISTRIES`); for a region not known here (a
    placeholder or token: an environment-agnostic stack), in every listed account, with the
    region left as it is. Empty for a region the table does not list."""
    if region in AUTOML_REGISTRIES:
        accounts: list[set[str]] = [{a} if a else set() for a in AUTOML_REGISTRIES[region]]
    elif re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
        return []
    else:
        accounts = [set(), set(), set()]
        for listed in AUTOML_REGISTRIES.values():
            for group, account in zip(accounts, listed, strict=True):
                if account:
                    group.add(account)
    return [f"arn:{PLACEHOLDERS.partition}:ecr:{region}:{account}:repository/{name}"
            for names, group in zip(AUTOML_REPOSITORY_NAMES, accounts, strict=True)
            for account in sorted(group) for name in names]


def repository_arns(repositories: tuple[str, ...], region: str) -> list[str]:
    """``repositories`` with :data:`AUTOML_REPOSITORIES` made the AutoML images' ARNs in
    ``region``."""
    return [arn for repository in repositories for arn in (
        automl_repositories(region) if repository == AUTOML_REPOSITORIES else [repository])]
