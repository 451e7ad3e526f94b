"""The review report as a CI gate: a team app built here with aws_cdk (a Stage, a nested
stack, a group and a user, imports, a foreign role with AdministratorAccess, a plain
Lambda function, a SageMaker pipeline), its golden reports (Markdown with the diagram,
JSON, SARIF validated against the SARIF 2.1.0 schema), each finding id, acceptances and
the exit codes."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsonschema
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from app import build_app
from sm_pipeline_iam import PipelineExecutionRole, PrefixedStepRole
from sm_pipeline_iam.review.cli import main
from sm_pipeline_iam.review.report import (
    RULES,
    Acceptance,
    has_findings,
    review_assembly,
    to_json,
    to_markdown,
    to_sarif,
    unmatched_acceptances,
)
from support.golden import MarkdownSnapshot
from support.scenarios import sample_context

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
TODAY = datetime.date(2026, 6, 1)
ENV = cdk.Environment(account="111122223333", region="us-east-1")


class JsonSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "json"


class SarifSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "sarif"


class Extras(cdk.NestedStack):
    """A nested stack holding a team's role."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        PrefixedStepRole(self, "ResearchRole", job_prefix="rsch", step_types=["Processing"])


class Workload(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        role = PipelineExecutionRole(self, "PipelineRole", step_types=["Processing"],
                                     job_prefix="fraud")
        definition = {"Version": "2020-12-01", "Steps": [
            {"Name": "Prepare", "Type": "Processing",
             "Arguments": {"RoleArn": role.role_arn, "ProcessingJobName": "fraud-prepare"}},
            {"Name": "Check", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}},
        ]}
        sagemaker.CfnPipeline(
            self, "Pipeline", pipeline_name="fraud-train", role_arn=role.role_arn,
            pipeline_definition={"PipelineDefinitionBody": self.to_json_string(definition)},
        )
        # A parameter opted in to any value: the scoring role reads any summary object.
        PipelineExecutionRole.from_definition(self, "ScoringRole", {
            "Version": "2020-12-01",
            "Parameters": [{"Name": "ScoresUrl", "Type": "String"}],
            "Steps": [{"Name": "CheckScore", "Type": "Fail", "Arguments": {"ErrorMessage": {
                "Std:JsonGet": {"S3Uri": {"Get": "Parameters.ScoresUrl"},
                                "Path": "summary"}}}}],
        }, any_value_parameters=["ScoresUrl"])
        scientists = iam.Group(self, "DataScientists")
        role.grant_pass_role(scientists)
        iam.User(self, "Ci", groups=[scientists])
        scientists.add_to_policy(iam.PolicyStatement(
            sid="EverythingButIam", not_actions=["iam:*"], resources=["*"]))
        scientists.add_to_policy(iam.PolicyStatement(
            sid="AnyObject", actions=["s3:GetObject"], resources=["arn:aws:s3:::*/*"]))
        scientists.add_to_policy(iam.PolicyStatement(
            sid="SharedBucket", actions=["s3:GetObject"],
            resources=[cdk.Fn.import_value("Shared-BucketArn")]))
        scientists.add_to_policy(iam.PolicyStatement(
            sid="ManyPrefixes", actions=["s3:PutObject"],
            resources=[f"arn:aws:s3:::team-data/{'p' * 200}{n}/*" for n in range(24)]))
        legacy = iam.Role(
            self, "LegacyAdmin", assumed_by=iam.AccountRootPrincipal(),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(
                "AdministratorAccess")],
        )
        role.grant_pass_role(legacy)
        iam.ManagedPolicy(self, "LegacyReads", roles=[legacy], statements=[
            iam.PolicyStatement(actions=["sagemaker:DescribePipeline"],
                                resources=["arn:aws:sagemaker:us-east-1:111122223333:"
                                           "pipeline/fraud-*"]),
            iam.PolicyStatement(sid="AllButSecrets", actions=["s3:GetObject"],
                                not_resources=["arn:aws:s3:::secrets/*"])])
        lambda_.Function(self, "Notify", runtime=lambda_.Runtime.PYTHON_3_12,
                         handler="index.handler",
                         code=lambda_.Code.from_inline("def handler(e, c):\n    return e\n"))
        cdk.CfnResource(self, "BigScp", type="AWS::Organizations::Policy", properties={
            "Name": "too-big", "Type": "SERVICE_CONTROL_POLICY", "TargetIds": [],
            "Content": {"Version": "2012-10-17", "Statement": [
                {"Sid": f"Deny{n}", "Effect": "Deny", "Action": "s3:*",
                 "Resource": f"arn:aws:s3:::{'b' * 60}{n}/*"} for n in range(80)]}})
        Extras(self, "Extras")


