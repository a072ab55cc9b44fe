"""The round preview's counts: people matched are people, not seats."""

from __future__ import annotations

from matching.engine import match
from matching.summary import round_stats
from tests.matching.helpers import person, problem


def test_a_mentor_of_two_mentees_is_one_person_matched() -> None:
    people = [
        person(1, "mentor", offers=(("python", 3),), capacity=2, seniority=6),
        person(2, "mentee", seeks=("python",), seniority=2),
        person(3, "mentee", seeks=("python",), seniority=2),
    ]
    stats = round_stats(match(problem(people)))
    assert stats["matches"] == 2
    assert stats["matched_people"] == 3  # the preview once said 4 of 3 eligible
    assert stats["matched_people"] <= stats["participants"]
