"""Validating files: the public entry points, and splitting big files across processes.

``validate`` and ``iter_findings`` open the file (read-only, no locking, SWMR-read only for a
file a SWMR writer holds), compile the definitions once per catalog, and hand the walk to
``_walker.Walker``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import h5py

from nxschema._definitions.catalog import Catalog, DefinitionsLike, load
from nxschema._findings import Finding
from nxschema._h5.access import FileProblem, Resolver, decode, default_io, open_file
from nxschema._h5.decoding import one_line
from nxschema._validate.plan import compile_plan
from nxschema._validate.walker import Walker
from nxschema.errors import WorkerError


@dataclass
class Report:
    """What validating one file found. ``ok`` is True when there is no error."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    # The definition sets used, {name: version} (from Catalog.sources, which also has each
    # set's path and count): the header the reporters print with each file. A class default, so
    # that a report without one carries none.
    definitions: ClassVar[dict] = {}

    @property
    def errors(self) -> list[Finding]:
        """The findings of severity ``error``."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings of severity ``warning``."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and infos allowed)."""
        return not self.errors

    def as_dict(self, severity: str = "info") -> dict[str, Any]:
        """The report as JSON-ready data, with the findings at least as severe as
        ``severity``: ``{"file", "ok", "findings": [...]}``."""
        return {"file": self.file, "ok": self.ok,
                "findings": [f.as_dict() for f in self.findings if f.at_least(severity)]}


def _catalog_of(definitions, strict_definitions: bool = False) -> Catalog:
    if definitions is None:
        return _default_catalog()
    if isinstance(definitions, Catalog):
        return definitions
    if isinstance(definitions, (str, os.PathLike)):
        definitions = [definitions]
    return load(*definitions, strict_definitions=strict_definitions)


_DEFAULT: list = []


def _default_catalog() -> Catalog:
    if not _DEFAULT:
        _DEFAULT.append(load())
    return _DEFAULT[0]


PARALLEL_MIN_LINKS = 200  # below this many links at the root, one process is quicker


def _jobs(jobs) -> int:
    if jobs is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        return max(1, min(cores, 4))
    return max(1, int(jobs))


def _root_links(f: h5py.File) -> list[str]:
    """The names at the root, to split between processes. Kinds are not looked up here (that
    would touch every entry before any work starts): each process walks the groups of its own
    share, and the main process takes every link that turns out not to be a group."""
    io = default_io()
    try:
        return [decode(name) for name, _ in io.links(io.root(f))]
    except Exception:  # a damaged root: one process walks it and reports what it finds
        return []


def validate_part(file, catalog, definition, external, role, names,
                  discovery: bool = True) -> list[Finding]:
    """One share of a split file (run in a worker): the findings of the groups among the root
    links ``names`` of ``file``; with ``role`` "main", also the root's own findings and every
    root link that is not a group."""
    return list(iter_findings(file, definitions=catalog, definition=definition,
                              external=external, jobs=1, discovery=discovery,
                              _part=(role, frozenset(names))))


