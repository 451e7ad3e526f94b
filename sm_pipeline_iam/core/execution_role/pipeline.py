"""One deployed pipeline: the checks of its name and job prefix, and the statements
behind a pipeline construct's grants. No CDK import.

The actions and their resource types are those of the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html):
pipeline-level actions take ``pipeline/<name>``, execution-level ones
``pipeline/<name>/execution/<id>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import naming
from ..catalog.schema import ResourceScope, StepType
from ..catalog.steps import CATALOG
from ..definition.results import JobScope
from ..errors import Problem
from .policy import ArnEnvironment, Statement

#: SageMaker's pattern and length for pipeline names (CreatePipeline's PipelineName).
PIPELINE_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}")

PIPELINE_ARN = "arn:{partition}:sagemaker:{region}:{account}:pipeline/{name}"
EXECUTION_ARN = PIPELINE_ARN + "/execution/*"

#: Run the pipeline: start, stop and retry its executions, and follow them.
START_ON_PIPELINE = (
    "sagemaker:DescribePipeline",
    "sagemaker:ListPipelineExecutions",
    "sagemaker:StartPipelineExecution",
)
START_ON_EXECUTIONS = (
    "sagemaker:DescribePipelineExecution",
    "sagemaker:ListPipelineExecutionSteps",
    "sagemaker:ListPipelineParametersForExecution",
    "sagemaker:RetryPipelineExecution",
    "sagemaker:StopPipelineExecution",
)

#: Look at the pipeline and its executions, change nothing.
READ_ON_PIPELINE = (
    "sagemaker:DescribePipeline",
    "sagemaker:ListPipelineExecutions",
    "sagemaker:ListPipelineVersions",
    "sagemaker:ListTags",
)
READ_ON_EXECUTIONS = (
    "sagemaker:DescribePipelineDefinitionForExecution",
    "sagemaker:DescribePipelineExecution",
    "sagemaker:ListPipelineExecutionSteps",
    "sagemaker:ListPipelineParametersForExecution",
)

#: Change the pipeline's definition, role and settings (the caller also passes its role).
UPDATE_ON_PIPELINE = (
    "sagemaker:DescribePipeline",
    "sagemaker:UpdatePipeline",
)


def pipeline_name_problems(name: object, prop: str = "pipeline_name") -> list[Problem]:
    """Why ``name`` cannot name a SageMaker pipeline (empty when it can)."""
    if not isinstance(name, str):
        return [Problem(prop, "notAString",
                        f"{prop} is {name!r}: give the pipeline's name as a string")]
    if not PIPELINE_NAME.fullmatch(name):
        return [Problem(
            prop, "invalidPipelineName",
            f"{prop} {name!r} is not a SageMaker pipeline name: 1 to 256 letters, digits "
            "and hyphens, starting and ending with a letter or digit",
        )]
    return []


def job_prefix_problems(job_prefix: str, scopes: Iterable[JobScope], *,
                        prop: str = "job_prefix") -> list[Problem]:
    """Why the definition's jobs are not all named ``<job_prefix>-...``: one problem per
    step whose job names (as the reader found them) can fall outside the prefix, e.g. a
    step whose job the SDK names by default although the custom prefix is on. ``prop``
    names the prop that gave the prefix."""
    scopes = tuple(scopes)
    problems = naming.prefix_problems(job_prefix, {scope.step_type for scope in scopes},
                                      prop=prop)
    problems += naming.reserved_problems(job_prefix, prop=prop)
    if problems:
        return problems
    starts = (f"{job_prefix}-", f"{job_prefix.lower()}-")
    for scope in scopes:
        if scope.resource not in _job_resources(scope.step_type):
            continue
        outside = [p for p in scope.patterns if not p.startswith(starts)]
        if outside:
            problems.append(Problem(
                prop, "outsidePrefix",
                f"step {scope.step}: its {scope.resource} names ({', '.join(outside)}) do "
                f"not start with {starts[0]!r}: name the step's job with the prefix (and "
                "turn on PipelineDefinitionConfig(use_custom_job_prefix=True)), or leave "
                f"{prop} out",
            ))
    return problems


def _job_resources(step_type: StepType) -> set[str]:
    """The SageMaker resource types that ``step_type`` names after its job name."""
    return {
        group.arn_template.rsplit(":", 1)[1].split("/", 1)[0]
        for group in CATALOG[step_type].action_groups
        if group.scope is ResourceScope.JOB_NAME
    }


def name_patterns(name: str) -> tuple[str, ...]:
    """The spellings of the pipeline's name in ARNs: as given and, when mixed-case, in
    lower case, since IAM compares ARNs case-sensitively (see ``naming.prefix_patterns``)."""
    return (name, name.lower()) if naming.is_mixed_case(name) else (name,)


def pipeline_arns(name: str, env: ArnEnvironment) -> tuple[str, ...]:
    """The ARNs of the pipeline ``name``."""
    return tuple(_format(PIPELINE_ARN, spelling, env) for spelling in name_patterns(name))


def execution_arns(name: str, env: ArnEnvironment) -> tuple[str, ...]:
    """The ARN patterns of the executions of the pipeline ``name``."""
    return tuple(_format(EXECUTION_ARN, spelling, env) for spelling in name_patterns(name))


def start_statements(name: str, env: ArnEnvironment) -> tuple[Statement, ...]:
    """Start, stop, retry and follow the executions of the pipeline ``name`` only."""
    return (
        Statement("StartPipeline", START_ON_PIPELINE, pipeline_arns(name, env)),
        Statement("RunPipelineExecutions", START_ON_EXECUTIONS, execution_arns(name, env),
                  wildcard_reason="the executions of this pipeline, whose ids SageMaker "
                  "assigns at start"),
    )


def read_statements(name: str, env: ArnEnvironment) -> tuple[Statement, ...]:
    """Describe and list the pipeline ``name`` and its executions, nothing else."""
    return (
        Statement("ReadPipeline", READ_ON_PIPELINE, pipeline_arns(name, env)),
        Statement("ReadPipelineExecutions", READ_ON_EXECUTIONS, execution_arns(name, env),
                  wildcard_reason="the executions of this pipeline, whose ids SageMaker "
                  "assigns at start"),
    )


def update_statements(name: str, env: ArnEnvironment) -> tuple[Statement, ...]:
    """Update the pipeline ``name`` (its role is passed separately, to SageMaker only)."""
    return (Statement("UpdatePipeline", UPDATE_ON_PIPELINE, pipeline_arns(name, env)),)


def _format(template: str, name: str, env: ArnEnvironment) -> str:
    return template.format(partition=env.partition, region=env.region, account=env.account,
                           name=name)
