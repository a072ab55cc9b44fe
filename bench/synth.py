"""Deterministic synthetic programs (from a seed) for benchmarks and tests."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np

from matching.problem import Participant, Role, Skill, Taxonomy

ZONES = (
    ("America/Los_Angeles", "US West", 0.12),
    ("America/Denver", "US Mountain", 0.03),
    ("America/Chicago", "US Central", 0.08),
    ("America/New_York", "US East", 0.17),
    ("America/Sao_Paulo", "Brazil", 0.04),
    ("Europe/London", "UK", 0.12),
    ("Europe/Berlin", "Germany", 0.10),
    ("Europe/Paris", "France", 0.05),
    ("Asia/Kolkata", "India", 0.12),
    ("Asia/Dubai", "UAE", 0.02),
    ("Asia/Singapore", "Singapore", 0.05),
    ("Asia/Tokyo", "Japan", 0.04),
    ("Australia/Sydney", "Australia", 0.04),
    ("Africa/Lagos", "Nigeria", 0.02),
)
DEPARTMENTS = (
    "Engineering",
    "Product",
    "Design",
    "Sales",
    "Marketing",
    "Support",
    "Finance",
    "People",
    "Legal",
    "Data",
)
LANGUAGES = ("en", "de", "fr", "es", "ja", "hi", "pt")
CLUSTERS = (
    "engineering",
    "data",
    "leadership",
    "product",
    "design",
    "sales",
    "communication",
    "finance",
    "operations",
    "people",
    "security",
    "strategy",
)


def taxonomy(per_cluster: int = 6) -> Taxonomy:
    return Taxonomy.of(
        [
            Skill(f"{cluster}-{i}", f"{cluster.title()} skill {i}", cluster)
            for cluster in CLUSTERS
            for i in range(per_cluster)
        ]
    )


def population(
    seekers: int,
    mentors: int,
    seed: int = 7,
    capacity: int = 3,
    peers: bool = False,
    per_cluster: int = 6,
) -> tuple[Participant, ...]:
    """`seekers` mentees (or peers) then `mentors` mentors, keys and person ids from 1."""
    rng = np.random.default_rng(seed)
    n = seekers + mentors
    zone_p = np.array([z[2] for z in ZONES])
    zone = rng.choice(len(ZONES), size=n, p=zone_p / zone_p.sum())
    start = rng.choice([7 * 60, 8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 30, 10 * 60], size=n)
    length = rng.choice([6 * 60, 8 * 60, 9 * 60], size=n, p=[0.1, 0.6, 0.3])
    days_kind = rng.choice(3, size=n, p=[0.9, 0.05, 0.05])
    day_sets = ((0, 1, 2, 3, 4), (6, 0, 1, 2, 3), (0, 1, 2, 3))
    dept = rng.integers(0, len(DEPARTMENTS), size=n)
    home_cluster = rng.integers(0, len(CLUSTERS), size=n)
    seniority = np.where(
        np.arange(n) < seekers, rng.integers(1, 6, size=n), rng.integers(3, 9, size=n)
    )
    n_goals = rng.integers(1, 4, size=n)
    n_offers = rng.integers(2, 5, size=n)
    waiting = np.round(rng.exponential(6.0, size=n), 1)
    priority = rng.random(n) < 0.01
    freq = rng.choice([0, 7, 14, 28], size=n)
    langs = rng.random((n, len(LANGUAGES))) < np.array([0.9, 0.1, 0.08, 0.1, 0.04, 0.1, 0.05])
    no_langs = rng.random(n) < 0.2
    skill_pick = rng.random((n, 8))
    cluster_pick = rng.integers(0, len(CLUSTERS), size=(n, 8))
    level_pick = rng.integers(1, 4, size=(n, 8))
    chain_pick = rng.integers(seekers + 1, n + 1, size=(n, 2)) if mentors else None
    never_pick = rng.random(n) < 0.01

    def skill(i: int, slot: int) -> str:
        cluster = home_cluster[i] if skill_pick[i, slot] < 0.7 else cluster_pick[i, slot]
        return f"{CLUSTERS[cluster]}-{int(skill_pick[i, slot] * 1000) % per_cluster}"

    out: list[Participant] = []
    for i in range(n):
        key = i + 1
        is_seeker = i < seekers
        role: Role = "peer" if peers and is_seeker else ("mentee" if is_seeker else "mentor")
        if not peers and not is_seeker and rng.random() < 0.05:
            role = "both"
        z = int(zone[i])
        seeks = tuple(dict.fromkeys(skill(i, s) for s in range(int(n_goals[i]))))
        if role == "mentee":
            offers: tuple[tuple[str, int], ...] = ()
        else:
            offers = tuple(
                dict.fromkeys(
                    (skill(i, 3 + s), int(level_pick[i, s])) for s in range(int(n_offers[i]))
                )
            )
            offers = tuple(dict(offers).items())
        chain = tuple(int(x) for x in chain_pick[i]) if chain_pick is not None else ()
        out.append(
            Participant(
                key=key,
                person_id=key,
                name=f"Person {key}",
                role=role,
                offers=offers,
                seeks=seeks if role != "mentor" else (),
                seniority=int(seniority[i]),
                department=DEPARTMENTS[int(dept[i])],
                manager_chain=tuple(c for c in chain if c != key),
                timezone=ZONES[z][0],
                working_days=day_sets[int(days_kind[i])],
                start_minute=int(start[i]),
                end_minute=int(start[i] + length[i]),
                languages=()
                if no_langs[i]
                else tuple(lang for lang, on in zip(LANGUAGES, langs[i], strict=True) if on)
                or ("en",),
                capacity=capacity if role in ("mentor", "both") else 0,
                never_match=frozenset({int((key * 7919) % n) + 1})
                if never_pick[i]
                else frozenset(),
                waiting_days=float(waiting[i]),
                priority=bool(priority[i]),
                meeting_frequency_days=int(freq[i]) or None,
                segments=MappingProxyType(
                    {
                        "department": DEPARTMENTS[int(dept[i])],
                        "level": str(int(seniority[i])),
                        "location": ZONES[z][1],
                    }
                ),
            )
        )
    return tuple(out)


def prototypes(
    seekers: int,
    mentors: int,
    kinds: int = 10,
    priority_share: float = 0.1,
    capacity: int = 1,
    seed: int = 23,
) -> tuple[Participant, ...]:
    """A look-alike roster: every mentee is one of `kinds` mentee profiles and every mentor
    one of `kinds` mentor profiles (zone, hours, level, department, skills); the first
    `priority_share` of each mentee profile is first in line (a no-fault exit)."""
    base = population(kinds, kinds, seed=seed, capacity=capacity)
    mentee_kinds = [replace(p, never_match=frozenset(), manager_chain=()) for p in base[:kinds]]
    mentor_kinds = [
        replace(p, never_match=frozenset(), manager_chain=(), role="mentor") for p in base[kinds:]
    ]
    out: list[Participant] = []
    for i in range(seekers):
        kind = mentee_kinds[i % kinds]
        key = i + 1
        first = (i // kinds) < priority_share * seekers / kinds
        out.append(
            replace(
                kind,
                key=key,
                person_id=key,
                name=f"Person {key}",
                priority=first,
                waiting_days=0.0,
            )
        )
    for j in range(mentors):
        kind = mentor_kinds[j % kinds]
        key = seekers + j + 1
        out.append(replace(kind, key=key, person_id=key, name=f"Person {key}"))
    return tuple(out)


def rules_heavy_circles(
    seekers: int, mentors: int, seed: int = 29
) -> tuple[tuple[Participant, ...], frozenset[frozenset[int]]]:
    """A circle program where rules bind between mentees too: each mentee excludes a few
    other mentees, some report to a fellow mentee, some pairs met before, and a third of
    people speak only a second language. Returns the people and the past pairs."""
    rng = np.random.default_rng(seed)
    base = population(seekers, mentors, seed=seed, capacity=5)
    n = len(base)
    out: list[Participant] = []
    for index, p in enumerate(base):
        key = p.key
        excluded = frozenset(int(x) for x in rng.integers(1, seekers + 1, size=3) if x != key)
        boss = int(rng.integers(1, seekers + 1))
        chain = (boss, *p.manager_chain) if boss != key and rng.random() < 0.2 else p.manager_chain
        only = LANGUAGES[1 + int(rng.integers(0, len(LANGUAGES) - 1))]
        languages = (only,) if rng.random() < 0.3 else (*p.languages, "en")
        out.append(
            replace(
                p,
                never_match=excluded if index < seekers else p.never_match,
                manager_chain=tuple(dict.fromkeys(chain)),
                languages=tuple(dict.fromkeys(languages)),
            )
        )
    past = frozenset(
        frozenset({int(x), int(y)}) for x, y in rng.integers(1, n + 1, size=(seekers, 2)) if x != y
    )
    return tuple(out), past
