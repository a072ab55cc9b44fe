"""Insight for admins: the report and the export to the admin channel, and round retros.

The exact counts come from models.reports; every one becomes a figure here, through the one
suppression rule (flows.disclosure), before anything carries it: the report's and the
retro's notices, the chart and the command line all show these same figures. The report is
told as a notice and its chart and CSV as uploads through the outbox, so nothing reaches
Slack from inside a request and an export is audited in the same transaction that decides it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flows import hours, intents, micro, notices
from flows.disclosure import (
    HIDDEN,
    NOTHING,
    Figure,
    count,
    guarded_means,
    mean,
    median,
    partition,
    pooled_shares,
    rate,
    share,
    small,
)
from flows.notify import ToChannel, emit
from models.audit import record
from models.reports import (
    Answers,
    ProgramFacts,
    RetentionFacts,
    RetroFacts,
    due_retros,
    matches_csv,
    program_facts,
    retro_facts,
)
from models.tables import Program, Round

CHART_ROUNDS = 12
OTHER = "other"  # the groups pooled because each alone is too small to show


def _mean(answers: Answers) -> Figure:
    return mean([value for _, value in answers], len({person for person, _ in answers}))


def _cells(figures: dict[str, Figure]) -> notices.Cells:
    return tuple(sorted(figures.items()))


def figures(facts: ProgramFacts) -> notices.ReportFigures:
    """The report as admins may see it: every fact through the rule."""
    f = facts
    match_rate = share(f.matched_seekers, f.seekers)
    states = partition(f.states)
    ended = states.get("ended")
    # the reasons add up to the ended matches: shown only when that total is
    reasons = partition(f.end_reasons) if ended is not None and ended.shown else {}
    done = sum(1 for _, finished in f.goals if finished)
    owners = {person for person, _ in f.goals}
    achievers = {person for person, finished in f.goals if finished}
    goal_completion = share(done, len(f.goals))
    if share(len(achievers), len(owners)).hidden:  # a few people behind many goals
        goal_completion = HIDDEN
    pulses = guarded_means(
        {r.round_id: ([v for _, v in r.pulse], [p for p, _ in r.pulse]) for r in f.rounds}
    )
    return notices.ReportFigures(
        program=f.program,
        mentors=count(f.mentors),
        mentees=count(f.seekers),
        matches=count(f.started),
        matched=count(f.matched_seekers) if match_rate.shown else match_rate,
        match_rate=match_rate,
        median_days_to_match=median(f.waits),
        first_meeting_14d=share(f.first_meeting_14d, f.started),
        meetings_per_pair_month=rate(
            f.met_checkins / f.pair_months if f.pair_months else 0.0,
            f.started if f.pair_months else 0,
        ),
        pulse_value=_mean(f.value),
        pulse_progress=_mean(f.progress),
        would_recommend=_mean(f.recommend),
        goal_completion=goal_completion,
        states=_cells(states),
        end_reasons=_cells(reasons),
        rematched=share(f.rematched, f.ended_seekers),
        mentor_utilisation=rate(
            f.taken / f.capacity if f.capacity else 0.0, f.mentors if f.capacity else 0
        ),
        coverage_gaps=tuple(
            notices.GapFigures(
                g.skill, count(g.wanted), HIDDEN if small(g.mentors) else count(g.places)
            )
            for g in f.gaps
            if not small(g.wanted)  # naming a skill few want would tell about those few
        ),
        by_department=pooled_shares(f.departments, OTHER),
        by_level=pooled_shares(f.levels, OTHER),
        trend=tuple(
            notices.RoundFigures(
                r.round_id, r.day, r.kind, share(r.matched, r.seekers), pulses[r.round_id]
            )
            for r in f.rounds
        ),
        retention=_retention(f.retention) if f.retention is not None else None,
    )


def _retention(r: RetentionFacts) -> notices.RetentionFigures:
    return notices.RetentionFigures(
        r.start,
        r.end,
        share(*r.participants),
        count(r.participants[1]),
        share(*r.others),
        count(r.others[1]),
    )


def retro_figures(f: RetroFacts) -> notices.RetroFigures:
    match_rate = share(f.matched, f.seekers)
    met = share(f.met, f.matches)
    return notices.RetroFigures(
        program=f.program,
        day=f.day,
        days_on=f.days_on,
        seekers=count(f.seekers),
        matched=count(f.matched) if match_rate.shown else match_rate,
        match_rate=match_rate,
        matches=count(f.matches),
        met=met,
        states=_cells(partition(f.states)),
        pulse=_mean(f.pulse),
        unmatched=count(f.unmatched) if match_rate.shown else match_rate,
        gaps=tuple(skill for skill, wanted in f.gaps if not small(wanted)),
        intros_hours=f.intros_hours,
    )


def program_figures(s: Session, program: Program, at: datetime) -> notices.ReportFigures:
    """The program's report as every surface shows it (Slack, chart, command line)."""
    return figures(program_facts(s, program, at))


