"""The report and a round's retro in words: pure builders over their frozen figures.

The figures arrive already through the suppression rule (flows.disclosure); here each is
only put into words, the same way on every surface: a hidden figure always reads the same,
whichever group it hides. Names (the program's, segments', skills') are typed by people, so
they go through `escape`: mrkdwn's `esc` in Slack, nothing on the command line.
"""

from __future__ import annotations

from collections.abc import Callable

from flows.disclosure import Figure
from flows.notices import Cells, ReportFigures, RetentionFigures, RetroFigures
from handlers import copy
from handlers.text import esc

Escape = Callable[[str], str]


def _shown(figure: Figure, fmt: str) -> str:
    if figure.hidden:
        return copy.FIGURE_HIDDEN
    if figure.value is None:
        return copy.FIGURE_NONE
    return fmt.format(figure.value)


def whole(figure: Figure) -> str:
    return _shown(figure, "{:.0f}")


def percent(figure: Figure) -> str:
    return _shown(figure, "{:.0%}")


def tenths(figure: Figure) -> str:
    return _shown(figure, "{:.1f}")


def hundredths(figure: Figure) -> str:
    return _shown(figure, "{:.2f}")


def _cells(cells: Cells, show: Callable[[Figure], str], escape: Escape) -> str:
    return ", ".join(f"{escape(name)} {show(f)}" for name, f in cells) or copy.REPORT_NONE


def _retention(r: RetentionFigures) -> str:
    def group(part: Figure, total: Figure) -> str:
        if part.hidden or total.hidden:
            return copy.FIGURE_HIDDEN
        return copy.REPORT_RETENTION_GROUP.format(share=percent(part), total=whole(total))

    return copy.REPORT_RETENTION.format(
        start=f"{r.start:%d %b %Y}",
        end=f"{r.end:%d %b %Y}",
        participants=group(r.participants, r.participants_total),
        others=group(r.others, r.others_total),
    )


def report_lines(r: ReportFigures, escape: Escape = esc) -> list[str]:
    gaps = ", ".join(
        copy.REPORT_GAP.format(
            skill=escape(g.skill), wanted=whole(g.wanted), places=whole(g.places)
        )
        for g in r.coverage_gaps
    )
    rounds = "; ".join(
        copy.REPORT_TREND_ROUND.format(
            day=f"{t.day:%d %b}", rate=percent(t.match_rate), pulse=tenths(t.pulse)
        )
        for t in r.trend
    )
    lines = [
        copy.REPORT_TITLE.format(program=escape(r.program)),
        copy.REPORT_ENROLLED.format(mentors=whole(r.mentors), mentees=whole(r.mentees)),
        copy.REPORT_MATCHES.format(
            matches=whole(r.matches),
            matched=whole(r.matched),
            mentees=whole(r.mentees),
            rate=percent(r.match_rate),
            days=whole(r.median_days_to_match),
        ),
        copy.REPORT_FIRST_MEETING.format(share=percent(r.first_meeting_14d)),
        copy.REPORT_MEETINGS.format(rate=hundredths(r.meetings_per_pair_month)),
        copy.REPORT_PULSE.format(
            value=tenths(r.pulse_value),
            progress=tenths(r.pulse_progress),
            recommend=tenths(r.would_recommend),
        ),
        copy.REPORT_GOALS.format(share=percent(r.goal_completion)),
        copy.REPORT_STATES.format(cells=_cells(r.states, whole, escape)),
        copy.REPORT_END_REASONS.format(cells=_cells(r.end_reasons, whole, escape)),
        copy.REPORT_REMATCHED.format(share=percent(r.rematched)),
        copy.REPORT_UTILISATION.format(share=percent(r.mentor_utilisation)),
        copy.REPORT_GAPS.format(gaps=gaps or copy.REPORT_NONE),
        copy.REPORT_BY_DEPARTMENT.format(cells=_cells(r.by_department, percent, escape)),
        copy.REPORT_BY_LEVEL.format(cells=_cells(r.by_level, percent, escape)),
        copy.REPORT_TREND.format(rounds=rounds or copy.REPORT_NO_ROUNDS),
    ]
    if r.retention is not None:
        lines.append(_retention(r.retention))
    return noted(lines)


def noted(lines: list[str]) -> list[str]:
    """The lines, and why some figures are not shown when some are not."""
    if any(copy.FIGURE_HIDDEN in line for line in lines[1:]):
        lines.append(copy.FIGURES_HIDDEN_NOTE)
    return lines


def _intros_took(hours: float | None) -> str:
    if hours is None:
        return copy.RETRO_NO_INTROS
    took = f"{hours * 60:.0f} minutes" if hours < 1 else f"{hours:.1f} hours"
    return copy.RETRO_INTROS.format(took=took)


def retro_lines(r: RetroFigures, escape: Escape = esc) -> list[str]:
    gaps = (
        copy.RETRO_GAPS.format(skills=", ".join(escape(g) for g in r.gaps))
        if r.gaps
        else copy.RETRO_NO_GAPS
    )
    return noted(
        [
            copy.RETRO_TITLE.format(
                program=escape(r.program), day=f"{r.day:%d %b %Y}", days=r.days_on
            ),
            copy.RETRO_MATCHED.format(
                matched=whole(r.matched),
                seekers=whole(r.seekers),
                rate=percent(r.match_rate),
                matches=whole(r.matches),
            ),
            copy.RETRO_MET.format(met=percent(r.met), matches=whole(r.matches)),
            copy.RETRO_NOW.format(cells=_cells(r.states, whole, escape)),
            copy.RETRO_PULSE.format(pulse=tenths(r.pulse)),
            _intros_took(r.intros_hours),
            copy.RETRO_UNMATCHED.format(unmatched=whole(r.unmatched), gaps=gaps),
        ]
    )
