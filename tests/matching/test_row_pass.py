"""The compiled full-pass kernel keeps exactly what sorting the whole block would keep.

Blocks are built so that a row's scores are one row of a table (every other component is
zero), which lets each test choose the values: ties, infeasible holes, rows with fewer
feasible arcs than they keep, and rows whose best arcs all sit where the kernel samples.
The reference is plain numpy over the whole block.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matching.candidates import FLOOR
from matching.row_pass import SAMPLE, best_of_rows, rescore_rows

F32 = npt.NDArray[np.float32]


def _inputs(block: F32) -> tuple[tuple[npt.NDArray[np.generic], ...], tuple[F32, ...]]:
    """Features and tables under which row i scores exactly block[i]."""
    n, m = block.shape
    zero_i = np.zeros(n, np.int32)
    people = (
        np.arange(n, dtype=np.int32), zero_i, zero_i, zero_i, zero_i,
        np.zeros((n, 2), np.int32), zero_i, np.ones(n, np.float32), np.zeros(n, np.float32),
    )  # fmt: skip
    flat = np.zeros((1, m), np.float32)
    tables = (np.ascontiguousarray(block), flat, np.zeros((2, m), np.float32), flat, flat, flat)
    return people, tables


def _run(block: F32, keep: int, lead: int, keep_cols: int, col_floor: F32) -> tuple:  # type: ignore[type-arg]
    people, tables = _inputs(block)
    none = np.zeros(len(block) + 1, np.int64)
    return best_of_rows(  # type: ignore[no-any-return]
        people, tables, np.float32(1.0), False, none, np.zeros(0, np.int64), keep, lead,
        keep_cols, col_floor, FLOOR,
    )  # fmt: skip


def _block(rng: np.random.Generator, n: int, m: int) -> F32:
    """Scores on a coarse grid (many ties), with infeasible holes, an all-infeasible row,
    a row with few feasible arcs, and a row whose best arcs all sit on sampled columns."""
    block = (rng.integers(0, 40, size=(n, m)) / 40).astype(np.float32)
    block[rng.random((n, m)) < 0.3] = -np.inf
    block[0] = -np.inf
    block[1, 5:] = -np.inf
    block[2] = 0.0
    block[2, ::SAMPLE] = 0.5  # the sample sees only its best: its guess is too high
    return block


def test_each_row_keeps_its_best_arcs_bound_and_lead_as_a_sort_of_the_block_would() -> None:
    rng = np.random.default_rng(7)
    for trial in range(60):
        n, m = int(rng.integers(3, 40)), int(rng.integers(30, 300))
        block = _block(rng, n, m)
        keep, lead = int(rng.integers(1, 25)), int(rng.integers(1, 12))
        everything = trial % 5 == 0 or m <= keep
        r, c, v, leads, rows_hit, cols_hit, kth, *_ = _run(
            block, -1 if everything else keep, lead, 0, np.zeros(m, np.float32)
        )
        if everything:
            want_kth = np.full(n, -np.inf, np.float32)
            least = np.full(n, FLOOR, np.float32)
        else:
            want_kth = np.partition(block, m - keep, axis=1)[:, m - keep]
            least = np.maximum(want_kth, FLOOR)
            want_kth = np.where(want_kth >= FLOOR, want_kth, -np.inf).astype(np.float32)
        kept = block >= least[:, None]
        wr, wc = np.nonzero(kept)
        cut = (
            np.partition(block, m - lead, axis=1)[:, m - lead]
            if m > lead
            else np.full(n, -np.inf, np.float32)
        )
        assert np.array_equal(r, wr)
        assert np.array_equal(c, wc)
        assert np.array_equal(v, block[wr, wc])
        assert np.array_equal(leads, block[wr, wc] >= cut[wr])
        assert np.array_equal(kth, want_kth)
        assert np.array_equal(rows_hit, np.isfinite(block).any(axis=1))
        assert np.array_equal(cols_hit, np.isfinite(block).any(axis=0))


def test_each_column_keeps_its_best_gaps_above_its_floor() -> None:
    """A column's kept arcs are its keep_cols best by gap to the row's own best, among
    gaps above the floor earlier blocks left: the same gaps a full sort keeps (which of
    several tied rows is kept may differ)."""
    rng = np.random.default_rng(11)
    for _ in range(60):
        n, m = int(rng.integers(3, 60)), int(rng.integers(30, 200))
        block = _block(rng, n, m)
        keep_cols = int(rng.integers(1, 8))
        col_floor = np.where(rng.random(m) < 0.5, FLOOR, -rng.random(m) / 2).astype(np.float32)
        *_, cr, cc, cs, cg = _run(block, 10, 4, keep_cols, col_floor)
        best = block.max(axis=1)
        gap = block - np.where(np.isfinite(best), best, 0)[:, None]
        for j in range(m):
            mine = cc == j
            assert np.all(np.diff(cr[mine]) > 0)  # rows in order within a column
            assert np.array_equal(cs[mine], block[cr[mine], j])
            assert np.array_equal(cg[mine], gap[cr[mine], j])
            above = np.sort(gap[:, j][(gap[:, j] > col_floor[j]) & np.isfinite(gap[:, j])])
            assert np.array_equal(np.sort(cg[mine]), above[::-1][:keep_cols][::-1])


def test_a_rescored_row_keeps_its_best_gains_above_its_floor_and_bounds_the_rest() -> None:
    """Gains are score - price in float64; a row keeps those above its floor, at most its
    per_row best (ties: all of them), and reports the best gain it left out. Cells marked
    off (forbidden, or priced elsewhere) count as infeasible."""
    rng = np.random.default_rng(3)
    for _ in range(60):
        n, m = int(rng.integers(3, 40)), int(rng.integers(5, 200))
        block = _block(rng, n, m)
        price = rng.integers(0, 4, size=m) / 8.0
        row_floor = rng.choice([-np.inf, -0.5, 0.0, 0.3], size=n)
        per_row = int(rng.integers(1, 12))
        off = rng.random((n, m)) < 0.1
        local, col = np.nonzero(off)
        people, tables = _inputs(block)
        r, c, v, rest = rescore_rows(
            people, tables, np.float32(1.0), False,
            np.searchsorted(local, np.arange(n + 1)), col, price, row_floor, per_row,
        )  # fmt: skip
        gain = np.where(off, -np.inf, block.astype(np.float64) - price[None, :])
        keep = gain > row_floor[:, None]
        if m > per_row:
            keep &= gain >= np.partition(gain, m - per_row, axis=1)[:, m - per_row][:, None]
        wr, wc = np.nonzero(keep)
        assert np.array_equal(r, wr)
        assert np.array_equal(c, wc)
        assert np.array_equal(v, block[wr, wc])
        assert np.array_equal(rest, np.where(keep, -np.inf, gain).max(axis=1))
