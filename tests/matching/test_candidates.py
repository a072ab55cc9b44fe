"""Candidate graphs: block size is a memory knob, never a change in who can meet whom."""

from __future__ import annotations

import numpy as np
import pytest

from bench import synth
from matching import candidates
from matching.constraints import Forbidden, first_copies, forbidden_pairs
from matching.engine import GIVER_ROLES, SEEKER_ROLES, match
from matching.problem import ProgramConfig
from matching.scoring import Features, block_scores, build_features, column_tables
from tests.matching.helpers import WEEK, person, problem


def _graph(monkeypatch: pytest.MonkeyPatch, cells: int, k: int, k2: int) -> set[tuple[int, int]]:
    monkeypatch.setattr(candidates, "BLOCK_CELLS", cells)
    config = ProgramConfig(week_start=WEEK)
    f = build_features(synth.population(400, 120, seed=5), synth.taxonomy(), config)
    roles = np.array([p.role for p in f.people])
    a, b = candidates.bipartite_candidates(
        f,
        forbidden_pairs(f.people, config),
        np.nonzero(np.isin(roles, SEEKER_ROLES))[0],
        np.nonzero(np.isin(roles, GIVER_ROLES))[0],
        k,
        k2,
    )
    return set(zip(a.tolist(), b.tolist(), strict=True))


@pytest.mark.parametrize(("k", "k2"), [(1, 1), (3, 5), (8, 40)])
def test_many_small_blocks_keep_exactly_the_one_block_graph(
    monkeypatch: pytest.MonkeyPatch, k: int, k2: int
) -> None:
    whole = _graph(monkeypatch, 10**9, k, k2)
    chunked = _graph(monkeypatch, 500, k, k2)  # a few rows per block: many threshold updates
    assert chunked == whole


def test_each_mentee_keeps_its_best_mentors() -> None:
    config = ProgramConfig(week_start=WEEK)
    f = build_features(synth.population(300, 90, seed=3), synth.taxonomy(), config)
    roles = np.array([p.role for p in f.people])
    seekers = np.nonzero(np.isin(roles, SEEKER_ROLES))[0]
    givers = np.nonzero(np.isin(roles, GIVER_ROLES))[0]
    forbidden = forbidden_pairs(f.people, config)
    a, b = candidates.bipartite_candidates(f, forbidden, seekers, givers, 4, 1)
    kept = set(zip(a.tolist(), b.tolist(), strict=True))
    col_pos = np.full(f.n, -1, dtype=np.int64)
    col_pos[givers] = np.arange(len(givers))
    scores = block_scores(f, seekers, column_tables(f, givers))
    forbidden.apply(scores, seekers, col_pos)
    checked = 0
    for r, i in enumerate(seekers.tolist()):
        row = scores[r]
        finite = np.sort(row[np.isfinite(row)])[::-1]
        if len(finite) < 5 or finite[3] - finite[4] < 1e-4:
            continue  # a near tie at the cut: either mentor may be kept
        best = givers[row >= finite[3]]
        assert {(i, int(j)) for j in best} <= kept
        checked += 1
    assert checked > 50


def _typed() -> tuple[Features, Forbidden, candidates.Types, candidates.Types]:
    """300 mentees and 90 mentors, with their rules, merged into mentee and mentor types."""
    config = ProgramConfig(week_start=WEEK)
    f = build_features(synth.population(300, 90, seed=3), synth.taxonomy(), config)
    roles = np.array([p.role for p in f.people])
    forbidden = forbidden_pairs(f.people, config)
    rows = candidates.seeker_types(f, forbidden, np.nonzero(np.isin(roles, SEEKER_ROLES))[0])
    cols = candidates.giver_types(f, forbidden, np.nonzero(np.isin(roles, GIVER_ROLES))[0])
    return f, forbidden, rows, cols


