"""StackSet targets, template limits and organization consistency, as plain data."""

from __future__ import annotations

import pytest

from sm_pipeline_iam.core.organization.stackset import (
    TEMPLATE_BODY_LIMIT,
    consistency_problems,
    fits_template_body,
    hard_coded_accounts,
    organization_roots,
    target_problems,
    template_problems,
    template_text,
)


def test_well_formed_targets_have_no_problem() -> None:
    """GIVEN OU ids and regions WHEN checked THEN no problem."""
    assert target_problems(["ou-ab12-cdefgh34"], ["us-east-1", "us-gov-west-1"]) == []


@pytest.mark.parametrize(
    ("ou_ids", "regions", "prop", "code", "message"),
    [
        ([], ["us-east-1"], "ou_ids", "empty", "ou_ids is empty"),
        (["ou-ab12-cdefgh34"], [], "regions", "empty", "regions is empty"),
        (["r-ab12"], ["us-east-1"], "ou_ids", "notAnOuId", "ou_ids 'r-ab12' is not an OU id"),
        (["ou-ab12-cdefgh34"], ["useast1"], "regions", "notARegion",
         "regions 'useast1' is not a region name"),
        (["ou-ab12-cdefgh34"], ["us-east-1", "us-east-1"], "regions", "duplicate",
         "regions lists us-east-1 more"),
    ],
)
def test_malformed_targets_are_named(
    ou_ids: list[str], regions: list[str], prop: str, code: str, message: str
) -> None:
    """GIVEN a bad OU or region WHEN checked THEN the problem names it."""
    (problem,) = target_problems(ou_ids, regions)
    assert (problem.prop, problem.code) == (prop, code)
    assert message in problem.message


def test_template_size_decides_body_or_url_and_refuses_over_1_mb() -> None:
    """GIVEN templates of growing size WHEN measured THEN body, URL, then an error."""
    small = template_text({"Resources": {}})
    assert fits_template_body(small) and template_problems(small) == []
    assert not fits_template_body("x" * (TEMPLATE_BODY_LIMIT + 1))
    (problem,) = template_problems("x" * 1_048_577)
    assert (problem.prop, problem.code) == ("template", "templateTooLarge")
    assert problem.message.startswith("the workload template is 1,048,577 bytes, over")


def test_organization_roots_come_from_ou_and_root_ids() -> None:
    """GIVEN OU, root and account ids WHEN read THEN the roots of the first two."""
    assert organization_roots(["ou-ab12-cdefgh34", "r-cd34", "111122223333"]) == {"ab12", "cd34"}


def test_the_scp_and_the_stackset_must_share_the_organization() -> None:
    """GIVEN OUs of different roots WHEN compared THEN a problem; same root or accounts: none."""
    assert consistency_problems(["ou-ab12-cdefgh34"], ["ou-ab12-zzzzzzzz"]) == []
    assert consistency_problems(["111122223333"], ["ou-ab12-zzzzzzzz"]) == []
    (problem,) = consistency_problems(["r-zz99"], ["ou-ab12-zzzzzzzz"])
    assert (problem.prop, problem.code) == ("stackset_ou_ids", "differentOrganizations")
    assert "targets organization root(s) zz99 but the StackSet targets ab12" in problem.message


def test_hard_coded_accounts_are_found() -> None:
    """GIVEN a template naming an account WHEN searched THEN that account."""
    assert hard_coded_accounts('{"a": "arn:aws:iam::111122223333:role/x"}',
                               ["111122223333", "444455556666"]) == ["111122223333"]
