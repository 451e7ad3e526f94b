"""The warning registry: every id the library emits, listed once, and on the generated page
docs/warnings.md that the README links to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sm_pipeline_iam.core import notices
from sm_pipeline_iam.core.notices import BY_ID, ID_PREFIX, REGISTRY, describe
from sm_pipeline_iam.review import warnings_page

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sm_pipeline_iam"
README = ROOT / "README.md"
WARNINGS_PAGE = ROOT / "docs" / "warnings.md"

#: A warning id as written anywhere: the prefix, then a camelCase name.
_ID = re.compile(re.escape(ID_PREFIX) + r"[A-Za-z][A-Za-z0-9]*")

#: The registry's constants: NAME -> id.
CONSTANTS = {
    name: value
    for name, value in vars(notices).items()
    if name.isupper() and isinstance(value, str) and _ID.fullmatch(value)
}


def test_registry_ids_are_unique_well_formed_and_explained() -> None:
    """GIVEN the registry WHEN read THEN unique camelCase ids, each with meaning and action."""
    ids = [kind.id for kind in REGISTRY]
    assert len(ids) == len(set(ids))
    assert set(BY_ID) == set(ids)
    for kind in REGISTRY:
        assert _ID.fullmatch(kind.id), kind.id
        assert kind.meaning and kind.what_to_do, kind.id
        assert "\n" not in kind.meaning + kind.what_to_do, kind.id


def test_every_constant_is_registered_and_every_registered_id_has_a_constant() -> None:
    """GIVEN the module's id constants WHEN compared THEN they are exactly the registry."""
    assert sorted(CONSTANTS.values()) == sorted(kind.id for kind in REGISTRY)


def test_describe_knows_each_id_and_refuses_others() -> None:
    """GIVEN an id WHEN described THEN its entry; an unknown id is a KeyError."""
    assert describe(notices.MIXED_CASE_PREFIX).id == "sm-pipeline-iam:mixedCaseJobPrefix"
    with pytest.raises(KeyError):
        describe("sm-pipeline-iam:noSuchWarning")


def test_the_warnings_page_lists_exactly_the_registry() -> None:
    """GIVEN the committed docs/warnings.md WHEN its table is read THEN one row per
    registered id, no more, no fewer."""
    rows = re.findall(r"^\| `(" + _ID.pattern + r")` \|", WARNINGS_PAGE.read_text(),
                      re.MULTILINE)
    assert len(rows) == len(set(rows)), rows
    assert sorted(rows) == sorted(kind.id for kind in REGISTRY)


def test_the_committed_warnings_page_is_the_generated_one() -> None:
    """GIVEN the registry WHEN the page is generated THEN it is the committed
    docs/warnings.md byte for byte (regenerate: python -m
    sm_pipeline_iam.review.warnings_page)."""
    assert WARNINGS_PAGE.read_text() == warnings_page.render()


def test_the_page_check_fails_on_a_stale_page(tmp_path: Path) -> None:
    """GIVEN a page that differs from the registry WHEN checked THEN exit 1 and nothing
    written; once generated, the check passes."""
    page = tmp_path / "warnings.md"
    page.write_text("# Warnings\n")
    assert warnings_page.main([str(page), "--check"]) == 1
    assert page.read_text() == "# Warnings\n"
    assert warnings_page.main([str(page)]) == 0
    assert warnings_page.main([str(page), "--check"]) == 0


def test_every_row_of_the_page_is_one_line_per_id() -> None:
    """GIVEN a registered text with a '|' (an image URI's tag or digest) WHEN rendered THEN
    the pipe is escaped, so each row keeps its three cells."""
    for line in warnings_page.render().splitlines():
        if line.startswith("| `sm-pipeline-iam:"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 4, line


def test_the_readme_links_to_the_warnings_page() -> None:
    """GIVEN the README WHEN read THEN it links to the generated page (the ids live there)."""
    assert "(docs/warnings.md)" in README.read_text()


def test_every_id_in_the_package_source_is_registered() -> None:
    """GIVEN every module of the package WHEN searched for 'sm-pipeline-iam:<id>' THEN each
    id found is in the registry (a new warning cannot skip it)."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for warning_id in _ID.findall(path.read_text()):
            found.setdefault(warning_id, []).append(path.relative_to(ROOT).as_posix())
    unregistered = {i: where for i, where in found.items() if i not in BY_ID}
    assert found, "the search found no id at all: the pattern is broken"
    assert unregistered == {}


def test_every_registered_id_is_used_outside_the_registry() -> None:
    """GIVEN each registered id WHEN the other modules are searched THEN one names it (its
    constant or its text): the registry lists no warning that is never emitted."""
    sources = "\n".join(
        path.read_text()
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "core" / "notices.py"
    )
    unused = [
        name
        for name, value in CONSTANTS.items()
        if value not in sources and not re.search(rf"\b{name}\b", sources)
    ]
    assert unused == []


def _informational_ids() -> set[str]:
    return {kind.id.removeprefix(ID_PREFIX) for kind in REGISTRY if kind.informational}


def test_the_readme_names_exactly_the_informational_warnings() -> None:
    """GIVEN the registry's informational kinds WHEN the README says which they are THEN the
    same ids, so a reader knows which warnings do not fail explain."""
    sentence = next(
        line for line in README.read_text().splitlines() if "are informational" in line
    )
    named = set(re.findall(r"`(\w+)`", sentence))
    assert named == _informational_ids()


def test_the_warnings_page_names_exactly_the_informational_warnings() -> None:
    """GIVEN the registry's informational kinds WHEN the page lists them THEN the same ids."""
    line = next(
        line for line in WARNINGS_PAGE.read_text().splitlines()
        if line.startswith("Informational: ")
    )
    assert set(re.findall(r"`(\w+)`", line)) == _informational_ids()
