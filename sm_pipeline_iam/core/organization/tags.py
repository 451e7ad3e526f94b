"""IAM tag rules, for the principal tag that an SCP exception keys on."""

from __future__ import annotations

import re

from ..errors import Problem

# IAM allows letters, digits, separators (\p{Z}) and _ . : / = + - @; Python's \s would
# also let tabs and newlines through, which IAM refuses.
_TAG_CHARS = re.compile(r"[\w .:/=+\-@]*")
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256


def tag_problems(key: str, value: str, *, prop: str) -> list[Problem]:
    """Every reason ``key=value`` is not a valid IAM tag."""
    problems: list[Problem] = []
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        problems.append(Problem(
            prop,
            "tagKeyLength",
            f"{prop} key {key!r} is {len(key)} characters: an IAM tag key has 1 to "
            f"{MAX_KEY_LENGTH}",
        ))
    if len(value) > MAX_VALUE_LENGTH:
        problems.append(Problem(
            prop,
            "tagValueTooLong",
            f"{prop} value {value!r} is {len(value)} characters: an IAM tag value has at most "
            f"{MAX_VALUE_LENGTH}",
        ))
    for part, text in (("key", key), ("value", value)):
        if not _TAG_CHARS.fullmatch(text):
            problems.append(Problem(
                prop,
                "tagCharacters",
                f"{prop} {part} {text!r} has characters IAM tags cannot hold: use letters, "
                "digits, spaces and _ . : / = + - @",
            ))
    if key.lower().startswith("aws:"):
        problems.append(Problem(
            prop,
            "reservedTagKey",
            f"{prop} key {key!r} starts with 'aws:', which AWS reserves: choose another key "
            "(e.g. 'sm-pipeline-exception')",
        ))
    return problems
