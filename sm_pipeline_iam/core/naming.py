"""Job names and job prefixes: validation and the name patterns that IAM matches.

SageMaker Pipelines names a step's job ``pipelines-<executionId>-<stepNamePrefix>-...`` by
default, or ``<prefix>-<executionId>-...`` when the pipeline turns on
``PipelineDefinitionConfig(use_custom_job_prefix=True)`` and the step carries a prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .catalog.schema import StepType
from .catalog.steps import spec_for
from .errors import Problem

#: The create APIs' name rule (botocore): letters, digits and inner hyphens.
JOB_NAME_PATTERN = "[a-zA-Z0-9](-*[a-zA-Z0-9])*"
_JOB_NAME = re.compile(JOB_NAME_PATTERN)

#: The static start of every job name when the custom prefix is off.
DEFAULT_PREFIX = "pipelines"

#: The pattern that user-named resources get when no prefix narrows them.
ANY_NAME = "*"


def prefix_problems(
    prefix: str, step_types: Iterable[StepType], *, prop: str = "job_prefix"
) -> list[Problem]:
    """Every reason ``prefix`` cannot prefix the jobs of ``step_types``.

    Each message names the prop, the bad value, the allowed form and the fix.
    """
    problems: list[Problem] = []
    if any(char in prefix for char in "*?"):
        problems.append(Problem(
            prop,
            "wildcard",
            f"{prop} {prefix!r} contains a wildcard: IAM would match other prefixes' jobs; "
            "give the literal prefix the pipeline puts in its job names (e.g. 'team-a')",
        ))
    elif not _JOB_NAME.fullmatch(prefix):
        problems.append(Problem(
            prop,
            "invalidJobNamePrefix",
            f"{prop} {prefix!r} is not a valid job-name prefix: use letters, digits and "
            f"hyphens, starting and ending with a letter or digit ({JOB_NAME_PATTERN})",
        ))
    for step_type in sorted(set(step_types), key=lambda s: s.value):
        limit = spec_for(step_type).max_prefix_length
        if limit is not None and len(prefix) > limit:
            fitting = prefix[:limit].rstrip("-")
            problems.append(Problem(
                prop,
                "prefixTooLong",
                f"{prop} {prefix!r} is {len(prefix)} characters, longer than the {limit} that "
                f"{step_type.value} steps allow: shorten it to at most {limit} characters "
                f"(e.g. {fitting!r})",
            ))
    return problems


def is_mixed_case(prefix: str) -> bool:
    """True when IAM would see a different ARN if SageMaker lower-cased the name."""
    return prefix.lower() != prefix


def prefix_patterns(prefix: str) -> tuple[str, ...]:
    """The name patterns of jobs named with ``prefix``.

    IAM matches ARNs case-sensitively and it is unconfirmed whether SageMaker lower-cases
    names inside job ARNs, so a mixed-case prefix yields both spellings: either answer is
    then safe.
    """
    patterns = [f"{prefix}-*"]
    if is_mixed_case(prefix):
        patterns.append(f"{prefix.lower()}-*")
    return tuple(patterns)


#: The SDK's framework and algorithm image repositories that do not start with
#: ``sagemaker-``: a job without ``base_job_name`` is named after its image's repository
#: (SDK ``base_name_from_image`` in ``sagemaker/core/common_utils.py``; the repositories
#: are the ``repository`` values of ``sagemaker/core/image_uri_config/*.json``).
_IMAGE_NAMES = (
    "autogluon-inference", "autogluon-training", "blazingtext", "detailed-profiler-processing",
    "djl-inference", "factorization-machines", "forecasting-deepar", "huggingface-llamacpp",
    "huggingface-pytorch-inference", "huggingface-pytorch-tgi-inference",
    "huggingface-pytorch-training", "huggingface-pytorch-trcomp-training",
    "huggingface-sglang", "huggingface-tensorflow-inference",
    "huggingface-tensorflow-training", "huggingface-tensorflow-trcomp-training",
    "huggingface-vllm", "image-classification", "ipinsights", "kmeans", "knn", "lda",
    "linear-learner", "mxnet-inference", "mxnet-training", "ntm", "object-detection",
    "object2vec", "pca", "pytorch-inference", "pytorch-training", "pytorch-trcomp-training",
    "randomcutforest", "semantic-segmentation", "seq2seq", "smdistributed-modelparallel",
    "stabilityai-pytorch-inference", "tei", "tei-cpu", "tensorflow-inference",
    "tensorflow-training", "xgboost", "xgboost-neo",
)

#: Every name start that SageMaker or the SageMaker Python SDK gives jobs of its own, with
#: where it comes from. A prefix whose ``<prefix>-*`` matches such names (or whose names
#: such a start matches) would put the jobs of every pipeline and team that keep the
#: default into one team's hands.
RESERVED_PREFIXES: dict[str, str] = {
    DEFAULT_PREFIX: "SageMaker Pipelines names every job 'pipelines-<executionId>-...' "
                    "without the custom prefix (AWS page 'Customize access management')",
    "sagemaker": "the SDK names jobs after its own images: sagemaker-scikit-learn, "
                 "sagemaker-xgboost, sagemaker-clarify-processing, "
                 "sagemaker-model-monitor-analyzer, ... (base_name_from_image)",
    "clarify-job": "ClarifyCheckStep always names its job 'clarify-job' (SDK "
                   "workflow/clarify_check_step.py)",
    "baseline-job": "QualityCheckStep always names its job 'baseline-job' (SDK "
                    "workflow/quality_check_step.py)",
    "baseline-suggestion-job": "ModelMonitor.suggest_baseline's default job name (SDK "
                               "model_monitor/model_monitoring.py)",
    "clarify-pretraining-bias": "SageMakerClarifyProcessor's default job name (SDK clarify)",
    "clarify-posttraining-bias": "SageMakerClarifyProcessor's default job name (SDK clarify)",
    "clarify-bias": "SageMakerClarifyProcessor's default job name (SDK clarify)",
    "clarify-explainability": "SageMakerClarifyProcessor's default job name (SDK clarify)",
    "clarify-bias-and-explainability": "SageMakerClarifyProcessor's default job name "
                                       "(SDK clarify)",
    "tuning": "the SDK's default tuning job name for a ModelTrainer (SDK train/tuner.py)",
    "transform-job": "the SDK's default transform job name when the image is a pipeline "
                     "variable (SDK core/transformer.py)",
    "framework-processor": "FrameworkProcessor's default job name (SDK processing.py)",
    "compilation": "the SDK's default compilation job name, 'compilation-<base>' (SDK "
                   "estimator.py)",
    **{name: f"the SDK names jobs of the {name!r} image after it (base_name_from_image)"
       for name in _IMAGE_NAMES},
}


def prefixes_overlap(first: str, second: str) -> bool:
    """True when names made with one prefix can be the other's: the prefixes are equal
    ignoring case (a mixed-case prefix also allows its lower-case spelling), or one is the
    other followed by a hyphen (``rsch-*`` matches ``rsch-a-...``)."""
    a, b = first.lower(), second.lower()
    return a == b or a.startswith(f"{b}-") or b.startswith(f"{a}-")


def reserved_by(prefix: str) -> list[tuple[str, str]]:
    """The reserved starts (with their reasons) whose names overlap ``prefix``'s."""
    return [(start, why) for start, why in RESERVED_PREFIXES.items()
            if prefixes_overlap(prefix, start)]


def reserved_problems(prefix: str, *, prop: str = "job_prefix") -> list[Problem]:
    """One ``reservedPrefix`` problem when ``prefix`` overlaps reserved starts, naming each
    with its reason."""
    found = reserved_by(prefix)
    if not found:
        return []
    starts = "; ".join(f"'{start}-...' ({why})" for start, why in found)
    return [Problem(
        prop, "reservedPrefix",
        f"{prop} {prefix!r} is reserved: '{prefix}-*' overlaps the names SageMaker or the "
        f"SDK give jobs of their own, {starts}; these are the jobs of every pipeline and "
        "team that keeps the default, so choose a prefix that neither equals such a start "
        "(any case) nor starts with one followed by a hyphen, nor is one's start followed "
        "by a hyphen (e.g. 'rsch')",
    )]


def default_patterns() -> tuple[str, ...]:
    """The name pattern of jobs under the default naming (custom prefix off)."""
    return (f"{DEFAULT_PREFIX}-*",)
