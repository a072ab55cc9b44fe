"""Score components of a pair, each in 0..1, as numpy arrays over many pairs at once.

Components (weights per program, matching.problem.Weights, normalised to sum to 1):
- goal: each goal of the seeker earns the mentor's level credit (level 1/2/3 -> 0.6/0.8/1.0)
  for the exact skill, else half the best level credit in the same taxonomy cluster; the
  mean over the seeker's goals (0 when they name none). Peers: mean of both directions.
- overlap: shared working hours in the round's week / full_overlap_hours, capped at 1.
- seniority: mentor 1-3 levels above the mentee = 1, same level 0.5, 4 above 0.6, 5+ 0.3,
  below 0 (reverse mentoring mirrors it); peers: same level 1, one apart 0.75, two 0.4.
- department: different departments 1, same 0, unknown 0.5.
- language: a shared language 1, either lists none 0.5 (none shared is a hard rule).
- preference: meeting cadence closeness 1 - |a-b|/max(a,b); either unstated 0.5.
- waiting: waiting_days / full_waiting_days capped at 1, 1 for priority people (the
  mentee's, or the mean of two peers).
Every pair of people is described by small integer codes (pattern, level, department,
language set, cadence) so whole blocks are scored by gathering rows of small tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.constraints import within
from matching.problem import COMPONENTS, Participant, ProgramConfig, Taxonomy
from matching.row_pass import Rows, Tables, fill_scores
from matching.timing import Pattern, interval_table, overlap_minutes, pattern_of

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

LEVEL_CREDIT = np.array([0.0, 0.6, 0.8, 1.0], dtype=np.float32)
CLUSTER_SHARE = 0.5
SCALE = 1000  # integer score units per 1.0 handed to the solvers


def _codes(values: Sequence[object]) -> tuple[I32, list[object]]:
    """Stable integer codes in first-seen order of sorted distinct values."""
    distinct = sorted(set(values), key=repr)
    lookup = {value: code for code, value in enumerate(distinct)}
    return np.fromiter((lookup[v] for v in values), dtype=np.int32, count=len(values)), distinct


@dataclass(frozen=True)
class Features:
    """Per-participant codes and the small tables they index; participants sorted by key."""

    people: tuple[Participant, ...]
    person_ids: I64
    weights: dict[str, float]
    config: ProgramConfig
    peer: bool
    skill_slugs: tuple[str, ...]
    skill_cluster: I32  # skill index -> cluster index (-1 none)
    clusters: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    pattern: I32
    overlap_min: I32  # (P, P) shared minutes in the week
    level: I32  # code into levels
    levels: I64
    dept: I32  # -1 unknown
    lang: I32  # code into lang_share rows; 0 is "lists none"
    lang_share: B  # (L, L) whether two language sets intersect
    freq: I32  # code into freqs; 0 is "unstated"
    freqs: F64
    waiting: F64  # waiting component of each person
    priority: B
    goals: I32  # (N, G) skill index, padded with n_skills (a zero column of credit)
    n_goals: I32
    credit: F32  # (N, n_skills + 1) what each person's offers earn a goal of that skill
    goal_clusters: tuple[frozenset[int], ...]
    offer_clusters: tuple[frozenset[int], ...]

    @property
    def n(self) -> int:
        return len(self.people)


def _order_key(seed: int | None) -> Callable[[Participant], int]:
    """Participants are indexed by key; a seed permutes indices, and with them tie-breaks."""
    if seed is None:
        return lambda p: p.key

    def mixed(p: Participant) -> int:  # splitmix64 of (seed, key): stable across runs
        z = (p.key * 0x9E3779B97F4A7C15 + seed * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    return mixed


def build_features(
    people: Sequence[Participant],
    taxonomy: Taxonomy,
    config: ProgramConfig,
    focus: int | None = None,
) -> Features:
    """Codes and tables for `people`; with `focus` (a key), overlap is only computed for
    pairs involving that participant (the newcomer path, which needs nothing else)."""
    people = tuple(sorted(people, key=_order_key(config.seed)))
    keys = [p.key for p in people]
    if len(set(keys)) != len(keys):
        raise ValueError("participant keys must be unique")
    slugs = sorted(
        {slug for p in people for slug in p.seeks} | {slug for p in people for slug, _ in p.offers}
    )
    skill_index = {slug: i for i, slug in enumerate(slugs)}
    cluster_names = sorted({c for s in slugs if (c := taxonomy.cluster(s)) is not None})
    cluster_index = {name: i for i, name in enumerate(cluster_names)}
    skill_cluster = np.array(
        [cluster_index.get(taxonomy.cluster(s) or "", -1) for s in slugs], dtype=np.int32
    )
    n, n_skills = len(people), len(slugs)

    patterns_of = [pattern_of(p) for p in people]
    pattern, distinct_patterns = _codes(patterns_of)
    patterns: tuple[Pattern, ...] = tuple(distinct_patterns)  # type: ignore[arg-type]
    table = interval_table(patterns, config.week_start)
    if focus is None:
        overlap = overlap_minutes(table, table)
    else:
        centre = int(pattern[keys.index(focus)])
        overlap = np.zeros((len(patterns), len(patterns)), dtype=np.int32)
        overlap[centre] = overlap_minutes(table[centre : centre + 1], table)[0]
        overlap[:, centre] = overlap[centre]

    level, levels = _codes([p.seniority for p in people])
    dept_names = sorted({p.department for p in people if p.department is not None})
    dept_index = {name: i for i, name in enumerate(dept_names)}
    dept = np.array(
        [dept_index.get(p.department, -1) if p.department else -1 for p in people], dtype=np.int32
    )
    lowered: dict[tuple[str, ...], frozenset[str]] = {}  # people share a few hundred lists
    for langs in {p.languages for p in people}:
        lowered[langs] = frozenset(lang.lower() for lang in langs)
    lang_sets = [lowered[p.languages] for p in people]
    distinct_langs = [frozenset[str](), *sorted({s for s in lang_sets if s}, key=sorted)]
    lang_lookup = {s: i for i, s in enumerate(distinct_langs)}
    lang = np.array([lang_lookup[s] for s in lang_sets], dtype=np.int32)
    lang_share = np.array(
        [[bool(a & b) for b in distinct_langs] for a in distinct_langs], dtype=np.bool_
    ).reshape(len(distinct_langs), len(distinct_langs))
    freq_values = sorted(
        {p.meeting_frequency_days for p in people if p.meeting_frequency_days is not None}
    )
    freq_lookup = {v: i + 1 for i, v in enumerate(freq_values)}
    freq = np.array(
        [
            freq_lookup.get(p.meeting_frequency_days, 0)
            if p.meeting_frequency_days is not None
            else 0
            for p in people
        ],
        dtype=np.int32,
    )
    waiting = np.array(
        [
            1.0 if p.priority else min(max(p.waiting_days, 0.0) / config.full_waiting_days, 1.0)
            for p in people
        ],
        dtype=np.float64,
    )
    priority = np.array([p.priority for p in people], dtype=np.bool_)

    width = max((len(p.seeks) for p in people), default=0) or 1
    goals = np.full((n, width), n_skills, dtype=np.int32)
    n_goals = np.zeros(n, dtype=np.int32)
    cluster_of = skill_cluster.tolist()
    # goal and offer lists repeat (23k and 25k distinct among 130k people): each distinct
    # one is coded once, with its clusters
    seek_codes: dict[tuple[str, ...], tuple[list[int], frozenset[int]]] = {}
    for seeks in {p.seeks for p in people}:
        wanted = [skill_index[s] for s in dict.fromkeys(seeks)]
        seek_codes[seeks] = wanted, frozenset(cluster_of[k] for k in wanted) - {-1}
    offer_codes: dict[tuple[tuple[str, int], ...], tuple[list[int], list[int], frozenset[int]]]
    offer_codes = {}
    for offers in {p.offers for p in people}:
        offered = [skill_index[slug] for slug, _ in offers]
        levels_offered = [lvl for _, lvl in offers]
        offer_codes[offers] = (
            offered,
            levels_offered,
            frozenset(cluster_of[k] for k in offered) - {-1},
        )
    goal_of = [seek_codes[p.seeks] for p in people]
    offer_of = [offer_codes[p.offers] for p in people]
    goal_clusters = [clusters for _, clusters in goal_of]
    offer_clusters = [clusters for _, _, clusters in offer_of]
    n_goals[:] = [len(wanted) for wanted, _ in goal_of]
    goal_skill = [k for wanted, _ in goal_of for k in wanted]
    goal_rows = np.repeat(np.arange(n, dtype=np.int64), n_goals)
    goals.reshape(-1)[goal_rows * width + within(n_goals.astype(np.int64))] = goal_skill
    # a skill's credit is the best level offered; a skill not offered gets CLUSTER_SHARE of
    # the best level offered in its cluster (one array pass: per person it took 3 s at 130k)
    n_offers = np.array([len(offered) for offered, _, _ in offer_of], dtype=np.int64)
    at = np.repeat(np.arange(n, dtype=np.int64), n_offers)
    skill = np.array([k for offered, _, _ in offer_of for k in offered], dtype=np.int64)
    level_credit = LEVEL_CREDIT[
        np.array([lvl for _, lvls, _ in offer_of for lvl in lvls], dtype=np.int64)
    ]
    credit = np.zeros((n, n_skills + 1), dtype=np.float32)
    np.maximum.at(credit, (at, skill), level_credit)
    cluster_best = np.zeros((n, len(cluster_names) + 1), dtype=np.float32)  # last: none
    np.maximum.at(cluster_best, (at, skill_cluster[skill]), level_credit)
    cluster_best[:, -1] = 0
    own = credit[:, :n_skills]
    np.copyto(own, CLUSTER_SHARE * cluster_best[:, skill_cluster], where=own == 0)
    return Features(
        people=people,
        person_ids=np.fromiter((p.person_id for p in people), dtype=np.int64, count=n),
        weights=config.weights.normalised(),
        config=config,
        peer=config.format == "peer",
        skill_slugs=tuple(slugs),
        skill_cluster=skill_cluster,
        clusters=tuple(cluster_names),
        patterns=patterns,
        pattern=pattern,
        overlap_min=overlap,
        level=level,
        levels=np.array(levels, dtype=np.int64),
        dept=dept,
        lang=lang,
        lang_share=lang_share,
        freq=freq,
        freqs=np.array([np.nan, *freq_values], dtype=np.float64),
        waiting=waiting,
        priority=priority,
        goals=goals,
        n_goals=n_goals,
        credit=credit,
        goal_clusters=tuple(goal_clusters),
        offer_clusters=tuple(offer_clusters),
    )


# --- component functions on value arrays (shared by the block and pair paths) -------------


def seniority_fit(
    mentor_level: npt.NDArray[np.int64],
    mentee_level: npt.NDArray[np.int64],
    reverse: bool,
    peer: bool,
) -> F64:
    if peer:
        gap = np.abs(mentor_level - mentee_level)
        return np.select([gap == 0, gap == 1, gap == 2], [1.0, 0.75, 0.4], 0.0)
    up = (mentee_level - mentor_level) if reverse else (mentor_level - mentee_level)
    return np.select([(up >= 1) & (up <= 3), up == 0, up == 4, up >= 5], [1.0, 0.5, 0.6, 0.3], 0.0)


def department_fit(a: I32, b: I32) -> F64:
    return np.where((a < 0) | (b < 0), 0.5, np.where(a == b, 0.0, 1.0))


def preference_fit(a: F64, b: F64) -> F64:
    with np.errstate(invalid="ignore", divide="ignore"):
        fit = 1.0 - np.minimum(np.abs(a - b) / np.maximum(a, b), 1.0)
    return np.where(np.isnan(a) | np.isnan(b), 0.5, fit)


def overlap_fit(minutes: npt.NDArray[np.int32], config: ProgramConfig) -> F64:
    return np.minimum(minutes / 60.0 / config.full_overlap_hours, 1.0)


def goal_fit(f: Features, seeker: I64, giver: I64) -> F64:
    """Mean credit of the giver's offers over the seeker's goals, per pair."""
    total = np.zeros(len(seeker), dtype=np.float64)
    for k in range(f.goals.shape[1]):
        total += f.credit[giver, f.goals[seeker, k]]
    count = f.n_goals[seeker]
    # credit is stored as float32 for the block path; round off its representation error
    return np.where(count > 0, np.round(total / np.maximum(count, 1), 6), 0.0)


@dataclass(frozen=True)
class PairScores:
    components: dict[str, F64]
    score: F64
    feasible: B  # soft-table hard rules: overlap, language, goal fit, not the same person


def score_pairs(f: Features, left: I64, right: I64) -> PairScores:
    """Exact components for pairs (left[i], right[i]); left is the mentee (or a peer)."""
    config = f.config
    minutes = f.overlap_min[f.pattern[left], f.pattern[right]]
    if f.peer:
        forward = goal_fit(f, left, right)
        backward = goal_fit(f, right, left)
        has_l, has_r = f.n_goals[left] > 0, f.n_goals[right] > 0
        directions = has_l.astype(np.float64) + has_r
        goal = np.where(
            directions > 0,
            (np.where(has_l, forward, 0) + np.where(has_r, backward, 0))
            / np.maximum(directions, 1),
            0.0,
        )
        needs_goal = directions > 0
        waiting = (f.waiting[left] + f.waiting[right]) / 2
    else:
        goal = goal_fit(f, left, right)
        needs_goal = f.n_goals[left] > 0
        waiting = f.waiting[left]
    lang_l, lang_r = f.lang[left], f.lang[right]
    shared = f.lang_share[lang_l, lang_r]
    components = {
        "goal": goal,
        "overlap": overlap_fit(minutes, config),
        "seniority": seniority_fit(
            f.levels[f.level[right]], f.levels[f.level[left]], config.reverse, f.peer
        ),
        "department": department_fit(f.dept[left], f.dept[right]),
        "language": np.where((lang_l == 0) | (lang_r == 0), 0.5, shared.astype(np.float64)),
        "preference": preference_fit(f.freqs[f.freq[left]], f.freqs[f.freq[right]]),
        "waiting": waiting.astype(np.float64),
    }
    score = np.zeros(len(left), dtype=np.float64)
    for name in COMPONENTS:
        score += f.weights[name] * components[name]
    same_person = f.person_ids[left] == f.person_ids[right]
    feasible = (
        (minutes >= config.min_overlap_hours * 60 - 1e-9)
        & ((lang_l == 0) | (lang_r == 0) | shared)
        & ~same_person
    )
    if config.require_goal_fit:
        feasible &= ~needs_goal | (goal > 0)
    return PairScores(components, score, feasible)


def objective_weights(f: Features, left: I64, score: F64, right: I64 | None = None) -> I64:
    """Integer solver weight: the scaled score, plus one full score for priority seekers.

    The priority bonus outranks any score difference on one edge, so a priority seeker wins
    a contested slot unless that costs the round a whole match. Peers pass both ends.
    """
    first = f.priority[left] if right is None else f.priority[left] | f.priority[right]
    bonus = np.where(first, SCALE, 0)
    return np.rint(score * SCALE).astype(np.int64) + bonus


# --- the block path: a (rows x cols) float32 score with -inf where a table rule forbids ----


@dataclass(frozen=True)
class ColumnTables:
    cols: I64
    overlap: F32  # (P, nc)
    seniority: F32  # (levels, nc)
    department: F32  # (depts + 1, nc), row 0 = unknown
    language: F32  # (L, nc)
    preference: F32  # (F, nc)
    credit_t: F32  # (n_skills + 1, nc)
    goal_t: F32 | None  # peers: (n_skills + 1, nc) goal incidence / n_goals
    col_waiting: F32


def column_tables(f: Features, cols: I64) -> ColumnTables:
    w, config = f.weights, f.config
    neg = np.float32(-np.inf)
    # fitted once per pattern pair, then gathered: (patterns x columns), rows contiguous
    fit = (w["overlap"] * overlap_fit(f.overlap_min, config)).astype(np.float32)
    fit[f.overlap_min < config.min_overlap_hours * 60 - 1e-9] = neg
    overlap = np.take(fit, f.pattern[cols], axis=1)
    sen = w["seniority"] * seniority_fit(
        f.levels[f.level[cols]][None, :], f.levels[:, None], config.reverse, f.peer
    )
    dept_codes = np.arange(-1, int(f.dept.max(initial=-1)) + 1, dtype=np.int32)
    dept = w["department"] * department_fit(dept_codes[:, None], f.dept[cols][None, :])
    lang_c = f.lang[cols]
    share = f.lang_share[:, lang_c]
    lang_rows = np.arange(f.lang_share.shape[0])[:, None]
    lang = np.where((lang_rows == 0) | (lang_c[None, :] == 0), 0.5, share.astype(np.float64))
    lang = (w["language"] * lang).astype(np.float32)
    lang[~((lang_rows == 0) | (lang_c[None, :] == 0) | share)] = neg
    pref = w["preference"] * preference_fit(f.freqs[:, None], f.freqs[f.freq[cols]][None, :])
    goal_t = None
    if f.peer:
        n_skills = f.credit.shape[1] - 1
        goal_t = np.zeros((n_skills + 1, len(cols)), dtype=np.float32)
        counts = np.maximum(f.n_goals[cols], 1).astype(np.float32)
        for k in range(f.goals.shape[1]):
            np.add.at(goal_t, (f.goals[cols, k], np.arange(len(cols))), 1.0 / counts)
        goal_t[n_skills] = 0
    col_waiting = (
        (w["waiting"] * f.waiting[cols] / 2).astype(np.float32)
        if f.peer
        else np.zeros(len(cols), dtype=np.float32)
    )
    return ColumnTables(
        cols=cols,
        overlap=overlap,
        seniority=sen.astype(np.float32),
        department=dept.astype(np.float32),
        language=lang,
        preference=pref.astype(np.float32),
        credit_t=np.ascontiguousarray(f.credit[cols].T),
        goal_t=goal_t,
        col_waiting=col_waiting,
    )


def block_inputs(f: Features, rows: I64, t: ColumnTables) -> tuple[Rows, Tables, np.float32, bool]:
    """What matching.row_pass needs to score `rows` (not peers) against the tables' columns:
    the rows' codes, the tables, the goal weight and whether goal fit is a hard rule."""
    counts = f.n_goals[rows]
    people = (
        f.pattern[rows], f.level[rows], f.dept[rows], f.lang[rows], f.freq[rows],
        f.goals[rows], counts, (1.0 / np.maximum(counts, 1)).astype(np.float32),
        (f.weights["waiting"] * f.waiting[rows]).astype(np.float32),
    )  # fmt: skip
    tables = (t.overlap, t.seniority, t.department, t.language, t.preference, t.credit_t)
    return people, tables, np.float32(f.weights["goal"]), bool(f.config.require_goal_fit)


