"""Every exception nxschema raises on purpose, under one base class.

Catch :class:`NxschemaError` to handle anything nxschema refuses; the subclasses say what went
wrong. Where a builtin exception is the natural one for a caller (a bad argument is a
``ValueError``, a missing step a ``KeyError``), the subclass is both, so existing ``except``
clauses keep working.

Validation never raises for a bad *file*: what is wrong with an HDF5 file comes back as findings
(:class:`nxschema.Finding`). These exceptions are for what stops a call from running at all.
"""

from __future__ import annotations

__all__ = [
    "NxschemaError", "DefinitionError", "ArgumentError", "ArgumentTypeError", "NotFoundError",
    "OutputExistsError", "UnreadableFileError", "ConfigError", "LayoutError", "CodegenError",
    "DocsError", "IcatError", "RedactionError", "WorkerError",
    "MissingMemberError", "InvalidFileError",
]


class NxschemaError(Exception):
    """The base class of every exception nxschema raises on purpose."""


class DefinitionError(NxschemaError):
    """Definitions cannot be loaded; ``findings`` holds the findings that explain why."""

    def __init__(self, findings):
        self.findings = list(findings)
        super().__init__("\n".join(str(f) for f in self.findings))


class ArgumentError(NxschemaError, ValueError):
    """An argument to an nxschema function has a value it cannot take."""


class ArgumentTypeError(NxschemaError, TypeError):
    """An argument to an nxschema function has the wrong type."""


class NotFoundError(NxschemaError, KeyError):
    """A named thing (an entry, a process step, a definition) is not there."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class OutputExistsError(NxschemaError, FileExistsError):
    """A writer refuses to replace an existing file (pass ``overwrite=True`` / ``--force``)."""


class UnreadableFileError(NxschemaError, OSError):
    """A file cannot be opened or read; the message is one line for the user."""


class ConfigError(NxschemaError, ValueError):
    """A process configuration does not parse in its declared format. ``code`` is the finding
    code validation reports it with: ``bad-config``, or ``too-large`` / ``too-deep`` for a
    configuration over the bounds of ``nxschema._process.formats``."""

    code = "bad-config"

    def __init__(self, message: str, code: str = "bad-config"):
        super().__init__(message)
        self.code = code


class LayoutError(NxschemaError, ValueError):
    """A definition cannot be found or laid out as a concrete tree."""


class CodegenError(NxschemaError, ValueError):
    """A writer module cannot be generated (bad template, definition that cannot be laid out)."""


class DocsError(NxschemaError):
    """A documentation build cannot go on: bad template folder or template, unwritable output."""


class IcatError(NxschemaError):
    """A file cannot be read for ICAT extraction; the message is one line for the user."""


class RedactionError(NxschemaError):
    """A redacted copy cannot be written as asked (e.g. linked files hold personal data and
    ``follow_external`` was not given); nothing is written."""


class WorkerError(NxschemaError, RuntimeError):
    """Worker processes (local or Dask) cannot run, or cannot see the files to validate."""


class MissingMemberError(NxschemaError, AttributeError):
    """A required member of a view is not in the file or cannot be reached; the message names
    the finding (missing, dangling-link, dangling-external-link, ...)."""


class InvalidFileError(NxschemaError):
    """``nxschema.open(..., strict=True)`` refused a file with validation errors; ``errors``
    holds them."""

    def __init__(self, file: str, errors):
        self.errors = list(errors)
        first = "; ".join(str(e) for e in self.errors[:3])
        more = f" (and {len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
        super().__init__(f"{file}: {len(self.errors)} validation errors: {first}{more}")
