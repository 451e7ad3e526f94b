"""Real-world pipeline definitions (tests/fixtures/corpus): nothing silently dropped.

Definitions nobody on this project designed the reader around: SDK v3 output, SDK v2-style
and user-written definitions, the AWS evaluation template's lineage names, a
``DescribePipeline`` response. Each one is read, its ``explain`` text is a golden file,
each issue case is checked on what the reading says, and ``sm-pipeline-iam explain``
exits as its findings say. The roles' allow/deny tables are in test_corpus_permissions.py.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from sm_pipeline_iam.core.definition.reader import DefinitionReading, read_definition
from sm_pipeline_iam.core.errors import DefinitionError
from sm_pipeline_iam.core.execution_role.requirements import PassRoleTarget
from sm_pipeline_iam.core.locations import S3ObjectPattern
from sm_pipeline_iam.core.notices import MIXED_CASE_PREFIX, UNRESOLVED_VALUE, Notice
from sm_pipeline_iam.review.cli import main
from sm_pipeline_iam.review.explain import to_text
from support.golden import TextSnapshot

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
BUCKET = "ml-artifacts-111122223333"
ROLE = "arn:aws:iam::111122223333:role/{}"
SAGEMAKER = "sagemaker.amazonaws.com"

#: The one document that is not a definition: its definition is the JSON *string* in
#: ``PipelineDefinition`` (the reader takes definitions only, so the tests extract it).
DESCRIBE_PIPELINE = "describe_pipeline_response"
#: Broken on purpose: every name field holds a literal wildcard.
WILDCARDS = "literal_wildcards"

NAMES = sorted(path.stem for path in CORPUS.glob("*.json"))
READABLE = [name for name in NAMES if name != WILDCARDS]


def corpus_definition(name: str) -> str | Path:
    """What to give the reader for corpus document ``name``: its path, or for the
    DescribePipeline response the definition string it holds."""
    path = CORPUS / f"{name}.json"
    if name == DESCRIBE_PIPELINE:
        definition: str = json.loads(path.read_text())["PipelineDefinition"]
        return definition
    return path


@cache
def _reading(name: str) -> DefinitionReading:
    return read_definition(corpus_definition(name))


def _scopes(name: str) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(s.step, s.resource): s.patterns for s in _reading(name).scopes}


def _notices_naming(name: str, *words: str) -> list[Notice]:
    """The reading's notices, other than unresolved values, whose text has every word."""
    return [
        notice for notice in _reading(name).requirements.notices
        if notice.id != UNRESOLVED_VALUE and all(word in notice.message for word in words)
    ]


def test_the_corpus_is_what_the_readme_lists() -> None:
    """GIVEN the corpus folder WHEN listed THEN every document is described in its README
    (and the README names no document that is missing)."""
    readme = (CORPUS / "README.md").read_text()
    listed = {name for name in NAMES if f"`{name}.json`" in readme}
    assert listed == set(NAMES)


@pytest.mark.parametrize("name", READABLE)
def test_every_corpus_definition_is_read(name: str) -> None:
    """GIVEN a real-world definition WHEN read THEN no DefinitionError, and every step is
    in the reading."""
    reading = _reading(name)
    source = corpus_definition(name)
    definition: dict[str, Any] = json.loads(
        source if isinstance(source, str) else source.read_text())
    names = set()
    stack = list(definition["Steps"])
    while stack:
        step = stack.pop()
        names.add(step["Name"])
        for key in ("IfSteps", "ElseSteps", "ForEachBody"):
            stack.extend(step.get("Arguments", {}).get(key, []))
    assert {step for step, _ in reading.steps} == names


@pytest.mark.parametrize("name", READABLE)
def test_explain_text_matches_its_golden_file(name: str, snapshot: SnapshotAssertion) -> None:
    """GIVEN a corpus definition WHEN explained THEN the text equals its golden file."""
    assert to_text(_reading(name)) == snapshot.use_extension(TextSnapshot)


