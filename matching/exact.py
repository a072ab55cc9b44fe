"""The 1:1 round solved exactly on the full feasible graph, with a certificate that says so.

People who look alike are merged into types (matching.candidates.Types), so a roster of
look-alikes becomes a small transportation problem between types. One pass scores every
feasible type pair and keeps each row's best arcs (its reservoir) and a bound on the rest,
and each column's k2 best by gap to the row's best (without them, the first solve on
100k x 30k placed 81,815 of 90,000 and took 7 solves in all instead of 4);
the flow is solved on a few arcs per row and column, then priced with its duals: kept arcs
exactly, left-out ones through the row's bound (rows the bound cannot clear are scored
again against the columns cheap enough to matter, keeping their KEEP best arcs by gain that
are neither known nor refused by the exact check, and a new bound on the rest; a row whose
bound still does not clear is scored again at once). Every arc that could improve the
solution is added and the flow solved again, until no such arc is left
anywhere: then the solution is optimal on the full feasible graph. Keeping all of a
rescored row's near arcs instead held 42M arcs (4.5 GB) on 100k x 30k after the first,
poorly priced solve; KEEP = 8 holds 11M with the same number of solves. Likewise an arc
that carries nothing and is RETIRE from improving leaves the solved graph (once): OR-Tools
then solves about 1M arcs instead of 3.8M, and one that could improve comes back. When few
rows gained an improving arc (on 100k x 30k, 5 % before the third solve, and a handful in
the last round, which mostly proves there is nothing left), the last flow is repaired from
its prices (matching.warm_flow) instead of solved again.
OR-Tools holds the GIL through a solve, so a large solve runs in a forked child
(matching.forked) while the caller works on: during the first, it weighs the full pass's
arcs that the first graph left out; during each later one, it explains the pairs of the flow
before it (on 100k x 30k, 60,730 of the 90,000 pairs of the second solve stay to the end);
and each time, it sorts the known arcs that pricing looks new ones up in. A repair
(compiled, without the GIL) runs on a thread beside the same work. When known arcs already
improve and the next solve is a repair, the rest of the full graph is priced beside it too,
its arcs joining the round after: on 100k x 30k, after the second solve, 5,372 rows improve
on known arcs and 107 more on rescored ones, and that pricing took 1.5 s.

"Both" people must not mentor each other (that would be one pair twice); that rule is not a
flow constraint, so the weaker arc of such a pair is left out and the round solved again,
until none is left, and the result is checked before it is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from matching import forked
from matching.candidates import FullGraph, Types, full_graph, giver_types, rescore, seeker_types
from matching.compiled import compiled
from matching.constraints import Forbidden, contains, within
from matching.parallel import ordered_map
from matching.scoring import SCALE, Features, objective_weights, score_pairs
from matching.solve_bipartite import Duals, SolverError, duals, tier_units, transport
from matching.warm_flow import reoptimize

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
B = npt.NDArray[np.bool_]
# a cluster group's rows, columns, score bound, and bound on what a rescore left out
Bound = tuple[I64, I64, F32, npt.NDArray[np.float64], I64 | None]

RESERVOIR = 48  # arcs kept per row from the full pass (priced exactly, solved when needed)
# a row's best this many arcs (and each column's k2 best) make the first solved graph: on
# 100k x 30k, 10 gave 2.86M arcs solved in 8.7-10.5 s, 20 gave 4.16M in 13.6-16.9 s
# (interleaved), and both rounds then took 4 solves; 6 needed a 5th
LEAD = 10
ALL_CELLS = 250_000  # a cluster group this small keeps every feasible arc
NEAR = 25  # weight units: rescored arcs this close to improving are kept for later rounds
MAX_ROUNDS = 200
WEIGHT_CHUNK = 500_000  # arcs weighed at once
KEEP = 8  # arcs per row a rescore keeps at most (the rest stay behind the row's bound)
ACTIVATE = 4  # arcs per row brought into the solved graph per pricing round
RETIRE = 10  # weight units: solved arcs this far from improving, and idle, leave the graph
REACH = 25  # weight units: a rescore also scores columns this much dearer than it must
FLUSH_ARCS = 2_000_000  # newly scored arcs held before they join the known ones
# share of rows with an improving arc up to which the last flow is repaired, not solved
# again: on 100k x 30k a repair took 3.5 s for 5.3 % of rows (OR-Tools: 6.9-8.8 s) and
# 15 s for 23 % (OR-Tools: 7 s)
WARM_SHARE = 0.08
WARM_ARCS = 100_000  # below this OR-Tools takes well under a second: not worth a compile
FORK_ARCS = 200_000  # a solve this large runs in a child while the caller works on


@dataclass(frozen=True)
class Exact:
    """Placed pairs (participant indices) and how the round proved its optimality."""

    seekers: I64
    givers: I64
    certified: bool  # optimal on the full feasible graph (less `excluded` arcs)
    rounds: int  # flow solves
    arcs: int  # arcs in the last solved graph
    known_arcs: int  # arcs scored exactly (reservoir and rescored rows)
    seeker_types: int
    giver_types: int
    excluded: int  # arcs left out so that no two people mentor each other
    rescored_rows: int  # row types scored a second time because their bound was too loose
    penalty: int  # load-spreading cost paid, in weight units (SCALE per score point)
    had_edge_seekers: B  # per participant: has any feasible counterpart at all
    had_edge_givers: B
    seeker_kind: I64  # per participant: its mentee type (-1: none); look-alikes share one
    giver_kind: I64


def tier_table(capacity: I64, types: Types, load_spread: float) -> tuple[I64, I64]:
    """(tier_caps (types x tiers), tier_costs): the k-th mentee of a mentor costs
    load_spread * k score points, so first mentees go round before anyone has a second."""
    caps = capacity[types.members]
    kinds = types.of[types.members]
    n_tiers = max(int(caps.max(initial=1)), 1)
    table = np.zeros((types.n, n_tiers), dtype=np.int64)
    for k in range(n_tiers):
        table[:, k] = np.bincount(kinds, weights=caps > k, minlength=types.n).astype(np.int64)
    costs = np.rint(np.arange(n_tiers) * max(load_spread, 0.0) * SCALE).astype(np.int64)
    return table, costs


def _top_per(groups: I64, values: npt.NDArray[np.float64], k: int) -> B:
    """Mask of the k largest values within each group (ties: earlier positions first).

    One compiled pass that holds each group's k best so far. On 1.2M arcs waiting to come
    into the solved graph (k = ACTIVATE) the two argsorts it replaced took 0.42-0.50 s;
    this takes 0.06-0.14 s."""
    if not len(groups) or k < 1:
        return np.zeros(len(groups), dtype=np.bool_)
    return _top_k(groups, values, k, int(groups.max()) + 1)


def _top_k(groups: I64, values: npt.NDArray[np.float64], k: int, n_groups: int) -> B:
    held = np.full((n_groups, k), -1, np.int64)  # per group, positions best first
    count = np.zeros(n_groups, np.int64)
    for i in range(len(groups)):
        g, x = groups[i], values[i]
        j = count[g]
        if j == k:
            if values[held[g, k - 1]] >= x:
                continue  # no better than the k held: an earlier position wins a tie
            j = k - 1
        else:
            count[g] = j + 1
        while j > 0 and values[held[g, j - 1]] < x:
            held[g, j] = held[g, j - 1]
            j -= 1
        held[g, j] = i
    keep = np.zeros(len(groups), dtype=np.bool_)
    for g in range(n_groups):
        for j in range(count[g]):
            keep[held[g, j]] = True
    return keep


_top_k = compiled(_top_k)


@dataclass
class _Arcs:
    """Every arc scored exactly so far; `active` marks those in the solved graph."""

    r: I64
    c: I64
    w: I64
    score: F32
    active: B
    retired: B  # taken out of the solved graph once (never twice: rounds cannot cycle)
    carry: npt.NDArray[np.int32]  # units on each arc in the last solve (the next starts there)
    ordered: I64 | None = None  # codes() sorted, kept until the arcs change

    def codes(self, n_cols: int) -> I64:
        return self.r * n_cols + self.c

    def sorted_codes(self, n_cols: int) -> I64:
        """codes() in order, for looking arcs up; sorted once per set of arcs (0.2-0.3 s on
        11M arcs), so a round can sort them while a child solves."""
        if self.ordered is None:
            self.ordered = np.sort(self.codes(n_cols))
        return self.ordered

    def add(self, found: list[tuple[I64, I64, I64, F32]]) -> None:
        """Append newly scored arcs (inactive), all of a round's at once: every append
        copies millions of known arcs."""
        if not found:
            return
        self.ordered = None
        self.r = np.concatenate([self.r, *(part[0] for part in found)])
        self.c = np.concatenate([self.c, *(part[1] for part in found)])
        self.w = np.concatenate([self.w, *(part[2] for part in found)])
        self.score = np.concatenate([self.score, *(part[3] for part in found)])
        more = np.zeros(len(self.r) - len(self.active), dtype=np.bool_)
        self.active = np.concatenate([self.active, more])
        self.retired = np.concatenate([self.retired, more])
        self.carry = np.concatenate([self.carry, np.zeros(len(more), dtype=np.int32)])

    def drop(self, keep: B) -> None:
        self.ordered = None
        self.r, self.c, self.w = self.r[keep], self.c[keep], self.w[keep]
        self.score, self.active = self.score[keep], self.active[keep]
        self.retired, self.carry = self.retired[keep], self.carry[keep]


def _retire(arcs: _Arcs, gain: I64, carrying: I64) -> None:
    """Take out of the solved graph the arcs that carry nothing and are more than RETIRE
    from improving, each at most once. The solve then runs on about 1M arcs of 100k x 30k
    instead of 3.8M; they stay known and priced, so one that could improve comes back."""
    idle = arcs.active & ~arcs.retired & (gain < -RETIRE)
    idle[carrying] = False
    arcs.active[idle] = False
    arcs.retired |= idle


def _activate(arcs: _Arcs, gain: I64) -> None:
    """Bring the arcs that could improve the solution into the solved graph: per row the
    ACTIVATE best by gain among those within NEAR of improving (the rest stay known and are
    priced again after the next solve), so the solved graph grows only where it must."""
    waiting = np.flatnonzero(~arcs.active & (gain > -NEAR))
    if not len(waiting):
        return
    best = _top_per(arcs.r[waiting], gain[waiting].astype(np.float64), ACTIVATE)
    arcs.active[waiting[best]] = True


def _gains(r: I64, c: I64, w: I64, u: I64, v: I64, big: int) -> I64:
    """big + w - u[r] - v[c] per arc: how far each arc is from improving (> 0: it would).
    One compiled pass: numpy held four temporaries of the 11M known arcs to say this."""
    out = np.empty(len(r), np.int64)
    for e in range(len(r)):
        out[e] = big + w[e] - u[r[e]] - v[c[e]]
    return out


def _improves_outside(r: I64, c: I64, w: I64, active: B, u: I64, v: I64, big: int) -> bool:
    """Whether an arc outside the solved graph would improve the solution (stops at the
    first)."""
    e = 0
    while e < len(r) and (active[e] or big + w[e] - u[r[e]] - v[c[e]] <= 0):
        e += 1
    return e < len(r)


_gains = compiled(_gains)
_improves_outside = compiled(_improves_outside)


def _exact_weights(
    f: Features,
    forbidden: Forbidden,
    rows: Types,
    cols: Types,
    r: I64,
    c: I64,
    threads: int | None = None,
) -> tuple[B, I64]:
    """Feasibility and integer weight of arcs (r, c), exactly (float64), in chunks so that
    millions of arcs never hold all their score components at once, on `threads` threads
    (default: every core; one beside a child's solve, which has the other)."""
    ok = np.zeros(len(r), dtype=np.bool_)
    w = np.zeros(len(r), dtype=np.int64)

    def weigh(begin: int) -> tuple[slice, B, I64]:
        part = slice(begin, begin + WEIGHT_CHUNK)
        a, b = rows.rep[r[part]], cols.rep[c[part]]
        scores = score_pairs(f, a, b)
        feasible = scores.feasible & ~forbidden.pair_mask(a, b)
        return part, feasible, objective_weights(f, a, scores.score)

    for part, feasible, weight in ordered_map(weigh, range(0, len(r), WEIGHT_CHUNK), threads):
        ok[part], w[part] = feasible, weight
    return ok, w


def _expand(
    rows: Types, cols: Types, slots: I64, slot_ptr: I64, r: I64, c: I64, x: I64
) -> tuple[I64, I64]:
    """Type flows -> person pairs, lowest indices first on both sides; a giver type hands
    out every member's first slot before anyone's second."""
    on = np.flatnonzero(x)  # sorting only the arcs that carry: 90k of the 1.1M solved
    r, c, x = r[on], c[on], x[on]
    if not len(r):
        e = np.zeros(0, dtype=np.int64)
        return e, e
    by_row = np.lexsort((c, r))
    row_off = np.zeros(len(r), dtype=np.int64)
    xs = x[by_row]
    rs = r[by_row]
    before = np.cumsum(xs) - xs
    first_of_row = np.searchsorted(rs, rs, side="left")
    row_off[by_row] = before - before[first_of_row]
    by_col = np.lexsort((r, c))
    col_off = np.zeros(len(r), dtype=np.int64)
    xc = x[by_col]
    cs = c[by_col]
    within_c = np.cumsum(xc) - xc
    first_of_col = np.searchsorted(cs, cs, side="left")
    col_off[by_col] = within_c - within_c[first_of_col]
    arc = np.repeat(np.arange(len(r)), x)
    unit = within(x)
    seekers = rows.members[rows.ptr[r[arc]] + row_off[arc] + unit]
    givers = slots[slot_ptr[c[arc]] + col_off[arc] + unit]
    return seekers, givers


def _tell_pairs(
    ahead: Callable[[I64, I64], None],
    rows: Types,
    cols: Types,
    slots: I64,
    slot_ptr: I64,
    arcs: _Arcs,
) -> None:
    """Hand `ahead` the person pairs of the last solved flow."""
    on = np.flatnonzero(arcs.carry)
    x = arcs.carry[on].astype(np.int64)
    ahead(*_expand(rows, cols, slots, slot_ptr, arcs.r[on], arcs.c[on], x))


def _meanwhile(
    work: Callable[[], None] | None, later: list[Callable[[], object]], arcs: _Arcs, n_cols: int
) -> None:
    """What the round does while a child solves or a repair runs: `work`, then the pricing
    left for later (emptying `later`), then sort the known arcs that pricing will look new
    ones up in (they do not change until it prices)."""
    if work is not None:
        work()
    _catch_up(later)
    arcs.sorted_codes(n_cols)


def _catch_up(later: list[Callable[[], object]]) -> None:
    """Run (and forget) the pricing left for later: the next pricing needs its arcs."""
    while later:
        later.pop(0)()


def _repairs(rows_up: I64, n_live: int, supply: I64) -> bool:
    """Whether a solve of n_live arcs, where rows `rows_up` have an improving arc, repairs
    the last flow (matching.warm_flow) rather than solve from nothing."""
    return n_live >= WARM_ARCS and len(np.unique(rows_up)) <= WARM_SHARE * len(supply)


@dataclass
class _Pricing:
    """The full graph beyond the known arcs, priced through bounds: per cluster group its
    rows, columns, score bound, and once rescored a bound on big + w - v of every arc left
    out (valid for the prices `snap`; nan: not yet)."""

    f: Features
    forbidden: Forbidden
    rows: Types
    cols: Types
    bonus: I64  # per row: SCALE for a priority mentee
    big: int
    bounds: list[Bound]
    infeasible: I64  # arcs the exact check refused (sorted codes)
    rescored: int = 0  # row types scored a second time

    def price(self, arcs: _Arcs, u: I64, v: I64, banned: I64, found: bool) -> bool:
        """Score again every row whose bound does not clear its price (u, v), add the arcs
        worth keeping to `arcs` (inactive), and say whether one improves (or `found`)."""
        # a row in two cluster groups may add one arc twice this round: harmless
        f, forbidden, rows, cols = self.f, self.forbidden, self.rows, self.cols
        big, bonus, n_cols = self.big, self.bonus, max(cols.n, 1)
        known = arcs.sorted_codes(n_cols)
        new_arcs: list[tuple[I64, I64, I64, F32]] = []
        seen: list[I64] = []  # arcs a rescore must not return: known, refused, or just found
        # in score points: a rescore keeps arcs within NEAR (plus rounding) of improving, and
        # scores a row only against columns cheap enough that its bound could get there
        floor = (u - big - bonus - NEAR - 3).astype(np.float64) / SCALE
        price = v.astype(np.float64) / SCALE
        for g, (tr, tc, bd, db, snap) in enumerate(self.bounds):
            if not len(tc):
                continue
            drop = float(np.maximum(snap - v[tc], 0).max()) if snap is not None else 0.0
            by_score = big + bonus[tr] + np.floor(bd.astype(np.float64) * SCALE) + 2 - u[tr]
            loose = np.where(
                ~np.isnan(db),
                db + drop + 2 > u[tr],
                np.isfinite(bd) & (by_score > v[tc].min()),
            )
            if not loose.any():
                continue
            db = db + drop
            at = np.flatnonzero(loose)
            seen = [known, banned, self.infeasible]
            while len(at):  # until every rescored row is bounded clear of its price
                t_rows = tr[at]
                self.rescored += len(t_rows)
                cap = np.full(rows.n, -np.inf)
                top = big + bonus[t_rows] + np.floor(bd[at].astype(np.float64) * SCALE) + 2
                cap[t_rows] = (top - u[t_rows] + NEAR + 3 + REACH) / SCALE
                got = rescore(f, forbidden, rows, cols, t_rows, tc, floor, price, KEEP, cap, seen)
                r2, c2, s2 = got.r, got.c, got.score
                seen = [*seen, np.sort(r2 * n_cols + c2)]
                ok2, w2 = _exact_weights(f, forbidden, rows, cols, r2, c2)
                self.infeasible = np.union1d(self.infeasible, r2[~ok2] * n_cols + c2[~ok2])
                new_arcs.append((r2[ok2], c2[ok2], w2[ok2], s2[ok2]))
                if sum(len(part[0]) for part in new_arcs) > FLUSH_ARCS:
                    arcs.add(new_arcs)  # bounded: pieces held at once stay small
                    new_arcs = []
                found |= bool((big + w2[ok2] - u[r2[ok2]] - v[c2[ok2]] > 0).any())
                # what stays out is bounded by the prices now: only a price drop reopens
                # it (rounding: a price in score points back to weight units is off a hair)
                unscored = top - np.floor(got.beyond * SCALE) + 1
                db[at] = np.maximum(big + bonus[t_rows] + np.floor(got.rest * SCALE) + 2, unscored)
                # a row whose best arcs were all infeasible or no better still has its bound
                # above its price: what it left out may improve, so it is scored again
                again = (db[at] + 2 > u[t_rows]) & np.isin(t_rows, r2)
                at = np.zeros(0, dtype=np.int64) if found else at[again]
            self.bounds[g] = (tr, tc, bd, db, v[tc].copy())
        del known, seen  # before the known arcs grow: each is a copy of millions
        arcs.add(new_arcs)
        return found


def _slot_order(capacity: I64, cols: Types) -> tuple[I64, I64]:
    """Per giver type, its members' slots in hand-out order: every first slot (by index),
    then every second, ..."""
    members = cols.members
    kinds = cols.of[members]
    caps = capacity[members]
    rep = np.repeat(np.arange(len(members)), caps)
    tier = within(caps)
    order = np.lexsort((rep, tier, kinds[rep]))
    slots = members[rep[order]]
    per_type = np.bincount(kinds[rep], minlength=cols.n)
    return slots, np.concatenate([[0], np.cumsum(per_type)]).astype(np.int64)


Unweighed = list[tuple[I64, I64, F32]]  # arcs (rows, cols, scores) not weighed yet


def _start(
    f: Features, forbidden: Forbidden, rows: Types, cols: Types, fg: FullGraph
) -> tuple[_Arcs, Unweighed]:
    """The first graph: the arcs the full pass marked as leading (each row's k best, each
    column's k2 best by score above the row's best), weighed exactly, the feasible ones
    active. The rest of its arcs come back unweighed: they are weighed while the first
    graph is solved (`_weigh`), as no solve needs them before the first one's prices."""
    lead = fg.lead
    r, c, score = fg.r[lead], fg.c[lead], fg.score[lead]
    ok, w = _exact_weights(f, forbidden, rows, cols, r, c)
    n = int(ok.sum())
    on, off, zero = np.ones(n, np.bool_), np.zeros(n, np.bool_), np.zeros(n, np.int32)
    arcs = _Arcs(r[ok], c[ok], w[ok], score[ok], on, off, zero)
    rest = ~lead
    return arcs, [(fg.r[rest], fg.c[rest], fg.score[rest])]


def _weigh(
    f: Features, forbidden: Forbidden, rows: Types, cols: Types, arcs: _Arcs, rest: Unweighed
) -> None:
    """Weigh the arcs waiting in `rest` (emptying it) and add the feasible ones, inactive."""
    while rest:
        r, c, score = rest.pop()
        ok, w = _exact_weights(f, forbidden, rows, cols, r, c, threads=1)
        arcs.add([(r[ok], c[ok], w[ok], score[ok])])


def _beside(job: Callable[[], I64 | None], meanwhile: Callable[[], None] | None) -> I64 | None:
    """job() on a thread while this one does `meanwhile` (job must release the GIL)."""
    if meanwhile is None:
        return job()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="repair") as pool:
        pending = pool.submit(job)
        meanwhile()
        return pending.result()


