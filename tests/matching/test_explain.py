"""Reasons agree with the breakdown, and the breakdown with the score."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from matching.engine import match
from matching.explain import MAX_REASONS, REASON_BAR, explain_pair
from matching.problem import COMPONENTS, Problem, Weights
from tests.matching.helpers import TAXONOMY, WEEK, person, problem, problems


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_reasons_follow_the_breakdown(prob: Problem) -> None:
    result = match(prob)
    weights = prob.config.weights.normalised()
    by_key = {p.key: p for p in prob.participants}
    for m in result.matches:
        assert m.score == pytest.approx(sum(weights[c] * m.breakdown[c] for c in COMPONENTS))
        assert all(0 <= m.breakdown[c] <= 1 for c in COMPONENTS)
        assert m.mentor is not None
        pairs = explain_pair(
            by_key[m.members[0]], by_key[m.mentor], m.breakdown, weights, TAXONOMY, WEEK
        )
        assert tuple(words for _, words in pairs) == m.reasons
        assert len(m.reasons) <= MAX_REASONS
        named = [component for component, _ in pairs]
        for component in named:
            assert m.breakdown[component] >= REASON_BAR[component] - 1e-9
        contributions = [weights[c] * m.breakdown[c] for c in named]
        assert contributions == sorted(contributions, reverse=True)


def test_a_typical_pair_is_explained_in_words() -> None:
    mentee = person(
        1,
        seeks=("system-design",),
        seniority=2,
        department="Eng",
        timezone="America/New_York",
        languages=("en",),
    )
    mentor = person(
        2,
        "mentor",
        offers=(("system-design", 3),),
        seniority=4,
        department="Sales",
        timezone="Europe/London",
        languages=("en", "de"),
        name="Priya",
    )
    result = match(problem([mentee, mentor]))
    assert len(result.matches) == 1
    reasons = result.matches[0].reasons
    assert reasons[0] == "P1 wants System design; Priya offers it"
    assert "4 h a day in common" in reasons  # the week of 11 March 2024
    assert "Priya is 2 levels more senior" in reasons
    assert "different departments (Eng and Sales)" in reasons


def test_a_zero_weight_component_is_never_given_as_a_reason() -> None:
    mentee = person(1, seeks=("python",), department="Eng")
    mentor = person(2, "mentor", offers=(("python", 2),), department="Sales")
    result = match(problem([mentee, mentor], weights=Weights(department=0.0)))
    assert not any("department" in r for r in result.matches[0].reasons)


def test_same_cluster_goals_earn_partial_credit_and_say_so() -> None:
    mentee = person(1, seeks=("testing",))
    exact = person(2, "mentor", offers=(("testing", 3),))
    near = person(3, "mentor", offers=(("python", 3),))
    result = match(problem([mentee, exact, near]))
    assert result.matches[0].mentor == 2
    alone = match(problem([mentee, near]))
    assert alone.matches[0].breakdown["goal"] == pytest.approx(0.5)
    assert "in the same area (engineering)" in alone.matches[0].reasons[0]
