"""A flow repaired from the last optimum is as good as one solved from nothing."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from bench import synth
from bench.exact_reference import engine_objective
from bench.matching import WEEK
from matching import exact, warm_flow
from matching.compiled import compiled
from matching.engine import match
from matching.problem import Problem, ProgramConfig, Result
from matching.solve_bipartite import duals, transport
from matching.warm_flow import reoptimize

I64 = np.ndarray


def value(cols: I64, weights: I64, x: I64, caps: I64, costs: I64) -> tuple[int, int]:
    """(units placed, weight less the load-spreading cost): what the round maximises."""
    taken = np.bincount(cols, weights=x, minlength=caps.shape[0]).astype(np.int64)
    reach = np.cumsum(caps, axis=1)
    paid = sum(
        int(costs[t]) * int(np.clip(taken - (reach[:, t] - caps[:, t]), 0, caps[:, t]).sum())
        for t in range(caps.shape[1])
    )
    return int(x.sum()), int((x * weights).sum()) - paid


def case(seed: int) -> tuple[I64, ...]:
    g = np.random.default_rng(seed)
    n_r, n_c, tiers = int(g.integers(2, 40)), int(g.integers(1, 15)), int(g.integers(1, 4))
    codes = g.choice(n_r * n_c, int(g.integers(1, n_r * n_c + 1)), replace=False)
    rows, cols = codes // n_c, codes % n_c
    weights = g.integers(0, int(g.choice([3, 50, 1000])), len(codes))
    supply = g.integers(1, 4, n_r) if seed % 2 else np.ones(n_r, np.int64)
    caps = -np.sort(-g.integers(0, 3, (n_c, tiers)), axis=1)
    caps[:, 0] = np.maximum(caps[:, 0], 1)
    costs = np.sort(g.integers(0, 30, tiers))
    costs[0] = 0
    return rows, cols, weights, supply, caps, costs


@pytest.mark.parametrize("seed", range(0, 400, 20))
def test_a_repaired_flow_is_the_optimum_a_fresh_solve_finds(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Solve on half the arcs, then add the rest and take out some of the old ones, carrying
    or not (as the round drops arcs of mutual pairs): the repair places as many and weighs
    as much as OR-Tools from nothing, and its duals certify it. (Half of a tiny graph
    changes here, more than a round hands the repair: no budget.)"""
    monkeypatch.setattr(warm_flow, "BUDGET", 10**6)
    for s in range(seed, seed + 20):
        rows, cols, w, supply, caps, costs = case(s)
        g = np.random.default_rng(10_000 + s)
        big = (2 * 1000 + int(costs.max()) + 1) * (int(min(supply.sum(), caps.sum())) + 1) + 1
        old = g.random(len(rows)) < 0.5
        x_old = transport(rows[old], cols[old], w[old], supply, caps, costs)
        prices = duals(rows[old], cols[old], w[old], x_old, supply, caps, costs, big)
        assert prices.ok
        carry = np.zeros(len(rows), np.int64)
        carry[old] = x_old
        keep = ~(old & (g.random(len(rows)) < 0.3))
        r, c, ww = rows[keep], cols[keep], w[keep]
        x = reoptimize(r, c, ww, carry[keep], supply, caps, costs, big, prices.u, prices.v)
        assert x is not None
        fresh = transport(r, c, ww, supply, caps, costs)
        assert value(c, ww, x, caps, costs) == value(c, ww, fresh, caps, costs), s
        assert np.all(np.bincount(r, weights=x, minlength=len(supply)) <= supply)
        assert duals(r, c, ww, x, supply, caps, costs, big).ok


