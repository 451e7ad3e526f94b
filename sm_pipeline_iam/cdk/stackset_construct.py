"""``ServiceManagedStackSet``: deploy a workload stack to every account of some OUs."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from aws_cdk import aws_cloudformation as cloudformation
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from ..core.errors import Problem, raise_if_any
from ..core.notices import IAM_PER_REGION
from ..core.organization.stackset import (
    fits_template_body,
    target_problems,
    template_problems,
    template_text,
)
from ._private.messages import shown
from ._private.prop_types import PropTypes
from ._private.tokens import check_tokens_at_synth, is_token
from ._private.warnings import add_warning


class ServiceManagedStackSet(Construct):
    """A service-managed StackSet (``AWS::CloudFormation::StackSet``) that auto-deploys a
    synthesized workload template to every account of ``ou_ids``, in ``regions``.

    Deploy it from the management (or a delegated administrator) account. The template must
    be environment-agnostic (``Ref AWS::AccountId`` etc.) so that it resolves in each target
    account. It goes inline (``TemplateBody``) up to 51,200 bytes, else as an S3 asset
    (``TemplateURL``, up to 1 MB).

    Raises:
        InvalidPropsError: (a ``ValueError``) malformed OU ids or regions, an oversized
            template, or bad operation preferences.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        template: Mapping[str, Any] | str,
        ou_ids: Sequence[str],
        regions: Sequence[str],
        stack_set_name: str | None = None,
        failure_tolerance_percentage: int = 0,
        max_concurrent_percentage: int = 25,
        region_concurrency: str = "SEQUENTIAL",
        retain_stacks_on_account_removal: bool = False,
    ) -> None:
        """Create the StackSet.

        Args:
            scope: the parent construct (a stack of the management account).
            id: the construct id.
            template: the workload stack's synthesized template (dict or JSON text; no
                token: its size decides between TemplateBody and an S3 asset at synth).
            ou_ids: the OUs whose accounts get the stack (``ou-...``); tokens are accepted
                (a ``Lazy`` one is checked at synth).
            regions: the regions to deploy to, in deployment order; tokens as for
                ``ou_ids``.
            stack_set_name: the StackSet's name; a token is accepted. Default:
                ``sm-pipeline-iam-<id>``.
            failure_tolerance_percentage: accounts per region that may fail before the
                operation stops. Default: 0 (stop at the first failure).
            max_concurrent_percentage: accounts deployed at once, per region. Default: 25.
            region_concurrency: ``SEQUENTIAL`` (default) or ``PARALLEL``.
            retain_stacks_on_account_removal: keep the stack when an account leaves the OUs.
                Default: False (the stack is deleted).
        """
        checks = PropTypes()
        text = ""
        if not isinstance(template, Mapping | str):
            checks.fail("template", "notATemplate", f"template is {shown(template)}: give the "
                        "synthesized template (a dict, or its JSON text)")
        elif is_token(template):
            checks.fail("template", "tokenNotAccepted", f"template is a token ({template!r}): "
                        "its size decides between TemplateBody and an S3 asset at synth; give "
                        "the synthesized template itself")
        else:
            try:
                text = template_text(template)
            except (TypeError, ValueError) as error:
                checks.fail("template", "notJson",
                            f"template cannot be written as JSON ({error}): give the "
                            "synthesized template, a dict of JSON values")
        checks.strings("ou_ids", ou_ids, "OU ids", "['ou-ab12-cdefgh34']")
        checks.strings("regions", regions, "region names", "['us-east-1']")
        checks.string("stack_set_name", stack_set_name, "the StackSet's name", optional=True)
        checks.integer("failure_tolerance_percentage", failure_tolerance_percentage,
                       "a whole percentage, 0 to 100")
        checks.integer("max_concurrent_percentage", max_concurrent_percentage,
                       "a whole percentage, 1 to 100")
        checks.string("region_concurrency", region_concurrency, "'SEQUENTIAL' or 'PARALLEL'",
                      refuse_tokens="it is checked at synth")
        checks.boolean("retain_stacks_on_account_removal", retain_stacks_on_account_removal)
        checks.raise_if_any("ServiceManagedStackSet", id, {
            "template": template, "ou_ids": ou_ids, "regions": regions,
            "stack_set_name": stack_set_name,
        })
        problems = _target_problems(ou_ids, regions, lambda value: value) + template_problems(text)
        for name, value in (("failure_tolerance_percentage", failure_tolerance_percentage),
                            ("max_concurrent_percentage", max_concurrent_percentage)):
            if not 0 <= value <= 100:
                problems.append(Problem(
                    name, "notAPercentage", f"{name} {value} is not a percentage (0 to 100)"
                ))
        if max_concurrent_percentage < 1:
            problems.append(Problem(
                "max_concurrent_percentage",
                "deploysNothing",
                "max_concurrent_percentage 0 would deploy nothing: give 1 to 100",
            ))
        if region_concurrency not in ("SEQUENTIAL", "PARALLEL"):
            problems.append(Problem(
                "region_concurrency",
                "notAConcurrencyType",
                f"region_concurrency {region_concurrency!r} is not SEQUENTIAL or PARALLEL",
            ))
        raise_if_any("ServiceManagedStackSet", id, problems)
        super().__init__(scope, id)
        check_tokens_at_synth(self, "ServiceManagedStackSet",
                              {"ou_ids": ou_ids, "regions": regions},
                              lambda final: _target_problems(ou_ids, regions, final))

        self.template_in_body = fits_template_body(text)
        template_url = None
        if not self.template_in_body:
            asset = s3_assets.Asset(self, "Template", path=str(_template_file(text)))
            template_url = asset.http_url
        self.stack_set = cloudformation.CfnStackSet(
            self,
            "StackSet",
            stack_set_name=stack_set_name or f"sm-pipeline-iam-{id}",
            permission_model="SERVICE_MANAGED",
            auto_deployment=cloudformation.CfnStackSet.AutoDeploymentProperty(
                enabled=True,
                retain_stacks_on_account_removal=retain_stacks_on_account_removal,
            ),
            capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
            operation_preferences=cloudformation.CfnStackSet.OperationPreferencesProperty(
                failure_tolerance_percentage=failure_tolerance_percentage,
                max_concurrent_percentage=max_concurrent_percentage,
                region_concurrency_type=region_concurrency,
                region_order=list(regions),
            ),
            stack_instances_group=[
                cloudformation.CfnStackSet.StackInstancesProperty(
                    deployment_targets=cloudformation.CfnStackSet.DeploymentTargetsProperty(
                        organizational_unit_ids=list(ou_ids)
                    ),
                    regions=list(regions),
                )
            ],
            template_body=text if self.template_in_body else None,
            template_url=template_url,
        )
        if len(regions) > 1:
            add_warning(
                self, IAM_PER_REGION,
                f"IAM is global: each of the {len(regions)} regions creates its own copy of "
                "the workload roles in every account; deploy IAM-only stacks to one region "
                "unless each region needs its own roles",
            )


def _target_problems(ou_ids: Sequence[str], regions: Sequence[str],
                     final: Callable[[str], str]) -> list[Problem]:
    """The problems of the OU ids and regions, each as ``final`` gives it; a token (a value
    known only at deploy time) is not checked, but counts as given."""
    finals = [final(ou) for ou in ou_ids], [final(region) for region in regions]
    literal = [[value for value in values if not is_token(value)] for values in finals]
    return [
        problem for problem in target_problems(*literal)
        if problem.code != "empty" or not (ou_ids if problem.prop == "ou_ids" else regions)
    ]


def _template_file(text: str) -> Path:
    # A content-addressed file: the asset hash, and so the template URL, is stable.
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    directory = Path(tempfile.gettempdir()) / "sm-pipeline-iam-stackset-templates"
    directory.mkdir(exist_ok=True)
    path = directory / f"{digest}.template.json"
    if not path.exists():
        path.write_text(text)
    return path
