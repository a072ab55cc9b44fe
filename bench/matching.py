"""Benchmarks: `python -m bench.matching [--no-reference] [--csv FILE] [CASE ...|all]`.

Cases: small, large (synthetic, diverse), ibm8k, ibm130k (IBM-shaped look-alikes, 40 % of
possible mentors enrolled, one slot each), prototypes (ten profiles, priority mentees),
circles (a rules-heavy circle program), ibm and ibm-circles (the real roster, --csv), peers,
newcomer, solvers.

Each 1:1 case prints wall and user-CPU time and peak memory of the engine alone (ru_maxrss of
a fresh process per case, read before any reference runs) and with the solver it forks
(bench.pss: proportional set size, so shared pages count once), the engine's certificate, and
beside it the exact optimum of the same objective on the full feasible graph
(bench.exact_reference: one min-cost flow over every feasible pair, merged into types;
cross-checked person by person where that fits in memory) and greedy's on the same graph.
--no-reference skips both.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import numpy as np

from bench import exact_reference, ibm_roster, synth
from bench.pss import PeakPss
from matching import circles
from matching.candidates import bipartite_candidates
from matching.constraints import forbidden_pairs
from matching.engine import GIVER_ROLES, SEEKER_ROLES, match, match_newcomer
from matching.problem import Participant, Problem, ProgramConfig, Result, Skill, Taxonomy
from matching.scoring import build_features, objective_weights, score_pairs
from matching.solve_bipartite import solve_dense, solve_flow, solve_greedy
from matching.timing import pattern_of, working_intervals

WEEK = datetime(2024, 3, 11, tzinfo=UTC)  # US already on summer time, UK not yet
IBM_CSV: Path | None = None  # --csv FILE: the IBM HR attrition roster


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(name: str, result: Result, seconds: float, cpu: float | None = None) -> None:
    s = result.stats
    user = f" ({cpu:.2f} s CPU)" if cpu is not None else ""
    print(
        f"[{name}] {seconds:.2f} s{user}, peak {_peak_mb():.0f} MB; {s.seekers} seekers, "
        f"{s.mentors} mentors, {s.slots} slots; {s.matches} matches placing "
        f"{s.matched_seekers}; total score {s.total_score:.1f} (mean {s.mean_score:.4f}); "
        f"{s.candidate_edges} candidate edges; unmatched {s.unmatched}"
    )
    print(f"  phases: {dict(s.seconds)}")


WITH_REFERENCE = True  # --no-reference skips the full-graph optimum and greedy


def _slots_note(result: Result) -> None:
    """Print whether every slot is filled, when seekers outnumber slots."""
    s = result.stats
    if s.seekers >= s.slots:
        filled = s.matched_seekers == s.slots
        print(f"  every slot filled: {filled} ({s.matched_seekers} of {s.slots})")


def _engine(name: str, problem: Problem) -> Result:
    started, cpu = time.perf_counter(), time.process_time()
    with PeakPss() as watch:
        result = match(problem)
    _report(name, result, time.perf_counter() - started, time.process_time() - cpu)
    if watch.peak_mb is not None:
        print(
            f"  with its forked solver: peak {watch.peak_mb:.0f} MB (proportional set size "
            f"of the engine and its children, sampled every {watch.every} s)"
        )
    s = result.stats
    print(
        f"  {s.certificate} ({s.seeker_types} mentee and {s.mentor_types} mentor types, "
        f"{s.solves} solves, {s.excluded_pairs} pairings excluded as mutual)"
    )
    print(
        f"  load: {s.idle_mentors} mentors idle, {s.mentors_with_two_plus} with two or more, "
        f"load-spreading cost paid {s.load_spread_cost:.2f} score points"
    )
    return result


def _line(label: str, placed: int, objective: int, best: int, seconds: float) -> str:
    share = 100 * objective / best if best else 100.0
    return f"{label}: placed {placed}, objective {objective} ({share:.3f}%), {seconds:.2f} s"


def compare(name: str, problem: Problem) -> Result:
    """The engine beside the exact full-graph optimum and greedy, measured in one run."""
    result = _engine(name, problem)
    if not WITH_REFERENCE:
        return result
    best = exact_reference.optimum(problem)
    if best is None:
        print("  full graph: too big for memory here; the certificate stands alone")
        return result
    mine = exact_reference.engine_objective(problem, result)
    s = result.stats
    print("  " + _line("engine  ", s.matched_seekers, mine, best.objective, s.seconds["total"]))
    print(
        "  "
        + _line("optimum ", best.placed, best.objective, best.objective, best.seconds)
        + f" on {best.arcs} feasible type arcs"
    )
    if best.arcs <= 200_000:  # the same optimum person by person, where that fits
        person = exact_reference.optimum(problem, by_type=False)
        if person is not None:
            agree = (person.placed, person.objective) == (best.placed, best.objective)
            print(
                f"  cross-check person by person ({person.arcs} arcs, {person.seconds:.1f} s): "
                f"{'agrees' if agree else 'DISAGREES'}"
            )
    first = exact_reference.greedy(problem)
    if first is not None:
        print(
            "  " + _line("greedy  ", first.placed, first.objective, best.objective, first.seconds)
        )
    return result


def bipartite_case(name: str, seekers: int, mentors: int, capacity: int) -> None:
    people = synth.population(seekers, mentors, seed=11, capacity=capacity)
    result = compare(name, Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK)))
    _slots_note(result)


def ibm_shaped_case(name: str, people: int) -> None:
    roster, taxonomy = employees(ibm_roster.synthetic_roster(people), mentor_share=40, capacity=1)
    compare(name, Problem(roster, taxonomy, ProgramConfig(week_start=WEEK)))


def prototypes_case() -> None:
    people = synth.prototypes(5000, 1500, kinds=10, priority_share=0.1, capacity=1)
    problem = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    result = compare("prototypes 5000 x 1500, 10 profiles", problem)
    first = {p.key for p in people if p.priority}
    placed = sum(1 for m in result.matches if m.members[0] in first)
    print(f"  priority mentees placed: {placed} of {len(first)}")


def circles_case(problem: Problem | None = None, name: str = "circles rules-heavy") -> None:
    if problem is None:
        people, past = synth.rules_heavy_circles(2000, 400)
        problem = Problem(
            people,
            synth.taxonomy(),
            ProgramConfig(week_start=WEEK, format="circle", past_pairs=past),
        )
    started, cpu = time.perf_counter(), time.process_time()
    result = match(problem)
    _report(name, result, time.perf_counter() - started, time.process_time() - cpu)
    print(f"  solver: {result.stats.solver}")
    print(f"  {circle_audit(problem, result)}")
    if WITH_REFERENCE:
        placed, weight = circle_greedy(problem)
        print(
            f"  engine placed {result.stats.matched_seekers}; best-edge-first greedy alone "
            f"placed {placed} (weight {weight})"
        )


def peers_case(size: int = 100_000) -> None:
    people = synth.population(size, 0, seed=13, peers=True)
    problem = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK, format="peer"))
    started = time.perf_counter()
    result = match(problem)
    _report("peers", result, time.perf_counter() - started)
    trios = sum(1 for m in result.matches if len(m.members) == 3)
    placed = sum(len(m.members) for m in result.matches)
    print(
        f"  pairs bound {result.stats.pairs_bound}; {trios} trios; placed {placed} of {size};"
        f" unmatched with reasons {len(result.unmatched)}; silently dropped "
        f"{size - placed - len(result.unmatched)}"
    )


def newcomer_case() -> None:
    people = synth.population(1, 3000, seed=17)
    problem = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    match_newcomer(problem, 1)  # warm caches (zone data)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        result = match_newcomer(problem, 1)
        runs.append(time.perf_counter() - started)
    print(
        f"[newcomer] one mentee against 3000 mentors: best of 5 {1000 * min(runs):.1f} ms, "
        f"median {1000 * sorted(runs)[2]:.1f} ms; matched {len(result.matches)}"
    )


def solvers_case(seekers: int = 8000, mentors: int = 2400) -> None:
    """The same sparse graph through the flow, dense assignment and greedy."""
    people = synth.population(seekers, mentors, seed=19)
    config = ProgramConfig(week_start=WEEK)
    f = build_features(people, synth.taxonomy(), config)
    forbidden = forbidden_pairs(f.people, config)
    roles = np.array([p.role for p in f.people])
    caps = np.array([p.capacity for p in f.people], dtype=np.int64)
    a, b = bipartite_candidates(
        f,
        forbidden,
        np.nonzero(np.isin(roles, SEEKER_ROLES))[0],
        np.nonzero(np.isin(roles, GIVER_ROLES) & (caps > 0))[0],
        20,
        10,
    )
    w = objective_weights(f, a, score_pairs(f, a, b).score)
    for name, solve in (("flow", solve_flow), ("dense", solve_dense), ("greedy", solve_greedy)):
        started = time.perf_counter()
        chosen = solve(a, b, w, caps)
        print(
            f"[solvers:{name}] {time.perf_counter() - started:.2f} s: placed {chosen.sum()}, "
            f"weight {w[chosen].sum()} on {len(a)} edges, {caps.sum()} slots"
        )


def ibm_people(path: Path) -> tuple[tuple[Participant, ...], Taxonomy]:
    """A real-shaped roster (bench.ibm_roster) as engine participants."""
    return employees(ibm_roster.read_roster(path), mentor_share=100, capacity=2)


def employees(
    roster: list[ibm_roster.Employee], mentor_share: int, capacity: int
) -> tuple[tuple[Participant, ...], Taxonomy]:
    """Employees as participants: `mentor_share` % of those who could mentor enroll as
    mentors (by a hash of their number), everyone else as a mentee."""
    skills = [Skill(_slug(name), name, c) for name, c in ibm_roster.skill_clusters().items()]
    out = []
    for e in roster:
        if e.mentor and (e.digest >> 8) % 100 >= mentor_share:
            continue
        out.append(
            Participant(
                key=e.number,
                person_id=e.number,
                name=f"Employee {e.number}",
                role="mentor" if e.mentor else "mentee",
                offers=tuple((_slug(n), lvl) for n, lvl in e.offers()) if e.mentor else (),
                seeks=() if e.mentor else tuple(_slug(n) for n in e.seeks()),
                seniority=e.level,
                department=e.department,
                timezone=e.zone,
                languages=("en",),
                capacity=capacity if e.mentor else 0,
                waiting_days=float(e.digest % 30),
                segments=MappingProxyType(
                    {
                        "department": e.department,
                        "level": str(e.level),
                        "gender": e.gender,
                        "education": e.education,
                    }
                ),
            )
        )
    return tuple(out), Taxonomy.of(skills)


def _slug(role: str) -> str:
    return role.lower().replace(" ", "-")


def circle_audit(problem: Problem, result: Result) -> str:
    """Co-member rules broken and hours claimed, checked from the participants' own fields."""
    config = problem.config
    f = build_features(problem.participants, problem.taxonomy, config)
    forbidden = forbidden_pairs(f.people, config)
    index = {p.key: i for i, p in enumerate(f.people)}
    broken = no_language = no_time = false_words = 0
    week = config.week_start
    for m in result.matches:
        assert m.mentor is not None
        group = [index[m.mentor], *(index[k] for k in m.members)]
        broken += sum(
            forbidden.is_forbidden(x, y) for n, x in enumerate(group) for y in group[n + 1 :]
        )
        listed = [{x.lower() for x in f.people[i].languages} for i in group]
        listed = [x for x in listed if x]
        no_language += bool(listed) and not set.intersection(*listed)
        spans = working_intervals(pattern_of(f.people[group[0]]), week, week + timedelta(days=7))
        for i in group[1:]:
            other = working_intervals(pattern_of(f.people[i]), week, week + timedelta(days=7))
            spans = [
                (max(a, c), min(b, d)) for a, b in spans for c, d in other if max(a, c) < min(b, d)
            ]
        hours = sum((b - a).total_seconds() for a, b in spans) / 3600
        no_time += hours < config.min_overlap_hours - 1e-9
        false_words += hours == 0 and any("everyone" in r for r in m.reasons)
    return (
        f"{len(result.matches)} circles: {broken} co-member pairs breaking a rule, "
        f"{no_language} without a common language, {no_time} under "
        f"{config.min_overlap_hours:g} h a week when all are working, {false_words} claiming "
        "hours for everyone without any"
    )