# --- case 1: names given as expressions ------------------------------------------------
@pytest.mark.parametrize(
    ("name", "step"),
    [
        ("lineage_execution_names", "RecordRunLineage"),
        ("aws_evaluation_template_style", "AbaloneEvaluationLineage"),
    ],
)
def test_lineage_names_from_the_execution_id_are_granted_with_a_warning(
    name: str, step: str
) -> None:
    """GIVEN ActionName/ContextName {"Get": "Execution.PipelineExecutionId"} WHEN read THEN
    the action and context groups are granted on the execution id's 12 characters ('?'
    each; never dropped) and each field has the unresolvedDefinitionValue warning."""
    reading = _reading(name)
    scopes = _scopes(name)
    assert scopes[(step, "action")] == ("????????????",)
    assert scopes[(step, "context")] == ("????????????",)
    requirements = reading.requirements
    assert requirements.group_names["LineageActions"] == ("????????????",)
    assert requirements.group_names["LineageContexts"] == ("????????????",)
    assert not {"LineageActions", "LineageContexts"} & requirements.unused_groups
    fields = {u.field for u in reading.unresolved if u.step == step}
    assert {"Actions[0].ActionName", "Contexts[0].ContextName"} <= fields
    warned = [n for n in requirements.notices if n.id == UNRESOLVED_VALUE and step in n.message]
    assert any("Actions[0].ActionName" in n.message for n in warned)
    assert any("Contexts[0].ContextName" in n.message for n in warned)


# --- case 2: a JsonGet path joined from literals and the execution id -----------------
def test_a_json_get_joined_with_the_execution_id_reads_that_run_s_folder() -> None:
    """GIVEN JsonGet S3Uri = Std:Join(literals, Execution.PipelineExecutionId, literal)
    WHEN read THEN GetObject on bucket/prefix/<12 ?>/summary.json and a notice naming the
    execution variable; not an unresolved value (the literal parts pin bucket and
    prefix)."""
    name = "json_get_execution_join"
    reading = _reading(name)
    assert reading.requirements.json_get_objects == (
        S3ObjectPattern(BUCKET, "fraud/scores/????????????/summary.json"),
    )
    assert _notices_naming(name, "CheckMeanScore", "Execution.PipelineExecutionId")
    assert not [u for u in reading.unresolved if u.step == "CheckMeanScore"]


# --- case 3: multi-algorithm tuning ----------------------------------------------------
def test_every_role_of_a_multi_algorithm_tuning_step_is_passed_to_sagemaker() -> None:
    """GIVEN TrainingJobDefinitions[].RoleArn (two algorithms) WHEN read THEN PassRole of
    each role to SageMaker, and nothing else."""
    assert _reading("multi_algorithm_tuning").requirements.pass_roles == {
        PassRoleTarget(ROLE.format("XgboostTrainingRole"), SAGEMAKER),
        PassRoleTarget(ROLE.format("LinearLearnerTrainingRole"), SAGEMAKER),
    }


# --- case 4: a job-name property inside a JsonGet path -------------------------------
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        # SDK v3, ModelTrainer: no name kept, so the default naming narrowed to "Train".
        ("job_name_property_default", (
            "fraud/training/pipelines-*-Train-*/output/metrics.json",
            "fraud/training/pipelines-*-train-*/output/metrics.json",
        )),
        # TrainingJobName "fraud" (custom prefix): the job is fraud-<suffix>, never "fraud".
        ("sdk_v2_style", ("fraud-v2/training/fraud-*/output/metrics.json",)),
        ("user_builder", ("handmade/training/fraud-*/output/metrics.json",)),
    ],
)
def test_a_training_job_name_property_resolves_to_the_job_name_pattern(
    name: str, keys: tuple[str, ...]
) -> None:
    """GIVEN {"Get": "Steps.Train.TrainingJobName"} inside a JsonGet Std:Join WHEN read
    THEN the job-name pattern of step Train (its prefix + '-*', or the default naming),
    not the bare prefix."""
    objects = _reading(name).requirements.json_get_objects
    assert objects == tuple(sorted(S3ObjectPattern(BUCKET, key) for key in keys))


# --- case 5: lower-case ARNs of model package groups --------------------------------
@pytest.mark.parametrize("name", ["abalone_register", "aws_evaluation_template_style"])
def test_a_mixed_case_model_package_group_is_allowed_in_both_spellings(name: str) -> None:
    """GIVEN group AbaloneModelPackageGroupName (the AWS guide shows
    model-package/abalonemodelpackagegroupname/1) WHEN read THEN both spellings, for the
    group and its versions."""
    scopes = _scopes(name)
    assert scopes[("AbaloneRegisterModel", "model-package-group")] == (
        "AbaloneModelPackageGroupName", "abalonemodelpackagegroupname")
    assert scopes[("AbaloneRegisterModel", "model-package")] == (
        "AbaloneModelPackageGroupName/*", "abalonemodelpackagegroupname/*")


