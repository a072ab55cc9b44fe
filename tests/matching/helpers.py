"""Builders and hypothesis strategies for small matching problems."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from matching.problem import Participant, Problem, ProgramConfig, Role, Skill, Taxonomy

WEEK = datetime(2024, 3, 11, tzinfo=UTC)  # New York already on summer time, London not
TAXONOMY = Taxonomy.of(
    [
        Skill("python", "Python", "engineering"),
        Skill("system-design", "System design", "engineering"),
        Skill("testing", "Testing", "engineering"),
        Skill("public-speaking", "Public speaking", "communication"),
        Skill("writing", "Writing", "communication"),
        Skill("negotiation", "Negotiation", "communication"),
    ]
)
SKILLS = tuple(TAXONOMY.skills)
ZONES = ("UTC", "America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney")


def person(key: int, role: Role = "mentee", **fields: Any) -> Participant:
    values: dict[str, Any] = {"person_id": key, "name": f"P{key}", "role": role}
    if role in ("mentor", "both") and "capacity" not in fields:
        values["capacity"] = 1
    values.update(fields)
    return Participant(key=key, **values)


def problem(people: list[Participant] | tuple[Participant, ...], **config: Any) -> Problem:
    return Problem(tuple(people), TAXONOMY, ProgramConfig(week_start=WEEK, **config))


@st.composite
def participants(draw: st.DrawFn, key: int, role: Role, n_people: int) -> Participant:
    start = draw(st.sampled_from([0, 7 * 60, 9 * 60, 13 * 60, 16 * 60]))
    others = [k for k in range(1, n_people + 1) if k != key]
    return Participant(
        key=key,
        person_id=key,
        name=f"P{key}",
        role=role,
        offers=tuple(
            draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), max_size=3)).items()
        )
        if role != "mentee"
        else (),
        seeks=tuple(draw(st.lists(st.sampled_from(SKILLS), max_size=2, unique=True)))
        if role != "mentor"
        else (),
        seniority=draw(st.integers(1, 7)),
        department=draw(st.sampled_from([None, "Eng", "Sales", "Ops"])),
        manager_chain=tuple(draw(st.lists(st.sampled_from(others), max_size=2, unique=True)))
        if others
        else (),
        timezone=draw(st.sampled_from(ZONES)),
        working_days=draw(st.sampled_from([(0, 1, 2, 3, 4), (0, 1, 2), (6, 0, 1, 2, 3)])),
        start_minute=start,
        end_minute=min(1440, start + draw(st.sampled_from([240, 480]))),
        languages=tuple(
            draw(st.lists(st.sampled_from(["en", "de", "ja"]), max_size=2, unique=True))
        ),
        capacity=draw(st.integers(0, 3)) if role in ("mentor", "both") else 0,
        never_match=frozenset(draw(st.lists(st.sampled_from(others), max_size=1)))
        if others
        else frozenset(),
        waiting_days=draw(st.floats(0, 60)),
        priority=draw(st.booleans()),
        meeting_frequency_days=draw(st.sampled_from([None, 7, 14])),
    )


@st.composite
def problems(
    draw: st.DrawFn,
    max_mentees: int = 8,
    max_mentors: int = 5,
    roles: tuple[Role, ...] = ("mentee", "mentor"),
    fmt: str = "one_on_one",
    **config: Any,
) -> Problem:
    n_mentees = draw(st.integers(1, max_mentees))
    n_mentors = draw(st.integers(1, max_mentors))
    n = n_mentees + n_mentors
    people = []
    for key in range(1, n + 1):
        if fmt == "peer":
            role: Role = "peer"
        elif key <= n_mentees:
            role = roles[0] if len(roles) < 3 or not draw(st.booleans()) else roles[2]
        else:
            role = roles[1]
        people.append(draw(participants(key, role, n)))
    past = draw(st.lists(st.tuples(st.integers(1, n), st.integers(1, n)), max_size=3))
    return problem(
        people,
        format=fmt,
        past_pairs=frozenset(frozenset(p) for p in past if p[0] != p[1]),
        **config,
    )
