"""Why one person has no feasible counterpart: the first rule that empties their list.

Checked in the order a person can act on: goals, then working time, then the rules about
particular people. Exclusion lists are confidential, so they are never named in the words.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matching.constraints import JUNIOR_RULE, PAST_PAIR, REPORTING_LINE, Forbidden
from matching.problem import Reason
from matching.scoring import Features, goal_fit

I64 = npt.NDArray[np.int64]


def diagnose(
    f: Features, forbidden: Forbidden, person: int, counterparts: I64, person_is_seeker: bool
) -> tuple[Reason, tuple[str, ...]]:
    """Reason (and rule names for CONSTRAINTS) why `person` fits none of `counterparts`."""
    others = counterparts[f.person_ids[counterparts] != f.person_ids[person]]
    if len(others) == 0:
        return Reason.NO_COUNTERPART, ()
    me = np.full(len(others), person, dtype=np.int64)
    seeker, giver = (me, others) if person_is_seeker else (others, me)
    config = f.config
    if f.peer:
        needs = (f.n_goals[seeker] > 0) | (f.n_goals[giver] > 0)
        goal = goal_fit(f, seeker, giver) + goal_fit(f, giver, seeker)
    else:
        needs = f.n_goals[seeker] > 0
        goal = goal_fit(f, seeker, giver)
    goal_ok = ~needs | (goal > 0) if config.require_goal_fit else np.ones(len(others), bool)
    if not goal_ok.any():
        return Reason.NO_GOAL_FIT, ()
    minutes = f.overlap_min[f.pattern[seeker], f.pattern[giver]]
    time_ok = goal_ok & (minutes >= config.min_overlap_hours * 60 - 1e-9)
    if not time_ok.any():
        return Reason.NO_OVERLAP, ()
    lang_a, lang_b = f.lang[seeker], f.lang[giver]
    lang_ok = (lang_a == 0) | (lang_b == 0) | f.lang_share[lang_a, lang_b]
    banned = forbidden.pair_mask(seeker, giver)
    if (time_ok & lang_ok & ~banned).any():
        return Reason.ALL_TAKEN, ()
    rules: list[str] = []
    kinds = 0
    for j in np.nonzero(time_ok & banned)[0].tolist():
        kinds |= forbidden.kinds_between(int(seeker[j]), int(giver[j]))
    if kinds & REPORTING_LINE:
        rules.append("reporting line")
    if kinds & PAST_PAIR:
        rules.append("past pairs")
    if kinds & JUNIOR_RULE:
        rules.append("mentors must be junior to their mentees")
    if (time_ok & ~lang_ok).any():
        rules.append("no shared language")
    return Reason.CONSTRAINTS, tuple(rules)
