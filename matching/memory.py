"""Keep the memory a round frees inside the process while it runs; give it back after.

A large round allocates and frees arrays of tens to hundreds of MB again and again. glibc
returns each to the kernel (munmap above its mmap threshold, a trim of the heap top), so the
next is faulted in afresh. On a VM that reports free pages to its host (virtio-balloon, as
on the machines we measure on) first touches are slow, so during a round glibc keeps freed
memory in its heap (2 GB touched again in 0.23 s), and malloc_trim returns it afterwards.
Where the C library is not glibc (musl, macOS) that part does nothing.

numpy also asks for transparent huge pages on every array of 4 MB or more, and on these VMs
a huge page's first touch is over ten times dearer: 1.2 GB of fresh arrays took 9.4-10.3 s
with the request and 0.66-0.70 s without. So a round does not ask. Only OR-Tools loses: it
walks its graph about 5 % slower on small pages (one 100k x 30k solve: 7.1-7.6 s, against
6.8-7.2 s), where a round's first touches cost seconds.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_MAX = -4
DEFAULT_TRIM = 128 * 1024  # glibc's defaults, restored after the round
DEFAULT_MMAP_MAX = 65536
HOLD_TRIM = 2**31 - 1  # the largest an int parameter takes: in effect, never trim

_lock = threading.Lock()
_holders = 0


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)  # the C library this process already runs on
    except OSError:
        return None
    if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):
        return None
    return libc


_LIBC = _glibc()


def _numpy_madvise() -> Callable[[bool], bool] | None:
    """numpy's switch for asking huge pages (returns the previous setting), where it has one."""
    for module in ("_core", "core"):  # numpy 2, numpy 1
        multiarray = getattr(getattr(np, module, None), "multiarray", None)
        found = getattr(multiarray, "_set_madvise_hugepage", None)
        if callable(found):
            return found  # type: ignore[no-any-return]
    return None


_MADVISE = _numpy_madvise()
_asked_huge = False  # numpy's setting before the hold, restored after it


def give_back() -> None:
    """Return the free memory the process holds now (before a fork: otherwise parent and
    child each keep a copy of whatever pages either writes into it)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


@contextmanager
def held_memory() -> Iterator[None]:
    """Within: freed memory stays in the process, and numpy asks for no huge pages. Nested
    or concurrent rounds share one hold, released when the last ends."""
    global _holders, _asked_huge
    libc = _LIBC
    with _lock:
        _holders += 1
        if _holders == 1:
            if _MADVISE is not None:
                _asked_huge = _MADVISE(False)
            if libc is not None:
                libc.mallopt(M_MMAP_MAX, 0)
                libc.mallopt(M_TRIM_THRESHOLD, HOLD_TRIM)
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                if _MADVISE is not None:
                    _MADVISE(_asked_huge)
                if libc is not None:
                    libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                    libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM)
                give_back()
