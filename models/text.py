"""Text as it may be stored: what no database keeps, no reader sees or disguises, removed.

Everything people type or Slack or an HR roster tells about them passes through `clean`
before it is stored: NUL (PostgreSQL refuses it), lone surrogates (not UTF-8), control
characters, and bidirectional overrides (which make "exe.txt" read as "txt.exe").
"""

from __future__ import annotations

# Embeddings, overrides and isolates of the Unicode bidirectional algorithm.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean(text: str) -> str:
    """The text without NUL, lone surrogates, control characters (but newline and tab)
    and bidirectional controls."""
    return "".join(
        c
        for c in text
        if (c in "\n\t" or c >= " ")
        and not "\x7f" <= c <= "\x9f"
        and not "\ud800" <= c <= "\udfff"
        and c not in BIDI_CONTROLS
    )
