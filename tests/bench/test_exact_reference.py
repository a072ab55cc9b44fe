"""The benchmark's reference: merging look-alikes into types changes no optimum."""

from __future__ import annotations

from bench import exact_reference, ibm_roster, synth
from bench.matching import WEEK, employees
from matching.engine import match
from matching.problem import Problem, ProgramConfig


def test_the_type_graph_and_the_person_graph_have_one_optimum() -> None:
    roster, taxonomy = employees(ibm_roster.synthetic_roster(1200), mentor_share=40, capacity=2)
    prob = Problem(roster, taxonomy, ProgramConfig(week_start=WEEK))
    by_type, by_person = exact_reference.optimum(prob), exact_reference.optimum(prob, False)
    assert by_type is not None
    assert by_person is not None
    assert (by_type.placed, by_type.objective) == (by_person.placed, by_person.objective)
    result = match(prob)
    assert result.stats.matched_seekers == by_type.placed
    assert exact_reference.engine_objective(prob, result) == by_type.objective


def test_greedy_is_a_lower_bound() -> None:
    people = synth.prototypes(400, 120, kinds=5, capacity=1)
    prob = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    best, first = exact_reference.optimum(prob), exact_reference.greedy(prob)
    assert best is not None
    assert first is not None
    assert (first.placed, first.objective) <= (best.placed, best.objective)
