"""Circles: one mentor with circle_min..circle_max mentees who share a goal cluster.

A circle is a group, so every hard rule holds between every two of its members, not only
mentor and mentee: no exclusion list, reporting line, past pair or the same person between
any two; one language everyone who lists languages speaks; and at least min_overlap_hours a
week when all of them are working. None of that is a flow constraint, so two solvers run and
the better is kept (most placed, then most weight): best-edge-first greedy, and the exact
1:1 flow over (mentor, cluster) nodes whose circles are then cut to what the group rules
allow and filled greedily. So the result never places fewer than greedy does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matching.constraints import Forbidden
from matching.scoring import Features
from matching.solve_bipartite import solve_flow
from matching.timing import interval_table

I64 = npt.NDArray[np.int64]
MAX_ROUNDS = 25
ANY = -1  # the cluster of a circle whose mentees named no clustered goal


@dataclass(frozen=True)
class Circle:
    mentor: int  # participant index
    cluster: int  # cluster index, -1 when its mentees named no clustered goal
    mentees: tuple[int, ...]
    minutes: int  # a week, when every member is working


@dataclass
class _Open:
    mentor: int
    cluster: int
    size: int
    mentees: list[int] = field(default_factory=list)
    weight: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)
    languages: frozenset[str] | None = None  # None: nobody listed any


class Group:
    """The person-to-person and group rules of a circle, checked member by member."""

    def __init__(self, f: Features, forbidden: Forbidden) -> None:
        self.f = f
        self.forbidden = forbidden
        table = interval_table(f.patterns, f.config.week_start)
        self.spans = [
            [(int(b), int(e)) for b, e in table[p] if e > b] for p in range(len(f.patterns))
        ]
        self.need = f.config.min_overlap_hours * 60 - 1e-9
        self.langs = [frozenset(x.lower() for x in p.languages) for p in f.people]

    def open(self, mentor: int, cluster: int, size: int) -> _Open:
        circle = _Open(mentor, cluster, size)
        circle.spans = list(self.spans[int(self.f.pattern[mentor])])
        circle.languages = self.langs[mentor] or None
        return circle

    def fits(
        self, circle: _Open, mentee: int
    ) -> tuple[list[tuple[int, int]], frozenset[str] | None] | None:
        """The circle's common hours and languages with `mentee` in it, or None if a rule
        between the mentee and any member (or the group as a whole) forbids it."""
        near = self.forbidden.neighbours(mentee)
        if len(near) and np.isin(near, [circle.mentor, *circle.mentees]).any():
            return None
        mine = self.langs[mentee]
        languages = circle.languages
        if mine:
            languages = mine if languages is None else languages & mine
            if not languages:
                return None
        spans = _intersect(circle.spans, self.spans[int(self.f.pattern[mentee])])
        if sum(e - b for b, e in spans) < self.need:
            return None
        return spans, languages

    def join(self, circle: _Open, mentee: int, weight: int) -> bool:
        fit = self.fits(circle, mentee)
        if fit is None:
            return False
        circle.spans, circle.languages = fit
        circle.mentees.append(mentee)
        circle.weight += weight
        return True


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _shared(f: Features, mentee: int, mentor: int) -> list[int]:
    goals = f.goal_clusters[mentee]
    if not goals:
        return sorted(f.offer_clusters[mentor]) or [ANY]
    return sorted(goals & f.offer_clusters[mentor])


def _greedy(
    f: Features,
    group: Group,
    a: I64,
    b: I64,
    w: I64,
    size: I64,
    seed: dict[int, _Open] | None = None,
) -> dict[int, _Open]:
    """Heaviest edge first into the mentor's circle (opened on the edge's shared cluster);
    circles left below the minimum close and their mentor sits out, until none is."""
    closed: set[int] = set()
    for _ in range(MAX_ROUNDS):
        circles = {j: _copy(c) for j, c in (seed or {}).items() if j not in closed}
        placed = {m for c in circles.values() for m in c.mentees}
        for e in np.lexsort((b, a, -w)).tolist():
            i, j = int(a[e]), int(b[e])
            if i in placed or j in closed:
                continue
            circle = circles.get(j)
            shared = _shared(f, i, j)
            if circle is None:
                if not shared:
                    continue
                circle = group.open(j, shared[0], int(size[j]))
                if group.join(circle, i, int(w[e])):
                    circles[j] = circle
                    placed.add(i)
                continue
            if len(circle.mentees) >= circle.size:
                continue
            if circle.cluster not in shared and f.goal_clusters[i]:
                continue
            if group.join(circle, i, int(w[e])):
                placed.add(i)
        small = {j for j, c in circles.items() if len(c.mentees) < f.config.circle_min}
        if not small:
            return circles
        closed |= small
    return {j: c for j, c in circles.items() if len(c.mentees) >= f.config.circle_min}


def _copy(circle: _Open) -> _Open:
    return _Open(
        circle.mentor,
        circle.cluster,
        circle.size,
        list(circle.mentees),
        circle.weight,
        list(circle.spans),
        circle.languages,
    )


def _by_flow(f: Features, group: Group, a: I64, b: I64, w: I64, size: I64) -> dict[int, _Open]:
    """The exact 1:1 flow over (mentor, cluster) nodes, each mentor keeping the cluster
    that drew the most; each circle then keeps, heaviest first, the mentees the group rules
    allow, and greedy fills the rest."""
    n_clusters = len(f.clusters) + 1
    rows: list[int] = []
    nodes: list[int] = []
    for e, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        for c in _shared(f, i, j):
            rows.append(e)
            nodes.append(j * n_clusters + (c if c >= 0 else n_clusters - 1))
    edge = np.array(rows, dtype=np.int64)
    node = np.array(nodes, dtype=np.int64)
    alive = size[node // n_clusters] >= f.config.circle_min if len(node) else np.zeros(0, bool)
    chosen = np.zeros(len(edge), dtype=np.bool_)
    for _ in range(MAX_ROUNDS):
        live = np.flatnonzero(alive)
        node_cap = np.zeros(int(node.max(initial=0)) + 1, dtype=np.int64)
        node_cap[node] = size[node // n_clusters]
        picked = solve_flow(a[edge[live]], node[live], w[edge[live]], node_cap)
        chosen[:] = False
        chosen[live[picked]] = True
        counts = np.bincount(node[chosen], minlength=len(node_cap))
        weight = np.bincount(node[chosen], weights=w[edge[chosen]], minlength=len(node_cap))
        keep: dict[int, int] = {}
        for code in np.flatnonzero(counts).tolist():
            mentor = code // n_clusters
            if mentor not in keep or (counts[code], weight[code]) > (
                counts[keep[mentor]],
                weight[keep[mentor]],
            ):
                keep[mentor] = code
        keep_code = np.full(len(size), -1, dtype=np.int64)
        for mentor, code in keep.items():
            keep_code[mentor] = code
        owner = node // n_clusters
        drop = alive & (keep_code[owner] >= 0) & (node != keep_code[owner])
        if not drop.any():
            break
        alive &= ~drop
    circles: dict[int, _Open] = {}
    for e in np.flatnonzero(chosen)[np.argsort(-w[edge[chosen]], kind="stable")].tolist():
        i, code = int(a[edge[e]]), int(node[e])
        j, c = code // n_clusters, code % n_clusters
        circle = circles.get(j)
        if circle is None:
            circle = circles[j] = group.open(j, c if c < n_clusters - 1 else ANY, int(size[j]))
        group.join(circle, i, int(w[edge[e]]))
    return _greedy(f, group, a, b, w, size, seed=circles)


def form_circles(
    f: Features, forbidden: Forbidden, a: I64, b: I64, w: I64, capacity: I64
) -> tuple[list[Circle], str]:
    """Circles from feasible edges (mentee a[e], mentor b[e]) and which solver won."""
    size = np.minimum(capacity, f.config.circle_max)
    group = Group(f, forbidden)
    best: dict[int, _Open] = {}
    winner = ""
    for name, solve in (("greedy", _greedy), ("flow", _by_flow)):
        found = solve(f, group, a, b, w, size)
        value = (sum(len(c.mentees) for c in found.values()), sum(c.weight for c in found.values()))
        if not winner or value > (
            sum(len(c.mentees) for c in best.values()),
            sum(c.weight for c in best.values()),
        ):
            best, winner = found, name
    out = [
        Circle(
            j,
            c.cluster,
            tuple(sorted(c.mentees)),
            sum(e - s for s, e in c.spans),
        )
        for j, c in sorted(best.items())
    ]
    return out, winner
