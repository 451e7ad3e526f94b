"""What a step's job needs from the role it runs as: its job names, the S3 objects it reads,
lists and writes (its ``@step`` function's payloads and its Debugger rule jobs' included),
its images, log streams and metric namespaces, its VPC's subnets and security groups, its
KMS keys and the calls it makes itself, as one
:class:`~sm_pipeline_iam.core.job_roles.needs.JobNeeds` per step.

Sources: the catalog's :class:`~sm_pipeline_iam.core.catalog.steps.JobSpec` entries, from
the AWS page "How to use SageMaker AI execution roles"
(https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html); a job's logs go to
``/aws/sagemaker/<kind>``, streams named after the job (AWS page "Log Amazon SageMaker AI
events with Amazon CloudWatch",
https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, TypeVar

from ..arns import ROLE_ARN as _ROLE_ARN
from ..catalog.schema import JobSpec, S3Access, S3Use, StepSpec, StepType
from ..catalog.services import SAGEMAKER
from ..execution_role.policy import JOB_ROLE_ARN
from ..job_roles.needs import JobNeeds
from ..locations import S3ObjectPattern
from ..notices import UNGRANTED_FIELD, Notice
from .expressions import Pattern
from .images import ImageRepositories
from .job_calls import JobCalls
from .job_locations import JobLocations
from .keys import JobKeys, sorted_keys
from .models import ModelLinks
from .names import JobNames
from .paths import values_at
from .references import ReferenceResolver
from .state import ReadState
from .values import FieldValues

#: How many characters of a training job's name its Debugger rule jobs' names keep.
_RULE_JOB_NAME_KEPT = 26

#: An S3 object pattern, or a ``(bucket, s3:prefix pattern)`` listing.
_Located = TypeVar("_Located", S3ObjectPattern, tuple[str, str])


class JobNeedsReader:
    """Reads what each step's job needs from its role into the jobs' needs.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
        names: the job names of steps.
        references: evaluates values with their step references resolved.
        locations: reads (and keeps) the S3 locations of jobs.
        keys: reads the KMS keys of jobs.
        models: the Model step a job runs as.
    """

    def __init__(self, state: ReadState, values: FieldValues, names: JobNames,
                 references: ReferenceResolver, locations: JobLocations, keys: JobKeys,
                 models: ModelLinks) -> None:
        self._state = state
        self._values = values
        self._names = names
        self._references = references
        self._locations = locations
        self._keys = keys
        self._models = models
        self._images = ImageRepositories(state, values)
        self._calls = JobCalls(state, values)

    def read(
        self, name: str, step_type: StepType, spec: StepSpec, job: JobSpec, step: dict[str, Any]
    ) -> None:
        """Add the needs of one step's job to the jobs."""
        locations = self._locations
        job_names = tuple(sorted(self._names.job_names_of(
            name, step_type, step, self._references.evaluate)))
        reads: set[S3ObjectPattern] = set()
        lists: set[tuple[str, str]] = set()
        writes: set[S3ObjectPattern] = set()
        for use in job.s3:
            for field_name, value in values_at(step, use.path):
                if value is None:
                    continue
                for location in locations.locations_of(name, field_name, value, use):
                    locations.recorded.append(location)
                    locations.add_use(use.access, location, job_names, reads, lists, writes)
        reads.update(locations.manifest_objects(name))
        if job.function_arguments is not None:
            self._function_payloads(name, job.function_arguments, step, reads, writes)
        streams = {
            (f"/aws/sagemaker/{kind}", f"{job_name}/*" if step_type is not StepType.AUTOML
             else "*")
            for kind in job.kinds for job_name in job_names
        }
        side_kinds = self._side_jobs(name, job, step, job_names, reads, lists, streams)
        roles = {
            arn
            for role_field in spec.role_fields if role_field.service == SAGEMAKER
            for _, value in values_at(step, role_field.path)
            if isinstance(value, str) and _ROLE_ARN.fullmatch(value)
            for arn in (value,)
        }
        self._state.out.jobs.append(JobNeeds(
            steps=(name,),
            step_types=(step_type,),
            role_arns=tuple(sorted(roles)),
            job_names=job_names,
            reads=tuple(sorted(_uncovered(reads))),
            lists=tuple(sorted(_uncovered(lists))),
            writes=tuple(sorted(_uncovered(writes))),
            repositories=tuple(sorted(self._images.of_job(name, job, step) | set(job.pulls))),
            log_streams=tuple(sorted(streams)),
            metric_namespaces=tuple(sorted({f"/aws/sagemaker/{kind}"
                                            for kind in (*job.kinds, *side_kinds)})),
            subnets=self._ids(name, job.vpc_configs, step, "Subnets"),
            security_groups=self._ids(name, job.vpc_configs, step, "SecurityGroupIds"),
            kms_keys=sorted_keys(self._keys.named(name, job, step)
                                 | self._keys.of_inputs(name, job, step)),
            service_calls=tuple(sorted(self._calls.service_calls(
                name, job, step, job_names, self._own_roles(name, roles)))),
            runs_as_step=self._models.model_step(name, job, step),
        ))

    def _own_roles(self, name: str, literal: set[str]) -> tuple[str, ...]:
        """The roles the step's job runs as: the generated role (:data:`JOB_ROLE_ARN`, its
        own ARN) where the caller replaces the step's role, else the literal ARNs."""
        if name in self._state.replaced_role_steps:
            return (JOB_ROLE_ARN,)
        return tuple(sorted(literal))

    def _side_jobs(
        self, name: str, job: JobSpec, step: dict[str, Any], job_names: tuple[str, ...],
        reads: set[S3ObjectPattern], lists: set[tuple[str, str]], streams: set[tuple[str, str]],
    ) -> set[str]:
        """What the jobs SageMaker starts beside the step's own (Debugger rule evaluations)
        need from the same role: their log streams, the locations they read; returns their
        job kinds (metric namespaces). Their images are among the job's ``images``.

        A rule evaluation job is named after the training job, cut, then the rule
        (``tensorflow-training-2021-0-profilerreport-1623637290-2473c70b`` for a training
        job ``tensorflow-training-2021-06-14-...``: 26 characters kept, as a public
        DescribeTrainingJob response shows; AWS does not document it): its streams are
        allowed by the literal start of the job's names, cut to 26 characters.
        """
        kinds: set[str] = set()
        for side in job.side_jobs:
            if not any(value is not None for path in side.configs
                       for _, value in values_at(step, path)):
                continue
            kinds.add(side.kind)
            for job_name in job_names:
                start = job_name.split("*", 1)[0][:_RULE_JOB_NAME_KEPT]
                streams.add((f"/aws/sagemaker/{side.kind}", f"{start}*"))
            for path in side.reads:
                for field_name, value in values_at(step, path):
                    if value is None:
                        continue
                    for location in self._locations.locations_of(
                            name, field_name, value, S3Use(path, S3Access.READ_URI)):
                        self._locations.add_use(S3Access.READ_URI, location, job_names, reads,
                                                lists, set())
        return kinds

    def _function_payloads(self, name: str, path: str, step: dict[str, Any],
                           reads: set[S3ObjectPattern], writes: set[S3ObjectPattern]) -> None:
        """What a ``@step`` function's job reads and writes, from its container arguments
        (SDK v3 ``sagemaker.core.remote_function``: ``job.py`` writes them, ``StoredFunction``
        and ``invoke_function`` use them): it reads its pickled function and arguments under
        ``<s3_base_uri>/<step>/<build time>/`` and the results of the ``@step`` functions it
        takes (their ``S3OutputPath``, listed after ``--property_references``), writes its
        results under its own ``S3OutputPath`` (no job-name folder) and, when the function
        fails, the error under ``<s3_base_uri>/<execution id>/<step>/exception``."""
        for field_name, value in values_at(step, path):
            items = value if isinstance(value, list) else []
            flags = {key: items[i + 1] for i, key in enumerate(items[:-1])
                     if isinstance(key, str) and key.startswith("--")}
            base, function, build = (flags.get(key) for key in (
                "--s3_base_uri", "--pipeline_step_name", "--func_step_s3_dir"))
            if base is None:
                continue  # not a @step function's job
            if not all(isinstance(v, str) for v in (base, function, build)):
                self._state.out.notices.append(Notice(UNGRANTED_FIELD, (
                    f"step {name!r} field {field_name}: the @step function's --s3_base_uri, "
                    "--pipeline_step_name or --func_step_s3_dir is not a literal, so its "
                    "payload and results are not granted: grant them to the step's role")))
                continue
            root = f"{str(base).rstrip('/')}/{function}"
            for folder in ("function", "arguments"):
                self._add_location(name, field_name, Pattern(f"{root}/{build}/{folder}/*"),
                                   reads)
            self._add_location(name, field_name, Pattern(
                f"{str(base).rstrip('/')}/*/{function}/exception/*",
                run_time=("Execution.PipelineExecutionId",)), writes)
            outputs = [v for _, v in values_at(step, "Arguments.OutputDataConfig.S3OutputPath")]
            for output in outputs:
                for pattern in self._values.patterns(name, "OutputDataConfig.S3OutputPath",
                                                     output):
                    self._add_location(name, "OutputDataConfig.S3OutputPath", replace(
                        pattern, text=f"{pattern.text.rstrip('/')}/*"), writes)
            for item in items:
                reference = item.get("Get") if isinstance(item, dict) else None
                if isinstance(reference, str) and reference.startswith("Steps.") and \
                        reference.endswith(".OutputDataConfig.S3OutputPath"):
                    for pattern in self._values.patterns(name, field_name, item):
                        self._add_location(name, field_name, replace(
                            pattern, text=f"{pattern.text.rstrip('/')}/*"), reads)

    def _add_location(self, name: str, field_name: str, pattern: Pattern,
                      into: set[S3ObjectPattern]) -> None:
        target = self._values.s3_object(name, field_name, pattern)
        if target is not None:
            into.add(target)

    def _ids(
        self, name: str, paths: tuple[str, ...], step: dict[str, Any], key: str
    ) -> tuple[str, ...]:
        """The ids (subnets, security groups) at ``<path>.<key>[*]`` of the step."""
        found: set[str] = set()
        for path in paths:
            for field_name, value in values_at(step, f"{path}.{key}[*]"):
                for pattern in self._values.patterns(name, field_name, value):
                    if not pattern.is_literal:
                        self._values.unresolved(name, field_name, pattern)
                    found.add(pattern.text)
        return tuple(sorted(found))


def _uncovered(patterns: set[_Located]) -> set[_Located]:
    """``patterns`` (objects, or ``(bucket, s3:prefix)`` listings) without those another
    of them already covers, as IAM's ``*`` matches (a ``@step`` job writes its whole output
    path, its job-name folder under it included; a prefix ``a/*`` covers ``a/*/*``)."""
    def parts(item: _Located) -> tuple[str, str]:
        return (item.bucket, item.key_pattern) if isinstance(item, S3ObjectPattern) else item

    def covers(wide: _Located, narrow: _Located) -> bool:
        (bucket, key), (other_bucket, other_key) = parts(wide), parts(narrow)
        glob = ".*".join(re.escape(part) for part in key.split("*"))
        return (wide != narrow and bucket == other_bucket
                and re.fullmatch(glob, other_key, re.DOTALL) is not None)
    return {p for p in patterns if not any(covers(q, p) for q in patterns)}
