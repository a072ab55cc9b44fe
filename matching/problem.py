"""The matching engine's plain inputs and outputs: frozen dataclasses, no behaviour.

Participants are enrollments already filtered by the caller (paused and withdrawn people are
not passed in; active matches are kept by passing a mentor's remaining capacity).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

Role = Literal["mentor", "mentee", "both", "peer"]
Format = Literal["one_on_one", "circle", "peer"]
Side = Literal["mentee", "mentor", "peer"]
ROLES: frozenset[str] = frozenset({"mentor", "mentee", "both", "peer"})
FORMATS: frozenset[str] = frozenset({"one_on_one", "circle", "peer"})
COMPONENTS: tuple[str, ...] = (
    "goal",
    "overlap",
    "seniority",
    "department",
    "language",
    "preference",
    "waiting",
)
_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Participant:
    """One enrollment as the matcher sees it; `key` is the enrollment id."""

    key: int
    person_id: int
    name: str
    role: Role
    offers: tuple[tuple[str, int], ...] = ()  # (skill slug, level 1..3)
    seeks: tuple[str, ...] = ()  # skill slugs wanted, most important first
    seniority: int = 0
    department: str | None = None
    manager_chain: tuple[int, ...] = ()  # person ids of their managers, nearest first
    timezone: str = "UTC"  # IANA zone
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # 0 = Monday
    start_minute: int = 9 * 60  # local working hours, minutes after midnight
    end_minute: int = 17 * 60
    languages: tuple[str, ...] = ()
    capacity: int = 0  # remaining mentee slots (mentors); circle size cap in circle programs
    never_match: frozenset[int] = frozenset()  # person ids
    waiting_days: float = 0.0
    priority: bool = False  # queued first, e.g. after a no-fault exit
    meeting_frequency_days: int | None = None  # preferred cadence, when stated
    # fairness attributes (department, level, location, optional ones)
    segments: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"participant {self.key}: unknown role {self.role!r}")
        if not 0 <= self.start_minute < self.end_minute <= 1440:
            raise ValueError(f"participant {self.key}: hours must satisfy 0<=start<end<=1440")
        if self.capacity < 0:
            raise ValueError(f"participant {self.key}: capacity must be >= 0")
        if any(not 1 <= level <= 3 for _, level in self.offers):
            raise ValueError(f"participant {self.key}: skill levels are 1..3")
        if any(not 0 <= day <= 6 for day in self.working_days):
            raise ValueError(f"participant {self.key}: working days are 0..6")


@dataclass(frozen=True, slots=True)
class Skill:
    slug: str
    name: str
    cluster: str


@dataclass(frozen=True)
class Taxonomy:
    """Skill slug -> skill; slugs not in it count only on exact matches and show as-is."""

    skills: Mapping[str, Skill] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    @classmethod
    def of(cls, skills: tuple[Skill, ...] | list[Skill]) -> Taxonomy:
        return cls(MappingProxyType({skill.slug: skill for skill in skills}))

    def name(self, slug: str) -> str:
        skill = self.skills.get(slug)
        return skill.name if skill else slug

    def cluster(self, slug: str) -> str | None:
        skill = self.skills.get(slug)
        return skill.cluster if skill else None


@dataclass(frozen=True, slots=True)
class Weights:
    """Weight of each score component (see matching.scoring); normalised to sum to 1."""

    goal: float = 0.40
    overlap: float = 0.15
    seniority: float = 0.15
    department: float = 0.10
    language: float = 0.05
    preference: float = 0.05
    waiting: float = 0.10

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> Weights:
        unknown = set(values) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown weight components: {sorted(unknown)}")
        return cls(**{name: float(value) for name, value in values.items()})

    def normalised(self) -> dict[str, float]:
        raw = {name: max(0.0, float(getattr(self, name))) for name in COMPONENTS}
        total = sum(raw.values())
        if total <= 0:
            raise ValueError("at least one weight must be positive")
        return {name: value / total for name, value in raw.items()}


@dataclass(frozen=True, kw_only=True)
class ProgramConfig:
    """How one program matches; `week_start` is the UTC instant overlap is measured from."""

    week_start: datetime
    format: Format = "one_on_one"
    weights: Weights = Weights()
    reverse: bool = False  # reverse mentoring: the mentor is the junior one
    junior_mentors_only: bool = False  # reverse, strictly: a mentor must be more junior
    reporting_line_depth: int = 2  # managers up the chain that count (0 = rule off)
    min_overlap_hours: float = 1.0  # per week
    full_overlap_hours: float = 10.0  # per week; the overlap component saturates here
    full_waiting_days: float = 28.0  # the waiting component saturates here
    require_goal_fit: bool = True  # a mentee who names goals needs a mentor near one of them
    past_pairs: frozenset[frozenset[int]] = frozenset()  # person-id pairs in the repeat window
    circle_min: int = 2  # mentees per circle
    circle_max: int = 5
    allow_trios: bool = True  # peers: an odd person out may join a pair
    fairness_margin: float = 0.10
    fairness_min_group: int = 5
    seed: int | None = None  # permutes tie-breaks; same seed, same output
    candidates_per_seeker: int = 20  # K: best mentors kept per mentee
    candidates_per_mentor: int = 30  # K2: best mentees kept per mentor
    candidates_per_peer: int = 10  # peers: best partners kept per person
    peer_window: int = 2000  # peers: partners scored per person inside a goal cluster
    # load spreading: a mentor's k-th mentee (k >= 2) costs load_spread * (k - 1) score
    # points, so first mentees go round before anyone gets a second unless that costs more
    load_spread: float = 0.02

    def __post_init__(self) -> None:
        if self.week_start.tzinfo is None or self.week_start.utcoffset() is None:
            raise ValueError("week_start must be timezone-aware")
        if self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r}")
        if not 1 <= self.circle_min <= self.circle_max:
            raise ValueError("circle sizes must satisfy 1 <= circle_min <= circle_max")
        if self.candidates_per_seeker < 1 or self.candidates_per_mentor < 1:
            raise ValueError("candidate list sizes must be >= 1")
        if not 0 <= self.load_spread <= 1:
            raise ValueError("load_spread must be within 0..1")


@dataclass(frozen=True)
class Problem:
    participants: tuple[Participant, ...]
    taxonomy: Taxonomy
    config: ProgramConfig


class Reason(StrEnum):
    """Why someone was left unmatched (stable codes; words come from matching.explain)."""

    NO_COUNTERPART = "no_counterpart"  # nobody in the other role (or no other peer)
    NO_GOAL_FIT = "no_goal_fit"  # no mentor offers the goals (or anything close)
    NO_OVERLAP = "no_overlap"  # everyone who fits lacks the minimum shared working time
    CONSTRAINTS = "constraints"  # reporting line, exclusions, past pairs or language
    ALL_TAKEN = "all_taken"  # every fitting mentor is full / fitting people went to others
    CIRCLE_TOO_SMALL = "circle_too_small"  # too few people share the goal area for a circle
    ODD_ONE_OUT = "odd_one_out"  # peers: odd count; first in line next time


@dataclass(frozen=True, slots=True)
class Match:
    """A mentor with one mentee (or a circle), or two or three peers (`mentor` is None)."""

    mentor: int | None  # participant key
    members: tuple[int, ...]  # mentee keys, or peer keys, ascending
    score: float  # 0..1, the weighted sum of `breakdown`
    breakdown: Mapping[str, float] = field(hash=False)  # component -> 0..1
    reasons: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[int, ...]:
        return self.members if self.mentor is None else (self.mentor, *self.members)


@dataclass(frozen=True, slots=True)
class Unmatched:
    key: int
    side: Side
    reason: Reason
    words: str
    first_in_line: bool = False  # the caller should queue them first next round


@dataclass(frozen=True, slots=True)
class Stats:
    format: str
    participants: int
    seekers: int  # mentees, or peers
    mentors: int
    slots: int  # sum of mentor capacity
    matched_seekers: int
    matches: int
    unmatched: int
    total_score: float  # sum over seeker placements (a circle counts once per mentee)
    mean_score: float
    candidate_edges: int
    solver: str
    pairs_bound: int | None = None  # peers: no pairing can place more pairs than this
    seconds: Mapping[str, float] = field(default_factory=dict, hash=False, compare=False)
    # 1:1 rounds: proved optimal (most placed, then best score) on the full feasible graph,
    # not only on a candidate list; None where no proof is attempted (circles, peers)
    optimal: bool | None = None
    certificate: str = ""  # the proof in words, for the round preview
    seeker_types: int = 0  # distinct mentees as the score sees them (look-alikes merged)
    mentor_types: int = 0
    solves: int = 0  # flow solves until no arc left out could improve the round
    excluded_pairs: int = 0  # arcs left out so that no two people mentor each other
    idle_mentors: int = 0  # mentors with room who got nobody
    mentors_with_two_plus: int = 0  # mentors who got two or more this round
    load_spread_cost: float = 0.0  # score points the load-spreading costs paid (an upper
    # bound on the score given up to spread mentees; 0 when load_spread is 0)


@dataclass(frozen=True, slots=True)
class SegmentRow:
    attribute: str
    value: str
    people: int
    matched: int
    match_rate: float
    mean_score: float | None
    mean_waiting_days: float
    flagged: bool  # match rate below the overall rate by more than the margin


@dataclass(frozen=True, slots=True)
class LoadSpread:
    mentors: int
    min: int
    max: int
    mean: float
    stdev: float
    unused_slots: int


@dataclass(frozen=True, slots=True)
class FairnessAudit:
    overall_match_rate: float
    margin: float
    rows: tuple[SegmentRow, ...]
    suppressed: Mapping[str, int] = field(hash=False)  # attribute -> values hidden (< min group)
    load: LoadSpread | None = None


@dataclass(frozen=True, slots=True)
class SkillGap:
    slug: str
    name: str
    cluster: str | None
    demand: int  # seekers who want it
    mentors: int  # mentors who offer it
    slots: int  # their capacity
    unmet: int  # seekers who want it and were left unmatched
    ratio: float | None  # demand / slots; None when nobody offers it


@dataclass(frozen=True, slots=True)
class ClusterGap:
    cluster: str
    demand: int
    mentors: int
    slots: int
    unmet: int
    ratio: float | None


@dataclass(frozen=True, slots=True)
class Coverage:
    skills: tuple[SkillGap, ...]
    clusters: tuple[ClusterGap, ...]
    suggestions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Result:
    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    stats: Stats
    fairness: FairnessAudit
    coverage: Coverage
