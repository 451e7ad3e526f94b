"""The create APIs' request fields: the packaged list is the SageMaker service model's."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from sm_pipeline_iam.core.catalog.api_fields import api_fields, unknown_fields
from sm_pipeline_iam.core.catalog.steps import CATALOG
from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.notices import UNKNOWN_ARGUMENT


@pytest.fixture(scope="module")
def model() -> Any:
    """The installed botocore's SageMaker service model (loaded when a test needs it, not
    while the suite is collected)."""
    return botocore.session.get_session().get_service_model("sagemaker")


def test_every_catalog_api_is_listed() -> None:
    """GIVEN the catalog WHEN its create APIs are collected THEN each has a field list."""
    apis = {api for spec in CATALOG.values() for api in spec.create_apis}
    assert apis and apis <= set(api_fields())


@pytest.mark.parametrize("api", sorted(api_fields()))
def test_the_fields_are_the_service_models(api: str, model: Any) -> None:
    """GIVEN the installed botocore's SageMaker model WHEN an API's request is read THEN its
    top-level members are exactly the packaged ones."""
    assert api_fields()[api] == frozenset(model.operation_model(api).input_shape.members)


def test_a_misspelled_key_is_named_with_the_field_it_may_mean() -> None:
    """GIVEN ProcessingOutputs WHEN checked against CreateProcessingJob THEN it is unknown and
    ProcessingOutputConfig is suggested; a known key is not reported."""
    assert unknown_fields(["CreateProcessingJob"], ["ProcessingOutputs", "RoleArn"]) == [
        ("ProcessingOutputs", "ProcessingOutputConfig")
    ]


def test_a_step_with_an_unknown_key_warns() -> None:
    """GIVEN a Processing step with a misspelled key WHEN read THEN an unknownArgument notice
    names the step and the key."""
    definition = {"Version": "2020-12-01", "Steps": [{
        "Name": "Prepare", "Type": "Processing", "Arguments": {"ProcessingOutputs": {}},
    }]}
    notices = read_definition(definition).requirements.notices
    (notice,) = [n for n in notices if n.id == UNKNOWN_ARGUMENT]
    assert "'Prepare' field ProcessingOutputs" in notice.message
    assert "ProcessingOutputConfig" in notice.message
