"""Value-level checks: NX types against HDF5 dtypes, ISO 8601 dates, units by dimension.

Each function answers with a message (a problem) or None; the validator turns messages into
findings with the right code, path and severity.
"""

from __future__ import annotations

import ast
import functools
import re

import numpy as np

from nxschema._units import category_problem

# ISO 8601 writes a zero UTC offset as Z or +00:00; -00:00 is RFC 3339's "offset unknown",
# which ISO 8601 does not allow (a file saying it is not saying when it was).
ISO8601 = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|(?!-00(:?00)?$)[+-]\d{2}(:?\d{2})?)?)?$")

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


def enumeration_miss(value, allowed, *, units: bool = False):
    """What of ``value`` is outside the enumeration ``allowed``, else None.

    A scalar must be one of ``allowed``. An array is judged as a whole where the enumeration
    lists whole arrays (NXazint1d's @axes item ``['.', 'radial_axis']``, a ``[0, 0, 1]``
    vector): then the miss is the array itself. Otherwise every text item must be allowed and
    the miss is the first one that is not. Non-text items are not judged item by item.

    ``units``: ``value`` is @units, and an ``NX_...`` item of ``allowed`` takes any unit of that
    category (NXazint1d lists NX_ANGLE, NX_PER_LENGTH, ...)."""
    array = value if isinstance(value, (list, tuple, np.ndarray)) else None
    if array is not None:
        wholes = [w for w in map(_literal_array, allowed) if w is not None]
        if wholes:
            return None if any(_same_array(array, w) for w in wholes) else value
    for item in (array if array is not None else (value,)):
        if not isinstance(item, str) or item in allowed:
            continue
        if units and any(a.startswith("NX_") and units_problem(a, item) is None
                         for a in allowed):
            continue
        return item
    return None


@functools.lru_cache(maxsize=256)
def _literal_array(item: str) -> tuple | None:
    """An enumeration item written as a list (``['.', 'x']``, ``[0, 0, 1]``), else None."""
    text = item.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return tuple(parsed) if isinstance(parsed, list) else None


def _same_array(array, whole: tuple) -> bool:
    if len(array) != len(whole):
        return False
    for have, want in zip(array, whole):
        if isinstance(have, str) or isinstance(want, str):
            if str(have) != str(want):
                return False
        elif have != want:  # numbers: 1 == 1.0
            return False
    return True
