"""Fairness audit and skill coverage of a round."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from matching.coverage import coverage
from matching.engine import match
from matching.fairness import audit
from tests.matching.helpers import TAXONOMY, person, problem


def test_small_segments_are_suppressed_and_low_rates_flagged() -> None:
    people = [
        person(
            k,
            seeks=("python",),
            waiting_days=float(k),
            segments=MappingProxyType({"location": "Paris" if k <= 6 else "Lima"}),
        )
        for k in range(1, 11)
    ]
    scores = dict.fromkeys((1, 2, 3, 4, 5, 6), 0.8)  # every Paris mentee placed, no Lima one
    result = audit(people, scores, {}, margin=0.1, min_group=5)
    rows = {(r.attribute, r.value): r for r in result.rows}
    assert result.overall_match_rate == pytest.approx(0.6)
    paris = rows[("location", "Paris")]
    assert (paris.people, paris.matched, paris.flagged) == (6, 6, False)
    assert paris.mean_score == pytest.approx(0.8)
    assert paris.mean_waiting_days == pytest.approx(3.5)
    assert ("location", "Lima") not in rows  # 4 people: never shown
    assert result.suppressed["location"] == 1


def test_a_segment_below_the_margin_is_flagged() -> None:
    people = [
        person(k, segments=MappingProxyType({"team": "a" if k <= 5 else "b"})) for k in range(1, 16)
    ]
    scores = dict.fromkeys(range(6, 16), 0.5)  # team a: 0 of 5, team b: 10 of 10
    rows = {r.value: r for r in audit(people, scores, {}).rows if r.attribute == "team"}
    assert rows["a"].flagged
    assert not rows["b"].flagged


def test_mentor_load_spread_is_reported() -> None:
    mentors = [person(k, "mentor", capacity=3) for k in (1, 2, 3)]
    load = audit([], {}, {1: 3, 2: 1}, mentors).load
    assert load is not None
    assert (load.min, load.max, load.unused_slots) == (0, 3, 5)


def test_coverage_counts_demand_supply_and_suggests_recruiting() -> None:
    seekers = [person(k, seeks=("writing", "python")) for k in range(1, 7)]
    mentors = [person(10, "mentor", offers=(("python", 2),), capacity=2)]
    report = coverage(seekers, mentors, unmatched={3, 4, 5, 6}, taxonomy=TAXONOMY)
    skills = {g.slug: g for g in report.skills}
    assert (skills["writing"].demand, skills["writing"].slots, skills["writing"].ratio) == (
        6,
        0,
        None,
    )
    assert (skills["python"].demand, skills["python"].slots, skills["python"].unmet) == (6, 2, 4)
    clusters = {c.cluster: c for c in report.clusters}
    assert clusters["communication"].mentors == 0
    assert report.suggestions[0].startswith("Recruit mentors for Writing")


def test_a_round_carries_its_reports() -> None:
    people = [person(k, seeks=("python",)) for k in range(1, 8)]
    people.append(person(20, "mentor", offers=(("python", 3),), capacity=2))
    result = match(problem(people))
    assert result.fairness.overall_match_rate == pytest.approx(2 / 7)
    assert result.fairness.load is not None
    assert result.fairness.load.max == 2
    assert any(g.slug == "python" and g.unmet == 5 for g in result.coverage.skills)
