"""Listing the personal and administrative data a file holds.

Two sources, reported side by side:
- **by definition**: every dataset or attribute that stands for a concept marked
  ``personal: true`` or in a chosen domain (``administrative`` by default), directly or through
  the group it is in (NXuser is administrative as a whole);
- **by pattern**: e-mail addresses, ORCID iDs and phone numbers in any string value
  (:mod:`nxschema._personal.patterns`), wherever they are.

Files are opened read-only; external links are followed under the same policy as validation, and
items found through them name the real file and path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import h5py
import numpy as np

from nxschema._definitions.catalog import DefinitionsLike
from nxschema._h5.access import EXTERNAL_POLICIES, judge_external, open_file
from nxschema._h5.backend_h5py import decode
from nxschema._h5.policy import storage_refusal
from nxschema._personal import patterns
from nxschema.errors import ArgumentError

DOMAINS = ("administrative",)
PLACEHOLDER = "<redacted>"  # what a redacted copy holds instead of a personal text
TEXT_LIMIT = 1 << 16  # elements of a string dataset read for the pattern scan


@dataclass(frozen=True, slots=True)
class PersonalItem:
    """One personal or administrative value in a file."""

    file: str  # the file the value really is in
    path: str  # its HDF5 path there
    attribute: str | None  # the attribute's name, or None for a dataset
    found_by: str  # "definition" or "pattern"
    reason: str  # "personal", "domain administrative", or the pattern kind (email, ...)
    concept: str = ""  # e.g. "NXuser/email" (by definition)
    definition: str = ""  # the definition that marks it
    source: str = ""  # file:line of the mark in the definition
    domain: str = ""
    via: str = ""  # the link path it was reached through, when not the same as ``path``
    matches: tuple[str, ...] = ()  # the matched text (by pattern), for the redactor
    dtype: str = ""
    redacted: bool = False  # the value is already the placeholder of a redacted copy

    @property
    def where(self) -> str:
        at = f"{self.path}@{self.attribute}" if self.attribute else self.path
        return f"{self.file}::{at}"

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("matches")
        data["matches"] = len(self.matches)
        return data


@dataclass
class Scan:
    """What one scan found: the items, the files it read, and what it could not read."""

    file: str
    items: list[PersonalItem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file read (the first is ``file``)
    problems: list[str] = field(default_factory=list)  # links not followed, unreadable files


def personal_data(path: str | os.PathLike[str], *,
                  definitions: DefinitionsLike | None = None, definition: str | None = None,
                  domains: Iterable[str] = DOMAINS, patterns_on: bool = True,
                  external: str = "below") -> list[PersonalItem]:
    """Every personal or administrative value in the file at ``path``.

    Args:
        path: the HDF5 file (opened read-only).
        definitions: a Catalog or paths of definition files/folders (default: the bundled
            ones).
        definition: a layout or application definition to apply to the whole file (else
            the root's ``@layout``, else discovery by ``applies_when``, as for validation).
        domains: the domains whose members count (besides ``personal: true``).
        patterns_on: also look for e-mail addresses, ORCID iDs and phone numbers in every
            string.
        external: the external-link policy, as for validation.

    Returns:
        One :class:`PersonalItem` per value found (path, why, the definition that marks it).

    Raises:
        nxschema.errors.ArgumentError: an unknown external-link policy.
    """
    return scan(path, definitions=definitions, definition=definition, domains=domains,
                patterns_on=patterns_on, external=external).items


def scan(path, *, definitions=None, definition: str | None = None, domains=DOMAINS,
         patterns_on: bool = True, external: str = "below") -> Scan:
    """Like :func:`personal_data`, with the files read and the links not followed."""
    if external not in EXTERNAL_POLICIES:
        raise ArgumentError(f"external must be one of {', '.join(EXTERNAL_POLICIES)}")
    file = os.fspath(path)
    result = Scan(file)
    marks = Marks.of(file, definitions, definition, external)
    walker = _Walker(marks, tuple(domains), patterns_on, external, result)
    walker.run(file)
    result.items = _merged(result.items)
    return result


def _merged(items: list[PersonalItem]) -> list[PersonalItem]:
    """One item per value: a value a definition marks is reported by definition only (its
    pattern matches add nothing: the whole value goes)."""
    marked = {(i.file, i.path, i.attribute) for i in items if i.found_by == "definition"}
    out, seen = [], set()
    for item in items:
        key = (item.file, item.path, item.attribute, item.found_by, item.reason)
        if key in seen or (item.found_by == "pattern" and key[:3] in marked):
            continue
        seen.add(key)
        out.append(item)
    return out


@dataclass(frozen=True, slots=True)
class Mark:
    """Why a definition counts a value as personal or administrative."""

    reason: str  # "personal" or "domain administrative"
    concept: str  # the definition, then the concept path: NXuser/email
    definition: str
    source: str
    domain: str


class Marks:
    """The binding of one file, as far as personal data is concerned: which concepts the
    object shown at a path is bound to (:func:`nxschema._binding.tree.bind`, with the same
    definitions, discovery and external-link policy as validation). No name is matched here."""

    def __init__(self, binding):
        self.by_path: dict[str, list] = {}
        for b in binding.bound:
            self.by_path.setdefault(b.path, []).append(b)
        for found in self.by_path.values():
            found.sort(key=lambda b: b.category == "base")  # the most specific concept first

    @classmethod
    def of(cls, file: str, definitions, definition: str | None, external: str) -> Marks:
        from nxschema._binding.tree import bind
        from nxschema._definitions.catalog import Catalog, load

        if isinstance(definitions, Catalog):
            catalog = definitions
        else:
            paths = [] if definitions is None else (
                [definitions] if isinstance(definitions, (str, bytes)) or hasattr(
                    definitions, "__fspath__") else list(definitions))
            catalog = load(*paths)
        if definition is not None and definition not in catalog and \
                not os.path.exists(definition):
            names = sorted(k for k in catalog if catalog[k].category in ("layout",
                                                                         "application"))
            raise ArgumentError(f"{definition!r} is not a loaded definition (layouts and "
                                f"applications: {', '.join(names) or 'none'})")
        return cls(bind(file, definitions=catalog, definition=definition, external=external))

    def dataset(self, shown: str, domains) -> Mark | None:
        found = self.by_path.get(shown, ())
        for b in found:
            if b.personal:
                return Mark("personal", f"{b.definition}{b.concept}", b.definition, b.source,
                            b.domain)
        for b in found:
            if b.domain in domains:
                return Mark(f"domain {b.domain}", f"{b.definition}{b.concept}", b.definition,
                            b.source, b.domain)
        return None

    def attribute(self, shown: str, name: str, domains) -> Mark | None:
        marks = [(b, a) for b in self.by_path.get(shown, ()) for a in b.attrs if a[0] == name]
        for b, (_, personal, domain, src) in marks:
            if personal:
                return Mark("personal", f"{b.definition}{b.concept}@{name}", b.definition,
                            src, domain)
        for b, (_, _, domain, src) in marks:
            if domain in domains:
                return Mark(f"domain {domain}", f"{b.definition}{b.concept}@{name}",
                            b.definition, src, domain)
        return None


class _Walker:
    """Walks every object once (hard links and cycles too) for the pattern detectors, and asks
    :class:`Marks` what the object shown at each path stands for."""

    def __init__(self, marks: Marks, domains, patterns_on, external, result: Scan):
        self.marks, self.domains, self.patterns_on = marks, domains, patterns_on
        self.external, self.result = external, result
        self.seen: set = set()
        self.handles: dict[str, h5py.File] = {}

    def run(self, file: str) -> None:
        try:
            self._walk_file(os.path.abspath(file), "/", "/", via="")
        finally:
            for handle in self.handles.values():
                handle.close()

    def _open(self, file: str):
        if file not in self.handles:
            self.handles[file] = open_file(file)
            self.result.files.append(file)
        return self.handles[file]

    def _walk_file(self, file: str, path: str, shown, via: str) -> None:
        handle = self._open(file)
        obj = handle[path] if path != "/" else handle
        self._visit(file, obj, path, shown, via)

    def _visit(self, file, obj, path, shown, via) -> None:
        key = (file, h5py.h5o.get_info(obj.id).addr)
        if key in self.seen:
            return  # a hard link to something already scanned (or a cycle)
        self.seen.add(key)
        self._attributes(file, obj, path, shown, via)
        if isinstance(obj, h5py.Dataset):
            self._dataset(file, obj, path, shown, via)
            return
        for name in obj:
            child_path = f"{path.rstrip('/')}/{name}"
            child_via = f"{via.rstrip('/')}/{name}" if via else ""
            link = obj.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                continue  # its target is scanned where it is
            if isinstance(link, h5py.ExternalLink):
                self._external(file, link, child_path, shown, obj, name, child_via)
                continue
            try:
                child = obj[name]
            except (KeyError, OSError, RuntimeError, ValueError):
                self.result.problems.append(f"{file}::{child_path}: cannot be opened")
                continue
            self._visit(file, child, child_path, f"{shown.rstrip('/')}/{name}", child_via)

    def _external(self, file, link, child_path, shown, parent, name, via) -> None:
        target, problem = judge_external(file, link.filename, self.external)
        if problem:
            self.result.problems.append(f"{file}::{child_path}: {problem}")
            return
        try:
            handle = self._open(target)
            child = handle[link.path]
        except Exception as exc:  # a missing raw file must not stop the listing
            self.result.problems.append(f"{file}::{child_path}: external link to "
                                        f"{link.filename}::{link.path} cannot be followed "
                                        f"({type(exc).__name__})")
            return
        self._visit(target, child, link.path, f"{shown.rstrip('/')}/{name}",
                    via or child_path)

    def _attributes(self, file, obj, path, shown, via) -> None:
        for name in obj.attrs:
            mark = self.marks.attribute(shown, name, self.domains)
            if mark is not None:
                self._add(file, path, name, "definition", mark, via, self._dtype_of_attr(obj, name))
            if self.patterns_on:
                try:
                    value = obj.attrs[name]
                except Exception:
                    continue  # odd types are the validator's business
                self._patterns(file, path, name, value, via)

    @staticmethod
    def _dtype_of_attr(obj, name) -> str:
        try:
            return str(obj.attrs.get_id(name).dtype)
        except Exception:
            return ""

    def _dataset(self, file, ds, path, shown, via) -> None:
        mark = self.marks.dataset(shown, self.domains)
        value = None
        if _is_text(ds.dtype) and (ds.size or 0) <= TEXT_LIMIT:
            # Only text is read, so only text asks: a virtual dataset or external raw storage
            # reads other files, and the validator's policy decides, as for external links (a
            # refused one is listed, and none of it is read).
            refused = storage_refusal(self.external, file, ds.id)
            if refused:
                self.result.problems.append(f"{file}::{path}: {refused}; its data is not read")
            else:
                try:
                    value = ds[()]
                except Exception:
                    value = None
        if mark is not None:
            done = value is not None and all(t == PLACEHOLDER for t in _texts(value))
            self._add(file, path, None, "definition", mark, via, str(ds.dtype), done)
        if self.patterns_on and value is not None:
            self._patterns(file, path, None, value, via)

    def _patterns(self, file, path, attribute, value, via) -> None:
        texts = list(_texts(value))
        found = [m for text in texts for m in patterns.find(text)]
        for kind in patterns.KINDS:
            matches = tuple(m.text for m in found if m.kind == kind)
            if matches:
                self.result.items.append(PersonalItem(
                    file, path, attribute, "pattern", kind, via=via, matches=matches))

    def _add(self, file, path, attribute, found_by, mark, via, dtype, done=False) -> None:
        self.result.items.append(PersonalItem(
            file, path, attribute, found_by, mark.reason, concept=mark.concept,
            definition=mark.definition, source=mark.source, domain=mark.domain, via=via,
            dtype=dtype, redacted=done))


def _is_text(dtype) -> bool:
    return dtype.kind in "SUO" and (dtype.kind != "O" or h5py.check_string_dtype(dtype) is not None)


def _texts(value):
    """Every string in an attribute or dataset value (scalars, arrays, bytes)."""
    if isinstance(value, (bytes, str, np.bytes_, np.str_)):
        yield decode(value)
        return
    if isinstance(value, np.ndarray) and value.dtype.kind in "SUO":
        for item in value.flat:
            if isinstance(item, (bytes, str)):
                yield decode(item)
