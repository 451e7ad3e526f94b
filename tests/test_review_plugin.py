"""ReviewPlugin, the review as a CDK validation plugin: templates -> violations, acceptances,
the severity threshold, the report files; review_templates (the report's entry point for
template paths); and the plugin registered with cdk.Validations in a real synthesis."""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from constructs import Construct

from sm_pipeline_iam import InvalidPropsError, PrefixedStepRole, ReviewPlugin
from sm_pipeline_iam.review.assembly import AssemblyError
from sm_pipeline_iam.review.report import (
    RULES,
    AcceptanceError,
    review_assembly,
    review_templates,
)

TEAM_ROLE = "Team/Research45C4ADF7"


def _team_role(scope: Construct, *, wide: bool = True, prefix: str = "rsch"
               ) -> PrefixedStepRole:
    """A library role with a warning (wildcardResource) and, when ``wide``, an error
    (unscopedGrant)."""
    role = PrefixedStepRole(scope, "Research", step_types=["Processing"], job_prefix=prefix)
    role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"],
                                           resources=["arn:aws:s3:::team-bucket/*"]))
    if wide:
        role.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=["*"]))
    return role


class _Nested(cdk.NestedStack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        _team_role(self, prefix="shared")


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> tuple[cdk.App, Path]:
    """An app synthesized without the plugin: stack Team (an error and a warning), and a
    Stage Prod whose stack Shared holds a nested stack with the same role."""
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("assembly")))
    _team_role(cdk.Stack(app, "Team"))
    _Nested(cdk.Stack(cdk.Stage(app, "Prod"), "Shared"), "Extras")
    directory = Path(app.synth().directory)
    return app, directory


def _templates(directory: Path) -> dict[str, str]:
    """Stack name -> its template file (absolute), as the CDK hands them to a plugin."""
    manifests = [directory / "manifest.json", *directory.glob("assembly-*/manifest.json")]
    found = {}
    for manifest in manifests:
        for artifact in json.loads(manifest.read_text())["artifacts"].values():
            if artifact["type"] == "aws:cloudformation:stack":
                found[artifact["displayName"]] = str(
                    manifest.parent / artifact["properties"]["templateFile"])
    return found


def _context(directory: Path, *stacks: str) -> Any:
    templates = _templates(directory)
    return SimpleNamespace(template_paths=[templates[s] for s in stacks or templates])


def _accept(path: Path, *entries: dict[str, str]) -> Path:
    path.write_text(json.dumps({"accept": list(entries)}))
    return path


# --- review_templates -------------------------------------------------------------------


def test_review_templates_reviews_the_given_stacks_and_their_nested_stacks(
        assembly: tuple[cdk.App, Path]) -> None:
    """GIVEN the assembly WHEN only the Stage's stack is given THEN it and its nested stack
    are reviewed, under the names the command line gives them, and Team is not."""
    _, directory = assembly
    reviews = review_templates(directory, _context(directory, "Prod/Shared").template_paths)
    # Without path metadata a nested stack is named by its parent and resource logical id.
    assert [r.name for r in reviews] == [
        "Prod/Shared", "Prod/Shared/ExtrasNestedStackExtrasNestedStackResource4CE3B854"]
    assert {f.id for f in reviews[1].findings} == {"unscopedGrant", "wildcardResource"}
    assert all(f.where.startswith(f"{reviews[1].name}/") for f in reviews[1].findings)


def test_review_templates_of_every_stack_is_the_assembly_review(
        assembly: tuple[cdk.App, Path]) -> None:
    """GIVEN every stack's template WHEN reviewed THEN the findings are the same as the
    command line's review of the whole assembly."""
    _, directory = assembly
    given = review_templates(directory, _context(directory).template_paths)
    whole = review_assembly(directory)
    assert [(r.name, r.findings) for r in given] == [(r.name, r.findings) for r in whole]
    assert sum(len(r.findings) for r in given) == 4


def test_review_templates_refuses_a_template_outside_the_assembly(
        assembly: tuple[cdk.App, Path], tmp_path: Path) -> None:
    """GIVEN a template file that is no stack of the assembly WHEN reviewed THEN an
    AssemblyError names it."""
    _, directory = assembly
    stray = tmp_path / "Stray.template.json"
    stray.write_text('{"Resources": {}}')
    with pytest.raises(AssemblyError, match=r"Stray\.template\.json: no stack of the assembly"):
        review_templates(directory, [stray])


# --- the plugin's logic -----------------------------------------------------------------


