"""The 1:1 solver is exact: against an integer program, and by brute force on tiny rounds."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from scipy.optimize import Bounds, LinearConstraint, milp

from matching.constraints import forbidden_pairs
from matching.engine import match
from matching.problem import Problem
from matching.scoring import SCALE, build_features, objective_weights, score_pairs
from matching.solve_bipartite import solve_dense, solve_flow
from tests.matching.helpers import problems

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def all_edges(problem: Problem) -> tuple[list[tuple[int, int]], np.ndarray, dict[int, int]]:
    """Every allowed (mentee key, mentor key) edge and its integer weight."""
    f = build_features(problem.participants, problem.taxonomy, problem.config)
    forbidden = forbidden_pairs(f.people, problem.config)
    mentees = [i for i, p in enumerate(f.people) if p.role in ("mentee", "both")]
    mentors = [j for j, p in enumerate(f.people) if p.role in ("mentor", "both") and p.capacity]
    grid = list(itertools.product(mentees, mentors))
    if not grid:
        return [], np.zeros(0, dtype=np.int64), {}
    a = np.array([g[0] for g in grid], dtype=np.int64)
    b = np.array([g[1] for g in grid], dtype=np.int64)
    scores = score_pairs(f, a, b)
    keep = scores.feasible & ~forbidden.pair_mask(a, b)
    weights = objective_weights(f, a[keep], scores.score[keep])
    edges = [(f.people[x].key, f.people[y].key) for x, y in zip(a[keep], b[keep], strict=True)]
    return edges, weights, {p.key: p.capacity for p in f.people}


def achieved(problem: Problem) -> tuple[int, int]:
    result = match(problem)
    by_key = {p.key: p for p in problem.participants}
    total = 0
    for m in result.matches:
        bonus = SCALE if by_key[m.members[0]].priority else 0
        total += round(m.score * SCALE) + bonus
    return len(result.matches), total


def wide(problem: Problem) -> Problem:
    """The round as the integer program below states it: no load-spreading cost."""
    return replace(
        problem,
        config=replace(
            problem.config, candidates_per_seeker=64, candidates_per_mentor=64, load_spread=0.0
        ),
    )


@FAST
@given(problems(max_mentees=10, max_mentors=6))
def test_matches_the_integer_program(problem: Problem) -> None:
    edges, weights, capacity = all_edges(problem)
    count, total = achieved(wide(problem))
    if not edges:
        assert count == 0
        return
    mentees = sorted({e[0] for e in edges})
    mentors = sorted({e[1] for e in edges})
    rows = np.zeros((len(mentees) + len(mentors), len(edges)))
    for col, (x, y) in enumerate(edges):
        rows[mentees.index(x), col] = 1
        rows[len(mentees) + mentors.index(y), col] = 1
    upper = [1] * len(mentees) + [capacity[y] for y in mentors]
    big = 10 * SCALE * (len(mentees) + 1)
    gain = big + weights.astype(float)
    best = milp(
        -gain,
        constraints=LinearConstraint(rows, 0, upper),
        integrality=np.ones(len(edges)),
        bounds=Bounds(0, 1),
    )
    assert best.success
    chosen = best.x > 0.5
    assert count == int(chosen.sum())
    assert total == int(weights[chosen].sum())
    # The LP relaxation of this problem is integral: no fractional optimum does better.
    relaxed = milp(-gain, constraints=LinearConstraint(rows, 0, upper), bounds=Bounds(0, 1))
    assert -relaxed.fun <= -best.fun + 1e-6


@FAST
@given(problems(max_mentees=4, max_mentors=3))
def test_matches_brute_force(problem: Problem) -> None:
    edges, weights, capacity = all_edges(problem)
    mentees = sorted({p.key for p in problem.participants if p.role == "mentee"})
    options = {m: [None] + [e for e, (x, _) in enumerate(edges) if x == m] for m in mentees}
    best = (0, 0)
    for pick in itertools.product(*options.values()):
        used = [edges[e][1] for e in pick if e is not None]
        if any(used.count(y) > capacity[y] for y in set(used)):
            continue
        value = (len(used), sum(int(weights[e]) for e in pick if e is not None))
        best = max(best, value)
    assert achieved(wide(problem)) == best


@FAST
@given(problems(max_mentees=10, max_mentors=6))
def test_flow_and_dense_assignment_agree(problem: Problem) -> None:
    edges, weights, capacity = all_edges(problem)
    if not edges:
        return
    a = np.array([x for x, _ in edges], dtype=np.int64)
    b = np.array([y for _, y in edges], dtype=np.int64)
    cap = np.zeros(max(capacity) + 1, dtype=np.int64)
    for key, value in capacity.items():
        cap[key] = value
    flow, dense = solve_flow(a, b, weights, cap), solve_dense(a, b, weights, cap)
    assert (flow.sum(), weights[flow].sum()) == (dense.sum(), weights[dense].sum())


def test_cardinality_comes_before_score() -> None:
    # One mentor, two mentees: the flow must not trade a placement for a better score.
    a = np.array([1, 2, 2], dtype=np.int64)
    b = np.array([10, 10, 11], dtype=np.int64)
    w = np.array([900, 1000, 1], dtype=np.int64)
    cap = np.zeros(12, dtype=np.int64)
    cap[10] = cap[11] = 1
    chosen = solve_flow(a, b, w, cap)
    assert chosen.tolist() == [True, False, True]
