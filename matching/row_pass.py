"""Compiled passes over mentee x mentor score blocks, one row at a time while it is in cache.

The full pass gathered rows of small tables into a (rows x cols) float32 block, then
partitioned, compared and searched it about a dozen times, each time streaming the whole
block through memory (18 s of one core on 100k x 30k). Here each row is scored into a
buffer one row long, and everything the pass keeps (the row's best arcs, its bound and lead
cut, each column's best by gap) is taken from it there. The score is the float32 sum of
scoring.block_scores, term by term in the same order, so the values are equal bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from matching.compiled import compiled

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
Rows = tuple[npt.NDArray[Any], ...]  # per row: pattern, level, dept, language, cadence, goals,
# goal count, 1 / goal count, weighted waiting (scoring.block_inputs)
Tables = tuple[F32, ...]  # overlap, seniority, department, language, preference, credit
SAMPLE = 8  # a row's candidate floor is guessed from every SAMPLE-th value


@compiled
def _score_row(
    i: int, row: F32, fwd: F32, people: Rows, tables: Tables, w_goal: np.float32, fit: bool
) -> None:
    """Row i's score against every column of the tables, -inf where a table rule forbids
    (the weighted components summed as block_scores sums them)."""
    pat, lev, dep, lan, frq, goals, cnt, inv, wait = people
    overlap, sen, dept, lang, pref, credit_t = tables
    m = len(row)
    o, s, d = overlap[pat[i]], sen[lev[i]], dept[dep[i] + 1]
    la, q = lang[lan[i]], pref[frq[i]]
    for j in range(m):
        row[j] = (((o[j] + s[j]) + d[j]) + la[j]) + q[j]
    first = credit_t[goals[i, 0]]
    for j in range(m):
        fwd[j] = first[j]
    for k in range(1, goals.shape[1]):
        more = credit_t[goals[i, k]]
        for j in range(m):
            fwd[j] += more[j]
    share = inv[i]
    for j in range(m):
        fwd[j] *= share
    for j in range(m):
        row[j] += w_goal * fwd[j]
    if fit and cnt[i] > 0:
        for j in range(m):
            if fwd[j] <= 0:
                row[j] = -np.inf
    waited = wait[i]
    for j in range(m):
        row[j] += waited


@compiled
def fill_scores(out: F32, people: Rows, tables: Tables, w_goal: np.float32, fit: bool) -> None:
    """out[i] = row i's scores (out: rows x cols float32)."""
    fwd = np.empty(out.shape[1], np.float32)
    for i in range(out.shape[0]):
        _score_row(i, out[i], fwd, people, tables, w_goal, fit)


@compiled
def _sift(heap: F32, at: int, n: int) -> None:
    """Restore a min-heap below position `at` (heap[:n])."""
    v = heap[at]
    while True:
        child = 2 * at + 1
        if child >= n:
            break
        if child + 1 < n and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] >= v:
            break
        heap[at] = heap[child]
        at = child
    heap[at] = v


