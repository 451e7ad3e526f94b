"""Read a synthesized cloud assembly (``cdk.out``): its stacks and their templates.

No CDK import: the report and the command line read the JSON files directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class AssemblyError(ValueError):
    """The directory is not a readable cloud assembly."""


@dataclass(frozen=True)
class StackTemplate:
    """One stack of the assembly."""

    name: str
    template: dict[str, Any]

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Logical id -> resource, for every resource of ``resource_type``."""
        return {
            logical_id: resource
            for logical_id, resource in self.template.get("Resources", {}).items()
            if resource.get("Type") == resource_type
        }


def read_assembly(directory: str | Path) -> list[StackTemplate]:
    """The stacks of the assembly in ``directory``, in manifest order.

    Raises:
        AssemblyError: no ``manifest.json``, malformed JSON, or a missing template.
    """
    root = Path(directory)
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise AssemblyError(
            f"{root} is not a cloud assembly: it has no manifest.json; run `cdk synth` "
            "(or `make synth`) first, or give the assembly directory"
        )
    manifest = _load_json(manifest_path)
    stacks = []
    for name, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template_file = artifact.get("properties", {}).get("templateFile")
        if not isinstance(template_file, str):
            raise AssemblyError(f"{manifest_path}: stack {name} names no templateFile")
        template = _load_json(root / template_file)
        if not isinstance(template, dict):
            raise AssemblyError(f"{root / template_file} is not a CloudFormation template")
        stacks.append(StackTemplate(artifact.get("displayName", name), template))
    return stacks


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise AssemblyError(f"{path} is missing from the assembly") from None
    except json.JSONDecodeError as error:
        raise AssemblyError(f"{path} is not valid JSON: {error}") from None
