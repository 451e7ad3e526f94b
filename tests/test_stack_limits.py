"""The library fails synthesis before a stack exceeds CloudFormation's 500 resources."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from sm_pipeline_iam import PrefixedStepRole


def _teams(count: int) -> cdk.App:
    app = cdk.App()
    stack = cdk.Stack(app, "Teams")
    for n in range(count):
        PrefixedStepRole(stack, f"Team{n}", job_prefix=f"t{n}", step_types=["Processing"])
    return app


def test_a_stack_over_500_resources_fails_synthesis_with_the_count() -> None:
    """GIVEN 251 team roles (502 resources) WHEN synthesized THEN a clear error, no template."""
    with pytest.raises(RuntimeError, match=r"stack Teams has 502 resources, over "
                                           r"CloudFormation's 500 per stack"):
        _teams(251).synth()


def test_a_stack_at_the_limit_synthesizes() -> None:
    """GIVEN 250 team roles (500 resources) WHEN synthesized THEN it succeeds."""
    assert _teams(250).synth().get_stack_by_name("Teams").template
