"""Keep the memory a round frees inside the process while it runs; give it back after.

A large round allocates and frees arrays of tens to hundreds of MB again and again. glibc
returns each to the kernel (munmap above its mmap threshold, a trim of the heap top), so
the next is faulted in afresh, page by page. On a VM that reports free pages to its host
(virtio-balloon, as on the machines we measure on) a first touch costs about 7 us per
4 KB page: 2 GB in 14 s, against 0.23 s for memory the process already holds. So during
a round glibc keeps freed memory in its heap, and malloc_trim returns it afterwards.
Where the C library is not glibc (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def held_memory() -> Iterator[None]:
    """Within: freed memory stays in the process. Nested or concurrent rounds share one
    hold, released when the last ends."""
    global _holders
    libc = _LIBC
    if libc is None:
        yield
        return
    with _lock:
        _holders += 1
        if _holders == 1:
            libc.mallopt(M_MMAP_MAX, 0)
            libc.mallopt(M_TRIM_THRESHOLD, HOLD_TRIM)
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM)
                libc.malloc_trim(0)
