"""Findings: what every checker in nxschema yields, for definitions and for HDF5 files alike.

A finding carries a stable code, a severity, where it is (a definition file position, or an HDF5
path in a file), a message, and for validation the definition and its source line that asked for
what was not found. Checkers yield findings; callers collect them (never stop at the first one).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from nxschema._codes import CODES
from nxschema.errors import (
    ArgumentError,
    DefinitionError,  # noqa: F401  (re-exported: its historical home)
)

SEVERITIES = ("error", "warning", "info")
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found: a stable ``code`` (see ``nxschema codes``), its ``severity``
    (``error``, ``warning`` or ``info``), a ``message``, and where it is.

    Raises :class:`~nxschema.errors.ArgumentError` when made with a code that is not in the
    table of codes, or an unknown severity.
    """

    code: str
    severity: str
    message: str
    path: str = ""  # HDF5 path inside ``file`` (validation); empty for definition findings
    file: str = ""  # the HDF5 or definition file the finding is in
    line: int = 0  # position in ``file`` (definition findings)
    col: int = 0
    definition: str = ""  # the definition that asked (validation)
    source: str = ""  # ``file:line`` of the rule in that definition (validation)

    def __post_init__(self) -> None:
        # A code outside the table would be a finding nobody can look up or filter on; two dict
        # lookups cost nothing next to the walk that found the problem.
        if self.code not in CODES or self.severity not in _RANK:
            raise ArgumentError(f"unknown finding code {self.code!r} or severity "
                                f"{self.severity!r}; every code is in nxschema/_codes.py")

    def at_least(self, severity: str) -> bool:
        """True if this finding is as severe as ``severity`` or more."""
        return _RANK[self.severity] <= _RANK[severity]

    def location(self) -> str:
        """``file::/hdf5/path`` (validation), ``file:line:col`` (definitions), or ``file``."""
        if self.path:
            return f"{self.file}::{self.path}" if self.file else self.path
        if self.line:
            return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"
        return self.file

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}[{self.code}]: {self.message}"
        if self.definition:
            text += f" ({self.definition}"
            text += f", {self.source})" if self.source else ")"
        return text

    def as_dict(self) -> dict[str, Any]:
        """Every field by name, JSON-ready (the shape of ``--format json``)."""
        return asdict(self)


# Internal helpers: call them with a literal code (tests/test_codes.py reads every call).
def error(code: str, message: str, **where: Any) -> Finding:
    return Finding(code, "error", message, **where)


def warning(code: str, message: str, **where: Any) -> Finding:
    return Finding(code, "warning", message, **where)


def info(code: str, message: str, **where: Any) -> Finding:
    return Finding(code, "info", message, **where)
