"""`cdk synth` wall time of the sample app deploying the sample pipeline
(``LeastPrivilegePipeline``: execution role, a job role per step, rewritten definition)
vs the same definition as a plain ``CfnPipeline`` with one hand-written role (ratio,
target <= 1.25), and the sample stack's template as a share of CloudFormation's limits
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from synth_time import ROOT, RUNS, median_synth_seconds

#: CloudFormation's limits: a template uploaded to S3 (as the CDK CLI does), resources
#: and outputs per stack.
TEMPLATE_BYTES = 1_000_000
RESOURCES = 500
OUTPUTS = 200

SAMPLE_CONTEXT = ("-c", "pipeline_definition=samples/pipeline.json",
                  "-c", "pipeline_name=sample-abalone")


def template_shares() -> list[str]:
    """One line per stack: template bytes, resources and outputs against the limits."""
    with tempfile.TemporaryDirectory() as outdir:
        subprocess.run(
            ["cdk", "synth", "--quiet", "--no-notices", "--output", outdir, *SAMPLE_CONTEXT],
            cwd=ROOT, check=True, capture_output=True,
            env={**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true",
                 "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"},
        )
        lines = []
        for path in sorted(Path(outdir).glob("*.template.json")):
            text = path.read_text()
            template = json.loads(text)
            size = len(json.dumps(template, separators=(",", ":")).encode())
            resources = len(template.get("Resources", {}))
            outputs = len(template.get("Outputs", {}))
            lines.append(
                f"{path.name.removesuffix('.template.json')}: template {size:,} bytes "
                f"({size / TEMPLATE_BYTES:.1%} of 1 MB), {resources} resources "
                f"({resources / RESOURCES:.1%} of {RESOURCES}), {outputs} outputs "
                f"({outputs / OUTPUTS:.1%} of {OUTPUTS})")
        return lines


def main() -> None:
    baseline = median_synth_seconds(f"{sys.executable} bench/pipeline_app.py")
    sample = median_synth_seconds(f"{sys.executable} app.py", *SAMPLE_CONTEXT)
    print(f"cdk synth, CfnPipeline + one hand-written role: {baseline:.2f} s (median of {RUNS})")
    print(f"cdk synth, sample app with the sample pipeline: {sample:.2f} s (median of {RUNS})")
    print(f"synth time ratio:                               {sample / baseline:.2f} "
          "(target <= 1.25)")
    for line in template_shares():
        print(line)


if __name__ == "__main__":
    main()
