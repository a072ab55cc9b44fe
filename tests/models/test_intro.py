"""What a match's intro says of its members: the mentee's stated goal, the skills they seek
(strongest first), then their open goal titles; nothing of the kind for the mentor."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from flows.rounds import start_round
from models.db import make_session_factory
from models.rounds import get_intro
from models.tables import Enrollment, EnrollmentSkill, Goal, Match, Person
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world


def _enrollment(s: Session, slack_user_id: str) -> Enrollment:
    return s.scalars(
        select(Enrollment)
        .join(Person, Person.id == Enrollment.person_id)
        .where(Person.slack_user_id == slack_user_id)
    ).one()


def test_the_intro_lists_the_mentees_goals_and_skills_sought_in_order(
    engine: Engine, clock: FrozenClock
) -> None:
    sessions = make_session_factory(engine)
    with sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=1, approval_required=True)
        mentee = _enrollment(s, world.mentees[0])
        ids = world.skill_ids
        # python (level 2) is sought already; add a stronger and a weaker wish
        s.add(EnrollmentSkill(enrollment_id=mentee.id, skill_id=ids["sql"], kind="seek", level=3))
        s.add(
            EnrollmentSkill(
                enrollment_id=mentee.id, skill_id=ids["leadership"], kind="seek", level=1
            )
        )
        for title, status in (("Ship a service", "open"), ("Old aim", "done"), ("Gone", "dropped")):
            s.add(Goal(enrollment_id=mentee.id, title=title, status=status, created_at=clock()))
    with sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
    with sessions.begin() as s:
        match_id = s.scalars(select(Match.id)).one()
        intro = get_intro(s, match_id)

    mentor, mentee_seen = intro.members
    assert (mentor.slack_user_id, mentor.role, mentor.goals) == (world.mentors[0], "mentor", ())
    assert mentee_seen.slack_user_id == world.mentees[0]
    assert mentee_seen.goals == (
        "Get better at python",
        "SQL",
        "Python",
        "Leadership",
        "Ship a service",
    )
    assert (mentee_seen.timezone, mentee_seen.name, mentor.title) == (
        "America/New_York",
        "Mentee 0",
        "Staff engineer",
    )
    assert not mentee_seen.deleted
