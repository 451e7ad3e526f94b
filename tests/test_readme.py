"""The README: its two commands, and every Python example, run as written.

Each ```python block of README.md follows a marker ``<!-- readme-example: NAME [after=A]
[standalone] -->``. The harness below runs each example from the repository root, in a
fresh namespace: first the README's own ``preamble`` example (a CDK app, a stack and the
principals the examples use), unless the example is ``standalone`` (it makes its own
app); then the examples named by ``after=`` (comma-separated, in order); then the
example. It then synthesizes ``app`` and hands the namespace and the synthesized
templates to the example's check in :data:`CHECKS`, which every example must have.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from sm_pipeline_iam import InvalidPropsError, LeastPrivilegePipeline, PrefixedStepRole

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"

#: A marker line and the Python block right after it.
_EXAMPLE = re.compile(
    r"^<!-- readme-example: ([\w-]+)((?: [\w=,-]+)*) -->\n```python\n(.*?)^```$",
    re.MULTILINE | re.DOTALL,
)

#: The README's two commands, word for word: CI (.ci/run) runs the second.
TWO_COMMANDS = (
    "make synth   # the main job: synthesize the sample app into cdk.out/\n"
    "make test    # the whole test suite: ruff, mypy --strict, unit and integration tests\n"
)


@dataclass(frozen=True)
class Example:
    """One Python block of the README, and what it runs after."""

    name: str
    code: str
    after: tuple[str, ...]
    standalone: bool


def _examples() -> dict[str, Example]:
    examples: dict[str, Example] = {}
    for match in _EXAMPLE.finditer(README.read_text()):
        name, options, code = match[1], match[2].split(), match[3]
        after = next((o.removeprefix("after=") for o in options if o.startswith("after=")), "")
        assert name not in examples, f"two README examples are named {name!r}"
        examples[name] = Example(name, code, tuple(filter(None, after.split(","))),
                                 "standalone" in options)
    return examples


EXAMPLES = _examples()


def readme_example(name: str) -> str:
    """The Python block after ``<!-- readme-example: name ... -->`` in README.md."""
    assert name in EXAMPLES, f"README.md has no example {name!r}"
    return EXAMPLES[name].code


def _run(name: str, namespace: dict[str, Any]) -> None:
    exec(compile(readme_example(name), f"README.md:{name}", "exec"), namespace)


def run_example(name: str) -> dict[str, Any]:
    """Run the example as the module docstring says; its namespace."""
    example = EXAMPLES[name]
    namespace: dict[str, Any] = {}
    if not example.standalone and name != "preamble":
        _run("preamble", namespace)
    for earlier in example.after:
        _run(earlier, namespace)
    _run(name, namespace)
    return namespace


Templates = dict[str, str]


def _synth(namespace: dict[str, Any]) -> Templates:
    """Every template the example's app synthesizes (nested stages too): file name -> text."""
    directory = Path(namespace["app"].synth().directory)
    return {path.name: path.read_text() for path in directory.rglob("*.template.json")}


def _one(templates: Templates, stack: str) -> str:
    return next(text for name, text in templates.items() if name.startswith(stack))


# --- the checks, one per example ------------------------------------------------------


def _preamble(ns: dict[str, Any], templates: Templates) -> None:
    assert set(templates) == {"Workload.template.json"}
    assert '"AWS::IAM::Group"' in templates["Workload.template.json"]


def _pipeline(ns: dict[str, Any], templates: Templates) -> None:
    workload = _one(templates, "Workload")
    assert '"AWS::SageMaker::Pipeline"' in workload
    assert "sagemaker:StartPipelineExecution" in workload  # the data scientists' grant
    assert "sagemaker:UpdatePipeline" in workload          # the CI role's grant
    assert ns["pipeline"].role_for("TrainAbaloneModel") is not None
    # The text after the example: required_job_prefix="abalone" refuses the sample, naming the step.
    with pytest.raises(InvalidPropsError) as refused:
        LeastPrivilegePipeline(ns["stack"], "Prefixed", definition="samples/pipeline.json",
                               pipeline_name="sample-abalone",
                               required_job_prefix="abalone")
    assert [p.code for p in refused.value.problems] == ["outsidePrefix"]
    assert "TrainAbaloneModel" in str(refused.value)


