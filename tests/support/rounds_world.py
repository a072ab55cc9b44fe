"""Factories for round tests: a program with skills, mentors and mentees who fit it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import (
    Enrollment,
    EnrollmentSkill,
    Match,
    MatchMember,
    Person,
    Program,
    Skill,
    Workspace,
)
from testkit.slack import TEAM_ID, FakeSlack
from tests.support.world import (
    arrange_channels,
    make_enrollment,
    make_person,
    make_program,
    make_workspace,
)

SKILLS = (
    ("python", "Python", "engineering"),
    ("sql", "SQL", "engineering"),
    ("leadership", "Leadership", "leading"),
    ("public-speaking", "Public speaking", "communication"),
)


@dataclass
class RoundsWorld:
    workspace_id: int
    program_id: int
    skill_ids: dict[str, int]
    mentors: list[str] = field(default_factory=list)  # slack user ids
    mentees: list[str] = field(default_factory=list)


def make_skills(s: Session, program: Program, at: datetime) -> dict[str, int]:
    ids: dict[str, int] = {}
    for slug, name, cluster in SKILLS:
        skill = Skill(program_id=program.id, slug=slug, name=name, cluster=cluster, created_at=at)
        s.add(skill)
        s.flush()
        ids[slug] = skill.id
    return ids


def enroll(
    s: Session,
    program: Program,
    person: Person,
    role: str,
    at: datetime,
    skill_ids: dict[str, int],
    *,
    offers: tuple[str, ...] = (),
    seeks: tuple[str, ...] = (),
    **values: Any,
) -> Enrollment:
    enrollment = make_enrollment(s, program, person, role, at, **values)
    for slug in offers:
        s.add(
            EnrollmentSkill(
                enrollment_id=enrollment.id, skill_id=skill_ids[slug], kind="offer", level=3
            )
        )
    for slug in seeks:
        s.add(
            EnrollmentSkill(
                enrollment_id=enrollment.id, skill_id=skill_ids[slug], kind="seek", level=2
            )
        )
    s.flush()
    s.expire(enrollment, ["skills"])
    return enrollment


def make_rounds_world(
    s: Session,
    at: datetime,
    *,
    pairs: int = 3,
    fake: FakeSlack | None = None,
    workspace: Workspace | None = None,
    mentee_tz: str = "America/New_York",
    mentor_tz: str = "Europe/London",
    **program_values: Any,
) -> RoundsWorld:
    """`pairs` mentors (London) and mentees (New York) whose skills fit one to one; with the
    fake, its people and the program's channels (the admin in them) are arranged in Slack."""
    if fake is not None:
        arrange_channels(fake, "UADMIN0001")
    workspace = workspace or make_workspace(s, at, team_id=TEAM_ID)
    program = make_program(s, workspace, at, **program_values)
    skill_ids = make_skills(s, program, at)
    world = RoundsWorld(workspace.id, program.id, skill_ids)
    slugs = [slug for slug, _, _ in SKILLS]
    for i in range(pairs):
        slug = slugs[i % len(slugs)]
        mentor_id, mentee_id = f"UMENTOR{i:03d}", f"UMENTEE{i:03d}"
        mentor = make_person(
            s,
            workspace,
            mentor_id,
            at,
            tz=mentor_tz,
            real_name=f"Mentor {i}",
            title="Staff engineer",
        )
        mentee = make_person(s, workspace, mentee_id, at, tz=mentee_tz, real_name=f"Mentee {i}")
        enroll(
            s,
            program,
            mentor,
            "mentor",
            at,
            skill_ids,
            offers=(slug,),
            capacity=1,
            seniority=5,
            timezone=mentor_tz,
        )
        enroll(
            s,
            program,
            mentee,
            "mentee",
            at,
            skill_ids,
            seeks=(slug,),
            seniority=1,
            timezone=mentee_tz,
            free_text_goal=f"Get better at {slug}",
        )
        world.mentors.append(mentor_id)
        world.mentees.append(mentee_id)
        if fake is not None:
            fake.add_user(mentor_id, real_name=f"Mentor {i}", tz=mentor_tz)
            fake.add_user(mentee_id, real_name=f"Mentee {i}", tz=mentee_tz)
    return world


def match_pairs(s: Session) -> list[tuple[str, ...]]:
    """The Slack ids of each started match's members, match by match."""
    rows = s.execute(
        select(MatchMember.match_id, Person.slack_user_id)
        .join(Person, Person.id == MatchMember.person_id)
        .join(Match, Match.id == MatchMember.match_id)
        .where(Match.state == "active")
        .order_by(MatchMember.match_id)
    ).all()
    members: dict[int, list[str]] = {}
    for match_id, user_id in rows:
        members.setdefault(match_id, []).append(user_id)
    return [tuple(sorted(users)) for users in members.values()]


def intro_counts(fake: FakeSlack, s: Session) -> list[int]:
    """How many messages each started match's group DM received, match by match."""
    return [len(fake.messages_in(fake.dm_channel(*users))) for users in match_pairs(s)]


def intro_keys_posted(fake: FakeSlack) -> list[str]:
    """Outbox keys of every intro Slack holds (from message metadata), duplicates included."""
    keys = []
    with fake.lock:
        for message in fake.state.messages:
            metadata = message.metadata or {}
            key = str((metadata.get("event_payload") or {}).get("key", ""))
            if ":intro:" in key:
                keys.append(key)
    return keys