def _solve(
    arcs: _Arcs,
    live: I64,
    supply: I64,
    tier_caps: I64,
    tier_costs: I64,
    big: int,
    prices: Duals | None,
    meanwhile: Callable[[], None] | None = None,
) -> I64:
    """The flow on the live arcs. When the last solve's prices leave few rows (WARM_SHARE)
    with an improving arc (the later rounds of a large match), its flow is repaired in place
    of a solve from scratch (matching.warm_flow). A large solve runs in a forked child
    while this process does `meanwhile`; a repair (compiled, without the GIL) runs on a
    thread beside it."""
    r, c, w = arcs.r[live], arcs.c[live], arcs.w[live]
    if prices is not None:
        improving = big + w - prices.u[r] - prices.v[c] > 0
        if _repairs(r[improving], len(live), supply):
            start = arcs.carry[live].astype(np.int64)
            u, v = prices.u, prices.v
            repair = partial(reoptimize, r, c, w, start, supply, tier_caps, tier_costs, big, u, v)
            x = _beside(repair, meanwhile)
            if x is not None:
                return x
            meanwhile = None  # done beside the repair: nothing left to do beside a solve
    if meanwhile is not None and len(live) >= FORK_ARCS:
        pending = forked.start(lambda: transport(r, c, w, supply, tier_caps, tier_costs), len(r))
        if pending is not None:
            with pending:
                meanwhile()
                x = pending.result()
            if x is not None:
                return x
    return transport(r, c, w, supply, tier_caps, tier_costs)


