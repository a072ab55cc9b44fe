"""Reverse mentoring in the engine: juniors preferred, or juniors only as a hard rule."""

from __future__ import annotations

from hypothesis import given, settings

from matching.constraints import JUNIOR_RULE, forbidden_pairs, junior_rule_pairs
from matching.engine import match, match_newcomer
from matching.problem import Problem, Reason
from tests.matching.helpers import person, problem, problems


def _people() -> list:
    # a senior leader who wants to learn Python; a junior and a senior engineer offer it
    return [
        person(1, "mentee", seeks=("python",), seniority=6, name="Lee Leader"),
        person(2, "mentor", offers=(("python", 3),), seniority=2, name="Jo Junior"),
        person(3, "mentor", offers=(("python", 3),), seniority=7, name="Sam Senior"),
    ]


def test_a_reverse_program_prefers_the_junior_mentor_and_says_why() -> None:
    result = match(problem(_people(), reverse=True))
    assert [(m.mentor, m.members) for m in result.matches] == [(2, (1,))]
    reasons = result.matches[0].reasons
    assert any(r == "Jo Junior is 4 levels more junior: reverse mentoring" for r in reasons), (
        reasons
    )


def test_without_reverse_the_senior_mentor_wins() -> None:
    result = match(problem(_people()))
    assert [(m.mentor, m.members) for m in result.matches] == [(3, (1,))]


def test_the_strict_rule_never_gives_a_mentee_a_mentor_who_is_not_junior() -> None:
    # only the senior mentor is left: "may" still pairs them, "must" refuses with a reason
    people = [p for p in _people() if p.key != 2]
    may = match(problem(people, reverse=True))
    assert [(m.mentor, m.members) for m in may.matches] == [(3, (1,))]
    must = match(problem(people, reverse=True, junior_mentors_only=True))
    assert must.matches == ()
    left = {u.key: u for u in must.unmatched}
    assert left[1].reason is Reason.CONSTRAINTS
    assert "mentors must be junior to their mentees" in left[1].words


def test_same_level_is_not_junior_enough() -> None:
    people = [
        person(1, "mentee", seeks=("python",), seniority=4),
        person(2, "mentor", offers=(("python", 3),), seniority=4),
    ]
    assert match(problem(people, reverse=True, junior_mentors_only=True)).matches == ()
    assert match_newcomer(problem(people, reverse=True, junior_mentors_only=True), 1).matches == ()


def test_the_rule_is_directed_for_people_who_are_both() -> None:
    # A (level 2) may guide B (level 5), never the other way round
    people = [
        person(1, "both", seeks=("python",), offers=(("python", 3),), seniority=2),
        person(2, "both", seeks=("python",), offers=(("python", 3),), seniority=5),
    ]
    banned = {tuple(map(int, pair)) for pair in junior_rule_pairs(tuple(people))}
    assert banned == {(0, 1)}  # seeker index 0 (level 2) may not have giver index 1 (level 5)
    result = match(problem(people, reverse=True, junior_mentors_only=True))
    assert [(m.mentor, m.members) for m in result.matches] == [(1, (2,))]


@settings(max_examples=60, deadline=None)
@given(problems(max_mentees=6, max_mentors=5, reverse=True, junior_mentors_only=True))
def test_no_strict_reverse_match_ever_has_a_mentor_at_or_above_the_mentee(p: Problem) -> None:
    level = {x.key: x.seniority for x in p.participants}
    for m in match(p).matches:
        assert m.mentor is not None
        assert all(level[m.mentor] < level[key] for key in m.members)


def test_other_rules_keep_their_bits_when_the_junior_rule_is_merged() -> None:
    people = [
        person(1, "mentee", seeks=("python",), seniority=6, never_match=frozenset({3})),
        person(2, "mentor", offers=(("python", 3),), seniority=2),
        person(3, "mentor", offers=(("python", 3),), seniority=7),
    ]
    p = problem(people, reverse=True, junior_mentors_only=True)
    forbidden = forbidden_pairs(p.participants, p.config)
    assert forbidden.kinds_between(0, 2) & JUNIOR_RULE
    assert forbidden.kinds_between(0, 2) & 2  # never-match stays
    assert not forbidden.is_forbidden(0, 1)
