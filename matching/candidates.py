"""Sparse candidate graphs: score in numpy blocks, keep the best few per person.

Bipartite: mentees are grouped by the taxonomy clusters of their goals and scored only
against mentors offering something in that cluster (goal fit is a hard rule, so nothing
feasible is skipped); each mentee keeps its best K mentors and each mentor its best K2
mentees, so every free mentor slot stays reachable. Peers: a pool of n has n^2/2 pairs,
so inside each cluster people are ordered by working-time position and scored against a
window of neighbours (a sorted-neighbourhood heuristic; overlap is a hard rule anyway).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.constraints import Forbidden, cells, first_copies, within
from matching.parallel import ordered_map
from matching.row_pass import best_of_rows, merge_column_best, rescore_rows
from matching.scoring import (
    ColumnTables,
    Features,
    block_inputs,
    block_scores,
    column_tables,
)
from matching.timing import interval_table

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
B = npt.NDArray[np.bool_]
BLOCK_CELLS = 3_000_000  # float32 cells per score block: 12 MB, cache- and memory-friendly


def _groups(f: Features, seekers: I64, givers: I64) -> Iterator[tuple[I64, I64]]:
    """(rows, cols) per cluster; seekers with no clustered goal meet every giver."""
    if not f.config.require_goal_fit:
        yield seekers, givers
        return
    by_cluster_rows: dict[int, list[int]] = defaultdict(list)
    anywhere: list[int] = []
    for i, has_loose in zip(seekers.tolist(), _loose_goals(f, seekers), strict=True):
        clusters = f.goal_clusters[i]
        if not clusters or has_loose:
            anywhere.append(i)
        for c in clusters:
            by_cluster_rows[c].append(i)
    by_cluster_cols: dict[int, list[int]] = defaultdict(list)
    for j in givers.tolist():
        for c in f.offer_clusters[j]:
            by_cluster_cols[c].append(j)
    for c in sorted(by_cluster_rows):
        cols = by_cluster_cols.get(c)
        if cols:
            yield np.array(by_cluster_rows[c], dtype=np.int64), np.array(cols, dtype=np.int64)
    if anywhere and len(givers):
        yield np.array(anywhere, dtype=np.int64), givers


def _loose_goals(f: Features, people: I64) -> list[bool]:
    """Per person: has a goal outside the taxonomy, which any giver can still meet exactly.
    Once for everyone: asked person by person, this took 1.7 s of a 100k round."""
    stated = np.arange(f.goals.shape[1])[None, :] < f.n_goals[people][:, None]
    cluster = np.append(f.skill_cluster, 0)  # goals are padded with n_skills
    loose = np.asarray(((cluster[f.goals[people]] < 0) & stated).any(axis=1), dtype=np.bool_)
    return [bool(x) for x in loose.tolist()]


FLOOR = np.float32(np.finfo(np.float32).min)  # below every finite score, above -inf


def _top_rows(block: F32, k: int) -> tuple[I64, I64]:
    """(row, col) positions of the k largest finite entries of every row (ties may add a few).

    Partitioning values and comparing against each row's k-th best is about twice as fast
    as partitioning indices and gathering, which dominated candidate generation.
    """
    nc = block.shape[1]
    if nc > k:
        kth = np.partition(block, nc - k, axis=1)[:, nc - k]
        r, c = cells(block >= np.maximum(kth, FLOOR)[:, None])
    else:
        r, c = cells(block >= FLOOR)
    return r.astype(np.int64), c.astype(np.int64)


@dataclass(frozen=True)
class Types:
    """People who look identical to the score and the rules, merged into one type.

    `rep[t]` is the type's first member (lowest index), `members[ptr[t]:ptr[t+1]]` its
    members in index order, `of[i]` the type of participant i (-1 when not on this side).
    People under a person-to-person rule (or on both sides, role "both") stay alone, so
    the rules hold between representatives exactly as between people.
    """

    rep: I64
    count: I64
    ptr: I64
    members: I64
    of: I64

    @property
    def n(self) -> int:
        return len(self.rep)


def _types(
    f: Features, forbidden: Forbidden, people: I64, columns: list[npt.NDArray[Any]]
) -> Types:
    alone = (np.diff(forbidden.ptr)[people] > 0) | np.array(
        [f.people[i].role == "both" for i in people.tolist()], dtype=np.bool_
    )
    key = (
        np.column_stack(
            [np.where(alone, people, -1).astype(np.int64)]
            + [np.asarray(c).reshape(len(people), -1).astype(np.int64) for c in columns]
        )
        if len(people)
        else np.zeros((0, 1), dtype=np.int64)
    )
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    # number types by their first member, so type order follows participant order
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    kind = rank[inverse]
    order = np.argsort(kind, kind="stable")
    count = np.bincount(kind, minlength=len(first)).astype(np.int64)
    of = np.full(f.n, -1, dtype=np.int64)
    of[people] = kind
    return Types(
        rep=people[np.sort(first)],
        count=count,
        ptr=np.concatenate([[0], np.cumsum(count)]).astype(np.int64),
        members=people[order],
        of=of,
    )


def seeker_types(f: Features, forbidden: Forbidden, seekers: I64) -> Types:
    goals = np.sort(f.goals[seekers], axis=1)
    waiting = f.waiting[seekers].view(np.int64)
    return _types(
        f,
        forbidden,
        seekers,
        [
            f.pattern[seekers],
            f.level[seekers],
            f.dept[seekers],
            f.lang[seekers],
            f.freq[seekers],
            f.priority[seekers],
            waiting,
            goals,
            f.n_goals[seekers],
        ],
    )


def giver_types(f: Features, forbidden: Forbidden, givers: I64) -> Types:
    credit = np.ascontiguousarray(f.credit[givers]).view(np.int32)
    return _types(
        f,
        forbidden,
        givers,
        [
            f.pattern[givers],
            f.level[givers],
            f.dept[givers],
            f.lang[givers],
            f.freq[givers],
            credit,
        ],
    )


@dataclass(frozen=True)
class Rescored:
    """A rescore's kept arcs (row type, column type, score) and per given row two bounds
    on what it left out: the best score - price among scored arcs, and the cheapest price
    among columns it did not score (inf: it scored them all)."""

    r: I64
    c: I64
    score: F32
    rest: npt.NDArray[np.float64]
    beyond: npt.NDArray[np.float64]


@dataclass
class FullGraph:
    """What one pass over every feasible (seeker type, giver type) pair keeps.

    `r, c, score` hold each row's best arcs (its reservoir); for each cluster group, `bound`
    is a score no arc of that row left out of the reservoir exceeds (-inf: none left out).
    `row_edge` / `col_edge` say whether a type has any feasible arc at all. `lead` marks
    the arcs of the first solved graph, chosen here where each block is at hand: sorting
    9M arcs per row and per column afterwards took 6 s of the 100k x 30k round.
    """

    r: I64
    c: I64
    score: F32
    groups: list[tuple[I64, I64, F32]]
    row_edge: npt.NDArray[np.bool_]
    col_edge: npt.NDArray[np.bool_]
    lead: B  # per arc: among its row's `lead` best or its column's keep_cols best


@dataclass(frozen=True)
class _Block:
    """Rows of one cluster group to score against all of the group's columns."""

    rows: I64  # participant indices (type representatives)
    t_rows: I64  # their types
    t_cols: I64  # the group's column types
    tables: ColumnTables
    col_pos: I64  # participant -> position among the group's columns (-1: not there)
    keep: int | None  # arcs kept per row (None: every feasible arc)
    bound: F32 | None  # the group's per-row bound, this block's rows at `begin`
    begin: int
    col_best: _ColumnBest | None  # the group's running best per column (None: not kept)
    lead: int  # a row's best this many arcs are marked for the first solved graph


