"""Subprocesses of a rehearsal: run one (output echoed, bounded by a timeout), stop one."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

#: Where a rehearsal's progress goes, one line at a time.
Echo = Callable[[str], None]

#: Seconds a stopped process has to exit before it is killed.
STOP_TIMEOUT = 10


class CommandFailed(RuntimeError):
    """A subprocess failed or timed out."""


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Stop a process this package started, by its PID: SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)


def shown(command: Sequence[str]) -> str:
    """The command for logs, with very long arguments shortened."""
    return shlex.join(
        arg if len(arg) <= 160 else f"{arg[:120]}...({len(arg)} chars)" for arg in command
    )


def run(command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float,
        echo: Echo) -> str:
    """Run ``command`` in ``cwd``, echoing its output; fail on non-zero exit or timeout
    (the command's whole process group is killed then: the CDK CLI runs the app)."""
    echo(f"$ {shown(command)}")
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []

    def pump(stream: TextIO) -> None:
        for line in stream:
            lines.append(line)
            echo(line.rstrip("\n"))

    assert process.stdout is not None
    reader = threading.Thread(target=pump, args=(process.stdout,), daemon=True)
    reader.start()
    try:
        process.wait(timeout)
    except BaseException as error:  # timeout, or interrupted (Ctrl-C): stop what we started
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT)
        reader.join(STOP_TIMEOUT)
        if isinstance(error, subprocess.TimeoutExpired):
            raise CommandFailed(f"timed out after {timeout}s: {shown(command)}") from None
        raise
    reader.join(STOP_TIMEOUT)
    output = "".join(lines)
    if process.returncode != 0:
        raise CommandFailed(f"exit code {process.returncode}: {shown(command)}\n{output[-3000:]}")
    return output
