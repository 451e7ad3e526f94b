"""Read a synthesized cloud assembly (``cdk.out``): its stacks and their templates.

No CDK import: the report and the command line read the JSON files directly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class AssemblyError(ValueError):
    """The directory is not a readable cloud assembly."""


@dataclass(frozen=True)
class SynthWarning:
    """A warning the app raised at synthesis (a CDK annotation in the manifest)."""

    path: str
    id: str | None
    message: str


@dataclass(frozen=True)
class StackTemplate:
    """One stack of the assembly, and the warnings its constructs raised."""

    name: str
    template: dict[str, Any]
    warnings: tuple[SynthWarning, ...] = ()

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
    if not isinstance(manifest, dict):
        raise AssemblyError(f"{manifest_path} is not a cloud assembly manifest (not an object)")
    artifacts = manifest.get("artifacts", {})
    if not isinstance(artifacts, dict):
        raise AssemblyError(f"{manifest_path}: 'artifacts' is not an object of artifacts")
    stacks = []
    for name, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            raise AssemblyError(f"{manifest_path}: artifact {name!r} is not an object")
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        properties = artifact.get("properties")
        template_file = properties.get("templateFile") if isinstance(properties, dict) else None
        if not isinstance(template_file, str):
            raise AssemblyError(f"{manifest_path}: stack {name} names no templateFile")
        template = _load_json(root / template_file)
        resources = template.get("Resources", {}) if isinstance(template, dict) else None
        if not isinstance(resources, dict) or not all(
            isinstance(r, dict) and isinstance(r.get("Type"), str)
            and isinstance(r.get("Properties", {}), dict)
            for r in resources.values()
        ):
            raise AssemblyError(f"{root / template_file} is not a CloudFormation template "
                                "(Resources must be objects, each with a Type)")
        # Newer CDK versions keep a stack's annotations in a file beside the manifest.
        given = artifact.get("metadata")
        metadata = dict(given) if isinstance(given, dict) else {}
        extra = artifact.get("additionalMetadataFile")
        if isinstance(extra, str):
            more = _load_json(root / extra)
            if isinstance(more, dict):
                metadata.update(more)
        stacks.append(StackTemplate(
            str(artifact.get("displayName", name)), template, _warnings(metadata)
        ))
    return stacks


#: How the CDK appends an acknowledgeable warning's id to its message.
_ACK = re.compile(r"^(?P<message>.*?)\s*\[ack: (?P<id>[^\]]+)\]$", re.DOTALL)


def _warnings(metadata: Any) -> tuple[SynthWarning, ...]:
    # The manifest keeps each construct path's annotations; unacknowledged warnings are
    # the entries of type aws:cdk:warning.
    found = []
    for path, entries in (metadata or {}).items() if isinstance(metadata, dict) else ():
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, dict) or entry.get("type") != "aws:cdk:warning":
                continue
            text = str(entry.get("data", ""))
            match = _ACK.match(text)
            warning_id = match.group("id") if match else None
            found.append(SynthWarning(path, warning_id, match.group("message") if match
                                      else text))
    return tuple(sorted(found, key=lambda w: (w.path, w.id or "", w.message)))


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise AssemblyError(f"{path} is missing from the assembly") from None
    except (OSError, UnicodeDecodeError) as error:
        raise AssemblyError(f"{path} cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise AssemblyError(f"{path} is not valid JSON: {error}") from None
