"""Import time of sm_pipeline_iam vs aws_cdk.aws_iam, each in fresh interpreters.

Prints the median of N runs for each and the ratio (target <= 1.10), and checks that
importing the library does not import the SageMaker SDK.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

RUNS = 7
PROBE = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "import {module}\n"
    "elapsed = time.perf_counter() - start\n"
    "assert 'sagemaker' not in sys.modules, 'the SageMaker SDK was imported'\n"
    "print(elapsed)\n"
)


def median_import_seconds(module: str) -> float:
    times = []
    for _ in range(RUNS):
        completed = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module)],
            capture_output=True, text=True, check=True,
        )
        times.append(float(completed.stdout.strip()))
    return statistics.median(times)


def main() -> None:
    # Warm the file cache once so that the first measured run is not penalized.
    median_import_seconds("aws_cdk.aws_iam")
    baseline = median_import_seconds("aws_cdk.aws_iam")
    library = median_import_seconds("sm_pipeline_iam")
    print(f"import aws_cdk.aws_iam:   {baseline:.3f} s (median of {RUNS})")
    print(f"import sm_pipeline_iam:   {library:.3f} s (median of {RUNS})")
    print(f"import time ratio:        {library / baseline:.2f} (target <= 1.10)")


if __name__ == "__main__":
    main()
