"""Every SDK class and argument the team's guidance names exists in the installed SDK v3.

The catalog's ``prefix_argument`` and ``sdk_prefix_caveat`` strings, ``usage_text`` and the
README's ``PrefixedStepRole`` section tell a team where its prefix goes, as
``Class(arg=...)`` or ``Class.method(arg=...)``. Each class must import from its SDK v3
module (:data:`SDK_MODULES`) and take the keyword argument (``inspect.signature``; a
``**kwargs`` handed up the class chain counts when a base class takes the argument). The
SDK is imported here, never by the library.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sm_pipeline_iam.core.catalog.schema import StepType
from sm_pipeline_iam.core.catalog.steps import CATALOG
from sm_pipeline_iam.core.team import PREFIX_SWITCH, usage_text
from support.step_types import documented

README = Path(__file__).resolve().parent.parent / "README.md"

# The SDK's own import shims warn about its module moves.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: Where SDK v3 (sagemaker 3.27) defines each class or function the guidance names.
SDK_MODULES = {
    "PipelineDefinitionConfig": "sagemaker.core.workflow.pipeline_definition_config",
    "Processor": "sagemaker.core.processing",
    "ScriptProcessor": "sagemaker.core.processing",
    "FrameworkProcessor": "sagemaker.core.processing",
    "Transformer": "sagemaker.core.transformer",
    "ModelTrainer": "sagemaker.train.model_trainer",
    "HyperparameterTuner": "sagemaker.train.tuner",
    "MultiTurnRLTrainer": "sagemaker.train.multi_turn_rl_trainer",
    "ModelBuilder": "sagemaker.serve.model_builder",
    "CheckJobConfig": "sagemaker.mlops.workflow.check_job_config",
    "NotebookJobStep": "sagemaker.mlops.workflow.notebook_job_step",
    # The @step decorator of function steps.
    "step": "sagemaker.mlops.workflow.function_step",
}

#: Step types whose ``prefix_argument`` names no SDK call, and why.
NO_SDK_CALL = documented("no_sdk_call")

#: ``Name(arg=value)`` or ``Name.method(arg=value)``: one keyword argument.
_CALL = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?\(([A-Za-z_]\w*)=[^(),]*\)")

#: SDK v2 spellings that SDK v3 does not have (the issue that this file answers).
V2_ONLY = (
    "Estimator",
    "Model(name=",
    "model.register(",
    "AutoML(base_job_name=",
    "transform_base_job_name",
    "tuning_base_job_name",
)


def _readme_section() -> str:
    text = README.read_text()
    start = text.index("\n## `PrefixedStepRole`\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _readme_guidance() -> str:
    """The section without its Python example (which calls this library, not the SDK)."""
    return re.sub(r"```python\n.*?```", "", _readme_section(), flags=re.DOTALL)


def _catalog_texts() -> dict[str, str]:
    texts = {}
    for step_type, spec in CATALOG.items():
        if spec.prefix_argument:
            texts[f"{step_type.value}.prefix_argument"] = spec.prefix_argument
        if spec.sdk_prefix_caveat:
            texts[f"{step_type.value}.sdk_prefix_caveat"] = spec.sdk_prefix_caveat
    return texts


def _guidance_texts() -> dict[str, str]:
    """Every text that names SDK calls: where it comes from -> the text."""
    return {
        **_catalog_texts(),
        "PREFIX_SWITCH": PREFIX_SWITCH,
        "usage_text": usage_text("rsch", list(StepType)),
        "README": _readme_guidance(),
    }


def _named_calls() -> dict[tuple[str, str | None, str], list[str]]:
    """(name, method, argument) -> the texts that name it."""
    calls: dict[tuple[str, str | None, str], list[str]] = {}
    for source, text in _guidance_texts().items():
        for match in _CALL.finditer(text):
            calls.setdefault((match[1], match[2], match[3]), []).append(source)
    return calls


def _call_id(call: tuple[str, str | None, str]) -> str:
    name, method, argument = call
    return f"{name}.{method}({argument})" if method else f"{name}({argument})"


@pytest.fixture(scope="module", autouse=True)
def _sdk_region() -> Iterator[None]:
    """The SDK makes a boto3 client when imported (``sagemaker.ai_registry``), which needs a
    region; nothing calls AWS."""
    with pytest.MonkeyPatch.context() as patch:
        if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")):
            patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        yield


def _takes(target: Any, argument: str) -> bool:
    """True when ``target`` takes the keyword ``argument``, directly or through ``**kwargs``
    that a class hands to a base class which takes it."""
    parameters = inspect.signature(target).parameters
    if argument in parameters:
        return True
    if not inspect.isclass(target):
        return False
    forwards = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    for base in target.__mro__[1:]:
        if not forwards or base is object:
            return False
        if "__init__" not in vars(base):
            continue
        parameters = inspect.signature(base.__init__).parameters
        if argument in parameters:
            return True
        forwards = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    return False


def _problem(name: str, method: str | None, argument: str) -> str | None:
    """What is wrong with ``name[.method](argument=...)`` in the installed SDK, or None."""
    module_name = SDK_MODULES.get(name)
    if module_name is None:
        return f"{name}: no SDK v3 module known for it (add it to SDK_MODULES if the SDK has it)"
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        return f"{name}: {module_name} does not import: {error}"
    target = getattr(module, name, None)
    if target is None:
        return f"{name} is not in {module_name}"
    if method is not None:
        target = getattr(target, method, None)
        if not callable(target):
            return f"{name} has no method {method}"
    if not _takes(target, argument):
        where = f"{name}.{method}" if method else name
        return f"{where} takes no argument {argument!r}"
    return None


@pytest.mark.parametrize(
    "step_type",
    [s for s, spec in CATALOG.items() if spec.prefix_argument],
    ids=lambda s: s.value,
)
def test_each_prefix_argument_is_one_sdk_call_or_says_why_not(step_type: StepType) -> None:
    """GIVEN a job step's prefix_argument WHEN parsed THEN exactly one Class(arg=...) or
    Class.method(arg=...), unless the SDK offers none (and then it names no call)."""
    argument = CATALOG[step_type].prefix_argument
    assert argument is not None
    if step_type in NO_SDK_CALL:
        assert _CALL.search(argument) is None, argument
    else:
        assert _CALL.fullmatch(argument), argument


@pytest.mark.parametrize("call", list(_named_calls()), ids=_call_id)
def test_each_named_call_exists_in_the_installed_sdk(call: tuple[str, str | None, str]) -> None:
    """GIVEN a class and argument named by the catalog, usage() or the README WHEN looked up
    in the installed SDK THEN the class imports from its v3 module and takes the argument."""
    problem = _problem(*call)
    assert problem is None, f"{problem} (named in {', '.join(_named_calls()[call])})"


def test_the_guidance_names_the_calls_of_every_sdk_job_step() -> None:
    """GIVEN all texts WHEN parsed THEN the calls of each job step and the switch are found
    (the parser misses none of them)."""
    found = {_call_id(call) for call in _named_calls()}
    expected = {
        "PipelineDefinitionConfig(use_custom_job_prefix)",
        "Processor(base_job_name)",
        "ModelTrainer(base_job_name)",
        "HyperparameterTuner(base_tuning_job_name)",
        "Transformer(base_transform_job_name)",
        "ModelBuilder.build(model_name)",
        "ModelBuilder.register(model_package_name)",
        "CheckJobConfig(base_job_name)",
        "MultiTurnRLTrainer(base_job_name)",
    }
    assert expected <= found, expected - found


@pytest.mark.parametrize(
    "call",
    [
        ("Estimator", None, "base_job_name"),
        ("Model", None, "name"),
        ("Transformer", None, "transform_base_job_name"),
        ("HyperparameterTuner", None, "tuning_base_job_name"),
        ("ModelBuilder", "fit", "model_name"),
        ("ModelBuilder", "build", "name"),
    ],
    ids=_call_id,
)
def test_wrong_names_are_caught(call: tuple[str, str | None, str]) -> None:
    """GIVEN SDK v2 or misspelled names WHEN looked up THEN each is a problem."""
    assert _problem(*call) is not None


@pytest.mark.parametrize("source", list(_guidance_texts()))
def test_no_sdk_v2_spelling_is_left(source: str) -> None:
    """GIVEN each guidance text WHEN read THEN none of the v2 names SDK v3 lacks."""
    text = _guidance_texts()[source]
    assert [name for name in V2_ONLY if name in text] == []


def test_the_sdk_cannot_build_automl_steps() -> None:
    """GIVEN the installed SDK WHEN AutoML is looked for THEN no AutoML module, and
    AutoMLStep fails on the Session.auto_ml it checks step_args against; once the SDK can,
    the catalog's AutoML prefix_argument must name the call."""
    assert StepType.AUTOML in NO_SDK_CALL
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("sagemaker.automl")
    from sagemaker.core.helper.session_helper import Session
    from sagemaker.mlops.workflow.automl_step import AutoMLStep

    assert not hasattr(Session, "auto_ml")
    with pytest.raises(AttributeError, match="auto_ml"):
        AutoMLStep(name="AutoML", step_args=None)  # type: ignore[arg-type]


def test_the_readme_shows_what_usage_prints() -> None:
    """GIVEN the README's example WHEN usage() is asked for the same prefix and step types
    THEN the README shows exactly its output."""
    section = _readme_section()
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    shown = re.search(r"`usage\(\)` tells the team what to do:\n\n```\n(.*?)\n```", section,
                      re.DOTALL)
    assert example and shown
    prefix = re.search(r'job_prefix="([^"]+)"', example[1])
    step_types = re.search(r"step_types=(\[[^\]]*\])", example[1])
    assert prefix and step_types
    chosen = [StepType.parse(s) for s in ast.literal_eval(step_types[1])]
    assert shown[1] == usage_text(prefix[1], chosen)


def test_the_readme_names_the_installed_sdk_version() -> None:
    """GIVEN the README's 'sagemaker X.Y' WHEN compared with the installed SDK THEN the same
    release: the caveats describe SDK behaviour that a new release must be checked for."""
    versions = set(re.findall(r"sagemaker (\d+\.\d+)", _readme_section()))
    installed = ".".join(importlib.metadata.version("sagemaker").split(".")[:2])
    assert versions == {installed}
