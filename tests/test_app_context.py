"""The sample app's context keys: each rule of AppSettings (fast, no CDK) and the
environment's precedence. The errors as the real `cdk synth` prints them are integration
tests (tests/integ/test_cdk_synth_context.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import app
from app import build_app
from sm_pipeline_iam import AppContextError, AppSettings
from support.scenarios import sample_context, stacks_of

ROOT = Path(__file__).resolve().parent.parent
DEFINITION = ROOT / "tests" / "fixtures" / "definitions" / "training_eval_register.json"


class _Node:
    """What AppSettings reads from an App's node: its context, and nothing else."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context

    def try_get_context(self, key: str) -> Any:
        return self.context.get(key)


@pytest.fixture(autouse=True)
def _no_cli_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CDK CLI's default environment is absent unless a test sets it."""
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    monkeypatch.delenv("CDK_DEFAULT_REGION", raising=False)


def _settings(**overrides: str) -> AppSettings:
    return AppSettings.from_context(_Node(sample_context(**overrides)))


def _problems(**overrides: str) -> tuple[str, ...]:
    with pytest.raises(AppContextError) as raised:
        _settings(**overrides)
    return raised.value.problems


# --- each rule ----------------------------------------------------------------------------

NON_UTF8 = "non-utf8"
BAD_CASES = [
    ({"account": "12345"}, "context account '12345' is not a 12-digit account id"),
    ({"account": "1111222233334"}, "context account '1111222233334' is not a 12-digit"),
    ({"account": "11112222333a"}, "context account '11112222333a' is not a 12-digit"),
    ({"region": "us-east-1*"}, "context region 'us-east-1*' is not a region name"),
    ({"region": "US-EAST-1"}, "context region 'US-EAST-1' is not a region name"),
    ({"region": "us east 1"}, "context region 'us east 1' is not a region name"),
    ({"region": "us-east"}, "context region 'us-east' is not a region name"),
    ({"region": "*"}, "context region '*' is not a region name"),
    ({"json_get_s3": "s3://192.168.1.1/eval"},
     "bucket '192.168.1.1', which S3's bucket naming rules refuse: it is formatted as an IP "
     "address"),
    ({"json_get_s3": "s3://xn--bucket/eval"},
     "bucket 'xn--bucket', which S3's bucket naming rules refuse: it starts with the "
     "reserved prefix 'xn--'"),
    ({"json_get_s3": "s3://ML-Artifacts/eval"},
     "bucket 'ML-Artifacts', which S3's bucket naming rules refuse: it holds characters "
     "other than lower-case letters"),
    ({"json_get_s3": "s3://ml..artifacts/eval"}, "it holds two adjacent dots"),
    ({"json_get_s3": "s3://ab/eval"}, "it is 2 characters, not 3 to 63"),
    ({"json_get_s3": f"s3://{'a' * 64}/eval"}, "it is 64 characters, not 3 to 63"),
    ({"json_get_s3": "s3://-artifacts/eval"}, "does not begin and end with a letter or digit"),
    ({"json_get_s3": "s3://artifacts-s3alias/eval"},
     "it ends with the reserved suffix '-s3alias'"),
    ({"json_get_s3": "s3://sthree-artifacts/eval"},
     "it starts with the reserved prefix 'sthree-'"),
    ({"json_get_s3": "https://ml-artifacts/eval"},
     "context json_get_s3 'https://ml-artifacts/eval' is not s3://bucket[/prefix]"),
    ({"teams": "rsch=Training;rsch=Processing"}, "context teams names team 'rsch' twice"),
    ({"teams": "=Training"}, "context teams entry '=Training' is not name=Type,Type"),
    ({"teams": "rsch"}, "context teams entry 'rsch' is not name=Type,Type"),
    ({"pipeline_definition": "no-such-definition.json"},
     "context pipeline_definition 'no-such-definition.json' is not a file"),
    ({"pipeline_definition": "tests"}, "context pipeline_definition 'tests' is not a file"),
    ({"pipeline_definition": NON_UTF8}, "is not UTF-8 text"),
    ({"pipeline_name": "-fraud"}, "context pipeline_name '-fraud' is not a SageMaker pipeline"),
    ({"pipeline_name": "fraud_train"}, "context pipeline_name 'fraud_train' is not"),
    ({"pipeline_name": "a" * 257}, "is not a SageMaker pipeline name"),
    ({"principal_tag": "oops"}, "context principal_tag 'oops' is not key=value"),
    ({"principal_tag": "=true"}, "context principal_tag '=true' is not key=value"),
    ({"job_roles": "both"}, "context job_roles 'both' is not one of per-step, shared, none"),
    ({"stackset_regions": "us-east-1,EU-WEST-1"},
     "context stackset_regions 'EU-WEST-1' is not a region name"),
    ({"tag_admin_principal_arns": "arn:aws:iam::*:role/*"},
     "context tag_admin_principal_arns 'arn:aws:iam::*:role/*' matches every role"),
]


@pytest.mark.parametrize(("context", "line"), BAD_CASES,
                         ids=[f"{next(iter(c))}={next(iter(c.values()))[:20]}"
                              for c, _ in BAD_CASES])
