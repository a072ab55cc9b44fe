"""Peak memory of the engine together with the solver it forks (matching.forked).

ru_maxrss counts one process, and a forked child shares most of its pages with its parent,
so neither process's RSS nor their sum says what the machine holds. The proportional set
size does: each shared page counts once, split between the processes that map it. It is
read from /proc in a thread every `every` seconds, so a peak shorter than that can be
missed; where /proc has no smaps_rollup (not Linux) the figure is None.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType


def _pss_kb(pid: int | str) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _children() -> list[int]:
    found: list[int] = []
    for listing in Path("/proc/self/task").glob("*/children"):
        try:
            found += [int(pid) for pid in listing.read_text().split()]
        except OSError:
            continue
    return found


class PeakPss:
    """`with PeakPss() as watch:` ... then `watch.peak_mb`: the largest PSS of this process
    and its children together seen while inside."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.available = Path("/proc/self/smaps_rollup").exists()
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="pss", daemon=True)

    def _sample(self) -> None:
        total = _pss_kb("self") + sum(_pss_kb(pid) for pid in _children())
        self.peak_kb = max(self.peak_kb, total)

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    @property
    def peak_mb(self) -> float | None:
        return self.peak_kb / 1024 if self.available else None

    def __enter__(self) -> PeakPss:
        if self.available:
            self._sample()
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.available:
            self._stop.set()
            self._thread.join()
            self._sample()