@pytest.fixture(scope="module")
def team_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("team")))
    stage = cdk.Stage(app, "Team", env=ENV)
    Workload(stage, "Workload")
    return Path(app.synth().directory)


ACCEPTANCES = [
    Acceptance("Team/Workload/LegacyAdmin*", "adminPolicyAttached",
               "break-glass role, reviewed quarterly", datetime.date(2099, 12, 31)),
    Acceptance("Team/Workload/DataScientists*", "notAction", "old exception",
               datetime.date(2026, 1, 31)),
    # Stale: no such role any more; listed under "Acceptances that matched nothing".
    Acceptance("Team/Workload/RetiredRole*", "unscopedGrant", "removed in 2025",
               file="accept.json", entry=2),
]
STALE = ACCEPTANCES[2]


def _reviews(directory: Path, **options: Any) -> Any:
    return review_assembly(directory, acceptances=ACCEPTANCES, today=TODAY, **options)


@pytest.mark.parametrize("output", ["markdown", "json", "sarif"])
def test_team_app_reports_match_their_golden_files(
    team_app: Path, output: str, snapshot: SnapshotAssertion
) -> None:
    """GIVEN the team app and an acceptance file WHEN reviewed THEN each format equals its
    golden file."""
    reviews = _reviews(team_app)
    unmatched = unmatched_acceptances(reviews, ACCEPTANCES)
    if output == "markdown":
        assert to_markdown(reviews, unmatched) == snapshot.use_extension(MarkdownSnapshot)
    elif output == "json":
        assert to_json(reviews, unmatched) == snapshot.use_extension(JsonSnapshot)
    else:
        assert to_sarif(reviews, unmatched) == snapshot.use_extension(SarifSnapshot)


def test_every_finding_id_is_raised_by_the_team_app(team_app: Path) -> None:
    """GIVEN the team app WHEN reviewed with --all THEN every finding id appears, with its
    severity; the accepted one is accepted, the expired acceptance no longer counts."""
    findings = [f for r in _reviews(team_app, scope_all=True) for f in r.findings]
    assert {f.id for f in findings} == set(RULES)
    assert all(f.severity == RULES[f.id][0] for f in findings)
    status = {(f.id, f.status) for f in findings}
    assert ("adminPolicyAttached", "accepted") in status
    assert ("notAction", "expired") in status


def test_scope_leaves_out_the_plain_lambda_role_unless_all(team_app: Path) -> None:
    """GIVEN a plain lambda_.Function WHEN reviewed THEN its role is out of scope (no
    confused-deputy finding), and in scope with --all."""
    scoped = _reviews(team_app)
    workload = next(r for r in scoped if r.name == "Team/Workload")
    assert "role Team/Workload/Notify/ServiceRole" in workload.out_of_scope
    assert "noConfusedDeputyCondition" not in {f.id for f in workload.findings}
    everything = next(r for r in _reviews(team_app, scope_all=True) if r.name == "Team/Workload")
    assert any(p.name == "Team/Workload/Notify/ServiceRole" for p in everything.principals)
    # Named by construct path (the manifest's, as path metadata is off), never logical id.
    names = {(p.kind, p.name) for p in workload.principals}
    assert {("group", "Team/Workload/DataScientists"), ("user", "Team/Workload/Ci"),
            ("role", "Team/Workload/LegacyAdmin"), ("role", "Team/Workload/PipelineRole")
            } <= names


def test_stage_and_nested_stack_are_read(team_app: Path) -> None:
    """GIVEN a Stage holding a stack with a nested stack WHEN reviewed THEN both stacks, the
    nested one with its team role."""
    reviews = _reviews(team_app)
    assert reviews[0].name == "Team/Workload"
    nested = [r for r in reviews if r.name.startswith("Team/Workload/")]
    assert nested and any("ResearchRole" in p.name for p in nested[0].principals)


