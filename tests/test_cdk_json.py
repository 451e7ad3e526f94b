"""cdk.json carries the recommended feature flags of the installed aws-cdk-lib, so that the
real `cdk synth` prints no "feature flags are not configured" line (that it prints none is
an integration test: tests/integ/test_cdk_synth_output.py)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Template

from app import build_app
from sm_pipeline_iam import recommended_feature_flags
from support.scenarios import sample_context, stacks_of

ROOT = Path(__file__).resolve().parent.parent

#: Recommended flags that cdk.json sets to another value, each with why (README, "The
#: sample app"). Set, so that the CLI counts them as configured.
DEVIATIONS: dict[str, Any] = {}


@cache  # read from the jsii bundle (half a second) once, not per test
def _recommended() -> dict[str, Any]:
    """recommended-feature-flags.json of the installed aws-cdk-lib (what `cdk init` writes),
    read by the library function a team app uses too."""
    return recommended_feature_flags()


def _context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def test_cdk_json_sets_every_recommended_flag() -> None:
    """GIVEN the installed aws-cdk-lib's recommended flags WHEN cdk.json is read THEN each
    is set, to its recommended value unless a documented deviation."""
    recommended = _recommended()
    assert len(recommended) > 80
    context = _context()
    missing = sorted(set(recommended) - set(context))
    assert not missing, f"add to cdk.json (a newer aws-cdk-lib recommends them): {missing}"
    wrong = {flag: context[flag] for flag, value in recommended.items()
             if context[flag] != DEVIATIONS.get(flag, value)}
    assert not wrong
    assert set(DEVIATIONS) <= set(recommended)
    assert all(recommended[flag] != value for flag, value in DEVIATIONS.items())


def test_cdk_json_holds_no_flag_the_library_does_not_know() -> None:
    """GIVEN cdk.json WHEN read THEN every '@aws-cdk...' key is a current flag (none stale)."""
    recommended = _recommended()
    assert sorted(k for k in _context() if k.startswith("@") and k not in recommended) == []


def test_the_flags_reach_the_sample_app() -> None:
    """GIVEN cdk.json's context WHEN the sample app is built THEN the flags are in effect:
    the stack knows its region, so ARNs hold the literal partition
    (@aws-cdk/core:enablePartitionLiterals)."""
    stack = stacks_of(build_app(sample_context()))[0]
    text = json.dumps(Template.from_stack(stack).to_json())
    assert "arn:aws:sagemaker:us-east-1:111122223333:training-job/pipelines-*" in text
    assert "AWS::Partition" not in text
