"""Reading a cloud assembly without the CDK."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sm_pipeline_iam.review.assembly import AssemblyError, read_assembly


def test_only_stack_artifacts_are_read_in_manifest_order(tmp_path: Path) -> None:
    """GIVEN stacks and an asset manifest WHEN read THEN the stacks, by display name."""
    for name in ("B", "A"):
        tmp_path.joinpath(f"{name}.template.json").write_text(json.dumps({"Resources": {}}))
    tmp_path.joinpath("manifest.json").write_text(json.dumps({"artifacts": {
        "B.assets": {"type": "cdk:asset-manifest", "properties": {"file": "B.assets.json"}},
        "B": {"type": "aws:cloudformation:stack", "displayName": "Bee",
              "properties": {"templateFile": "B.template.json"}},
        "A": {"type": "aws:cloudformation:stack",
              "properties": {"templateFile": "A.template.json"}},
    }}))
    assert [stack.name for stack in read_assembly(tmp_path)] == ["Bee", "A"]


def test_a_stack_without_template_file_is_an_error(tmp_path: Path) -> None:
    """GIVEN a stack artifact without templateFile WHEN read THEN AssemblyError names it."""
    tmp_path.joinpath("manifest.json").write_text(json.dumps({"artifacts": {
        "S": {"type": "aws:cloudformation:stack", "properties": {}}}}))
    with pytest.raises(AssemblyError, match="stack S names no templateFile"):
        read_assembly(tmp_path)


def test_a_template_that_is_not_an_object_is_an_error(tmp_path: Path) -> None:
    """GIVEN a template that is a JSON list WHEN read THEN AssemblyError."""
    tmp_path.joinpath("S.json").write_text("[]")
    tmp_path.joinpath("manifest.json").write_text(json.dumps({"artifacts": {
        "S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.json"}}}}))
    with pytest.raises(AssemblyError, match="is not a CloudFormation template"):
        read_assembly(tmp_path)