def circle_greedy(problem: Problem) -> tuple[int, int]:
    """Best-edge-first greedy alone on the engine's circle graph: (placed, weight)."""
    config = problem.config
    f = build_features(problem.participants, problem.taxonomy, config)
    forbidden = forbidden_pairs(f.people, config)
    roles = np.array([p.role for p in f.people])
    caps = np.array([p.capacity for p in f.people], dtype=np.int64)
    seekers = np.flatnonzero(np.isin(roles, SEEKER_ROLES))
    givers = np.flatnonzero(
        np.isin(roles, GIVER_ROLES) & (np.minimum(caps, config.circle_max) >= config.circle_min)
    )
    a, b = bipartite_candidates(f, forbidden, seekers, givers, len(givers), len(seekers))
    scores = score_pairs(f, a, b)
    keep = scores.feasible & ~forbidden.pair_mask(a, b)
    a, b = a[keep], b[keep]
    w = objective_weights(f, a, scores.score[keep])
    size = np.minimum(caps, config.circle_max)
    found = circles._greedy(f, circles.Group(f, forbidden), a, b, w, size)
    return sum(len(c.mentees) for c in found.values()), sum(c.weight for c in found.values())


def ibm_case(circle: bool = False) -> None:
    if IBM_CSV is None or not IBM_CSV.exists():
        print(f"[ibm] skipped: pass --csv FILE with the IBM HR attrition roster ({IBM_CSV})")
        return
    people, taxonomy = ibm_people(IBM_CSV)
    if circle:
        people = tuple(replace(p, capacity=5) if p.role == "mentor" else p for p in people)
        config = ProgramConfig(week_start=WEEK, format="circle")
        circles_case(Problem(people, taxonomy, config), "ibm circles")
        return
    problem = Problem(people, taxonomy, ProgramConfig(week_start=WEEK))
    result = compare("ibm", problem)
    reasons: dict[str, int] = {}
    for u in result.unmatched:
        reasons[u.reason.value] = reasons.get(u.reason.value, 0) + 1
    flagged = [f"{r.attribute}={r.value}" for r in result.fairness.rows if r.flagged]
    print(
        f"  unmatched by reason {reasons}; flagged segments {flagged}; "
        f"suppressed {dict(result.fairness.suppressed)}"
    )
    for line in result.coverage.suggestions[:3]:
        print(f"  {line}")


