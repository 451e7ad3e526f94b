"""The S3 objects that ``Std:JsonGet`` reads when the pipeline runs, for the execution role:
an object named by its ``S3Uri``, or the property file (``PropertyFile``) a Processing
step writes under one of its outputs (AWS page "Pass Data Between Steps", property files
and JsonGet,
https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-propertyfile.html).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from .expressions import Pattern
from .paths import values_at
from .scan import objects
from .state import ReadState
from .values import FieldValues


class JsonGetReads:
    """Reads the objects steps' ``Std:JsonGet`` calls read into the requirements.

    Args:
        state: the reading in progress.
        values: reads the fields' values.
    """

    def __init__(self, state: ReadState, values: FieldValues) -> None:
        self._state = state
        self._values = values

    def read(self, name: str, step: dict[str, Any]) -> None:
        """The objects each ``Std:JsonGet`` of one step reads (not those of the steps
        nested in it, read on their own)."""
        for json_get in _json_get_calls(step):
            if "S3Uri" in json_get:
                if not self._values.wildcard_free(name, "Std:JsonGet.S3Uri",
                                                  json_get["S3Uri"]):
                    continue
                for pattern in self._values.patterns(name, "Std:JsonGet.S3Uri",
                                                     json_get["S3Uri"]):
                    self._json_get_object(name, "Std:JsonGet.S3Uri", pattern)
            elif "PropertyFile" in json_get:
                self._property_file(name, json_get["PropertyFile"])
            else:
                self._state.problem(
                    f"{name}.Std:JsonGet", "missing",
                    f"step {name!r} field Std:JsonGet has neither S3Uri nor PropertyFile"
                )

    def _property_file(self, name: str, reference: Any) -> None:
        problem = self._state.problem
        field_name = "Std:JsonGet.PropertyFile"
        target = reference.get("Get") if isinstance(reference, dict) else None
        parts = target.split(".") if isinstance(target, str) else []
        if len(parts) != 4 or parts[0] != "Steps" or parts[2] != "PropertyFiles":
            problem(
                f"{name}.{field_name}", "notAPropertyFile",
                f"step {name!r} field {field_name}: {reference!r} is not "
                "{'Get': 'Steps.<step>.PropertyFiles.<file>'}"
            )
            return
        producer = self._state.by_name.get(parts[1])
        files = {f.get("PropertyFileName"): f for f in objects(
            producer.get("PropertyFiles") if producer else [])}
        property_file = files.get(parts[3])
        if producer is None or property_file is None:
            problem(
                f"{name}.{field_name}", "unknownPropertyFile",
                f"step {name!r} field {field_name}: no step {parts[1]!r} with property file "
                f"{parts[3]!r}"
            )
            return
        outputs = {
            o.get("OutputName"): o
            for _, o in values_at(producer, "Arguments.ProcessingOutputConfig.Outputs[*]")
            if isinstance(o, dict)
        }
        output = outputs.get(property_file.get("OutputName"), {}).get("S3Output")
        if not isinstance(output, dict) or "S3Uri" not in output:
            problem(
                f"{parts[1]}.PropertyFiles", "noOutputs",
                f"step {parts[1]!r} field PropertyFiles: output "
                f"{property_file.get('OutputName')!r} has no S3Output.S3Uri"
            )
            return
        file_path = str(property_file.get("FilePath", "")).lstrip("/")
        for pattern in self._values.patterns(parts[1], "ProcessingOutputConfig",
                                             output["S3Uri"]):
            location = replace(pattern, text=f"{pattern.text.rstrip('/')}/{file_path}")
            self._json_get_object(name, field_name, location)

    def _json_get_object(self, name: str, field_name: str, pattern: Pattern) -> None:
        target = self._values.s3_object(name, field_name, pattern)
        if target is not None:
            self._state.out.json_get.add(target)


def _json_get_calls(value: Any) -> Iterator[dict[str, Any]]:
    """Every Std:JsonGet in ``value``, not descending into nested steps (read on their own)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Std:JsonGet" and isinstance(item, dict):
                yield item
            elif key not in ("IfSteps", "ElseSteps", "ForEachBody"):
                yield from _json_get_calls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_get_calls(item)
