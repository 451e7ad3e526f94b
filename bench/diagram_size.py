"""Size of the review report's pipeline diagram (nodes and edges of its Mermaid
flowchart): the sample app deploying the sample pipeline (samples/pipeline.json), and the
same app deploying a public 10-step definition (tests/fixtures/definitions/
integrations.json) and the largest one (other_steps.json, 14 steps). Each is synthesized
in process and reviewed as ``sm-pipeline-iam report`` does."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from app import build_app  # noqa: E402
from sm_pipeline_iam.review._diagram import pipeline_graph  # noqa: E402
from sm_pipeline_iam.review.report import review_assembly  # noqa: E402
from support.scenarios import sample_context  # noqa: E402

DEFINITIONS = ROOT / "tests" / "fixtures" / "definitions"
#: Label -> (definition, pipeline name).
CASES = {
    "sample pipeline (samples/pipeline.json, 8 steps)": (
        ROOT / "samples" / "pipeline.json", "sample-abalone"),
    "integrations.json (10 steps)": (DEFINITIONS / "integrations.json", "integrations"),
    "other_steps.json (14 steps)": (DEFINITIONS / "other_steps.json", "other-steps"),
}


def diagram_size(definition: Path, name: str) -> tuple[int, int, int]:
    """(steps, nodes, edges) of the diagram of the pipeline the sample app deploys."""
    with tempfile.TemporaryDirectory() as outdir:
        context = sample_context(pipeline_definition=str(definition), pipeline_name=name)
        directory = build_app(context, outdir=outdir).synth().directory
        for review in review_assembly(directory):
            for pipeline in review.pipelines:
                nodes, edges = pipeline_graph(pipeline, review).size
                return len(pipeline.steps), nodes, edges
    raise SystemExit(f"{definition}: the app deployed no pipeline")


def main() -> None:
    for label, (definition, name) in CASES.items():
        steps, nodes, edges = diagram_size(definition, name)
        print(f"{label}: {nodes} nodes, {edges} edges ({steps} steps read)")


if __name__ == "__main__":
    main()
