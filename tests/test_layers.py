"""The house rules of STYLE.md, read from the imports: arrows point down, no circles.

`bot/` wires; `handlers/` translate Slack; `flows/` tell the stories; `matching/` decides on
plain values; `models/` remembers. Benchmarks and the Slack test kit sit beside the product;
the sandbox sits on top of both, and the CLI reaches it only inside its subcommand.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "handlers", "flows", "matching", "models", "migrations")
PACKAGES = ("bench", "testkit", "sandbox", *PRODUCT)
# What each package may import from the project (besides itself).
ALLOWED = {
    "bench": {"testkit", *PRODUCT},
    "testkit": set(PRODUCT),
    "sandbox": {"testkit", *PRODUCT},
    "bot": {"handlers", "flows", "matching", "models", "migrations"},
    "handlers": {"flows", "models", "matching"},
    "flows": {"models", "matching"},
    "matching": set(),
    "models": set(),
    "migrations": {"models"},
}
FORBIDDEN_THIRD_PARTY = {
    "models": {"slack_sdk", "slack_bolt", "scipy", "numpy", "ortools"},
    "matching": {"slack_sdk", "slack_bolt", "sqlalchemy"},
    "flows": {"slack_sdk", "slack_bolt"},
    "handlers": {"scipy", "ortools", "sqlalchemy"},
}
# Files that may import a package their own may not, inside a function only (never at load).
LAZY = {"bot/cli.py": {"sandbox"}}
# Modules a package may not reach into even though it may import the package.
FORBIDDEN_MODULES = {
    "handlers": {"models.tables"},  # handlers read frozen values; rows and queries stay below
}


def _imports(path: Path) -> set[str]:
    """Top-level names of everything the file imports (absolute imports only)."""
    return {name.split(".")[0] for name in _modules(path)}


def _top_level(path: Path) -> set[str]:
    """Top-level names of what the file imports when it is loaded (outside any function)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_imports_point_down_only() -> None:
    problems = []
    for package in PACKAGES:
        for path in _files(package):
            relative = path.relative_to(ROOT).as_posix()
            for name in _imports(path):
                project = name in (*PACKAGES, "tests")
                lazy = name in LAZY.get(relative, set()) and name not in _top_level(path)
                if project and name != package and name not in ALLOWED[package] and not lazy:
                    problems.append(f"{relative} imports {name}")
                if name in FORBIDDEN_THIRD_PARTY.get(package, set()):
                    problems.append(f"{relative} imports {name}")
            for module in _modules(path):
                for forbidden in FORBIDDEN_MODULES.get(package, set()):
                    if module == forbidden or module.startswith(forbidden + "."):
                        problems.append(f"{relative} imports {module}")
    assert problems == []


def _graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    modules = {
        path.relative_to(ROOT).with_suffix("").as_posix().replace("/", "."): path
        for path in _files(package)
    }
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for imported in _modules(path):
            target = imported if imported in modules else imported.rsplit(".", 1)[0]
            if target in modules and target != name and not target.endswith("__init__"):
                graph[name].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_package_holds_an_import_circle() -> None:
    circles = {package: _cycle(_graph(package)) for package in PACKAGES}
    assert {p: c for p, c in circles.items() if c} == {}


def test_handlers_features_import_no_other_feature() -> None:
    """Only the registry imports the feature modules (the ones that register listeners)."""
    features = {
        path.stem
        for path in _files("handlers")
        if path.stem != "registry"
        and any(
            isinstance(node, ast.FunctionDef) and node.name == "register"
            for node in ast.parse(path.read_text()).body
        )
    }
    problems = []
    for path in _files("handlers"):
        if path.stem == "registry":
            continue
        for module in _modules(path):
            parts = module.split(".")
            feature = parts[1] if parts[0] == "handlers" and len(parts) > 1 else None
            if feature in features and feature != path.stem:
                problems.append(f"{path.name} imports {module}")
    assert problems == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from bot.app import create_app\nimport handlers.copy\n")
    assert _imports(bad) == {"bot", "handlers"}


def test_the_checker_tells_a_lazy_import_from_one_at_load(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sandbox.main\n\ndef run():\n    from testkit import slack\n")
    assert _imports(bad) == {"sandbox", "testkit"}
    assert _top_level(bad) == {"sandbox"}


def test_the_checker_sees_a_circle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
