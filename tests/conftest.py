"""Session-wide fixtures: each scenario is synthesized once per test session."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from support.cfn import Resolver, synthesized_resolver
from support.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
# jsii starts Node from PATH: use the project's Node 22, never the machine's.
os.environ["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"


@pytest.fixture(scope="session")
def synthesized() -> dict[str, dict[str, Any]]:
    """Scenario name -> its synthesized template."""
    templates = {}
    for name, scenario in SCENARIOS.items():
        stack = scenario.build()
        templates[name] = Template.from_stack(stack).to_json()
    return templates


@pytest.fixture(scope="session")
def resolvers(synthesized: dict[str, dict[str, Any]]) -> dict[str, Resolver]:
    """Scenario name -> a resolver of its template's intrinsics."""
    return {name: synthesized_resolver(template) for name, template in synthesized.items()}
