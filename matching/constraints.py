"""Person-to-person hard rules (reporting line, never-match, past pairs) as a sparse graph.

These rules touch few pairs per person, so they live in a symmetric CSR adjacency over
participant indices and are applied to score blocks as -inf entries; the rules that depend
on attributes only (overlap, language, goal fit) are masks inside matching.scoring.
The one directed rule is strict reverse mentoring: row = seeker, neighbour = a giver who
may not guide them (not more junior). Every reader looks pairs up as (seeker, giver), and
reverse programs are small, so its O(seekers x givers) entries stay cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.compiled import compiled
from matching.problem import Participant, ProgramConfig

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]

REPORTING_LINE = 1
NEVER_MATCH = 2
PAST_PAIR = 4
SAME_PERSON = 8
JUNIOR_RULE = 16
KIND_WORDS = {
    REPORTING_LINE: "reporting line",
    NEVER_MATCH: "exclusion list",
    PAST_PAIR: "past pair",
    SAME_PERSON: "same person",
    JUNIOR_RULE: "mentors must be junior",
}
SEEKING = frozenset({"mentee", "both"})
GIVING = frozenset({"mentor", "both"})


def contains(sorted_codes: I64, codes: I64) -> npt.NDArray[np.bool_]:
    """Whether each of `codes` is in `sorted_codes` (ascending); a binary search, which is
    far faster than np.isin's hashing on the millions of codes a round checks."""
    if not len(sorted_codes):
        return np.zeros(len(codes), dtype=np.bool_)
    at = np.minimum(np.searchsorted(sorted_codes, codes), len(sorted_codes) - 1)
    found: npt.NDArray[np.bool_] = sorted_codes[at] == codes
    return found


def within(counts: I64) -> I64:
    """0, 1, ..., counts[i] - 1 for each i in turn: each item's place in its run, for runs
    of the given lengths laid end to end."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def _pack(codes: I64, shift: int) -> None:
    for i in range(len(codes)):
        codes[i] = (codes[i] << shift) | i


def _distinct(
    keys: I64, flags: npt.NDArray[np.bool_], shift: int
) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Over sorted (code, position) keys: write each distinct code once to the front of
    `keys` (in place: the write never passes the read), and return its first position and
    whether any copy is flagged."""
    low = (1 << shift) - 1
    count = 0
    for i in range(len(keys)):
        if i == 0 or keys[i] >> shift != keys[i - 1] >> shift:
            count += 1
    first = np.empty(count, np.int64)
    flagged = np.zeros(count, np.bool_)
    j = -1
    last = -1
    for i in range(len(keys)):
        code, at = keys[i] >> shift, keys[i] & low
        if j < 0 or code != last:
            j += 1
            first[j] = at
            keys[j] = code
            last = code
        if flags[at]:
            flagged[j] = True
    return first, flagged


_pack = compiled(_pack)
_distinct = compiled(_distinct)


def first_copies(
    codes: I64, flags: npt.NDArray[np.bool_]
) -> tuple[I64, I64, npt.NDArray[np.bool_]]:
    """(each distinct code in order, the position of its first copy, whether any copy is
    flagged), as np.unique(codes, return_index=True) would find them. `codes` is used up:
    one in-place sort of (code, position) packed into its own int64s, so that the 11M codes
    of a 100k x 30k round take no new memory but the answer's (first touches are dear on our
    VMs): 0.43 s, where packing into new arrays took 0.5-0.6 s (3.1 s with huge pages)."""
    n = len(codes)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.bool_)
    shift = max(n - 1, 1).bit_length()
    if int(codes.max()) >= 1 << (63 - shift) or int(codes.min()) < 0:
        distinct, first, copy_of = np.unique(codes, return_index=True, return_inverse=True)
        return distinct, first, np.bincount(copy_of, weights=flags, minlength=len(first)) > 0
    _pack(codes, shift)
    codes.sort()
    first, flagged = _distinct(codes, flags, shift)
    return codes[: len(first)], first, flagged


def cells(mask: npt.NDArray[np.bool_]) -> tuple[I64, I64]:
    """(rows, cols) of the True cells of a 2-D mask, row by row: np.nonzero's answer, from
    flat positions, which is about ten times faster on score blocks of millions of cells."""
    flat = np.flatnonzero(mask)
    width = max(mask.shape[1], 1)
    rows = flat // width
    return rows, flat - rows * width


