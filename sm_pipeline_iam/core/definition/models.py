"""Model links: which models a step's transform job or endpoint config runs (for the
execution role's ``sagemaker:ModelArn`` scope and for the role a job runs as), and what
runs as a Model step's role outside its own step: the endpoints that serve its model (their
logs, their metrics) and their data capture.

A model runs, on an endpoint or in a batch transform, as the role its model names
(API_CreateModel ``ExecutionRoleArn``, SageMaker API Reference,
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModel.html); an
endpoint's logs go to ``/aws/sagemaker/Endpoints/<endpoint name>`` (AWS page "Log Amazon
SageMaker AI events with Amazon CloudWatch",
https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html); data capture
writes under ``DataCaptureConfig.DestinationS3Uri`` (AWS page "Capture data from real-time
endpoint").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..catalog.schema import JobSpec, StepSpec, StepType
from ..catalog.steps import HOSTING_KINDS
from ..job_roles.needs import JobNeeds
from ..locations import S3ObjectPattern
from ..notices import MODEL_ENDPOINTS_UNNAMED, MODEL_OUTSIDE_PIPELINE, Notice
from .job_locations import JobLocations
from .keys import JobKeys, sorted_keys
from .paths import values_at
from .state import ReadState
from .values import FieldValues


class ModelLinks:
    """Reads which models steps run, and what runs as each Model step's role elsewhere.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
        locations: reads the S3 locations of data capture.
        keys: reads the KMS keys of data capture.
        declared_endpoints: Model step -> the endpoints ``model_endpoints`` says serve its
            model outside the pipeline.
    """

    def __init__(self, state: ReadState, values: FieldValues, locations: JobLocations,
                 keys: JobKeys, declared_endpoints: Mapping[str, tuple[str, ...]]) -> None:
        self._state = state
        self._values = values
        self._locations = locations
        self._keys = keys
        self._declared_endpoints = declared_endpoints
        #: Model step -> what endpoints configured by other steps do as its role.
        self._hosted: dict[str, list[JobNeeds]] = {}

    def read_model_names(self, name: str, spec: StepSpec, step: dict[str, Any]) -> None:
        """The names of the models a step's transform job or endpoint config runs: the
        execution role may create them for these models only (``sagemaker:ModelArn``),
        so no step runs another pipeline's or team's model as that model's role. A
        ``Get`` of a Model step's ``ModelName`` is that step's name patterns; a literal
        name (a model from outside the pipeline) is that model only."""
        out, values = self._state.out, self._values
        paths = [job.runs_models for job in (spec.job, spec.hosting)
                 if job is not None and job.runs_models is not None]
        if not paths:
            return
        if out.model_names is None:
            out.model_names = set()
        for field_name, value in (found for path in paths for found in values_at(step, path)):
            if value is None or not values.wildcard_free(name, field_name, value):
                continue
            for pattern in values.patterns(name, field_name, value):
                if pattern.unbound:
                    # A parameter widens the model: bound, defaulted or refused.
                    values.unresolved(name, field_name, pattern)
                out.model_names.add(pattern.text)

    def model_step(self, name: str, job: JobSpec, step: dict[str, Any]) -> str | None:
        """The Model step whose role a job that runs a model (Transform) runs as."""
        if job.runs_models is None:
            return None
        for _, value in values_at(step, job.runs_models):
            models = self._models_named(value)
            if models:
                return models[0]
        self._state.out.notices.append(Notice(
            MODEL_OUTSIDE_PIPELINE,
            f"step {name!r}: the model its job runs is not made by a step of this pipeline, "
            "so the role that job runs as (the model's) is not derived here: grant that role "
            "the step's inputs, outputs and logs",
        ))
        return None

    def read_hosting(self, name: str, step_type: StepType, hosting: JobSpec,
                     step: dict[str, Any]) -> None:
        """What the endpoint a step configures does as the role of each model it serves
        (data capture: the destination's objects and key), kept for those Model steps."""
        if hosting.off_when_false is not None and any(
                value is False for _, value in values_at(step, hosting.off_when_false)):
            return
        s3 = [(use, field_name, value) for use in hosting.s3
              for field_name, value in values_at(step, use.path) if value is not None]
        if not s3 and not any(True for key in hosting.kms_keys
                              for _, v in values_at(step, key.path) if v is not None):
            return
        assert hosting.runs_models is not None
        models = sorted({model for _, value in values_at(step, hosting.runs_models)
                         for model in self._models_named(value)})
        if not models:
            self._state.out.notices.append(Notice(
                MODEL_OUTSIDE_PIPELINE,
                f"step {name!r}: the endpoint it configures captures data as the role of its "
                "models, which no step of this pipeline makes, so that role is not derived "
                "here: grant it PutObject under DataCaptureConfig.DestinationS3Uri (and its "
                "KmsKeyId's use)",
            ))
            return
        with self._state.set_aside() as hosted:
            reads: set[S3ObjectPattern] = set()
            lists: set[tuple[str, str]] = set()
            writes: set[S3ObjectPattern] = set()
            for use, field_name, value in s3:
                for location in self._locations.locations_of(name, field_name, value, use):
                    self._locations.add_use(use.access, location, (), reads, lists, writes)
            keys = self._keys.named(name, hosting, step)
        for model in models:
            self._hosted.setdefault(model, []).append(JobNeeds(
                steps=(name,), step_types=(step_type,), writes=tuple(sorted(writes)),
                kms_keys=sorted_keys(keys), notices=tuple(dict.fromkeys(hosted.notices)),
                unresolved=tuple(hosted.unresolved),
            ))

    def with_hosting(self, job: JobNeeds) -> JobNeeds:
        """A Model step's needs with what runs as its role outside its own step: the
        endpoints and batch transforms that serve the model (the log groups of the
        endpoints the definition names or ``model_endpoints`` declares, else a warning; the
        metric namespaces of both kinds) and the data capture of the endpoints that host
        it."""
        if job.step_types != (StepType.MODEL,):
            return job
        endpoints = {*self._endpoints_of(job.step),
                     *self._declared_endpoints.get(job.step, ())}
        # An endpoint's logs go to /aws/sagemaker/Endpoints/<endpoint name>, streams
        # <variant>/<instance> (AWS page "Log Amazon SageMaker AI events with Amazon
        # CloudWatch"): only an endpoint named here can be granted.
        streams = {(f"/aws/sagemaker/Endpoints/{e}", "*") for e in endpoints}
        notices = list(job.notices)
        if not endpoints:
            notices.append(Notice(
                MODEL_ENDPOINTS_UNNAMED,
                f"step {job.step!r}: no Endpoint step of this pipeline hosts its model and "
                "model_endpoints names no endpoint for it, so its role grants no endpoint's "
                "logs (/aws/sagemaker/Endpoints/<name>): name the endpoints that will serve "
                f"it with model_endpoints={{'{job.step}': ['<endpoint name>']}}; a batch "
                "transform run outside the pipeline is named by its caller and gets no logs "
                "either (grant its log streams in /aws/sagemaker/TransformJobs to this role "
                "where the transform is made)",
            ))
        hosted = self._hosted.get(job.step, [])
        return replace(
            job,
            writes=tuple(sorted({*job.writes, *(w for h in hosted for w in h.writes)})),
            log_streams=tuple(sorted({*job.log_streams, *streams})),
            metric_namespaces=tuple(sorted({*job.metric_namespaces, *(
                f"/aws/sagemaker/{kind}" for kind in HOSTING_KINDS)})),
            kms_keys=sorted_keys({*job.kms_keys, *(k for h in hosted for k in h.kms_keys)}),
            notices=tuple(dict.fromkeys([*notices, *(n for h in hosted for n in h.notices)])),
            unresolved=(*job.unresolved, *(u for h in hosted for u in h.unresolved)),
        )

    def _models_named(self, value: Any) -> list[str]:
        """The Model steps a model name in the definition refers to: a ``Get`` of a Model
        step's ``ModelName``, or a literal name a Model step gives its model."""
        reference = value.get("Get") if isinstance(value, dict) else None
        parts = reference.split(".") if isinstance(reference, str) else []
        if len(parts) == 3 and parts[0] == "Steps" and parts[2] == "ModelName":
            return [parts[1]]
        if not isinstance(value, str):
            return []
        return [other for other, candidate in self._state.by_name.items()
                if candidate.get("Type") == StepType.MODEL.value and value in {
                    v for _, v in values_at(candidate, "Arguments.ModelName")}]

    def _endpoints_of(self, model_step: str) -> set[str]:
        """The endpoints that the pipeline's Endpoint steps host a Model step's model on:
        through an EndpointConfig step whose variants name the model (by a Get of its
        ModelName, or its literal name)."""
        by_name = self._state.by_name

        def names(step: dict[str, Any], path: str) -> set[str]:
            return {v for _, v in values_at(step, path) if isinstance(v, str)}

        def refers(value: Any, step_name: str, prop: str, literals: set[str]) -> bool:
            if isinstance(value, dict):
                return value.get("Get") == f"Steps.{step_name}.{prop}"
            return isinstance(value, str) and value in literals

        model_names = names(by_name[model_step], "Arguments.ModelName")
        endpoints: set[str] = set()
        for config_name, config in by_name.items():
            if config.get("Type") != StepType.ENDPOINT_CONFIG.value or not any(
                refers(v, model_step, "ModelName", model_names)
                for _, v in values_at(config, "Arguments.ProductionVariants[*].ModelName")
            ):
                continue
            config_names = names(config, "Arguments.EndpointConfigName")
            for endpoint in by_name.values():
                if endpoint.get("Type") == StepType.ENDPOINT.value and any(
                    refers(v, config_name, "EndpointConfigName", config_names)
                    for _, v in values_at(endpoint, "Arguments.EndpointConfigName")
                ):
                    endpoints |= names(endpoint, "Arguments.EndpointName")
        return endpoints
