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
from h5py import h5o

from nxschema._binding import discover
from nxschema._binding.concepts import compile_plan
from nxschema._h5 import policy as _policy
from nxschema._h5.access import LINK_EXTERNAL, LINK_HARD, Resolver, attr_or_none, open_file
from nxschema._views.view import View, _text
from nxschema.errors import ArgumentError, InvalidFileError, UnreadableFileError

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
        # The validator's resolver: one link policy, one way of reading, for the file's life.
        self._resolver = Resolver(external)
        self._handle = open_file(self.path)
        self._resolver.add_file(self.path, self._handle)
        self._findings: list | None = None
        self._handles: dict[str, h5py.File] = {}  # file as the resolver names it -> handle
        self._concepts: dict[int, dict[str, Any]] = {}  # id(plan) -> its concepts (View)
        self._apps: dict[tuple[str, str], tuple] = {}  # (definition, class) -> (plan, name, key)
        self.problems: list[tuple[str, str, str]] = []  # (path, code, message) not reachable

    # -- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        self._handles.clear()
        self._resolver.close()
        self._handle.close()

    def _file(self, file: str) -> h5py.File:
        handle = self._handles.get(file)
        if handle is None:
            handle = self._resolver._file(os.path.normpath(os.path.abspath(file)))
            if handle is None:
                from nxschema._h5.access import FileProblem
                raise FileProblem(f"{file} cannot be opened")
            self._handles[file] = handle
        return handle

    def _dataset(self, file: str, path: str) -> h5py.h5d.DatasetID:
        did = h5o.open(self._file(file).id, path.encode())
        # A virtual dataset or external raw storage reads other files: the same policy as an
        # external link (the validator's), judged before any of its data is read.
        problem = _policy.storage_refusal(self.external, file, did)
        if problem:
            did.close()
            raise UnreadableFileError(f"{file}::{path}: {problem}; its data is not read "
                                      f"(external={self.external!r})")
        return did

    def _group(self, file: str, path: str) -> h5py.Group:
        return h5py.Group(h5o.open(self._file(file).id, path.encode()))

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
        # Discovery walks with the validator's own resolver and fast backend (the same link
        # policy, the same reading of NX_class and definition); h5py objects are made only for
        # the groups that become views.
        resolver = self._resolver
        yield from self._entries(resolver, resolver.root(self.path), self.path, "/", "",
                                 definition, 0)

    def _entries(self, resolver, gid, file, path, via, wanted, depth) -> Iterator[View]:
        if depth > MAX_DEPTH or gid is None:
            return
        io = resolver.io
        prefix = path.rstrip("/") + "/"
        for child in resolver.children(gid, file, path):
            if depth and child.link != LINK_HARD:
                continue  # inside an entry, entries are its own groups; links lead to data
            kind = child.kind
            if kind is None:
                self.problems.append((prefix + child.name, child.code, child.problem))
                continue
            if kind != "group":
                continue
            oid = child.oid
            nx_class = _text(attr_or_none(io, oid, "NX_class"))
            if nx_class not in ENTRY_CLASSES:
                child.release()
                continue
            child_path = prefix + child.name
            real_file, real_path = child._key
            child_via = via or (child_path if child.link == LINK_EXTERNAL else "")
            view = self._view(io, oid, nx_class, real_file, real_path, child_path, child_via,
                              wanted)
            if view is not None:
                yield view
            if nx_class == "NXentry":  # subentries hold data, not more entries
                yield from self._entries(resolver, oid, real_file, real_path, child_via,
                                         wanted, depth + 1)
            child.release()

    def _view(self, io, gid, nx_class, file, real_path, path, via, wanted) -> View | None:
        value = None
        if io.has_link(gid, b"definition"):
            # Cached by its path: binding the view's members finds it open.
            did = self._resolver.open_cached(gid, b"definition",
                                             (file, real_path.rstrip("/") + "/definition"))
            try:
                value = io.read_value(did) if did is not None and not io.is_group(did) else None
            except Exception:
                value = None
        value = _text(value)
        if value is None:
            return None  # no definition named: no application applies here
        found = self._apps.get((value, nx_class))
        if found is None:
            plan, name = discover.entry_application(self._plans, nx_class, value)
            found = self._apps[(value, nx_class)] = (plan, name, self._key_of(name, nx_class)
                                                     if plan is not None else None)
        plan, name, key = found
        if plan is None:
            return None
        if wanted is not None and wanted not in (name, key):
            return None
        return View(self, gid, plan, file, path, key, via, real_path)

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


def open(path: str | os.PathLike[str], *, definitions: Any = None, external: str = "below",
         strict: bool = False) -> NexusFile:
    """Open ``path`` to read it through definitions; use as ``with nxschema.open(p) as f:``.

    Args:
        path: the HDF5 file (opened read-only, without locking); a master file too.
        definitions: a :class:`~nxschema.Catalog`, or paths of definition files and folders
            loaded over the bundled ones; None: the bundled ones.
        external: the external-link policy, as for validation: ``below``, ``follow``, ``never``.
        strict: refuse a file with validation errors.

    Returns:
        A :class:`NexusFile`: ``views(NAME)`` gives the groups where NAME applies.

    Raises:
        nxschema.errors.UnreadableFileError: the file cannot be opened.
        nxschema.errors.InvalidFileError: ``strict`` and the file has validation errors.
    """
    nexus = NexusFile(path, definitions=definitions, external=external)
    if strict:
        errors = [f for f in nexus.findings if f.severity == "error"]
        if errors:
            nexus.close()
            raise InvalidFileError(nexus.path, errors)
    return nexus
