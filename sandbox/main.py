"""`mentorbot sandbox`: start the sandbox, print where its page is, serve until Ctrl-C.

bot/cli.py imports this module only inside the subcommand, so the product's layers never
load the test kit; the sandbox sits above the bot and uses it as any Slack workspace would.
"""

from __future__ import annotations

import logging
import threading

from sandbox.web import PageServer
from sandbox.world import start

log = logging.getLogger("mentorbot.sandbox")

# Ctrl-C may land on any of the process's threads; the main thread, the only one that runs
# Python's handlers, sees it when its wait returns, so it never waits longer than this.
WAKE_EVERY = 0.5
READY = "Sandbox ready: open %s (data in %s; nothing leaves this machine)"


def run(*, port: int, database_url: str | None, stop: threading.Event | None = None) -> int:
    """Serve the sandbox's page on 127.0.0.1:`port` until interrupted (or `stop` is set)."""
    sandbox = start(database_url)
    page = PageServer(sandbox, port).start()
    where = database_url or "a throwaway SQLite file"
    try:
        # said inside the try: Ctrl-C right after "ready" still closes everything
        log.info(READY, page.url, where)
        stopping = stop or threading.Event()
        while not stopping.wait(WAKE_EVERY):  # wake up to run Python's signal handlers
            pass
    except KeyboardInterrupt:
        pass
    finally:
        page.stop()
        sandbox.stop()
    return 0
