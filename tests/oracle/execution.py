"""One example execution of a pipeline definition, with concrete values.

Where SageMaker decides a value at run time, the oracle picks an example of the documented
form:

- the execution id: 12 lower-case letters and digits, as in the ARNs of the AWS guide page
  "Run a pipeline" (``.../execution/cfvy1tjuxdq8``):
  https://docs.aws.amazon.com/sagemaker/latest/dg/run-pipeline.html
- job names: the AWS page "Customize access management"
  (https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-access.html#build-and-manage-access-custom-prefix):
  ``pipelines-<executionId>-<first 20 characters of the step name>-<entityToken>-<failureCount>``
  by default, ``<prefix>-<executionId>-<entityToken>-<failureCount>`` when the step's name key
  (``TrainingJobName``, ``ProcessingJobName``, ...) holds the custom prefix;
- tuning and AutoML job names (at most 32 characters, API_CreateHyperParameterTuningJob /
  API_CreateAutoMLJob): the same parts cut to fit. UNCONFIRMED form: no AWS page shows one;
  every key the oracle derives from them sits under a documented prefix, so any form works;
- the training jobs of a tuning job: ``<tuning job name>-<NNN>-<8 hex>``, the form the
  console and DescribeHyperParameterTuningJob show (UNCONFIRMED beyond examples).

Values of the definition are evaluated as SageMaker does: ``{"Get": "Parameters.X"}`` is the
parameter's value for this execution (the caller's, else its ``DefaultValue``),
``Execution.*`` the execution's own values, ``Std:Join`` a join, ``Steps.X.<property>`` the
property the step X produces (the API's Describe* response of its job). A value this module
cannot evaluate raises :class:`OracleError`, so a gap in the oracle is never a silent pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

ACCOUNT = "111122223333"
REGION = "us-east-1"
EXECUTION_ID = "x1y2z3a4b5c6"
ENTITY_TOKEN = "Ab12Cd34Ef"
FAILURE_COUNT = "0"
#: An example start time of the jobs (seconds since the epoch), for log stream names.
EPOCH = "1765094400"

#: The create-API name key per step type (where the custom prefix lives).
NAME_KEYS = {
    "Training": "TrainingJobName",
    "Processing": "ProcessingJobName",
    "ClarifyCheck": "ProcessingJobName",
    "QualityCheck": "ProcessingJobName",
    "Transform": "TransformJobName",
    "Tuning": "HyperParameterTuningJobName",
    "AutoML": "AutoMLJobName",
    "Model": "ModelName",
}


class OracleError(Exception):
    """A definition the oracle cannot evaluate (a gap in the oracle, never a pass)."""


@dataclass(frozen=True)
class S3Uri:
    """An ``s3://bucket/key`` URI split as the API's ``S3Uri`` pattern does
    (``(https|s3)://([^/]+)/?(.*)``, API_S3DataSource)."""

    bucket: str
    key: str

    @classmethod
    def parse(cls, uri: str, where: str) -> S3Uri:
        match = re.fullmatch(r"s3://([^/]+)/?(.*)", uri)
        if match is None:
            raise OracleError(f"{where}: {uri!r} is not an s3:// URI")
        return cls(match.group(1), match.group(2))

    def join(self, *parts: str) -> str:
        """The key of ``parts`` under this URI, read as a folder (one ``/`` between)."""
        return "/".join(p.strip("/") for p in (self.key, *parts) if p.strip("/"))

    def object_arn(self, key: str) -> str:
        return f"arn:aws:s3:::{self.bucket}/{key}"

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}"


def walk_steps(steps: Any) -> Iterator[dict[str, Any]]:
    """Every step, those nested in Condition branches and ForEach bodies included."""
    for step in steps or []:
        yield step
        arguments = step.get("Arguments")
        if isinstance(arguments, dict):
            for nested in ("IfSteps", "ElseSteps", "ForEachBody"):
                yield from walk_steps(arguments.get(nested))