def _team_app(ns: dict[str, Any], templates: Templates) -> None:
    """The grants land in the People stack naming the pipeline, the job roles are tagged
    for the SCP in the Workload stack, and the SCP lives in the Org stack."""
    people = next(text for name, text in templates.items() if "People" in name)
    assert "sagemaker:StartPipelineExecution" in people
    assert "pipeline/sample-abalone" in people
    assert "iam:PassRole" in people
    workload = next(text for name, text in templates.items() if "Workload" in name)
    assert workload.count('"sm-pipeline-exception"') >= 5  # execution role + 4 job roles
    org = next(text for name, text in templates.items() if name.startswith("Org"))
    assert "AWS::Organizations::Policy" in org


def _execution_role_from_definition(ns: dict[str, Any], templates: Templates) -> None:
    workload = _one(templates, "Workload")
    assert "pipeline/sample-abalone/*" in workload  # the trust's aws:SourceArn
    assert "iam:PassRole" in workload                # the CI role may pass it


def _execution_role_step_types(ns: dict[str, Any], templates: Templates) -> None:
    workload = _one(templates, "Workload")
    assert "training-job/fraud-*" in workload
    assert "ml-artifacts/evaluation/*" in workload
    assert '"sm-pipeline-exception"' in workload


def _job_roles(ns: dict[str, Any], templates: Templates) -> None:
    mapping = ns["job_roles"].role_arn_mapping
    assert "TrainAbaloneModel" in mapping and "EvaluateAbaloneModel" not in mapping
    assert "/aws/sagemaker/Endpoints/abalone-prod" in _one(templates, "Workload")


def _job_role(ns: dict[str, Any], templates: Templates) -> None:
    workload = _one(templates, "Workload")
    assert "ml-artifacts/fraud/models/*" in workload
    assert "kms:CreateGrant" in workload or "kms:Decrypt" in workload
    assert "ecr:BatchGetImage" in workload


def _prefixed_step_role(ns: dict[str, Any], templates: Templates) -> None:
    assert "pipeline/rsch-*" in _one(templates, "Workload")
    assert "rsch" in ns["research"].usage()


def _org_scp(ns: dict[str, Any], templates: Templates) -> None:
    org = _one(templates, "Org")
    assert "SERVICE_CONTROL_POLICY" in org and "ou-ab12-cdefgh34" in org
    assert '"sm-pipeline-exception"' in _one(templates, "Workload")


def _org_rcp(ns: dict[str, Any], templates: Templates) -> None:
    assert "RESOURCE_CONTROL_POLICY" in _one(templates, "Org")


def _stackset(ns: dict[str, Any], templates: Templates) -> None:
    resources = json.loads(_one(templates, "Management"))["Resources"].values()
    stack_set = next(r for r in resources if r["Type"] == "AWS::CloudFormation::StackSet")
    body = stack_set["Properties"]["TemplateBody"]
    assert "sagemaker.amazonaws.com" in body         # the workload stack's execution role
    assert "CheckBootstrapVersion" not in body       # synthesized without the bootstrap rule
    assert "ou-ab12-cdefgh34" in json.dumps(stack_set)


def _cdk_nag(ns: dict[str, Any], templates: Templates) -> None:
    """The plugin runs: a role of ours passes it, a hand-written wildcard fails it."""
    app = ns["app"]
    stack = cdk.Stack(app, "Nagged")
    PrefixedStepRole(stack, "Team", job_prefix="rsch", step_types=["Training"])
    app.synth(force=True)
    wide = iam.Role(stack, "Wide", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    wide.add_to_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))
    with pytest.raises(Exception, match="AwsSolutions-IAM5"):
        app.synth(force=True)


