"""Benchmarks: `python -m bench.matching [--no-reference] [small|large|peers|ibm|...|all]`.

Cases: small, large, peers, ibm, newcomer, solvers; --no-reference skips the wide reference.

Each case prints wall time, peak memory (ru_maxrss of a fresh process per case), the score
against a reference solved with much larger candidate lists, and against greedy.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import numpy as np

from bench import ibm_roster, synth
from matching.candidates import bipartite_candidates
from matching.constraints import forbidden_pairs
from matching.engine import GIVER_ROLES, SEEKER_ROLES, match, match_newcomer
from matching.problem import Participant, Problem, ProgramConfig, Result, Skill, Taxonomy
from matching.scoring import build_features, objective_weights, score_pairs
from matching.solve_bipartite import solve_dense, solve_flow, solve_greedy

WEEK = datetime(2024, 3, 11, tzinfo=UTC)  # US already on summer time, UK not yet
IBM_CSV: Path | None = None  # --csv FILE: the IBM HR attrition roster


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(name: str, result: Result, seconds: float) -> None:
    s = result.stats
    print(
        f"[{name}] {seconds:.2f} s, peak {_peak_mb():.0f} MB; {s.seekers} seekers, "
        f"{s.mentors} mentors, {s.slots} slots; {s.matches} matches placing "
        f"{s.matched_seekers}; total score {s.total_score:.1f} (mean {s.mean_score:.4f}); "
        f"{s.candidate_edges} candidate edges; unmatched {s.unmatched}"
    )
    print(f"  phases: {dict(s.seconds)}")


def _greedy(problem: Problem) -> tuple[int, float]:
    """Greedy on the same candidate graph as `problem` asks for: (placed, total score)."""
    config = problem.config
    f = build_features(problem.participants, problem.taxonomy, config)
    forbidden = forbidden_pairs(f.people, config)
    roles = np.array([p.role for p in f.people])
    caps = np.array([p.capacity for p in f.people], dtype=np.int64)
    seekers = np.nonzero(np.isin(roles, SEEKER_ROLES))[0]
    givers = np.nonzero(np.isin(roles, GIVER_ROLES) & (caps > 0))[0]
    a, b = bipartite_candidates(
        f, forbidden, seekers, givers, config.candidates_per_seeker, config.candidates_per_mentor
    )
    scores = score_pairs(f, a, b)
    keep = scores.feasible & ~forbidden.pair_mask(a, b)
    a, b, score = a[keep], b[keep], scores.score[keep]
    chosen = solve_greedy(a, b, objective_weights(f, a, score), caps)
    return int(chosen.sum()), float(score[chosen].sum())


WITH_REFERENCE = True  # --no-reference skips the slow wide-candidate solve and greedy


def _slots_note(result: Result) -> None:
    """Print whether every slot is filled, when seekers outnumber slots."""
    s = result.stats
    if s.seekers >= s.slots:
        filled = s.matched_seekers == s.slots
        print(f"  every slot filled: {filled} ({s.matched_seekers} of {s.slots})")


def bipartite_case(
    name: str, seekers: int, mentors: int, capacity: int, ref_k: tuple[int, int]
) -> None:
    people = synth.population(seekers, mentors, seed=11, capacity=capacity)
    problem = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    started = time.perf_counter()
    result = match(problem)
    _report(name, result, time.perf_counter() - started)
    _slots_note(result)
    if not WITH_REFERENCE:
        return
    wide = replace(
        problem,
        config=replace(
            problem.config, candidates_per_seeker=ref_k[0], candidates_per_mentor=ref_k[1]
        ),
    )
    started = time.perf_counter()
    reference = match(wide)
    ref_seconds = time.perf_counter() - started
    placed, greedy_score = _greedy(wide)
    s, r = result.stats, reference.stats
    print(
        f"  reference (K={ref_k[0]}, K2={ref_k[1]}, {ref_seconds:.1f} s): placed "
        f"{r.matched_seekers}, score {r.total_score:.1f}; ours "
        f"{100 * s.total_score / r.total_score:.3f}% of it, placed {s.matched_seekers}"
    )
    print(
        f"  greedy on the reference graph: placed {placed}, score {greedy_score:.1f} "
        f"({100 * greedy_score / r.total_score:.2f}%), {r.matched_seekers - placed} fewer placed"
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


def ibm_case() -> None:
    if IBM_CSV is None or not IBM_CSV.exists():
        print(f"[ibm] skipped: pass --csv FILE with the IBM HR attrition roster ({IBM_CSV})")
        return
    people, taxonomy = ibm_people(IBM_CSV)
    problem = Problem(people, taxonomy, ProgramConfig(week_start=WEEK))
    started = time.perf_counter()
    result = match(problem)
    _report("ibm", result, time.perf_counter() - started)
    full = match(
        replace(
            problem,
            config=replace(
                problem.config, candidates_per_seeker=10_000, candidates_per_mentor=10_000
            ),
        )
    )
    best = full.stats.total_score
    print(
        f"  full graph: placed {full.stats.matched_seekers}, score "
        f"{full.stats.total_score:.1f}; ours {100 * result.stats.total_score / best:.2f}%"
    )
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
    "small": lambda: bipartite_case("small 10k x 3k", 10_000, 3_000, 3, (80, 120)),
    "large": lambda: bipartite_case("large 100k x 30k", 100_000, 30_000, 3, (48, 72)),
    "peers": peers_case,
    "ibm": ibm_case,
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
