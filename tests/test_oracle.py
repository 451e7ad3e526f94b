"""The oracle itself (tests/oracle): the calls it lists are the ones AWS's pages describe.

These pin the oracle's reading of AWS's pages on small definitions, so that a change to the
oracle that would let the run-time truth tests pass for the wrong reason shows here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from oracle import EXECUTION_ID, Call, OracleError, job_calls, neighbour_calls

ROLE = "arn:aws:iam::111122223333:role/JobRole"
BUCKET = "arn:aws:s3:::b"
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/fraud/train:1"


def _training(**arguments: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "AlgorithmSpecification": {"TrainingImage": IMAGE},
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://b/train"}}}],
        "OutputDataConfig": {"S3OutputPath": "s3://b/"}, "RoleArn": ROLE}
    return {"Name": "TrainModel", "Type": "Training", "Arguments": {**base, **arguments}}


def _calls(*steps: dict[str, Any], **kw: Any) -> list[Call]:
    return job_calls({"Steps": list(steps)}, kw.pop("parameters", {}), pipeline_name="p", **kw)


def _pairs(calls: list[Call], family: str | None = None) -> set[tuple[str, str]]:
    return {(c.action, c.resource) for c in calls if family is None or c.family == family}


def test_training_writes_under_the_job_name_at_a_bucket_root() -> None:
    """GIVEN S3OutputPath s3://b/ and default naming WHEN listed THEN the artifacts are
    b/pipelines-<id>-<step>-<token>-<n>/output/model.tar.gz (no empty folder)."""
    job = f"pipelines-{EXECUTION_ID}-TrainModel-Ab12Cd34Ef-0"
    assert ("s3:PutObject", f"{BUCKET}/{job}/output/model.tar.gz") in _pairs(_calls(_training()))


def test_an_s3_prefix_is_a_key_name_prefix() -> None:
    """GIVEN S3Prefix s3://b/train WHEN listed THEN train, train/... and train-2024/... are
    read and the bucket listed with s3:prefix train."""
    calls = _calls(_training())
    assert {("s3:GetObject", f"{BUCKET}/train"), ("s3:GetObject", f"{BUCKET}/train/part-0.csv"),
            ("s3:GetObject", f"{BUCKET}/train-2024/part-0.csv")} <= _pairs(calls, "s3-input")
    (listing,) = [c for c in calls if c.action == "s3:ListBucket"]
    assert listing.resource == BUCKET and dict(listing.context) == {"s3:prefix": "train"}


def test_a_manifest_and_what_it_lists_are_read() -> None:
    """GIVEN a ManifestFile channel and its listing WHEN listed THEN the manifest and the
    listed object are read, nothing under the manifest's name."""
    step = _training(InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {
        "S3DataType": "ManifestFile", "S3Uri": "s3://b/m.manifest"}}}])
    calls = _calls(step, manifests={"s3://b/m.manifest": ["s3://c/images/1.jpg"]})
    assert _pairs(calls, "s3-input") == {("s3:GetObject", f"{BUCKET}/m.manifest"),
                                         ("s3:GetObject", "arn:aws:s3:::c/images/1.jpg")}


def test_the_submit_directory_is_unquoted_and_read() -> None:
    """GIVEN SDK v2's JSON-quoted sagemaker_submit_directory WHEN listed THEN the object is
    read by the training job's role."""
    step = _training(HyperParameters={"sagemaker_submit_directory": json.dumps(
        "s3://b/code/sourcedir.tar.gz")})
    assert _pairs(_calls(step), "code") == {("s3:GetObject", f"{BUCKET}/code/sourcedir.tar.gz")}


def test_logs_name_the_group_with_a_trailing_star() -> None:
    """GIVEN a training job WHEN listed THEN CreateLogGroup and DescribeLogStreams are on
    log-group:/aws/sagemaker/TrainingJobs:* (literal) and PutLogEvents on its stream."""
    calls = [c for c in _calls(_training()) if c.family == "logs"]
    group = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/TrainingJobs"
    assert {(c.action, c.resource) for c in calls if c.literal} == {
        ("logs:CreateLogGroup", f"{group}:*"), ("logs:DescribeLogStreams", f"{group}:*")}
    assert any(c.action == "logs:PutLogEvents" and c.resource.startswith(
        f"{group}:log-stream:pipelines-{EXECUTION_ID}-TrainModel-") for c in calls)


