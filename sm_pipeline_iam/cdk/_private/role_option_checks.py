"""The checks of a role's options (:class:`~sm_pipeline_iam.cdk.role_options.RoleOptions`):
unknown keys, types, and IAM's rules for a role's name and path."""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import Duration

from ...core.errors import Problem
from ...core.organization.tags import tag_problems
from ..role_options import RoleOptions
from .messages import shown
from .tokens import is_token

#: IAM's rules for a role's name and path, as (pattern, longest, what it takes, example),
#: from the IAM API Reference, CreateRole, Request Parameters (RoleName: ``[\w+=,.@-]+``,
#: 1 to 64 characters; Path: ``(\u002F)|(\u002F[\u0021-\u007E]+\u002F)``, 1 to 512):
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html. ``\w`` there is
#: ASCII letters, digits and ``_``.
_IAM_RULES: dict[str, tuple[re.Pattern[str], int, str, str]] = {
    "role_name": (re.compile(r"[\w+=,.@-]+", re.ASCII), 64,
                  "1 to 64 letters, digits and the characters _+=,.@-", "'fraud-pipeline'"),
    "path": (re.compile(r"/|/[\x21-\x7e]+/"), 512,
             "'/' alone, or printable ASCII characters without spaces between a leading and a "
             "trailing '/', 1 to 512 characters in all", "'/ml/fraud/'"),
}


def _iam_rule_problems(key: str, value: str) -> list[Problem]:
    """Why IAM's CreateRole would refuse ``value`` as the role's ``key`` (``role_name``,
    ``path``): checked here so that it is an InvalidPropsError naming the prop, not the
    CDK's own error from inside jsii."""
    pattern, longest, takes, example = _IAM_RULES[key]
    if len(value) <= longest and pattern.fullmatch(value):
        return []
    text = repr(value) if len(value) <= 80 else repr(value[:60]) + "..."
    return [Problem(key, f"invalid{'RoleName' if key == 'role_name' else 'Path'}",
                    f"{key} {text} (length {len(value)}) is not a role "
                    f"{key.removeprefix('role_')} IAM accepts: give {takes}, e.g. {example} "
                    "(IAM CreateRole)")]


def option_problems(options: Mapping[str, object]) -> list[Problem]:
    """Every problem of a role's options: an unknown key (a typo such as
    ``permission_boundary`` would otherwise be ignored) and a value of the wrong type."""
    known = sorted(RoleOptions.__annotations__)
    problems = []
    for key in options:
        if key not in known:
            import difflib  # only for a typo: keeps importing the constructs light

            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            problems.append(Problem(key, "unknownProp", (
                f"{key} is not a prop: {hint}(the role's own options are {', '.join(known)})"
            )))
    tag = options.get("principal_tag")
    if tag is not None:
        if isinstance(tag, tuple | list) and len(tag) == 2 and all(
            isinstance(part, str) for part in tag
        ):
            if any(is_token(part) for part in tag):
                problems.append(Problem("principal_tag", "tokenNotAccepted", (
                    f"principal_tag is {shown(tag)}, which holds a token: an SCP exception "
                    "matches the tag literally and the tag is checked against IAM's rules at "
                    "synth; give the literal key and value"
                )))
            else:
                problems.extend(tag_problems(tag[0], tag[1], prop="principal_tag"))
        else:
            problems.append(Problem("principal_tag", "notAPair", (
                f"principal_tag is {tag!r}: give a (key, value) pair of strings, e.g. "
                "('sm-pipeline-exception', 'true')"
            )))
    for key in ("role_name", "path", "description"):
        value = options.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(Problem(key, "notAString", f"{key} is {value!r}: give a string"))
        elif key in _IAM_RULES and isinstance(value, str) and not is_token(value):
            problems.extend(_iam_rule_problems(key, value))
    boundary = options.get("permissions_boundary")
    if boundary is not None and not isinstance(getattr(boundary, "managed_policy_arn", None), str):
        problems.append(Problem("permissions_boundary", "notAManagedPolicy", (
            f"permissions_boundary is {shown(boundary)}: give an iam.IManagedPolicy "
            "(iam.ManagedPolicy.from_managed_policy_arn(scope, id, arn) for an existing one)"
        )))
    duration = options.get("max_session_duration")
    if duration is not None and not isinstance(duration, Duration):
        problems.append(Problem("max_session_duration", "notADuration", (
            f"max_session_duration is {shown(duration)}: give a Duration (e.g. "
            "Duration.hours(2)), 1 to 12 hours"
        )))
    return problems

