"""The bench's memory figure counts a forked solver's own pages, and shared ones once."""

from __future__ import annotations

import os

import numpy as np
import pytest

from bench.pss import PeakPss

MB = 2**20

pytestmark = pytest.mark.skipif(
    not (hasattr(os, "fork") and PeakPss().available), reason="Linux /proc and fork() only"
)


def _child_holding(megabytes: int) -> tuple[int, int]:
    """A child that touches `megabytes` of its own, says so, and waits to be let go:
    (pid, the fd that lets it go)."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            block = np.ones(megabytes * MB // 8)
            os.write(ready_w, b"1")
            os.read(go_r, 1)
            del block
        finally:
            os._exit(0)
    os.read(ready_r, 1)
    return pid, go_w


def test_a_child_s_own_memory_counts_and_shared_memory_counts_once() -> None:
    shared = np.ones(300 * MB // 8)  # the parent's, and the child's copy-on-write
    with PeakPss(every=3600) as alone:  # samples at the start and the end only
        pass
    pid, go = _child_holding(200)
    try:
        with PeakPss(every=3600) as both:
            pass
    finally:
        os.write(go, b"1")
        os.waitpid(pid, 0)
    assert alone.peak_mb is not None
    assert both.peak_mb is not None
    grew = both.peak_mb - alone.peak_mb
    assert 180 < grew < 260  # the child's 200 MB, not another copy of the shared 300 MB
    del shared
