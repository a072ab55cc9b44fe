"""Derive the compact Slack Web API method reference the tests check calls against.

Reads Slack's per-method reference (../shared/data/slack/methods/*.json) and writes, for
every method, its argument names, required arguments, types, bot scopes, rate tier and errors to
testkit/slack_methods.json, so a fresh clone needs nothing outside the repository.
Run: python scripts/gen_slack_methods.py [SOURCE_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "slack" / "methods"
TARGET = ROOT / "testkit" / "slack_methods.json"


def _types(schema: dict[str, Any]) -> list[str]:
    if "type" in schema:
        t = schema["type"]
        return [t] if isinstance(t, str) else list(t)
    out: list[str] = []
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        out.extend(_types(option))
    return sorted(set(out))


def _bot_scopes(doc: dict[str, Any]) -> list[str]:
    """The scopes a bot token needs: one of them, chosen by the conversation's type when they
    are per type (channels:, groups:, im:, mpim:), else any of them; none for "none"."""
    scope = doc.get("scope")
    if not isinstance(scope, dict):
        return []
    return sorted(str(s) for s in scope.get("bot") or [])


def compact(doc: dict[str, Any]) -> dict[str, Any]:
    args = doc.get("args") or {}
    props: dict[str, Any] = args.get("properties") or {}
    return {
        "scopes": _bot_scopes(doc),
        "required": sorted(args.get("required") or []),
        "args": {name: _types(schema) for name, schema in sorted(props.items())},
        "tier": doc.get("rate_limits"),
        "json": bool(doc.get("json_input_supported")),
        "errors": sorted((doc.get("errors") or {}).keys()),
    }


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    if not source.is_dir():
        print(f"no method reference at {source}", file=sys.stderr)
        return 1
    methods = {
        path.stem: compact(json.loads(path.read_text()))
        for path in sorted(source.glob("*.json"))
        if path.name != "methods.json"  # an index of names, not a method
    }
    TARGET.write_text(json.dumps(methods, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {len(methods)} methods to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