def test_an_unaccepted_error_is_a_violation_naming_the_finding(
        assembly: tuple[cdk.App, Path]) -> None:
    """GIVEN Team's template WHEN validated with the defaults THEN the report fails with
    one violation: the unscopedGrant error, its where, what is wrong and its fix; the
    warning is not one."""
    app, directory = assembly
    result = ReviewPlugin(app).validate(_context(directory, "Team"))
    assert result.success is False
    (violation,) = result.violations
    assert violation.rule_name == "unscopedGrant"
    assert violation.description.startswith(f"error unscopedGrant at {TEAM_ROLE}: ")
    assert "s3:PutObject" in violation.description
    assert violation.fix is not None and violation.fix.startswith(RULES["unscopedGrant"][1])
    assert f'"where": "{TEAM_ROLE}"' in violation.fix
    (resource,) = violation.violating_resources
    assert resource.resource_logical_id == "Research45C4ADF7"
    assert resource.template_path == _templates(directory)["Team"]


def test_fail_on_warning_makes_warnings_violations(assembly: tuple[cdk.App, Path]) -> None:
    """GIVEN fail_on="warning" WHEN validated THEN the wildcardResource warning fails
    too."""
    app, directory = assembly
    result = ReviewPlugin(app, fail_on="warning").validate(_context(directory, "Team"))
    assert result.success is False
    assert sorted(v.rule_name for v in result.violations) == ["unscopedGrant",
                                                              "wildcardResource"]


def test_without_errors_the_default_threshold_passes_a_warning(tmp_path: Path) -> None:
    """GIVEN a role with a warning only WHEN validated with the default THEN it passes,
    and the warning is in the report."""
    app = cdk.App(outdir=str(tmp_path))
    _team_role(cdk.Stack(app, "Team"), wide=False)
    app.synth()
    plugin = ReviewPlugin(app)
    result = plugin.validate(_context(tmp_path, "Team"))
    assert result.success is True and result.violations == []
    assert f"warning `wildcardResource` `{TEAM_ROLE}`" in plugin.report_files[0].read_text()


def test_an_accepted_finding_does_not_fail(assembly: tuple[cdk.App, Path],
                                           tmp_path: Path) -> None:
    """GIVEN an acceptance file accepting the error WHEN validated THEN it passes, and the
    report marks the finding accepted with its reason."""
    app, directory = assembly
    accept = _accept(tmp_path / "accept.json", {"where": "Team/Research*", "id": "unscopedGrant",
                                                "reason": "the team's scratch bucket"})
    plugin = ReviewPlugin(app, accept=accept, report_name="accepted")
    result = plugin.validate(_context(directory, "Team"))
    assert result.success is True and result.violations == []
    assert "**accepted**: the team's scratch bucket" in plugin.report_files[0].read_text()


def test_an_expired_acceptance_fails_again(assembly: tuple[cdk.App, Path],
                                           tmp_path: Path) -> None:
    """GIVEN an acceptance whose expiry has passed WHEN validated THEN the finding fails,
    its description saying the acceptance expired."""
    app, directory = assembly
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    accept = _accept(tmp_path / "accept.json", {"where": TEAM_ROLE, "id": "unscopedGrant",
                                                "reason": "until the fix",
                                                "expires": yesterday})
    result = ReviewPlugin(app, accept=str(accept)).validate(_context(directory, "Team"))
    (violation,) = result.violations
    assert f"(its acceptance expired: until the fix (until {yesterday}))" in violation.description


def test_the_reports_are_written_into_the_assembly(assembly: tuple[cdk.App, Path],
                                                   tmp_path: Path) -> None:
    """GIVEN every format and an acceptance matching nothing WHEN validated THEN the
    Markdown, JSON and SARIF reports are in the assembly directory, each with the findings
    and the stale acceptance."""
    app, directory = assembly
    accept = _accept(tmp_path / "accept.json", {"where": "Gone/Role", "id": "notAction",
                                                "reason": "old"})
    plugin = ReviewPlugin(app, accept=accept, report_formats=["markdown", "json", "sarif"],
                          report_name="all-formats")
    plugin.validate(_context(directory))
    assert plugin.report_files == [directory / "all-formats.md", directory / "all-formats.json",
                                   directory / "all-formats.sarif"]
    markdown, data, sarif = (path.read_text() for path in plugin.report_files)
    assert "## Stack Prod/Shared/Extras" in markdown and "matches no finding" in markdown
    assert [a["where"] for a in json.loads(data)["unmatched_acceptances"]] == ["Gone/Role"]
    results = json.loads(sarif)["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"unscopedGrant", "wildcardResource",
                                              "unmatchedAcceptance"}


def test_the_default_report_is_markdown_in_the_assembly(assembly: tuple[cdk.App, Path]) -> None:
    """GIVEN the defaults WHEN validated THEN sm-pipeline-iam-report.md is written."""
    app, directory = assembly
    plugin = ReviewPlugin(app)
    assert plugin.report_files == [directory / "sm-pipeline-iam-report.md"]
    plugin.validate(_context(directory))
    assert plugin.report_files[0].read_text().startswith("# sm-pipeline-iam review")


