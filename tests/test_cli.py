"""The sm-pipeline-iam command: exit codes, formats, errors, the installed script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sm_pipeline_iam.review.cli import main

SCRIPT = Path(sys.executable).parent / "sm-pipeline-iam"


def _assembly(directory: Path, resources: dict[str, object]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Stack.template.json").write_text(json.dumps({"Resources": resources}))
    (directory / "manifest.json").write_text(json.dumps({"artifacts": {"Stack": {
        "type": "aws:cloudformation:stack",
        "properties": {"templateFile": "Stack.template.json"}}}}))
    return directory


SCOPED_ROLE = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "sagemaker.amazonaws.com"},
                   "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}}}


def test_report_of_a_clean_assembly_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    """GIVEN a clean assembly WHEN reported THEN Markdown on stdout and exit 0."""
    assert main(["report", str(_assembly(tmp_path, {"Role": SCOPED_ROLE}))]) == 0
    assert capsys.readouterr().out.startswith("# sm-pipeline-iam review\n\n## Stack Stack")


def test_report_with_findings_exits_1_and_writes_json(tmp_path: Path) -> None:
    """GIVEN an unconditioned service trust WHEN reported as JSON to a file THEN exit 1."""
    bare = json.loads(json.dumps(SCOPED_ROLE))
    del bare["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    output = tmp_path / "review.json"
    bare["Properties"]["Description"] = "a role (sm-pipeline-iam)"
    code = main(["report", str(_assembly(tmp_path / "a", {"Role": bare})), "--format", "json",
                 "--output", str(output)])
    assert code == 1
    assert json.loads(output.read_text())["stacks"][0]["findings"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "is not a cloud assembly: it has no manifest.json"),
        ("malformed", "manifest.json is not valid JSON"),
        ("no-template", "Stack.template.json is missing from the assembly"),
    ],
)
def test_unreadable_assemblies_exit_2_with_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, message: str
) -> None:
    """GIVEN a missing or broken assembly WHEN reported THEN exit 2 and say what is wrong."""
    if setup == "malformed":
        tmp_path.joinpath("manifest.json").write_text("{")
    if setup == "no-template":
        _assembly(tmp_path, {}).joinpath("Stack.template.json").unlink()
    assert main(["report", str(tmp_path / "x" if setup == "missing" else tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_usage_errors_exit_2() -> None:
    """GIVEN no command WHEN run THEN argparse's usage error, exit 2."""
    with pytest.raises(SystemExit) as raised:
        main([])
    assert raised.value.code == 2


