"""`cdk synth` wall time of the sample app vs an app with one plain iam.Role.

Both run through the project's CDK CLI and Node 22, N times each; prints the medians
and the ratio (target <= 1.25).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def median_synth_seconds(app_command: str, *cdk_args: str) -> float:
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"}
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env['PATH']}"
    times = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as outdir:
            start = time.perf_counter()
            subprocess.run(
                ["cdk", "synth", "--quiet", "--no-notices", "--app", app_command,
                 "--output", outdir, *cdk_args],
                cwd=ROOT, env=env, check=True, capture_output=True,
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    python = sys.executable
    baseline = median_synth_seconds(f"{python} bench/plain_role_app.py")
    sample = median_synth_seconds(f"{python} app.py")
    print(f"cdk synth, one plain iam.Role: {baseline:.2f} s (median of {RUNS})")
    print(f"cdk synth, sample app:         {sample:.2f} s (median of {RUNS})")
    print(f"synth time ratio:              {sample / baseline:.2f} (target <= 1.25)")


if __name__ == "__main__":
    main()
