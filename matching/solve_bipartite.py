"""Exact capacitated assignment: most seekers placed, then the largest total weight.

Solved as a min-cost flow (OR-Tools SimpleMinCostFlow) on the sparse candidate graph:
source -> seeker (1) -> giver (cost -(BIG + w)) -> sink (capacity), plus a free bypass arc
so the flow may leave people out. BIG exceeds any total weight one placement could cost,
making cardinality strictly first.

Why this solver. The problem is a capacitated bipartite assignment whose LP is integral,
so an exact combinatorial solver is both optimal and fast, and greedy is not good enough:
on 100k x 30k (cap 3) greedy, which equals the stable matching when both sides rank by one
score, lost 8% of the score and left 7,000 more mentees unmatched (issue 4's evidence). The
exact candidates measured there on these 2-core machines: scipy's
min_weight_full_bipartite_matching took 360-440 s when slots are scarce, OR-Tools' min-cost
flow reached the same optimum in 6-11 s, and dense linear_sum_assignment is fine only up to
about 10k slots. Our own run (`python -m bench.matching solvers`, 8,000 x 2,400, 7,200
slots, 210,535 candidate edges, load ~1 on 2 cores): flow 0.29 s, dense 9.08 s at the same
weight 6,003,298 with all 7,200 placed, greedy 0.11 s placing 6,959 at weight 5,737,748
(95.6%). So the flow is the one solver used; `solve_dense` stays as an independent exact
check in the tests, and `solve_greedy` only as the benchmark's baseline.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy.optimize import linear_sum_assignment

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


class SolverError(RuntimeError):
    """The flow solver did not reach an optimum (a bug or a cost range overflow)."""


def _big(weights: I64, cardinality: int) -> int:
    top = int(weights.max(initial=0)) if len(weights) else 0
    return max(top, 1) * (cardinality + 1) + 1


def solve_flow(left: I64, right: I64, weights: I64, capacity: I64) -> B:
    """Which edges (left[e], right[e]) to take; `capacity[j]` bounds right node j.

    Left/right ids are any non-negative integers (participant indices); every left node
    is used at most once. Weights must be >= 0. Deterministic for identical input.
    """
    chosen = np.zeros(len(left), dtype=np.bool_)
    if len(left) == 0:
        return chosen
    if np.any(weights < 0):
        raise ValueError("weights must be non-negative")
    lefts, l_local = np.unique(left, return_inverse=True)
    rights, r_local = np.unique(right, return_inverse=True)
    cap = np.asarray(capacity)[rights].astype(np.int64)
    n_l, n_r = len(lefts), len(rights)
    cardinality = int(min(n_l, cap.sum()))
    big = _big(weights, cardinality)
    source, sink = 0, n_l + n_r + 1
    tails = np.concatenate(
        [np.zeros(n_l, dtype=np.int64), 1 + l_local, 1 + n_l + np.arange(n_r), [source]]
    )
    heads = np.concatenate([1 + np.arange(n_l), 1 + n_l + r_local, np.full(n_r, sink), [sink]])
    caps = np.concatenate([np.ones(n_l, np.int64), np.ones(len(left), np.int64), cap, [n_l]])
    costs = np.concatenate(
        [np.zeros(n_l, np.int64), -(big + weights.astype(np.int64)), np.zeros(n_r, np.int64), [0]]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(n_l + n_r + 2, dtype=np.int64)
    supplies[source], supplies[sink] = n_l, -n_l
    flow.set_nodes_supplies(np.arange(len(supplies)), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise SolverError(f"min-cost flow ended with status {status}")
    edge_arcs = arcs[n_l : n_l + len(left)]
    chosen[:] = flow.flows(edge_arcs) > 0
    return chosen


def solve_dense(left: I64, right: I64, weights: I64, capacity: I64) -> B:
    """Same objective with scipy's dense linear_sum_assignment over expanded slots."""
    chosen = np.zeros(len(left), dtype=np.bool_)
    if len(left) == 0:
        return chosen
    lefts, l_local = np.unique(left, return_inverse=True)
    rights, r_local = np.unique(right, return_inverse=True)
    cap = np.asarray(capacity)[rights].astype(np.int64)
    slot_start = np.concatenate([[0], np.cumsum(cap)])
    big = float(_big(weights, int(min(len(lefts), cap.sum()))))
    gain = np.zeros((len(lefts), int(cap.sum())), dtype=np.float64)
    edge_at = np.full(gain.shape, -1, dtype=np.int64)
    for e in np.argsort(-weights, kind="stable"):
        lo, hi = slot_start[r_local[e]], slot_start[r_local[e] + 1]
        gain[l_local[e], lo:hi] = big + float(weights[e])
        edge_at[l_local[e], lo:hi] = e
    rows, cols = linear_sum_assignment(gain, maximize=True)
    picked = edge_at[rows, cols]
    chosen[picked[(picked >= 0) & (gain[rows, cols] > 0)]] = True
    return chosen


def solve_greedy(left: I64, right: I64, weights: I64, capacity: I64) -> B:
    """Highest weight first; only a baseline for the benchmark, never used to decide."""
    chosen = np.zeros(len(left), dtype=np.bool_)
    remaining = np.asarray(capacity, dtype=np.int64).copy()
    used: set[int] = set()
    for e in np.lexsort((right, left, -weights)).tolist():
        a, b = int(left[e]), int(right[e])
        if a not in used and remaining[b] > 0:
            chosen[e] = True
            used.add(a)
            remaining[b] -= 1
    return chosen