def test_the_pipeline_shows_its_roles_and_steps(team_app: Path) -> None:
    """GIVEN a CfnPipeline whose definition is an Fn::Join WHEN reviewed THEN its name, the
    role it runs as and each step's role."""
    (pipeline,) = next(r for r in _reviews(team_app) if r.name == "Team/Workload").pipelines
    assert pipeline.name == "fraud-train"
    assert pipeline.role.startswith("${PipelineRole") and pipeline.role.endswith(".Arn}")
    assert [(s.name, s.roles) for s in pipeline.steps] == [
        ("Prepare", [pipeline.role]), ("Check", [])]


def test_rendering_and_attachments(team_app: Path) -> None:
    """GIVEN imports and AWS managed policies WHEN reviewed as Markdown THEN the export's
    name and the policy's name, never raw JSON."""
    markdown = to_markdown(_reviews(team_app))
    assert "${ImportValue:Shared-BucketArn}" in markdown
    assert "AWS managed: AdministratorAccess" in markdown
    assert "Fn::ImportValue" not in markdown and "Fn::Join" not in markdown
    assert "```mermaid" in markdown and "Diagram of pipeline fraud-train" in markdown


def test_sarif_is_valid_sarif_2_1_0(team_app: Path) -> None:
    """GIVEN the team app WHEN written as SARIF THEN it validates against the SARIF 2.1.0
    schema; one run, a rule per finding id, accepted findings suppressed."""
    document = json.loads(to_sarif(_reviews(team_app, scope_all=True)))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    (run,) = document["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(RULES)
    accepted = [r for r in run["results"] if r.get("suppressions")]
    assert any(r["ruleId"] == "adminPolicyAttached"
               and r["suppressions"][0]["status"] == "accepted" for r in accepted)
    location = run["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith(".template.json")


def test_the_sample_app_sarif_is_valid_and_clean(tmp_path: Path) -> None:
    """GIVEN the sample app WHEN written as SARIF THEN valid, with no results."""
    directory = Path(build_app(sample_context(), outdir=str(tmp_path)).synth().directory)
    document = json.loads(to_sarif(review_assembly(directory)))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    assert document["runs"][0]["results"] == []


def _write(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"accept": entries}))
    return path


