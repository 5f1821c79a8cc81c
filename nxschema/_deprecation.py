"""Old keyword names, kept for one release: they still work, with a DeprecationWarning."""

from __future__ import annotations

import warnings
from typing import Any

from nxschema.errors import ArgumentTypeError


class _Unset:
    """The default of a deprecated keyword: tells "not given" apart from ``None``."""

    def __repr__(self) -> str:
        return "<unset>"


UNSET: Any = _Unset()


def renamed(function: str, new: str, value: Any, **old: Any) -> Any:
    """``value`` of the keyword ``new``, or the value given under one of its ``old`` names.

    Warns (DeprecationWarning, pointing at the caller's caller) for every old name used. Raises
    :class:`~nxschema.errors.ArgumentTypeError` when more than one of them is given.
    """
    given = {name: v for name, v in old.items() if v is not UNSET}
    for name in given:
        warnings.warn(f"{function}({name}=...) is deprecated; use {new}=", DeprecationWarning,
                      stacklevel=3)
    if len(given) + (value is not None) > 1:
        names = ", ".join(f"{n}=" for n in ([new] if value is not None else []) + list(given))
        raise ArgumentTypeError(f"{function}() takes the definitions once; got {names}")
    return next(iter(given.values())) if given else value
