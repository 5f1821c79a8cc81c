"""NeXus name fitting: which concept of a group an object's name (and class) fits, and how well.

The rules are nxdl.xsd's (``nameType``):

* ``specified`` (the default when a name is written): exactly this name;
* ``partial``: the upper-case letters are placeholders, substitutable by any valid name
  characters (the empty string too); everything else (lower case, digits, ``_``) is fixed;
* ``any``, and a group written without a name: any name not bound by a better fit.

For groups the NX_class must fit too. A fit is scored so that the best one wins: an exact name
beats a partial one, a partial with more fixed characters beats one with fewer, any-named comes
last. Equal scores are a tie (see :class:`Binder`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# nxdl.xsd validItemName, and the NeXus manual's recommended (lower-case) form.
NAME_ALLOWED = re.compile(r"^[a-zA-Z0-9_]([a-zA-Z0-9_.]*[a-zA-Z0-9_])?$")
NAME_RECOMMENDED = re.compile(r"^[a-z_][a-z0-9_]*$")
_PLACEHOLDER_RUN = re.compile(r"([A-Z]+)")

EXACT, PARTIAL, ANY, MISFIT = 3, 2, 1, 0
FIT_NAMES = {EXACT: "exact", PARTIAL: "partial", ANY: "any", MISFIT: "misfit"}


def name_kind(name: str | None, name_type: str | None) -> str:
    """``specified``, ``partial`` or ``any``: how a concept's name is read.

    nxdl.xsd and the YAML language default to ``specified``; a group without a name is ``any``.
    Upper case alone does not make a placeholder: since NeXus 2024 every placeholder says
    nameType="any" or "partial", and SDD (NXcanSAS), I, T, URL or ORCID are real names.
    """
    if name is None:
        return "any"
    return name_type or "specified"


def partial_pattern(name: str) -> tuple[re.Pattern, int]:
    """The regular expression of a partial name and its number of fixed characters."""
    parts = _PLACEHOLDER_RUN.split(name)
    pattern, fixed = [], 0
    for index, part in enumerate(parts):
        if index % 2:  # a run of capitals: a placeholder, possibly empty
            pattern.append(r"[A-Za-z0-9_.]*")
        else:
            pattern.append(re.escape(part))
            fixed += len(part)
    return re.compile("^" + "".join(pattern) + "$"), fixed


@lru_cache(maxsize=4096)  # names repeat from entry to entry
def name_problem(name: str) -> tuple[str, str] | None:
    """(severity, message) if ``name`` breaks the NeXus naming rule, else None.

    Outside the allowed form (nxdl.xsd validItemName) is a warning; allowed but outside the
    recommended lower-case form is information.
    """
    if not NAME_ALLOWED.match(name):
        bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "_."))})
        if bad:
            why = "characters " + " ".join(repr(c) for c in bad) + " are not allowed"
        else:
            why = "a name cannot start or end with '.'"
        return "warning", (f"name {name!r} breaks the NeXus naming rule "
                           f"[a-zA-Z0-9_]([a-zA-Z0-9_.]*[a-zA-Z0-9_])?: {why}")
    if len(name) > 63:
        return "warning", f"name {name!r} is longer than NeXus's 63 characters"
    if not NAME_RECOMMENDED.match(name):
        return "info", (f"name {name!r} is allowed but not in the recommended lower-case form "
                        "[a-z_][a-z0-9_]*")
    return None


@dataclass(frozen=True, slots=True)
class Fit:
    """How one object binds to one concept of one group concept.

    ``how`` is ``exact``, ``partial``, ``any`` or ``misfit`` (the name is exact but the kind or
    class is wrong: kept so that the walker can say so). ``tied`` lists the other concepts that
    fitted as well and could not be told apart; the first in declaration order was taken.
    """

    concept: object
    how: str
    score: int = 0
    tied: tuple = ()
