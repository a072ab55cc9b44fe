"""Plain-words reasons: why a pair was matched, why someone was left unmatched.

A reason is given for a component only when its breakdown value clears that component's
bar, strongest weighted contribution first, so the words can never disagree with the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from matching.problem import Participant, Reason, Taxonomy
from matching.timing import Pattern, overlap_per_day, pattern_of

MAX_REASONS = 4
# The value a component needs before it is worth a sentence (0.5 means "unknown" for
# department, language and preference, so those need more than that).
REASON_BAR: Mapping[str, float] = {
    "goal": 0.3,
    "overlap": 0.3,
    "seniority": 0.75,
    "department": 1.0,
    "language": 1.0,
    "preference": 0.75,
    "waiting": 0.5,
}


def _hours(value: float) -> str:
    if value < 1:
        return f"{round(value * 60)} min"
    rounded = round(value * 2) / 2
    return f"{rounded:g} h"


def _goal_words(seeker: Participant, giver: Participant, taxonomy: Taxonomy) -> str | None:
    offered = dict(giver.offers)
    exact = [s for s in seeker.seeks if s in offered]
    if exact:
        names = " and ".join(taxonomy.name(s) for s in exact[:2])
        what = "both" if len(exact) > 1 else "it"
        return f"{seeker.name} wants {names}; {giver.name} offers {what}"
    for goal in seeker.seeks:
        cluster = taxonomy.cluster(goal)
        if cluster is None:
            continue
        near = [(level, slug) for slug, level in giver.offers if taxonomy.cluster(slug) == cluster]
        if near:
            _, slug = max(near, key=lambda item: (item[0], item[1]))
            return (
                f"{seeker.name} wants {taxonomy.name(goal)}; {giver.name} offers "
                f"{taxonomy.name(slug)}, in the same area ({cluster})"
            )
    return None


@dataclass(frozen=True)
class _Hours:
    timezone: str
    working_days: tuple[int, ...]
    start_minute: int
    end_minute: int


@lru_cache(maxsize=65536)
def _overlap_words(a: Pattern, b: Pattern, week_start: datetime) -> str:
    week, _, per_day = overlap_per_day(_Hours(*a), _Hours(*b), week_start)
    if per_day is not None:
        return f"{_hours(per_day)} a day in common"
    return f"about {_hours(week)} a week of working time in common"


def _component_words(
    name: str,
    a: Participant,
    b: Participant,
    taxonomy: Taxonomy,
    week_start: datetime,
    reverse: bool,
    peer: bool,
) -> str | None:
    """One sentence for component `name` of seeker `a` with mentor (or peer) `b`."""
    if name == "goal":
        words = _goal_words(a, b, taxonomy)
        if words is None and peer:
            words = _goal_words(b, a, taxonomy)
        return words
    if name == "overlap":
        return _overlap_words(pattern_of(a), pattern_of(b), week_start)
    if name == "seniority":
        gap = b.seniority - a.seniority
        if peer or gap == 0:
            return "the same level" if gap == 0 else "one level apart"
        if reverse:
            return f"{b.name} is {-gap} level{'s' * (abs(gap) > 1)} more junior: reverse mentoring"
        return f"{b.name} is {gap} level{'s' * (gap > 1)} more senior"
    if name == "department":
        return f"different departments ({a.department} and {b.department})"
    if name == "language":
        theirs = {lang.lower() for lang in b.languages}
        shared = [lang for lang in a.languages if lang.lower() in theirs]
        return f"both speak {shared[0]}" if shared else None
    if name == "preference":
        if a.meeting_frequency_days == b.meeting_frequency_days:
            return f"both like to meet every {a.meeting_frequency_days} days"
        return "a similar meeting rhythm"
    if name == "waiting":
        people = [a, b] if peer else [a]
        first = next((p for p in people if p.priority), None)
        if first is not None:
            return f"{first.name} was first in line"
        longest = max(people, key=lambda p: p.waiting_days)
        return f"{longest.name} has waited {round(longest.waiting_days)} days"
    raise ValueError(f"unknown component {name!r}")


def explain_pair(
    a: Participant,
    b: Participant,
    breakdown: Mapping[str, float],
    weights: Mapping[str, float],
    taxonomy: Taxonomy,
    week_start: datetime,
    *,
    reverse: bool = False,
    peer: bool = False,
) -> list[tuple[str, str]]:
    """(component, sentence) pairs, strongest first; `a` is the mentee or first peer.

    In reverse mentoring a junior mentor is the point of the pair, so it is always said."""
    junior = reverse and not peer and b.seniority < a.seniority
    ranked = sorted(
        (
            name
            for name, value in breakdown.items()
            if weights.get(name, 0) > 0
            and (value >= REASON_BAR[name] - 1e-9 or (name == "seniority" and junior))
        ),
        key=lambda name: (-weights[name] * breakdown[name], name),
    )
    out: list[tuple[str, str]] = []
    for name in ranked:
        words = _component_words(name, a, b, taxonomy, week_start, reverse, peer)
        if words:
            out.append((name, words))
        if len(out) == MAX_REASONS:
            break
    return out


GROUP_WORDS: Mapping[str, str] = {
    "goal": "goals and skills line up",
    "overlap": "working hours in common",
    "seniority": "a good spread of levels",
    "department": "a mix of departments",
    "language": "a shared language",
    "preference": "similar meeting rhythms",
    "waiting": "people who had waited longest come first",
}


def explain_group(
    breakdown: Mapping[str, float],
    weights: Mapping[str, float],
    skip: frozenset[str] = frozenset(),
    everyone_minutes: int | None = None,
) -> list[tuple[str, str]]:
    """Generic reasons for a group (circle or trio) from its breakdown. Working hours are
    only named from the time when every member is working (`everyone_minutes` a week),
    never from pairs: three people can each share hours with the others and never all."""
    if everyone_minutes is None:
        skip = skip | {"overlap"}
    ranked = sorted(
        (
            name
            for name in GROUP_WORDS
            if name not in skip
            and weights.get(name, 0) > 0
            and breakdown.get(name, 0) >= REASON_BAR[name] - 1e-9
        ),
        key=lambda name: (-weights[name] * breakdown[name], name),
    )
    words = dict(GROUP_WORDS)
    if everyone_minutes is not None:
        words["overlap"] = f"{_hours(everyone_minutes / 60)} a week when everyone is working"
    return [(name, words[name]) for name in ranked]


def explain_circle(
    mentor: Participant,
    mentees: Sequence[Participant],
    cluster: str | None,
    breakdown: Mapping[str, float],
    weights: Mapping[str, float],
    taxonomy: Taxonomy,
    everyone_minutes: int | None = None,
) -> list[tuple[str, str]]:
    """Reasons for a circle from its breakdown (overlap: the time all members share)."""
    out: list[tuple[str, str]] = []
    if cluster is not None:
        offered = [slug for slug, _ in mentor.offers if taxonomy.cluster(slug) == cluster]
        names = ", ".join(taxonomy.name(s) for s in offered[:2])
        out.append(
            ("goal", f"Everyone here wants to grow in {cluster}; {mentor.name} offers {names}")
        )
    rest = explain_group(
        breakdown,
        weights,
        skip=frozenset({"goal"}) if out else frozenset(),
        everyone_minutes=everyone_minutes,
    )
    out.extend(rest[: MAX_REASONS - len(out)])
    return out


def unmatched_words(
    reason: Reason,
    side: str,
    person: Participant,
    taxonomy: Taxonomy,
    detail: Sequence[str] = (),
    min_overlap_hours: float = 1.0,
) -> str:
    """What to tell someone who was left out this round (never names anyone else)."""
    if reason is Reason.NO_COUNTERPART:
        return {
            "mentee": "No mentor with free capacity is enrolled this round.",
            "mentor": "No mentee is waiting this round.",
        }.get(side, "No other peer is enrolled this round.")
    if reason is Reason.NO_GOAL_FIT:
        if side == "mentor":
            return "No mentee this round is looking for what you offer."
        goals = ", ".join(taxonomy.name(s) for s in person.seeks[:3]) or "your goals"
        if side == "peer":
            return f"Nobody this round offers {goals} or wants what you offer."
        return f"No mentor this round offers {goals} or anything close."
    if reason is Reason.NO_OVERLAP:
        return (
            f"Everyone who fits works at times that share less than "
            f"{_hours(min_overlap_hours)} a week with yours."
        )
    if reason is Reason.CONSTRAINTS:
        rules = ", ".join(detail) if detail else "program rules"
        return f"Everyone who fits is ruled out by program rules ({rules})."
    if reason is Reason.ALL_TAKEN:
        return {
            "mentee": "Every mentor who fits you is full this round; you keep your place "
            "in the queue.",
            "mentor": "The mentees who fit you were matched with others this round.",
        }.get(side, "Everyone who fits you was paired with someone else this round.")
    if reason is Reason.CIRCLE_TOO_SMALL:
        return "Too few people share your goal area for a circle this round."
    return "You were the odd one out this round; you are first in line next time."
