"""Recognition as a story: what a mentor's mentoring achieved (on request and at each
match's planned end), a thank-you card they may share where they choose, and the
program's periodic thank-you post that admins opt into.

The would-recommend score is the mentees' private answers, so it is shown only as an
average over whole groups of five (5, 10, 15 … answers): a new answer changes it only
once four more have come in, so no single answer can be worked out by subtraction.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows import hours, notices
from flows.notify import Reader, ToChannel, ToPeople, emit
from matching.hours import month_start
from matching.landing import Hours
from models import impact as store
from models.hours import logged_hours
from models.states import GIVING_ROLES, EnrollmentStatus, ProgramStatus
from models.tables import Enrollment, Person, Program
from models.workspace import get_person, get_workspace, in_live_workspace

GROUP = 5  # answers are averaged in whole groups of this many
THANKS_MONTHLY = "monthly"


def recommend_mean(answers: tuple[int, ...]) -> float | None:
    whole = len(answers) // GROUP * GROUP
    return round(statistics.mean(answers[:whole]), 1) if whole else None


def figures_of(s: Session, person_id: int, at: datetime) -> notices.ImpactFigures:
    record = store.mentor_record(s, person_id)
    total = logged_hours(s, [person_id]).get(person_id, 0.0)
    month = logged_hours(s, [person_id], month_start(at)).get(person_id, 0.0)
    caps = []
    for e in s.scalars(
        select(Enrollment).where(
            Enrollment.person_id == person_id,
            Enrollment.status != EnrollmentStatus.LEFT,
            Enrollment.role.in_(GIVING_ROLES),
        )
    ):
        budget = hours.budgets(s, s.get_one(Program, e.program_id), [person_id], at)[person_id]
        if budget.cap is not None:
            caps.append(budget.cap)
    return notices.ImpactFigures(
        people=record.people,
        matches=record.matches,
        completed=record.completed,
        micro_sessions=record.micro_sessions,
        goals_reached=record.goals_reached,
        hours=round(total, 2),
        hours_this_month=round(month, 2),
        cap=min(caps) if caps else None,
        recommend=recommend_mean(record.recommend),
        recommend_answers=len(record.recommend),
        programs=record.programs,
    )


@dataclass(frozen=True)
class ImpactView:
    figures: notices.ImpactFigures
    mentors: bool  # whether they mentor anywhere (or have)
    recognised: bool  # whether they asked to be named in thank-you posts


def impact(s: Session, team_id: str, user_id: str, at: datetime) -> ImpactView | None:
    """`/mentor impact`: the person's figures; None when the bot does not know them."""
    workspace = get_workspace(s, team_id)
    person = get_person(s, workspace.id, user_id) if workspace else None
    if person is None or person.forgotten_at is not None:
        return None
    enrollments = list(
        s.scalars(
            select(Enrollment).where(
                Enrollment.person_id == person.id, Enrollment.status != EnrollmentStatus.LEFT
            )
        )
    )
    figures = figures_of(s, person.id, at)
    gives = any(e.role in GIVING_ROLES for e in enrollments) or figures.matches > 0
    recognised = any(bool((e.preferences or {}).get("recognition")) for e in enrollments)
    return ImpactView(figures, gives or figures.micro_sessions > 0, recognised)


def set_recognition(s: Session, team_id: str, user_id: str, wanted: bool, at: datetime) -> bool:
    """Opt in to (or out of) being named in the programs' thank-you posts."""
    workspace = get_workspace(s, team_id)
    person = get_person(s, workspace.id, user_id) if workspace else None
    if person is None:
        return False
    return store.set_recognition(s, person.id, wanted, at) > 0


def share(
    s: Session, team_id: str, user_id: str, channel_id: str, *, version: str, at: datetime
) -> bool:
    """The mentor's thank-you card, queued to the channel they chose (once per modal)."""
    workspace = get_workspace(s, team_id)
    person = get_person(s, workspace.id, user_id) if workspace else None
    if workspace is None or person is None or not channel_id:
        return False
    return emit(
        s,
        notices.ThankYouCard(
            person.id, version, person.slack_user_id, channel_id, figures_of(s, person.id, at)
        ),
        to=ToChannel(channel_id),
        workspace_id=workspace.id,
        at=at,
    )


def share_failed(s: Session, workspace_id: int, card: notices.ThankYouCard, at: datetime) -> bool:
    """Slack refused the card where it was asked for (the bot is not in that channel):
    the mentor is told how to share it."""
    return emit(
        s,
        notices.ShareFailed(card.person_id, card.version, card.channel_id),
        to=ToPeople((Reader(card.mentor_slack_user_id, Hours("UTC")),)),
        workspace_id=workspace_id,
        at=at,
    )


def completion_summary(
    s: Session, program: Program, match_id: int, mentor_id: int, readers: ToPeople, at: datetime
) -> None:
    """At a match's planned end its mentor sees what their mentoring achieved."""
    emit(
        s,
        notices.ImpactSummary(mentor_id, match_id, program.name, figures_of(s, mentor_id, at)),
        to=readers,
        workspace_id=program.workspace_id,
        at=at,
    )


# --- the periodic thank-you -----------------------------------------------------------------


def _previous_month(at: datetime) -> tuple[datetime, datetime, str]:
    until = month_start(at)
    since = month_start(until - timedelta(days=1))
    return since, until, f"{since:%Y-%m}"


def thanks_due(s: Session) -> list[int]:
    """Open programs whose admins asked for a monthly thank-you in the program channel."""
    return [
        p.id
        for p in s.scalars(
            select(Program)
            .where(
                Program.status == ProgramStatus.OPEN,
                Program.program_channel_id.is_not(None),
                in_live_workspace(Program.workspace_id),
            )
            .order_by(Program.id)
        )
        if (p.settings or {}).get("thanks") == THANKS_MONTHLY
    ]


def post_thanks(s: Session, program_id: int, *, at: datetime) -> bool:
    """Last month's thank-you to the program's mentors, once per month: totals when five or
    more mentors gave time, and the names of those who asked to be named."""
    program = s.get_one(Program, program_id)
    if not program.program_channel_id:
        return False
    since, until, label = _previous_month(at)
    month = store.program_month(s, program, since, until)
    givers = [p for p, h in month.hours.items() if h > 0]
    if not givers:
        return False
    named_ids = store.recognised(s, program.id) & set(givers)
    named = tuple(
        sorted(
            s.scalars(select(Person.slack_user_id).where(Person.id.in_(named_ids)))
            if named_ids
            else []
        )
    )
    enough = len(givers) >= GROUP
    if not enough and not named:
        return False
    people = set().union(*month.helped.values()) if month.helped else set()
    return emit(
        s,
        notices.ImpactThanks(
            program_id=program.id,
            month=label,
            program_name=program.name,
            mentors=len(givers) if enough else None,
            hours=round(sum(month.hours.values()), 1) if enough else None,
            sessions=month.sessions if enough else None,
            people=len(people) if enough else None,
            named=named,
        ),
        to=ToChannel(program.program_channel_id, program.timezone),
        workspace_id=program.workspace_id,
        at=at,
    )
