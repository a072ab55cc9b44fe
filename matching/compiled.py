"""Compile a loop-heavy numpy function with numba, cached on disk where the process may write.

numba caches machine code next to the module, else in NUMBA_CACHE_DIR or the user's cache
directory, and refuses `cache=True` at import when none is writable (a read-only install
run by a user without a home). Then we compile in memory at first use instead (about 5 s
once per process) rather than fail to start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., object])


def compiled(fn: F) -> F:
    """fn compiled with numba (nopython, GIL released), cached when possible."""
    try:
        return cast(F, numba.njit(cache=True, nogil=True)(fn))
    except RuntimeError:  # no writable cache location
        return cast(F, numba.njit(cache=False, nogil=True)(fn))
