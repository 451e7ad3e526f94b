"""``sm-pipeline-iam rehearse``: the rehearsal as a command (the server started and
stopped here, the result reported, an exit code)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from ._process import CommandFailed
from .cdk_cli import WHERE, find_cdk
from .rehearsal import rehearse, report
from .server import moto_server

#: Exit codes: all deployed, read back equal and destroyed; a command failed or the
#: read-back found a difference; a usage error.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(
    *,
    app: str | None,
    assembly: Path | None,
    cdk: Path | None = None,
    workdir: Path | None = None,
    keep: bool = False,
    timeout: float | None = None,
) -> int:
    """Rehearse ``app`` (run in the current directory) or ``assembly``; print the
    progress and the report on stdout, a usage error as one line on stderr. The workdir
    (default: a new temporary directory) is removed after a clean rehearsal unless
    ``keep`` or given."""
    cwd = Path.cwd()
    if assembly is not None and not (assembly / "manifest.json").is_file():
        return _usage(f"--assembly {assembly} is not a cloud assembly (no manifest.json)")
    # Not resolved: node_modules/.bin, the CLI's directory, also holds the Node it needs.
    cli = cdk or find_cdk(cwd)
    if cli is None or not cli.exists():
        return _usage(f"needs the CDK CLI: {cli or WHERE} not found")
    work = (workdir or Path(tempfile.mkdtemp(prefix="sm-pipeline-iam-rehearsal-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    stand_in_ids = work / "stand-in-ids.json"
    try:
        with moto_server(work, stand_in_ids=stand_in_ids) as server:
            print(f"moto server pid {server.pid} at {server.endpoint} (log {server.log_path})",
                  flush=True)
            result = rehearse(
                server, work, cdk=cli.absolute(), app=app, assembly=assembly, cwd=cwd,
                stand_in_ids=stand_in_ids, echo=lambda line: print(line, flush=True),
                timeout=timeout,
            )
    except CommandFailed as error:
        print(f"sm-pipeline-iam rehearse: {error}; kept {work}", file=sys.stderr)
        return EXIT_FAILED
    report(result)
    if result.ok and not keep and workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"cloud assembly and logs kept in {work}")
    return EXIT_OK if result.ok else EXIT_FAILED


def _usage(message: str) -> int:
    print(f"sm-pipeline-iam rehearse: {message}", file=sys.stderr)
    return EXIT_USAGE