def test_the_installed_console_script_runs() -> None:
    """GIVEN the editable install WHEN the console script runs THEN its help lists report."""
    completed = subprocess.run([str(SCRIPT), "report", "--help"], capture_output=True,
                               text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "review a synthesized cloud assembly" in completed.stdout or "--format" in \
        completed.stdout


DEFINITIONS = Path(__file__).resolve().parent / "fixtures" / "definitions"


def test_explain_with_a_parameter_opted_in_to_any_value_exits_1(
    capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a parameter opted in to any value WHEN explained THEN exit 1, the opt-in shown
    as a finding among the parameters, and how to bind it instead."""
    assert main(["explain", str(DEFINITIONS / "integrations.json"),
                 "--any-value-parameter", "ScoresPrefix"]) == 1
    out = capsys.readouterr().out
    assert ("  ScoresPrefix: FINDING: any value (any_value_parameters): its grants are the "
            "widest pattern; scopes step 'CheckScore' field Std:JsonGet.S3Uri") in out
    assert "bind ScoresPrefix with parameter_values" in out


def test_explain_with_a_parameter_scoped_to_its_default_exits_1(
    capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a parameter neither bound nor opted in WHEN explained THEN exit 1 (the warning
    asks to bind it) and the parameter shown as scoped to its default."""
    assert main(["explain", str(DEFINITIONS / "integrations.json"),
                 "--pipeline-name", "fraud"]) == 1
    out = capsys.readouterr().out
    assert ("  ScoresPrefix: scoped to its default s3://ml-artifacts-111122223333/scores "
            "(bind it to allow more); scopes step 'CheckScore' field Std:JsonGet.S3Uri") in out
    assert "[sm-pipeline-iam:parameterScopedToDefault] parameter 'ScoresPrefix'" in out


@pytest.mark.parametrize("plan", [[], ["--plan"]])
def test_explain_shows_each_parameters_scope(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plan: list[str]
) -> None:
    """GIVEN parameters bound, left to their default, opted in, and some (with or without a
    default) that no grant depends on WHEN explained (and with --plan) THEN each
    parameter's scope; and a parameter with no default that a grant needs is exit 2 with
    the problem on stderr."""
    definition = json.loads((DEFINITIONS / "integrations.json").read_text())
    definition["Parameters"] += [{"Name": "Unused", "Type": "String"},
                                 {"Name": "OpenInput", "Type": "String"},
                                 {"Name": "Extra", "Type": "String",
                                  "DefaultValue": "s3://b/extra"}]
    arguments = definition["Steps"][0]["Arguments"]
    arguments["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] = {
        "Get": "Parameters.Extra"}
    arguments["ProcessingInputs"][0]["S3Input"]["S3Uri"] = {"Get": "Parameters.OpenInput"}
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(definition))
    main(["explain", str(path), *plan, "--parameter", "ScoresPrefix=s3://b/scores",
          "--any-value-parameter", "OpenInput"])
    out = capsys.readouterr().out
    assert ("  ScoresPrefix: bound to s3://b/scores (parameter_values); scopes step "
            "'CheckScore' field Std:JsonGet.S3Uri") in out
    assert ("  OpenInput: FINDING: any value (any_value_parameters): its grants are the "
            "widest pattern; scopes step 'ExtractFeatures' field "
            "ProcessingInputs[0].S3Input.S3Uri") in out
    assert "  MinScore: no grant depends on it" in out
    assert "  Unused: no grant depends on it" in out
    assert ("  Extra: scoped to its default s3://b/extra (bind it to allow more); scopes "
            "step 'ExtractFeatures' field ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"
            ) in out
    definition["Steps"][0]["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"][
        "S3Uri"] = {"Get": "Parameters.Unused"}
    path.write_text(json.dumps(definition))
    assert main(["explain", str(path), *plan, "--any-value-parameter", "OpenInput"]) == 2
    err = capsys.readouterr().err
    assert "parameter 'Unused' has no DefaultValue and no parameter_values" in err
    assert "any_value_parameters=['Unused']" in err


def test_explain_with_bound_parameters_exits_0_as_json(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    """GIVEN --parameter for every unbound value and the pipeline's name (its Experiments)
    WHEN explained as JSON THEN exit 0."""
    code = main(["explain", str(DEFINITIONS / "integrations.json"), "--format", "json",
                 "--parameter", "ScoresPrefix=s3://ml-artifacts-111122223333/scores",
                 "--pipeline-name", "fraud-integrations"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["unresolved"] == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["explain", "no-such.json"], "no-such.json is not a file"),
        (["explain", "{malformed}"], "is not a file"),
    ],
)
def test_explain_of_missing_files_exits_2(
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    """GIVEN no file WHEN explained THEN exit 2 and say so."""
    assert main(arguments) == 2
    assert message in capsys.readouterr().err


def test_explain_of_a_malformed_definition_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a definition with a typeless step WHEN explained THEN exit 2, step named."""
    broken = tmp_path / "d.json"
    broken.write_text(json.dumps({"Steps": [{"Name": "A"}]}))
    assert main(["explain", str(broken)]) == 2
    assert "step 'A' has no Type" in capsys.readouterr().err


def test_explain_parameter_without_equals_is_a_usage_error() -> None:
    """GIVEN --parameter NAME WHEN run THEN argparse's usage error, exit 2."""
    with pytest.raises(SystemExit) as raised:
        main(["explain", str(DEFINITIONS / "integrations.json"), "--parameter", "Name"])
    assert raised.value.code == 2


def test_explain_without_the_pipeline_name_exits_1_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """GIVEN a definition with Experiments on and every parameter bound, but no pipeline name
    WHEN explained THEN exit 1, and the warning says to give the pipeline's name."""
    code = main(["explain", str(DEFINITIONS / "integrations.json"),
                 "--parameter", "ScoresPrefix=s3://ml-artifacts-111122223333/scores"])
    assert code == 1
    assert "--pipeline-name" in capsys.readouterr().out


def _raw_assembly(tmp_path: Path, manifest: object, template: object = None,
                  raw: str | None = None) -> Path:
    (tmp_path / "manifest.json").write_text(raw if raw is not None else json.dumps(manifest))
    if template is not None:
        (tmp_path / "S.template.json").write_text(json.dumps(template))
    return tmp_path


STACK = {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.template.json"}}
ROLE = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []}}}


