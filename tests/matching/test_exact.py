"""Look-alike rosters: the 1:1 round is the optimum of the full feasible graph, and says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import cache

import numpy as np
import pytest

from bench import exact_reference, ibm_roster, synth
from bench.matching import WEEK, employees
from matching import exact
from matching.constraints import Forbidden
from matching.engine import match
from matching.exact import _top_per
from matching.problem import Participant, Problem, ProgramConfig, Reason, Result
from matching.timing import pattern_of, weekly_overlap_hours, working_intervals
from tests.matching.helpers import person, problem


@cache
def ibm_round(people: int) -> tuple[Problem, Result]:
    prob = ibm_shaped(people)
    return prob, match(prob)


def ibm_shaped(people: int, **config: object) -> Problem:
    roster, taxonomy = employees(ibm_roster.synthetic_roster(people), mentor_share=40, capacity=1)
    return Problem(roster, taxonomy, ProgramConfig(week_start=WEEK, **config))  # type: ignore[arg-type]


def goal_fits(prob: Problem, seeker: Participant, giver: Participant) -> bool:
    if not seeker.seeks:
        return True
    offered = {slug for slug, _ in giver.offers}
    near = {c for s in offered if (c := prob.taxonomy.cluster(s)) is not None}
    return any(s in offered or prob.taxonomy.cluster(s) in near for s in seeker.seeks)


def check_optimal(prob: Problem, result: Result) -> None:
    best = exact_reference.optimum(prob)
    assert best is not None
    assert result.stats.matched_seekers == best.placed
    assert exact_reference.engine_objective(prob, result) >= 0.999 * best.objective
    assert result.stats.optimal is True
    assert result.stats.certificate.startswith("Optimal")


def test_an_ibm_shaped_roster_places_as_many_as_the_full_graph_allows() -> None:
    # 6,000 people, 40 % of possible mentors enrolled with one slot: thousands look alike
    prob, result = ibm_round(6000)
    check_optimal(prob, result)
    assert result.stats.seeker_types < result.stats.seekers / 5


def test_a_roster_of_ten_profiles_reaches_the_optimum_with_priority_mentees_first() -> None:
    people = synth.prototypes(2000, 600, kinds=10, priority_share=0.1, capacity=1)
    prob = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    result = match(prob)
    check_optimal(prob, result)


def test_a_diverse_roster_is_proved_optimal_too() -> None:
    people = synth.population(1500, 400, seed=3, capacity=3)
    prob = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    result = match(prob)
    check_optimal(prob, result)


def test_every_reason_given_is_true_against_the_full_graph() -> None:
    prob, result = ibm_round(6000)
    by_key = {p.key: p for p in prob.participants}
    load: dict[int, int] = {}
    for m in result.matches:
        assert m.mentor is not None
        load[m.mentor] = load.get(m.mentor, 0) + 1
    placed = {m.members[0] for m in result.matches}
    mentors = [p for p in prob.participants if p.role == "mentor" and p.capacity]
    mentees = [p for p in prob.participants if p.role == "mentee"]

    memo: dict[tuple[object, object], float] = {}

    def fits(s: Participant, g: Participant) -> bool:
        """Every hard rule, from the fields (weekly hours memoised per pair of patterns)."""
        key = (pattern_of(s), pattern_of(g))
        if key not in memo:
            memo[key] = weekly_overlap_hours(s, g, prob.config.week_start)
        listed = {x.lower() for x in s.languages}, {x.lower() for x in g.languages}
        return (
            _pair_rules_ok(prob, s, g)
            and (not all(listed) or bool(listed[0] & listed[1]))
            and memo[key] >= prob.config.min_overlap_hours
            and goal_fits(prob, s, g)
        )

    told = [u for u in result.unmatched if u.reason is Reason.ALL_TAKEN]
    assert len(told) > 100
    for u in told[:150]:
        me = by_key[u.key]
        if u.side == "mentee":  # "every mentor who fits you is full"
            fitting = [m for m in mentors if fits(me, m)]
            assert fitting
            assert all(load.get(m.key, 0) >= m.capacity for m in fitting)
        else:  # "the mentees who fit you were matched with others"
            assert all(s.key in placed for s in mentees if fits(s, me))


def test_no_two_people_mentor_each_other() -> None:
    # a skill swap: everyone both mentors and is mentored, and pairs fit both ways
    people = [
        person(
            k,
            "both",
            offers=(("python" if k % 2 else "writing", 2), ("testing", 1 + k % 3)),
            seeks=("writing" if k % 2 else "python", "testing"),
            seniority=3,
            department=("A", "B", "C")[k % 3],
            capacity=1 + k % 2,
        )
        for k in range(1, 301)
    ]
    result = match(problem(people))
    pairs = {(m.mentor, m.members[0]) for m in result.matches}
    assert not [(a, b) for a, b in pairs if (b, a) in pairs]
    assert len(result.matches) > 200


def test_load_spreading_gives_idle_mentors_a_first_mentee_at_a_small_cost() -> None:
    # as many mentees as mentors with two slots each: without spreading, half sit idle
    people = synth.population(600, 600, seed=8, capacity=2)
    people = tuple(replace(p, role="mentor") if p.role == "both" else p for p in people)
    plain = match(Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK, load_spread=0)))
    spread = match(Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK)))
    assert spread.stats.matched_seekers == plain.stats.matched_seekers
    assert spread.stats.idle_mentors < 0.9 * plain.stats.idle_mentors
    assert spread.stats.mentors_with_two_plus < plain.stats.mentors_with_two_plus
    assert spread.stats.total_score >= 0.99 * plain.stats.total_score
    assert 0 < spread.stats.load_spread_cost < 0.01 * plain.stats.total_score + 1


def circle_program() -> tuple[Problem, Result]:
    people, past = synth.rules_heavy_circles(500, 120)
    prob = Problem(
        people,
        synth.taxonomy(),
        ProgramConfig(
            week_start=WEEK, format="circle", circle_min=2, circle_max=5, past_pairs=past
        ),
    )
    return prob, match(prob)


def test_every_rule_holds_between_every_two_members_of_a_circle() -> None:
    prob, result = circle_program()
    by_key = {p.key: p for p in prob.participants}
    assert len(result.matches) > 20
    for m in result.matches:
        assert m.mentor is not None
        group = [by_key[m.mentor], *(by_key[k] for k in m.members)]
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                assert _pair_rules_ok(prob, a, b), (a.key, b.key)
        listed = [{x.lower() for x in p.languages} for p in group if p.languages]
        assert not listed or set.intersection(*listed)


def _pair_rules_ok(prob: Problem, a: Participant, b: Participant) -> bool:
    """The person-to-person rules (hours are checked for the whole group, not pairs)."""
    depth = prob.config.reporting_line_depth
    return not (
        a.person_id == b.person_id
        or b.person_id in a.manager_chain[:depth]
        or a.person_id in b.manager_chain[:depth]
        or b.person_id in a.never_match
        or a.person_id in b.never_match
        or frozenset({a.person_id, b.person_id}) in prob.config.past_pairs
    )


def test_a_circle_meets_when_everyone_is_working_and_says_so_truly() -> None:
    prob, result = circle_program()
    by_key = {p.key: p for p in prob.participants}
    for m in result.matches:
        assert m.mentor is not None
        group = [by_key[m.mentor], *(by_key[k] for k in m.members)]
        everyone = _everyone_hours(prob, group)
        assert everyone >= prob.config.min_overlap_hours - 1e-9
        assert not any("overlap for everyone" in r for r in m.reasons)
        for words in m.reasons:
            if "when everyone is working" in words:
                stated = float(words.split()[0]) * (1 / 60 if "min" in words else 1)
                assert abs(stated - everyone) <= 0.5


def _everyone_hours(prob: Problem, group: list[Participant]) -> float:
    """Hours a week all members work, counted in quarter hours of the week."""
    week = prob.config.week_start
    together = np.ones(7 * 24 * 4, dtype=np.bool_)
    for p in group:
        mask = np.zeros_like(together)
        for begin, end in working_intervals(pattern_of(p), week, week + timedelta(days=7)):
            mask[
                int((begin - week).total_seconds() // 900) : int(
                    (end - week).total_seconds() // 900
                )
            ] = True
        together &= mask
    return float(together.sum()) / 4


def test_each_row_starts_from_its_best_arcs_with_ties_to_the_earlier_one() -> None:
    """The arcs a round starts from, and so its pairs on a tie, depend on the roster alone."""
    rng = np.random.default_rng(7)
    groups = rng.integers(0, 40, 5_000)
    values = rng.integers(0, 12, 5_000).astype(np.float64)  # many ties
    for k in (1, 3, 20):
        kept = _top_per(groups, values, k)
        expected = np.zeros(len(groups), dtype=np.bool_)
        for g in np.unique(groups):
            at = np.flatnonzero(groups == g)
            expected[sorted(at.tolist(), key=lambda i: (-values[i], i))[:k]] = True
        assert np.array_equal(kept, expected)
    assert not _top_per(np.zeros(0, np.int64), np.zeros(0), 3).any()


def narrow_round(
    monkeypatch: pytest.MonkeyPatch,
    prob: Problem,
    reservoir: int,
    columns: int | None = None,
    **knobs: int,
) -> Result:
    """The round from each row's `reservoir` best arcs (and each column's `columns` best)
    and a bound on the rest (no group kept whole), with exact's other knobs set; it must
    still reach the exact optimum."""
    first_pass = exact.full_graph
    monkeypatch.setattr(
        exact,
        "full_graph",
        lambda f, forbidden, r, c, keep, cells, k2, lead: first_pass(
            f, forbidden, r, c, reservoir, 0, k2 if columns is None else columns, lead
        ),
    )
    for name, value in knobs.items():
        monkeypatch.setattr(exact, name, value)
    result = match(prob)
    best = exact_reference.optimum(prob)
    assert best is not None
    assert result.stats.matched_seekers == best.placed
    assert exact_reference.engine_objective(prob, result) == best.objective  # not one unit less
    assert result.stats.certificate.startswith("Optimal")
    return result


def test_a_rescore_that_keeps_one_arc_per_row_still_reaches_the_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a rescore leaves out stays behind its row's bound, and the bound is checked
    again after every solve: holding few arcs in memory never costs the optimum."""
    people = synth.population(1500, 400, seed=3, capacity=3)
    prob = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    result = narrow_round(monkeypatch, prob, 2, KEEP=1)
    assert result.stats.solves > 2  # the cap made the rounds come back for more arcs


