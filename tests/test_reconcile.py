"""`sm-pipeline-iam reconcile`: CloudTrail records of the sample pipeline's executions
(tests/fixtures/cloudtrail, written from AWS's documented record format) against its access
plan and grants: denied calls with their fixes, plan misses, unused grants; every input
form; one clear error per unreadable file; the exit codes."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sm_pipeline_iam.review.cli import main
from sm_pipeline_iam.review.reconcile import reconcile
from sm_pipeline_iam.review.reconcile.calls import is_denied
from sm_pipeline_iam.review.reconcile.compare import PipelineResult
from sm_pipeline_iam.review.reconcile.output import GRANTS_NOTE
from sm_pipeline_iam.review.reconcile.pipelines import RoleModel, from_definition

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES / "cloudtrail"))
import records as R  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "pipeline.json"
ROLE_OPTIONS = [item for step, arn in R.JOB_ROLES.items()
                for item in ("--job-role", f"{step}={arn}")] + [
    "--keep-roles-for", "EvaluateAbaloneModel"]
DEFINITION_OPTIONS = ["--definition", str(SAMPLE), "--pipeline-name", "sample-abalone",
                      "--execution-role", R.EXECUTION_ROLE, *ROLE_OPTIONS]


def _model() -> Any:
    return from_definition(SAMPLE, execution_role=R.EXECUTION_ROLE,
                           pipeline_name="sample-abalone", job_roles=R.JOB_ROLES,
                           keep_roles_for=["EvaluateAbaloneModel"])


def _run_records(*, clean: bool = False, branch_taken: bool = True) -> list[dict[str, Any]]:
    clock = R.Clock()
    found = [*R.execution(clock, "a1b2c3d4e5f6", branch_taken=branch_taken)]
    if not clean:
        found += [*R.execution(clock, "b2c3d4e5f6a7", kept_role_denied=True),
                  *R.denials(clock, "b2c3d4e5f6a7"), R.unplanned_success(clock)]
    return [*found, *R.other_pipeline(clock)]


def _pipeline(tmp_path: Path, records: list[dict[str, Any]]) -> PipelineResult:
    R.write_delivery(tmp_path, records)
    result, errors = reconcile([_model()], [tmp_path])
    assert errors == []
    (pipeline,) = result.pipelines
    return pipeline


def test_every_step_type_with_calls_is_seen_running(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, _run_records())
    ran = {step.name: step.ran for step in pipeline.steps}
    assert ran == {"PreprocessAbaloneData": True, "TrainAbaloneModel": True,
                   "EvaluateAbaloneModel": True, "CheckMseEvaluation": True,
                   "CreateAbaloneModel": True, "RegisterAbaloneModel": True,
                   "NotifyModelRegistered": True, "MseTooHigh": False}
    assert len(pipeline.executions) == 2


def test_each_denial_is_mapped_to_its_step_and_fix(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, _run_records())
    fixes = {(d.action, tuple(d.steps)): d.fix_kind for d in pipeline.denied}
    assert fixes == {
        ("s3:GetObject", ("PreprocessAbaloneData",)): "parameter_values",
        ("s3:PutObject", ("EvaluateAbaloneModel",)): "kept_role",
        ("dynamodb:GetItem", ("TrainAbaloneModel",)): "keep_roles_for",
        ("ec2:CreateNetworkInterface", ("TrainAbaloneModel",)): "keep_roles_for",
        ("s3:GetBucketLocation", ("TrainAbaloneModel",)): "library_defect",
        ("sagemaker:CreateTrainingJob", ("TrainAbaloneModel",)): "other_policy",
    }
    binding = next(d for d in pipeline.denied if d.fix_kind == "parameter_values")
    assert 'parameter_values={"InputDataUrl": [' in binding.fix
    assert "s3://sm-pipeline-iam-sample-111122223333/abalone/input-2026/abalone.csv" in (
        binding.fix)
    assert binding.statement["Resource"].endswith("abalone/input-2026/abalone.csv")
    assert binding.evidence.count == 1 and binding.evidence.event_ids
    codes = {d.error_code for d in pipeline.denied}
    assert {"AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation"} <= codes
    scp = next(d for d in pipeline.denied if d.fix_kind == "other_policy")
    assert "service control policy" in scp.because


def test_plan_misses_say_gap_or_grant_from_elsewhere(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, _run_records())
    kinds = {m.action: m.kind for m in pipeline.plan_misses}
    assert kinds == {"dynamodb:GetItem": "library_gap",
                     "ec2:CreateNetworkInterface": "library_gap",
                     "s3:GetBucketLocation": "library_gap",
                     "secretsmanager:GetSecretValue": "grant_from_elsewhere"}


def test_a_clean_run_has_no_denial_nor_miss_and_exits_0(tmp_path: Path) -> None:
    R.write_delivery(tmp_path, _run_records(clean=True))
    assert main(["reconcile", str(tmp_path), *DEFINITION_OPTIONS]) == 0
    pipeline = _pipeline(tmp_path / "again", _run_records(clean=True))
    assert not pipeline.denied and not pipeline.plan_misses
    statuses = {(g.role, g.action): g.status for g in pipeline.grants}
    assert statuses[(R.EXECUTION_ROLE, "sagemaker:CreateProcessingJob")] == "used"
    assert statuses[(R.JOB_ROLES["PreprocessAbaloneData"], "ecr:BatchCheckLayerAvailability")
                    ] == "unused"
    assert statuses[(R.EXECUTION_ROLE, "sagemaker:StopProcessingJob")] == "not_exercisable"
    assert statuses[(R.JOB_ROLES["TrainAbaloneModel"], "cloudwatch:PutMetricData")
                    ] == "not_visible"


def test_a_branch_not_taken_is_not_unused(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, _run_records(clean=True, branch_taken=False))
    model_role = [g for g in pipeline.grants if g.role == R.JOB_ROLES["CreateAbaloneModel"]]
    assert model_role and {g.status for g in model_role} <= {"not_exercisable",
                                                               "not_visible"}
    assert any("CreateAbaloneModel" in g.reason for g in model_role)
    register = [g for g in pipeline.grants if g.action == "sagemaker:CreateModelPackage"]
    assert register and all(g.status == "not_exercisable" for g in register)


def test_without_data_events_object_grants_are_not_visible(tmp_path: Path) -> None:
    records = R.management_only(_run_records(clean=True))
    R.write_delivery(tmp_path, records)
    result, _ = reconcile([_model()], [tmp_path])
    (pipeline,) = result.pipelines
    s3 = [g for g in pipeline.grants if g.action in ("s3:GetObject", "s3:PutObject")]
    assert s3 and all(g.status == "not_visible" for g in s3)
    lambda_ = [g for g in pipeline.grants if g.action == "lambda:InvokeFunction"]
    assert lambda_ and lambda_[0].status == "not_visible"
    assert any("No S3 data events" in note for note in result.visibility)
    assert any("No Lambda data events" in note for note in result.visibility)
    with_data = _pipeline(tmp_path / "data", _run_records(clean=True))
    assert {g.status for g in with_data.grants if g.action == "s3:PutObject"} >= {"used"}


def test_log_and_metric_calls_are_not_visible_only_where_no_record_shows_one(
        tmp_path: Path) -> None:
    def put_log_events(pipeline: PipelineResult) -> dict[str, set[str]]:
        statuses: dict[str, set[str]] = {}
        for g in pipeline.grants:
            if g.action == "logs:PutLogEvents":
                statuses.setdefault(g.role, set()).add(g.status)
        return statuses

    R.write_delivery(tmp_path / "none", _run_records(clean=True))
    result, _ = reconcile([_model()], [tmp_path / "none"])
    (pipeline,) = result.pipelines
    assert set().union(*put_log_events(pipeline).values()) == {"not_visible"}
    reasons = {g.reason for g in pipeline.grants if g.action == "logs:PutLogEvents"}
    assert all("may record them only as data events, or not at all" in r for r in reasons)
    notes = " ".join(result.visibility)
    assert "No logs:PutLogEvents events: the trail holds no such events" in notes
    assert "No cloudwatch:PutMetricData events" in notes
    assert "does not log" not in notes and "Never recorded" not in notes
    # The same run with one PutLogEvents record: the family is visible, and judged.
    clock = R.Clock(10_000)
    records = [*_run_records(clean=True), R.log_events(clock, "a1b2c3d4e5f6")]
    R.write_delivery(tmp_path / "some", records)
    result, _ = reconcile([_model()], [tmp_path / "some"])
    (pipeline,) = result.pipelines
    statuses = put_log_events(pipeline)
    assert "used" in statuses[R.JOB_ROLES["PreprocessAbaloneData"]]
    # Its step ran and no record shows its job putting log events: unused, not invisible.
    assert "unused" in statuses[R.JOB_ROLES["TrainAbaloneModel"]]
    assert "not_visible" not in set().union(*statuses.values())
    notes = " ".join(result.visibility)
    assert "No logs:PutLogEvents events" not in notes
    assert "No cloudwatch:PutMetricData events" in notes


def test_the_roles_given_per_step_replace_the_definitions_role(tmp_path: Path) -> None:
    # The sample's steps name sample-abalone-job-role; --job-role replaces it, as the
    # constructs' roles do, so the execution role passes the given roles only.
    assert "role/sample-abalone-job-role" in SAMPLE.read_text()
    pipeline = _pipeline(tmp_path, _run_records(clean=True))
    passes = {g.resource: g.status for g in pipeline.grants if g.action == "iam:PassRole"}
    assert passes == {R.JOB_ROLES["PreprocessAbaloneData"]: "used",
                      R.JOB_ROLES["TrainAbaloneModel"]: "used",
                      R.JOB_ROLES["CreateAbaloneModel"]: "used", R.KEPT_ROLE: "used"}


def test_a_denial_the_role_allows_under_a_condition_names_the_condition(
        tmp_path: Path) -> None:
    clock = R.Clock(10_000)
    pipeline = _pipeline(tmp_path, [*_run_records(clean=True),
                                    R.condition_denial(clock, "c3d4e5f6a7b8")])
    (denial,) = pipeline.denied
    assert (denial.action, denial.resource) == ("iam:PassRole",
                                                R.JOB_ROLES["TrainAbaloneModel"])
    assert denial.fix_kind == "condition"
    assert "iam:PassedToService" in denial.fix
    assert "does not say which condition failed" in denial.fix


def test_a_manifests_objects_outside_its_folder_are_manifest_locations(
        tmp_path: Path) -> None:
    definition = FIXTURES / "runtime" / "manifest_input.json"
    assert '"S3DataType": "ManifestFile"' in definition.read_text()
    role = f"arn:aws:iam::{R.ACCOUNT}:role/fraud-train-role"
    bucket = "ml-artifacts-111122223333"
    key = "fraud/images/2026/05/img-0001.png"
    denied = R.event(R.Clock(), R.assumed_role(role), "s3.amazonaws.com", "GetObject",
                     {"bucketName": bucket, "key": key}, None, data=True,
                     error=("AccessDenied", "Access Denied"), resources=[
                         {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                         {"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}])
    R.write_delivery(tmp_path, [denied])

    def model(**bindings: Any) -> Any:
        return from_definition(definition, execution_role=R.EXECUTION_ROLE,
                               pipeline_name="fraud",
                               job_roles={"TrainFromManifest": role}, **bindings)

    result, errors = reconcile([model()], [tmp_path])
    assert errors == []
    (denial,) = result.pipelines[0].denied
    assert denial.steps == ["TrainFromManifest"] and denial.fix_kind == "manifest_locations"
    assert (f'manifest_locations={{"TrainFromManifest": ["s3://{bucket}/fraud/images/2026/05/"]}}'
            in denial.fix)
    # The binding the fix names grants the object.
    bound = model(manifest_locations={"TrainFromManifest": [
        f"s3://{bucket}/fraud/images/2026/05/"]})
    job_role_model = next(r for r in bound.roles if r.arn == role)
    assert any(g.allows("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}")
               for g in job_role_model.grants)
    assert not any(g.allows("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}")
                   for g in next(r for r in model().roles if r.arn == role).grants)


def test_other_principals_are_ignored_and_counted(tmp_path: Path) -> None:
    R.write_delivery(tmp_path, _run_records())
    result, _ = reconcile([_model()], [tmp_path])
    other = f"arn:aws:sts::{R.ACCOUNT}:assumed-role/churn-pipeline-execution/SageMaker"
    assert result.ignored_principals[other] == 5
    assert result.ignored == sum(result.ignored_principals.values())
    assert result.pipelines[0].records == result.records - result.ignored


@pytest.mark.parametrize("form", ["delivery", "lake", "athena", "single", "array"])
def test_every_input_form_gives_the_same_result(tmp_path: Path, form: str) -> None:
    records = _run_records()
    if form == "delivery":
        R.write_delivery(tmp_path, records)
        paths = [tmp_path]
    elif form in ("lake", "athena"):
        paths = [R.write_json_lines(tmp_path / "export.jsonl", records,
                                    athena=form == "athena")]
    elif form == "single":
        (tmp_path / "one.json").write_text(json.dumps({"Records": records}, indent=1))
        paths = [tmp_path / "one.json"]
    else:
        (tmp_path / "events.json").write_text(json.dumps(records))
        paths = [tmp_path / "events.json"]
    result, errors = reconcile([_model()], paths)
    assert errors == []
    assert result.records == len(records)
    (pipeline,) = result.pipelines
    assert len(pipeline.denied) == 6 and len(pipeline.plan_misses) == 4


def _broken(tmp_path: Path) -> dict[str, str]:
    good = json.dumps({"Records": _run_records(clean=True)}).encode()
    (tmp_path / "truncated.json.gz").write_bytes(gzip.compress(good)[:200])
    (tmp_path / "cut.json").write_text(good.decode()[:500])
    lines = [json.dumps(r) for r in _run_records(clean=True)[:3]]
    (tmp_path / "lines.jsonl").write_text("\n".join([*lines, '{"eventName": "Cre']) + "\n")
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "other.json").write_text(json.dumps({"Records": [{"foo": 1}]}))
    return {"truncated.json.gz": "truncated or corrupt gzip", "cut.json": "not valid JSON",
            "lines.jsonl": "line 4 is not valid JSON", "empty.json": "empty",
            "other.json": "record 0 is not a CloudTrail event"}


def test_each_unreadable_file_is_one_clear_error_and_no_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _broken(tmp_path)
    R.write_delivery(tmp_path / "good", _run_records(clean=True))
    assert main(["reconcile", str(tmp_path), *DEFINITION_OPTIONS]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == len(expected)
    for name, words in expected.items():
        (line,) = [line for line in lines if f"/{name}:" in line]
        assert words in line
    assert "Traceback" not in err


def test_output_formats_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    R.write_delivery(tmp_path / "trail", _run_records())
    trail = str(tmp_path / "trail")
    assert main(["reconcile", trail, *DEFINITION_OPTIONS, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert len(data["pipelines"][0]["denied"]) == 6
    assert main(["reconcile", trail, *DEFINITION_OPTIONS, "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    jsonschema.validate(sarif, json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text()))
    rules = [r["ruleId"] for r in sarif["runs"][0]["results"]]
    assert rules.count("deniedCall") == 6 and rules.count("planMiss") == 4
    assert "unusedGrant" in rules
    assert main(["reconcile", trail, *DEFINITION_OPTIONS]) == 1
    markdown = capsys.readouterr().out
    assert "### Denied calls (6)" in markdown and "## Visibility" in markdown
    assert f"### Grants\n\n{GRANTS_NOTE}" in markdown
    assert "conditions are not evaluated" in GRANTS_NOTE
    assert markdown.count("#### Unused grants") == 1
    # No record of the pipeline's roles: exit 3.
    R.write_delivery(tmp_path / "others", [*R.other_pipeline(R.Clock())])
    assert main(["reconcile", str(tmp_path / "others"), *DEFINITION_OPTIONS]) == 3
    capsys.readouterr()
    # --fail-on-unused makes unused grants fail a clean run.
    R.write_delivery(tmp_path / "clean", _run_records(clean=True))
    assert main(["reconcile", str(tmp_path / "clean"), *DEFINITION_OPTIONS,
                 "--fail-on-unused"]) == 1


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reconcile", str(tmp_path), "--definition", str(SAMPLE)]) == 2
    assert "--execution-role" in capsys.readouterr().err
    assert main(["reconcile", str(tmp_path), "--assembly", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err


@pytest.mark.parametrize(("code", "denied"), [
    ("AccessDenied", True), ("AccessDeniedException", True),
    ("Client.UnauthorizedOperation", True), ("UnauthorizedOperation", True),
    ("AuthorizationError", True), ("ThrottlingException", False), ("", False),
    ("ValidationException", False)])
def test_denied_spellings(code: str, denied: bool) -> None:
    assert is_denied(code) is denied


@pytest.mark.parametrize(("arn", "score"), [
    ("arn:aws:iam::1:role/PipelineIamStack-PipelineExecutionRoleA2394-AbCdEfGh1234", 1),
    ("arn:aws:iam::1:role/PipelineIamStack-PipelineExecutionRoleA23949A9-x", 1),
    ("arn:aws:iam::1:role/PipelineIamStack-PipelineJobRolesStepTrain-AbCdEfGh1234", 0),
    ("arn:aws:iam::1:role/OtherStack-PipelineExecutionRoleA2394-AbCdEfGh1234", 0)])
def test_cloudformation_generated_role_names_match(arn: str, score: int) -> None:
    role = RoleModel("PipelineExecutionRoleA23949A9", ["execution"], True,
                     name_prefixes=("PipelineIamStack", "PipelineExecutionRoleA23949A9"))
    assert bool(role.matches(arn)) is bool(score)


@pytest.fixture(scope="module")
def sample_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample app synthesized with the sample pipeline (LeastPrivilegePipeline)."""
    from app import build_app
    from support.scenarios import sample_context

    out = tmp_path_factory.mktemp("cdk.out")
    build_app(sample_context(pipeline_definition=str(SAMPLE), pipeline_name="sample-abalone",
                             keep_roles_for="EvaluateAbaloneModel"), outdir=str(out)).synth()
    return out


