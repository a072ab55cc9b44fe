"""Peer pairing in one pool: a max-cover cycle cover, split exactly into pairs.

An optimal assignment on the symmetric candidate graph (every edge in both directions, solved
as the same min-cost flow as 1:1 matching) is a set of disjoint paths and cycles covering
as many people as any pairing can; its size halved bounds the number of pairs. Each path or
cycle is split into pairs by an exact dynamic programme (most pairs, then most weight).
People left over are re-paired among themselves, then offered a place in a trio.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.solve_bipartite import solve_flow

I64 = npt.NDArray[np.int64]
Value = tuple[int, int]  # (pairs, weight), compared lexicographically


@dataclass(frozen=True)
class PeerPairing:
    pairs: list[tuple[int, int]]
    bound: int  # no pairing of this candidate graph has more pairs (cover edges // 2)


def _path_pairs(nodes: Sequence[int], weight: Callable[[int, int], int]) -> list[tuple[int, int]]:
    """Best pairing of consecutive nodes on a path (most pairs, then most weight)."""
    n = len(nodes)
    best: list[Value] = [(0, 0)] * (n + 1)
    take = [False] * (n + 1)
    for t in range(2, n + 1):
        skip = best[t - 1]
        pair = best[t - 2][0] + 1, best[t - 2][1] + weight(nodes[t - 2], nodes[t - 1])
        best[t], take[t] = (pair, True) if pair > skip else (skip, False)
    out: list[tuple[int, int]] = []
    t = n
    while t >= 2:
        if take[t]:
            out.append((nodes[t - 2], nodes[t - 1]))
            t -= 2
        else:
            t -= 1
    return out


def _value(pairs: list[tuple[int, int]], weight: Callable[[int, int], int]) -> Value:
    return len(pairs), sum(weight(a, b) for a, b in pairs)


def split_component(
    nodes: Sequence[int], cycle: bool, weight: Callable[[int, int], int]
) -> list[tuple[int, int]]:
    """Pairs along one path or cycle of the cover."""
    if not cycle or len(nodes) < 3:
        return _path_pairs(nodes, weight)
    # A cycle either leaves its closing edge out (a path) or uses it (and the rest is a path).
    open_path = _path_pairs(nodes, weight)
    closed = [(nodes[-1], nodes[0]), *_path_pairs(nodes[1:-1], weight)]
    return max(open_path, closed, key=lambda pairs: _value(pairs, weight))


def pair_up(a: I64, b: I64, w: I64) -> PeerPairing:
    """Pairs from undirected candidate edges (a[e], b[e]) with weights w[e] >= 0."""
    if len(a) == 0:
        return PeerPairing([], 0)
    left = np.concatenate([a, b])
    right = np.concatenate([b, a])
    weights = np.concatenate([w, w])
    capacity = np.ones(int(max(a.max(), b.max())) + 1, dtype=np.int64)
    chosen = solve_flow(left, right, weights, capacity)
    succ = dict(zip(left[chosen].tolist(), right[chosen].tolist(), strict=True))
    # Consecutive nodes of a path or cycle are always joined by a chosen arc.
    lookup: dict[tuple[int, int], int] = {}
    for x, y, value in zip(
        left[chosen].tolist(), right[chosen].tolist(), weights[chosen].tolist(), strict=True
    ):
        lookup[(x, y)] = lookup[(y, x)] = value

    def weight(x: int, y: int) -> int:
        return lookup[(x, y)]

    has_pred = set(succ.values())
    seen: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for start in sorted(succ):
        if start in has_pred:
            continue
        path = [start]
        while path[-1] in succ:
            path.append(succ[path[-1]])
        seen.update(path)
        pairs.extend(split_component(path, False, weight))
    for start in sorted(succ):
        if start in seen:
            continue
        cycle = [start]
        seen.add(start)
        while succ[cycle[-1]] != start:
            cycle.append(succ[cycle[-1]])
            seen.add(cycle[-1])
        pairs.extend(split_component(cycle, True, weight))
    return PeerPairing([(min(x, y), max(x, y)) for x, y in pairs], int(chosen.sum()) // 2)
