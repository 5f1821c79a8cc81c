"""What a definition may hold at all: names HDF5 can store, integers of a sane size.

Both readers (YAML and NXDL) ask these questions while they build the model, so that a
definition with a member named ``sub/../../evil`` or a rank of 5,000 digits is refused where it
is read, with its file:line:col, before anything (validation, skeletons, generated code) uses it.
The NeXus naming rule, which a name may break and still be stored, is a lint rule
(:func:`nexus_name_problem`, used by :mod:`nxschema._definitions.lint`).
"""

from __future__ import annotations

import re
import unicodedata

# A count, rank or axis length above this is no real size (HDF5 sizes are 64-bit), and refusing
# it here keeps every later use (range(), numpy shapes, str()) cheap and safe.
MAX_INT = 2**63 - 1
# Integers written with more characters than this are refused before int() is called: Python
# itself refuses 4,300 digits with a ValueError, and converting long texts costs quadratic time.
MAX_INT_CHARS = 1000

# The NeXus naming rule (NXDL "validItemName"): letters, digits and "_", with "." allowed inside.
NEXUS_NAME = re.compile(r"[a-zA-Z0-9_]([a-zA-Z0-9_.]*[a-zA-Z0-9_])?")
_PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9]*")
_INTEGER = re.compile(r"-?[0-9]+")


def hdf5_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be the name of an HDF5 object (group, dataset, attribute), or None.

    HDF5 names are link names: ``/`` separates path steps, ``.`` and ``..`` are path steps
    themselves (a skeleton would write "up" out of its group), and NUL ends a C string. Control characters (newlines,
    tabs, escapes) and lone UTF-16 surrogates (which have no UTF-8 form) cannot be written
    safely either, and would break every message and generated file that shows the name.
    """
    if name == "":
        return "it is empty"
    if name in (".", ".."):
        return "'.' and '..' are path steps (the group itself, its parent), not names"
    if "/" in name:
        return "'/' separates HDF5 path steps"
    for char in name:
        category = unicodedata.category(char)
        if category == "Cc":
            return f"it holds the control character {char!r}"
        if category == "Cs":
            return f"it holds the lone surrogate {char!r}, which has no UTF-8 form"
    return None


def nexus_name_problem(name: str, name_type: str | None = None) -> str | None:
    """Why ``name`` breaks the NeXus naming rule, or None if it keeps it.

    For ``name_type`` partial or any, the upper-case placeholder parts stand for a name the
    file chooses and count as letters (``DATA``, ``AXISNAME_indices``).
    """
    text = _PLACEHOLDER.sub("a", name) if name_type in ("partial", "any") else name
    if NEXUS_NAME.fullmatch(text):
        return None
    bad = sorted({c for c in text if not (c.isascii() and (c.isalnum() or c in "_."))})
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5])
        return f"it holds {shown}; NeXus names use letters, digits, '_' and '.' only"
    return "it starts or ends with '.'; NeXus names start and end with a letter, digit or '_'"


def int_problem(value) -> str | None:
    """Why an integer (or the text of one) is too large for a rank, size, index or count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            return None  # free text ("dataRank", "tof+1") is no integer to bound
        if len(text) > MAX_INT_CHARS:
            return f"an integer of {len(text)} digits (at most {MAX_INT_CHARS})"
        value = int(text)
    if isinstance(value, int) and abs(value) > MAX_INT:
        shown = str(value) if abs(value) < 10**40 else f"an integer of {len(str(abs(value)))} digits"
        return f"{shown} is beyond 2**63 - 1; no size or count is that big"
    return None


def is_integer_text(text: str) -> bool:
    """``text`` is a plain decimal integer of a length int() can take safely."""
    stripped = text.strip()
    return len(stripped) <= MAX_INT_CHARS and _INTEGER.fullmatch(stripped) is not None


def shown(value, limit: int = 60) -> str:
    """``repr(value)`` for a message, cut to about ``limit`` characters with the full size said:
    a hostile definition must not turn one finding into megabytes of output."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(value) if isinstance(value, str) else len(text)} characters)"
