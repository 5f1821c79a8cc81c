"""``nxschema.open``: a file (or a master file) read through definitions.

The file is opened read-only, without locking, and external links are followed under the same
policy as validation (``below`` by default). Views are found as the validator finds where an
application definition applies: an NXentry or NXsubentry whose ``definition`` field names it
(the subentry form in an NXsubentry, the full form in an NXentry), through external links of a
master file too. Nothing is read before it is asked for; the file's findings are computed the
first time they are asked for.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

import h5py

from nxschema._binding import discover
from nxschema._binding.concepts import compile_plan
from nxschema._h5.links import Files
from nxschema._views.view import View, _nx_class
from nxschema._views.field import decode
from nxschema.errors import ArgumentError, InvalidFileError

ENTRY_CLASSES = ("NXentry", "NXsubentry")
MAX_DEPTH = 8  # entries within entries (NXentry > NXsubentry > ...) looked into


class NexusFile:
    """An open NeXus file; use it as a context manager (``with nxschema.open(p) as f``)."""

    def __init__(self, path, *, definitions=None, external: str = "below"):
        from nxschema._definitions.catalog import Catalog, load
        self.path = os.path.abspath(os.fspath(path))
        if external not in ("below", "follow", "never"):
            raise ArgumentError("external must be one of below, follow, never")
        self.external = external
        if isinstance(definitions, Catalog):
            self.catalog = definitions
        else:
            paths = [] if definitions is None else (
                [definitions] if isinstance(definitions, (str, os.PathLike)) else
                list(definitions))
            self.catalog = load(*paths)
        self._plans = compile_plan(self.catalog)
        self._files = Files(external)
        self._handle = self._files.get(self.path)
        if self._handle is None:
            from nxschema._h5.access import FileProblem
            raise FileProblem(f"{self.path}: {self._files.why(self.path)}")
        self._findings: list | None = None
        self.problems: list[tuple[str, str, str]] = []  # (path, code, message) not reachable

    # -- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        self._files.close()

    def __enter__(self) -> "NexusFile":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- views ---------------------------------------------------------------------------------
    def views(self, definition: str | None = None) -> list[View]:
        """Every group where ``definition`` applies (``NXxas`` matches both its subentry form
        and its full form; ``NXxas@subentry`` only the first), in file order. Without a name,
        every application view in the file."""
        return list(self.iter_views(definition))

    def iter_views(self, definition: str | None = None) -> Iterator[View]:
        yield from self._entries(self._handle, self.path, "/", "", definition, 0)

    def _entries(self, group, file, path, via, wanted, depth) -> Iterator[View]:
        if depth > MAX_DEPTH:
            return
        for name in group:
            child_path = f"{path.rstrip('/')}/{name}"
            reached = self._files.member(group, file, name)
            obj = reached.obj
            if obj is None:
                self.problems.append((child_path, reached.code, reached.problem))
                continue
            if not isinstance(obj, h5py.Group):
                continue
            nx_class = _nx_class(obj)
            if nx_class not in ENTRY_CLASSES:
                continue
            child_via = via or (child_path if reached.link == "external" else "")
            view = self._view(obj, nx_class, reached.file, child_path, child_via, wanted)
            if view is not None:
                yield view
            yield from self._entries(obj, reached.file, child_path, child_via, wanted, depth + 1)

    def _view(self, group, nx_class, file, path, via, wanted) -> View | None:
        try:
            value = decode(group["definition"][()]) if "definition" in group else None
        except Exception:
            return None
        if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
            value = list(value)[0] if len(value) else None
        plan, name = discover.entry_application(self._plans, nx_class, value)
        if plan is None:
            return None
        key = plan.definition if "@" in (plan.definition or "") else self._key_of(name,
                                                                                  nx_class)
        if wanted is not None and wanted not in (name, key):
            return None
        return View(self, group, plan, file, path, key, via)

    def _key_of(self, name: str, container: str) -> str:
        d = self.catalog.applications(name, container)
        return d.key if d is not None else name

    # -- findings ------------------------------------------------------------------------------
    @property
    def findings(self) -> list:
        """The validator's findings on this file, with the same definitions and policy."""
        if self._findings is None:
            from nxschema._validate.api import iter_findings
            self._findings = list(iter_findings(self.path, definitions=self.catalog,
                                                external=self.external))
        return self._findings

    def __repr__(self) -> str:
        return f"<NexusFile {self.path}>"


def open(path, *, definitions=None, external: str = "below", strict: bool = False) -> NexusFile:
    """Open ``path`` to read it through definitions; use as ``with nxschema.open(p) as f:``.

    ``definitions``: a Catalog, or paths of definition files and folders (default: the bundled
    ones). ``external``: the external-link policy, as for validation. ``strict``: refuse a file
    with validation errors (:class:`InvalidFileError`).
    """
    nexus = NexusFile(path, definitions=definitions, external=external)
    if strict:
        errors = [f for f in nexus.findings if f.severity == "error"]
        if errors:
            nexus.close()
            raise InvalidFileError(nexus.path, errors)
    return nexus
