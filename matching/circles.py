"""Circles: one mentor with circle_min..circle_max mentees who share a goal cluster.

Each (mentor, cluster) is a flow node, so the exact 1:1 solver places mentees by cluster;
then each mentor keeps the cluster that drew the most mentees, and circles below the
minimum size are closed and the flow solved again without them. One circle per mentor and
the minimum size are not flow constraints, so this loop is a heuristic (it converges in a
few rounds because every round closes at least one node).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.scoring import Features
from matching.solve_bipartite import solve_flow

I64 = npt.NDArray[np.int64]
MAX_ROUNDS = 25


@dataclass(frozen=True)
class Circle:
    mentor: int  # participant index
    cluster: int  # cluster index, -1 when its mentees named no clustered goal
    mentees: tuple[int, ...]


def form_circles(
    f: Features, a: I64, b: I64, w: I64, capacity: I64
) -> tuple[list[Circle], set[int]]:
    """Circles from candidate edges (mentee a[e], mentor b[e]); also mentees of closed ones."""
    n_clusters = len(f.clusters) + 1  # last code: "any cluster" for mentees without goals
    rows: list[int] = []
    nodes: list[int] = []
    for e, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        shared = f.goal_clusters[i] & f.offer_clusters[j]
        if not f.goal_clusters[i]:
            shared = f.offer_clusters[j] or frozenset({n_clusters - 1})
        for c in sorted(shared):
            rows.append(e)
            nodes.append(j * n_clusters + c)
    edge = np.array(rows, dtype=np.int64)
    node = np.array(nodes, dtype=np.int64)
    size = np.minimum(capacity, f.config.circle_max)
    alive = np.ones(len(edge), dtype=np.bool_)
    alive &= size[node // n_clusters] >= f.config.circle_min
    closed: set[int] = set()
    chosen = np.zeros(len(edge), dtype=np.bool_)
    for _ in range(MAX_ROUNDS):
        live = np.nonzero(alive)[0]
        node_cap = np.zeros(int(node.max(initial=0)) + 1, dtype=np.int64)
        node_cap[node] = size[node // n_clusters]
        picked = solve_flow(a[edge[live]], node[live], w[edge[live]], node_cap)
        chosen[:] = False
        chosen[live[picked]] = True
        counts = np.bincount(node[chosen], minlength=len(node_cap))
        weight = np.bincount(node[chosen], weights=w[edge[chosen]], minlength=len(node_cap))
        changed = False
        keep: dict[int, int] = {}
        for code in np.nonzero(counts)[0].tolist():
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
        if drop.any():
            alive &= ~drop
            changed = True
        else:
            small = [code for code in keep.values() if counts[code] < f.config.circle_min]
            for code in small:
                alive &= node // n_clusters != code // n_clusters
                changed = True
                closed.update(a[edge[chosen & (node == code)]].tolist())
        if not changed:
            break
    circles: dict[int, list[int]] = {}
    for e in np.nonzero(chosen)[0].tolist():
        circles.setdefault(int(node[e]), []).append(int(a[edge[e]]))
    out = []
    for code, members in sorted(circles.items()):
        if len(members) < f.config.circle_min:
            closed.update(members)
            continue
        cluster = code % n_clusters
        out.append(
            Circle(
                code // n_clusters,
                cluster if cluster < n_clusters - 1 else -1,
                tuple(sorted(members)),
            )
        )
    placed = {m for c in out for m in c.mentees}
    return out, closed - placed