def block_scores(f: Features, rows: I64, t: ColumnTables) -> F32:
    """Weighted score of every (row, col) pair with -inf where a table rule forbids it."""
    w, config = f.weights, f.config
    if not f.peer or t.goal_t is None:
        out = np.empty((len(rows), len(t.cols)), dtype=np.float32)
        fill_scores(out, *block_inputs(f, rows, t))
        return out
    out = t.overlap[f.pattern[rows]]
    out += t.seniority[f.level[rows]]
    out += t.department[f.dept[rows] + 1]
    out += t.language[f.lang[rows]]
    out += t.preference[f.freq[rows]]
    forward = t.credit_t[f.goals[rows, 0]]
    for k in range(1, f.goals.shape[1]):
        forward += t.credit_t[f.goals[rows, k]]
    counts = f.n_goals[rows]
    forward *= (1.0 / np.maximum(counts, 1)).astype(np.float32)[:, None]
    backward = f.credit[rows] @ t.goal_t
    has_r = (counts > 0)[:, None]
    has_c = (f.n_goals[t.cols] > 0)[None, :]
    directions = has_r.astype(np.float32) + has_c
    goal = (np.where(has_r, forward, 0) + np.where(has_c, backward, 0)) / np.maximum(directions, 1)
    out += (w["goal"] * goal).astype(np.float32)
    if config.require_goal_fit:
        out[(directions > 0) & (goal <= 0)] = -np.inf
    out += (w["waiting"] * f.waiting[rows] / 2).astype(np.float32)[:, None]
    out += t.col_waiting[None, :]
    return out
