"""Run every benchmark and print its figures (`make bench`)."""

from __future__ import annotations

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("policy_size.py", "least_privilege.py", "runtime_least_privilege.py",
               "import_time.py", "synth_time.py",
               "job_roles_synth.py", "pipeline_synth.py",
               "scale.py", "diagram_size.py"):
    print(f"== {script}")
    runpy.run_path(str(HERE / script), run_name="__main__")