class _ColumnBest:
    """Each column's `keep` best arcs of one cluster group by gap (score above the row's
    own best), merged block by block into a min-heap per column (a row of dense (columns x
    keep) arrays); `floor` is each column's keep-th best gap so far (it only rises: blocks
    scored in parallel may read an older one and just return more hits). Ties at the cut
    go either way. Sorting the hits instead took 5.3 s of the 100k x 30k full pass."""

    def __init__(self, t_cols: I64, keep: int) -> None:
        self.t_cols, self.keep = t_cols, keep
        self.gap = np.full((len(t_cols), keep), -np.inf, dtype=np.float32)
        self.row = np.full((len(t_cols), keep), -1, dtype=np.int64)
        self.score = np.zeros((len(t_cols), keep), dtype=np.float32)
        self.floor = np.full(len(t_cols), FLOOR, dtype=np.float32)

    def add(self, t_rows: I64, at: I64, score: F32, gap: F32) -> None:
        """Merge a block's hits (`at`: column position)."""
        merge_column_best(self.gap, self.row, self.score, self.floor, FLOOR, t_rows, at, score, gap)

    def arcs(self) -> tuple[I64, I64, F32]:
        """(row type, column type, score) of each column's keep best."""
        col, k = cells(self.row >= 0)
        return self.row[col, k], self.t_cols[col], self.score[col, k]


