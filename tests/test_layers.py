"""The layer rule of STYLE.md, read from the imports: arrows point down only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bench", "testkit", "bot", "handlers", "matching", "models", "migrations")
# What each layer may import from the project (besides itself). The benchmarks and the Slack
# test kit sit beside the product: they may use it, and nothing in it may use them or tests.
ALLOWED = {
    "bench": {"testkit", "bot", "handlers", "matching", "models", "migrations"},
    "testkit": {"bot", "handlers", "matching", "models", "migrations"},
    "bot": {"handlers", "matching", "models", "migrations"},
    "handlers": {"models", "matching"},
    "matching": set(),
    "models": set(),
    "migrations": {"models"},
}
FORBIDDEN_THIRD_PARTY = {
    "models": {"slack_sdk", "slack_bolt", "scipy", "numpy", "ortools"},
    "matching": {"slack_sdk", "slack_bolt", "sqlalchemy"},
    "handlers": {"scipy", "ortools"},
}
# The one bridge between deciding and remembering.
EXCEPTIONS = {("matching/rounds.py", "models")}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_imports_point_down_only() -> None:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for name in _imports(path):
                project = name in (*PACKAGES, "tests")
                upward = project and name != package and name not in ALLOWED[package]
                if upward and (relative, name) not in EXCEPTIONS:
                    problems.append(f"{relative} imports {name}")
                if name in FORBIDDEN_THIRD_PARTY.get(package, set()):
                    problems.append(f"{relative} imports {name}")
    assert problems == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from bot.app import create_app\nimport handlers.copy\n")
    assert _imports(bad) == {"bot", "handlers"}
