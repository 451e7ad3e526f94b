"""`cdk synth` wall time: per-step job roles derived from the largest SDK fixture vs the
same number of hand-written roles (ratio, target <= 1.25). Both through the project's CDK
CLI, medians of N runs."""

from __future__ import annotations

import os
import sys

from synth_time import RUNS, median_synth_seconds


def main() -> None:
    app = f"{sys.executable} bench/job_roles_app.py"
    os.environ["JOB_ROLES_APP"] = "hand-written"
    hand_written = median_synth_seconds(app)
    os.environ["JOB_ROLES_APP"] = "derived"
    derived = median_synth_seconds(app)
    print(f"cdk synth, hand-written job roles:        {hand_written:.2f} s (median of {RUNS})")
    print(f"cdk synth, PipelineJobRoles (other_steps): {derived:.2f} s (median of {RUNS})")
    print(f"synth time ratio:                          {derived / hand_written:.2f} "
          "(target <= 1.25)")


if __name__ == "__main__":
    main()
