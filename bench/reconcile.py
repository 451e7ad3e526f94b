"""Benchmark `sm-pipeline-iam reconcile`'s reading: a month of CloudTrail records for a busy
account, written gzipped in the S3 delivery layout to a temporary folder, read streaming.

The month: 30 days x 24 hours x 12 deliveries an hour (CloudTrail delivers about every 5
minutes) = 8,640 files of ``--per-file`` records (default 250: 2,160,000 records), nearly
all of them other principals' (a busy account), with ``--runs`` pipeline executions of
the sample pipeline mixed in. Prints the time and peak memory (tracemalloc's peak, and the
process's maximum resident size) of reading them.

    .venv/bin/python bench/reconcile.py [--per-file 250] [--runs 60] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "fixtures" / "cloudtrail")]

import records as R  # noqa: E402

from sm_pipeline_iam.review.reconcile import reconcile  # noqa: E402
from sm_pipeline_iam.review.reconcile.pipelines import from_definition  # noqa: E402

FILES = 30 * 24 * 12
NOISE = [("ec2.amazonaws.com", "DescribeInstances"), ("s3.amazonaws.com", "GetObject"),
         ("sts.amazonaws.com", "AssumeRole"), ("kms.amazonaws.com", "Decrypt"),
         ("logs.amazonaws.com", "CreateLogStream"), ("dynamodb.amazonaws.com", "GetItem")]


def _noise(clock: R.Clock, rng: random.Random) -> dict[str, Any]:
    source, name = rng.choice(NOISE)
    identity = R.assumed_role(f"arn:aws:iam::{R.ACCOUNT}:role/service-{rng.randrange(40)}",
                              invoked_by=None) if rng.random() < 0.8 else R.user(
        f"user{rng.randrange(20)}")
    return R.event(clock, identity, source, name, {"bucketName": "data", "key": "k"}, None)


def generate(root: Path, per_file: int, runs: int) -> int:
    rng = random.Random(7)
    clock = R.Clock()
    pipeline: list[dict[str, Any]] = []
    for index in range(runs):
        pipeline += R.execution(clock, f"{index:012x}")
    step = max(1, FILES // max(1, len(pipeline)))
    total = 0
    for index in range(FILES):
        clock.tick = index * 300
        chunk = [_noise(clock, rng) for _ in range(per_file)]
        if index % step == 0 and pipeline:
            chunk[-1] = pipeline.pop()
        R.write_delivery(root, chunk, per_file=per_file + 1)
        total += len(chunk)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-file", type=int, default=250)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", type=Path, help="write the trail here and keep it")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reconcile-bench-") as scratch:
        root = arguments.keep or Path(scratch)
        started = time.perf_counter()
        total = generate(root, arguments.per_file, arguments.runs)
        size = sum(p.stat().st_size for p in root.rglob("*.json.gz"))
        print(f"generated {total:,} records in {FILES:,} files ({size / 1e6:,.0f} MB "
              f"gzipped) in {time.perf_counter() - started:,.0f} s")
        model = from_definition(ROOT / "samples" / "pipeline.json",
                                execution_role=R.EXECUTION_ROLE,
                                pipeline_name="sample-abalone", job_roles=R.JOB_ROLES,
                                keep_roles_for=["EvaluateAbaloneModel"])
        started = time.perf_counter()
        result, errors = reconcile([model], [root])
        elapsed = time.perf_counter() - started
        # Memory in a second pass: tracemalloc slows Python down several times.
        tracemalloc.start()
        reconcile([model], [root])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert not errors, errors
        print(f"read {result.records:,} records ({result.records - result.ignored:,} of the "
              f"pipeline's roles) in {elapsed:,.1f} s ({result.records / elapsed:,.0f} "
              f"records/s); tracemalloc peak {peak / 1e6:,.1f} MB; max RSS {rss:,.0f} MB")


if __name__ == "__main__":
    main()