@pytest.mark.parametrize(
    ("manifest", "template", "raw", "says"),
    [
        ([], None, None, "not a cloud assembly manifest"),
        ({"artifacts": []}, None, None, "'artifacts' is not an object"),
        ({"artifacts": {"S": None}}, None, None, "artifact 'S' is not an object"),
        ({"artifacts": {"S": STACK}}, {"Resources": []}, None, "is not a CloudFormation"),
        ({"artifacts": {"S": STACK}}, {"Resources": {"R": ROLE, "P": {
            "Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "R"}]}}}}, None,
         "resource R (or a policy attached to it) cannot be reviewed: no 'PolicyDocument'"),
        ({"artifacts": {"S": STACK}}, {"Resources": {"SCP": {
            "Type": "AWS::Organizations::Policy", "Properties": {"Content": "{not json"}}}},
         None, "resource SCP"),
        (None, None, "{malformed", "is not valid JSON"),
    ],
    ids=["array", "artifacts-list", "null-artifact", "resources-list", "no-document",
         "scp-not-json", "manifest-not-json"],
)
def test_malformed_assemblies_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], manifest: object, template: object,
    raw: str | None, says: str,
) -> None:
    """GIVEN a malformed assembly WHEN reported THEN exit 2 and one line on stderr saying
    what is wrong, never a traceback."""
    assert main(["report", str(_raw_assembly(tmp_path, manifest, template, raw))]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("parameter", "says"),
    [
        ("Nope=s3://ml-artifacts/scores",
         "--parameter Nope: the definition has no parameter 'Nope', so the values would bind "
         "nothing; its parameters: MinScore, ScoresPrefix"),
        ("ScorePrefix=s3://ml-artifacts/scores", "did you mean 'ScoresPrefix'?"),
        ("ScoresPrefix=", "--parameter 'ScoresPrefix=' gives no value"),
        ("ScoresPrefix=,", "--parameter 'ScoresPrefix=,' gives no value"),
    ],
    ids=["unknown", "misspelled", "empty", "only-commas"],
)
def test_explain_parameter_that_binds_nothing_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], parameter: str, says: str
) -> None:
    """GIVEN --parameter for a parameter the definition does not have, or with no value
    (which used to drop the JsonGet read silently) WHEN explained THEN exit 2, one line."""
    code = main(["explain", str(DEFINITIONS / "integrations.json"), "--parameter", parameter,
                 "--pipeline-name", "fraud"])
    output = capsys.readouterr()
    assert code == 2
    assert output.out == ""
    assert says in output.err
    assert len(output.err.strip().splitlines()) == 1