def split_root(names: list[str], jobs: int) -> list[list[str]]:
    """The root's link names in ``jobs`` contiguous shares."""
    size = -(-len(names) // jobs)
    return [names[i:i + size] for i in range(0, len(names), size)]


def iter_findings(target: str | os.PathLike[str] | h5py.File | h5py.Group, *,
                  definitions: DefinitionsLike | None = None,
                  definition: str | os.PathLike[str] | None = None, external: str = "below",
                  jobs: int | None = 1, _part: Any = None,
                  strict_definitions: bool = False, discovery: bool = True
                  ) -> Iterator[Finding]:
    """Yield the findings of one file, lazily, as the walk finds them.

    Args:
        target: a path (opened read-only, without locking), an h5py.File or an h5py.Group.
        definitions: a :class:`~nxschema.Catalog`, or paths of definition files and folders
            loaded over the bundled ones; None: the bundled ones.
        definition: a definition key or file to apply to the whole file (else each entry's
            ``definition`` field, the root's ``@layout`` and the NX classes decide).
        external: the external-link policy: ``below`` (files under the linking file's folder),
            ``follow`` or ``never``.
        jobs: processes for a path with many entries (None: one per core, up to 4). The root's
            links are split between them; the findings are the same as with one process, in
            the same order but for the root's own presence findings, which come first.
        strict_definitions: definition paths given in ``definitions`` must follow nxdl.xsd
            exactly (see :func:`nxschema.load`); else small NXDL deviations load with warnings.
        discovery: apply definitions that declare when they apply (``applies_when``, e.g.
            NXesrf_raw to files Bliss wrote); False: only ``@layout`` and ``definition``.

    Yields:
        :class:`~nxschema.Finding` objects. A file that cannot be opened gives one
        ``file-unreadable`` finding; a bad file never raises.

    Raises:
        nxschema.errors.DefinitionError: ``definitions`` paths that do not load.
    """
    catalog = _catalog_of(definitions, strict_definitions)
    plans = compile_plan(catalog)
    if definition is not None and definition not in catalog:
        path = os.fspath(definition)
        if os.path.exists(path):  # a definition file: add it to a copy, not the caller's catalog
            catalog = catalog.copy()
            before = set(catalog)
            catalog.load_path(path, layer=99)
            loaded = [k for k in catalog if k not in before or
                      os.path.abspath(catalog.raw(k).source.file) == os.path.abspath(path)]
            definition = loaded[0] if loaded else definition
            plans = compile_plan(catalog)
    resolver = Resolver(external)
    forced_layout = definition if definition and catalog.get(definition) and \
        catalog[definition].category == "layout" else None
    walker = Walker(plans, resolver, forced_layout, definition if not forced_layout else None,
                    discovery, _part)
    try:
        yield from _guarded(_walk(walker, target, jobs, _part, catalog, definition, external),
                            target)
    finally:
        resolver.close()


def _guarded(findings, target):
    """The findings, and if the walk breaks on something no check foresaw, one last finding
    that says so instead of a traceback (the fuzz tests count these as failures)."""
    try:
        yield from findings
    except Exception as exc:  # last resort: a bad file must never crash the caller
        file = target.file.filename if isinstance(target, (h5py.File, h5py.Group)) else \
            os.fspath(target)
        yield Finding("internal-error", "error", f"the check of this file stopped early: "
                      f"{type(exc).__name__}: {one_line(exc)}", path="/", file=file)


def _walk(walker, target, jobs, _part, catalog, definition, external):
    if isinstance(target, h5py.File):
        yield from walker.run(target, target.filename)
        return
    if isinstance(target, h5py.Group):
        yield from walker.run_group(target)
        return
    file = os.fspath(target)
    try:
        f = open_file(file)
    except FileProblem as exc:
        yield Finding("file-unreadable", "error", str(exc), path="/", file=file)
        return
    with f:
        processes = _jobs(jobs)
        names = _root_links(f) if processes > 1 and _part is None else []
        if len(names) < PARALLEL_MIN_LINKS:
            yield from walker.run(f, file)
            return
        yield from _parallel(walker, f, file, names, processes, catalog, definition,
                             external)


def _parallel(walker, f, file, names, jobs, catalog, definition, external):
    from nxschema._validate.pool import FAILED, OK, Pool

    chunks = split_root(names, jobs)
    pool = Pool(len(chunks) - 1)
    tasks = [(i, validate_part, (file, catalog, definition, external, "worker", chunk,
                                      walker.discovery))
             for i, chunk in enumerate(chunks[1:], start=1)]
    pool.start(len(tasks))
    # Given now, not when run() is first advanced (after this process's own share): the
    # workers start and walk their shares while this process walks the first one.
    pool.give_now(tasks)
    results = pool.run([])
    try:
        yield from walker.sharing(("main", frozenset(chunks[0]))).run(f, file)
        done = {}
        for key, status, value in results:
            if status == FAILED:
                raise WorkerError(f"a validation worker failed on {file}:\n{value}")
            if status != OK:
                raise WorkerError(f"a validation worker died twice on {file}")
            done[key] = value
        for key in sorted(done):  # the shares in root order, as one process would give them
            yield from done[key]
    finally:
        results.close()


def validate(target: str | os.PathLike[str] | h5py.File | h5py.Group, *,
             definitions: DefinitionsLike | None = None,
             definition: str | os.PathLike[str] | None = None, external: str = "below",
             jobs: int | None = 1, strict_definitions: bool = False,
             discovery: bool = True) -> Report:
    """Validate one file against the definitions that apply to it.

    Args:
        target: a path (opened read-only, without locking), an h5py.File or an h5py.Group.
        definitions: a :class:`~nxschema.Catalog`, or paths of definition files and folders
            loaded over the bundled ones; None: the bundled ones.
        definition: a definition key or file to apply to the whole file (else discovery).
        external: the external-link policy: ``below`` (default), ``follow`` or ``never``.
        jobs: processes for a file with many entries (None: one per core); see
            :func:`iter_findings`.
        strict_definitions: refuse definition paths that break nxdl.xsd even in small ways.
        discovery: apply definitions by their ``applies_when`` (default True).

    Returns:
        A :class:`Report`: ``.ok`` (no error), ``.findings``, ``.errors``, ``.warnings``.

    Raises:
        nxschema.errors.DefinitionError: ``definitions`` paths that do not load. A bad file
            never raises: it gives findings.
    """
    name = target.file.filename if isinstance(target, (h5py.File, h5py.Group)) else \
        os.fspath(target)
    catalog = _catalog_of(definitions, strict_definitions)
    report = Report(name, list(iter_findings(target, definitions=catalog,
                                             definition=definition, external=external,
                                             jobs=jobs, strict_definitions=strict_definitions,
                                             discovery=discovery)))
    report.definitions = sources_header(catalog.sources)
    return report


def sources_header(sources) -> dict:
    """``{name: version}`` of the definition sets a catalog was loaded from."""
    return {s.name: s.version or "version unknown" for s in sources}