# --- case 6: a NotebookJob's build time stamp ------------------------------------------
def test_a_notebook_job_name_is_scoped_by_its_base_name_with_a_notice() -> None:
    """GIVEN TrainingJobName 'score-ipynb-2026-11-30-02-11-47-059' (the SDK's build time
    stamp) WHEN read THEN 'score-ipynb-*' (the next build keeps working) and a notice."""
    name = "notebook_job_timestamp"
    assert _scopes(name)[("ScoreNotebook", "training-job")] == ("score-ipynb-*",)
    assert _notices_naming(name, "ScoreNotebook", "score-ipynb-*")


# --- case 7: prefix limits and case, on what the definition holds ----------------------
def test_a_too_long_automl_prefix_in_a_definition_warns() -> None:
    """GIVEN an SDK v2 AutoML step with AutoMLJobName 'AutoMLJo' (8 characters, limit 6)
    WHEN read THEN a warning naming the step, the value and the limit."""
    assert _notices_naming("sdk_v2_style", "AutoMLTrain", "'AutoMLJo'", "6")


@pytest.mark.parametrize(("step", "prefix"), [("Prep", "FraudPrep"), ("AutoMLTrain", "AutoMLJo")])
def test_a_mixed_case_prefix_in_a_definition_warns(step: str, prefix: str) -> None:
    """GIVEN a mixed-case prefix in a step's name key WHEN read THEN both spellings and the
    mixedCaseJobPrefix warning naming the step and the prefix."""
    notices = _reading("sdk_v2_style").requirements.notices
    assert [n for n in notices if n.id == MIXED_CASE_PREFIX
            and f"'{step}'" in n.message and prefix in n.message]
    patterns = {p for (s, _), ps in _scopes("sdk_v2_style").items() if s == step for p in ps}
    assert {f"{prefix}-*", f"{prefix.lower()}-*"} <= patterns


# --- case 8: literal wildcards and a misspelled key ------------------------------------
@cache
def _wildcard_problems() -> tuple[tuple[str, str, str], ...]:
    with pytest.raises(DefinitionError) as raised:
        read_definition(CORPUS / f"{WILDCARDS}.json")
    return tuple((p.prop, p.code, p.message) for p in raised.value.problems)


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("TrainPStar.TrainingJobName", "p*"),
        ("TrainQuestionRole.RoleArn", "ro?e"),
        ("CheckStarObject.Std:JsonGet.S3Uri", f"s3://{BUCKET}/*"),
        ("RegisterStarGroup-RegisterModel.ModelPackageGroupName", "fraud*"),
        ("InvokeWildFunction.FunctionArn", "function:f?"),
    ],
)
def test_a_literal_wildcard_is_a_definition_error_naming_step_and_field(
    prop: str, value: str
) -> None:
    """GIVEN a name field holding a literal '*' or '?' WHEN read THEN DefinitionError with
    a 'wildcard' problem on <step>.<field> that quotes the value."""
    wildcard = [(p, m) for p, code, m in _wildcard_problems() if code == "wildcard"]
    assert any(p == prop and value in m for p, m in wildcard), _wildcard_problems()


def test_every_wildcard_problem_names_a_step_of_the_definition() -> None:
    """GIVEN the wildcard definition WHEN read THEN every problem's prop starts with one
    of its step names (nothing reported against an unnamed place)."""
    definition = json.loads((CORPUS / f"{WILDCARDS}.json").read_text())
    names = {step["Name"] for step in definition["Steps"]}
    assert all(prop.split(".", 1)[0] in names for prop, _, _ in _wildcard_problems())


def test_a_wildcard_in_parameter_values_is_a_definition_error() -> None:
    """GIVEN parameter_values {'ModelGroup': ['fr*']} for a group name from that parameter
    WHEN read THEN DefinitionError naming the step and the field."""
    with pytest.raises(DefinitionError) as raised:
        read_definition(CORPUS / "user_builder.json", parameter_values={"ModelGroup": ["fr*"]})
    problems = [(p.prop, p.code) for p in raised.value.problems]
    assert ("Register-RegisterModel.ModelPackageGroupName", "wildcard") in problems
    assert any("fr*" in p.message for p in raised.value.problems)


def test_a_misspelled_arguments_key_warns() -> None:
    """GIVEN 'ProcessingOutputs' where CreateProcessingJob takes 'ProcessingOutputConfig'
    WHEN read THEN a warning naming the step and the unknown key."""
    assert _notices_naming("misspelled_argument_key", "PrepareFeatures", "ProcessingOutputs")


