"""Per-round fairness audit: match rate, score and waiting per segment, and mentor load.

Segment values with fewer than `min_group` people are left out (only counted), so an admin
report can never single out a small group.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence

from matching.problem import FairnessAudit, LoadSpread, Participant, SegmentRow


def segments_of(person: Participant) -> dict[str, str]:
    """The person's segment attributes, with department and level filled in when known."""
    out = dict(person.segments)
    if person.department and "department" not in out:
        out["department"] = person.department
    out.setdefault("level", str(person.seniority))
    return out


def audit(
    seekers: Sequence[Participant],
    scores: Mapping[int, float],  # seeker key -> score of their match
    loads: Mapping[int, int],  # mentor key -> placements this round
    mentors: Sequence[Participant] = (),
    margin: float = 0.10,
    min_group: int = 5,
) -> FairnessAudit:
    total = len(seekers)
    overall = (sum(1 for p in seekers if p.key in scores) / total) if total else 0.0
    groups: dict[tuple[str, str], list[Participant]] = defaultdict(list)
    for person in seekers:
        for attribute, value in segments_of(person).items():
            groups[(attribute, value)].append(person)
    rows: list[SegmentRow] = []
    suppressed: dict[str, int] = defaultdict(int)
    for (attribute, value), members in sorted(groups.items()):
        if len(members) < min_group:
            suppressed[attribute] += 1
            continue
        matched = [scores[p.key] for p in members if p.key in scores]
        rate = len(matched) / len(members)
        rows.append(
            SegmentRow(
                attribute=attribute,
                value=value,
                people=len(members),
                matched=len(matched),
                match_rate=rate,
                mean_score=statistics.fmean(matched) if matched else None,
                mean_waiting_days=statistics.fmean(p.waiting_days for p in members),
                flagged=rate < overall - margin,
            )
        )
    load = None
    if mentors:
        counts = [loads.get(m.key, 0) for m in mentors]
        load = LoadSpread(
            mentors=len(mentors),
            min=min(counts),
            max=max(counts),
            mean=statistics.fmean(counts),
            stdev=statistics.pstdev(counts),
            unused_slots=sum(max(m.capacity - loads.get(m.key, 0), 0) for m in mentors),
        )
    return FairnessAudit(overall, margin, tuple(rows), dict(suppressed), load)
