"""Golden files: syrupy snapshots stored as plain text files (Markdown, JSON)."""

from __future__ import annotations

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class MarkdownSnapshot(SingleFileSnapshotExtension):
    """A snapshot kept as a readable .md file."""

    _write_mode = WriteMode.TEXT
    file_extension = "md"


class TextSnapshot(SingleFileSnapshotExtension):
    """A snapshot kept as a plain .txt file."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"
