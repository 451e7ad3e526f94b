"""cfn-lint with its rules loaded once per process.

``cfnlint.api.lint`` builds a new ``Runner``, which loads every rule (about 0.4 s), on
each call; the suite lints a few dozen templates. Here one runner, made for the same
configuration, validates them all, as cfn-lint's command line validates several
templates with one runner. cfn-lint itself is imported on first use (about a second),
not while the suite is collected.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from .cfn import REGION

if TYPE_CHECKING:
    from cfnlint.rules import Match
    from cfnlint.runner import Runner

#: The configuration every lint of the suite uses (``cfnlint.api.ManualArgs``' keys).
CONFIG: dict[str, Any] = {"regions": [REGION]}


@cache
def _runner() -> Runner:
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(**CONFIG))


def cfn_lint(template: str) -> list[Match]:
    """cfn-lint's findings on ``template`` (JSON text): what
    ``cfnlint.api.lint(template, config=ManualArgs(**CONFIG))`` returns, the same steps with
    the one runner."""
    from cfnlint.decode.decode import decode_str

    decoded, errors = decode_str(template)
    if errors:
        return errors
    if decoded is None:
        return []
    return list(_runner().validate_template(decoded))
