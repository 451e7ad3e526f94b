"""Read a synthesized cloud assembly (``cdk.out``): its stacks and their templates.

Every stack is read: the stacks of the manifest, those of nested assemblies (a ``Stage``'s
``cdk:cloud-assembly`` artifact, read from its directory, at any depth) and nested stacks
(an ``AWS::CloudFormation::Stack`` resource whose template is in the assembly). No CDK
import: the report and the command line read the JSON files directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    #: Logical id -> construct path (``Stack/Pipeline/ExecutionRole``), from the template's
    #: ``aws:cdk:path`` metadata or, when path metadata is off, the manifest's
    #: ``aws:cdk:logicalId`` entries; empty when neither holds them.
    construct_paths: Mapping[str, str] = field(default_factory=dict, compare=False)
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
        logical_ids = _logical_ids(metadata)
        stack = StackTemplate(
            str(artifact.get("displayName", name)), template, _warnings(metadata),
            _relative(root, here / template_file),
            _construct_paths(template, logical_ids, None),
        )
        stacks.append(stack)
        _read_nested_stacks(root, here, stack, stacks, depth, logical_ids)


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
                        stacks: list[StackTemplate], depth: int,
                        logical_ids: list[tuple[str, str]]) -> None:
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
        nested_template = _template(here / path)
        owner = _nested_prefix(parent.construct_paths.get(logical_id))
        nested = StackTemplate(label, nested_template, (), _relative(root, here / path),
                               _construct_paths(nested_template, logical_ids, owner),
                               nested_in=parent.template_file)
        stacks.append(nested)
        _read_nested_stacks(root, here, nested, stacks, depth + 1, logical_ids)


def _logical_ids(metadata: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(construct path, logical id) of each ``aws:cdk:logicalId`` entry of a stack
    artifact's metadata (which holds its nested stacks' entries too), the path without
    its leading ``/``."""
    found = []
    for path, entries in metadata.items():
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and entry.get("type") == "aws:cdk:logicalId" and (
                isinstance(entry.get("data"), str)
            ):
                found.append((path.lstrip("/"), entry["data"]))
    return found


def _nested_prefix(path: str | None) -> str | None:
    """The construct path of the nested stack whose resource is at ``path``
    (``App/Extras.NestedStack/Extras.NestedStackResource`` -> ``App/Extras``)."""
    return path.split(".NestedStack/")[0] if path and ".NestedStack/" in path else None


def _shown(path: str) -> str:
    # A construct's CloudFormation resource is its child ``Resource``: name the construct.
    return path.removesuffix("/Resource")


def _construct_paths(template: dict[str, Any], logical_ids: list[tuple[str, str]],
                     owner: str | None) -> dict[str, str]:
    """Logical id -> construct path of the resources of ``template``: its ``aws:cdk:path``
    metadata, else the manifest's entry of that logical id under the nested stack at
    ``owner`` (None: the artifact's own stack) and under no deeper nested stack."""
    nested = {prefix for path, _ in logical_ids if (prefix := _nested_prefix(path))}

    def belongs(path: str) -> bool:
        under = [p for p in nested if path.startswith(p + "/")]
        deepest = max(under, key=len) if under else None
        return deepest == owner

    paths = {logical_id: _shown(path) for path, logical_id in logical_ids if belongs(path)}
    for logical_id, resource in template.get("Resources", {}).items():
        metadata = resource.get("Metadata")
        given = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        if isinstance(given, str):
            paths[logical_id] = _shown(given)
    return {k: v for k, v in paths.items() if k in template.get("Resources", {})}


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
