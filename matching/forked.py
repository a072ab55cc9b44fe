"""Solve in a forked child while this process works on, so that both cores are busy.

OR-Tools holds the GIL through a whole solve (three solves of 7-9 s in a 100k x 30k round),
so no thread of ours runs beside it. A forked child can: it shares every input with us
copy-on-write, runs only the solver, writes its int64 answer into shared memory and leaves
without any Python clean-up (os._exit), and dies with us. Whatever goes wrong in it (an
error, a signal, no fork on this platform), the caller is told nothing came back and
solves in-process, where the same input gives the same answer or the real error.
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import os
import signal
import warnings
from collections.abc import Callable
from types import TracebackType

import numpy as np
import numpy.typing as npt

from matching import memory

I64 = npt.NDArray[np.int64]

PR_SET_PDEATHSIG = 1  # prctl: the signal a child gets when its parent dies (Linux)


def _prctl() -> Callable[..., int] | None:
    try:
        found = getattr(ctypes.CDLL(None), "prctl", None)
    except OSError:
        return None
    return found if callable(found) else None


# looked up once, here: in a child a lookup would take the dynamic loader's lock, which
# another thread of ours may have held at the fork
_PRCTL = _prctl()


def _die_with_parent() -> None:
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


class Pending:
    """A child computing `size` int64s; `result()` waits for them (None: none came)."""

    def __init__(self, pid: int, shared: mmap.mmap, size: int) -> None:
        self.pid, self.shared, self.size = pid, shared, size
        self.status: int | None = None  # as waitpid tells it; -1: lost

    def result(self) -> I64 | None:
        status = self._reap()
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            return None
        return np.frombuffer(self.shared, dtype=np.int64, count=self.size).copy()

    def _reap(self) -> int:
        if self.status is None:
            try:
                _, self.status = os.waitpid(self.pid, 0)
            except ChildProcessError:  # reaped by someone else (SIGCHLD ignored): no answer
                self.status = -1
        return self.status

    def __enter__(self) -> Pending:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.status is None:  # left early (an error while we worked): stop the child
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap()
        self.shared.close()


def start(solve: Callable[[], I64], size: int) -> Pending | None:
    """Run `solve` (which returns `size` int64s) in a forked child; None where there is no
    fork."""
    if not hasattr(os, "fork"):
        return None
    # what this process holds free goes back first: the child would write its graph into
    # it, page by page copied, and on 100k x 30k the two then held 330 MB more at their peak
    memory.give_back()
    shared = mmap.mmap(-1, max(size, 1) * 8)  # anonymous and shared with the child
    try:
        with warnings.catch_warnings():
            # Python 3.12 warns of forking with threads: the child takes no lock they use
            # (no imports, lookups or logging; numpy and OR-Tools only), and leaves by _exit
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        shared.close()
        return None
    if pid == 0:  # the child: solve, hand the answer over, leave at once
        code = 1
        try:
            _die_with_parent()
            answer = solve()
            if len(answer) == size:
                np.frombuffer(shared, dtype=np.int64, count=size)[:] = answer
                code = 0
        finally:
            os._exit(code)
    return Pending(pid, shared, size)