@dataclass(frozen=True)
class _Scored:
    """What one block keeps: each row's best arcs (r, c, score), whether rows and columns
    have any feasible arc, each row's bound on what it left out (kth); and the arcs that
    may be among a column's best by score above their row's best (cr, cc, cscore, gap), in
    column order."""

    r: I64
    c: I64
    score: F32
    lead: B
    rows_hit: B
    cols_hit: B
    kth: F32
    cr: I64
    cc: I64
    cscore: F32
    gap: F32


def _best_of(f: Features, forbidden: Forbidden, b: _Block) -> _Scored:
    """One block's share of the full pass, scored and sifted row by row (matching.row_pass)."""
    people, tables, w_goal, fit = block_inputs(f, b.rows, b.tables)
    local, fb_col = forbidden.block_cells(b.rows, b.col_pos, len(b.t_cols))
    fb_ptr = np.searchsorted(local, np.arange(len(b.rows) + 1))
    col_best = b.col_best
    keep_cols = col_best.keep if col_best is not None else 0
    col_floor = col_best.floor.copy() if col_best is not None else np.zeros(0, np.float32)
    got = best_of_rows(
        people, tables, w_goal, fit, fb_ptr, fb_col, -1 if b.keep is None else b.keep, b.lead,
        keep_cols, col_floor, FLOOR,
    )  # fmt: skip
    return _Scored(*got)


class _Found:
    """The full pass's arcs as (code = row * n_cols + col, score, lead), written into
    arrays that grow in place: lists of every block's pieces joined at the end held each
    arc twice (465 MB of fresh memory on 100k x 30k, 2.3 s to touch on our VMs). Room
    reserved but never written costs no memory."""

    def __init__(self, n_cols: int, expect: int) -> None:
        self.n_cols, self.size = max(n_cols, 1), 0
        self.code = np.empty(max(expect, 16), dtype=np.int64)
        self.score = np.empty(len(self.code), dtype=np.float32)
        self.lead = np.empty(len(self.code), dtype=np.bool_)

    def add(self, r: I64, c: I64, score: F32, lead: B) -> None:
        begin, end = self.size, self.size + len(r)
        if end > len(self.code):
            room = max(end, 2 * len(self.code))
            self.code = np.concatenate([self.code[:begin], np.empty(room - begin, np.int64)])
            self.score = np.concatenate([self.score[:begin], np.empty(room - begin, np.float32)])
            self.lead = np.concatenate([self.lead[:begin], np.empty(room - begin, np.bool_)])
        np.multiply(r, self.n_cols, out=self.code[begin:end])
        self.code[begin:end] += c
        self.score[begin:end] = score
        self.lead[begin:end] = lead
        self.size = end

    def arcs(self) -> tuple[I64, F32, B]:
        return self.code[: self.size], self.score[: self.size], self.lead[: self.size]


