"""Value-level checks: NX types against HDF5 dtypes, ISO 8601 dates, units by dimension.

Each function answers with a message (a problem) or None; the validator turns messages into
findings with the right code, path and severity.
"""

from __future__ import annotations

import re

import numpy as np

from nxschema._units import category_problem

ISO8601 = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$")

_NUMERIC_KINDS = {
    "NX_FLOAT": "f", "NX_NUMBER": "fiucb", "NX_INT": "iu", "NX_UINT": "u", "NX_POSINT": "iu",
    "NX_COMPLEX": "c", "NX_CCOMPLEX": "c", "NX_PCOMPLEX": "c", "NX_QUATERNION": "f",
}


_NAMES = {"S": "strings", "i": "integers", "u": "unsigned integers", "f": "floating point",
          "c": "complex numbers", "b": "booleans", "e": "an enumeration", "V": "opaque or "
          "compound data", "O": "references or variable-length sequences"}


def type_problem(nx_type: str | None, kind: str, size: int = 0) -> tuple[str, str] | None:
    """(severity, message) if data of ``kind`` (see ``_h5access.type_kind``) cannot hold
    ``nx_type``, else None."""
    if nx_type is None or nx_type == "NX_CHAR_OR_NUMBER":
        return None
    text = kind == "S"
    if nx_type in ("NX_CHAR", "NX_DATE_TIME", "ISO8601"):
        return None if text else ("warning", f"{nx_type} expected, found {_NAMES[kind]}")
    if nx_type == "NX_BOOLEAN":
        if kind == "b" or (kind in "iu" and size == 1):
            return None
        severity = "warning" if kind in "iu" else "error"
        return severity, f"NX_BOOLEAN expected, found {_NAMES[kind]}"
    if nx_type == "NX_BINARY":
        return None if kind in "uiV" else ("warning", f"NX_BINARY expected, found {_NAMES[kind]}")
    kinds = _NUMERIC_KINDS.get(nx_type)
    if kinds is None or kind in kinds:
        return None
    if text:
        return "error", f"{nx_type} expected, found strings"
    if nx_type == "NX_FLOAT" and kind in "iu":
        return "warning", "NX_FLOAT expected, found integers"
    if nx_type == "NX_UINT" and kind == "i":
        return "warning", "NX_UINT expected, found signed integers"
    if nx_type == "NX_NUMBER" and kind == "e":
        return None
    return "error", f"{nx_type} expected, found {_NAMES[kind]}"


def value_problem(nx_type: str | None, value) -> str | None:
    """A problem with the value itself (dates, positive integers, booleans), else None."""
    if value is None:
        return None
    values = value if isinstance(value, (list, np.ndarray)) else [value]
    if nx_type in ("NX_DATE_TIME", "ISO8601"):
        for v in values[:16]:
            if isinstance(v, str) and not ISO8601.match(v.strip()):
                return f"{v!r} is not an ISO 8601 date and time"
    elif nx_type == "NX_POSINT":
        arr = np.asarray(value)
        if arr.dtype.kind in "iu" and arr.size and (arr <= 0).any():
            return f"NX_POSINT values must be > 0, found {arr.min()}"
    elif nx_type == "NX_BOOLEAN":
        arr = np.asarray(value)
        if arr.dtype.kind in "iu" and arr.size and not np.isin(arr, (0, 1)).all():
            return "NX_BOOLEAN values must be 0 or 1"
    return None


def units_problem(category: str | None, units: str,
                  transformation_type: str | None = None) -> str | None:
    """A message if ``units`` do not fit ``category``, else None.

    ``category`` is an ``NX_...`` units category or literal units from the definition
    (``eV/mm``: any unit of that dimension fits, ``J/mm`` too). The judgement is dimensional
    (see ``nxschema._units``); ``transformation_type`` is the field's ``@transformation_type``,
    which decides whether an ``NX_TRANSFORMATION`` is a length or an angle."""
    if not category:
        return None
    return category_problem(category, units, transformation_type)


def enumeration_miss(value, allowed, *, units: bool = False) -> str | None:
    """The first text of ``value`` (a string, or an array of strings: every item counts) that
    is not in ``allowed``, else None. Non-text items are not judged here.

    ``units``: ``value`` is @units, and an ``NX_...`` item of ``allowed`` takes any unit of that
    category (NXazint1d lists NX_ANGLE, NX_PER_LENGTH, ...)."""
    items = value if isinstance(value, (list, tuple, np.ndarray)) else (value,)
    for item in items:
        if not isinstance(item, str) or item in allowed:
            continue
        if units and any(a.startswith("NX_") and units_problem(a, item) is None
                         for a in allowed):
            continue
        return item
    return None
