"""Wall-clock minutes of `make unit` and `make test` on this machine, without their setup.

Runs what the Makefile's targets run, each once and in the same order: `ruff check .`,
`mypy --strict sm_pipeline_iam`, `pytest -m "not integ"` (the unit figure) and
`pytest -m integ`; the test figure is the sum of the four, as `make test` runs them one
after the other. Also prints the unit suite's collection time (`pytest --collect-only`),
the core count, and the load average before and after, since a busy machine stretches
every figure. Targets on a 2-core machine: unit within 5 minutes, test within 15.

`python bench/test_times.py --unit` measures the collection and the unit suite only (about
3 minutes instead of 8). The exit status is 1 when a step fails (its figure would mean
nothing), else 0: a figure over its target is reported, not an error.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNIT_TARGET_MINUTES = 5.0
TEST_TARGET_MINUTES = 15.0
#: The machine the targets are for.
TARGET_CORES = 2


@dataclass(frozen=True)
class Step:
    """One command of `make test`: its Makefile target and its arguments."""

    target: str
    command: tuple[str, ...]


COLLECT = Step("collection", ("pytest", "--collect-only", "-q", "-m", "not integ"))
LINT = Step("lint", ("ruff", "check", "."))
TYPECHECK = Step("typecheck", ("mypy", "--strict", "sm_pipeline_iam"))
UNIT = Step("unit", ("pytest", "-m", "not integ"))
INTEG = Step("integ", ("pytest", "-m", "integ"))


def _environment() -> dict[str, str]:
    """The Makefile's: the project's Node and CDK CLI, then the venv, first on PATH."""
    path = os.pathsep.join(
        (str(ROOT / "node_modules" / ".bin"), str(ROOT / ".venv" / "bin"), os.environ["PATH"]))
    return {**os.environ, "PATH": path, "CDK_DISABLE_CLI_TELEMETRY": "true"}


def _run(step: Step) -> float:
    """Seconds ``step`` took; on failure, its output's tail on stderr and exit 1."""
    start = time.perf_counter()
    completed = subprocess.run(step.command, cwd=ROOT, env=_environment(),
                               capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    lines = (completed.stdout + completed.stderr).strip().splitlines()
    summary = lines[-1] if lines else ""
    print(f"  {step.target:<10} {seconds / 60:6.2f} min  ({' '.join(step.command)}: {summary})",
          flush=True)
    if completed.returncode != 0:
        print("\n".join(lines[-40:]), file=sys.stderr)
        sys.exit(f"{step.target} failed (exit {completed.returncode}): no figure")
    return seconds


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _verdict(minutes: float, target: float) -> str:
    return f"{minutes:.2f} min (target <= {target:g} on {TARGET_CORES} cores: " + (
        "met)" if minutes <= target else "OVER)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", action="store_true",
                        help="measure the collection and the unit suite only")
    unit_only = parser.parse_args(argv).unit
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(f"cores: {cores} ({usable} usable by this process); load average before: {_load()}",
          flush=True)
    collection = _run(COLLECT)
    if unit_only:
        unit = _run(UNIT)
        total = None
    else:
        lint, typecheck, unit, integ = (_run(step) for step in (LINT, TYPECHECK, UNIT, INTEG))
        total = lint + typecheck + unit + integ
    print(f"load average after: {_load()}")
    print(f"collection: {collection:.1f} s")
    print(f"make unit:  {_verdict(unit / 60, UNIT_TARGET_MINUTES)}")
    if total is not None:
        print(f"make test:  {_verdict(total / 60, TEST_TARGET_MINUTES)}")


if __name__ == "__main__":
    main()
