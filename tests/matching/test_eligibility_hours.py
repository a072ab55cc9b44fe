"""Eligibility verdicts and hour budgets: pure rules, and admins' figures with no small group."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from matching.eligibility import Facts, Rules, check
from matching.hours import Budget, match_hours_per_month, pool_small_groups, utilisation

TODAY = date(2026, 11, 23)
RULES = Rules(
    departments=("Engineering", "Data"),
    min_level=2,
    max_level=5,
    min_tenure_months=6,
    locations=("Berlin",),
)
INSIDE = Facts("engineering", "Berlin", 3, date(2026, 1, 1))


def test_someone_inside_every_rule_is_eligible() -> None:
    assert check(RULES, INSIDE, TODAY).eligible
    assert check(Rules(), Facts(), TODAY).eligible  # no rules: open to everyone


def test_each_rule_is_named_when_it_is_not_met() -> None:
    assert check(RULES, Facts("Sales", "Berlin", 3, date(2026, 1, 1)), TODAY).failed == (
        "department",
    )
    assert check(RULES, Facts("Data", "Berlin", 6, date(2026, 1, 1)), TODAY).failed == ("level",)
    assert check(RULES, Facts("Data", "Berlin", 3, date(2026, 6, 1)), TODAY).failed == ("tenure",)
    assert check(RULES, Facts("Data", "Paris", 3, date(2026, 1, 1)), TODAY).failed == ("location",)


def test_tenure_counts_whole_months() -> None:
    rules = Rules(min_tenure_months=6)
    assert check(rules, Facts(start_date=date(2026, 5, 23)), TODAY).eligible
    assert not check(rules, Facts(start_date=date(2026, 5, 24)), TODAY).eligible


def test_an_unknown_fact_fails_unless_the_form_will_ask_for_it() -> None:
    assert check(RULES, Facts(), TODAY).failed == ("department", "level", "tenure", "location")
    before_form = check(RULES, Facts(), TODAY, unknown_ok=frozenset({"department", "level"}))
    assert before_form.failed == ("tenure", "location")


def test_rules_survive_a_round_trip_and_garbage_reads_as_none() -> None:
    assert Rules.from_settings(RULES.to_settings()) == RULES
    assert Rules.from_settings({"departments": "Eng", "min_level": True}).is_open
    assert Rules.from_settings(None).is_open


def test_a_budget_counts_the_larger_of_logged_and_committed_hours() -> None:
    per_match = match_hours_per_month(60, 14)
    assert round(per_match, 2) == 2.14
    assert Budget(cap=6, logged=1, committed=4.3).places(per_match) == 0
    assert Budget(cap=6, logged=1, committed=2.1).places(per_match) == 1
    assert Budget(cap=None, logged=50).places(per_match) is None
    assert not Budget(cap=6, logged=6).fits(0.5)


def test_utilisation_is_suppressed_under_five_mentors() -> None:
    four = [Budget(cap=10, logged=5)] * 4
    assert utilisation(four).suppressed
    five = utilisation([*four, Budget(cap=10, logged=10)])
    assert not five.suppressed
    assert five.at_cap == 1
    assert five.mean_share is not None
    assert round(five.mean_share, 2) == 0.6


@given(st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 12), min_size=1))
def test_no_hidden_group_can_be_worked_out_from_the_shown_ones(sizes: dict[str, int]) -> None:
    groups = {name: [1.0] * n for name, n in sizes.items() if n}
    shown = pool_small_groups(groups)
    assert all(len(values) >= 5 for values in shown.values())
    hidden = [name for name in groups if name not in shown]
    pooled = len(shown.get("other", []))
    # whatever is not shown on its own is inside a pool of 5 or more, or nothing is shown
    assert not hidden or pooled >= 5 or not shown