def full_graph(
    f: Features,
    forbidden: Forbidden,
    rows: Types,
    cols: Types,
    keep: int,
    all_cells: int,
    keep_cols: int,
    lead: int,
) -> FullGraph:
    """Score every feasible type pair once in blocks; keep each row's `keep` best arcs and
    each column's `keep_cols` best by score above the row's best, or every arc where a
    cluster group has at most `all_cells` cells. Without a column's own best, mentors that
    no one ranks high stayed out of the first solve: on 100k x 30k it placed 81,815 of
    90,000, and two more solves went on finding the rest."""
    found = _Found(cols.n, rows.n * (keep + 8))
    groups: list[tuple[I64, I64, F32]] = []
    row_edge = np.zeros(rows.n, dtype=np.bool_)
    col_edge = np.zeros(cols.n, dtype=np.bool_)
    by_column: list[_ColumnBest] = []

    def blocks() -> Iterator[_Block]:
        for g_rows, g_cols in _groups(f, rows.rep, cols.rep):
            tr, tc = rows.of[g_rows], cols.of[g_cols]
            tables = column_tables(f, g_cols)
            col_pos = np.full(f.n, -1, dtype=np.int64)
            col_pos[g_cols] = np.arange(len(g_cols))
            everything = len(g_rows) * len(g_cols) <= all_cells or len(g_cols) <= keep
            bound = None
            col_best = None
            if not everything:
                bound = np.full(len(g_rows), -np.inf, dtype=np.float32)
                groups.append((tr, tc, bound))
            if keep_cols > 0:
                col_best = _ColumnBest(tc, keep_cols)
                by_column.append(col_best)
            step = max(1, BLOCK_CELLS // len(g_cols))
            for begin in range(0, len(g_rows), step):
                part = slice(begin, begin + step)
                kept = None if everything else keep
                yield _Block(
                    g_rows[part], tr[part], tc, tables, col_pos, kept, bound, begin, col_best,
                    lead,
                )  # fmt: skip

    scored = ordered_map(lambda b: (b, _best_of(f, forbidden, b)), blocks())
    for b, got in scored:
        row_edge[b.t_rows] |= got.rows_hit
        col_edge[b.t_cols] |= got.cols_hit
        if b.bound is not None:
            b.bound[b.begin : b.begin + len(b.rows)] = got.kth
        if b.col_best is not None:
            b.col_best.add(b.t_rows[got.cr], got.cc, got.cscore, got.gap)
        found.add(b.t_rows[got.r], b.t_cols[got.c], got.score, got.lead)
    for col_best in by_column:
        r, c, v = col_best.arcs()
        found.add(r, c, v, np.ones(len(r), dtype=np.bool_))
    # a row in several cluster groups meets some columns twice (and a column's best may be
    # a row's best too): keep one copy, leading if any copy leads
    codes, score, lead_flags = found.arcs()
    kept, first, leads = first_copies(codes, lead_flags)
    del lead_flags
    r, c = np.divmod(kept, max(cols.n, 1))
    del kept, codes
    return FullGraph(r, c, score[first], groups, row_edge, col_edge, leads)


def rescore(
    f: Features,
    forbidden: Forbidden,
    rows: Types,
    cols: Types,
    t_rows: I64,
    t_cols: I64,
    row_floor: npt.NDArray[np.float64],
    col_price: npt.NDArray[np.float64],
    per_row: int,
    row_cap: npt.NDArray[np.float64],
    skip: list[I64],
) -> Rescored:
    """Arcs between the given row and column types whose score exceeds
    row_floor[row] + col_price[col] (both per type, in score points), at most about
    `per_row` per row, the best by score - col_price (ties may add a few).

    A row meets only the columns priced below row_cap[row] (its score bound less its floor:
    dearer ones cannot clear it), cheapest first; on 100k x 30k that is about a seventh of
    its cluster's columns. Per given row, what is left out is bounded twice: by the largest
    score - col_price of the scored arcs left out, and by the cheapest column not scored.
    Arcs whose code (row * cols.n + col) is in one of the sorted `skip` arrays are treated
    as absent: they are priced elsewhere, and must not take the place of an unknown one."""
    out_r: list[I64] = []
    out_c: list[I64] = []
    out_v: list[F32] = []
    rest = np.full(len(t_rows), -np.inf)
    beyond = np.full(len(t_rows), np.inf)
    by_price = np.argsort(col_price[t_cols], kind="stable")
    s_cols = t_cols[by_price]
    price = col_price[s_cols]
    g_cols = cols.rep[s_cols]
    tables = column_tables(f, g_cols)
    col_pos = np.full(f.n, -1, dtype=np.int64)
    col_pos[g_cols] = np.arange(len(g_cols))
    by_cap = np.argsort(row_cap[t_rows], kind="stable")
    need = np.searchsorted(price, row_cap[t_rows[by_cap]], side="left")
    chunks = _width_chunks(need)
    n_cols = max(cols.n, 1)
    rank = np.full(n_cols, -1, dtype=np.int64)
    rank[s_cols] = np.arange(len(s_cols))

    def one(chunk: tuple[int, int]) -> tuple[I64, I64, F32, npt.NDArray[np.float64], int]:
        begin, end = chunk
        width = int(need[end - 1])
        chunk_t = t_rows[by_cap[begin:end]]
        if not width:
            e = np.zeros(0, dtype=np.int64)
            return e, e, np.zeros(0, np.float32), np.full(end - begin, -np.inf), width
        chunk_p = rows.rep[chunk_t]
        # forbidden cells and the skipped arcs are left out alike
        off = [forbidden.block_cells(chunk_p, col_pos, width)]
        for codes in skip:
            local, col = _row_codes(codes, chunk_t, n_cols)
            at = rank[col]
            inside = (at >= 0) & (at < width)
            off.append((local[inside], at[inside]))
        local = np.concatenate([part[0] for part in off])
        order = np.argsort(local, kind="stable")
        off_ptr = np.searchsorted(local[order], np.arange(len(chunk_t) + 1))
        off_col = np.concatenate([part[1] for part in off])[order]
        people, table_rows, w_goal, fit = block_inputs(f, chunk_p, tables)
        # prices run to millions of weight units: gains are float64
        r, c, v, left_out = rescore_rows(
            people, table_rows, w_goal, fit, off_ptr, off_col, price[:width],
            row_floor[chunk_t], per_row,
        )  # fmt: skip
        return chunk_t[r], s_cols[c], v, left_out, width

    for (begin, end), (r, c, v, left_out, width) in zip(
        chunks, ordered_map(one, chunks), strict=True
    ):
        out_r.append(r)
        out_c.append(c)
        out_v.append(v)
        at = by_cap[begin:end]
        rest[at] = left_out
        if width < len(price):
            beyond[at] = price[width]
    if not out_r:
        e = np.zeros(0, dtype=np.int64)
        return Rescored(e, e, np.zeros(0, np.float32), rest, beyond)
    return Rescored(
        np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_v), rest, beyond
    )


