"""Everyone left out is told the true reason, and confidential rules are never named."""

from __future__ import annotations

from matching.engine import match, match_newcomer
from matching.problem import Reason
from tests.matching.helpers import person, problem


def only(result, key):  # type: ignore[no-untyped-def]
    (found,) = [u for u in result.unmatched if u.key == key]
    return found


def test_no_mentor_offers_the_goal() -> None:
    result = match(
        problem([person(1, seeks=("writing",)), person(2, "mentor", offers=(("python", 3),))])
    )
    found = only(result, 1)
    assert found.reason is Reason.NO_GOAL_FIT
    assert "Writing" in found.words


def test_no_working_time_in_common() -> None:
    result = match(
        problem(
            [
                person(1, seeks=("python",), timezone="America/New_York"),
                person(2, "mentor", offers=(("python", 3),), timezone="Asia/Tokyo"),
            ]
        )
    )
    assert only(result, 1).reason is Reason.NO_OVERLAP


def test_reporting_line_is_named_but_an_exclusion_list_is_not() -> None:
    boss = person(2, "mentor", offers=(("python", 3),))
    other = person(3, "mentor", offers=(("python", 3),))
    mentee = person(1, seeks=("python",), manager_chain=(2,), never_match=frozenset({3}))
    found = only(match(problem([mentee, boss, other])), 1)
    assert found.reason is Reason.CONSTRAINTS
    assert "reporting line" in found.words
    assert "exclusion" not in found.words
    assert "never" not in found.words


def test_past_pairs_are_not_repeated() -> None:
    people = [person(1, seeks=("python",)), person(2, "mentor", offers=(("python", 3),))]
    result = match(problem(people, past_pairs=frozenset({frozenset({1, 2})})))
    assert result.matches == ()
    assert "past pairs" in only(result, 1).words


def test_full_mentors_leave_the_rest_queued() -> None:
    people = [
        person(1, seeks=("python",)),
        person(3, seeks=("python",)),
        person(2, "mentor", offers=(("python", 3),), capacity=1),
    ]
    result = match(problem(people))
    assert len(result.matches) == 1
    left = result.unmatched[0]
    assert left.reason is Reason.ALL_TAKEN
    assert left.side == "mentee"


def test_priority_wins_a_contested_slot() -> None:
    people = [
        person(1, seeks=("python",), seniority=2),
        person(3, seeks=("python",), seniority=2, priority=True, department="Ops"),
        person(2, "mentor", offers=(("python", 3),), capacity=1, seniority=4, department="Ops"),
    ]
    assert match(problem(people)).matches[0].members == (3,)


def test_newcomer_gets_the_best_feasible_mentor_and_never_a_forbidden_one() -> None:
    people = [
        person(1, seeks=("python",), seniority=1, manager_chain=(2,)),
        person(2, "mentor", offers=(("python", 3),), seniority=3),
        person(3, "mentor", offers=(("testing", 1),), seniority=3),
        person(4, "mentor", offers=(("python", 1),), seniority=3, capacity=0),
    ]
    result = match_newcomer(problem(people), 1)
    assert [(m.mentor, m.members) for m in result.matches] == [(3, (1,))]
    alone = match_newcomer(problem(people[:2]), 1)
    assert alone.matches == ()
    assert alone.unmatched[0].reason is Reason.CONSTRAINTS


def test_newcomer_mentor_takes_the_best_waiting_mentees_up_to_capacity() -> None:
    people = [
        person(10, "mentor", offers=(("python", 3),), capacity=2, seniority=4),
        person(1, seeks=("python",), seniority=2),
        person(2, seeks=("python",), seniority=2, waiting_days=30),
        person(3, seeks=("writing",), seniority=2),
    ]
    result = match_newcomer(problem(people), 10)
    assert sorted(m.members[0] for m in result.matches) == [1, 2]


def test_without_the_goal_rule_a_mentor_outside_the_goal_area_is_used() -> None:
    people = [person(1, seeks=("writing",)), person(2, "mentor", offers=(("python", 3),))]
    assert match(problem(people)).matches == ()
    relaxed = match(problem(people, require_goal_fit=False))
    assert [(m.mentor, m.members) for m in relaxed.matches] == [(2, (1,))]
    assert relaxed.matches[0].breakdown["goal"] == 0