def test_an_absolute_report_name_writes_outside_the_assembly(
        assembly: tuple[cdk.App, Path], tmp_path: Path) -> None:
    """GIVEN an absolute report_name WHEN validated THEN the report is written there."""
    app, directory = assembly
    plugin = ReviewPlugin(app, report_formats=["json"], report_name=str(tmp_path / "review"))
    plugin.validate(_context(directory, "Team"))
    assert plugin.report_files == [tmp_path / "review.json"]
    assert [s["name"] for s in json.loads((tmp_path / "review.json").read_text())["stacks"]] == [
        "Team"]


def test_no_report_formats_writes_nothing(tmp_path: Path) -> None:
    """GIVEN report_formats=() WHEN validated THEN no file is added to the assembly."""
    app = cdk.App(outdir=str(tmp_path))
    _team_role(cdk.Stack(app, "Team"))
    app.synth()
    before = sorted(tmp_path.iterdir())
    assert ReviewPlugin(app, report_formats=()).validate(_context(tmp_path)).success is False
    assert sorted(tmp_path.iterdir()) == before


def test_the_plugin_describes_itself(assembly: tuple[cdk.App, Path]) -> None:
    """GIVEN a plugin WHEN asked THEN its name, its rules (the finding ids) and the
    library's version."""
    plugin = ReviewPlugin(assembly[0])
    assert plugin.name == "sm-pipeline-iam"
    assert plugin.rule_ids == sorted(RULES)
    assert plugin.version == importlib.metadata.version("sm-pipeline-iam")


def test_bad_arguments_are_refused_at_construction(tmp_path: Path) -> None:
    """GIVEN an unknown severity and format WHEN constructed THEN InvalidPropsError names
    both; a malformed acceptance file is an AcceptanceError."""
    app = cdk.App(outdir=str(tmp_path))
    with pytest.raises(InvalidPropsError) as refused:
        ReviewPlugin(app, fail_on="info", report_formats=["markdown", "html"])
    assert sorted(p.code for p in refused.value.problems) == ["unknownFormat",
                                                               "unknownSeverity"]
    assert "'html'" in str(refused.value) and "'info'" in str(refused.value)
    bad = tmp_path / "accept.json"
    bad.write_text('{"accept": [{"where": "X/Y", "id": "unscopedGrant"}]}')
    with pytest.raises(AcceptanceError, match="reason"):
        ReviewPlugin(app, accept=bad)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"report_formats": "markdown"}, "notAList"),      # a string, not a list of them
    ({"report_formats": [3]}, "unknownFormat"),
    ({"report_name": ""}, "notAFileName"),
    ({"report_name": None}, "notAFileName"),
    ({"all_principals": "yes"}, "notABool"),
    ({"fail_on": ["error"]}, "unknownSeverity"),
])
def test_wrong_types_are_one_problem_each(tmp_path: Path, kwargs: dict[str, object],
                                          code: str) -> None:
    """GIVEN an argument of the wrong type WHEN constructed THEN one problem names it (a
    string of formats is not read letter by letter, an empty name writes no '.md')."""
    with pytest.raises(InvalidPropsError) as refused:
        ReviewPlugin(cdk.App(outdir=str(tmp_path)), **kwargs)  # type: ignore[arg-type]
    assert [p.code for p in refused.value.problems] == [code]


# --- registered with cdk.Validations ----------------------------------------------------


def test_registered_the_synthesis_fails_on_the_finding(tmp_path: Path) -> None:
    """GIVEN a team app with the plugin added through cdk.Validations WHEN synthesized THEN
    the synthesis fails naming the finding, and the report is in the assembly."""
    app = cdk.App(outdir=str(tmp_path))
    _team_role(cdk.Stack(app, "Team"))
    cdk.Validations.of(app).add_plugins(ReviewPlugin(app))
    with pytest.raises(RuntimeError, match=re.escape(f"error unscopedGrant at {TEAM_ROLE}")):
        app.synth()
    assert "unscopedGrant" in (tmp_path / "sm-pipeline-iam-report.md").read_text()


def test_registered_with_the_finding_accepted_the_synthesis_passes(tmp_path: Path) -> None:
    """GIVEN the same app with an acceptance file WHEN synthesized THEN it succeeds."""
    accept = _accept(tmp_path / "accept.json", {"where": TEAM_ROLE, "id": "unscopedGrant",
                                                "reason": "reviewed"})
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    _team_role(cdk.Stack(app, "Team"))
    cdk.Validations.of(app).add_plugins(ReviewPlugin(app, accept=accept))
    assembly = app.synth()
    report = Path(assembly.directory) / "sm-pipeline-iam-report.md"
    assert "**accepted**: reviewed" in report.read_text()