@compiled
def _kth_largest(values: npt.NDArray[Any], k: int, heap: npt.NDArray[Any]) -> float:
    """The k-th largest of values (counting repeats: np.partition's answer); heap[:k] then
    holds the k largest."""
    for j in range(k):
        heap[j] = values[j]
    for at in range(k // 2 - 1, -1, -1):
        _sift(heap, at, k)
    for j in range(k, len(values)):
        if values[j] > heap[0]:
            heap[0] = values[j]
            _sift(heap, 0, k)
    return float(heap[0])


@compiled
def _offer(gap: F32, row: I64, score: F32, c: int, g: np.float32, r: int, s: np.float32) -> None:
    """Put (g, r, s) into column c's min-heap by gap in place of its root."""
    n = gap.shape[1]
    at = 0
    while True:
        child = 2 * at + 1
        if child >= n:
            break
        if child + 1 < n and gap[c, child + 1] < gap[c, child]:
            child += 1
        if gap[c, child] >= g:
            break
        gap[c, at], row[c, at], score[c, at] = gap[c, child], row[c, child], score[c, child]
        at = child
    gap[c, at], row[c, at], score[c, at] = g, r, s


@compiled
def merge_column_best(
    gap: F32,
    row: I64,
    score: F32,
    floor: F32,
    lowest: np.float32,
    t_rows: I64,
    at: I64,
    s: F32,
    g: F32,
) -> None:
    """Merge hits (row type, column position, score, gap) into each column's heap of its
    best by gap; floor[c] becomes the heap's least gap (at least `lowest`)."""
    for e in range(len(at)):
        c = at[e]
        if g[e] > gap[c, 0]:
            _offer(gap, row, score, c, g[e], t_rows[e], s[e])
            floor[c] = max(gap[c, 0], lowest)


@compiled
def _room(out: npt.NDArray[Any], count: int, more: int) -> npt.NDArray[Any]:
    """out, or a copy of its first `count` items with room for at least `more` after them."""
    if count + more <= len(out):
        return out
    grown = np.empty(max(2 * len(out), count + more), out.dtype)
    grown[:count] = out[:count]
    return grown


@compiled
def _sample_floor(row: F32, k: int, heap: F32) -> float:
    """A guess at a value below the row's k-th largest: the (k / SAMPLE * 2)-th largest of
    every SAMPLE-th value (about 2k values pass it; a guess too high is seen by the caller)."""
    sample = row[::SAMPLE]
    rank = max(k * 2 // SAMPLE, 1)
    if len(sample) < SAMPLE * rank:
        return -np.inf
    return _kth_largest(sample, rank, heap)


@compiled
def _candidates(
    row: F32, floor: float, lowest: float, cand_v: F32, cand_j: I64, cols_hit: B
) -> int:
    """Copy out the row's values at or above floor (and their columns) without a branch;
    mark the columns with a finite value. Returns how many were copied."""
    found = 0
    for j in range(len(row)):
        v = row[j]
        cand_v[found] = v
        cand_j[found] = j
        found += 1 if v >= floor else 0
    for j in range(len(row)):
        cols_hit[j] = cols_hit[j] or row[j] >= lowest
    return found


@compiled
def best_of_rows(
    people: Rows,
    tables: Tables,
    w_goal: np.float32,
    fit: bool,
    fb_ptr: I64,
    fb_col: I64,
    keep: int,
    lead: int,
    keep_cols: int,
    col_floor: F32,
    lowest: np.float32,
) -> tuple[I64, I64, F32, B, B, B, F32, I64, I64, F32, F32]:
    """What the full pass keeps of one block: (r, c, score, lead) of each row's arcs at or
    above its keep-th best (every finite arc when keep < 0), leading when at or above its
    lead-th best; whether each row and column has a finite arc; each row's keep-th best
    (-inf: none left out); and (r, c, score, gap) of each column's keep_cols best by gap to
    its row's best above col_floor, in column order (ties at a cut go either way).
    Forbidden cells are fb_col[fb_ptr[i]:fb_ptr[i + 1]] of row i.

    A row's candidates are its values at or above a floor guessed from a sample, copied out
    without a branch (all its finite values when fewer than keep pass); the exact keep-th,
    the lead cut and the arcs come from those hundred or so. A column's heap is offered
    only gaps above its least so far, in this block or before."""
    n, m = len(people[0]), tables[0].shape[1]
    row = np.empty(m, np.float32)
    fwd = np.empty(m, np.float32)
    cand_v = np.empty(m + 1, np.float32)
    cand_j = np.empty(m + 1, np.int64)
    heap = np.empty(max(keep, lead, 1), np.float32)
    top = np.empty(max(keep, 1), np.float32)
    kth = np.full(n, -np.inf, np.float32)
    rows_hit = np.zeros(n, np.bool_)
    cols_hit = np.zeros(m, np.bool_)
    cap = max(n * (keep + 8) if 0 <= keep < m else n * m, 16)
    out_r = np.empty(cap, np.int64)
    out_c = np.empty(cap, np.int64)
    out_v = np.empty(cap, np.float32)
    out_l = np.empty(cap, np.bool_)
    count = 0
    kc = max(keep_cols, 1)
    c_gap = np.full((m, kc), -np.inf, np.float32)
    c_row = np.full((m, kc), -1, np.int64)
    c_score = np.zeros((m, kc), np.float32)
    above = np.maximum(col_floor, lowest) if keep_cols > 0 else np.zeros(m, np.float32)
    ranked = 0 <= keep < m
    low = float(lowest)
    for i in range(n):
        _score_row(i, row, fwd, people, tables, w_goal, fit)
        for e in range(fb_ptr[i], fb_ptr[i + 1]):
            row[fb_col[e]] = -np.inf
        floor = max(_sample_floor(row, keep, heap), low) if ranked else low
        found = _candidates(row, floor, low, cand_v, cand_j, cols_hit)
        if found < keep and floor > lowest:  # the guess was too high: take every arc
            found = _candidates(row, low, low, cand_v, cand_j, cols_hit)
        best = np.float32(-np.inf)
        for e in range(found):
            best = max(best, cand_v[e])
        rows_hit[i] = best >= lowest
        least = low
        if ranked and found >= keep:  # else fewer than keep arcs are finite
            least = _kth_largest(cand_v[:found], keep, heap)
            kth[i] = least
        cut = -np.inf
        if m > lead:
            if ranked and keep >= lead and found >= keep:
                top[:keep] = heap[:keep]
                top[:keep].sort()
                cut = top[keep - lead]
            elif found >= lead:
                cut = _kth_largest(cand_v[:found], lead, heap)
        out_r, out_c = _room(out_r, count, found), _room(out_c, count, found)
        out_v, out_l = _room(out_v, count, found), _room(out_l, count, found)
        for e in range(found):
            if cand_v[e] >= least:
                out_r[count], out_c[count], out_v[count] = i, cand_j[e], cand_v[e]
                out_l[count] = cand_v[e] >= cut
                count += 1
        if keep_cols > 0:
            base = best if best > -np.inf else np.float32(0.0)
            offers = 0
            for j in range(m):
                cand_j[offers] = j
                offers += np.float32(row[j] - base) > above[j]
            for e in range(offers):
                j = cand_j[e]
                _offer(c_gap, c_row, c_score, j, np.float32(row[j] - base), i, row[j])
                above[j] = max(above[j], c_gap[j, 0])
    hits = 0
    if keep_cols > 0:
        for j in range(m):
            for k in range(kc):
                hits += c_row[j, k] >= 0
    cr = np.empty(hits, np.int64)
    cc = np.empty(hits, np.int64)
    cs = np.empty(hits, np.float32)
    cg = np.empty(hits, np.float32)
    h = 0
    if keep_cols > 0:
        for j in range(m):
            start = h
            for k in range(kc):
                if c_row[j, k] >= 0:
                    cr[h], cc[h], cs[h], cg[h] = c_row[j, k], j, c_score[j, k], c_gap[j, k]
                    h += 1
            order = np.argsort(cr[start:h])  # rows in order within a column
            cr[start:h], cs[start:h], cg[start:h] = (
                cr[start:h][order],
                cs[start:h][order],
                cg[start:h][order],
            )
    return (
        out_r[:count], out_c[:count], out_v[:count], out_l[:count], rows_hit, cols_hit, kth,
        cr, cc, cs, cg,
    )  # fmt: skip


@compiled
def rescore_rows(
    people: Rows,
    tables: Tables,
    w_goal: np.float32,
    fit: bool,
    off_ptr: I64,
    off_col: I64,
    price: F64,
    row_floor: F64,
    per_row: int,
) -> tuple[I64, I64, F32, F64]:
    """(r, c, score) of each row's arcs whose gain (score - price[c]) exceeds its floor, at
    most its per_row best by gain (ties may add a few), and per row the largest gain left
    out (-inf: none). Only the first len(price) columns are scored; cells
    off_col[off_ptr[i]:off_ptr[i + 1]] of row i are left out as if infeasible."""
    n, m = len(people[0]), len(price)
    row = np.empty(m, np.float32)
    fwd = np.empty(m, np.float32)
    cand_g = np.empty(m + 1, np.float64)
    cand_j = np.empty(m + 1, np.int64)
    heap = np.empty(max(per_row, 1), np.float64)
    rest = np.full(n, -np.inf)
    out_r = np.empty(max(n * (per_row + 8), 16), np.int64)
    out_c = np.empty(len(out_r), np.int64)
    out_v = np.empty(len(out_r), np.float32)
    count = 0
    for i in range(n):
        _score_row(i, row, fwd, people, tables, w_goal, fit)
        for e in range(off_ptr[i], off_ptr[i + 1]):
            row[off_col[e]] = -np.inf
        floor = row_floor[i]
        found = 0
        below = -np.inf  # the best gain at or under the floor
        for j in range(m):
            g = np.float64(row[j]) - price[j]
            cand_g[found] = g
            cand_j[found] = j
            above = g > floor
            found += 1 if above else 0
            below = max(below, -np.inf if above else g)
        least = -np.inf
        if found > per_row:
            least = _kth_largest(cand_g[:found], per_row, heap)
        out_r, out_c = _room(out_r, count, found), _room(out_c, count, found)
        out_v = _room(out_v, count, found)
        for e in range(found):
            if cand_g[e] >= least:
                j = cand_j[e]
                out_r[count], out_c[count], out_v[count] = i, j, row[j]
                count += 1
            else:
                below = max(below, cand_g[e])
        rest[i] = below
    return out_r[:count], out_c[:count], out_v[:count], rest