def test_a_repair_takes_on_thousands_of_rows_within_its_budget() -> None:
    """The third solve of a large round leaves about 5 % of rows with an improving arc; in
    a tight market (more mentees than slots, many equal weights) a path at a time searches
    the whole market for each of them and gives up. Phases that send every zero-cost path
    at once repair it within the default budget, to the optimum OR-Tools finds."""
    g = np.random.default_rng(7)
    n_r, n_c, per_row = 4000, 1100, 12
    rows = np.repeat(np.arange(n_r), per_row)
    cols = g.integers(0, n_c, len(rows))
    codes = np.unique(rows * n_c + cols)
    rows, cols = codes // n_c, codes % n_c
    w = g.integers(0, 40, len(rows)) * 25  # coarse: many ties
    supply = np.ones(n_r, np.int64)
    caps = np.full((n_c, 2), [2, 1], np.int64)
    costs = np.array([0, 60], np.int64)
    big = (2 * 1000 + 61) * (int(min(supply.sum(), caps.sum())) + 1) + 1
    changed = np.isin(rows, g.choice(n_r, n_r // 8, replace=False)) & (g.random(len(rows)) < 0.6)
    x_old = transport(rows[~changed], cols[~changed], w[~changed], supply, caps, costs)
    prices = duals(rows[~changed], cols[~changed], w[~changed], x_old, supply, caps, costs, big)
    carry = np.zeros(len(rows), np.int64)
    carry[~changed] = x_old
    improving = big + w - prices.u[rows] - prices.v[cols] > 0
    assert len(np.unique(rows[improving])) > 200  # 282 of 4,000
    x = reoptimize(rows, cols, w, carry, supply, caps, costs, big, prices.u, prices.v)
    assert x is not None
    fresh = transport(rows, cols, w, supply, caps, costs)
    assert value(cols, w, x, caps, costs) == value(cols, w, fresh, caps, costs)
    assert duals(rows, cols, w, x, supply, caps, costs, big).ok


@pytest.mark.parametrize("seed", range(0, 120, 30))
def test_prices_are_the_least_that_certify_an_optimal_flow_and_refuse_a_worse_one(
    seed: int,
) -> None:
    """The pricing round leans on the least column prices a flow admits (a linear program
    says which), and on their refusing a flow that one more unit would improve."""
    for s in range(seed, seed + 30):
        rows, cols, w, supply, caps, costs = case(s)
        big = (2 * 1000 + int(costs.max()) + 1) * (int(min(supply.sum(), caps.sum())) + 1) + 1
        x = transport(rows, cols, w, supply, caps, costs)
        prices = duals(rows, cols, w, x, supply, caps, costs, big)
        assert prices.ok
        assert np.array_equal(prices.v, least_prices(rows, cols, w + big, x, supply, caps, costs))
        carrying = np.flatnonzero(x > 0)
        if len(carrying):
            short = x.copy()
            short[carrying[0]] -= 1
            assert not duals(rows, cols, w, short, supply, caps, costs, big).ok


def least_prices(
    rows: I64, cols: I64, w_big: I64, x: I64, supply: I64, caps: I64, costs: I64
) -> I64:
    """Least v (and its u) with u + v >= w on every arc, = w where it carries, u = 0 for a
    row with room, and v between the dearest tier in use and the cheapest with room."""
    n_r, n_c = len(supply), caps.shape[0]
    placed = np.bincount(rows, weights=x, minlength=n_r)
    taken = np.bincount(cols, weights=x, minlength=n_c).astype(np.int64)
    reach = np.cumsum(caps, axis=1)
    tiers = range(caps.shape[1])
    lo = np.array(
        [max([costs[t] for t in tiers if reach[c, t] - caps[c, t] < taken[c]] or [0])
         for c in range(n_c)]
    )  # fmt: skip
    hi = np.array(
        [min([costs[t] for t in tiers if reach[c, t] > taken[c]] or [np.inf])
         if taken[c] else 0 for c in range(n_c)]
    )  # fmt: skip
    m = len(rows)
    a = np.zeros((m, n_r + n_c))
    a[np.arange(m), rows] = 1
    a[np.arange(m), n_r + cols] = 1
    bounds = [(0, None if placed[r] >= supply[r] else 0) for r in range(n_r)]
    bounds += [(lo[c], None if np.isinf(hi[c]) else hi[c]) for c in range(n_c)]
    goal = np.r_[np.zeros(n_r), np.ones(n_c)]
    got = linprog(goal, A_ub=-a, b_ub=-w_big, A_eq=a[x > 0], b_eq=w_big[x > 0], bounds=bounds)
    assert got.status == 0
    return np.rint(got.x[n_r:]).astype(np.int64)


def narrow(
    monkeypatch: pytest.MonkeyPatch, warm_share: float, budget: int
) -> tuple[int, Result, int]:
    """A round that needs several solves (2 arcs per row to start, 1 kept per rescore)."""
    monkeypatch.setattr(exact, "KEEP", 1)
    monkeypatch.setattr(exact, "WARM_SHARE", warm_share)
    monkeypatch.setattr(exact, "WARM_ARCS", 0)
    monkeypatch.setattr(warm_flow, "BUDGET", budget)
    fresh = [0]
    solve = exact.transport

    def counted(*args: I64) -> I64:
        fresh[0] += 1
        return solve(*args)

    monkeypatch.setattr(exact, "transport", counted)
    people = synth.population(1500, 400, seed=3, capacity=3)
    config = ProgramConfig(week_start=WEEK, candidates_per_seeker=2)
    prob = Problem(people, synth.taxonomy(), config)
    result = match(prob)
    return engine_objective(prob, result), result, fresh[0]


def test_late_rounds_repair_the_flow_and_reach_the_same_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cold_value, cold, cold_solves = narrow(monkeypatch, 0, warm_flow.BUDGET)
    warm_value, warm, warm_solves = narrow(monkeypatch, 10**9, warm_flow.BUDGET)
    assert cold_solves > 2
    assert warm_solves == 1  # only the first solve starts from nothing
    for got in (cold, warm):
        assert got.stats.certificate.startswith("Optimal")
    assert warm.stats.solves == cold.stats.solves
    assert warm.stats.matched_seekers == cold.stats.matched_seekers
    assert warm_value == cold_value  # ties may pair people differently, never for less


def test_a_repair_past_its_budget_gives_way_to_a_fresh_solve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cold_value, cold, _ = narrow(monkeypatch, 0, warm_flow.BUDGET)
    given_up_value, given_up, fresh = narrow(monkeypatch, 10**9, 0)
    assert fresh == cold.stats.solves
    assert given_up_value == cold_value
    assert given_up.stats.certificate.startswith("Optimal")


def test_an_install_with_nowhere_to_cache_still_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """numba refuses to cache where no directory is writable; the matcher must still load."""
    from numba.core import caching

    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])

    def plus_one(x: int) -> int:
        return x + 1

    assert compiled(plus_one)(2) == 3