# --- the DescribePipeline response ----------------------------------------------------
def test_a_describe_pipeline_response_is_read_from_its_definition_string() -> None:
    """GIVEN `aws sagemaker describe-pipeline` output WHEN its PipelineDefinition string is
    read THEN the pipeline's steps (the string is the SDK's own definition() text)."""
    response = json.loads((CORPUS / f"{DESCRIBE_PIPELINE}.json").read_text())
    assert isinstance(response["PipelineDefinition"], str)
    assert dict(_reading(DESCRIBE_PIPELINE).steps) == {
        "CheckDataQuality": "QualityCheck", "CheckDataBias": "ClarifyCheck",
        "CreateServingModel": "Model", "CreateEndpointConfig": "EndpointConfig",
        "DeployEndpoint": "Endpoint", "CleanupScratch": "Cleanup",
    }


# --- sm-pipeline-iam explain: exit codes ---------------------------------------------
#: Per document: the expected exit code and why. 1 while something is unresolved or
#: widened (a name only known at run time granted as '*', a scope wider than the name
#: the definition writes, a prefix the step type cannot carry, a key the reader could not
#: use); 0 when every grant is pinned by the definition and only notes remain (a run-time
#: part between literal parts, both spellings of a mixed-case group, SDK v3's default
#: PipelineExperimentConfig: tests/test_cli.py already expects 0 for SDK v3 definitions).
#: SDK v3 writes PipelineExperimentConfig by default: its experiment is named after the
#: pipeline, so explain needs the pipeline's name to scope it.
NAMED = ("--pipeline-name", "fraud")

EXIT_CODES: dict[str, tuple[int, tuple[str, ...], str]] = {
    "abalone_register": (0, NAMED, "both spellings of one group: nothing unresolved"),
    "aws_evaluation_template_style": (1, NAMED, "lineage names from the execution id"),
    DESCRIBE_PIPELINE: (0, NAMED, "every name literal"),
    "experiments_default": (0, NAMED, "SDK v3's default experiment config, pipeline named"),
    "experiments_default (unnamed)": (1, (), "the experiment's name is the pipeline's"),
    "experiments_none": (0, (), "nothing run-time at all"),
    "job_name_property_default": (0, NAMED, "the job-name pattern pins the path"),
    "json_get_execution_join": (0, NAMED, "execution id between literal parts: a notice"),
    "lineage_execution_names": (1, NAMED, "lineage names from the execution id"),
    "misspelled_argument_key": (1, NAMED, "a key the reader could not use"),
    "multi_algorithm_tuning": (1, NAMED, "default-named tuning jobs: only 'pipelines-*'"),
    "notebook_job_timestamp": (0, NAMED, "scoped by the notebook's base name: a notice"),
    "sdk_v2_style": (1, NAMED, "AutoMLJo is longer than AutoML's 6-character limit"),
    "user_builder": (1, (), "the group comes from the unbound parameter ModelGroup"),
    "user_builder (input open)": (1, ("--parameter", "ModelGroup=fraud-models"),
                                  "the Prepare job's input is the unbound InputData"),
    "user_builder (bound)": (0, ("--parameter", "ModelGroup=fraud-models", "--parameter",
                                 "InputData=s3://ml-artifacts-111122223333/handmade/input"),
                             "both bound"),
    WILDCARDS: (2, (), "a DefinitionError"),
}


def test_every_corpus_document_has_an_expected_exit_code() -> None:
    """GIVEN the corpus WHEN listed THEN each document is in the exit-code table."""
    assert {key.split(" ")[0] for key in EXIT_CODES} == set(NAMES)


@pytest.mark.parametrize("case", sorted(EXIT_CODES))
def test_explain_exits_1_while_something_is_unresolved_or_widened(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a corpus document WHEN `sm-pipeline-iam explain` runs on it THEN the exit code
    of the table (2 with the problems on stderr for a DefinitionError)."""
    expected, arguments, why = EXIT_CODES[case]
    name = case.split(" ")[0]
    source = corpus_definition(name)
    if isinstance(source, str):
        path = tmp_path / "definition.json"
        path.write_text(source)
        source = path
    code = main(["explain", str(source), *arguments])
    output = capsys.readouterr()
    assert code == expected, f"{case} ({why}): exit {code}\n{output.out}{output.err}"
    if expected == 2:
        assert "TrainPStar" in output.err
