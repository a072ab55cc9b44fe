"""A round keeps the memory it frees while it runs, and gives it all back when it ends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching import memory

MB = 2**20


def _resident() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096


pytestmark = pytest.mark.skipif(memory._LIBC is None, reason="glibc's malloc only")


def test_memory_freed_during_a_round_stays_until_the_round_ends() -> None:
    with memory.held_memory():
        block = np.ones(256 * MB // 8)  # far above glibc's mmap threshold
        del block
        with memory.held_memory():  # a nested hold ends without giving anything back
            pass
        held = _resident()
    returned = held - _resident()
    assert returned > 200 * MB  # freed, yet the process's until the round ended
