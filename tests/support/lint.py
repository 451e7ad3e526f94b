"""cfn-lint with its rules loaded once per process.

``cfnlint.api.lint`` builds a new ``Runner``, which loads every rule (about 0.4 s), on
each call; the suite lints a few dozen templates. Here one runner, made for the same
configuration, validates them all, as cfn-lint's command line validates several
templates with one runner.
"""

from __future__ import annotations

from functools import cache

from cfnlint.api import ManualArgs
from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.rules import Match
from cfnlint.runner import Runner

from .cfn import REGION

#: The configuration every lint of the suite uses: the scenarios' region.
CONFIG = ManualArgs(regions=[REGION])


@cache
def _runner() -> Runner:
    return Runner(ConfigMixIn(**CONFIG))


def cfn_lint(template: str) -> list[Match]:
    """cfn-lint's findings on ``template`` (JSON text): what
    ``cfnlint.api.lint(template, config=CONFIG)`` returns, the same steps with the one
    runner."""
    decoded, errors = decode_str(template)
    if errors:
        return errors
    if decoded is None:
        return []
    return list(_runner().validate_template(decoded))
