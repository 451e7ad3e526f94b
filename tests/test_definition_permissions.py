"""Roles derived from real definitions, evaluated by a real IAM engine."""

from __future__ import annotations

import pytest

from iamsim import Request
from support.cfn import ACCOUNT, REGION, Resolver
from support.tables import PRINCIPAL, SAGEMAKER, assert_all, decide, pass_role

SM = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/{{}}"
EVALUATION = "arn:aws:s3:::ml-artifacts-111122223333/fraud/evaluation/evaluation.json"


def _job(action: str, resource: str) -> Request:
    return Request(f"{action} {resource}", PRINCIPAL, action, f"{SM}:{resource}")


def _read(arn: str) -> Request:
    return Request(f"read {arn}", PRINCIPAL, "s3:GetObject", arn)


@pytest.mark.parametrize(
    ("scenario", "preprocess", "model"),
    [
        ("definition_default_naming", "pipelines-x1y2-PreprocessData-tok-0",
         "pipelines-x1y2-CreateFraudModel-tok-0"),
        ("definition_prefixed", "fraud-preprocess-x1y2-tok-0", "fraud-model-x1y2-tok-0"),
    ],
)
def test_the_derived_role_allows_what_the_definition_runs(
    resolvers: dict[str, Resolver], scenario: str, preprocess: str, model: str
) -> None:
    """GIVEN a role from a definition WHEN its steps act THEN their jobs, group, roles and
    property file are allowed."""
    allowed = [
        _job("sagemaker:CreateProcessingJob", f"processing-job/{preprocess}"),
        _job("sagemaker:StopProcessingJob", f"processing-job/{preprocess}"),
        _job("sagemaker:CreateTrainingJob", "training-job/pipelines-x1y2-TrainModel-tok-0"),
        _job("sagemaker:CreateModel", f"model/{model}"),
        _job("sagemaker:CreateModelPackage", "model-package/fraud-models/3"),
        _job("sagemaker:CreateModelPackageGroup", "model-package-group/fraud-models"),
        pass_role(ROLE.format("FraudTrainingRole"), SAGEMAKER),
        pass_role(ROLE.format("FraudProcessingRole"), SAGEMAKER),
        _read(EVALUATION),
    ]
    assert_all(decide(resolvers[scenario], allowed), "Allowed")


@pytest.mark.parametrize("scenario", ["definition_default_naming", "definition_prefixed"])
def test_the_derived_role_denies_everything_else(
    resolvers: dict[str, Resolver], scenario: str
) -> None:
    """GIVEN a role from a definition WHEN other steps, groups, roles or objects are asked
    THEN denied."""
    denied = [
        _job("sagemaker:CreateProcessingJob", "processing-job/pipelines-x1y2-OtherStep-tok-0"),
        _job("sagemaker:CreateProcessingJob", "processing-job/other-preprocess-x1y2"),
        _job("sagemaker:CreateTransformJob", "transform-job/pipelines-x1y2-PreprocessData-t"),
        _job("sagemaker:CreateModelPackage", "model-package/other-models/3"),
        _job("sagemaker:CreateEndpoint", "endpoint/fraud-endpoint"),
        pass_role(ROLE.format("FraudTrainingRole"), "ec2.amazonaws.com"),
        pass_role(ROLE.format("AdminRole"), SAGEMAKER),
        _read(EVALUATION.replace("evaluation.json", "other.json")),
        _read("arn:aws:s3:::ml-artifacts-111122223333/raw/transactions.csv"),
    ]
    assert_all(decide(resolvers[scenario], denied), "ImplicitlyDenied")


def test_integrations_act_only_on_the_definitions_resources(
    resolvers: dict[str, Resolver],
) -> None:
    """GIVEN the integrations definition (ScoresPrefix bound) WHEN its steps act THEN their
    own function, queue, cluster, application, objects and roles only."""
    resolver = resolvers["definition_integrations"]
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:approvals"
    cluster = f"arn:aws:elasticmapreduce:{REGION}:{ACCOUNT}:cluster/j-1ABCDEFGHIJKL"
    application = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/00fabcdefghij012"
    scores = "arn:aws:s3:::ml-artifacts-111122223333/scores/x1y2z3a4b5c6/summary.json"
    scratch = "arn:aws:s3:::ml-artifacts-111122223333/tmp/features/part-0000.parquet"
    allowed = [
        Request("invoke", PRINCIPAL, "lambda:InvokeFunction",
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:score"),
        Request("send", PRINCIPAL, "sqs:SendMessage", queue),
        Request("add-step", PRINCIPAL, "elasticmapreduce:AddJobFlowSteps", cluster),
        Request("run-job-flow", PRINCIPAL, "elasticmapreduce:RunJobFlow", "*"),
        Request("start-run", PRINCIPAL, "emr-serverless:StartJobRun", application),
        Request("create-app", PRINCIPAL, "emr-serverless:CreateApplication", "*"),
        Request("read-scores", PRINCIPAL, "s3:GetObject", scores),
        Request("cleanup", PRINCIPAL, "s3:DeleteObject", scratch),
        pass_role(ROLE.format("EmrRuntimeRole"), "elasticmapreduce.amazonaws.com"),
        pass_role(ROLE.format("EMR_EC2_DefaultRole"), "ec2.amazonaws.com"),
        pass_role(ROLE.format("EmrServerlessJobRole"), "emr-serverless.amazonaws.com"),
    ]
    denied = [
        Request("invoke-other", PRINCIPAL, "lambda:InvokeFunction",
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other"),
        Request("send-other", PRINCIPAL, "sqs:SendMessage", queue + "-dlq"),
        Request("read-other", PRINCIPAL, "s3:GetObject",
                "arn:aws:s3:::ml-artifacts-111122223333/raw/summary.json"),
        Request("cleanup-other", PRINCIPAL, "s3:DeleteObject",
                "arn:aws:s3:::ml-artifacts-111122223333/models/model.tar.gz"),
        pass_role(ROLE.format("EmrRuntimeRole"), SAGEMAKER),
        pass_role(ROLE.format("EmrServerlessJobRole"), "elasticmapreduce.amazonaws.com"),
    ]
    assert_all(decide(resolver, allowed), "Allowed")
    assert_all(decide(resolver, denied), "ImplicitlyDenied")