@dataclass(frozen=True)
class Forbidden:
    """Forbidden pairs: neighbours of i are nbr[ptr[i]:ptr[i+1]], with kind bits (symmetric
    but for the junior rule, whose entries read row = seeker, neighbour = giver)."""

    ptr: I64
    nbr: I64
    kind: npt.NDArray[np.int8]

    def neighbours(self, i: int) -> I64:
        return self.nbr[self.ptr[i] : self.ptr[i + 1]]

    def kinds_between(self, i: int, j: int) -> int:
        span = slice(int(self.ptr[i]), int(self.ptr[i + 1]))
        hits = self.kind[span][self.nbr[span] == j]
        return int(np.bitwise_or.reduce(hits)) if len(hits) else 0

    def is_forbidden(self, i: int, j: int) -> bool:
        return bool(np.any(self.neighbours(i) == j))

    def pair_mask(self, left: I64, right: I64) -> npt.NDArray[np.bool_]:
        """Whether each pair (left[k], right[k]) is forbidden."""
        n = len(self.ptr) - 1
        # CSR order is row-major with sorted neighbours, so the codes are already sorted
        codes = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.ptr)) * n + self.nbr
        return contains(codes, left.astype(np.int64) * n + right)

    def apply(self, block: F32, rows: I64, col_pos: I64) -> None:
        """Set block[r, c] = -inf for forbidden (rows[r], col) pairs, and where a row meets
        itself (a "both" person: the exact check refuses it, and a rescore kept it as a
        row's best arc again and again); col_pos maps index->c (columns at or past the
        block's width are not in it)."""
        local, cols = self.block_cells(rows, col_pos, block.shape[1])
        block[local, cols] = -np.inf

    def block_cells(self, rows: I64, col_pos: I64, width: int) -> tuple[I64, I64]:
        """(r, c) of the cells `apply` forbids in a block of `width` columns, by row."""
        own = col_pos[rows]
        inside = (own >= 0) & (own < width)
        starts, ends = self.ptr[rows], self.ptr[rows + 1]
        counts = ends - starts
        local = np.repeat(np.arange(len(rows)), counts)
        cols = col_pos[self.nbr[np.repeat(starts, counts) + within(counts)]]
        keep = (cols >= 0) & (cols < width)
        local = np.concatenate([np.flatnonzero(inside), local[keep]])
        cols = np.concatenate([own[inside], cols[keep]])
        order = np.argsort(local, kind="stable")
        return local[order], cols[order]


def forbidden_pairs(people: tuple[Participant, ...], config: ProgramConfig) -> Forbidden:
    """Pairs of participant indices that may never be matched, whatever the score."""
    by_person: dict[int, list[int]] = defaultdict(list)
    for index, p in enumerate(people):
        by_person[p.person_id].append(index)
    ends: list[int] = []  # (a, b, kind) flattened; both directions are added
    kind_of: list[int] = []

    def add(a: int, others: Iterable[int], kind: int) -> None:
        for b in others:
            if a != b:
                ends.extend((a, b, b, a))
                kind_of.extend((kind, kind))

    for indices in by_person.values():
        for a in indices:
            add(a, indices, SAME_PERSON)
    depth = max(config.reporting_line_depth, 0)
    for index, p in enumerate(people):
        for manager in p.manager_chain[:depth]:
            add(index, by_person.get(manager, ()), REPORTING_LINE)
        for person in p.never_match:
            add(index, by_person.get(person, ()), NEVER_MATCH)
    for pair in config.past_pairs:
        ids = sorted(pair)
        if len(ids) == 2:
            for a in by_person.get(ids[0], ()):
                add(a, by_person.get(ids[1], ()), PAST_PAIR)
    n = len(people)
    # merged per pair in arrays: a dict of tuples took 3.4 s for 130k people with managers
    flat = np.array(ends, dtype=np.int64).reshape(-1, 2)
    codes, where = np.unique(flat[:, 0] * max(n, 1) + flat[:, 1], return_inverse=True)
    kinds = np.zeros(len(codes), dtype=np.int8)
    np.bitwise_or.at(kinds, where, np.array(kind_of, dtype=np.int8))
    keys = np.stack([codes // max(n, 1), codes % max(n, 1)], axis=1)
    if config.junior_mentors_only and config.reverse and config.format != "peer":
        keys, kinds = _with_junior_rule(people, keys, kinds)
    if not len(keys):
        return Forbidden(
            np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int8)
        )
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(ptr, keys[:, 0] + 1, 1)
    return Forbidden(np.cumsum(ptr), keys[:, 1].copy(), kinds)


def junior_rule_pairs(people: tuple[Participant, ...]) -> npt.NDArray[np.int64]:
    """(seeker, giver) index pairs the strict reverse rule forbids: the giver is not more
    junior than the seeker (same level included), as an (m, 2) array."""
    levels = np.array([p.seniority for p in people], dtype=np.int64)
    seekers = np.array([i for i, p in enumerate(people) if p.role in SEEKING], dtype=np.int64)
    givers = np.array([i for i, p in enumerate(people) if p.role in GIVING], dtype=np.int64)
    if not len(seekers) or not len(givers):
        return np.zeros((0, 2), dtype=np.int64)
    banned = levels[givers][None, :] >= levels[seekers][:, None]
    rows, cols = np.nonzero(banned)
    out: I64 = np.stack([seekers[rows], givers[cols]], axis=1)
    kept: I64 = out[out[:, 0] != out[:, 1]]
    return kept


def _with_junior_rule(
    people: tuple[Participant, ...], keys: I64, kinds: npt.NDArray[np.int8]
) -> tuple[I64, npt.NDArray[np.int8]]:
    """The pairs sorted by (row, neighbour) with the junior rule's directed pairs merged in."""
    extra = junior_rule_pairs(people)
    n = max(len(people), 1)
    codes = np.concatenate([keys[:, 0] * n + keys[:, 1], extra[:, 0] * n + extra[:, 1]])
    bits = np.concatenate([kinds, np.full(len(extra), JUNIOR_RULE, dtype=np.int8)])
    unique, inverse = np.unique(codes, return_inverse=True)
    merged = np.zeros(len(unique), dtype=np.int8)
    np.bitwise_or.at(merged, inverse, bits)
    return np.stack([unique // n, unique % n], axis=1), merged
