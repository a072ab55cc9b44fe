"""The demo on a roster shaped like the IBM HR file: the report agrees with the database.

The real file lives outside the project, so the test writes a small roster with the same
columns; every figure the demo prints is checked against an independent SQL count.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import Engine

from bench.demo import enrolled, leave_day, run_demo
from bench.ibm_roster import LADDER, read_roster

COLUMNS = [
    "Age",
    "Attrition",
    "Department",
    "EmployeeNumber",
    "Gender",
    "EducationField",
    "JobLevel",
    "JobRole",
    "YearsAtCompany",
]
ROLES = {
    "Sales": ("Sales Representative", "Sales Executive", "Manager"),
    "Research & Development": ("Laboratory Technician", "Research Scientist", "Research Director"),
    "Human Resources": ("Human Resources", "Manager"),
}


def _roster(path: Path, people: int) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(1, people + 1):
            department = list(ROLES)[n % 3]
            roles = ROLES[department]
            level = 3 + n % 2 if n % 4 == 0 else 1 + n % 2  # a quarter senior
            writer.writerow(
                [
                    25 + n % 30,
                    "Yes" if n % 6 == 0 else "No",
                    department,
                    n,
                    "Female" if n % 2 else "Male",
                    "Life Sciences",
                    level,
                    roles[min(level - 1, len(roles) - 1)],
                    n % 12,
                ]
            )
    return path


def test_demo_report_matches_an_independent_count(engine: Engine, tmp_path: Path) -> None:
    path = _roster(tmp_path / "roster.csv", 90)
    roster = read_roster(path)
    assert all(e.role in LADDER for e in roster)
    out: list[str] = []
    url = engine.url.render_as_string(hide_password=False)
    code = run_demo(path, url, weeks=16, share=0.9, seed=3, write=out.append)
    text = "\n".join(out)
    assert code == 0, text
    assert "BAD" not in text
    assert len([line for line in out if line.startswith("  ok ")]) >= 13
    assert "ok  mentees re-matched" in text

    # figures traceable to the roster: who enrolled, who left, how the import saw it
    chosen = [e for e in roster if enrolled(e, 0.9)]
    stayed = [e for e in chosen if leave_day(e, 16) is None]
    mentors = sum(e.mentor for e in stayed)
    assert f"Enrolled: {mentors} mentors, {len(stayed) - mentors} mentees" in text
    leavers = sum(e.left for e in roster)
    assert f"Final HR import (leave dates): {leavers} updated, {90 - leavers} unchanged" in text
    assert "left_company" in text  # leavers' matches ended for that reason
    rounds = re.search(r"(\d+) rounds", text)
    assert rounds is not None
    assert int(rounds.group(1)) == 4  # weeks 0, 4, 8, 12
    assert "Retention" in text  # the roster has start and leave dates
    gaps = re.findall(r"recruit mentors for ([A-Za-z ]+) \((\d+) want it, (\d+) places\)", text)
    assert gaps  # the roster has more juniors wanting a rung than seniors offering it
    assert all(int(want) > int(places) for _, want, places in gaps)