def _row_codes(codes: I64, t_rows: I64, n_cols: int) -> tuple[I64, I64]:
    """(position in t_rows, column) of every code in the sorted `codes` whose row is one of
    t_rows: a row's codes are one run, found by two binary searches."""
    lo = np.searchsorted(codes, t_rows * n_cols)
    hi = np.searchsorted(codes, (t_rows + 1) * n_cols)
    counts = hi - lo
    local = np.repeat(np.arange(len(t_rows)), counts)
    return local, codes[np.repeat(lo, counts) + within(counts)] % n_cols


def _width_chunks(need: I64) -> list[tuple[int, int]]:
    """Consecutive (begin, end) runs of rows, each scoring at most BLOCK_CELLS cells when a
    run is as wide as its last (widest: `need` does not decrease) row."""
    chunks: list[tuple[int, int]] = []
    begin, n = 0, len(need)
    while begin < n:
        width = max(int(need[min(begin + 1, n) - 1]), 1)
        end = begin + max(1, BLOCK_CELLS // width)
        # the run's last row may be wider than its first: shrink until it fits
        while end - begin > 1 and (end - begin) * int(need[min(end, n) - 1]) > BLOCK_CELLS:
            end = begin + max(1, (end - begin) // 2)
        end = min(end, n)
        chunks.append((begin, end))
        begin = end
    return chunks


def bipartite_candidates(
    f: Features, forbidden: Forbidden, seekers: I64, givers: I64, k: int, k2: int
) -> tuple[I64, I64]:
    """Candidate (seeker, giver) participant-index pairs, deduplicated and sorted."""
    found_r: list[I64] = []
    found_c: list[I64] = []
    for rows, cols in _groups(f, seekers, givers):
        tables = column_tables(f, cols)
        col_pos = np.full(f.n, -1, dtype=np.int64)
        col_pos[cols] = np.arange(len(cols))
        step = max(1, BLOCK_CELLS // len(cols))
        # entries at or above a column's threshold may still be in its best k2; the
        # threshold only rises (the k2-th best of any chunk bounds the overall k2-th best)
        threshold = np.full(len(cols), FLOOR, dtype=np.float32)
        hit_v: list[F32] = []
        hit_r: list[I64] = []
        hit_c: list[I64] = []
        for begin in range(0, len(rows), step):
            chunk = rows[begin : begin + step]
            block = block_scores(f, chunk, tables)
            forbidden.apply(block, chunk, col_pos)
            # Look-alike people tie; a tiny pair-specific jitter makes each side break
            # those ties differently instead of all keeping the same few.
            block += _jitter(chunk, cols)
            r, c = _top_rows(block, k)
            found_r.append(chunk[r])
            found_c.append(cols[c])
            # A mentor keeps the mentees it costs least to give it: the score gap to each
            # mentee's own best, so row-wide terms (waiting, priority) cannot make every
            # mentor keep the same few mentees and strand free slots.
            best = block.max(axis=1)
            block -= np.where(np.isfinite(best), best, 0)[:, None]
            if len(chunk) > k2:
                kth = np.partition(block, len(chunk) - k2, axis=0)[len(chunk) - k2]
                np.maximum(threshold, kth, out=threshold)
            r, c = cells(block >= threshold[None, :])
            hit_v.append(block[r, c])
            hit_r.append(chunk[r])
            hit_c.append(c.astype(np.int64))
        kept_r, kept_c = _best_per_column(hit_v, hit_r, hit_c, k2)
        found_r.append(kept_r)
        found_c.append(cols[kept_c])
    return _dedupe(f.n, found_r, found_c, symmetric=False)


def _best_per_column(vals: list[F32], rows: list[I64], cols: list[I64], k2: int) -> tuple[I64, I64]:
    """(row, col) of the k2 best values of every column; equal values keep earlier rows."""
    if not vals:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    v, r, c = np.concatenate(vals), np.concatenate(rows), np.concatenate(cols)
    # one int64 key: column, then value descending via its order-preserving integer image
    bits = (-v).view(np.int32).astype(np.int64)
    bits ^= (bits >> 31) & 0x7FFFFFFF
    order = np.argsort(c * (1 << 33) + bits + (1 << 32), kind="stable")
    c_sorted = c[order]
    rank = np.arange(len(order)) - np.searchsorted(c_sorted, c_sorted, side="left")
    keep = order[rank < k2]
    return r[keep], c[keep]


_JITTER_MOD = 9973


def _jitter(rows: I64, cols: I64) -> F32:
    """Deterministic noise in [0, 1e-5) per (row, col): far below one score unit (1e-3).

    (a*r + b*c) mod m, computed as the sum of the two residues folded once, so the block
    costs one int32 add and compare instead of an int64 multiply and modulo per cell.
    """
    ra = ((rows * 2654435761) % _JITTER_MOD).astype(np.int32)
    cb = ((cols * 40503) % _JITTER_MOD).astype(np.int32)
    mixed = ra[:, None] + cb[None, :]
    mixed -= _JITTER_MOD * (mixed >= _JITTER_MOD)
    return (mixed * np.float32(1e-5 / _JITTER_MOD)).astype(np.float32)


def _dedupe(n: int, rows: list[I64], cols: list[I64], symmetric: bool) -> tuple[I64, I64]:
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    r = np.concatenate(rows).astype(np.int64)
    c = np.concatenate(cols).astype(np.int64)
    if symmetric:
        r, c = np.minimum(r, c), np.maximum(r, c)
    codes = np.unique(r * n + c)
    return codes // n, codes % n


def peer_candidates(
    f: Features, forbidden: Forbidden, pool: I64, k: int, window: int
) -> tuple[I64, I64]:
    """Candidate peer pairs (a < b), each person keeping its best k inside its windows.

    Per cluster, people seeking in it (rows) meet the `window` people offering in it
    (cols) nearest in working-time position; a pair is found from either side's goals.
    """
    table = interval_table(f.patterns, f.config.week_start)
    first = table[:, 0, :]
    centre = ((first[:, 0] + first[:, 1]) // 2) % 1440
    order_key = centre[f.pattern].astype(np.int64) * 1000 + f.level
    seekers: dict[int, list[int]] = defaultdict(list)
    givers: dict[int, list[int]] = defaultdict(list)
    loose: list[int] = []
    for i, has_loose in zip(pool.tolist(), _loose_goals(f, pool), strict=True):
        if not f.goal_clusters[i] or has_loose:
            loose.append(i)
        for c in f.goal_clusters[i]:
            seekers[c].append(i)
        for c in f.offer_clusters[i]:
            givers[c].append(i)
    groups = [
        (np.array(seekers[c], dtype=np.int64), np.array(givers[c], dtype=np.int64))
        for c in sorted(seekers)
        if givers.get(c)
    ]
    if loose:
        groups.append((np.array(loose, dtype=np.int64), pool))
    if not f.config.require_goal_fit:
        groups = [(pool, pool)]
    found_r: list[I64] = []
    found_c: list[I64] = []
    half = max(window // 2, 1)
    col_pos = np.full(f.n, -1, dtype=np.int64)
    for rows, cols_all in groups:
        rows = rows[np.argsort(order_key[rows], kind="stable")]
        cols_all = cols_all[np.argsort(order_key[cols_all], kind="stable")]
        col_keys = order_key[cols_all]
        step = max(1, min(BLOCK_CELLS // min(len(cols_all), window + 1), window))
        for begin in range(0, len(rows), step):
            chunk = rows[begin : begin + step]
            if len(cols_all) <= window + step:
                cols = cols_all
            else:
                lo = int(np.searchsorted(col_keys, order_key[chunk[0]])) - half
                hi = int(np.searchsorted(col_keys, order_key[chunk[-1]], side="right")) + half
                lo, hi = max(0, min(lo, len(cols_all) - window)), min(len(cols_all), hi)
                cols = cols_all[lo : max(hi, lo + window)]
            tables = column_tables(f, cols)
            col_pos[cols] = np.arange(len(cols))
            block = block_scores(f, chunk, tables)
            mine = col_pos[chunk]
            inside = mine >= 0
            block[np.nonzero(inside)[0], mine[inside]] = -np.inf
            forbidden.apply(block, chunk, col_pos)
            r, c = _top_rows(block, k)
            found_r.append(chunk[r])
            found_c.append(cols[c])
            col_pos[cols] = -1
    return _dedupe(f.n, found_r, found_c, symmetric=True)
