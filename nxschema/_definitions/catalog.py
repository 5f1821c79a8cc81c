"""A set of definitions loaded from YAML and NXDL files, with ``extends`` resolved.

Precedence, when two sources define the same key (see docs/language.md, "Which one wins"):

1. A definition given by the user (``--defs``, or ``load(paths)``) overrides a bundled one; among
   user sources, a later path overrides an earlier one.
2. In one source folder, when a YAML and an NXDL file define the same key, ``prefer`` decides
   (YAML by default: the YAML is usually the one being edited).
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nxschema import model as m
# Re-exported: callers list and find definition files through the catalog.
from nxschema._definitions.files import (NXDL_SUFFIX, bundled_definitions_dir, definition_files,
                                         path_problem)
from nxschema._findings import DefinitionError, Finding, error, warning
from nxschema.errors import ArgumentError

INPUT_FORMATS = ("auto", "nxschema", "nyaml")


def read_file(path: Path, input_format: str = "auto") -> tuple[m.Definition | None,
                                                                list[Finding]]:
    """Read one YAML or NXDL definition file; problems (I/O included) come back as findings.

    A YAML file is nxschema's language or nyaml (FAIRmat's form): ``input_format`` says which,
    or ``auto`` tells them apart by content (:func:`nyaml_reader.looks_like_nyaml`).
    """
    try:
        data = _read_regular(path)
    except OSError as exc:
        return None, [error("io", f"cannot read: {exc.strerror or exc}", file=str(path))]
    if data is None:
        return None, [error("io", path_problem(path) or "not a regular file", file=str(path))]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        return None, [error("encoding", f"not UTF-8: byte 0x{data[exc.start]:02x} cannot start "
                            "or continue a character here (definitions are UTF-8 text)",
                            file=str(path), line=line, col=col)]
    if path.name.endswith(NXDL_SUFFIX):
        from nxschema._definitions.nxdl_reader import read_nxdl

        return read_nxdl(text, str(path))
    from nxschema._definitions.nyaml_reader import looks_like_nyaml, read_nyaml

    if input_format == "nyaml" or input_format == "auto" and looks_like_nyaml(text):
        return read_nyaml(text, str(path))
    from nxschema._definitions.yaml_reader import read_yaml

    return read_yaml(text, str(path))


def _read_regular(path: Path) -> bytes | None:
    """The bytes of ``path``, or None if it is not a regular file.

    Opened non-blocking and checked on the open descriptor, so that a FIFO (which would wait
    for a writer) or a device swapped in after a stat() is never read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of the byte at ``offset``."""
    start = data.rfind(b"\n", 0, offset) + 1
    before = data[start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


@dataclass(frozen=True)
class _Entry:
    definition: m.Definition
    layer: int  # 0 bundled, 1.. user sources in order
    is_yaml: bool


class Catalog:
    """Definitions by key, plus what loading them found. Lookups return resolved definitions."""

    def __init__(self, prefer: str = "yaml"):
        if prefer not in ("yaml", "nxdl"):
            raise ArgumentError("prefer must be 'yaml' or 'nxdl'")
        self.prefer = prefer
        self.findings: list[Finding] = []
        # where the definitions came from (nxschema._definitions.sets.SetInfo), in load order
        self.sources: list = []
        self._entries: dict[str, _Entry] = {}
        self._resolved: dict[str, m.Definition] = {}

    # --- building -----------------------------------------------------------------------------

    def add(self, definition: m.Definition, *, layer: int = 1, is_yaml: bool = True) -> None:
        """Add ``definition``; a higher ``layer`` wins over a lower one (0: bundled), and in one
        layer ``prefer`` decides between YAML and NXDL. Two of one key, layer and form give a
        ``duplicate-definition`` warning in ``findings`` (the later one is used)."""
        key = definition.key
        new = _Entry(definition, layer, is_yaml)
        old = self._entries.get(key)
        if old is None or self._wins(new, old):
            self._entries[key] = new
            self._resolved.clear()
        if old is not None and old.layer == layer and old.is_yaml == is_yaml:
            first = old.definition.source
            src = definition.source or m.Source("")
            self.findings.append(warning(
                "duplicate-definition",
                f"{key} is also defined at {first}; the one read last is used",
                file=src.file, line=src.line, col=src.col))

    def _wins(self, new: _Entry, old: _Entry) -> bool:
        if new.layer != old.layer:
            return new.layer > old.layer
        if new.is_yaml != old.is_yaml:
            return new.is_yaml == (self.prefer == "yaml")
        return True

    def copy(self) -> Catalog:
        """A catalog with the same definitions, to add more without changing this one."""
        other = Catalog(prefer=self.prefer)
        other._entries = dict(self._entries)
        other.sources = list(self.sources)
        other.findings = list(self.findings)
        return other

    def load_path(self, path: str | os.PathLike[str], *, layer: int = 1,
                  cache: bool = True, input_format: str = "auto") -> None:
        """Read a file or folder; with ``cache``, a folder comes from the cache when unchanged
        (nxschema/_cache.py: keyed by every file's path, size and mtime)."""
        path = Path(path)
        problem = path_problem(path)
        if problem:
            self.findings.append(error("io", problem, file=str(path)))
            return
        if cache and path.is_dir() and input_format == "auto":
            from nxschema._definitions.cache import read_folder

            entries = read_folder(path, definition_files(path), read_file)
        else:
            entries = [(file, *read_file(file, input_format)) for file in definition_files(path)]
        for file, definition, found in entries:
            self.findings += found
            if definition is not None:
                self.add(definition, layer=layer, is_yaml=not file.name.endswith(NXDL_SUFFIX))

    # --- lookups ------------------------------------------------------------------------------

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def raw(self, key: str) -> m.Definition:
        """The definition as written, without inherited members."""
        return self._entries[key].definition

    def is_yaml(self, key: str) -> bool:
        """True if the definition of ``key`` was read from YAML (False: from NXDL)."""
        return self._entries[key].is_yaml

    def __getitem__(self, key: str) -> m.Definition:
        """The definition with inherited members merged in (own members win)."""
        if key not in self._resolved:
            self._resolved[key] = self._resolve(key)
        return self._resolved[key]

    def get(self, key: str) -> m.Definition | None:
        """The resolved definition of ``key``, or None if there is none."""
        return self[key] if key in self._entries else None

    def definitions(self) -> list[m.Definition]:
        """Every definition, resolved, sorted by key."""
        return [self[key] for key in self]

    def chain(self, key: str) -> list[str]:
        """``key`` then the names it extends, nearest first; stops at a cycle or unknown name."""
        seen, out = set(), []
        while key in self._entries and key not in seen:
            seen.add(key)
            out.append(key)
            key = self._entries[key].definition.extends
        return out

    def extends_cycle(self, key: str) -> list[str] | None:
        """The keys of the ``extends`` cycle ``key`` runs into (first one repeated at the end),
        or None."""
        seen = []
        while key in self._entries:
            if key in seen:
                return seen[seen.index(key):] + [key]
            seen.append(key)
            key = self._entries[key].definition.extends
        return None

    def _resolve(self, key: str) -> m.Definition:
        chain = self.chain(key)
        own = self._entries[key].definition
        members, attributes = list(own.members), list(own.attributes)
        keys = {m.member_key(x) for x in members}
        names = {a.name for a in attributes}
        for parent in chain[1:]:
            base = self._entries[parent].definition
            for member in base.members:
                if m.member_key(member) not in keys:
                    keys.add(m.member_key(member))
                    members.append(member)
            for attribute in base.attributes:
                if attribute.name not in names:
                    names.add(attribute.name)
                    attributes.append(attribute)
        return m.replace(own, members=tuple(members), attributes=tuple(attributes))

    def base_class(self, nx_class: str) -> m.Definition | None:
        """The vocabulary for any group of ``nx_class``: its base class, resolved."""
        entry = self._entries.get(nx_class)
        if entry is None or entry.definition.category != "base":
            return None
        return self[nx_class]

    def applications(self, value: str, container: str) -> m.Definition | None:
        """Application definitions whose name is ``value``, usable in an NXentry or NXsubentry."""
        keys = [f"{value}@subentry", value] if container == "NXsubentry" else [value]
        for key in keys:
            entry = self._entries.get(key)
            if entry and entry.definition.category == "application":
                placement = entry.definition.effective_placement
                if container == "NXsubentry" or placement in ("entry", "any"):
                    return self[key]
        return None

    def of_category(self, category: str) -> list[m.Definition]:
        """The resolved definitions of ``category`` (base, application, layout, process)."""
        return [self[k] for k in self if self._entries[k].definition.category == category]


# What ``definitions=`` takes everywhere: a Catalog, or paths of definition files and folders.
DefinitionsLike = Catalog | str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


def resolve_source(path) -> tuple[Path | None, str | None]:
    """A ``--defs`` value as (folder or file, set name): an existing path is itself; otherwise
    a set name (``bundled``, ``nexusformat``, ``pynxtools``, ``env``; see
    :mod:`nxschema._definitions.sets`) is its folder, or None when that set is not installed."""
    from nxschema._definitions import sets

    text = os.fspath(path)
    if text in sets.NAMES and not Path(text).exists():
        return sets.set_path(text), text
    return Path(text), None


def load(*paths: str | os.PathLike[str], bundled: bool = True, prefer: str = "yaml",
         strict: bool = True, strict_definitions: bool = False,
         input_format: str = "auto") -> Catalog:
    """Load definitions into a :class:`Catalog`.

    NXDL that breaks nxdl.xsd in small ways (``required="true"`` on a field, ``optional="True"``,
    an attribute the xsd lacks) is read as its author meant, with warnings (docs/nxdl.md, "Lenient
    reading").

    Args:
        paths: files or folders of YAML (``.yaml``: ours or nyaml) and NXDL (``.nxdl.xml``)
            definitions, or names of installed sets (``nexusformat``, ``pynxtools``, ``env``,
            ``bundled``); a later one overrides an earlier one of the same key.
            ``catalog.sources`` records each one's name, path, version and count.
        bundled: load the definitions shipped with nxschema first (``paths`` override them).
        prefer: ``yaml`` or ``nxdl``: which wins when one folder holds both forms of a key.
        strict: raise when loading finds an error (else the findings are in
            ``catalog.findings``).
        strict_definitions: make the lenient-reading warnings errors too.
        input_format: how ``*.yaml`` files are read: ``auto`` (by content), ``nxschema``,
            ``nyaml``.

    Returns:
        The :class:`Catalog`, with ``extends`` resolved on lookup.

    Raises:
        nxschema.errors.DefinitionError: with ``strict``, any error; ``.findings`` says which.
        nxschema.errors.ArgumentError: ``prefer`` is neither ``yaml`` nor ``nxdl``.
    """
    from nxschema._definitions import sets

    catalog = Catalog(prefer=prefer)
    if bundled:
        catalog.load_path(bundled_definitions_dir(), layer=0)
        catalog.sources.append(sets.describe("bundled", bundled_definitions_dir()))
    for layer, path in enumerate(paths, start=1):
        folder, name = resolve_source(path)
        if folder is None:
            catalog.findings.append(error(
                "io", f"the definition set {name!r} is not installed here (see 'nxschema "
                "definitions list')", file=str(path)))
            continue
        catalog.load_path(folder, layer=layer, input_format=input_format)
        if folder.exists():
            catalog.sources.append(sets.describe(name, folder) if name
                                   else sets.describe_path(folder))
    if strict_definitions:
        from nxschema._definitions.nxdl_reader import LENIENT_CODES

        catalog.findings = [_as_error(f) if f.code in LENIENT_CODES else f
                            for f in catalog.findings]
    if strict:
        errors = [f for f in catalog.findings if f.severity == "error"]
        if errors:
            raise DefinitionError(errors)
    return catalog


def _as_error(finding: Finding) -> Finding:
    # The same finding made an error: its code was checked when it was made.
    return dataclasses.replace(finding, severity="error",
                               message=f"{finding.message} (refused: strict definitions)")


def as_catalog(definitions: DefinitionsLike | None = None, *, bundled: bool = True,
               strict: bool = True) -> Catalog:
    """The catalog that ``definitions=`` names: a :class:`Catalog` as it is; a path or paths of
    definition files and folders loaded over the bundled ones (with ``bundled``); None for the
    bundled definitions alone. Raises :class:`DefinitionError` (with ``strict``) when they do
    not load."""
    if isinstance(definitions, Catalog):
        return definitions
    if definitions is None:
        paths: list = []
    elif isinstance(definitions, (str, os.PathLike)):
        paths = [definitions]
    else:
        paths = list(definitions)
    return load(*paths, bundled=bundled, strict=strict)
