"""Rewriting a definition's role fields (core.rewrite): every field the catalog names."""

from __future__ import annotations

import json
from pathlib import Path

from sm_pipeline_iam.core.definition.reader import read_definition
from sm_pipeline_iam.core.definition.rewrite import role_slots, with_roles

DEFINITIONS = Path(__file__).parent / "fixtures" / "definitions"
NEW = "arn:aws:iam::111122223333:role/Generated"


def _definition(name: str) -> dict[str, object]:
    return json.loads((DEFINITIONS / f"{name}.json").read_text())  # type: ignore[no-any-return]


def test_every_role_the_reader_passes_is_a_slot() -> None:
    """GIVEN each SDK fixture WHEN its role slots are listed THEN they hold exactly the roles
    the reader says the execution role passes (same ARNs, same services)."""
    for path in sorted(DEFINITIONS.glob("*.json")):
        definition = json.loads(path.read_text())
        slots = {(s.value, s.service) for s in role_slots(definition)
                 if isinstance(s.value, str) and s.value.startswith("arn:")}
        passed = {(t.role_arn, t.service)
                  for t in read_definition(definition).requirements.pass_roles
                  if t.role_arn.startswith("arn:aws:")}
        assert slots == passed, path.stem


def test_rewritten_definitions_name_only_the_chosen_roles() -> None:
    """GIVEN every SageMaker role slot rewritten WHEN read again THEN the only roles passed
    to SageMaker are the new ones; others (EMR) are kept; the input is not changed."""
    for name in ("training_eval_register", "tuning_transform_foreach", "integrations",
                 "other_steps"):
        definition = _definition(name)
        before = json.dumps(definition, sort_keys=True)
        rewritten = with_roles(definition, lambda slot: NEW if slot.service.startswith(
            "sagemaker") else None)
        assert json.dumps(definition, sort_keys=True) == before
        targets = read_definition(rewritten).requirements.pass_roles
        assert {t.role_arn for t in targets if t.service.startswith("sagemaker")} <= {NEW}
        assert {t.role_arn for t in targets if not t.service.startswith("sagemaker")} == {
            t.role_arn for t in read_definition(definition).requirements.pass_roles
            if not t.service.startswith("sagemaker")
        }


def test_multi_algorithm_tuning_slots_are_rewritten_one_by_one() -> None:
    """GIVEN two training job definitions WHEN rewritten per field THEN each gets its own."""
    definition = {"Steps": [{"Name": "Tune", "Type": "Tuning", "Arguments": {
        "TrainingJobDefinitions": [{"RoleArn": "arn:aws:iam::1:role/a"},
                                   {"RoleArn": "arn:aws:iam::1:role/b"}]}}]}
    rewritten = with_roles(definition, lambda slot: f"new-{slot.field}")
    defs = rewritten["Steps"][0]["Arguments"]["TrainingJobDefinitions"]  # type: ignore[index]
    assert [d["RoleArn"] for d in defs] == [
        "new-TrainingJobDefinitions[0].RoleArn", "new-TrainingJobDefinitions[1].RoleArn"]
