"""A round's result as aggregates only: counts, score distribution, reasons, fairness, gaps.

This is what a round keeps about itself and what its preview shows; no names, no scores of
single people, so it can be stored and reported without touching anyone's privacy.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from matching.problem import Result

SCORE_BUCKETS = (0.0, 0.2, 0.4, 0.6, 0.8)


def score_distribution(scores: Sequence[float]) -> dict[str, Any]:
    buckets = {f"{low:.1f}": 0 for low in SCORE_BUCKETS}
    for score in scores:
        low = max(b for b in SCORE_BUCKETS if score >= b - 1e-9) if score >= 0 else 0.0
        buckets[f"{low:.1f}"] += 1
    out: dict[str, Any] = {"buckets": buckets}
    if scores:
        ordered = sorted(scores)
        out.update(
            min=round(ordered[0], 3),
            median=round(statistics.median(ordered), 3),
            mean=round(statistics.fmean(ordered), 3),
            max=round(ordered[-1], 3),
        )
    return out


def round_stats(result: Result) -> dict[str, Any]:
    """Aggregates only: counts, score distribution, reasons, fairness flags, coverage gaps."""
    st = result.stats
    # distinct people: a mentor with two mentees is one person matched, not two
    people_matched = len({key for m in result.matches for key in m.keys})
    return {
        "participants": st.participants,
        "seekers": st.seekers,
        "mentors": st.mentors,
        "slots": st.slots,
        "matches": st.matches,
        "matched_people": people_matched,
        "matched_seekers": st.matched_seekers,
        "unmatched": st.unmatched,
        "scores": score_distribution([m.score for m in result.matches]),
        "unmatched_reasons": dict(sorted(Counter(str(u.reason) for u in result.unmatched).items())),
        "fairness_flags": [
            {
                "attribute": row.attribute,
                "value": row.value,
                "people": row.people,
                "match_rate": round(row.match_rate, 3),
            }
            for row in result.fairness.rows
            if row.flagged
        ],
        "overall_match_rate": round(result.fairness.overall_match_rate, 3),
        "coverage_gaps": [
            {
                "skill": gap.name,
                "demand": gap.demand,
                "slots": gap.slots,
                "unmet": gap.unmet,
            }
            for gap in result.coverage.skills
            if gap.unmet > 0 or gap.ratio is None
        ][:10],
        "suggestions": list(result.coverage.suggestions[:3]),
        "vanished": 0,
        "solver": st.solver,
        "optimal": st.optimal,
        "certificate": st.certificate,
        "idle_mentors": st.idle_mentors,
        "mentors_with_two_plus": st.mentors_with_two_plus,
        "load_spread_cost": round(st.load_spread_cost, 3),
    }
