"""CloudFormation's 500 resources per stack: the CDK itself fails synthesis above it.

aws-cdk-lib counts a stack's resources when it writes the template (context
``@aws-cdk/core:stackResourceLimit``, default 500), so the library adds no check of its
own; these tests pin that behaviour for stacks of the library's roles.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from sm_pipeline_iam import PrefixedStepRole


def _teams(count: int) -> cdk.App:
    """A new app with one stack of ``count`` team roles (two resources each)."""
    app = cdk.App()
    stack = cdk.Stack(app, "Teams")
    for n in range(count):
        PrefixedStepRole(stack, f"Team{n}", job_prefix=f"t{n}", step_types=["Processing"])
    return app


OVER_THE_LIMIT = (
    r"Number of resources in stack 'Teams': 502 is greater than allowed maximum of 500: "
    r"AWS::IAM::Role \(251\), AWS::IAM::Policy \(251\)"
)


def test_a_stack_over_500_resources_fails_synthesis_with_the_count() -> None:
    """GIVEN 251 team roles (502 resources) WHEN synthesized THEN the CDK's error, no template."""
    with pytest.raises(RuntimeError, match=OVER_THE_LIMIT):
        _teams(251).synth()


def test_each_app_of_a_process_is_checked_on_its_own() -> None:
    """GIVEN two separate apps in one process, each over the limit WHEN each is synthesized
    THEN both fail (the same stack path in another app is no reason to skip the check)."""
    first, second = _teams(251), _teams(251)
    with pytest.raises(RuntimeError, match=OVER_THE_LIMIT):
        first.synth()
    with pytest.raises(RuntimeError, match=OVER_THE_LIMIT):
        second.synth()


def test_a_stack_at_the_limit_synthesizes() -> None:
    """GIVEN 250 team roles (500 resources) WHEN synthesized THEN it succeeds."""
    template = _teams(250).synth().get_stack_by_name("Teams").template
    assert len(template["Resources"]) == 500