def test_arcs_taken_out_of_the_solved_graph_come_back_when_they_could_improve_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After every solve, every arc that carries nothing leaves the solved graph: the round
    still ends at the exact optimum, because left-out arcs are priced like any other."""
    people = synth.population(1500, 400, seed=3, capacity=3)
    prob = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    narrow_round(monkeypatch, prob, 4, RETIRE=-(10**15))  # any idle arc, however useful


def test_a_row_whose_best_rescored_arc_is_refused_still_gets_its_improving_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should the block check let through an arc the exact check refuses (here, as it did
    until now, a "both" person meeting themselves: row 602's best arc), a rescore whose
    few kept arcs are all refused or known leaves its row's bound above its price: the row
    is scored again past them, never certified on what was never priced. Before, this
    round was certified 23 weight units short of the optimum."""
    strict = Forbidden.block_cells

    def looser(
        self: Forbidden, rows: np.ndarray, col_pos: np.ndarray, width: int
    ) -> tuple[np.ndarray, np.ndarray]:
        local, cols = strict(self, rows, col_pos, width)
        meets_self = col_pos[rows[local]] == cols
        return local[~meets_self], cols[~meets_self]

    monkeypatch.setattr(Forbidden, "block_cells", looser)
    people = synth.population(600, 160, seed=2, capacity=3)
    prob = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    narrow_round(monkeypatch, prob, 2, columns=1, KEEP=1)


