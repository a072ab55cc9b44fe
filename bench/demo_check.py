"""An independent count of the report's numbers, in plain SQL, for the demo and its test.

Written apart from models.reports on purpose (raw SQL over the tables, no shared helpers),
so a wrong join or filter in the report shows up as a disagreement rather than being
repeated on both sides. Dates are compared in Python: SQLite and PostgreSQL differ there.
Both sides go through the one suppression rule (flows.disclosure) before they are compared,
so a figure hidden on one side must be hidden on the other.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from flows.disclosure import HIDDEN, count, mean, partition, share
from flows.notices import ReportFigures as Report


def _rows(s: Session, sql: str, **params: Any) -> list[Any]:
    return list(s.execute(text(sql), params).all())


def _as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _as_time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def check_report(
    s: Session, program_id: int, report: Report, at: datetime
) -> Iterator[tuple[str, object, object]]:
    """(what, the report's figure, the database's own count) for each headline number."""
    p = {"p": program_id}
    roles = dict(
        _rows(
            s,
            "SELECT role, COUNT(*) FROM enrollments WHERE program_id = :p AND status <> 'left'"
            " GROUP BY role",
            **p,
        )
    )
    yield "mentors", report.mentors, count(roles.get("mentor", 0) + roles.get("both", 0))
    seekers = roles.get("mentee", 0) + roles.get("both", 0) + roles.get("peer", 0)
    yield "mentees", report.mentees, count(seekers)

    started = _rows(
        s,
        "SELECT m.id, m.started_at, m.first_meeting_at, m.state FROM matches m"
        " JOIN rounds r ON r.id = m.round_id"
        " WHERE m.program_id = :p AND r.status <> 'discarded' AND m.started_at IS NOT NULL",
        **p,
    )
    yield "matches started", report.matches, count(len(started))
    states: dict[str, int] = {}
    for _, _, _, state in started:
        states[state] = states.get(state, 0) + 1
    yield "match states", report.states, tuple(sorted(partition(states).items()))
    within = sum(
        1
        for _, begun, first, _ in started
        if first is not None and ((_as_time(first) or at) - (_as_time(begun) or at)).days <= 14
    )
    yield "first meeting within 14 days", report.first_meeting_14d, share(within, len(started))

    matched = _rows(
        s,
        "SELECT COUNT(DISTINCT mm.person_id) FROM match_members mm"
        " JOIN matches m ON m.id = mm.match_id"
        " JOIN enrollments e ON e.person_id = mm.person_id AND e.program_id = m.program_id"
        " WHERE m.program_id = :p AND m.started_at IS NOT NULL AND mm.role <> 'mentor'"
        " AND e.status <> 'left' AND e.role IN ('mentee', 'both', 'peer')",
        **p,
    )[0][0]
    rate = share(matched, seekers)
    yield "mentees matched", report.matched, count(matched) if rate.shown else rate
    yield "match rate", report.match_rate, rate

    firsts: dict[int, datetime] = {}
    later: list[tuple[int, datetime]] = []
    for person, state, begun, ended in _rows(
        s,
        "SELECT mm.person_id, m.state, m.started_at, m.ended_at FROM match_members mm"
        " JOIN matches m ON m.id = mm.match_id JOIN rounds r ON r.id = m.round_id"
        " WHERE m.program_id = :p AND mm.role <> 'mentor' AND r.status <> 'discarded'"
        " AND m.state <> 'proposed'",
        **p,
    ):
        ended_t, begun_t = _as_time(ended), _as_time(begun)
        if state == "ended" and ended_t is not None:
            firsts[person] = min(firsts.get(person, ended_t), ended_t)
        if begun_t is not None:
            later.append((person, begun_t))
    again = {pid for pid, begun_t in later if pid in firsts and begun_t >= firsts[pid]}
    yield "mentees re-matched", report.rematched, share(len(again), len(firsts))

    ratings = _rows(
        s,
        "SELECT v.person_id, r.value_rating, r.recommend FROM pulse_responses r"
        " JOIN pulse_surveys v ON v.id = r.survey_id"
        " JOIN matches m ON m.id = v.match_id WHERE m.program_id = :p",
        **p,
    )
    for name, figure, column in (
        ("pulse value average", report.pulse_value, 1),
        ("would recommend average", report.would_recommend, 2),
    ):
        answers = [(row[0], row[column]) for row in ratings if row[column] is not None]
        people = len({pid for pid, _ in answers})  # who answered this question
        yield name, figure, mean([float(v) for _, v in answers], people)

    goals = _rows(
        s,
        "SELECT e.person_id, g.status, g.progress FROM goals g"
        " JOIN enrollments e ON e.id = g.enrollment_id"
        " WHERE e.program_id = :p AND e.status <> 'left'",
        **p,
    )
    done = [pid for pid, status, progress in goals if status == "done" or progress >= 100]
    completion = share(len(done), len(goals))
    if share(len(set(done)), len({pid for pid, _, _ in goals})).hidden:
        completion = HIDDEN  # a few people behind many goals
    yield "goal completion", report.goal_completion, completion

    if report.retention is not None:
        begun = (
            _as_date(_rows(s, "SELECT created_at FROM programs WHERE id = :p", **p)[0][0])
            or at.date()
        )
        enrolled = {
            row[0]
            for row in _rows(s, "SELECT person_id FROM enrollments WHERE program_id = :p", **p)
        }
        counts = {True: [0, 0], False: [0, 0]}
        for pid, start, leave in _rows(
            s,
            "SELECT id, start_date, leave_date FROM people WHERE start_date IS NOT NULL"
            " AND workspace_id = (SELECT workspace_id FROM programs WHERE id = :p)",
            **p,
        ):
            start_d, leave_d = _as_date(start), _as_date(leave)
            if start_d is None or start_d > begun or (leave_d is not None and leave_d <= begun):
                continue
            group = counts[pid in enrolled]
            group[1] += 1
            group[0] += leave_d is None or leave_d > at.date()
        yield (
            "retention (stayed, employed at start): participants",
            (report.retention.participants, report.retention.participants_total),
            (share(*counts[True]), count(counts[True][1])),
        )
        yield (
            "retention: non-participants",
            (report.retention.others, report.retention.others_total),
            (share(*counts[False]), count(counts[False][1])),
        )

    for line in report.trend:
        members = _rows(
            s,
            "SELECT COUNT(*) FROM match_members mm JOIN matches m ON m.id = mm.match_id"
            " WHERE m.round_id = :r AND mm.role <> 'mentor'",
            r=line.round_id,
        )[0][0]
        (stats,) = _rows(s, "SELECT stats FROM rounds WHERE id = :r", r=line.round_id)[0]
        stats = stats if isinstance(stats, dict) else json.loads(stats or "{}")
        wanted = int(stats.get("seekers", stats.get("newcomers", 0)) or 0)
        yield f"round {line.day:%d %b} match rate", line.match_rate, share(members, wanted)