def test_cli_exit_codes_with_acceptances(team_app: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN the team app WHEN reported THEN 1 with open findings; 0 once an acceptance in
    force covers each; 1 again when one has expired; SARIF to a file."""
    assert main(["report", str(team_app)]) == 1
    every = [{"where": "Team/*", "id": rule, "reason": "known"} for rule in RULES]
    accept = _write(tmp_path / "all.json", every)
    assert main(["report", str(team_app), "--accept", str(accept)]) == 0
    assert "**accepted**: known" in capsys.readouterr().out
    expired = _write(tmp_path / "expired.json",
                     [{**e, "expires": "2020-01-01"} for e in every])
    assert main(["report", str(team_app), "--accept", str(expired)]) == 1
    output = tmp_path / "report.sarif"
    assert main(["report", str(team_app), "--all", "--format", "sarif", "--accept",
                 str(accept), "--output", str(output)]) == 0
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(output.read_text()))


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{", "is not valid JSON"),
        ("[]", 'one key, "accept"'),
        (json.dumps({"accept": [{"where": "S/R", "id": "noSuchId", "reason": "x"}]}),
         "unknown finding id 'noSuchId'"),
        (json.dumps({"accept": [{"where": "S/R", "id": "notAction"}]}),
         "needs a non-empty string 'reason'"),
        (json.dumps({"accept": [{"where": "S/R", "id": "notAction", "reason": "x",
                                 "expires": "soon"}]}), "is not YYYY-MM-DD"),
    ],
    ids=["not-json", "not-object", "unknown-id", "no-reason", "bad-date"],
)
def test_bad_acceptance_files_exit_2(team_app: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str], content: str,
                                     says: str) -> None:
    """GIVEN a malformed acceptance file WHEN reported THEN exit 2, one line saying why."""
    path = tmp_path / "accept.json"
    path.write_text(content)
    assert main(["report", str(team_app), "--accept", str(path)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_has_findings_ignores_accepted_ones(team_app: Path) -> None:
    """GIVEN every finding accepted WHEN checked THEN no finding counts."""
    accepted = [Acceptance("*", rule, "ok") for rule in RULES]
    assert not has_findings(review_assembly(team_app, acceptances=accepted, today=TODAY))


def test_acceptances_that_match_no_finding_are_listed(team_app: Path) -> None:
    """GIVEN acceptances of which one names no finding, one the right place but another id
    WHEN reviewed THEN exactly those two are unmatched, in the acceptance file's order; a
    glob that matches stays off the list."""
    wrong_id = Acceptance("Team/Workload/LegacyAdmin*", "scpOverLimit", "wrong id")
    acceptances = [*ACCEPTANCES, wrong_id]
    assert unmatched_acceptances(_reviews(team_app), acceptances) == [STALE, wrong_id]
    assert unmatched_acceptances(_reviews(team_app), ACCEPTANCES[:2]) == []


def test_unmatched_acceptances_in_each_format(team_app: Path) -> None:
    """GIVEN a stale acceptance WHEN written THEN Markdown lists it under its heading with
    the file and entry, JSON under unmatched_acceptances, SARIF as a valid note located at
    the acceptance file; without one, none of that appears."""
    reviews = _reviews(team_app)
    markdown = to_markdown(reviews, [STALE])
    section = markdown.split("## Acceptances that matched nothing\n", 1)[1]
    assert ("- acceptance of `unscopedGrant` at `Team/Workload/RetiredRole*` (accept.json "
            "accept[2]) matches no finding: removed in 2025") in section
    assert "Acceptances that matched nothing" not in to_markdown(reviews)
    assert json.loads(to_json(reviews, [STALE]))["unmatched_acceptances"] == [{
        "where": "Team/Workload/RetiredRole*", "id": "unscopedGrant",
        "reason": "removed in 2025", "expires": None, "file": "accept.json", "entry": 2}]
    assert json.loads(to_json(reviews))["unmatched_acceptances"] == []
    document = json.loads(to_sarif(reviews, [STALE]))
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    (run,) = document["runs"]
    (note,) = [r for r in run["results"] if r["ruleId"] == "unmatchedAcceptance"]
    assert note["level"] == "note"
    assert run["tool"]["driver"]["rules"][note["ruleIndex"]]["id"] == "unmatchedAcceptance"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "accept.json"
    plain = json.loads(to_sarif(reviews))["runs"][0]
    assert "unmatchedAcceptance" not in {r["id"] for r in plain["tool"]["driver"]["rules"]}


@pytest.mark.parametrize("output_format", ["markdown", "json", "sarif"])
def test_cli_lists_stale_acceptances_without_changing_the_exit_code(
    team_app: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    """GIVEN an acceptance file where every finding is accepted and one entry is stale WHEN
    reported THEN exit 0 still, and the stale entry is named with its index in the file."""
    every = [{"where": "Team/*", "id": rule, "reason": "known"} for rule in RULES]
    stale = {"where": "Gone/Stack/Role*", "id": "notAction", "reason": "gone"}
    accept = _write(tmp_path / "accept.json", [*every, stale])
    code = main(["report", str(team_app), "--all", "--accept", str(accept), "--format",
                 output_format])
    out = capsys.readouterr().out
    assert code == 0
    if output_format == "markdown":
        assert (f"at `Gone/Stack/Role*` ({accept} accept[{len(every)}]) matches no finding: "
                "gone") in out
    elif output_format == "json":
        (entry,) = json.loads(out)["unmatched_acceptances"]
        assert (entry["where"], entry["file"], entry["entry"]) == (
            "Gone/Stack/Role*", str(accept), len(every))
    else:
        document = json.loads(out)
        jsonschema.Draft4Validator(SCHEMA).validate(document)
        notes = [r for r in document["runs"][0]["results"] if r["level"] == "note"]
        assert [n["ruleId"] for n in notes] == ["unmatchedAcceptance"]