def test_pricing_says_which_arcs_improve_as_the_prices_do() -> None:
    """The compiled pricing pass gives every arc's distance from improving, and says an arc
    outside the solved graph improves exactly when one does (not one inside it)."""
    rng = np.random.default_rng(5)
    n_r, n_c, m, big = 40, 30, 2000, 10**9
    r, c = rng.integers(0, n_r, m), rng.integers(0, n_c, m)
    w = rng.integers(0, 2000, m)
    u, v = big // 2 + rng.integers(0, 1500, n_r), big // 2 + rng.integers(0, 1500, n_c)
    gain = big + w - u[r] - v[c]
    assert np.array_equal(exact._gains(r, c, w, u, v, big), gain)
    active = gain > 0  # every improving arc already solved: nothing outside improves
    assert not exact._improves_outside(r, c, w, active, u, v, big)
    active[np.flatnonzero(gain > 0)[-1]] = False
    assert exact._improves_outside(r, c, w, active, u, v, big)


def test_known_arcs_are_looked_up_as_they_are_after_arcs_join_or_leave() -> None:
    """Pricing looks new arcs up in the known ones, sorted once while a child solves: the
    sorted copy follows every arc that joins or leaves, so no arc is held twice or passed
    over as known once it has gone."""
    f64, i64 = np.float32, np.int64
    arcs = exact._Arcs(
        np.array([2, 0], i64),
        np.array([1, 3], i64),
        np.array([5, 6], i64),
        np.zeros(2, f64),
        np.ones(2, np.bool_),
        np.zeros(2, np.bool_),
        np.zeros(2, np.int32),
    )
    assert arcs.sorted_codes(4).tolist() == [3, 9]
    arcs.add([(np.array([1], i64), np.array([0], i64), np.array([7], i64), np.zeros(1, f64))])
    assert arcs.sorted_codes(4).tolist() == [3, 4, 9]
    arcs.drop(np.array([False, True, True]))
    assert arcs.sorted_codes(4).tolist() == [3, 4]
