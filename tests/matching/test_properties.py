"""Properties every round must keep, on random small programs."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.engine import match
from matching.problem import Participant, Problem
from matching.timing import weekly_overlap_hours
from tests.matching.helpers import TAXONOMY, problems

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def allowed(problem: Problem, a: Participant, b: Participant) -> bool:
    """Every hard rule, written out again from the participants' own fields."""
    config = problem.config
    depth = config.reporting_line_depth
    if a.person_id == b.person_id:
        return False
    if b.person_id in a.manager_chain[:depth] or a.person_id in b.manager_chain[:depth]:
        return False
    if b.person_id in a.never_match or a.person_id in b.never_match:
        return False
    if frozenset({a.person_id, b.person_id}) in config.past_pairs:
        return False
    if (
        a.languages
        and b.languages
        and not {x.lower() for x in a.languages} & {x.lower() for x in b.languages}
    ):
        return False
    return weekly_overlap_hours(a, b, config.week_start) >= config.min_overlap_hours


def goal_fits(seeker: Participant, giver: Participant) -> bool:
    if not seeker.seeks:
        return True
    offered = {slug for slug, _ in giver.offers}
    clusters = {TAXONOMY.cluster(s) for s in offered}
    return any(s in offered or TAXONOMY.cluster(s) in clusters for s in seeker.seeks)


@FAST
@given(problems(roles=("mentee", "mentor", "both")))
def test_capacity_rules_and_nobody_twice(problem: Problem) -> None:
    result = match(problem)
    by_key = {p.key: p for p in problem.participants}
    load: dict[int, int] = {}
    seen: list[int] = []
    for m in result.matches:
        assert m.mentor is not None
        assert len(m.members) == 1
        mentor, mentee = by_key[m.mentor], by_key[m.members[0]]
        assert mentor.role in ("mentor", "both")
        assert mentee.role in ("mentee", "both")
        assert allowed(problem, mentee, mentor), (mentee, mentor)
        assert goal_fits(mentee, mentor)
        load[m.mentor] = load.get(m.mentor, 0) + 1
        seen.append(m.members[0])
    assert len(seen) == len(set(seen)), "a mentee was matched twice"
    for key, count in load.items():
        assert count <= by_key[key].capacity
    pairs = {(m.mentor, m.members[0]) for m in result.matches}
    assert not any((b, a) in pairs for a, b in pairs), "the same two people matched twice"


@FAST
@given(problems(roles=("mentee", "mentor", "both")))
def test_every_mentee_is_matched_or_told_why(problem: Problem) -> None:
    result = match(problem)
    matched = {k for m in result.matches for k in m.members}
    told = {u.key for u in result.unmatched if u.side == "mentee"}
    mentees = {p.key for p in problem.participants if p.role in ("mentee", "both")}
    assert matched | told == mentees
    assert not matched & told
    assert all(u.words for u in result.unmatched)


@FAST
@given(problems(roles=("mentee", "mentor", "both")), st.randoms(use_true_random=False))
def test_same_input_same_output_in_any_order(problem: Problem, rnd: random.Random) -> None:
    first = match(problem)
    people = list(problem.participants)
    rnd.shuffle(people)
    again = match(replace(problem, participants=tuple(people)))
    assert again.matches == first.matches
    assert again.unmatched == first.unmatched


@FAST
@given(problems())
def test_a_seed_still_gives_an_optimal_and_repeatable_round(problem: Problem) -> None:
    seeded = replace(problem, config=replace(problem.config, seed=42))
    one, two = match(seeded), match(seeded)
    assert one.matches == two.matches
    plain = match(problem)
    assert one.stats.matched_seekers == plain.stats.matched_seekers
    assert abs(one.stats.total_score - plain.stats.total_score) < 0.01 * max(1, len(one.matches))
