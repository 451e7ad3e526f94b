"""The ``sm-pipeline-iam`` command: review a synthesized assembly, explain a definition,
rehearse a deploy offline (``rehearse``: the optional ``rehearse`` extra, imported only
when that command runs); ``reconcile``: reconcile the roles with a run's CloudTrail records.

Exit codes: 0 when all is well, 1 when the review has unaccepted findings (or a
definition has unresolved values, or a reconciliation has a denied call or a plan miss),
2 for usage errors (a ``--parameter`` the definition does not have, or without a value),
unreadable input (for ``reconcile``: one line per unreadable trail file), a bad acceptance
file and an unwritable ``--output``: one line on stderr, never a traceback; 3 when
``reconcile`` finds no record of any of the pipelines' roles.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.definition.reader import load_definition, parameter_names, read_definition
from ..core.errors import DefinitionError
from ..core.notices import needs_action
from . import explain, report
from . import reconcile as reconcile_package
from .assembly import AssemblyError
from .reconcile import output as reconcile_output
from .reconcile import pipelines as reconcile_pipelines

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_NO_RECORDS = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sm-pipeline-iam",
        description="Review the IAM side of SageMaker Pipelines built with sm-pipeline-iam.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    review = commands.add_parser(
        "report",
        help="review a synthesized cloud assembly (roles, policies, SCPs)",
        description="Write a review of every stack in a synthesized cloud assembly (nested "
        "assemblies and nested stacks too): each principal's statements, PassRole targets, "
        "S3 objects, tags and policy sizes; each SageMaker pipeline's roles; each SCP in "
        "plain words; findings with ids. Exits 0 when every finding is accepted (or there "
        "is none), 1 on unaccepted findings, 2 on unreadable input or a bad acceptance file.",
    )
    review.add_argument("cdk_out", nargs="?", default="cdk.out",
                        help="the assembly directory (default: cdk.out)")
    review.add_argument("--format", choices=("markdown", "json", "sarif"), default="markdown",
                        help="output format (default: markdown)")
    review.add_argument("--output", type=Path, help="write to this file instead of stdout")
    review.add_argument(
        "--accept", type=Path, metavar="FILE",
        help='accepted findings, JSON: {"accept": [{"where": "Stack/LogicalId", "id": '
        '"findingId", "reason": "...", "expires": "YYYY-MM-DD"}]}',
    )
    review.add_argument(
        "--all", action="store_true", dest="all_principals",
        help="review every role, user and group, not only those of sm-pipeline-iam, its "
        "pipelines and their grantees",
    )
    describe = commands.add_parser(
        "explain",
        help="say what a pipeline definition needs from its execution role",
        description="Read pipeline.definition() JSON and print the step types, job-name "
        "scopes, roles passed, S3 objects read, integrations and unresolved values with how "
        "to bind them. Exits 1 while a warning asks for action (unresolved values, widened "
        "scopes, unknown fields...); informational notices do not count. Exits 2 on "
        "unreadable input, a definition the roles cannot be derived from (a parameter a "
        "grant depends on with no default, no --parameter and no --any-value-parameter), a "
        "--parameter or --any-value-parameter the definition does not have, a --parameter "
        "without a value, a --manifest-location or --model-endpoint naming a step it "
        "cannot apply to, and an unwritable --output.",
    )
    describe.add_argument("definition", type=Path, help="the definition JSON file")
    describe.add_argument(
        "--parameter", action="append", default=[], metavar="NAME=VALUE[,VALUE...]",
        help="the values executions may give a parameter (repeatable)",
    )
    describe.add_argument(
        "--manifest-location", action="append", default=[], metavar="STEP=S3URI[,S3URI...]",
        help="the S3 folders under which the objects a step's manifest input lists lie "
        "(repeatable)",
    )
    describe.add_argument(
        "--model-endpoint", action="append", default=[], metavar="STEP=NAME[,NAME...]",
        help="the endpoints that serve a Model step's model outside the pipeline, whose "
        "logs its role writes (repeatable)",
    )
    describe.add_argument(
        "--any-value-parameter", action="append", default=[], metavar="NAME",
        dest="any_value_parameters",
        help="allow every value of a parameter (repeatable): the widest grants, shown as "
        "findings; without it, an unbound parameter is scoped to its default, and one "
        "without a default is an error",
    )
    describe.add_argument(
        "--pipeline-name", metavar="NAME",
        help="the pipeline's name (Execution.PipelineName), which scopes its Experiments",
    )
    describe.add_argument("--allow-unknown-step-types", action="store_true",
                          help="warn about unknown step types instead of failing")
    describe.add_argument("--format", choices=("text", "json"), default="text",
                          help="output format (default: text)")
    describe.add_argument("--output", type=Path, help="write to this file instead of stdout")
    describe.add_argument(
        "--plan", action="store_true",
        help="print the access plan instead: every call SageMaker and the jobs make while "
        "the pipeline runs, with the role that makes it, an example ARN, the condition "
        "keys and why",
    )
    rehearsal = commands.add_parser(
        "rehearse",
        help="rehearse a deploy of your app offline (CDK CLI against a local moto server)",
        description="Synthesize your app (or take a synthesized assembly), start a moto "
        "server on a free port of 127.0.0.1, bootstrap every environment of its stacks, "
        "deploy every stack with the real CDK CLI, read everything back against the "
        "templates, destroy, stop the server, and say what moto cannot model. Needs the "
        "optional extra (pip install 'sm-pipeline-iam[rehearse]') and the CDK CLI "
        "(node_modules/.bin/cdk of the current directory, or cdk on PATH). Exits 0 when "
        "every stack deployed, read back equal and was destroyed, 1 when a command failed "
        "or the read-back found a difference, 2 on a usage error (no extra, no CLI).",
    )
    source = rehearsal.add_mutually_exclusive_group(required=True)
    source.add_argument("--app", metavar="COMMAND",
                        help='the command that runs your app, as cdk --app takes it '
                        '("python app.py"), run in the current directory')
    source.add_argument("--assembly", type=Path, metavar="DIR",
                        help="a synthesized cloud assembly (cdk.out)")
    rehearsal.add_argument("--cdk", type=Path, metavar="PATH",
                           help="the CDK CLI (default: node_modules/.bin/cdk, else cdk on "
                           "PATH)")
    rehearsal.add_argument("--workdir", type=Path, metavar="DIR",
                           help="where the assembly and the logs go (default: a temporary "
                           "directory, removed after a clean rehearsal)")
    rehearsal.add_argument("--keep", action="store_true", help="keep the workdir")
    rehearsal.add_argument("--timeout", type=float, metavar="SECONDS",
                           help="per CLI command (default: 300 to 600)")
    _reconcile_parser(commands)
    return parser


def _rehearse(arguments: argparse.Namespace) -> int:
    """The rehearsal, when its optional extra is installed (else exit 2, one line)."""
    from ..rehearse import missing_requirement

    missing = missing_requirement()
    if missing is not None:
        return _usage("rehearse", missing)
    from ..rehearse import command

    return command.main(app=arguments.app, assembly=arguments.assembly, cdk=arguments.cdk,
                        workdir=arguments.workdir, keep=arguments.keep,
                        timeout=arguments.timeout)


def _reconcile_parser(commands: Any) -> None:
    reconcile = commands.add_parser(
        "reconcile",
        help="compare the roles with the CloudTrail records of pipeline executions",
        description="Read CloudTrail records (S3 delivery folders or files, CloudTrail "
        "Lake or Athena JSON lines exports) of one or more executions and report, per "
        "pipeline, step and role: denied calls with the fix, calls the access plan did not "
        "predict, and grants never used. Exits 0 when no call was denied and the plan "
        "predicted every call, 1 otherwise (also on unused grants with --fail-on-unused), 2 "
        "on usage errors and unreadable input (one line per unreadable file, and no "
        "report), 3 when no record is of any of the pipelines' roles.",
    )
    reconcile.add_argument("trail", nargs="+", type=Path,
                           help="trail files or folders (read recursively)")
    source = reconcile.add_mutually_exclusive_group(required=True)
    source.add_argument("--assembly", type=Path, metavar="CDK_OUT",
                        help="the synthesized cloud assembly holding the pipelines")
    source.add_argument("--definition", type=Path,
                        help="the deployed definition (describe-pipeline's "
                        "PipelineDefinition), with --execution-role")
    reconcile.add_argument("--execution-role", metavar="ARN",
                           help="with --definition: the pipeline's execution role")
    reconcile.add_argument("--pipeline-name", metavar="NAME",
                           help="with --definition: the pipeline's name")
    reconcile.add_argument("--job-role", action="append", default=[], metavar="STEP=ARN",
                           help="with --definition: a step's job role where the definition "
                           "does not hold its ARN (repeatable)")
    reconcile.add_argument("--keep-roles-for", action="append", default=[], metavar="STEP",
                           help="with --definition: a step whose role is yours (repeatable)")
    reconcile.add_argument("--role-name", action="append", default=[],
                           metavar="LOGICAL_ID=NAME",
                           help="with --assembly: a role's deployed name, where matching "
                           "CloudFormation's generated names is not enough (repeatable)")
    reconcile.add_argument("--parameter", action="append", default=[],
                           metavar="NAME=VALUE[,VALUE...]",
                           help="the parameter values the roles were made for (repeatable)")
    reconcile.add_argument("--any-value-parameter", action="append", default=[],
                           metavar="NAME", dest="any_value_parameters",
                           help="a parameter the roles allow any value of (repeatable)")
    reconcile.add_argument("--manifest-location", action="append", default=[],
                           metavar="STEP=S3URI[,S3URI...]",
                           help="the folders a step's manifest lists objects under")
    reconcile.add_argument("--format", choices=("markdown", "json", "sarif"),
                           default="markdown", help="output format (default: markdown)")
    reconcile.add_argument("--output", type=Path, help="write to this file instead of stdout")
    reconcile.add_argument("--fail-on-unused", action="store_true",
                           help="exit 1 on unused grants too")


def _usage(command: str, message: str) -> int:
    print(f"sm-pipeline-iam {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def _write(command: str, text: str, output: Path | None) -> bool:
    """Write ``text`` to ``output`` (stdout when None); False, having said why on stderr,
    when the file cannot be written."""
    if output is None:
        sys.stdout.write(text)
        return True
    try:
        output.write_text(text)
    except OSError as error:
        _usage(command, f"cannot write --output {output}: {error.strerror or error}")
        return False
    return True


def _per_step(parser: argparse.ArgumentParser, option: str, metavar: str,
              items: list[str]) -> dict[str, list[str]]:
    """``STEP=V1[,V2...]`` items of a repeatable option as step -> values (a usage error,
    exit 2, for an item without a step or a value)."""
    found: dict[str, list[str]] = {}
    for item in items:
        step, equals, values = item.partition("=")
        listed = [v for v in values.split(",") if v]
        if not equals or not step or not listed:
            parser.error(f"{option} {item!r} is not STEP={metavar}[,{metavar}...]")
        found.setdefault(step, []).extend(listed)
    return found


def _unknown_parameter(option: str, name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = (f"did you mean {close[0]!r}?" if close
            else f"its parameters: {', '.join(sorted(known)) or 'none'}")
    effect = "the values would bind nothing" if option == "--parameter" else (
        "it would widen nothing")
    return f"{option} {name}: the definition has no parameter {name!r}, so {effect}; {hint}"


def _explain(arguments: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    bindings: dict[str, list[str]] = {}
    for item in arguments.parameter:
        name, equals, values = item.partition("=")
        if not equals or not name:
            parser.error(f"--parameter {item!r} is not NAME=VALUE[,VALUE...]")
        bindings[name] = [v for v in values.split(",") if v]
        if not bindings[name]:
            # An empty binding would allow no value at all, dropping what the step reads.
            return _usage("explain", f"--parameter {item!r} gives no value: give "
                          "NAME=VALUE[,VALUE...], the values executions may use")
    manifests = _per_step(parser, "--manifest-location", "S3URI", arguments.manifest_location)
    endpoints = _per_step(parser, "--model-endpoint", "NAME", arguments.model_endpoint)
    if not arguments.definition.is_file():
        return _usage("explain", f"{arguments.definition} is not a file")
    try:
        known = parameter_names(load_definition(arguments.definition))
        unknown = [("--parameter", name) for name in bindings if name not in known] + [
            ("--any-value-parameter", name) for name in arguments.any_value_parameters
            if name not in known]
        if unknown:
            option, name = unknown[0]
            return _usage("explain", _unknown_parameter(option, name, known))
        reading = read_definition(
            arguments.definition,
            parameter_values=bindings,
            any_value_parameters=arguments.any_value_parameters,
            pipeline_name=arguments.pipeline_name,
            allow_unknown_step_types=arguments.allow_unknown_step_types,
            manifest_locations=manifests or None,
            model_endpoints=endpoints or None,
        )
    except DefinitionError as error:
        return _usage("explain", str(error))
    if arguments.plan:
        text = (explain.plan_to_json(reading) if arguments.format == "json"
                else explain.plan_to_text(reading))
    else:
        text = (explain.to_json(reading) if arguments.format == "json"
                else explain.to_text(reading))
    if not _write("explain", text, arguments.output):
        return EXIT_USAGE
    # Unresolved values, widened scopes and every warning that asks for action fail it.
    return EXIT_FINDINGS if needs_action(explain.warnings(reading)) else EXIT_OK


def _pairs(parser: argparse.ArgumentParser, option: str, items: list[str]) -> dict[str, str]:
    found = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key or not value:
            parser.error(f"{option} {item!r} is not KEY=VALUE")
        found[key] = value
    return found


def _reconcile(arguments: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    bindings = {name: values.split(",") for name, values in
                _pairs(parser, "--parameter", arguments.parameter).items()}
    manifests = _per_step(parser, "--manifest-location", "S3URI", arguments.manifest_location)
    options: dict[str, Any] = {"parameter_values": bindings or None,
                               "any_value_parameters": arguments.any_value_parameters,
                               "manifest_locations": manifests or None}
    try:
        if arguments.assembly is not None:
            models = reconcile_pipelines.from_assembly(
                arguments.assembly, role_names=_pairs(parser, "--role-name",
                                                      arguments.role_name), **options)
        else:
            if not arguments.execution_role:
                return _usage("reconcile", "--definition needs --execution-role ARN, the "
                              "role the pipeline runs as")
            if not arguments.definition.is_file():
                return _usage("reconcile", f"{arguments.definition} is not a file")
            models = [reconcile_pipelines.from_definition(
                arguments.definition, execution_role=arguments.execution_role,
                pipeline_name=arguments.pipeline_name,
                job_roles=_pairs(parser, "--job-role", arguments.job_role),
                keep_roles_for=arguments.keep_roles_for, **options)]
    except (AssemblyError, DefinitionError, reconcile_pipelines.ModelError) as error:
        return _usage("reconcile", str(error))
    result, errors = reconcile_package.reconcile(models, arguments.trail)
    if errors:
        # Never a report of a shortened input: each unreadable file, and no report.
        for unreadable in errors:
            print(f"sm-pipeline-iam reconcile: {unreadable}", file=sys.stderr)
        return EXIT_USAGE
    writer = {"json": reconcile_output.to_json, "sarif": reconcile_output.to_sarif}.get(
        arguments.format, reconcile_output.to_markdown)
    if not _write("reconcile", writer(result), arguments.output):
        return EXIT_USAGE
    if not any(p.records for p in result.pipelines):
        print("sm-pipeline-iam reconcile: no record is of the pipelines' roles: check the "
              "trail's account, region and dates, and the roles' names", file=sys.stderr)
        return EXIT_NO_RECORDS
    return EXIT_FINDINGS if reconcile_output.failed(
        result, unused=arguments.fail_on_unused) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.command == "explain":
        return _explain(arguments, parser)
    if arguments.command == "rehearse":
        return _rehearse(arguments)
    if arguments.command == "reconcile":
        return _reconcile(arguments, parser)
    try:
        accepted = report.read_acceptances(arguments.accept) if arguments.accept else []
        reviews = report.review_assembly(arguments.cdk_out, scope_all=arguments.all_principals,
                                         acceptances=accepted)
    except (AssemblyError, report.AcceptanceError) as error:
        print(f"sm-pipeline-iam report: {error}", file=sys.stderr)
        return EXIT_USAGE
    writer = {"json": report.to_json, "sarif": report.to_sarif}.get(arguments.format,
                                                                   report.to_markdown)
    # Stale acceptances are listed for clean-up; they do not change the exit code.
    unmatched = report.unmatched_acceptances(reviews, accepted)
    if not _write("report", writer(reviews, unmatched), arguments.output):
        return EXIT_USAGE
    return EXIT_FINDINGS if report.has_findings(reviews) else EXIT_OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
