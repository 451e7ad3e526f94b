"""The README's self-contained examples run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_example(name: str) -> str:
    """The Python block after ``<!-- readme-example: name -->`` in README.md."""
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- readme-example: {re.escape(name)} -->\n```python\n(.*?)```",
                      text, re.S)
    assert match, f"README.md has no example {name!r}"
    return match.group(1)


def test_team_app_across_stacks_synthesizes(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN the README's team app WHEN run from the repository root THEN it synthesizes:
    the grants land in the People stack naming the pipeline, the job roles are tagged for
    the SCP in the Workload stack, and the SCP lives in the Org stack."""
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {}
    exec(compile(readme_example("team-app"), "README.md", "exec"), namespace)
    directory = Path(namespace["app"].synth().directory)  # the assembly it synthesized
    templates = {path.name: path.read_text() for path in directory.rglob("*.template.json")}
    people = next(text for name, text in templates.items() if "People" in name)
    assert "sagemaker:StartPipelineExecution" in people
    assert "pipeline/sample-abalone" in people
    assert "iam:PassRole" in people
    workload = next(text for name, text in templates.items() if "Workload" in name)
    assert workload.count('"sm-pipeline-exception"') >= 5  # execution role + 4 job roles
    org = next(text for name, text in templates.items() if name.startswith("Org"))
    assert "AWS::Organizations::Policy" in org
