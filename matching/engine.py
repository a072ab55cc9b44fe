"""The entry points: `match(problem)` for a round, `match_newcomer(problem, key)` for one.

Both return a Result: matches with score, breakdown and reasons; everyone left unmatched
with a reason; statistics, a fairness audit and the skill coverage of the round.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matching.candidates import bipartite_candidates, peer_candidates
from matching.circles import ANY, Group, form_circles
from matching.constraints import Forbidden, forbidden_pairs
from matching.coverage import coverage
from matching.diagnose import diagnose
from matching.exact import Exact, solve_pairs
from matching.explain import explain_circle, explain_group, explain_pair, unmatched_words
from matching.fairness import audit
from matching.memory import held_memory
from matching.problem import (
    COMPONENTS,
    Match,
    Participant,
    Problem,
    Reason,
    Result,
    Side,
    Stats,
    Unmatched,
)
from matching.scoring import (
    SCALE,
    Features,
    build_features,
    objective_weights,
    overlap_fit,
    score_pairs,
)
from matching.solve_peers import pair_up

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
SEEKER_ROLES = ("mentee", "both")
GIVER_ROLES = ("mentor", "both")


@dataclass
class _Round:
    """Working state of one call: features, rules, timings, and what was decided."""

    problem: Problem
    f: Features
    forbidden: Forbidden
    started: float
    seconds: dict[str, float] = field(default_factory=dict)
    matches: list[Match] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    edges: int = 0
    pairs_bound: int | None = None
    exact: Exact | None = None
    solver: str = ""

    def lap(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[name] = round(now - since, 4)
        return now

    def person(self, index: int) -> Participant:
        return self.f.people[index]

    def breakdown(self, comps: dict[str, F64], e: int) -> dict[str, float]:
        return {name: float(comps[name][e]) for name in COMPONENTS}

    def weighted(self, breakdown: dict[str, float]) -> float:
        return sum(self.f.weights[name] * breakdown[name] for name in COMPONENTS)

    def leave_out(
        self,
        index: int,
        side: Side,
        reason: Reason,
        detail: Sequence[str] = (),
        first: bool = False,
    ) -> None:
        person = self.person(index)
        config = self.problem.config
        words = unmatched_words(
            reason, side, person, self.problem.taxonomy, detail, config.min_overlap_hours
        )
        self.unmatched.append(
            Unmatched(
                person.key,
                side,
                reason,
                words,
                first or reason is Reason.ODD_ONE_OUT,
            )
        )

    def explain_unplaced(
        self, index: int, side: Side, had_edge: bool, counterparts: I64, seeker: bool
    ) -> None:
        if had_edge:
            self.leave_out(index, side, Reason.ALL_TAKEN)
        else:
            reason, detail = diagnose(self.f, self.forbidden, index, counterparts, seeker)
            self.leave_out(index, side, reason, detail)


def _indices(f: Features, roles: Iterable[str], with_capacity: bool = False) -> I64:
    wanted = set(roles)
    return np.array(
        [
            i
            for i, p in enumerate(f.people)
            if p.role in wanted and (not with_capacity or p.capacity > 0)
        ],
        dtype=np.int64,
    )


def _start(problem: Problem, focus: int | None = None) -> _Round:
    started = time.perf_counter()
    f = build_features(problem.participants, problem.taxonomy, problem.config, focus)
    forbidden = forbidden_pairs(f.people, problem.config)
    state = _Round(problem, f, forbidden, started)
    state.lap("prepare", started)
    return state


def _scored(
    state: _Round, a: I64, b: I64, peer: bool = False
) -> tuple[I64, I64, dict[str, F64], F64, I64]:
    scores = score_pairs(state.f, a, b)
    keep = scores.feasible & ~state.forbidden.pair_mask(a, b)
    comps = {name: values[keep] for name, values in scores.components.items()}
    a, b, score = a[keep], b[keep], scores.score[keep]
    weights = objective_weights(state.f, a, score, b if peer else None)
    return a, b, comps, score, weights


def _pair_match(state: _Round, seeker: int, giver: int, comps: dict[str, F64], e: int) -> Match:
    config = state.problem.config
    breakdown = state.breakdown(comps, e)
    a, b = state.person(seeker), state.person(giver)
    reasons = explain_pair(
        a,
        b,
        breakdown,
        state.f.weights,
        state.problem.taxonomy,
        config.week_start,
        reverse=config.reverse,
        peer=state.f.peer,
    )
    if state.f.peer:
        return Match(
            None,
            tuple(sorted((a.key, b.key))),
            state.weighted(breakdown),
            breakdown,
            tuple(words for _, words in reasons),
        )
    return Match(
        b.key, (a.key,), state.weighted(breakdown), breakdown, tuple(words for _, words in reasons)
    )


def _explain(state: _Round, a: I64, b: I64, explained: dict[tuple[int, int], Match]) -> None:
    """Explain each pair (a[e], b[e]) not yet in `explained`. A pair's match depends on the
    two people alone, so one explained while the round was still solving is as good."""
    fresh = [
        e
        for e, pair in enumerate(zip(a.tolist(), b.tolist(), strict=True))
        if pair not in explained
    ]
    if not fresh:
        return
    a, b = a[fresh], b[fresh]
    comps = score_pairs(state.f, a, b).components
    for e, (seeker, giver) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        explained[(seeker, giver)] = _pair_match(state, seeker, giver, comps, e)


FULL_GRAPH_PAIRS = 1_000_000  # circles: up to this many mentee x mentor pairs, keep them all


def _solve_pairs(state: _Round) -> None:
    f, config = state.f, state.problem.config
    seekers = _indices(f, SEEKER_ROLES)
    givers = _indices(f, GIVER_ROLES, with_capacity=True)
    t = time.perf_counter()
    capacity = np.array([p.capacity for p in f.people], dtype=np.int64)
    explained: dict[tuple[int, int], Match] = {}
    exact = solve_pairs(
        f,
        state.forbidden,
        seekers,
        givers,
        capacity,
        config.candidates_per_seeker,
        config.candidates_per_mentor,
        config.load_spread,
        ahead=lambda a, b: _explain(state, a, b, explained),
    )
    state.exact = exact
    state.edges = exact.arcs
    t = state.lap("solve", t)
    a, b = exact.seekers, exact.givers
    order = np.lexsort((a, b))
    a, b = a[order], b[order]
    _explain(state, a, b, explained)
    state.matches.extend(explained[pair] for pair in zip(a.tolist(), b.tolist(), strict=True))
    t = state.lap("explain", t)
    placed, loaded = set(a.tolist()), set(b.tolist())
    # optimal on the full graph: a mentee left out with any fitting mentor means every such
    # mentor is full, and a mentor left idle means every fitting mentee was placed
    # look-alikes left out share one diagnosis
    known: dict[tuple[bool, int], tuple[Reason, tuple[str, ...]]] = {}
    sides: tuple[tuple[Side, I64, npt.NDArray[np.bool_], I64, I64, set[int]], ...] = (
        ("mentee", seekers, exact.had_edge_seekers, exact.seeker_kind, givers, placed),
        ("mentor", givers, exact.had_edge_givers, exact.giver_kind, seekers, loaded),
    )
    for side, people, had, kind, others, done in sides:
        seeker = side == "mentee"
        for i in people.tolist():
            if i in done:
                continue
            if had[i]:
                state.leave_out(i, side, Reason.ALL_TAKEN)
                continue
            key = (seeker, int(kind[i]))
            if key not in known:
                known[key] = diagnose(f, state.forbidden, i, others, seeker)
            reason, detail = known[key]
            state.leave_out(i, side, reason, detail)
    state.lap("unmatched", t)


def _solve_circles(state: _Round) -> None:
    f, config = state.f, state.problem.config
    seekers = _indices(f, SEEKER_ROLES)
    givers = _indices(f, GIVER_ROLES, with_capacity=True)
    givers = (
        givers[
            np.minimum(f.config.circle_max, [f.people[j].capacity for j in givers])
            >= config.circle_min
        ]
        if len(givers)
        else givers
    )
    t = time.perf_counter()
    k, k2 = config.candidates_per_seeker, config.candidates_per_mentor * config.circle_max
    if len(seekers) * len(givers) <= FULL_GRAPH_PAIRS:
        # every feasible pair: group rules cut circles, so short lists would run dry
        k, k2 = max(k, len(givers)), max(k2, len(seekers))
    a, b = bipartite_candidates(f, state.forbidden, seekers, givers, k, k2)
    t = state.lap("candidates", t)
    a, b, comps, _, weights = _scored(state, a, b)
    state.edges = len(a)
    capacity = np.array([p.capacity for p in f.people], dtype=np.int64)
    circles, winner = form_circles(f, state.forbidden, a, b, weights, capacity)
    state.solver = f"circles: best of greedy and flow ({winner})"
    t = state.lap("solve", t)
    edge_of = {(x, y): e for e, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True))}
    for circle in circles:
        rows = [edge_of[(m, circle.mentor)] for m in circle.mentees]
        breakdown = {name: float(np.mean(comps[name][rows])) for name in COMPONENTS}
        # the time everyone shares, not the mean of the mentor's pairs
        breakdown["overlap"] = float(overlap_fit(np.array([circle.minutes]), config)[0])
        mentor = state.person(circle.mentor)
        cluster = f.clusters[circle.cluster] if circle.cluster >= 0 else None
        reasons = explain_circle(
            mentor,
            [state.person(m) for m in circle.mentees],
            cluster,
            breakdown,
            f.weights,
            state.problem.taxonomy,
            everyone_minutes=circle.minutes,
        )
        state.matches.append(
            Match(
                mentor.key,
                tuple(sorted(state.person(m).key for m in circle.mentees)),
                state.weighted(breakdown),
                breakdown,
                tuple(words for _, words in reasons),
            )
        )
    state.matches.sort(key=lambda m: m.keys)
    t = state.lap("explain", t)
    placed = {m for c in circles for m in c.mentees}
    hosts = {c.mentor for c in circles}
    fitting: dict[int, set[int]] = {}
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        fitting.setdefault(x, set()).add(y)
    for i in seekers.tolist():
        if i in placed:
            continue
        mentors = fitting.get(i, set())
        if mentors - hosts:
            # a fitting mentor hosts no circle: too few who fit together wanted one there
            state.leave_out(i, "mentee", Reason.CIRCLE_TOO_SMALL)
        else:
            state.explain_unplaced(i, "mentee", bool(mentors), givers, True)
    giver_mentees: dict[int, set[int]] = {}
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        giver_mentees.setdefault(y, set()).add(x)
    for j in givers.tolist():
        if j in hosts:
            continue
        if giver_mentees.get(j, set()) - placed:
            state.leave_out(j, "mentor", Reason.CIRCLE_TOO_SMALL)
        else:
            state.explain_unplaced(j, "mentor", j in giver_mentees, seekers, False)
    state.lap("unmatched", t)


def _solve_peers(state: _Round) -> None:
    f, config = state.f, state.problem.config
    pool = np.arange(f.n, dtype=np.int64)
    t = time.perf_counter()
    a, b = peer_candidates(f, state.forbidden, pool, config.candidates_per_peer, config.peer_window)
    t = state.lap("candidates", t)
    a, b, comps, _, weights = _scored(state, a, b, peer=True)
    state.edges = len(a)
    pairing = pair_up(a, b, weights)
    state.pairs_bound = pairing.bound
    pairs = list(pairing.pairs)
    paired = {x for pair in pairs for x in pair}
    had_edge = set(a.tolist()) | set(b.tolist())
    scored = [(a * f.n + b, comps)]  # (sorted pair codes, their components) per solve
    # People left over are re-paired among themselves (the first cover's candidate lists
    # were filled by people who are now taken).
    for _ in range(3):
        rest = np.array(sorted(set(pool.tolist()) - paired), dtype=np.int64)
        if len(rest) < 2:
            break
        a2, b2 = peer_candidates(
            f, state.forbidden, rest, config.candidates_per_peer, config.peer_window
        )
        a2, b2, comps2, _, weights2 = _scored(state, a2, b2, peer=True)
        more = pair_up(a2, b2, weights2).pairs
        if not more:
            break
        scored.append((a2 * f.n + b2, comps2))
        pairs.extend(more)
        paired.update(x for pair in more for x in pair)
    t = state.lap("solve", t)
    trios: dict[tuple[int, int], int] = {}
    leftover = sorted(
        set(pool.tolist()) - paired, key=lambda i: (not f.priority[i], -f.people[i].waiting_days, i)
    )
    if config.allow_trios and pairs:
        px = np.array([p[0] for p in pairs], dtype=np.int64)
        py = np.array([p[1] for p in pairs], dtype=np.int64)
        free = np.ones(len(pairs), dtype=np.bool_)
        for person in list(leftover):
            me = np.full(len(pairs), person, dtype=np.int64)
            sx, sy = score_pairs(f, me, px), score_pairs(f, me, py)
            ok = (
                free
                & sx.feasible
                & sy.feasible
                & ~state.forbidden.pair_mask(me, px)
                & ~state.forbidden.pair_mask(me, py)
            )
            if not ok.any():
                continue
            gain = np.where(ok, sx.score + sy.score, -np.inf)
            best = int(np.argmax(gain))
            free[best] = False
            trios[pairs[best]] = person
            leftover.remove(person)
    for x, y in sorted(pairs, key=lambda p: (f.people[p[0]].key, f.people[p[1]].key)):
        comps_xy, e = _find(scored, x * f.n + y)
        if (x, y) not in trios:
            state.matches.append(_pair_match(state, x, y, comps_xy, e))
            continue
        third = trios[(x, y)]
        members = np.array([x, x, y], dtype=np.int64), np.array([y, third, third], dtype=np.int64)
        trio = score_pairs(f, *members)
        breakdown = {name: float(np.mean(trio.components[name])) for name in COMPONENTS}
        reasons = [
            ("odd", "three of you: the pool had an odd number of people"),
            *explain_group(breakdown, f.weights),
        ]
        state.matches.append(
            Match(
                None,
                tuple(sorted(f.people[i].key for i in (x, y, third))),
                state.weighted(breakdown),
                breakdown,
                tuple(words for _, words in reasons[:4]),
            )
        )
    state.matches.sort(key=lambda m: m.keys)
    t = state.lap("explain", t)
    for person in sorted(leftover):
        if person in had_edge:
            state.leave_out(person, "peer", Reason.ODD_ONE_OUT, first=True)
        else:
            reason, detail = diagnose(f, state.forbidden, person, pool, True)
            if reason is Reason.ALL_TAKEN:
                reason, detail = Reason.ODD_ONE_OUT, ()
            state.leave_out(person, "peer", reason, detail)
    state.lap("unmatched", t)


def _find(scored: list[tuple[I64, dict[str, F64]]], code: int) -> tuple[dict[str, F64], int]:
    for codes, comps in reversed(scored):
        at = int(np.searchsorted(codes, code))
        if at < len(codes) and codes[at] == code:
            return comps, at
    raise KeyError(code)


def _finish(
    state: _Round, seekers_idx: I64, givers_idx: I64, solver: str, supply_idx: I64 | None = None
) -> Result:
    f, problem = state.f, state.problem
    t = time.perf_counter()
    seekers = [f.people[i] for i in seekers_idx.tolist()]
    givers = [f.people[j] for j in givers_idx.tolist()]
    scores: dict[int, float] = {}
    loads: dict[int, int] = {}
    for m in state.matches:
        for key in m.members:
            scores[key] = m.score
        if m.mentor is not None:
            loads[m.mentor] = loads.get(m.mentor, 0) + len(m.members)
    unmatched_keys = {u.key for u in state.unmatched if u.side != "mentor"}
    fairness = audit(
        seekers,
        scores,
        loads,
        givers,
        problem.config.fairness_margin,
        problem.config.fairness_min_group,
    )
    supply = givers if supply_idx is None else [f.people[j] for j in supply_idx.tolist()]
    cover = coverage(seekers, supply, unmatched_keys, problem.taxonomy)
    state.lap("reports", t)
    state.seconds["total"] = round(time.perf_counter() - state.started, 4)
    total = sum(scores.values())
    state.unmatched.sort(key=lambda u: (u.key, u.side))
    exact = state.exact
    stats = Stats(
        format=problem.config.format,
        participants=f.n,
        seekers=len(seekers),
        mentors=len(givers),
        slots=sum(p.capacity for p in givers),
        matched_seekers=len(scores),
        matches=len(state.matches),
        unmatched=len(state.unmatched),
        total_score=total,
        mean_score=total / len(scores) if scores else 0.0,
        candidate_edges=state.edges,
        solver=solver,
        pairs_bound=state.pairs_bound,
        seconds=dict(state.seconds),
        optimal=exact.certified if exact else None,
        certificate=_certificate(exact),
        seeker_types=exact.seeker_types if exact else 0,
        mentor_types=exact.giver_types if exact else 0,
        solves=exact.rounds if exact else 0,
        excluded_pairs=exact.excluded if exact else 0,
        idle_mentors=sum(1 for m in givers if m.capacity > 0 and not loads.get(m.key)),
        mentors_with_two_plus=sum(1 for m in givers if loads.get(m.key, 0) >= 2),
        load_spread_cost=exact.penalty / SCALE if exact else 0.0,
    )
    return Result(tuple(state.matches), tuple(state.unmatched), stats, fairness, cover)


def _certificate(exact: Exact | None) -> str:
    """The 1:1 proof in words, for the round preview."""
    if exact is None:
        return ""
    words = (
        "Optimal: no other pairing places more people, or as many with a better total score"
        if exact.certified
        else "Not proved optimal"
    )
    if exact.excluded:
        words += (
            f" (leaving out {exact.excluded} pairings where two people would mentor each other)"
        )
    return words + "."


def match(problem: Problem) -> Result:
    """Run one matching round: optimal (most placed, then best total score), deterministic."""
    with held_memory():
        return _match(problem)


def _match(problem: Problem) -> Result:
    state = _start(problem)
    fmt = problem.config.format
    if fmt == "peer":
        _solve_peers(state)
        pool = np.arange(state.f.n, dtype=np.int64)
        return _finish(
            state, pool, np.zeros(0, dtype=np.int64), "min-cost-flow cycle cover", supply_idx=pool
        )
    seekers = _indices(state.f, SEEKER_ROLES)
    givers = _indices(state.f, GIVER_ROLES, with_capacity=True)
    if fmt == "circle":
        _solve_circles(state)
        return _finish(state, seekers, givers, state.solver)
    _solve_pairs(state)
    return _finish(state, seekers, givers, "max flow, then min-cost flow, priced on the full graph")


def match_newcomer(problem: Problem, key: int) -> Result:
    """Place one newcomer against the spare capacity passed in (milliseconds, exact).

    A mentee (or peer) gets the single best feasible mentor (or waiting peer); a new mentor
    takes the best feasible waiting mentees up to their capacity (a circle in circle
    programs when enough of them share a cluster). Everyone else is left as passed in.
    """
    state = _start(problem, focus=key)
    f, config = state.f, problem.config
    me = next(i for i, p in enumerate(f.people) if p.key == key)
    person = f.people[me]
    peer = config.format == "peer"
    side: Side
    if peer:
        others = np.array([i for i in range(f.n) if i != me], dtype=np.int64)
        side, seeker = "peer", True
    elif person.role in SEEKER_ROLES:
        others = _indices(f, GIVER_ROLES, with_capacity=True)
        others = others[others != me]
        side, seeker = "mentee", True
    else:
        others = _indices(f, SEEKER_ROLES)
        side, seeker = "mentor", False
    mine = np.full(len(others), me, dtype=np.int64)
    a, b = (mine, others) if seeker else (others, mine)
    a, b, comps, _, weights = _scored(state, a, b, peer=peer)
    state.edges = len(a)
    order = np.lexsort((b if seeker else a, -weights))
    minutes = 0
    if seeker:
        take = order[:1]
    elif config.format == "circle":
        # best waiting mentees first, each only if every rule holds with everyone already in
        group = Group(f, state.forbidden)
        circle = group.open(me, ANY, min(person.capacity, config.circle_max))
        joined = [
            e
            for e in order.tolist()
            if len(circle.mentees) < circle.size and group.join(circle, int(a[e]), 0)
        ]
        take = np.array(joined if len(joined) >= config.circle_min else [], dtype=np.int64)
        minutes = sum(end - begin for begin, end in circle.spans)
    else:
        take = order[: person.capacity]
    if config.format == "circle" and not seeker and len(take):
        breakdown = {name: float(np.mean(comps[name][take])) for name in COMPONENTS}
        breakdown["overlap"] = float(overlap_fit(np.array([minutes]), config)[0])
        reasons = explain_circle(
            person,
            [f.people[i] for i in a[take].tolist()],
            None,
            breakdown,
            f.weights,
            problem.taxonomy,
            everyone_minutes=minutes,
        )
        state.matches.append(
            Match(
                person.key,
                tuple(sorted(f.people[i].key for i in a[take])),
                state.weighted(breakdown),
                breakdown,
                tuple(words for _, words in reasons),
            )
        )
    else:
        for e in take.tolist():
            state.matches.append(_pair_match(state, int(a[e]), int(b[e]), comps, e))
    if not state.matches:
        reason, detail = diagnose(f, state.forbidden, me, others, seeker)
        if reason is Reason.ALL_TAKEN and config.format == "circle":
            reason = Reason.CIRCLE_TOO_SMALL
        state.leave_out(me, side, reason, detail)
    placed = np.array([me], dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    return _finish(state, placed if seeker else empty, empty if seeker else placed, "newcomer")
