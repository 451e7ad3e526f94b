"""Import time of sm_pipeline_iam vs aws_cdk.aws_iam, each in fresh interpreters.

Prints the median of N runs for each and the ratios (target <= 1.10): the core package
(constructs load lazily) and the construct path (``from sm_pipeline_iam import
PipelineExecutionRole``, which loads the CDK). Each probe checks that the SageMaker SDK
was not imported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

RUNS = 7
PROBE = (
    "import sys, time\n"
    "start = time.perf_counter()\n"
    "{statement}\n"
    "elapsed = time.perf_counter() - start\n"
    "assert 'sagemaker' not in sys.modules, 'the SageMaker SDK was imported'\n"
    "print(elapsed)\n"
)


def median_import_seconds(statement: str) -> float:
    times = []
    for _ in range(RUNS):
        completed = subprocess.run(
            [sys.executable, "-c", PROBE.format(statement=statement)],
            capture_output=True, text=True, check=True,
        )
        times.append(float(completed.stdout.strip()))
    return statistics.median(times)


def main() -> None:
    # Warm the file cache once so that the first measured run is not penalized.
    median_import_seconds("import aws_cdk.aws_iam")
    baseline = median_import_seconds("import aws_cdk.aws_iam")
    core = median_import_seconds("import sm_pipeline_iam")
    constructs = median_import_seconds("from sm_pipeline_iam import PipelineExecutionRole")
    print(f"import aws_cdk.aws_iam:                 {baseline:.3f} s (median of {RUNS})")
    print(f"import sm_pipeline_iam (core):          {core:.3f} s, ratio {core / baseline:.2f}")
    print(f"from sm_pipeline_iam import PipelineExecutionRole: {constructs:.3f} s, "
          f"ratio {constructs / baseline:.2f} (target <= 1.10)")


if __name__ == "__main__":
    main()
