"""Who may assume the library's roles (SageMaker, in the stack's account, optionally for
one pipeline only) and who may pass them (to SageMaker only)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...core.catalog.services import SAGEMAKER


def grant_pass_to_sagemaker(role: iam.IRole, grantee: iam.IGrantable) -> iam.Grant:
    """Let ``grantee`` pass ``role`` to SageMaker (``iam:PassedToService``), and to nothing
    else."""
    return iam.Grant.add_to_principal(
        grantee=grantee,
        actions=["iam:PassRole"],
        resource_arns=[role.role_arn],
        conditions={"StringEquals": {"iam:PassedToService": SAGEMAKER}},
    )


def sagemaker_trust(scope: Construct) -> iam.IPrincipal:
    """SageMaker as the trusted service, limited to the stack's account.

    ``aws:SourceAccount`` holds both when the pipeline assumes the role (source: the
    pipeline) and when its jobs do (source: the job), which an ``aws:SourceArn``
    condition would have to list separately (confused-deputy protection).
    """
    return iam.ServicePrincipal(SAGEMAKER).with_conditions(
        {"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}
    )


def pipeline_execution_source_arns(scope: Construct, pipeline_name: str) -> list[str]:
    """The ``aws:SourceArn`` patterns SageMaker sends when a pipeline named
    ``pipeline_name`` assumes its execution role: its executions,
    ``arn:<partition>:sagemaker:<region>:<account>:pipeline/<name>/*`` (AWS page
    "Cross-service confused deputy prevention", section SageMaker Pipelines: the pattern
    must not be narrowed to one execution). Whether SageMaker lower-cases the name inside
    the ARN is unconfirmed, so a mixed-case name yields both spellings."""
    stack = Stack.of(scope)
    names = [pipeline_name]
    if not Token.is_unresolved(pipeline_name) and pipeline_name.lower() != pipeline_name:
        names.append(pipeline_name.lower())
    return [f"arn:{stack.partition}:sagemaker:{stack.region}:{stack.account}:pipeline/{name}/*"
            for name in names]


def restrict_trust_to_sources(role: iam.Role, source_arns: Sequence[str]) -> None:
    """Let SageMaker assume ``role`` only for the resources of ``source_arns``
    (``ArnLike aws:SourceArn``, beside ``aws:SourceAccount``): no other SageMaker resource
    of the account (a notebook instance, another pipeline) may assume it."""
    cfn_role = role.node.default_child
    assert isinstance(cfn_role, iam.CfnRole)
    # The trust policy's one statement is sagemaker_trust's (the CDK exposes no statement
    # of a made document to change, so the condition is set on the template).
    cfn_role.add_property_override(
        "AssumeRolePolicyDocument.Statement.0.Condition.ArnLike",
        {"aws:SourceArn": list(source_arns)},
    )
