"""Skill supply against demand: gaps per skill and cluster, and whom to recruit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from matching.problem import ClusterGap, Coverage, Participant, SkillGap, Taxonomy

MAX_SUGGESTIONS = 5
SHORTFALL_RATIO = 1.5  # demand per slot above which a skill is worth recruiting for


def _ratio(demand: int, slots: int) -> float | None:
    return demand / slots if slots else None


def coverage(
    seekers: Sequence[Participant],
    mentors: Sequence[Participant],
    unmatched: Collection[int],  # seeker keys left unmatched
    taxonomy: Taxonomy,
) -> Coverage:
    demand: Counter[str] = Counter()
    unmet: Counter[str] = Counter()
    for person in seekers:
        for slug in dict.fromkeys(person.seeks):
            demand[slug] += 1
            if person.key in unmatched:
                unmet[slug] += 1
    offered: Counter[str] = Counter()
    slots: Counter[str] = Counter()
    for mentor in mentors:
        for slug in dict.fromkeys(slug for slug, _ in mentor.offers):
            offered[slug] += 1
            slots[slug] += max(mentor.capacity, 1)  # a peer offers one slot
    skills = tuple(
        SkillGap(
            slug=slug,
            name=taxonomy.name(slug),
            cluster=taxonomy.cluster(slug),
            demand=demand[slug],
            mentors=offered[slug],
            slots=slots[slug],
            unmet=unmet[slug],
            ratio=_ratio(demand[slug], slots[slug]),
        )
        for slug in sorted(set(demand) | set(offered))
    )
    by_cluster: dict[str, list[SkillGap]] = {}
    for gap in skills:
        if gap.cluster is not None:
            by_cluster.setdefault(gap.cluster, []).append(gap)
    cluster_demand: Counter[str] = Counter()
    cluster_unmet: Counter[str] = Counter()
    for person in seekers:
        wanted = {c for s in person.seeks if (c := taxonomy.cluster(s)) is not None}
        for cluster in wanted:
            cluster_demand[cluster] += 1
            if person.key in unmatched:
                cluster_unmet[cluster] += 1
    cluster_mentors: Counter[str] = Counter()
    cluster_slots: Counter[str] = Counter()
    for mentor in mentors:
        for cluster in {c for s, _ in mentor.offers if (c := taxonomy.cluster(s)) is not None}:
            cluster_mentors[cluster] += 1
            cluster_slots[cluster] += max(mentor.capacity, 1)
    clusters = tuple(
        ClusterGap(
            cluster=name,
            demand=cluster_demand[name],
            mentors=cluster_mentors[name],
            slots=cluster_slots[name],
            unmet=cluster_unmet[name],
            ratio=_ratio(cluster_demand[name], cluster_slots[name]),
        )
        for name in sorted(by_cluster)
    )
    short = [
        g for g in skills if g.demand and (g.ratio is None or g.ratio >= SHORTFALL_RATIO or g.unmet)
    ]
    short.sort(key=lambda g: (-(g.demand - g.slots), -g.unmet, g.slug))
    suggestions = tuple(
        f"Recruit mentors for {g.name}: {g.demand} want it, {g.mentors} offer it "
        f"({g.slots} slot{'s' * (g.slots != 1)}), {g.unmet} left unmatched"
        for g in short[:MAX_SUGGESTIONS]
        if g.unmet or g.demand > g.slots
    )
    return Coverage(skills, clusters, suggestions)
