"""The public IBM HR attrition roster, read as mentoring participants, deterministically.

Shared by the matching benchmark and the demo, so both read the same people: skills and
goals come from job roles (each role seeks the next rung of its ladder), mentors are level 3+
or ten years' tenure, and the zone is a hash of the employee number (the data has none).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

LADDER = {
    "Sales Representative": "Sales Executive",
    "Sales Executive": "Manager",
    "Laboratory Technician": "Research Scientist",
    "Research Scientist": "Research Director",
    "Healthcare Representative": "Manager",
    "Manufacturing Director": "Research Director",
    "Human Resources": "Manager",
    "Research Director": "Manager",
    "Manager": "Manager",
}
CLUSTERS = {
    "Sales Representative": "sales",
    "Sales Executive": "sales",
    "Laboratory Technician": "research",
    "Research Scientist": "research",
    "Research Director": "leadership",
    "Manager": "leadership",
    "Healthcare Representative": "sales",
    "Manufacturing Director": "operations",
    "Human Resources": "people",
}
LEADERSHIP = "People leadership"
ZONES = ("America/New_York", "Europe/London", "Asia/Kolkata")


@dataclass(frozen=True)
class Employee:
    number: int
    department: str
    role: str
    level: int
    years: int
    left: bool  # Attrition = Yes
    gender: str
    education: str

    @property
    def digest(self) -> int:
        return int(hashlib.sha256(str(self.number).encode()).hexdigest(), 16)

    @property
    def mentor(self) -> bool:
        return self.level >= 3 or self.years >= 10

    @property
    def zone(self) -> str:
        return ZONES[self.digest % len(ZONES)]

    def offers(self) -> tuple[tuple[str, int], ...]:
        """(skill name, level 1-3) a mentor offers: their role, and leadership from level 3."""
        out = [(self.role, min(3, 1 + self.years // 5))]
        if self.level >= 3:
            out.append((LEADERSHIP, min(3, self.level - 2)))
        return tuple(out)

    def seeks(self) -> tuple[str, ...]:
        """What a mentee wants: the next role up, and leadership at level 2."""
        return (LADDER[self.role],) + ((LEADERSHIP,) if self.level == 2 else ())


def skill_clusters() -> dict[str, str]:
    """Every skill the roster uses -> its cluster."""
    return {**CLUSTERS, LEADERSHIP: "leadership"}


def read_roster(path: Path) -> list[Employee]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [
            Employee(
                number=int(row["EmployeeNumber"]),
                department=row["Department"],
                role=row["JobRole"],
                level=int(row["JobLevel"]),
                years=int(row["YearsAtCompany"]),
                left=row["Attrition"].strip().lower() == "yes",
                gender=row["Gender"],
                education=row["EducationField"],
            )
            for row in csv.DictReader(handle)
        ]


DEPARTMENTS = {
    "Sales Representative": "Sales",
    "Sales Executive": "Sales",
    "Healthcare Representative": "Research & Development",
    "Laboratory Technician": "Research & Development",
    "Research Scientist": "Research & Development",
    "Manufacturing Director": "Research & Development",
    "Research Director": "Research & Development",
    "Human Resources": "Human Resources",
    "Manager": "Research & Development",
}
# Job roles and levels in roughly the roster's proportions (1,470 rows: 292 lab techs, ...).
ROLE_WEIGHTS = (
    ("Sales Executive", 326, (2, 3)),
    ("Research Scientist", 292, (1, 2)),
    ("Laboratory Technician", 259, (1, 2)),
    ("Manufacturing Director", 145, (2, 3)),
    ("Healthcare Representative", 131, (2, 3)),
    ("Manager", 102, (3, 5)),
    ("Sales Representative", 83, (1, 2)),
    ("Research Director", 80, (3, 5)),
    ("Human Resources", 52, (1, 3)),
)


def _pick_role(pick: int) -> tuple[str, int, int]:
    for role, weight, (low, high) in ROLE_WEIGHTS:
        if pick < weight:
            return role, low, high
        pick -= weight
    raise ValueError(pick)


def synthetic_roster(people: int, seed: int = 7) -> list[Employee]:
    """`people` employees shaped like the roster (roles, levels, tenure, 16% attrition),
    deterministic from `seed`; for benchmarks larger than the real file."""
    total = sum(w for _, w, _ in ROLE_WEIGHTS)
    out = []
    for number in range(1, people + 1):
        h = int(hashlib.sha256(f"{seed}:{number}".encode()).hexdigest(), 16)
        role, low, high = _pick_role(h % total)
        out.append(
            Employee(
                number=number,
                department=DEPARTMENTS[role],
                role=role,
                level=low + (h >> 20) % (high - low + 1),
                years=(h >> 30) % 15,
                left=(h >> 40) % 100 < 16,
                gender=("Female", "Male")[(h >> 50) % 2],
                education="Life Sciences",
            )
        )
    return out
