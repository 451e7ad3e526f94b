"""Read a synthesized cloud assembly (``cdk.out``): its stacks and their templates.

Every stack is read: the stacks of the manifest, those of nested assemblies (a ``Stage``'s
``cdk:cloud-assembly`` artifact, read from its directory, at any depth) and nested stacks
(an ``AWS::CloudFormation::Stack`` resource whose template is in the assembly). No CDK
import: the report and the command line read the JSON files directly.
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
    #: The template's file, relative to the (outermost) assembly directory.
    template_file: str = ""
    #: For a nested stack, the ``template_file`` of the stack that holds it; empty for a
    #: stack of an assembly's manifest.
    nested_in: str = ""

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Logical id -> resource, for every resource of ``resource_type``."""
        return {
            logical_id: resource
            for logical_id, resource in self.template.get("Resources", {}).items()
            if resource.get("Type") == resource_type
        }


def read_assembly(directory: str | Path) -> list[StackTemplate]:
    """The stacks of the assembly in ``directory``, in manifest order; a nested assembly's
    stacks where its artifact stands, a nested stack right after its parent.

    Raises:
        AssemblyError: no ``manifest.json``, malformed JSON, or a missing template.
    """
    root = Path(directory)
    if not (root / "manifest.json").is_file():
        raise AssemblyError(
            f"{root} is not a cloud assembly: it has no manifest.json; run `cdk synth` "
            "(or `make synth`) first, or give the assembly directory"
        )
    stacks: list[StackTemplate] = []
    _read_manifest(root, root, stacks, depth=0)
    return stacks


#: Nested assemblies deeper than this are a malformed (or cyclic) assembly.
_MAX_DEPTH = 32


def _read_manifest(root: Path, here: Path, stacks: list[StackTemplate], depth: int) -> None:
    manifest_path = here / "manifest.json"
    if depth > _MAX_DEPTH:
        raise AssemblyError(f"{manifest_path}: nested assemblies deeper than {_MAX_DEPTH}")
    manifest = _load_json(manifest_path)
    if not isinstance(manifest, dict):
        raise AssemblyError(f"{manifest_path} is not a cloud assembly manifest (not an object)")
    artifacts = manifest.get("artifacts", {})
    if not isinstance(artifacts, dict):
        raise AssemblyError(f"{manifest_path}: 'artifacts' is not an object of artifacts")
    for name, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            raise AssemblyError(f"{manifest_path}: artifact {name!r} is not an object")
        properties = artifact.get("properties")
        if artifact.get("type") == "cdk:cloud-assembly":
            inner = properties.get("directoryName") if isinstance(properties, dict) else None
            if not isinstance(inner, str):
                raise AssemblyError(f"{manifest_path}: nested assembly {name} names no "
                                    "directoryName")
            _read_manifest(root, here / inner, stacks, depth + 1)
            continue
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template_file = properties.get("templateFile") if isinstance(properties, dict) else None
        if not isinstance(template_file, str):
            raise AssemblyError(f"{manifest_path}: stack {name} names no templateFile")
        template = _template(here / template_file)
        # Newer CDK versions keep a stack's annotations in a file beside the manifest.
        given = artifact.get("metadata")
        metadata = dict(given) if isinstance(given, dict) else {}
        extra = artifact.get("additionalMetadataFile")
        if isinstance(extra, str):
            more = _load_json(here / extra)
            if isinstance(more, dict):
                metadata.update(more)
        stack = StackTemplate(
            str(artifact.get("displayName", name)), template, _warnings(metadata),
            _relative(root, here / template_file),
        )
        stacks.append(stack)
        _read_nested_stacks(root, here, stack, stacks, depth)


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _template(path: Path) -> dict[str, Any]:
    template = _load_json(path)
    resources = template.get("Resources", {}) if isinstance(template, dict) else None
    if not isinstance(resources, dict) or not all(
        isinstance(r, dict) and isinstance(r.get("Type"), str)
        and isinstance(r.get("Properties", {}), dict)
        for r in resources.values()
    ):
        raise AssemblyError(f"{path} is not a CloudFormation template "
                            "(Resources must be objects, each with a Type)")
    assert isinstance(template, dict)
    return template


#: The file name at the end of a nested stack's TemplateURL (an asset hash).
_ASSET_FILE = re.compile(r"([0-9a-f]{64}\.json)$")


def _asset_sources(here: Path) -> dict[str, str]:
    """Asset file name (``<hash>.json``) -> its source path, from the asset manifests."""
    sources: dict[str, str] = {}
    for manifest in sorted(here.glob("*.assets.json")):
        document = _load_json(manifest)
        files = document.get("files", {}) if isinstance(document, dict) else {}
        for asset_hash, entry in files.items() if isinstance(files, dict) else ():
            source = entry.get("source", {}) if isinstance(entry, dict) else {}
            path = source.get("path") if isinstance(source, dict) else None
            if isinstance(path, str):
                sources[f"{asset_hash}.json"] = path
    return sources


def _read_nested_stacks(root: Path, here: Path, parent: StackTemplate,
                        stacks: list[StackTemplate], depth: int) -> None:
    # The nested stack's template: the asset path of its metadata (path metadata on), or
    # the asset its TemplateURL names, looked up in the asset manifests.
    sources: dict[str, str] | None = None
    for logical_id, resource in parent.resources("AWS::CloudFormation::Stack").items():
        metadata = resource.get("Metadata", {})
        path = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
        if not isinstance(path, str):
            url = json.dumps(resource.get("Properties", {}).get("TemplateURL", ""))
            match = _ASSET_FILE.search(url.rstrip('"]}').rstrip())
            if sources is None:
                sources = _asset_sources(here)
            path = sources.get(match.group(1)) if match else None
        if not isinstance(path, str) or not (here / path).is_file():
            continue  # a stack from elsewhere (a URL of the user's): not in the assembly
        if depth > _MAX_DEPTH:
            raise AssemblyError(f"{parent.template_file}: nested stacks deeper than "
                                f"{_MAX_DEPTH}")
        cdk_path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        label = (cdk_path.split(".NestedStack/")[0] if isinstance(cdk_path, str)
                 else f"{parent.name}/{logical_id}")
        nested = StackTemplate(label, _template(here / path), (), _relative(root, here / path),
                               parent.template_file)
        stacks.append(nested)
        _read_nested_stacks(root, here, nested, stacks, depth + 1)


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
