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


def test_memory_held_free_goes_back_on_request_within_the_round() -> None:
    with memory.held_memory():
        block = np.ones(256 * MB // 8)
        del block
        held = _resident()
        memory.give_back()  # as before a fork, whose child would copy what it writes there
        assert held - _resident() > 200 * MB


def _asks_huge_pages(array: np.ndarray) -> bool:
    """Whether the mapping that holds the middle of `array` was advised to use huge pages."""
    middle = array.ctypes.data + array.nbytes // 2
    inside = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        span = line.split()[0]
        if "-" in span and ":" not in span:  # a mapping's first line: its address range
            low, high = (int(part, 16) for part in span.split("-"))
            inside = low <= middle < high
        elif inside and line.startswith("VmFlags:"):
            return "hg" in line.split()[1:]
    raise AssertionError("the array's mapping is not in smaps")


@pytest.mark.skipif(
    memory._MADVISE is None or not Path("/sys/kernel/mm/transparent_hugepage").exists(),
    reason="numpy asks for transparent huge pages only on Linux with THP",
)
def test_a_round_does_not_ask_for_huge_pages_and_numpy_asks_again_after() -> None:
    before = np.ones(64 * MB // 8)
    if not _asks_huge_pages(before):
        pytest.skip("numpy does not ask for huge pages in this process")
    with memory.held_memory():
        during = np.ones(64 * MB // 8)
        assert not _asks_huge_pages(during)
    after = np.ones(64 * MB // 8)
    assert _asks_huge_pages(after)