def solve_pairs(
    f: Features,
    forbidden: Forbidden,
    seekers: I64,
    givers: I64,
    capacity: I64,
    k: int,
    k2: int,
    load_spread: float,
    ahead: Callable[[I64, I64], None] | None = None,
) -> Exact:
    """The optimal pairs on the full feasible graph, certified. While a large flow is solved
    in a child, `ahead` gets the person pairs of the flow before it, to explain meanwhile."""
    rows = seeker_types(f, forbidden, seekers)
    cols = giver_types(f, forbidden, givers)
    tier_caps, tier_costs = tier_table(capacity, cols, load_spread)
    supply = rows.count
    reservoir, lead = max(RESERVOIR, 2 * k + 8), min(k, LEAD)
    fg = full_graph(f, forbidden, rows, cols, reservoir, ALL_CELLS, k2, lead)
    arcs, rest = _start(f, forbidden, rows, cols, fg)
    groups, row_edge, col_edge = fg.groups, fg.row_edge, fg.col_edge
    del fg  # its arcs live on in `arcs`: hold them once through the rounds
    bonus = np.where(f.priority[rows.rep], SCALE, 0).astype(np.int64)
    n_cols = max(cols.n, 1)
    placements = int(min(supply.sum(), tier_caps.sum()))
    big = (2 * SCALE + int(tier_costs.max(initial=0)) + 1) * (placements + 1) + 1
    bounds: list[Bound] = [
        (tr, tc, bd.copy(), np.full(len(tr), np.nan), None) for tr, tc, bd in groups
    ]
    pricing = _Pricing(f, forbidden, rows, cols, bonus, big, bounds, np.zeros(0, np.int64))
    later: list[Callable[[], object]] = []  # pricing left to run beside the next solve
    slots, slot_ptr = _slot_order(capacity, cols)
    banned = np.zeros(0, dtype=np.int64)
    rounds = 0
    certified = False
    flows = pair_s = pair_g = np.zeros(0, dtype=np.int64)
    prices: Duals | None = None
    for _ in range(MAX_ROUNDS):
        live = np.flatnonzero(arcs.active)
        work: Callable[[], None] | None = None
        if rest:
            work = partial(_weigh, f, forbidden, rows, cols, arcs, rest)
        elif ahead is not None:
            work = partial(_tell_pairs, ahead, rows, cols, slots, slot_ptr, arcs)
        meanwhile = partial(_meanwhile, work, later, arcs, n_cols)
        flows = _solve(arcs, live, supply, tier_caps, tier_costs, big, prices, meanwhile)
        _weigh(f, forbidden, rows, cols, arcs, rest)  # if it was not done meanwhile
        _catch_up(later)  # likewise
        arcs.carry[:] = 0
        arcs.carry[live] = flows
        rounds += 1
        prices = duals(
            arcs.r[live], arcs.c[live], arcs.w[live], flows, supply, tier_caps, tier_costs, big
        )
        if not prices.ok:
            raise SolverError("the flow's duals do not certify it on its own graph")
        u, v = prices.u, prices.v
        found = _improves_outside(arcs.r, arcs.c, arcs.w, arcs.active, u, v, big)
        # the rest of the full graph, now or beside the next solve if that is a repair
        up = arcs.r[_gains(arcs.r, arcs.c, arcs.w, u, v, big) > 0] if found else None
        if up is not None and _repairs(up, len(live), supply):
            later.append(partial(pricing.price, arcs, u, v, banned, True))
        else:
            found = pricing.price(arcs, u, v, banned, found)
        del up
        if found:
            gain = _gains(arcs.r, arcs.c, arcs.w, u, v, big)
            _retire(arcs, gain, live[flows > 0])
            _activate(arcs, gain)
            del gain
            continue
        # optimal on the full graph; now no two "both" people may mentor each other
        pair_s, pair_g = _expand(rows, cols, slots, slot_ptr, arcs.r[live], arcs.c[live], flows)
        mutual = _mutual(f.n, pair_s, pair_g)
        if not len(mutual):
            certified = True
            break
        weak = _weaker(rows, cols, arcs, pair_s, pair_g, mutual)
        banned = np.union1d(banned, weak)
        arcs.drop(~contains(banned, arcs.codes(n_cols)))
    if not certified:
        raise SolverError("pricing did not settle")
    # the pairs of the last solve's flow (`live` and `flows`; arcs added after it improved
    # nothing), checked once more before they are returned
    if len(_mutual(f.n, pair_s, pair_g)):
        raise SolverError("two people would mentor each other")
    taken = np.bincount(arcs.c[live], weights=flows, minlength=cols.n).astype(np.int64)
    paid = int((tier_units(taken, tier_caps) * tier_costs[None, :]).sum())
    had_s = np.zeros(f.n, dtype=np.bool_)
    had_s[rows.members] = row_edge[rows.of[rows.members]]
    had_g = np.zeros(f.n, dtype=np.bool_)
    had_g[cols.members] = col_edge[cols.of[cols.members]]
    return Exact(
        seekers=pair_s,
        givers=pair_g,
        certified=certified,
        rounds=rounds,
        arcs=len(live),
        known_arcs=len(arcs.r),
        seeker_types=rows.n,
        giver_types=cols.n,
        excluded=len(banned),
        rescored_rows=pricing.rescored,
        penalty=paid,
        had_edge_seekers=had_s,
        had_edge_givers=had_g,
        seeker_kind=rows.of,
        giver_kind=cols.of,
    )


