"""The S3 grants of the job roles a definition derives (core.definition's job locations,
core.locations' rule), held against what SageMaker reads and writes (AWS API reference):
bucket-root outputs, key-name-prefix inputs (S3Prefix), manifests and the objects they
list, and framework code archives. Each table is evaluated by iam-simulate against the
role ``job_statements`` makes for the step: the calls SageMaker makes are allowed, their
neighbours (another bucket, another job's folder, a sibling key) denied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from test_plan import assert_none, decide, render, wrong

from iamsim import Request
from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.core.job_roles.assignment import job_role_needs
from sm_pipeline_iam.core.job_roles.needs import JobNeeds
from sm_pipeline_iam.core.job_roles.policy import job_statements
from sm_pipeline_iam.core.notices import (
    INPUT_PREFIX_OVERLAPS,
    MANIFEST_UNDECLARED,
    MODEL_ENDPOINTS_UNNAMED,
)
from support.cfn import ACCOUNT, REGION

BUCKET = "ml-data-111122223333"
OTHER_BUCKET = "other-bucket-111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/JobRole"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/train:1"
#: A job of the prefix 'fraud' and one of another step's default naming.
JOB = "fraud-a1b2c3d4e5f6-x7Kq9PzT2m"
OTHER_JOB = "pipelines-a1b2c3d4e5f6-OtherStep-x7Kq9PzT2m-1"

ALLOWED, DENIED = "Allowed", "ImplicitlyDenied"

#: (action, key or None for the bucket, s3:prefix or None, bucket, expected)
Row = tuple[str, str | None, str | None, str, str]


def _training(name: str, *, inputs: Sequence[dict[str, Any]] = (), output: str | None = None,
              hyperparameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "TrainingJobName": "fraud",
        "RoleArn": ROLE,
        "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        "InputDataConfig": [{"ChannelName": f"c{i}", "DataSource": {"S3DataSource": source}}
                            for i, source in enumerate(inputs)],
        "OutputDataConfig": {"S3OutputPath": output or f"s3://{BUCKET}/fraud/models"},
    }
    if hyperparameters is not None:
        arguments["HyperParameters"] = dict(hyperparameters)
    return {"Name": name, "Type": "Training", "Arguments": arguments}


def _processing(name: str, *, inputs: Sequence[dict[str, Any]] = (),
                outputs: Sequence[str] = ()) -> dict[str, Any]:
    return {"Name": name, "Type": "Processing", "Arguments": {
        "ProcessingJobName": "prep",
        "RoleArn": ROLE,
        "AppSpecification": {"ImageUri": IMAGE},
        "ProcessingInputs": [{"InputName": f"i{i}", "S3Input": source}
                             for i, source in enumerate(inputs)],
        "ProcessingOutputConfig": {"Outputs": [
            {"OutputName": f"o{i}", "S3Output": {"S3Uri": uri, "S3UploadMode": "EndOfJob"}}
            for i, uri in enumerate(outputs)]},
    }}


def _model(name: str, container: Mapping[str, Any]) -> dict[str, Any]:
    return {"Name": name, "Type": "Model", "Arguments": {
        "ModelName": "fraud-model", "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": IMAGE, **container}}}


def _jobs(*steps: dict[str, Any], **options: Any) -> dict[str, JobNeeds]:
    reading = read_definition({"Steps": list(steps)}, **options)
    return {job.step: job for job in reading.jobs}


def _check(needs: JobNeeds, rows: Sequence[Row]) -> None:
    """Each row asked by the role ``job_statements(needs)`` makes: as expected."""
    policy = render(job_statements(needs))
    requests, expected = [], {}
    for action, key, prefix, bucket, want in rows:
        resource = f"arn:aws:s3:::{bucket}" + (f"/{key}" if key is not None else "")
        context = {"s3:prefix": prefix} if prefix is not None else {}
        item = Request(f"{action} {resource} {context}", ROLE, action, resource, context)
        requests.append(item)
        expected[item.id] = want
    assert_none(wrong(decide(requests, policy), expected), "not as expected")


def _ids(needs: JobNeeds) -> list[str]:
    return [notice.id for notice in needs.notices]


# --- 1. bucket-root locations --------------------------------------------------------------


@pytest.mark.parametrize("root", [f"s3://{BUCKET}", f"s3://{BUCKET}/"])
def test_a_training_output_at_a_bucket_root_is_written_under_the_jobs_own_folder(
    root: str,
) -> None:
    """GIVEN a training step whose S3OutputPath is a bucket root (SDK v2's default) WHEN its
    role is derived THEN the job writes '<bucket>/<job name>/output/model.tar.gz', and
    another job's folder, the bucket's top level and another bucket are denied."""
    needs = _jobs(_training("Train", output=root))["Train"]
    _check(needs, [
        ("s3:PutObject", f"{JOB}/output/model.tar.gz", None, BUCKET, ALLOWED),
        ("s3:PutObject", f"{JOB.lower()}/output/model.tar.gz", None, BUCKET, ALLOWED),
        ("s3:PutObject", f"{OTHER_JOB}/output/model.tar.gz", None, BUCKET, DENIED),
        ("s3:PutObject", "model.tar.gz", None, BUCKET, DENIED),
        ("s3:PutObject", f"{JOB}/output/model.tar.gz", None, OTHER_BUCKET, DENIED),
    ])


@pytest.mark.parametrize("root", [f"s3://{BUCKET}", f"s3://{BUCKET}/"])
def test_a_processing_output_at_a_bucket_root_writes_any_key_of_that_bucket(root: str) -> None:
    """GIVEN a processing output 's3://b' WHEN its role is derived THEN the job writes
    'b/part-0.csv' (and deeper keys); another bucket is denied, and nothing is read."""
    needs = _jobs(_processing("Prep", outputs=[root]))["Prep"]
    _check(needs, [
        ("s3:PutObject", "part-0.csv", None, BUCKET, ALLOWED),
        ("s3:PutObject", "train/part-0.csv", None, BUCKET, ALLOWED),
        ("s3:PutObject", "part-0.csv", None, OTHER_BUCKET, DENIED),
        ("s3:GetObject", "part-0.csv", None, BUCKET, DENIED),
    ])


@pytest.mark.parametrize("root", [f"s3://{BUCKET}", f"s3://{BUCKET}/"])
def test_a_model_reads_the_artifacts_of_a_training_step_at_a_bucket_root(root: str) -> None:
    """GIVEN a training step whose S3OutputPath is a bucket root and a model whose
    ModelDataUrl is that step's ModelArtifacts.S3ModelArtifacts WHEN the model's role is
    derived THEN it reads '<bucket>/<job name>/output/model.tar.gz' (one '/', not '//'), and
    not another job's artifacts."""
    needs = _jobs(_training("Train", output=root), _model("Serve", {"ModelDataUrl": {
        "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}}))["Serve"]
    _check(needs, [
        ("s3:GetObject", f"{JOB}/output/model.tar.gz", None, BUCKET, ALLOWED),
        ("s3:GetObject", f"{OTHER_JOB}/output/model.tar.gz", None, BUCKET, DENIED),
        ("s3:GetObject", f"{JOB}/output/model.tar.gz", None, OTHER_BUCKET, DENIED),
    ])


def test_job_role_and_definition_agree_on_a_bucket_root() -> None:
    """GIVEN the same bucket-root output given to JobRole and written by a processing step
    WHEN both are derived THEN both write the same objects (one rule)."""
    from_settings, problems = job_role_needs(job_kinds=["ProcessingJobs"],
                                             outputs=[f"s3://{BUCKET}"])
    assert not problems
    from_definition = _jobs(_processing("Prep", outputs=[f"s3://{BUCKET}/"]))["Prep"]
    assert from_settings.writes == from_definition.writes


def test_json_get_and_cleanup_of_a_bucket_root_keep_their_objects() -> None:
    """GIVEN a Cleanup of 's3://b/' and a JsonGet of a literal object WHEN read THEN the
    execution role deletes the bucket's objects and reads that object, as before."""
    reading = read_definition({"Steps": [
        _processing("Prep", outputs=[f"s3://{BUCKET}/out"]),
        {"Name": "Clean", "Type": "Cleanup", "Arguments": {"Resources": {"S3": [
            {"S3Uris": [f"s3://{BUCKET}/"]}]}}},
        {"Name": "Check", "Type": "Condition", "Arguments": {"Conditions": [{
            "Type": "Equals", "RightValue": 1, "LeftValue": {"Std:JsonGet": {
                "S3Uri": f"s3://{BUCKET}/out/metrics.json", "Path": "a"}}}],
            "IfSteps": [], "ElseSteps": []}},
    ]})
    requirements = reading.requirements
    assert {str(o) for o in requirements.json_get_objects} == {
        f"s3://{BUCKET}/out/metrics.json"}
    assert f"{BUCKET}/*" in {value for values in requirements.given.values()
                            for value in values}


# --- 2. key-name-prefix inputs -------------------------------------------------------------


def _prefix_rows(bucket: str = BUCKET) -> list[Row]:
    return [
        ("s3:GetObject", "train", None, bucket, ALLOWED),
        ("s3:GetObject", "train/part-0.csv", None, bucket, ALLOWED),
        ("s3:GetObject", "train-2024/part-0.csv", None, bucket, ALLOWED),
        ("s3:ListBucket", None, "train", bucket, ALLOWED),
        ("s3:ListBucket", None, "train-2024/", bucket, ALLOWED),
        ("s3:GetObject", "test/part-0.csv", None, bucket, DENIED),
        ("s3:GetObject", "other/train/part-0.csv", None, bucket, DENIED),
        ("s3:GetObject", "train/part-0.csv", None, OTHER_BUCKET, DENIED),
        ("s3:PutObject", "train-2024/part-0.csv", None, bucket, DENIED),
        ("s3:ListBucket", None, "test/", bucket, DENIED),
        ("s3:ListBucket", None, "train", OTHER_BUCKET, DENIED),
    ]


@pytest.mark.parametrize("data_type", [{"S3DataType": "S3Prefix"}, {}])
def test_an_s3prefix_training_input_reads_every_key_starting_with_it(
    data_type: dict[str, str],
) -> None:
    """GIVEN a training input 's3://b/train' with S3DataType S3Prefix (or none: the default)
    WHEN its role is derived THEN SageMaker's reads of every key starting with 'train'
    ('train-2024/part-0.csv' too) and its listing with that prefix are allowed; other keys,
    buckets, prefixes and writes are denied."""
    source = {"S3Uri": f"s3://{BUCKET}/train", **data_type}
    _check(_jobs(_training("Train", inputs=[source]))["Train"], _prefix_rows())


def test_an_s3prefix_processing_input_reads_every_key_starting_with_it() -> None:
    """GIVEN a processing S3Input 's3://b/train' (S3Prefix, API_ProcessingS3Input) WHEN its
    role is derived THEN the same key-name prefix rule holds."""
    source = {"S3Uri": f"s3://{BUCKET}/train", "S3DataType": "S3Prefix",
              "LocalPath": "/opt/ml/processing/input"}
    _check(_jobs(_processing("Prep", inputs=[source]))["Prep"], _prefix_rows())


def test_an_input_uri_ending_with_a_slash_is_a_folder() -> None:
    """GIVEN a training input 's3://b/train/' WHEN its role is derived THEN the objects under
    'train/' (and listing 'train/') are allowed, and 'train-2024/...' is denied."""
    source = {"S3Uri": f"s3://{BUCKET}/train/", "S3DataType": "S3Prefix"}
    needs = _jobs(_training("Train", inputs=[source]))["Train"]
    _check(needs, [
        ("s3:GetObject", "train/part-0.csv", None, BUCKET, ALLOWED),
        ("s3:ListBucket", None, "train/", BUCKET, ALLOWED),
        ("s3:GetObject", "train-2024/part-0.csv", None, BUCKET, DENIED),
        ("s3:ListBucket", None, "train-2024/", BUCKET, DENIED),
    ])


def test_s3object_model_data_is_that_object_only() -> None:
    """GIVEN a model whose ModelDataSource is S3Object (API_S3ModelDataSource) WHEN its role is
    derived THEN that object is read, and neither its siblings nor keys under it."""
    needs = _jobs(_model("CreateModel", {"ModelDataSource": {"S3DataSource": {
        "S3Uri": f"s3://{BUCKET}/models/model.tar.gz", "S3DataType": "S3Object",
        "CompressionType": "Gzip"}}}))["CreateModel"]
    _check(needs, [
        ("s3:GetObject", "models/model.tar.gz", None, BUCKET, ALLOWED),
        ("s3:GetObject", "models/model.tar.gz-old", None, BUCKET, DENIED),
        ("s3:GetObject", "models/model.tar.gz/x", None, BUCKET, DENIED),
        ("s3:ListBucket", None, "models/model.tar.gz", BUCKET, DENIED),
    ])


def test_a_prefix_that_covers_another_steps_location_is_named_in_a_warning() -> None:
    """GIVEN Train reads 's3://b/train' (S3Prefix) and Prep writes 's3://b/train-eval' WHEN
    read THEN Train's job carries inputPrefixOverlaps naming both steps and both
    locations, with the fix (end the URI with '/'); Prep's job carries none."""
    jobs = _jobs(
        _processing("Prep", outputs=[f"s3://{BUCKET}/train-eval"]),
        _training("Train", inputs=[{"S3Uri": f"s3://{BUCKET}/train"}]),
    )
    (notice,) = [n for n in jobs["Train"].notices if n.id == INPUT_PREFIX_OVERLAPS]
    for text in ("'Train'", "'Prep'", f"s3://{BUCKET}/train'", f"s3://{BUCKET}/train-eval'",
                 f"'s3://{BUCKET}/train/'"):
        assert text in notice.message
    assert INPUT_PREFIX_OVERLAPS not in _ids(jobs["Prep"])


def test_an_overlap_through_the_same_run_time_part_is_named() -> None:
    """GIVEN Train reads 's3://b/fraud/<execution id>/train' and Prep writes
    's3://b/fraud/<execution id>/train-eval' (the same Std:Join) WHEN read THEN Train's job
    carries inputPrefixOverlaps."""
    def join(tail: str) -> dict[str, Any]:
        return {"Std:Join": {"On": "/", "Values": [
            f"s3://{BUCKET}/fraud", {"Get": "Execution.PipelineExecutionId"}, tail]}}

    prep = _processing("Prep")
    prep["Arguments"]["ProcessingOutputConfig"]["Outputs"] = [
        {"OutputName": "eval", "S3Output": {"S3Uri": join("train-eval"),
                                            "S3UploadMode": "EndOfJob"}}]
    jobs = _jobs(prep, _training("Train", inputs=[{"S3Uri": join("train")}]))
    assert INPUT_PREFIX_OVERLAPS in _ids(jobs["Train"])


@pytest.mark.parametrize("train_input", [
    {"S3Uri": f"s3://{BUCKET}/train/"},
    {"S3Uri": {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs['o0'].S3Output.S3Uri"}},
    {"S3Uri": f"s3://{BUCKET}/train", "S3DataType": "ManifestFile"},
], ids=["folder", "linked-output", "manifest"])
def test_no_overlap_warning_for_a_folder_a_linked_output_or_a_manifest(
    train_input: dict[str, Any],
) -> None:
    """GIVEN Train's input is a folder, exactly Prep's output (a Get), or a manifest WHEN
    read THEN no inputPrefixOverlaps: the input reaches nothing of Prep beyond what the
    definition links."""
    jobs = _jobs(
        _processing("Prep", outputs=[f"s3://{BUCKET}/train"]),
        _training("Train", inputs=[train_input]),
    )
    assert INPUT_PREFIX_OVERLAPS not in _ids(jobs["Train"])


# --- 3. manifests --------------------------------------------------------------------------

_MANIFEST = {"S3Uri": f"s3://{BUCKET}/manifests/train.manifest",
             "S3DataType": "AugmentedManifestFile"}


def test_an_undeclared_manifest_grants_the_manifest_and_warns() -> None:
    """GIVEN a training input that is an augmented manifest, without manifest_locations WHEN
    its role is derived THEN the manifest is read, the objects it may list are not, and
    manifestObjectsUndeclared names the step, the manifest and the option."""
    needs = _jobs(_training("Train", inputs=[_MANIFEST]))["Train"]
    _check(needs, [
        ("s3:GetObject", "manifests/train.manifest", None, BUCKET, ALLOWED),
        ("s3:GetObject", "images/cat.jpg", None, BUCKET, DENIED),
        ("s3:GetObject", "manifests/train.manifest-old", None, BUCKET, DENIED),
        ("s3:ListBucket", None, "manifests/", BUCKET, DENIED),
    ])
    (notice,) = [n for n in needs.notices if n.id == MANIFEST_UNDECLARED]
    for text in ("'Train'", f"s3://{BUCKET}/manifests/train.manifest",
                 "manifest_locations={'Train'"):
        assert text in notice.message


def test_declared_manifest_locations_are_read_by_that_steps_role_only() -> None:
    """GIVEN manifest_locations={'Train': ['s3://b/images']} WHEN the roles are derived THEN
    Train's role reads the objects under 'images/', not 'images-old/' nor another bucket,
    without the warning; another step's role does not read them."""
    jobs = _jobs(
        _training("Train", inputs=[_MANIFEST]),
        _processing("Prep", outputs=[f"s3://{BUCKET}/prep"]),
        manifest_locations={"Train": [f"s3://{BUCKET}/images"]},
    )
    _check(jobs["Train"], [
        ("s3:GetObject", "images/cat.jpg", None, BUCKET, ALLOWED),
        ("s3:GetObject", "manifests/train.manifest", None, BUCKET, ALLOWED),
        ("s3:GetObject", "images-old/cat.jpg", None, BUCKET, DENIED),
        ("s3:GetObject", "images/cat.jpg", None, OTHER_BUCKET, DENIED),
    ])
    assert MANIFEST_UNDECLARED not in _ids(jobs["Train"])
    _check(jobs["Prep"], [("s3:GetObject", "images/cat.jpg", None, BUCKET, DENIED)])


def test_bad_manifest_locations_are_one_error_with_every_problem() -> None:
    """GIVEN manifest_locations naming a misspelt step, a step without a manifest input, a
    wildcard, a non-S3 value and a bad bucket WHEN read THEN one DefinitionError lists each,
    with the closest step name."""
    with pytest.raises(DefinitionError) as raised:
        read_definition({"Steps": [
            _training("Train", inputs=[_MANIFEST]),
            _processing("Prep", outputs=[f"s3://{BUCKET}/prep"]),
        ]}, manifest_locations={
            "Trian": [f"s3://{BUCKET}/images"],
            "Prep": [f"s3://{BUCKET}/images"],
            "Train": [f"s3://{BUCKET}/images/*", "images", "s3://Bad_Bucket/x"],
        })
    codes = {(p.prop, p.code) for p in raised.value.problems}
    assert codes >= {
        ("manifest_locations", "unknownStep"),
        ("manifest_locations", "noManifestInput"),
        ("manifest_locations['Train']", "wildcard"),
        ("manifest_locations['Train']", "notAnS3Uri"),
        ("manifest_locations['Train']", "invalidBucketName"),
    }
    assert "did you mean 'Train'?" in str(raised.value)


@pytest.mark.parametrize("given", ["s3://b/images", {"Train": "s3://b/images"}, {"Train": []}])
def test_manifest_locations_of_the_wrong_shape_are_an_error(given: Any) -> None:
    """GIVEN manifest_locations that is not step -> list of S3 URIs WHEN read THEN a
    DefinitionError, no traceback."""
    with pytest.raises(DefinitionError):
        read_definition({"Steps": [_training("Train", inputs=[_MANIFEST])]},
                        manifest_locations=given)


# --- 4. framework code ---------------------------------------------------------------------

_CODE = f"s3://{BUCKET}/fraud/code/sourcedir.tar.gz"
_CODE_ROWS: list[Row] = [
    ("s3:GetObject", "fraud/code/sourcedir.tar.gz", None, BUCKET, ALLOWED),
    ("s3:GetObject", "fraud/code/other.tar.gz", None, BUCKET, DENIED),
    ("s3:GetObject", "fraud/code/sourcedir.tar.gz", None, OTHER_BUCKET, DENIED),
    ("s3:ListBucket", None, "fraud/code/", BUCKET, DENIED),
    ("s3:PutObject", "fraud/code/sourcedir.tar.gz", None, BUCKET, DENIED),
]


def test_a_json_quoted_submit_directory_is_read_by_the_training_job() -> None:
    """GIVEN an SDK v2 script-mode training step (HyperParameters.sagemaker_submit_directory
    is the JSON text '"s3://.../sourcedir.tar.gz"') WHEN its role is derived THEN that
    archive is read, and nothing beside it."""
    needs = _jobs(_training("Train", hyperparameters={
        "sagemaker_submit_directory": json.dumps(_CODE),
        "sagemaker_program": json.dumps("train.py")}))["Train"]
    _check(needs, _CODE_ROWS)


def test_an_sdk_v2_repack_step_reads_its_code_and_the_model_only() -> None:
    """GIVEN the Training step SDK v2 adds to repack a model (_RepackModelStep: the model
    archive as its 'training' channel, the launcher's code as sagemaker_submit_directory,
    JSON-quoted names of files in /opt/ml/code) WHEN its role is derived THEN it reads the
    code archive and the model, nothing named by the other hyperparameters."""
    model = f"s3://{BUCKET}/fraud/models/model.tar.gz"
    needs = _jobs(_training("RepackModel", inputs=[{"S3Uri": model, "S3DataType": "S3Prefix"}],
                            hyperparameters={
        "inference_script": json.dumps("inference.py"),
        "model_archive": json.dumps(model),
        "dependencies": json.dumps(None),
        "source_dir": json.dumps(_CODE),
        "sagemaker_submit_directory": json.dumps(_CODE),
        "sagemaker_program": json.dumps("_repack_script_launcher.sh"),
    }))["RepackModel"]
    assert {str(o) for o in needs.reads} == {_CODE, f"{model}*"}
    _check(needs, _CODE_ROWS)


def test_a_submit_directory_given_by_a_parameter_is_read_once_bound() -> None:
    """GIVEN the hyperparameter as an expression (a Std:Join of a parameter, as SDK v2 writes
    a pipeline variable) bound with parameter_values WHEN its role is derived THEN the
    bound archive is read."""
    join = {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Code"}]}}
    needs = _jobs(_training("Train", hyperparameters={"sagemaker_submit_directory": join}),
                  parameter_values={"Code": [_CODE]})["Train"]
    _check(needs, _CODE_ROWS)


def test_a_tuning_steps_static_submit_directory_is_read() -> None:
    """GIVEN a tuning step whose StaticHyperParameters carry sagemaker_submit_directory WHEN
    its role is derived THEN that archive is read."""
    training = _training("Tune", hyperparameters=None)["Arguments"]
    definition = {key: training[key] for key in (
        "RoleArn", "AlgorithmSpecification", "InputDataConfig", "OutputDataConfig")}
    definition["StaticHyperParameters"] = {"sagemaker_submit_directory": json.dumps(_CODE)}
    step = {"Name": "Tune", "Type": "Tuning", "Arguments": {
        "HyperParameterTuningJobName": "fraud",
        "HyperParameterTuningJobConfig": {"Strategy": "Bayesian"},
        "TrainingJobDefinition": definition}}
    _check(_jobs(step)["Tune"], _CODE_ROWS)


@pytest.mark.parametrize("where", ["PrimaryContainer", "Containers"])
def test_a_models_submit_directory_is_read_by_the_models_role(where: str) -> None:
    """GIVEN a model whose Environment.SAGEMAKER_SUBMIT_DIRECTORY (in its primary container,
    or one of its Containers) is an S3 archive WHEN its role is derived THEN that archive is
    read, nothing beside it."""
    container = {"Image": IMAGE, "Environment": {"SAGEMAKER_SUBMIT_DIRECTORY": _CODE}}
    step = {"Name": "CreateModel", "Type": "Model", "Arguments": {
        "ModelName": "fraud-model", "ExecutionRoleArn": ROLE,
        where: container if where == "PrimaryContainer" else [container]}}
    _check(_jobs(step)["CreateModel"], _CODE_ROWS)


@pytest.mark.parametrize("value", ["", "/opt/ml/model/code", "file:///home/user/src"])
def test_a_submit_directory_that_is_not_s3_reads_nothing(value: str) -> None:
    """GIVEN SAGEMAKER_SUBMIT_DIRECTORY that is a path in the container (code repacked into
    the model), a local file:// path or empty, and the same JSON-quoted hyperparameter WHEN
    read THEN no S3 read, no problem, no warning about the code (the model's one warning is
    about the endpoints the definition does not name, modelEndpointsUnnamed)."""
    jobs = _jobs(
        _model("CreateModel", {"Environment": {"SAGEMAKER_SUBMIT_DIRECTORY": value}}),
        _training("Train", hyperparameters={"sagemaker_submit_directory": json.dumps(value)}),
    )
    assert jobs["CreateModel"].reads == ()
    assert {str(o) for o in jobs["Train"].reads} == set()
    assert _ids(jobs["CreateModel"]) == [MODEL_ENDPOINTS_UNNAMED] and _ids(jobs["Train"]) == []
