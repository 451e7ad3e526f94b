"""The ``sm-pipeline-iam`` command: review a synthesized assembly, explain a definition.

Exit codes: 0 when all is well, 1 when the review has findings (or a definition has
unresolved values), 2 for usage errors and unreadable input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import report
from .assembly import AssemblyError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sm-pipeline-iam",
        description="Review the IAM side of SageMaker Pipelines built with sm-pipeline-iam.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    review = commands.add_parser(
        "report",
        help="review a synthesized cloud assembly (roles, policies, SCPs)",
        description="Write a review of every stack in a synthesized cloud assembly: each "
        "role's statements, PassRole targets, S3 objects, tags and policy sizes; each SCP "
        "in plain words. Exits 1 when the review has findings.",
    )
    review.add_argument("cdk_out", nargs="?", default="cdk.out",
                        help="the assembly directory (default: cdk.out)")
    review.add_argument("--format", choices=("markdown", "json"), default="markdown",
                        help="output format (default: markdown)")
    review.add_argument("--output", type=Path, help="write to this file instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    arguments = _parser().parse_args(argv)
    try:
        reviews = report.review_assembly(arguments.cdk_out)
    except AssemblyError as error:
        print(f"sm-pipeline-iam report: {error}", file=sys.stderr)
        return EXIT_USAGE
    text = report.to_json(reviews) if arguments.format == "json" else report.to_markdown(reviews)
    if arguments.output:
        arguments.output.write_text(text)
    else:
        sys.stdout.write(text)
    return EXIT_FINDINGS if report.has_findings(reviews) else EXIT_OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