CASES = {
    "small": lambda: bipartite_case("small 10k x 3k", 10_000, 3_000, 3),
    "large": lambda: bipartite_case("large 100k x 30k", 100_000, 30_000, 3),
    "ibm8k": lambda: ibm_shaped_case("ibm-shaped 8k", 8_000),
    "ibm130k": lambda: ibm_shaped_case("ibm-shaped 130k", 130_000),
    "prototypes": prototypes_case,
    "circles": circles_case,
    "peers": peers_case,
    "ibm": ibm_case,
    "ibm-circles": lambda: ibm_case(circle=True),
    "newcomer": newcomer_case,
    "solvers": solvers_case,
}


def main(argv: list[str]) -> int:
    global WITH_REFERENCE, IBM_CSV
    argv = list(argv)
    if "--csv" in argv:
        at = argv.index("--csv")
        if at + 1 >= len(argv):
            print("--csv needs a file")
            return 2
        IBM_CSV = Path(argv[at + 1])
        del argv[at : at + 2]
    flags = [a for a in argv if a.startswith("--")]
    if set(flags) - {"--no-reference"}:
        print("flags: --no-reference, --csv FILE")
        return 2
    if IBM_CSV is not None:
        flags += ["--csv", str(IBM_CSV)]
    WITH_REFERENCE = "--no-reference" not in flags
    names = [a for a in argv if not a.startswith("--")] or ["small"]
    if names == ["all"]:
        for name in CASES:  # one process per case, so peak memory is per case
            subprocess.run([sys.executable, "-m", "bench.matching", *flags, name], check=True)
        return 0
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print(f"unknown case(s) {unknown}; choose from {sorted(CASES)} or all")
        return 2
    for name in names:
        CASES[name]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
