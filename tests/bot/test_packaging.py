"""Self-hosting: the container's entrypoint and health check, the image recipe, scripts/run.

Docker cannot run on the test machines, so the pieces the image runs are tested directly:
the entrypoint script serving a real database, the HEALTHCHECK command exactly as the
Dockerfile states it, and a SIGTERM reaching mentorbot through the entrypoint.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.parse
from pathlib import Path

from sqlalchemy import Engine

from bot.settings import Settings
from testkit.requests import SIGNING_SECRET
from testkit.serve import ROOT, start_serve
from testkit.slack import BOT_TOKEN, FakeSlack

DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENTRYPOINT = ROOT / "scripts" / "docker-entrypoint.sh"


def _healthcheck() -> list[str]:
    line = re.search(r"HEALTHCHECK .*?CMD (\[.*?\])", DOCKERFILE, re.S)
    assert line is not None
    return list(json.loads(line.group(1)))


def _with_venv(env: dict[str, str]) -> dict[str, str]:
    """The image puts its virtualenv first on PATH; ours stands in for it."""
    return {**os.environ, **env, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}


def test_the_entrypoint_serves_the_healthcheck_passes_and_sigterm_reaches_mentorbot(
    fake_slack: FakeSlack, engine: Engine
) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
    }
    # The entrypoint finds `mentorbot` on PATH, as in the image.
    served = start_serve({**env, "PATH": _with_venv({})["PATH"]}, command=["sh", str(ENTRYPOINT)])
    port = str(urllib.parse.urlparse(served.url).port)
    try:
        check = subprocess.run(
            _healthcheck(),
            env=_with_venv({**env, "PORT": port}),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert check.returncode == 0, check.stderr
        assert check.stdout.startswith("healthy: database ok, Slack ok, scheduler lease ")
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=30) == 0  # exec'd: mentorbot got the signal
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=10)
    after = subprocess.run(
        _healthcheck(),
        env=_with_venv({**env, "PORT": port}),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert after.returncode == 1
    assert after.stderr.startswith(f"unhealthy: no answer from http://127.0.0.1:{port}/healthz")


def test_the_entrypoint_passes_other_commands_through(tmp_path: Path) -> None:
    done = subprocess.run(
        ["sh", str(ENTRYPOINT), "--version"],
        env=_with_venv({}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "mentorbot 0.1.0")
    shell = subprocess.run(
        ["sh", str(ENTRYPOINT), "sh", "-c", "echo $0"], capture_output=True, text=True, check=False
    )
    assert shell.stdout.strip() == "sh"


def test_the_image_recipe_is_multi_stage_unprivileged_and_complete() -> None:
    assert len(re.findall(r"^FROM ", DOCKERFILE, re.M)) == 2
    assert "COPY --from=build /opt/mentorbot /opt/mentorbot" in DOCKERFILE
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users
    assert users[-1] not in ("root", "0")
    for source in re.findall(r"^COPY (?!--from)(?:--\S+ )*(.+) \S+$", DOCKERFILE, re.M):
        for path in source.split():
            assert (ROOT / path).exists(), f"the Dockerfile copies {path}, which is missing"
    assert "'.[postgres]'" in DOCKERFILE
    assert 'postgres = ["psycopg' in (ROOT / "pyproject.toml").read_text()
    assert _healthcheck() == ["mentorbot", "health"]
    grace = re.search(r"stop_grace_period: (\d+)s", (ROOT / "compose.yaml").read_text())
    assert grace is not None
    assert int(grace.group(1)) > Settings().stop_timeout  # Docker must wait for the drain


def _fake_checkout(tmp_path: Path) -> tuple[Path, Path]:
    """scripts/run in a checkout whose .venv/bin/python only records being asked to pip."""
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "run", checkout / "scripts" / "run")
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    bin_dir = checkout / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    log = tmp_path / "calls.log"
    (bin_dir / "python").write_text(
        f'#!/bin/sh\necho "python $*" >> {log}\n'
        f"printf '#!/bin/sh\\necho \"mentorbot $*\" >> {log}\\n' > {bin_dir}/mentorbot\n"
        f"chmod +x {bin_dir}/mentorbot\n"
    )
    (bin_dir / "python").chmod(0o755)
    return checkout, log


def test_scripts_run_installs_once_and_again_only_when_pyproject_changes(
    tmp_path: Path,
) -> None:
    checkout, log = _fake_checkout(tmp_path)

    def run(**env: str) -> list[str]:
        log.write_text("")
        tokens = {"SLACK_BOT_TOKEN": "xoxb-1", **env}
        subprocess.run(
            ["bash", str(checkout / "scripts" / "run"), "--http"],
            check=True,
            timeout=60,
            capture_output=True,
            env={**_without_tokens(), **{k: v for k, v in tokens.items() if v}},
        )
        return log.read_text().splitlines()

    first = run()
    assert any("-m pip install" in line for line in first)
    assert first[-1] == "mentorbot serve --http"
    assert run() == ["mentorbot serve --http"]  # no pip, so no package index needed
    with (checkout / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n# a new dependency\n")
    assert any("-m pip install" in line for line in run())
    # no Slack token at all: the one-command try-out, the sandbox
    assert run(SLACK_BOT_TOKEN="") == ["mentorbot sandbox --http"]


def _without_tokens() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")}