@pytest.mark.parametrize(("options", "says"), [
    (["--any-value-parameter", "ScorePrefix"],
     "--any-value-parameter ScorePrefix: the definition has no parameter 'ScorePrefix', so "
     "it would widen nothing; did you mean 'ScoresPrefix'?"),
    (["--any-value-parameter", "ScoresPrefix", "--parameter", "ScoresPrefix=s3://b/s"],
     "parameter 'ScoresPrefix' is both bound (parameter_values) and allowed any value"),
], ids=["misspelled", "also-bound"])
def test_explain_any_value_parameter_that_cannot_be_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], options: list[str], says: str
) -> None:
    """GIVEN --any-value-parameter for a parameter the definition lacks, or one also bound
    WHEN explained THEN exit 2 and the problem on stderr, naming the closest parameter."""
    code = main(["explain", str(DEFINITIONS / "integrations.json"), *options])
    output = capsys.readouterr()
    assert code == 2
    assert output.out == ""
    assert says in output.err


def test_explain_binds_a_parameter_that_is_only_referred_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a definition that refers to a parameter it does not declare WHEN bound THEN it
    is known (referred to), not refused."""
    definition = json.loads((DEFINITIONS / "integrations.json").read_text())
    definition["Parameters"] = []
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(definition))
    code = main(["explain", str(path), "--pipeline-name", "fraud",
                 "--parameter", "ScoresPrefix=s3://ml-artifacts-111122223333/scores"])
    assert code == 0, capsys.readouterr().err


@pytest.mark.parametrize("where", ["missing-directory", "a-directory"])
@pytest.mark.parametrize("command", ["report", "explain"])
def test_an_unwritable_output_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, where: str
) -> None:
    """GIVEN --output in a directory that does not exist, or naming a directory WHEN report
    or explain runs THEN exit 2 and one line naming the file, never a traceback."""
    output = tmp_path / "no-such-dir" / "out.txt" if where == "missing-directory" else tmp_path
    if command == "report":
        arguments = ["report", str(_assembly(tmp_path / "a", {"Role": SCOPED_ROLE}))]
    else:
        arguments = ["explain", str(DEFINITIONS / "integrations.json")]
    assert main([*arguments, "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sm-pipeline-iam {command}: cannot write --output {output}: ")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_explain_output_writes_the_file(tmp_path: Path) -> None:
    """GIVEN --output WHEN explained THEN the text is in the file."""
    output = tmp_path / "explain.txt"
    main(["explain", str(DEFINITIONS / "integrations.json"), "--output", str(output)])
    assert output.read_text().startswith("Step types: ")


def test_the_console_script_prints_no_traceback_for_an_unwritable_output(tmp_path: Path
                                                                          ) -> None:
    """GIVEN the installed script WHEN --output is a directory THEN exit 2, one line."""
    completed = subprocess.run(
        [str(SCRIPT), "explain", str(DEFINITIONS / "integrations.json"), "--output",
         str(tmp_path)], capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1


_MANIFEST_DEFINITION = {"Steps": [{"Name": "Train", "Type": "Training", "Arguments": {
    "TrainingJobName": "fraud",
    "RoleArn": "arn:aws:iam::111122223333:role/TrainRole",
    "AlgorithmSpecification": {
        "TrainingImage": "111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1",
        "TrainingInputMode": "Pipe"},
    "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
        "S3DataType": "ManifestFile",
        "S3Uri": "s3://ml-data-111122223333/manifests/train.manifest"}}}],
    "OutputDataConfig": {"S3OutputPath": "s3://ml-data-111122223333/models"},
}}]}


def test_explain_takes_manifest_locations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a definition whose step reads a manifest WHEN explained without
    --manifest-location THEN exit 1 naming manifestObjectsUndeclared; with it, exit 0; with
    a misspelt step, exit 2 naming the closest step."""
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(_MANIFEST_DEFINITION))
    assert main(["explain", str(path)]) == 1
    assert "manifestObjectsUndeclared" in capsys.readouterr().out
    folder = "s3://ml-data-111122223333/images"
    assert main(["explain", str(path), "--manifest-location", f"Train={folder}"]) == 0, (
        capsys.readouterr())
    capsys.readouterr()
    assert main(["explain", str(path), "--manifest-location", f"Trian={folder}"]) == 2
    assert "did you mean 'Train'" in capsys.readouterr().err


