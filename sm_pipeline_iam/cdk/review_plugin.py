"""``ReviewPlugin``: the review report as a CDK policy-validation plugin, so that every
``cdk synth`` of any app (not only the sample's) writes the report into its cloud assembly
and fails on the findings nobody accepted.

The CDK calls :meth:`ReviewPlugin.validate` after it has written the assembly, with the
template files of the stacks the plugin is registered for; the review itself is
:func:`sm_pipeline_iam.review.report.review_templates`, the one the ``sm-pipeline-iam
report`` command line runs on assemblies built elsewhere. How the CDK runs plugins:
https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Sequence
from pathlib import Path

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from ..core.errors import Problem, raise_if_any
from ..review import report
from ..review.report import ERROR, RULES, WARNING, Acceptance, Finding, StackReview

#: Severities from the least to the most severe.
SEVERITIES = (WARNING, ERROR)
#: Format -> (file suffix, writer): the command line's ``--format`` choices.
_FORMATS: dict[str, tuple[str, Callable[[Sequence[StackReview], Sequence[Acceptance]], str]]] = {
    "markdown": (".md", report.to_markdown),
    "json": (".json", report.to_json),
    "sarif": (".sarif", report.to_sarif),
}
#: The plugin's name in the CDK's validation report and in its acknowledgements
#: (``sm-pipeline-iam::<finding id>``).
PLUGIN_NAME = "sm-pipeline-iam"


@jsii.implements(cdk.IPolicyValidationPlugin)
class ReviewPlugin:
    """Reviews the templates of every ``cdk synth`` as ``sm-pipeline-iam report`` does,
    writes the report into the cloud assembly, and fails the synthesis on each finding at
    or above ``fail_on`` that the acceptance file does not accept (an acceptance past its
    ``expires`` date no longer does). Register it on the app::

        cdk.Validations.of(app).add_plugins(ReviewPlugin(app))

    Each failing finding is one violation of the CDK's validation report: its rule is the
    finding id, its description the severity, ``<stack>/<logical id>`` and what is wrong,
    its fix the id's help text; the CDK names the template and the construct. Accepted
    findings, and those below ``fail_on``, are in the written report only. Needs an
    aws-cdk-lib with ``cdk.Validations`` (2.257.0, cdk-nag 3's minimum, has it).

    Args:
        scope: a construct of the app (the app itself); the report goes into its
            assembly directory (``cdk.out`` under the CDK CLI).
        fail_on: the least severe finding that fails the synthesis, ``error`` or
            ``warning``. Default: ``error``.
        accept: the acceptance file, as ``sm-pipeline-iam report --accept`` reads it (a
            relative path from the directory ``cdk synth`` runs in). Default: none.
        report_formats: the reports to write, any of ``markdown``, ``json``, ``sarif``;
            empty for none. Default: ``("markdown",)``.
        report_name: the reports' file name without its suffix (``.md``, ``.json``,
            ``.sarif``), relative to the assembly directory (an absolute path is used as
            it is). Default: ``sm-pipeline-iam-report``. An app made with
            ``confirm_validation_plugins_do_not_mutate=True`` refuses a report that
            changes a file already in its assembly (the previous synthesis's report):
            there, give an absolute path outside the assembly, or no format.
        all_principals: review every role, user and group, not only those in scope (the
            command line's ``--all``). Default: False.

    Raises:
        InvalidPropsError: an unknown ``fail_on`` or format.
        AcceptanceError: the acceptance file cannot be read or is malformed.
    """

    def __init__(
        self,
        scope: IConstruct,
        *,
        fail_on: str = ERROR,
        accept: str | Path | None = None,
        report_formats: Sequence[str] = ("markdown",),
        report_name: str = "sm-pipeline-iam-report",
        all_principals: bool = False,
    ) -> None:
        app = cdk.App.of(scope)
        problems = []
        if isinstance(report_formats, str) or not isinstance(report_formats, Sequence):
            problems.append(Problem(
                "report_formats", "notAList",
                f"report_formats is {report_formats!r}: give a list of formats, any of "
                f"{', '.join(_FORMATS)} (e.g. ['markdown', 'sarif'])"))
            report_formats = ()
        problems += [
            Problem("report_formats", "unknownFormat",
                    f"report_formats {name!r} is not a format: give any of {', '.join(_FORMATS)}")
            for name in report_formats if not isinstance(name, str) or name not in _FORMATS
        ]
        if not isinstance(report_name, str) or not report_name.strip():
            problems.append(Problem(
                "report_name", "notAFileName",
                f"report_name is {report_name!r}: give the reports' file name without its "
                "suffix (default 'sm-pipeline-iam-report'), or an absolute path"))
        if not isinstance(all_principals, bool):
            problems.append(Problem(
                "all_principals", "notABool",
                f"all_principals is {all_principals!r}: give True or False"))
        if not isinstance(fail_on, str) or fail_on not in SEVERITIES:
            problems.append(Problem(
                "fail_on", "unknownSeverity",
                f"fail_on {fail_on!r} is not a severity: give one of {', '.join(SEVERITIES)}"))
        raise_if_any("ReviewPlugin", PLUGIN_NAME, problems)
        # Every construct tree has an app at its root (a Stack made without one gets one).
        assert app is not None, scope.node.path
        self._directory = Path(app.outdir)
        self._threshold = SEVERITIES.index(fail_on)
        self._acceptances = report.read_acceptances(accept) if accept is not None else []
        self._reports = [(report_name + _FORMATS[name][0], _FORMATS[name][1])
                         for name in dict.fromkeys(report_formats)]
        self._all_principals = all_principals

    @property
    def name(self) -> str:
        """The plugin's name in the CDK's validation report."""
        return PLUGIN_NAME

    @property
    def version(self) -> str | None:
        """The library's version (None when it is not installed as a package)."""
        try:
            return importlib.metadata.version("sm-pipeline-iam")
        except importlib.metadata.PackageNotFoundError:
            return None

    @property
    def rule_ids(self) -> list[str]:
        """The finding ids the review may report."""
        return sorted(RULES)

    @property
    def report_files(self) -> list[Path]:
        """The reports each synthesis writes."""
        return [self._directory / file for file, _ in self._reports]

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        """Review the templates of ``context``, write the reports, and return the failing
        findings as violations (the CDK's entry point)."""
        reviews = report.review_templates(self._directory, context.template_paths,
                                          scope_all=self._all_principals,
                                          acceptances=self._acceptances)
        unmatched = report.unmatched_acceptances(reviews, self._acceptances)
        for path, (_, writer) in zip(self.report_files, self._reports, strict=True):
            path.write_text(writer(reviews, unmatched))
        violations = [self._violation(finding) for finding in self._failing(reviews)]
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)

    def _failing(self, reviews: Sequence[StackReview]) -> list[Finding]:
        # At or above fail_on, and not accepted (an expired acceptance counts again).
        return [finding for review in reviews for finding in review.findings
                if finding.counts and SEVERITIES.index(finding.severity) >= self._threshold]

    def _violation(self, finding: Finding) -> cdk.PolicyViolation:
        expired = f" (its acceptance expired: {finding.acceptance})" if finding.acceptance else ""
        return cdk.PolicyViolation(
            rule_name=finding.id,
            description=f"{finding.severity} {finding.id} at {finding.where}: "
                        f"{finding.message}{expired}",
            fix=f"{RULES[finding.id][1]} To accept it, add {{\"where\": \"{finding.where}\", "
                f"\"id\": \"{finding.id}\", \"reason\": \"...\"}} to the acceptance file "
                "(ReviewPlugin's accept).",
            # Every violation fails the synthesis, a warning at fail_on="warning" too: the
            # CDK recomputes success from "error" severities when the app acknowledges rules.
            severity=ERROR,
            violating_resources=[cdk.PolicyViolatingResource(
                resource_logical_id=finding.logical_id,
                template_path=str(self._directory / finding.template),
                locations=[],
            )],
        )
