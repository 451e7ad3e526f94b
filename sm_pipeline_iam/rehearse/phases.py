"""The phases of a rehearsal (bootstrap, deploy, destroy...): each timed, with its
read-back problems and the error of a command that failed."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ._process import CommandFailed


@dataclass
class Phase:
    """One phase: how long it took, what its read-back found, the command that failed."""

    name: str
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems


@contextlib.contextmanager
def timed(phases: dict[str, Phase], name: str) -> Iterator[Phase]:
    """A new phase ``name`` in ``phases``, timed; a failed command is its ``error`` (and
    is raised on)."""
    phase = phases[name] = Phase(name)
    start = time.monotonic()
    try:
        yield phase
    except CommandFailed as error:
        phase.error = str(error)
        raise
    finally:
        phase.seconds = time.monotonic() - start


def status(phase: Phase) -> str:
    """``ok``, ``FAILED`` (a command failed) or ``DIFFERS`` (the read-back found problems)."""
    return "ok" if phase.ok else ("FAILED" if phase.error else "DIFFERS")


def report_phases(phases: Mapping[str, Phase], order: Sequence[str],
                  echo: Callable[[str], None]) -> None:
    """Each phase of ``order``: not run, or its status, time, error and problems."""
    for name in order:
        phase = phases.get(name)
        if phase is None:
            echo(f"  {name}: not run")
            continue
        echo(f"  {name}: {status(phase)} ({phase.seconds:.1f}s)")
        if phase.error:
            echo(f"    {phase.error}")
        for problem in phase.problems:
            echo(f"    - {problem}")
