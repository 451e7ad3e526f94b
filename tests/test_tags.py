"""IAM tag rules for the principal tag that the SCP exception keys on.

Expected values: IAM API reference, data type ``Tag``: key 1-128 characters, value 0-256,
both ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]``; the ``aws:`` prefix is reserved (IAM quotas page,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
"""

from __future__ import annotations

import pytest

from sm_pipeline_iam.core.errors import Problem
from sm_pipeline_iam.core.organization.tags import MAX_KEY_LENGTH, MAX_VALUE_LENGTH, tag_problems

PROP = "principal_tag"


def test_limits_are_the_iam_limits() -> None:
    """GIVEN the IAM quotas WHEN reading the module's limits THEN key 128, value 256."""
    assert (MAX_KEY_LENGTH, MAX_VALUE_LENGTH) == (128, 256)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("sm-pipeline-exception", "true"),
        ("Team Name", "ML Platform"),
        ("a", ""),
        ("k" * 128, "v" * 256),
        ("path/to:key=x+y@z_1.0", "value/with:all=the+allowed@chars_-."),
        ("Größe", "日本語"),
        ("key", "\uff11\uff12\uff13"),  # full-width digits: \p{N}
    ],
)
def test_valid_tags_have_no_problems(key: str, value: str) -> None:
    """GIVEN a key and value within IAM's rules WHEN checked THEN no problem is reported."""
    assert tag_problems(key, value, prop=PROP) == []


@pytest.mark.parametrize("key", ["", "k" * 129])
def test_key_length_outside_1_to_128(key: str) -> None:
    """GIVEN a key of 0 or 129 characters WHEN checked THEN one problem names its length."""
    problems = tag_problems(key, "v", prop=PROP)

    assert problems == [Problem(
        PROP,
        "tagKeyLength",
        f"{PROP} key {key!r} is {len(key)} characters: an IAM tag key has 1 to 128",
    )]


def test_value_longer_than_256() -> None:
    """GIVEN a 257-character value WHEN checked THEN one problem names its length."""
    value = "v" * 257

    problems = tag_problems("key", value, prop=PROP)

    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == (PROP, "tagValueTooLong")
    assert problems[0].message.startswith(f"{PROP} value {value!r} is 257 characters")
    assert "at most 256" in problems[0].message


@pytest.mark.parametrize(
    ("key", "value", "part", "text"),
    [
        ("team*", "v", "key", "team*"),
        ("team#1", "v", "key", "team#1"),
        ("key", "a,b", "value", "a,b"),
        ("key", "x&y", "value", "x&y"),
        ("key", 'q"uote', "value", 'q"uote'),
    ],
)
def test_characters_outside_the_tag_alphabet(key: str, value: str, part: str, text: str) -> None:
    """GIVEN a key or value with a character IAM tags cannot hold WHEN checked THEN the
    problem names the part and the text."""
    problems = tag_problems(key, value, prop=PROP)

    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == (PROP, "tagCharacters")
    assert problems[0].message.startswith(
        f"{PROP} {part} {text!r} has characters IAM tags cannot hold"
    )


@pytest.mark.parametrize("key", ["aws:team", "AWS:team", "Aws:x"])
def test_aws_prefix_is_reserved(key: str) -> None:
    """GIVEN a key starting with 'aws:' in any case WHEN checked THEN it is refused."""
    problems = tag_problems(key, "v", prop=PROP)

    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == (PROP, "reservedTagKey")
    assert "starts with 'aws:', which AWS reserves" in problems[0].message


def test_aws_in_the_middle_of_a_key_is_fine() -> None:
    """GIVEN a key that contains but does not start with 'aws:' WHEN checked THEN no problem."""
    assert tag_problems("team-aws:x", "v", prop=PROP) == []


def test_every_problem_is_reported_at_once() -> None:
    """GIVEN a long key with a bad character and the aws: prefix, and a long bad value WHEN
    checked THEN all five problems come back."""
    key = "aws:" + "k" * 124 + "*"
    value = "v" * 256 + "#"

    problems = tag_problems(key, value, prop=PROP)

    assert [p.code for p in problems] == [
        "tagKeyLength", "tagValueTooLong", "tagCharacters", "tagCharacters", "reservedTagKey"
    ]
    assert all(p.prop == PROP for p in problems)
    assert "an IAM tag key has 1 to 128" in problems[0].message
    assert "an IAM tag value has at most 256" in problems[1].message
    assert problems[2].message.startswith(f"{PROP} key ")
    assert "cannot hold" in problems[2].message
    assert problems[3].message.startswith(f"{PROP} value ")
    assert "cannot hold" in problems[3].message
    assert "reserves" in problems[4].message


@pytest.mark.parametrize(("key", "value"), [("a\tb", "x"), ("a", "x\ny")])
def test_tabs_and_newlines_are_refused(key: str, value: str) -> None:
    """GIVEN a tab or newline WHEN validated THEN refused, as IAM refuses them."""
    (problem,) = tag_problems(key, value, prop="t")
    assert (problem.prop, problem.code) == ("t", "tagCharacters")
    assert "characters IAM tags cannot hold" in problem.message
