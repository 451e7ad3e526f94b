"""The ECR repositories a step's job pulls its images from, as repository ARNs from the
image URIs its fields hold (``<account>.dkr.ecr.<region>.amazonaws.com/<repository>``,
with a tag or digest).

Sources: the AWS page "Docker Registry Paths and Example Code"
(https://docs.aws.amazon.com/sagemaker/latest/dg-ecr-paths/sagemaker-algo-docker-registry-paths.html)
for the URI form, and "Adapt your training job to access images in a private Docker
registry" for images outside ECR, which the job reaches through its VPC.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..arns import IMAGE_URI as _IMAGE_URI
from ..catalog.automl import AUTOML_IMAGES, AUTOML_REPOSITORIES
from ..catalog.schema import JobSpec
from ..execution_role.policy import PLACEHOLDERS
from ..notices import NOT_AN_ECR_IMAGE, RUN_TIME_VALUE, Notice
from .expressions import Pattern
from .paths import values_at
from .state import ReadState
from .values import FieldValues, one_star

#: An image URI from a step property, with run-time parts: account, region, repository.
_RUN_TIME_IMAGE = re.compile(
    r"(\d{12}|\*)\.dkr\.ecr\.([a-z0-9-]+|\$\{AWS::Region\})\.amazonaws\.com(?:\.cn)?/"
    r"([a-z0-9._/*-]+?)(?::[\w.*-]+|@sha256:[0-9a-f]{64})?"
)


class ImageRepositories:
    """Reads the ECR repositories of steps' jobs.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
    """

    def __init__(self, state: ReadState, values: FieldValues) -> None:
        self._state = state
        self._values = values

    def of_job(self, name: str, job: JobSpec, step: dict[str, Any]) -> set[str]:
        """The repository ARNs of the images a step's job fields name."""
        found: set[str] = set()
        for path in job.images:
            for field_name, value in values_at(step, path):
                if value is None:
                    continue
                for pattern in self._values.patterns(name, field_name, value):
                    repository = self._repository(name, field_name, pattern)
                    if repository is not None:
                        found.add(repository)
        return found

    def _repository(self, name: str, field_name: str, pattern: Pattern) -> str | None:
        """The ECR repository ARN of an image URI; None for a literal that is no ECR image
        URI, which the job cannot pull from ECR with its role (AWS pages "Docker Registry
        Paths and Example Code" for the URI form, "Adapt your training job to access images
        in a private Docker registry" for images outside ECR, reached through the VPC)."""
        notices = self._state.out.notices
        if pattern.text == AUTOML_IMAGES:
            # A best candidate's image: one of the AutoML images, in its region's registries.
            notices.append(Notice(RUN_TIME_VALUE, (
                f"step {name!r} field {field_name}: {', '.join(pattern.run_time)} is known "
                "only while the pipeline runs, so the policy allows the AutoML images' "
                "repositories in the registries AWS lists for the region")))
            return AUTOML_REPOSITORIES
        match = _IMAGE_URI.fullmatch(pattern.text) if pattern.is_literal else None
        run_time = None if match or pattern.unbound else _RUN_TIME_IMAGE.fullmatch(
            pattern.text)
        if run_time is not None:
            # A step property (an AutoML best candidate's image): its registry account and
            # repository are known only while the pipeline runs, its region is the job's.
            self._values.run_time(name, field_name, pattern)
            account, region, repository = run_time.groups()
            return (f"arn:{PLACEHOLDERS.partition}:ecr:{region}:{account}:repository/"
                    f"{one_star(repository)}")
        if pattern.is_literal and match is None:
            notices.append(Notice(
                NOT_AN_ECR_IMAGE,
                f"step {name!r} field {field_name}: {pattern.text!r} is not an ECR image URI "
                "(<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@sha256:"
                "digest]), so the job cannot pull it from ECR with its role and no ECR "
                "repository is granted for it: give the image's ECR URI, or, for an image in "
                "a private Docker registry that the job reaches through its VPC "
                "(RepositoryAccessMode Vpc), acknowledge this warning",
            ))
            return None
        if match is None:
            arn = f"arn:{PLACEHOLDERS.partition}:ecr:*:*:repository/*"
            self._values.unresolved(name, field_name, replace(pattern, text=arn))
            return arn
        account, region, suffix, repository = match.groups()
        partition = "aws-cn" if suffix.endswith(".cn") else PLACEHOLDERS.partition
        return f"arn:{partition}:ecr:{region}:{account}:repository/{repository}"