_MODEL_DEFINITION = {"Steps": [{"Name": "CreateModel", "Type": "Model", "Arguments": {
    "ExecutionRoleArn": "arn:aws:iam::111122223333:role/ModelRole",
    "PrimaryContainer": {
        "Image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/serve:1",
        "ModelDataUrl": "s3://ml-data-111122223333/models/model.tar.gz"}}}]}


def test_explain_takes_model_endpoints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a Model step that no Endpoint step deploys WHEN explained without
    --model-endpoint THEN exit 0 (informational) naming modelEndpointsUnnamed and no
    endpoint log group in the plan; with --model-endpoint CreateModel=fraud-prod,fraud-b
    the plan grants both endpoints' log groups and the warning is gone; a misspelt step
    exits 2 naming the closest step, a bad form is a usage error."""
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(_MODEL_DEFINITION))
    assert main(["explain", str(path)]) == 0
    assert "modelEndpointsUnnamed" in capsys.readouterr().out
    assert main(["explain", str(path), "--plan"]) == 0
    assert "log-group:/aws/sagemaker/Endpoints/" not in capsys.readouterr().out
    declared = ["--model-endpoint", "CreateModel=fraud-prod,fraud-b"]
    assert main(["explain", str(path), *declared]) == 0
    assert "modelEndpointsUnnamed" not in capsys.readouterr().out
    assert main(["explain", str(path), "--plan", *declared]) == 0
    plan = capsys.readouterr().out
    assert "log-group:/aws/sagemaker/Endpoints/fraud-prod" in plan
    assert "log-group:/aws/sagemaker/Endpoints/fraud-b:" in plan
    assert main(["explain", str(path), "--model-endpoint", "CreateModl=fraud-prod"]) == 2
    assert "did you mean 'CreateModel'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        main(["explain", str(path), "--model-endpoint", "CreateModel"])
    assert raised.value.code == 2
    assert "is not STEP=NAME[,NAME...]" in capsys.readouterr().err


@pytest.mark.parametrize("blocked", ["moto", "boto3"])
def test_rehearse_without_its_extra_exits_2_saying_what_to_install(
    tmp_path: Path, blocked: str
) -> None:
    """GIVEN moto (or boto3) not importable, as without the ``rehearse`` extra WHEN
    ``rehearse`` runs THEN exit 2 with one line naming the extra to install, no traceback,
    and nothing started."""
    code = (f"import sys; sys.modules[{blocked!r}] = None\n"
            "from sm_pipeline_iam.review.cli import main\n"
            "sys.exit(main(['rehearse', '--app', 'python app.py']))\n")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, check=False, env={**os.environ, "PYTHONPATH": str(root)})
    assert result.returncode == 2
    assert result.stderr == (f"sm-pipeline-iam rehearse: needs {blocked}, of the optional "
                             "extra: pip install 'sm-pipeline-iam[rehearse]'\n")
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_rehearse_without_the_cdk_cli_or_an_assembly_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN no CDK CLI at --cdk, or an --assembly that is none WHEN ``rehearse`` runs THEN
    exit 2, one line each saying what is missing (no server is started)."""
    missing = tmp_path / "node_modules" / ".bin" / "cdk"
    assert main(["rehearse", "--app", "python app.py", "--cdk", str(missing)]) == 2
    assert capsys.readouterr().err == (f"sm-pipeline-iam rehearse: needs the CDK CLI: "
                                       f"{missing} not found\n")
    assert main(["rehearse", "--assembly", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"sm-pipeline-iam rehearse: --assembly {tmp_path} is "
                                       "not a cloud assembly (no manifest.json)\n")


def test_rehearse_takes_an_app_or_an_assembly_not_both() -> None:
    """GIVEN both --app and --assembly (or neither) WHEN parsed THEN a usage error, exit 2."""
    for argv in (["rehearse"], ["rehearse", "--app", "x", "--assembly", "cdk.out"]):
        with pytest.raises(SystemExit) as usage:
            main(argv)
        assert usage.value.code == 2
