"""Peers: everyone paired, in a trio, or told why. Circles: sizes and shared goal areas."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from matching.engine import match
from matching.problem import Problem, Reason
from matching.solve_peers import pair_up, split_component
from tests.matching.helpers import TAXONOMY, person, problem, problems
from tests.matching.test_properties import allowed

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(problems(max_mentees=9, max_mentors=4, fmt="peer"))
def test_no_peer_is_dropped_silently(prob: Problem) -> None:
    result = match(prob)
    by_key = {p.key: p for p in prob.participants}
    placed = [k for m in result.matches for k in m.members]
    assert len(placed) == len(set(placed))
    told = {u.key for u in result.unmatched}
    assert set(placed) | told == set(by_key)
    assert not set(placed) & told
    for m in result.matches:
        assert m.mentor is None
        assert len(m.members) in (2, 3)
        if len(m.members) == 2:
            assert allowed(prob, by_key[m.members[0]], by_key[m.members[1]])
    assert len(result.matches) - sum(len(m.members) == 3 for m in result.matches) <= (
        result.stats.pairs_bound or 0
    )


def test_an_odd_pool_puts_the_last_person_in_a_trio_or_first_in_line() -> None:
    people = [person(k, "peer", seeks=("python",), offers=(("python", 2),)) for k in (1, 2, 3)]
    with_trios = match(problem(people, format="peer"))
    assert [len(m.members) for m in with_trios.matches] == [3]
    without = match(problem(people, format="peer", allow_trios=False))
    assert len(without.matches) == 1
    (odd,) = without.unmatched
    assert odd.reason is Reason.ODD_ONE_OUT
    assert odd.first_in_line
    assert "first in line" in odd.words


def test_pairing_splits_cycles_exactly() -> None:
    weights = {(0, 1): 5, (1, 2): 9, (2, 3): 5, (3, 0): 1}

    def weight(a: int, b: int) -> int:
        return weights.get((a, b), weights.get((b, a), 0))

    assert sorted(split_component([0, 1, 2, 3], True, weight)) == [(0, 1), (2, 3)]
    assert len(split_component([0, 1, 2, 3, 4], True, weight)) == 2


def test_pair_up_finds_a_perfect_pairing_when_one_exists() -> None:
    # A path 0-1-2-3-4-5 where greedy on the heaviest edge (1-2, 2-3) would strand people.
    a = np.array([0, 1, 2, 3, 4], dtype=np.int64)
    b = np.array([1, 2, 3, 4, 5], dtype=np.int64)
    w = np.array([10, 50, 50, 10, 10], dtype=np.int64)
    pairing = pair_up(a, b, w)
    assert sorted(pairing.pairs) == [(0, 1), (2, 3), (4, 5)]
    assert pairing.bound == 3


@FAST
@given(problems(max_mentees=12, max_mentors=4, fmt="circle", circle_min=2, circle_max=3))
def test_circles_respect_sizes_and_share_a_goal_area(prob: Problem) -> None:
    result = match(prob)
    by_key = {p.key: p for p in prob.participants}
    hosts = [m.mentor for m in result.matches]
    assert len(hosts) == len(set(hosts))
    placed = [k for m in result.matches for k in m.members]
    assert len(placed) == len(set(placed))
    for m in result.matches:
        assert m.mentor is not None
        mentor = by_key[m.mentor]
        assert 2 <= len(m.members) <= min(3, mentor.capacity)
        offered = {TAXONOMY.cluster(s) for s, _ in mentor.offers}
        wanted = [{TAXONOMY.cluster(s) for s in by_key[k].seeks} for k in m.members]
        with_goals = [w for w in wanted if w]
        if with_goals:
            assert set.intersection(offered, *with_goals)
        for k in m.members:
            assert allowed(prob, by_key[k], mentor)
    mentees = {p.key for p in prob.participants if p.role == "mentee"}
    told = {u.key for u in result.unmatched if u.side == "mentee"}
    assert set(placed) | told == mentees


def test_a_lone_mentee_cannot_form_a_circle() -> None:
    people = [
        person(1, seeks=("python",)),
        person(2, "mentor", offers=(("python", 2),), capacity=4),
    ]
    result = match(problem(people, format="circle", circle_min=2))
    assert result.matches == ()
    assert {u.reason for u in result.unmatched} == {Reason.CIRCLE_TOO_SMALL}
