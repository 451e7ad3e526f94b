"""How synthesis grows with teams and with pipeline steps: wall time and peak memory.

Each measurement runs in a fresh interpreter (jsii's Node included) and synthesizes in
process: the sample app with N teams (PrefixedStepRoles, spread over stacks of at most 200
teams), and an app whose execution role is derived from a definition of N steps (cloned
from the SDK-built fixture). Peak memory is the largest process's peak RSS (Python or
Node). Prints a table with the marginal cost per unit between sizes: near-linear growth
shows as a steady (or falling) marginal cost.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "definitions" / "training_eval_register.json"

#: Peak RSS of the probe's largest process: itself or jsii's Node child (VmHWM).
PEAK = """
import resource, psutil
def peak_mib():
    peaks = [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024]
    for child in psutil.Process().children(recursive=True):
        for line in open(f'/proc/{child.pid}/status'):
            if line.startswith('VmHWM:'):
                peaks.append(int(line.split()[1]) // 1024)
    return max(peaks)
"""

TEAMS_PROBE = PEAK + """
import json, sys
from app import build_app
context = json.loads(open('cdk.json').read())['context']
count = int(sys.argv[1])
context['teams'] = ';'.join(f't{n}=Processing,Transform' for n in range(count))
app = build_app(context, outdir=sys.argv[2])
assembly = app.synth()
print(json.dumps({'stacks': len(assembly.stacks),
                  'resources': sum(len(s.template['Resources']) for s in assembly.stacks),
                  'peak': peak_mib()}))
"""

DEFINITION_PROBE = PEAK + """
import json, sys
import aws_cdk as cdk
from sm_pipeline_iam import PipelineExecutionRole
app = cdk.App(outdir=sys.argv[2])
stack = cdk.Stack(app, 'Definition', env=cdk.Environment(account='111122223333',
                                                          region='us-east-1'))
role = PipelineExecutionRole.from_definition(stack, 'Role', sys.argv[1])
app.synth()
print(json.dumps({'policies': len(role.policies),
                  'coarsened': any(n.id.endswith('coarsenedJobScopes')
                                   for n in role.requirements.notices),
                  'peak': peak_mib()}))
"""


def run(probe: str, *arguments: str) -> tuple[float, dict[str, object]]:
    """Wall seconds and the probe's JSON output (which includes its peak RSS in MiB)."""
    path = os.environ["PATH"]
    env = {**os.environ, "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{path}"}
    with tempfile.TemporaryDirectory() as outdir:
        start = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-c", probe, *arguments, outdir],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200, check=False,
        )
        elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"probe failed ({arguments}):\n{completed.stderr[-2000:]}")
    output: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return elapsed, output


def definition_with_steps(count: int) -> str:
    """A definition of ``count`` steps: the fixture's processing and training steps under
    distinct names (default naming, so each narrows its own job names), their arguments cut
    to the role: 1,000 full SDK steps would pass SageMaker's 1 MB definition limit."""
    fixture = json.loads(FIXTURE.read_text())
    templates = [s for s in fixture["Steps"] if s["Type"] in ("Processing", "Training")]
    steps = []
    for n in range(count):
        template = templates[n % len(templates)]
        step = {"Name": f"Step{n:04d}", "Type": template["Type"],
                "Arguments": {"RoleArn": copy.deepcopy(template["Arguments"]["RoleArn"])}}
        steps.append(step)
    path = Path(tempfile.mkdtemp(prefix="sm-pipeline-iam-bench-")) / f"steps-{count}.json"
    path.write_text(json.dumps({**fixture, "Steps": steps}))
    return str(path)


def main() -> None:
    print("teams  stacks  resources  synth s  marginal ms/team  peak RSS MiB")
    previous = None
    for count in (1, 10, 100, 500):
        seconds, out = run(TEAMS_PROBE, str(count))
        print(f"{count:5d}  {out['stacks']:6d}  {out['resources']:9d}  {seconds:7.2f}  "
              f"{_marginal(previous, count, seconds):>16}  {out['peak']:12d}")
        previous = (count, seconds)
    print()
    print("steps  policies  coarsened  synth s  marginal ms/step  peak RSS MiB")
    previous = None
    for count in (10, 100, 1000):
        seconds, out = run(DEFINITION_PROBE, definition_with_steps(count))
        print(f"{count:5d}  {out['policies']:8d}  {out['coarsened']!s:9}  {seconds:7.2f}  "
              f"{_marginal(previous, count, seconds):>16}  {out['peak']:12d}")
        previous = (count, seconds)


def _marginal(previous: tuple[int, float] | None, count: int, seconds: float) -> str:
    if previous is None:
        return "-"
    return f"{1000 * (seconds - previous[1]) / (count - previous[0]):.1f}"


if __name__ == "__main__":
    main()