def _channel(program: Program) -> ToChannel | None:
    if not program.admin_channel_id:
        return None
    return ToChannel(program.admin_channel_id, program.timezone)


def post_report(s: Session, program_id: int, *, request: str, at: datetime) -> bool:
    """Queue the program's report and its chart to the admin channel; False without one."""
    program = s.get_one(Program, program_id)
    channel = _channel(program)
    if channel is None:
        return False
    report = program_figures(s, program, at)
    emit(
        s,
        notices.ReportPosted(
            program.id,
            request,
            report,
            hours=hours.figures(s, program, at),
            micro=micro.figures(s, program.id),
        ),
        to=channel,
        workspace_id=program.workspace_id,
        at=at,
    )
    points = tuple(
        notices.ChartPoint(f"{r.day:%d/%m}", _plotted(r.match_rate), _plotted(r.pulse))
        for r in report.trend
        if r.match_rate != NOTHING  # a round that had seekers; a hidden figure is a gap
    )[-CHART_ROUNDS:]
    if points:
        emit(
            s,
            notices.ReportChart(program.id, request, program.name, program.slug, at.date(), points),
            to=channel,
            workspace_id=program.workspace_id,
            at=at,
        )
    return True


def _plotted(figure: Figure) -> float | None:
    """What the chart draws: a figure it may show, else nothing (a hidden one is a gap)."""
    return figure.value if figure.shown else None


def export(s: Session, program_id: int, *, request: str, by: str | None, at: datetime) -> bool:
    """Queue the per-match CSV to the admin channel, audited now; False without a channel."""
    program = s.get_one(Program, program_id)
    channel = _channel(program)
    if channel is None:
        return False
    emit(
        s,
        notices.MatchesExport(
            program.id, request, program.name, program.slug, at.date(), matches_csv(s, program)
        ),
        to=channel,
        workspace_id=program.workspace_id,
        at=at,
    )
    record(
        s,
        action="report.export",
        at=at,
        workspace_id=program.workspace_id,
        actor_slack_user_id=by,
        target=f"program:{program.id}",
    )
    return True


def due(s: Session, at: datetime) -> list[int]:
    return due_retros(s, at)


def post_retro(s: Session, round_id: int, *, at: datetime) -> bool:
    """Queue one round's retro to its admin channel, once."""
    round_ = s.get_one(Round, round_id)
    if round_.retro_sent_at is not None:
        return False
    program = s.get_one(Program, round_.program_id)
    channel = _channel(program)
    if channel is None:
        return False
    emit(
        s,
        notices.RoundRetro(round_id, retro_figures(retro_facts(s, round_, at))),
        to=channel,
        workspace_id=program.workspace_id,
        at=at,
    )
    round_.retro_sent_at = at
    return True


def ask(s: Session, program: Program, *, request: str, by: str, export: bool, at: datetime) -> None:
    """An admin asked for the report (audited now) or the export (audited when it is made)."""
    intent: intents.Intent = (
        intents.Export(program.id, request, by)
        if export
        else intents.PostReport(program.id, request, by)
    )
    intents.submit(s, intent, at=at, workspace_id=program.workspace_id)
    if not export:
        record(
            s,
            action="report.post",
            at=at,
            workspace_id=program.workspace_id,
            actor_slack_user_id=by,
            target=f"program:{program.id}",
        )
