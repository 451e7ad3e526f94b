"""S3 folders that JsonGet reads and Cleanup steps delete from.

Expected values: S3 bucket naming rules (3-63 characters of lower-case letters, digits,
dots and hyphens, starting and ending with a letter or digit, no two adjacent dots) and the
S3 object ARN format ``arn:${Partition}:s3:::${BucketName}/${ObjectName}`` (SAR).
"""

from __future__ import annotations

import pytest

from sm_pipeline_iam.core.locations import S3ObjectPattern, bucket_name_problems, parse_s3_folder

PROP = "json_get_locations"


@pytest.mark.parametrize(
    ("uri", "bucket", "key_pattern"),
    [
        ("s3://bucket/a/b/", "bucket", "a/b/*"),
        ("s3://bucket/a/b", "bucket", "a/b/*"),
        ("s3://bucket", "bucket", "*"),
        ("s3://bucket/", "bucket", "*"),
        ("s3://ml-artifacts/evaluation", "ml-artifacts", "evaluation/*"),
        ("s3://my.dotted.bucket/x", "my.dotted.bucket", "x/*"),
        ("s3://abc/k", "abc", "k/*"),
        ("s3://" + "b" * 63 + "/k", "b" * 63, "k/*"),
    ],
)
def test_folder_becomes_every_object_under_it(uri: str, bucket: str, key_pattern: str) -> None:
    """GIVEN an S3 folder, with or without a trailing slash WHEN parsed THEN the pattern is
    '<folder>/*' (never a bare prefix that would match 'a/b-old/'), or '*' for a bucket."""
    pattern, problems = parse_s3_folder(uri, prop=PROP)

    assert problems == []
    assert pattern == S3ObjectPattern(bucket, key_pattern)


def test_pattern_renders_an_uri() -> None:
    """GIVEN a pattern WHEN rendered THEN str() is the s3:// form."""
    pattern = S3ObjectPattern("bucket", "a/b/*")

    assert str(pattern) == "s3://bucket/a/b/*"


def test_patterns_sort_by_bucket_then_key() -> None:
    """GIVEN patterns WHEN sorted THEN bucket, then key pattern, decides the order."""
    patterns = [S3ObjectPattern("b", "a/*"), S3ObjectPattern("a", "z/*"), S3ObjectPattern("a", "*")]

    assert sorted(patterns) == [
        S3ObjectPattern("a", "*"),
        S3ObjectPattern("a", "z/*"),
        S3ObjectPattern("b", "a/*"),
    ]


@pytest.mark.parametrize(
    "uri", ["bucket/key", "https://bucket.s3.amazonaws.com/key", "S3://bucket/key", "s3:/b/k", ""]
)
def test_non_s3_uri_is_refused(uri: str) -> None:
    """GIVEN a string that is not an s3:// URI WHEN parsed THEN one problem, no pattern."""
    pattern, problems = parse_s3_folder(uri, prop=PROP)

    assert pattern is None
    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == (PROP, "notAnS3Uri")
    assert problems[0].message.startswith(f"{PROP} {uri!r} is not an S3 URI: give s3://bucket")


@pytest.mark.parametrize(
    "bucket",
    ["", "ab", "b" * 64, "Bucket", "my_bucket", "-bucket", "bucket-", ".bucket", "a..b", "b*",
     "192.168.1.1", "xn--bucket", "artifacts-s3alias"],
)
def test_invalid_bucket_is_refused(bucket: str) -> None:
    """GIVEN a bucket name outside the S3 rules WHEN parsed THEN one problem names it."""
    uri = f"s3://{bucket}/key"

    pattern, problems = parse_s3_folder(uri, prop=PROP)

    assert pattern is None
    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == (PROP, "invalidBucketName")
    assert f"names bucket {bucket!r}, which is not a valid bucket name" in problems[0].message


@pytest.mark.parametrize("uri", ["s3://bucket/*", "s3://bucket/a/*/b", "s3://bucket/a?"])
def test_wildcard_in_key_is_refused(uri: str) -> None:
    """GIVEN a key with an IAM wildcard WHEN parsed THEN one problem says so, no pattern."""
    pattern, problems = parse_s3_folder(uri, prop="cleanup_locations")

    assert pattern is None
    assert len(problems) == 1
    assert (problems[0].prop, problems[0].code) == ("cleanup_locations", "wildcard")
    assert problems[0].message.startswith(f"cleanup_locations {uri!r} contains a wildcard")


def test_bad_bucket_and_wildcard_are_both_reported() -> None:
    """GIVEN a bad bucket and a wildcard key WHEN parsed THEN both problems come back."""
    pattern, problems = parse_s3_folder("s3://Bad_Bucket/a*", prop=PROP)

    assert pattern is None
    assert [p.code for p in problems] == ["invalidBucketName", "wildcard"]
    assert "not a valid bucket name" in problems[0].message
    assert "contains a wildcard" in problems[1].message


def test_bucket_names_follow_every_rule_of_the_s3_page() -> None:
    """GIVEN names breaking several rules WHEN checked THEN each broken rule is named."""
    assert bucket_name_problems("ml-artifacts") == []
    assert bucket_name_problems("-X..") == [
        "it holds characters other than lower-case letters, digits, dots and hyphens",
        "it does not begin and end with a letter or digit", "it holds two adjacent dots"]
    for suffix in ("--ol-s3", ".mrap", "--x-s3", "--table-s3"):
        assert bucket_name_problems(f"artifacts{suffix}") == [
            f"it ends with the reserved suffix {suffix!r}"]
    assert bucket_name_problems("amzn-s3-demo-bucket") == [
        "it starts with the reserved prefix 'amzn-s3-demo-'"]
    assert bucket_name_problems("1.2.3.4.5") == []  # four numbers make an address, not five
