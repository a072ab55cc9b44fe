"""The exact optimum of the engine's own objective on the full feasible graph, and greedy's.

Independent of the engine's reservoir and pricing: every feasible (mentee, mentor) pair is
enumerated (person by person, or type by type where look-alikes merge), weighted with the
engine's objective (placements first, then the integer score plus priority bonus, less the
load-spreading cost of each extra mentee), and solved as one min-cost flow. Greedy takes the
heaviest pair first on the same graph. Both refuse graphs too big for memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.candidates import FLOOR, Types, _groups, giver_types, seeker_types
from matching.constraints import forbidden_pairs
from matching.engine import GIVER_ROLES, SEEKER_ROLES
from matching.exact import tier_table
from matching.problem import Problem, Result
from matching.scoring import (
    SCALE,
    block_scores,
    build_features,
    column_tables,
    objective_weights,
    score_pairs,
)
from matching.solve_bipartite import transport

I64 = npt.NDArray[np.int64]
MAX_ARCS = 40_000_000


@dataclass(frozen=True)
class Figures:
    placed: int
    objective: int  # integer weights (SCALE per score point, priority bonus) less load cost
    score: float
    seconds: float
    arcs: int


@dataclass(frozen=True)
class _Graph:
    r: I64
    c: I64
    w: I64
    score: npt.NDArray[np.float64]
    supply: I64
    tier_caps: I64
    tier_costs: I64


def _graph(problem: Problem, by_type: bool) -> _Graph | None:
    config = problem.config
    f = build_features(problem.participants, problem.taxonomy, config)
    forbidden = forbidden_pairs(f.people, config)
    roles = np.array([p.role for p in f.people])
    capacity = np.array([p.capacity for p in f.people], dtype=np.int64)
    seekers = np.flatnonzero(np.isin(roles, SEEKER_ROLES))
    givers = np.flatnonzero(np.isin(roles, GIVER_ROLES) & (capacity > 0))
    rows, cols = seeker_types(f, forbidden, seekers), giver_types(f, forbidden, givers)
    if not by_type:  # one type per person: the graph of people, nothing merged
        rows = _singletons(f.n, seekers)
        cols = _singletons(f.n, givers)
    found_r: list[I64] = []
    found_c: list[I64] = []
    total = 0
    for g_rows, g_cols in _groups(f, rows.rep, cols.rep):
        tables = column_tables(f, g_cols)
        col_pos = np.full(f.n, -1, dtype=np.int64)
        col_pos[g_cols] = np.arange(len(g_cols))
        step = max(1, 2_000_000 // len(g_cols))
        for begin in range(0, len(g_rows), step):
            chunk = g_rows[begin : begin + step]
            block = block_scores(f, chunk, tables)
            forbidden.apply(block, chunk, col_pos)
            r, c = np.nonzero(block >= FLOOR)
            total += len(r)
            if total > MAX_ARCS:
                return None
            found_r.append(rows.of[chunk[r]])
            found_c.append(cols.of[g_cols[c]])
    if found_r:
        codes = np.unique(np.concatenate(found_r) * max(cols.n, 1) + np.concatenate(found_c))
    else:
        codes = np.zeros(0, dtype=np.int64)
    r, c = codes // max(cols.n, 1), codes % max(cols.n, 1)
    a, b = rows.rep[r], cols.rep[c]
    scores = score_pairs(f, a, b)
    ok = scores.feasible & ~forbidden.pair_mask(a, b)
    tier_caps, tier_costs = tier_table(capacity, cols, config.load_spread)
    return _Graph(
        r[ok],
        c[ok],
        objective_weights(f, a[ok], scores.score[ok]),
        scores.score[ok],
        rows.count,
        tier_caps,
        tier_costs,
    )


def _singletons(n: int, people: I64) -> Types:
    of = np.full(n, -1, dtype=np.int64)
    of[people] = np.arange(len(people))
    ones = np.ones(len(people), dtype=np.int64)
    return Types(people, ones, np.arange(len(people) + 1, dtype=np.int64), people, of)


def _penalty(g: _Graph, taken: I64) -> int:
    reach = np.cumsum(g.tier_caps, axis=1)
    paid = 0
    for t in range(g.tier_caps.shape[1]):
        used = np.clip(taken - (reach[:, t] - g.tier_caps[:, t]), 0, g.tier_caps[:, t])
        paid += int(g.tier_costs[t] * used.sum())
    return paid


def optimum(problem: Problem, by_type: bool = True) -> Figures | None:
    started = time.perf_counter()
    g = _graph(problem, by_type)
    if g is None:
        return None
    x = transport(g.r, g.c, g.w, g.supply, g.tier_caps, g.tier_costs)
    taken = np.bincount(g.c, weights=x, minlength=g.tier_caps.shape[0]).astype(np.int64)
    return Figures(
        int(x.sum()),
        int((g.w * x).sum()) - _penalty(g, taken),
        float((g.score * x).sum()),
        time.perf_counter() - started,
        len(g.r),
    )


def greedy(problem: Problem, by_type: bool = True) -> Figures | None:
    """Heaviest pair first (ties: lower mentee, then mentor type), each as often as both
    sides have room; a mentor type's mentees are spread over its members evenly."""
    started = time.perf_counter()
    g = _graph(problem, by_type)
    if g is None:
        return None
    supply = g.supply.copy()
    room = g.tier_caps.sum(axis=1)
    x = np.zeros(len(g.r), dtype=np.int64)
    for e in np.lexsort((g.c, g.r, -g.w)).tolist():
        r, c = int(g.r[e]), int(g.c[e])
        units = min(int(supply[r]), int(room[c]))
        if units > 0:
            x[e] = units
            supply[r] -= units
            room[c] -= units
    taken = np.bincount(g.c, weights=x, minlength=g.tier_caps.shape[0]).astype(np.int64)
    return Figures(
        int(x.sum()),
        int((g.w * x).sum()) - _penalty(g, taken),
        float((g.score * x).sum()),
        time.perf_counter() - started,
        len(g.r),
    )


def engine_objective(problem: Problem, result: Result) -> int:
    """The objective the engine's matches reach, in the same units as `optimum`."""
    by_key = {p.key: p for p in problem.participants}
    loads: dict[int, int] = {}
    total = 0
    for m in result.matches:
        total += round(m.score * SCALE) + (SCALE if by_key[m.members[0]].priority else 0)
        if m.mentor is not None:
            loads[m.mentor] = loads.get(m.mentor, 0) + 1
    step = problem.config.load_spread * SCALE
    for load in loads.values():
        total -= sum(round(step * k) for k in range(load))
    return total