def test_each_bad_context_value_is_one_line_naming_it(
    tmp_path: Path, context: dict[str, str], line: str
) -> None:
    """GIVEN one bad context value WHEN the settings are read THEN exactly one problem, on
    one line, saying what is wrong."""
    if context.get("pipeline_definition") == NON_UTF8:
        broken = tmp_path / "definition.json"
        broken.write_bytes(b'{"Steps": [], "Name": "\xff"}')
        context = {"pipeline_definition": str(broken)}
    problems = _problems(**context)
    assert len(problems) == 1, problems
    assert line in problems[0]
    assert "\n" not in problems[0]


@pytest.mark.parametrize(
    "context",
    [
        {"region": "us-gov-west-1"}, {"region": "cn-north-1"}, {"region": "eu-isoe-west-1"},
        {"region": "ap-southeast-7"}, {"account": "000000000000"},
        {"json_get_s3": "s3://my.bucket-1/eval,s3://abc,s3://" + "a" * 63 + "/x"},
        {"teams": "rsch=Training;analytics=Processing"},
        {"pipeline_definition": str(DEFINITION), "pipeline_name": "fraud-train--v2"},
        {"pipeline_name": "a" * 256},
        {"stackset_regions": "us-east-1,eu-west-1"},
    ],
)
def test_good_context_values_pass(context: dict[str, str]) -> None:
    """GIVEN valid values at the edges of each rule WHEN read THEN no problem."""
    _settings(**context)


def test_every_problem_is_listed_at_once() -> None:
    """GIVEN several bad keys and an inconsistency WHEN read THEN one error lists them all,
    one line each, under one heading."""
    with pytest.raises(AppContextError) as raised:
        _settings(account="1", region="us-east-1*", json_get_s3="s3://192.168.1.1/x",
                  teams="a=Training;a=Processing", pipeline_definition="nope.json",
                  job_roles="both")
    message = str(raised.value)
    lines = message.splitlines()
    assert lines[0] == ("the sample app's context has 6 problems (cdk.json, or cdk synth -c "
                        "key=value):")
    assert len(lines) == 7 and all(line.startswith("  - context ") for line in lines[1:])


def test_inconsistent_keys_join_the_same_list() -> None:
    """GIVEN job_roles without a definition and a bad account WHEN read THEN both lines."""
    problems = _problems(job_roles="shared", account="x")
    assert [p.split()[0:2] for p in problems] == [["context", "account"], ["job_roles=shared",
                                                                           "needs"]]


def test_no_stack_is_made_before_the_context_is_checked(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """GIVEN a bad context WHEN the app is built THEN the error comes before any stack."""
    made: list[str] = []
    monkeypatch.setattr(app, "PipelineIamStack", lambda *a, **k: made.append("stack"))
    monkeypatch.setattr(app, "OrgStack", lambda *a, **k: made.append("org"))
    with pytest.raises(AppContextError):
        build_app(sample_context(region="us-east-1*", scp_targets="ou-ab12-cdefgh34"))
    assert made == []


# --- the environment ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "cli", "expected"),
    [
        ({}, {}, ("111122223333", "us-east-1")),
        ({}, {"CDK_DEFAULT_ACCOUNT": "444455556666", "CDK_DEFAULT_REGION": "us-west-2"},
         ("444455556666", "us-west-2")),
        ({"account": "777788889999", "region": "eu-west-1"},
         {"CDK_DEFAULT_ACCOUNT": "444455556666", "CDK_DEFAULT_REGION": "us-west-2"},
         ("777788889999", "eu-west-1")),
        ({"region": "eu-west-1"}, {"CDK_DEFAULT_REGION": "us-east-1"},
         ("111122223333", "eu-west-1")),
    ],
    ids=["fallback", "cli-default", "context-wins", "region-only"],
)
def test_the_context_key_beats_the_clis_default_environment(
    monkeypatch: pytest.MonkeyPatch, given: dict[str, str], cli: dict[str, str],
    expected: tuple[str, str],
) -> None:
    """GIVEN account/region in context and/or the CLI's default environment WHEN read THEN
    the context key when given, else the CLI's, else 111122223333/us-east-1."""
    for variable, value in cli.items():
        monkeypatch.setenv(variable, value)
    settings = _settings(**given)
    assert (settings.account, settings.region) == expected


def test_cdk_json_gives_no_environment_so_that_the_clis_wins() -> None:
    """GIVEN cdk.json WHEN read THEN account and region are empty (not given)."""
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    assert (context["account"], context["region"]) == ("", "")


def test_a_bad_cli_environment_is_named_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a CDK_DEFAULT_REGION that is no region WHEN read THEN the line names the
    variable, not a context key."""
    monkeypatch.setenv("CDK_DEFAULT_REGION", "local")
    (problem,) = _problems()
    assert problem.startswith("CDK_DEFAULT_REGION (the CDK CLI's default) 'local' is not a "
                              "region name")


def test_pipeline_name_reaches_the_definitions_experiments() -> None:
    """GIVEN pipeline_name with a definition WHEN built THEN the Experiments records are
    scoped by that name."""
    from aws_cdk.assertions import Template

    stack = stacks_of(build_app(sample_context(
        pipeline_definition=str(DEFINITION), pipeline_name="fraud-train", teams="")))[0]
    assert "fraud-train" in json.dumps(Template.from_stack(stack).to_json())


def test_main_prints_the_message_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a bad context as the CDK CLI passes it WHEN app.main runs THEN exit 1, the
    lines on stderr, no traceback."""
    monkeypatch.setattr(app, "build_app", lambda: build_app(sample_context(
        region="us-east-1*")))
    assert app.main() == 1
    err = capsys.readouterr().err
    assert err.startswith("app.py: context region 'us-east-1*' is not a region name")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
