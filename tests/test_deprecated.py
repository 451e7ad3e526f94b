"""Old public module paths keep working for one release, with a DeprecationWarning."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from sm_pipeline_iam import _deprecated


@pytest.mark.parametrize("old", sorted(_deprecated.MOVED_MODULES))
def test_a_moved_module_still_imports_with_a_warning(old: str) -> None:
    new = importlib.import_module(_deprecated.MOVED_MODULES[old])
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=old.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert module is new


@pytest.mark.parametrize(
    ("package", "name"),
    [("sm_pipeline_iam.core.definition", "read_definition"),
     ("sm_pipeline_iam.core.job_roles", "plan_job_roles")],
)
def test_a_name_of_a_module_that_became_a_package_is_forwarded(package: str, name: str) -> None:
    target = importlib.import_module(_deprecated.MOVED_PACKAGE_NAMES[package])
    with pytest.warns(DeprecationWarning, match=name):
        value = getattr(importlib.import_module(package), name)
    assert value is getattr(target, name)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        importlib.import_module("sm_pipeline_iam.core.definition").no_such_name  # noqa: B018



# --- renamed keyword arguments, deprecated members, names moved out of a module ------------


DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"


def _stack() -> Any:
    import aws_cdk as cdk

    return cdk.Stack(cdk.App(), "Stack",
                     env=cdk.Environment(account="111122223333", region="us-east-1"))


@pytest.mark.parametrize("name", sorted(_deprecated.MOVED_NAMES))
def test_a_name_moved_out_of_a_module_is_forwarded_with_a_warning(name: str) -> None:
    module, _, attribute = name.rpartition(".")
    new_module, _, new_name = _deprecated.MOVED_NAMES[name].rpartition(".")
    with pytest.warns(DeprecationWarning, match=re.escape(name)):
        value = getattr(importlib.import_module(module), attribute)
    assert value is getattr(importlib.import_module(new_module), new_name)


def test_a_name_never_in_pipeline_role_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        importlib.import_module("sm_pipeline_iam.cdk.pipeline_role").no_such_name  # noqa: B018


@pytest.mark.parametrize("construct", sorted(_deprecated.RENAMED_KWARGS))
def test_every_renamed_keyword_names_a_keyword_of_its_construct(construct: str) -> None:
    """GIVEN the registry WHEN each construct's signature is read THEN it takes every new
    name and none of the old ones (those only through the renaming)."""
    import sm_pipeline_iam

    parameters = inspect.signature(getattr(sm_pipeline_iam, construct).__init__).parameters
    for old, new in _deprecated.RENAMED_KWARGS[construct].items():
        assert new in parameters and old not in parameters


def test_per_step_of_pipeline_job_roles_still_works_with_a_warning() -> None:
    """GIVEN PipelineJobRoles(per_step=False), the old spelling of per_step_roles WHEN made
    THEN it warns, pointing at the caller, and makes the one shared role."""
    from sm_pipeline_iam import PipelineJobRoles

    stack = _stack()
    with pytest.warns(DeprecationWarning, match=r"PipelineJobRoles\(per_step=\.\.\.\) is "
                      r"deprecated: use per_step_roles=") as warned:
        job_roles = PipelineJobRoles(stack, "JobRoles",
                                     definition=DEFINITIONS / "training_eval_register.json",
                                     per_step=False)
    assert {role.node.path for role in job_roles.roles.values()} == {"Stack/JobRoles/Shared"}
    assert [w.filename for w in warned if "per_step" in str(w.message)] == [__file__]


def test_an_old_and_its_new_spelling_together_are_a_type_error() -> None:
    from sm_pipeline_iam import PipelineJobRoles

    with pytest.raises(TypeError, match="both per_step= and per_step_roles="):
        PipelineJobRoles(_stack(), "JobRoles",
                         definition=DEFINITIONS / "training_eval_register.json",
                         per_step=False, per_step_roles=False)


def test_job_prefix_of_least_privilege_pipeline_still_checks_with_a_warning() -> None:
    """GIVEN LeastPrivilegePipeline(job_prefix='fraud'), the old spelling of
    required_job_prefix, and a step whose job falls outside it WHEN made THEN it warns and
    still refuses that step, naming the new prop."""
    from sm_pipeline_iam import InvalidPropsError, LeastPrivilegePipeline

    with (pytest.warns(DeprecationWarning, match="use required_job_prefix="),
          pytest.raises(InvalidPropsError, match="step TrainModel") as raised):
        LeastPrivilegePipeline(
            _stack(), "Pipeline", pipeline_name="fraud", job_prefix="fraud",
            definition=DEFINITIONS / "training_eval_register_prefixed.json")
    assert {p.prop for p in raised.value.problems} == {"required_job_prefix"}


@pytest.mark.parametrize("construct", ["PipelineExecutionRole", "PrefixedStepRole"])
def test_the_role_property_still_returns_the_construct_with_a_warning(construct: str) -> None:
    from sm_pipeline_iam import PipelineExecutionRole, PrefixedStepRole

    stack = _stack()
    role = (PipelineExecutionRole(stack, "Role", step_types=["Training"])
            if construct == "PipelineExecutionRole" else
            PrefixedStepRole(stack, "Role", job_prefix="rsch", step_types=["Training"]))
    with pytest.warns(DeprecationWarning, match=r"PipelineRoleBase\.role is deprecated"):
        assert role.role is role


def test_the_readme_names_every_renamed_keyword_and_member() -> None:
    """GIVEN the registry WHEN the README's upgrading table is read THEN every renamed
    keyword (old and new) and deprecated member is in it."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("## Upgrading: names that changed", 1)[1].split("\n## ", 1)[0]
    for construct, renames in _deprecated.RENAMED_KWARGS.items():
        for old, new in renames.items():
            assert f"{construct}({old}=...)" in table and f"`{new}=...`" in table
    for member in _deprecated.DEPRECATED_MEMBERS:
        assert member.split(".")[1] in table