def test_assembly_roles_are_matched_by_their_cloudformation_names(
        sample_assembly: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = json.loads((sample_assembly / "PipelineIamStack.template.json").read_text())
    logical = {resource["Properties"]["Description"]: logical_id
               for logical_id, resource in template["Resources"].items()
               if resource["Type"] == "AWS::IAM::Role"}

    def deployed(match: str) -> str:
        logical_id = next(v for k, v in logical.items() if match in k)
        return f"arn:aws:iam::{R.ACCOUNT}:role/PipelineIamStack-{logical_id[:30]}-Q1w2E3r4T5y6"

    text = json.dumps(_run_records())
    text = text.replace(R.EXECUTION_ROLE, deployed("execution role"))
    for step, arn in R.JOB_ROLES.items():
        text = text.replace(arn, deployed(f"step {step} "))
    R.write_delivery(tmp_path, json.loads(text))
    assert main(["reconcile", str(tmp_path), "--assembly", str(sample_assembly),
                 "--format", "json"]) == 1
    (pipeline,) = json.loads(capsys.readouterr().out)["pipelines"]
    fixes = {d["action"]: d["fix_kind"] for d in pipeline["denied"]}
    assert fixes["s3:GetObject"] == "parameter_values"
    assert fixes["dynamodb:GetItem"] == "keep_roles_for"
    assert fixes["s3:PutObject"] == "kept_role"
    assert fixes["sagemaker:CreateTrainingJob"] == "other_policy"
    assert any(g["status"] == "used" and g["action"] == "sagemaker:CreateProcessingJob"
               for g in pipeline["grants"])