def _mutual(n: int, seekers: I64, givers: I64) -> I64:
    """Positions of placed pairs whose reverse pair is placed too (the weaker is not chosen
    here; every such pair is listed once per direction)."""
    codes = np.sort(seekers * n + givers)
    return np.flatnonzero(contains(codes, givers * n + seekers))


def _weaker(rows: Types, cols: Types, arcs: _Arcs, seekers: I64, givers: I64, mutual: I64) -> I64:
    """Type-arc codes to leave out: of each mutual pair, the direction with less weight
    (equal weights: the one whose mentee has the higher index)."""
    n_cols = max(cols.n, 1)
    codes = rows.of[seekers[mutual]] * n_cols + cols.of[givers[mutual]]
    known = arcs.codes(n_cols)
    order = np.argsort(known)
    at = order[np.searchsorted(known[order], codes)]
    w = arcs.w[at]
    s, g = seekers[mutual], givers[mutual]
    reverse = {(int(a), int(b)): float(x) for a, b, x in zip(s, g, w, strict=True)}
    out = [
        int(code)
        for code, a, b, x in zip(codes.tolist(), s.tolist(), g.tolist(), w.tolist(), strict=True)
        if (x, a) < (reverse[(b, a)], b)
    ]
    return np.array(sorted(set(out)), dtype=np.int64)