def unwrap(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The definition itself, also from a DescribePipeline response."""
    inner = definition.get("PipelineDefinition")
    if isinstance(inner, str):
        return dict(json.loads(inner))
    if isinstance(inner, dict):
        return dict(inner)
    return dict(definition)


class Execution:
    """One example execution of ``definition`` with ``parameters`` (name -> value)."""

    def __init__(self, definition: Mapping[str, Any], parameters: Mapping[str, Any],
                 pipeline_name: str) -> None:
        self.definition = unwrap(definition)
        self.pipeline_name = pipeline_name
        self.steps = {step["Name"]: step for step in walk_steps(self.definition.get("Steps"))}
        defaults = {p["Name"]: p.get("DefaultValue") for p in
                    self.definition.get("Parameters") or []}
        self.parameters = {**defaults, **parameters}
        self._properties: dict[str, dict[str, Any]] = {}

    # --- names ---------------------------------------------------------------------------

    def job_name(self, step_name: str) -> str:
        """The name SageMaker gives the step's job (or model) in this execution."""
        step = self.steps[step_name]
        key = NAME_KEYS.get(step["Type"])
        prefix = step.get("Arguments", {}).get(key) if key else None
        if step["Type"] in ("Tuning", "AutoML"):
            base = self.value(prefix, step_name) if prefix is not None else "pipelines"
            return f"{base}-{EXECUTION_ID}-{ENTITY_TOKEN}"[:32].rstrip("-")
        if prefix is not None:
            return f"{self.value(prefix, step_name)}-{EXECUTION_ID}-{ENTITY_TOKEN}-{FAILURE_COUNT}"
        return f"pipelines-{EXECUTION_ID}-{step_name[:20]}-{ENTITY_TOKEN}-{FAILURE_COUNT}"

    def tuning_training_job(self, step_name: str) -> str:
        """The best training job of a tuning step (one of the jobs it launched)."""
        return f"{self.job_name(step_name)[:22]}-001-1a2b3c4d"

    # --- values --------------------------------------------------------------------------

    def value(self, expression: Any, where: str) -> str:
        """The string ``expression`` evaluates to in this execution."""
        if isinstance(expression, str | int | float | bool):
            return str(expression)
        if isinstance(expression, dict) and "Get" in expression:
            return self._get(str(expression["Get"]), where)
        if isinstance(expression, dict) and "Std:Join" in expression:
            join = expression["Std:Join"]
            return str(join["On"]).join(self.value(v, where) for v in join["Values"])
        raise OracleError(f"{where}: cannot evaluate {json.dumps(expression)[:200]}")

    def _get(self, path: str, where: str) -> str:
        if path.startswith("Parameters."):
            name = path.removeprefix("Parameters.")
            if self.parameters.get(name) is None:
                raise OracleError(f"{where}: parameter {name} has no value")
            return str(self.parameters[name])
        execution = {
            "Execution.PipelineExecutionId": EXECUTION_ID,
            "Execution.PipelineName": self.pipeline_name,
            "Execution.PipelineExecutionArn": (
                f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{self.pipeline_name}/"
                f"execution/{EXECUTION_ID}"),
        }
        if path in execution:
            return execution[path]
        if path.startswith("Steps."):
            step, _, rest = path.removeprefix("Steps.").partition(".")
            properties = self.properties(step)
            normalized = re.sub(r"\[\"([^\"]+)\"\]", r"['\1']", rest)
            for key in (normalized, re.sub(r"\[\d+\]", "[0]", normalized)):
                if key in properties:
                    return str(properties[key])
            raise OracleError(f"{where}: property Steps.{step}.{rest} unknown to the oracle")
        raise OracleError(f"{where}: cannot evaluate Get {path}")

    # --- what each step produces (the Describe* response of its job) ----------------------

    def properties(self, step_name: str) -> dict[str, Any]:
        if step_name not in self.steps:
            raise OracleError(f"no step named {step_name}")
        if step_name not in self._properties:
            self._properties[step_name] = self._compute_properties(step_name)
        return self._properties[step_name]

    def _compute_properties(self, name: str) -> dict[str, Any]:
        step = self.steps[name]
        arguments = step.get("Arguments", {})
        kind = step["Type"]
        where = f"step {name}"
        if kind in ("Processing", "ClarifyCheck", "QualityCheck"):
            job = self.job_name(name)
            found: dict[str, Any] = {"ProcessingJobName": job}
            for output in arguments.get("ProcessingOutputConfig", {}).get("Outputs", []):
                uri = output.get("S3Output", {}).get("S3Uri")
                if uri is not None:
                    found[f"ProcessingOutputConfig.Outputs['{output['OutputName']}']"
                          ".S3Output.S3Uri"] = self.value(uri, where)
            return found
        if kind == "Training":
            job = self.job_name(name)
            output = self.value(arguments["OutputDataConfig"]["S3OutputPath"], where)
            base = output.rstrip("/")
            return {"TrainingJobName": job, "OutputDataConfig.S3OutputPath": output,
                    "ModelArtifacts.S3ModelArtifacts": f"{base}/{job}/output/model.tar.gz"}
        if kind == "Tuning":
            best = self.tuning_training_job(name)
            return {"TrainingJobSummaries[0].TrainingJobName": best,
                    "BestTrainingJob.TrainingJobName": best,
                    "HyperParameterTuningJobName": self.job_name(name)}
        if kind == "Model":
            return {"ModelName": self.job_name(name)}
        if kind == "Transform":
            output = self.value(arguments["TransformOutput"]["S3OutputPath"], where)
            return {"TransformJobName": self.job_name(name),
                    "TransformOutput.S3OutputPath": output}
        if kind == "AutoML":
            return self._automl_properties(name, arguments)
        if kind == "EndpointConfig":
            return {"EndpointConfigName": self.value(arguments["EndpointConfigName"], where)}
        if kind == "Endpoint":
            return {"EndpointName": self.value(arguments["EndpointName"], where)}
        raise OracleError(f"{where}: the oracle knows no properties of a {kind} step")

    def _automl_properties(self, name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """An AutoML job's best candidate: its inference containers' artifacts lie under the
        job's ``<S3OutputPath>/<AutoML job name>/`` (API_AutoMLOutputDataConfig: "the
        Amazon S3 output path"; API_AutoMLCandidate.InferenceContainers); the images are
        Autopilot's own (AWS-owned registry, "Docker Registry Paths and Example Code":
        sagemaker-sklearn-automl in 683313688378 for us-east-1)."""
        job = self.job_name(name)
        output = S3Uri.parse(self.value(arguments["OutputDataConfig"]["S3OutputPath"],
                                        f"step {name}"), f"step {name}")
        found: dict[str, Any] = {"AutoMLJobName": job,
                                 "BestCandidate.CandidateName": f"{job[:16]}-dpp0-xgb"}
        for i, stage in enumerate(("data-processor-models", "tuning", "data-processor-models")):
            key = output.join(job, stage, f"{job[:16]}-dpp{i}", "output", "model.tar.gz")
            prefix = f"BestCandidate.InferenceContainers[{i}]"
            found[f"{prefix}.ModelDataUrl"] = f"s3://{output.bucket}/{key}"
            found[f"{prefix}.Image"] = AUTOML_IMAGE
            found[f"{prefix}.Environment"] = "{}"
        return found

    @cached_property
    def model_users(self) -> dict[str, list[str]]:
        """Model step -> the Transform steps whose job runs that model."""
        users: dict[str, list[str]] = {}
        for name, step in self.steps.items():
            if step["Type"] == "Transform":
                model = model_step_of(step.get("Arguments", {}).get("ModelName"))
                if model is not None:
                    users.setdefault(model, []).append(name)
        return users


#: An Autopilot image (AWS-owned; "Docker Registry Paths and Example Code", us-east-1).
AUTOML_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-sklearn-automl:2.5-1-cpu-py3"


def model_step_of(value: Any) -> str | None:
    """The Model step a ``ModelName`` value names through ``Steps.<M>.ModelName``."""
    if isinstance(value, dict) and isinstance(value.get("Get"), str):
        match = re.fullmatch(r"Steps\.([^.]+)\.ModelName", value["Get"])
        if match:
            return match.group(1)
    return None