@pytest.mark.parametrize(("key", "resource", "aliases"), [
    ("1234abcd-12ab-34cd-56ef-1234567890ab",
     "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", None),
    ("alias/ml", None, ("alias/ml",)),
    ("arn:aws:kms:us-east-1:111122223333:alias/ml", None, ("alias/ml",)),
])
def test_each_key_field_gets_its_own_call(key: str, resource: str | None,
                                          aliases: tuple[str, ...] | None) -> None:
    """GIVEN a volume key and an output key WHEN listed THEN the volume key gets CreateGrant
    for an AWS resource and the output key GenerateDataKey; an alias is the key's
    kms:ResourceAliases, never kms:RequestAlias on CreateGrant."""
    step = _training(OutputDataConfig={"S3OutputPath": "s3://b/", "KmsKeyId": key},
                     ResourceConfig={"VolumeKmsKeyId": key})
    calls = {c.family: c for c in _calls(step) if c.family.startswith("kms")}
    assert calls["kms-volume"].action == "kms:CreateGrant"
    assert dict(calls["kms-volume"].context)["kms:GrantIsForAWSResource"] == "true"
    assert calls["kms-output"].action == "kms:GenerateDataKey"
    for call in calls.values():
        assert resource is None or call.resource == resource
        assert dict(call.context).get("kms:ResourceAliases") == aliases
        assert "kms:RequestAlias" not in dict(call.context)


def test_a_transform_runs_as_its_models_role() -> None:
    """GIVEN a Transform of a pipeline model WHEN listed THEN its calls carry the model's
    ExecutionRoleArn and it writes <output>/<input file>.out."""
    model = {"Name": "M", "Type": "Model", "Arguments": {
        "ExecutionRoleArn": "arn:aws:iam::111122223333:role/ModelRole",
        "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": "s3://b/model.tar.gz"}}}
    transform = {"Name": "T", "Type": "Transform", "Arguments": {
        "ModelName": {"Get": "Steps.M.ModelName"},
        "TransformInput": {"DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://b/in/batch.csv"}}},
        "TransformOutput": {"S3OutputPath": "s3://b/out"}}}
    calls = [c for c in _calls(model, transform) if c.step == "T"]
    assert {c.role for c in calls} == {"arn:aws:iam::111122223333:role/ModelRole"}
    assert ("s3:PutObject", f"{BUCKET}/out/batch.csv.out") in _pairs(calls)


def test_a_neighbour_inside_the_roles_own_prefix_is_no_neighbour() -> None:
    """GIVEN step A writing b/out/x and step B (another role) reading the prefix b/out WHEN
    neighbours are listed THEN B reading A's object is none (the definition links them),
    B overwriting it is one; every call gets an another-bucket neighbour."""
    writer = {"Name": "A", "Type": "Processing", "Arguments": {
        "AppSpecification": {"ImageUri": IMAGE}, "RoleArn": "arn:aws:iam::111122223333:role/A",
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "o", "S3Output": {
            "S3Uri": "s3://b/out"}}]}}}
    reader = _training(RoleArn="arn:aws:iam::111122223333:role/B",
                       InputDataConfig=[{"ChannelName": "train", "DataSource": {
                           "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/out"}}}],
                       OutputDataConfig={"S3OutputPath": "s3://c/models"})
    neighbours = neighbour_calls(_calls(writer, reader))
    of_b = {(c.action, c.resource) for c in neighbours if c.role.endswith("/B")}
    assert ("s3:PutObject", f"{BUCKET}/out/part-0.csv") in of_b
    assert ("s3:GetObject", f"{BUCKET}/out/part-0.csv") not in of_b
    assert ("s3:GetObject", "arn:aws:s3:::b-neighbour/out/part-0.csv") in of_b


def test_a_value_the_oracle_cannot_evaluate_is_an_error() -> None:
    """GIVEN a property the oracle does not know WHEN listed THEN OracleError, never a
    silent pass."""
    step = _training(OutputDataConfig={"S3OutputPath": {"Get": "Steps.X.Unknown"}})
    with pytest.raises(OracleError, match="no step named X"):
        _calls(step)
