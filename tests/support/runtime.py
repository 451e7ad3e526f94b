"""The run-time truth corpus: every definition whose jobs the oracle (tests/oracle) lists,
deployed with ``LeastPrivilegePipeline`` and read back as AWS would see it.

Used by tests/test_runtime_truth.py and bench/least_privilege.py. Each case is synthesized
once per process (``deployed``); the oracle then runs on the DEPLOYED definition, so each of
its calls names the role the deployed pipeline hands that job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from oracle import Call, job_calls, neighbour_calls
from oracle.calls import SELF
from oracle.execution import unwrap
from sm_pipeline_iam import LeastPrivilegePipeline

from .cfn import ACCOUNT, REGION, identity_policies, resources_of_type, synthesized_resolver

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
RUNTIME = FIXTURES / "runtime"


@dataclass(frozen=True)
class Case:
    """One definition of the corpus: where it lies, the pipeline's name, the values this
    execution gives its parameters (name -> value; the rest take their defaults), what each
    manifest lists (manifest URI -> object URIs), the folders the user declares for the
    objects of a step's manifests (``manifest_locations``: step name -> S3 folders), and
    the endpoints that serve a Model step's model outside the pipeline (step -> endpoint
    names), given to the pipeline as ``model_endpoints`` and to the oracle as the case's
    own."""

    name: str
    path: Path
    pipeline_name: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    manifests: Mapping[str, Sequence[str]] = field(default_factory=dict)
    manifest_locations: Mapping[str, Sequence[str]] = field(default_factory=dict)
    model_endpoints: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def definition(self) -> dict[str, Any]:
        return unwrap(json.loads(self.path.read_text()))


#: Corpus files that are broken on purpose (a DefinitionError is their point).
BROKEN = {"literal_wildcards"}


def _runtime_cases() -> list[Case]:
    """The public-style definitions of tests/fixtures/runtime, with cases.json's values."""
    settings = json.loads((RUNTIME / "cases.json").read_text())
    return [Case(f"runtime/{stem}", RUNTIME / f"{stem}.json", values["pipeline_name"],
                 values.get("parameters", {}), values.get("manifests", {}),
                 manifest_locations=values.get("manifest_locations", {}),
                 model_endpoints=values.get("model_endpoints", {}))
            for stem, values in sorted(settings.items())]


def _pipeline_name(stem: str) -> str:
    return re.sub(r"[^a-zA-Z0-9-]", "-", stem)[:80]


def cases() -> list[Case]:
    """Every definition of the corpus whose oracle lists at least one job call."""
    found = [Case(f"definitions/{p.stem}", p, _pipeline_name(p.stem))
             for p in sorted((FIXTURES / "definitions").glob("*.json"))]
    found.append(Case("samples/pipeline", ROOT / "samples" / "pipeline.json", "abalone"))
    found += [Case(f"corpus/{p.stem}", p, _pipeline_name(p.stem))
              for p in sorted((FIXTURES / "corpus").glob("*.json")) if p.stem not in BROKEN]
    found += _runtime_cases()
    return [c for c in found if job_calls(c.definition(), c.parameters,
                                          pipeline_name=c.pipeline_name,
                                          manifests=c.manifests,
                                          model_endpoints=c.model_endpoints)]


def parameter_bindings(case: Case) -> dict[str, list[str]]:
    """What the user binds: each String parameter to this execution's value."""
    definition = case.definition()
    values = {p["Name"]: p.get("DefaultValue") for p in definition.get("Parameters") or []
              if p.get("Type", "String") == "String"}
    values.update({k: v for k, v in case.parameters.items() if k in values})
    return {name: [str(value)] for name, value in values.items() if value is not None}


@dataclass(frozen=True)
class Deployed:
    """A case deployed: the definition SageMaker gets and each role's policies."""

    definition: dict[str, Any]
    policies: dict[str, list[dict[str, Any]]]  # role ARN -> its policy documents

    def calls(self, case: Case) -> list[Call]:
        return job_calls(self.definition, case.parameters, pipeline_name=case.pipeline_name,
                         manifests=case.manifests, model_endpoints=case.model_endpoints)

    def neighbours(self, case: Case) -> list[Call]:
        return neighbour_calls(self.calls(case))


_DEPLOYED: dict[str, Deployed] = {}


def deployed(case: Case) -> Deployed:
    """Synthesize ``LeastPrivilegePipeline`` for the case (account 111122223333,
    us-east-1, definition inline) and resolve it; once per case and process."""
    if case.name not in _DEPLOYED:
        _DEPLOYED[case.name] = _deploy(case)
    return _DEPLOYED[case.name]


def _deploy(case: Case) -> Deployed:
    stack = cdk.Stack(cdk.App(), "Runtime", env=cdk.Environment(account=ACCOUNT, region=REGION))
    LeastPrivilegePipeline(stack, "Pipeline", definition=case.definition(),
                           pipeline_name=case.pipeline_name,
                           parameter_values=parameter_bindings(case),
                           model_endpoints=dict(case.model_endpoints) or None,
                           manifest_locations=case.manifest_locations or None,
                           definition_in_s3=False)
    resolver = synthesized_resolver(Template.from_stack(stack).to_json())
    (pipeline,) = resources_of_type(resolver.template, "AWS::SageMaker::Pipeline").values()
    body = resolver.resolve(pipeline["Properties"]["PipelineDefinition"]
                            ["PipelineDefinitionBody"])
    policies = {}
    for logical_id in resources_of_type(resolver.template, "AWS::IAM::Role"):
        arn = f"arn:aws:iam::{ACCOUNT}:role/{resolver.role_name(logical_id)}"
        policies[arn] = identity_policies(resolver, logical_id)
    return Deployed(json.loads(body), policies)


def request_of(call: Call, tag: str, policies: Sequence[Mapping[str, Any]]) -> Any:
    """The iam-simulate request of ``call`` made by its role (with that role's policies)."""
    from iamsim import Request

    resource = call.role if call.resource == SELF else call.resource
    context = {k: list(v) if isinstance(v, tuple) else v for k, v in call.context}
    return Request(f"{tag} {call.describe()}", call.role, call.action, resource, context,
                   resource_account=call.resource_account,
                   resource_policy=call.resource_policy, identity_policies=list(policies),
                   literal=call.literal)