def _review_plugin(ns: dict[str, Any], templates: Templates) -> None:
    """The review runs in the app's synthesis: the report is in the assembly, and a wide
    grant on a library role fails the synthesis, naming the finding."""
    app = ns["app"]
    report = Path(app.synth().directory) / "sm-pipeline-iam-report.md"
    assert "## Stack Workload" in report.read_text()
    team = PrefixedStepRole(ns["stack"], "Team", job_prefix="rsch", step_types=["Training"])
    team.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=["*"]))
    with pytest.raises(Exception, match="error unscopedGrant at Workload/Team"):
        app.synth(force=True)


def _errors(ns: dict[str, Any], templates: Templates) -> None:
    assert ns["too_long"], "the example's prefix must be too long for Tuning"
    assert all(problem.prop == "job_prefix" for problem in ns["too_long"])


CHECKS: dict[str, Callable[[dict[str, Any], Templates], None]] = {
    "preamble": _preamble,
    "pipeline": _pipeline,
    "team-app": _team_app,
    "execution-role-from-definition": _execution_role_from_definition,
    "execution-role-step-types": _execution_role_step_types,
    "job-roles": _job_roles,
    "job-role": _job_role,
    "prefixed-step-role": _prefixed_step_role,
    "org-scp": _org_scp,
    "org-rcp": _org_rcp,
    "stackset": _stackset,
    "cdk-nag": _cdk_nag,
    "review-plugin": _review_plugin,
    "errors": _errors,
}


# --- the tests --------------------------------------------------------------------------


def test_every_python_block_is_a_checked_example() -> None:
    """GIVEN the README WHEN its ```python blocks are counted THEN each is a marked example
    (none skipped), each has a check here, and every 'after' names an earlier example."""
    blocks = README.read_text().count("\n```python\n")
    assert blocks == len(EXAMPLES) > 1
    assert set(CHECKS) == set(EXAMPLES)
    names = list(EXAMPLES)
    for example in EXAMPLES.values():
        for earlier in example.after:
            assert names.index(earlier) < names.index(example.name), example.name


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_example_runs_as_written(name: str, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN a README example WHEN run from the repository root after its preamble THEN it
    synthesizes, and its check holds."""
    monkeypatch.chdir(ROOT)
    namespace = run_example(name)
    CHECKS[name](namespace, _synth(namespace))


def test_the_readme_shows_the_two_commands_word_for_word() -> None:
    """GIVEN the README, CI and the Makefile WHEN read THEN the README shows `make synth`
    (the main job) and `make test` (the tests) in one block, CI runs `make test`, and both
    targets exist."""
    assert f"```bash\n{TWO_COMMANDS}```" in README.read_text()
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith("make test")
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^synth: ", makefile, re.MULTILINE)
    assert re.search(r"^test: ", makefile, re.MULTILINE)


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_the_readme_figures_are_the_benchmarks_full_figures() -> None:
    """GIVEN the README's benchmark figures WHEN compared with CONTRIBUTING.md's full
    figures THEN each number of the README is there too (the two pages cannot drift)."""
    number = re.compile(r"\d[\d,]*(?:\.\d+)?")
    readme = set(number.findall(_section(README.read_text(), "Benchmarks")))
    full = set(number.findall(_section(CONTRIBUTING.read_text(), "Benchmarks")))
    assert len(readme) > 30  # the pattern finds the figures
    assert readme - full == set()


def test_contributing_has_the_test_suite_timings_section() -> None:
    """GIVEN CONTRIBUTING.md WHEN read THEN its 'Test suite timings' section names the
    script its figures come from."""
    assert "bench/test_times.py" in _section(CONTRIBUTING.read_text(), "Test suite timings")


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", [README, CONTRIBUTING], ids=lambda path: path.name)
def test_every_link_to_a_section_or_file_resolves(page: Path) -> None:
    """GIVEN a page's links to sections (``#...``, ``OTHER.md#...``) and repository files
    WHEN resolved THEN each file exists and each section is a heading of its page."""
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
        if "://" in target:
            continue
        path, _, anchor = target.partition("#")
        linked = ROOT / path if path else page
        if not linked.exists():
            broken.append(target)
        elif anchor:
            headings = re.findall(r"^#+ (.+)$", linked.read_text(), re.MULTILINE)
            if anchor not in {_anchor(heading) for heading in headings}:
                broken.append(target)
    assert broken == []