def test_a_rescore_bounds_every_arc_it_leaves_out_and_skips_what_is_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row meets only columns cheap enough to matter, keeps its best unknown arcs, and
    reports bounds that every arc it left out stays under (they are all that certify it)."""
    monkeypatch.setattr(candidates, "BLOCK_CELLS", 2000)  # many chunks of different widths
    f, forbidden, rows, cols = _typed()
    rng = np.random.default_rng(7)
    price = rng.uniform(0.0, 0.6, cols.n)
    floor = np.full(rows.n, -0.2)
    cap = rng.uniform(0.1, 0.7, rows.n)
    t_rows, t_cols = np.arange(rows.n), np.arange(cols.n)
    scores = block_scores(f, rows.rep, column_tables(f, cols.rep))
    col_pos = np.full(f.n, -1, dtype=np.int64)
    col_pos[cols.rep] = np.arange(cols.n)
    forbidden.apply(scores, rows.rep, col_pos)
    gain = scores - price[None, :]
    best = np.argmax(np.where(price[None, :] < cap[:, None], gain, -np.inf), axis=1)
    known = np.sort(t_rows * cols.n + best)  # each row's best affordable arc is known
    got = candidates.rescore(
        f, forbidden, rows, cols, t_rows, t_cols, floor, price, 2, cap, [known]
    )
    kept = set(zip(got.r.tolist(), got.c.tolist(), strict=True))
    assert kept
    assert not kept & {(r, int(best[r])) for r in t_rows.tolist()}
    assert (got.beyond >= cap).all()
    assert np.isfinite(got.beyond).any()  # dear columns were skipped
    for r in t_rows.tolist():
        for c in t_cols.tolist():
            if (r, c) in kept or c == best[r] or not np.isfinite(gain[r, c]):
                continue
            # left out: under the best scored arc left out, or priced past what was scored
            assert gain[r, c] <= got.rest[r] + 1e-6 or price[c] >= got.beyond[r]


def test_a_goal_outside_the_taxonomy_meets_the_mentor_who_offers_exactly_it() -> None:
    """One of the mentee's goals has a cluster, the other none: the mentee still meets
    every mentor, so the one offering the unclustered goal itself is found."""
    people = [
        person(1, seeks=("python", "kubernetes")),
        person(2, "mentor", offers=(("kubernetes", 3),)),
        person(3, "mentor", offers=(("writing", 3),)),
    ]
    result = match(problem(people))
    assert [(m.mentor, m.members) for m in result.matches] == [(2, (1,))]


def test_the_full_pass_keeps_each_mentors_best_mentees_however_low_they_rank_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Besides each row's best, a column keeps the rows it costs least to give it (the gap
    to each row's own best), across many blocks: the mentors no one ranks high reach the
    first solve, which then places everyone it can."""
    monkeypatch.setattr(candidates, "BLOCK_CELLS", 3000)  # a few rows per block
    f, forbidden, rows, cols = _typed()
    graph = candidates.full_graph(f, forbidden, rows, cols, 2, 0, 3, 1)
    kept = set(zip(graph.r.tolist(), graph.c.tolist(), strict=True))
    checked = 0
    for g_rows, g_cols in candidates._groups(f, rows.rep, cols.rep):
        scores = block_scores(f, g_rows, column_tables(f, g_cols))
        col_pos = np.full(f.n, -1, dtype=np.int64)
        col_pos[g_cols] = np.arange(len(g_cols))
        forbidden.apply(scores, g_rows, col_pos)
        best = scores.max(axis=1)
        gap = scores - np.where(np.isfinite(best), best, 0)[:, None]
        for j in range(len(g_cols)):
            column = np.sort(gap[:, j][np.isfinite(gap[:, j])])[::-1]
            if len(column) < 4 or column[2] - column[3] < 1e-4:
                continue  # a near tie at the cut: either row may be kept
            top = rows.of[g_rows[gap[:, j] >= column[2]]]
            assert {(int(r), int(cols.of[g_cols[j]])) for r in top} <= kept
            checked += 1
    assert checked > 30


@pytest.mark.parametrize("top", [50, 2**40, 2**62])  # the last two leave no room to pack
def test_an_arc_found_twice_is_kept_once_leading_if_either_copy_leads(top: int) -> None:
    rng = np.random.default_rng(top % 97)
    codes = rng.integers(0, top, 3_000)
    codes[rng.integers(0, 3_000, 800)] = codes[rng.integers(0, 3_000, 800)]  # copies
    flags = rng.random(3_000) < 0.3
    distinct, expected, copy_of = np.unique(codes, return_index=True, return_inverse=True)
    kept, first, leads = first_copies(codes.copy(), flags)
    assert np.array_equal(kept, distinct)
    assert np.array_equal(first, expected)
    assert np.array_equal(leads, np.bincount(copy_of, weights=flags) > 0)
    assert all(len(part) == 0 for part in first_copies(codes[:0], flags[:0]))
