"""ICAT metadata extraction: ``{key: value}`` from a NeXus/HDF5 file, for the keys the
definitions imply (``_icat``). Links are followed by the validator's resolver
(:class:`nxschema._h5.access.Resolver`), under the same external-link policy; values are
converted by NX type and reported with their units.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from nxschema._definitions.catalog import DefinitionsLike, as_catalog
from nxschema._deprecation import UNSET, renamed
from nxschema._h5.access import (
    EXTERNAL_POLICIES,
    LINK_EXTERNAL,
    FileProblem,
    Resolver,
    attr_or_none,
    open_file,
)
from nxschema._h5.backend_h5py import H5pyIO
from nxschema._icat.keys import IcatKey, catalog_keys
from nxschema.errors import ArgumentError, IcatError

SMALL_ARRAY = 16  # arrays up to this size are reported whole, as space-separated text


@dataclass
class Extraction:
    file: str
    entry: str | None
    values: dict[str, dict]
    notes: list[str]


@dataclass
class _Node:
    """An object reached from the entry: the backend object, the file and path the resolver
    knows it by, and the path it was reached at (for messages and the reported ``path``)."""

    obj: object
    file: str
    path: str
    shown: str
    is_group: bool


class _Links:
    """Name lookups through :class:`Resolver`: soft links and external links are followed
    exactly as ``nxschema validate`` follows them, refused ones are kept as notes."""

    def __init__(self, policy: str):
        # The h5py backend: its objects are h5py ObjectIDs, so a value is read with h5py's
        # slicing (one element of a large array), which the backends do not offer.
        self.resolver = Resolver(policy, io=H5pyIO())
        self.notes: list[str] = []

    def close(self) -> None:
        self.resolver.close()

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def root(self, path: str, handle) -> _Node:
        file = os.path.normpath(os.path.abspath(path))
        self.resolver.add_file(file, handle)
        return _Node(self.resolver.root(file), file, "/", "", True)

    def names(self, node: _Node) -> list[str]:
        return [name.decode("utf-8", errors="replace") for name, _ in
                self.resolver.io.links(node.obj)]

    def child(self, node: _Node, name: str) -> _Node | None:
        if not node.is_group:
            return None
        try:
            child = self.resolver.child(node.obj, node.file, node.path, name)
        except (KeyError, ValueError, RuntimeError, OSError):
            child = None
        if child is None:
            return None
        shown = f"{node.shown}/{name}"
        if child.kind is None:
            self.note(f"{shown}: {child.problem}")
            return None
        if child.kind not in ("group", "dataset") or child.oid is None:
            return None
        file, path = node.file, node.path.rstrip("/") + "/" + name
        if child.link == LINK_EXTERNAL:
            file, path = child.file, child.target.split("::", 1)[1]
        return _Node(child.oid, file, path, shown, child.is_group)


def _nx_class(links: _Links, node: _Node | None) -> str:
    if node is None:
        return ""
    value = attr_or_none(links.resolver.io, node.obj, "NX_class")
    return value if isinstance(value, str) else ""


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _choose_entry(root: _Node, links: _Links, entry: str | None):
    if entry is not None:
        node = links.child(root, entry)
        if node is None or not node.is_group:
            raise IcatError(f"no entry {entry!r} in the file")
        return entry, node
    default = attr_or_none(links.resolver.io, root.obj, "default")
    names = links.names(root)
    if isinstance(default, str) and default in names:
        names.remove(default)
        names.insert(0, default)
    else:
        names.sort(key=_natural)
    for name in names:
        node = links.child(root, name)
        if node is not None and node.is_group and _nx_class(links, node) == "NXentry":
            return name, node
    return None, None


def _locate(entry: _Node, steps, links: _Links) -> _Node | None:
    node = entry
    for step in steps:
        if node is None or not node.is_group:
            return None
        found = links.child(node, step.name)
        if found is None and step.any_name and step.nx_class:
            for name in sorted(links.names(node), key=_natural):
                candidate = links.child(node, name)
                if candidate is not None and candidate.is_group and \
                        _nx_class(links, candidate) == step.nx_class:
                    found = candidate
                    break
        if step.nx_class and (found is None or not found.is_group):
            return None
        node = found
    return node


def _dataset(node: _Node | None):
    """The h5py Dataset of ``node``, or None if it is not a dataset."""
    import h5py

    return h5py.Dataset(node.obj) if node is not None and not node.is_group else None


def _decode(value):
    import numpy as np  # here, so that linting definitions does not pay for numpy

    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _read(dataset, record: str):
    """The dataset's value: whole if small, else its first (or, record final, last) element."""
    import numpy as np

    shape = dataset.shape
    if shape is None or dataset.size == 0:
        return None
    if shape == ():
        return _decode(dataset[()])
    if dataset.size <= SMALL_ARRAY:
        items = [_decode(v) for v in np.asarray(dataset[()]).ravel()]
        return items[0] if len(items) == 1 else items
    index = tuple(-1 if record == "final" else 0 for _ in shape)
    return _decode(dataset[index])


def _number_text(value) -> str:
    return str(value) if isinstance(value, (int, str)) else repr(float(value))


def convert(value, nx_type: str):
    """A value read from a file, as the NX type says: int, float, bool, ISO date or text."""
    if isinstance(value, list):
        return " ".join(_number_text(v) if isinstance(v, (int, float)) else str(v)
                        for v in (convert(v, nx_type) for v in value))
    try:
        if nx_type in ("NX_INT", "NX_UINT", "NX_POSINT"):
            number = float(value)
            return int(number) if number.is_integer() else number
        if nx_type in ("NX_FLOAT", "NX_NUMBER"):
            if nx_type == "NX_NUMBER" and isinstance(value, int) and not isinstance(value, bool):
                return value
            return float(value)
        if nx_type == "NX_BOOLEAN":
            if isinstance(value, str):
                return value.strip().lower() in ("true", "1", "yes")
            return bool(value)
        if nx_type == "NX_DATE_TIME":
            if isinstance(value, (int, float)):
                return datetime.fromtimestamp(value, tz=timezone.utc).isoformat()
            return datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return value if isinstance(value, (str, int, float, bool)) else str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _units(links: _Links, node: _Node):
    units = attr_or_none(links.resolver.io, node.obj, "units")
    return None if units is None else str(units)


def _positioners(group: _Node, links: _Links, record: str):
    """(names, values) as space-separated text, from an NXpositioner or a collection of them."""

    def value_of(node):
        if node is not None and node.is_group:
            node = links.child(node, "value")
        dataset = _dataset(node)
        if dataset is None:
            return None
        value = _read(dataset, record)
        if isinstance(value, list):
            value = value[-1] if record == "final" else value[0]
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    if _nx_class(links, group) == "NXpositioner":
        value = value_of(group)
        name_node = _dataset(links.child(group, "name"))
        name = _read(name_node, record) if name_node is not None else None
        name = str(name) if isinstance(name, str) else group.shown.rsplit("/", 1)[-1]
        return (name, _number_text(value)) if value is not None else (None, None)
    names, values = [], []
    for child_name in links.names(group):
        value = value_of(links.child(group, child_name))
        if value is not None:
            names.append(child_name)
            values.append(_number_text(value))
    return (" ".join(names), " ".join(values)) if names else (None, None)


def _policy(external: str, allow_external_anywhere: bool | None) -> str:
    if allow_external_anywhere is not None:
        warnings.warn("allow_external_anywhere is deprecated; use external='follow'",
                      DeprecationWarning, stacklevel=3)
        if allow_external_anywhere:
            return "follow"
    if external not in EXTERNAL_POLICIES:
        raise ArgumentError(f"external-link policy must be one of {EXTERNAL_POLICIES}")
    return external


def extract(path, rows: list[IcatKey], *, entry: str | None = None, external: str = "below",
            allow_external_anywhere: bool | None = None) -> Extraction:
    """The values of ``rows`` (a mapping) found in the file at ``path``, with their units.

    Links are followed as ``nxschema validate`` follows them: ``external`` is the same policy
    (``below``: only files in the linking file's folder or below it; ``follow``: any file;
    ``never``: none). Links not followed are listed in ``notes``.
    ``allow_external_anywhere=True`` is the deprecated spelling of ``external="follow"``.
    """
    path = os.fspath(path)
    policy = _policy(external, allow_external_anywhere)
    try:
        handle = open_file(path)
    except FileProblem as exc:
        raise IcatError(f"{path}: {exc}") from None
    links = _Links(policy)
    values: dict[str, dict] = {}
    try:
        entry_name, node = _choose_entry(links.root(path, handle), links, entry)
        positioners: dict[str, tuple] = {}
        for row in rows if node is not None else ():
            if row.key in values:
                continue
            if row.kind == "positioners":
                group = _locate(node, row.steps[:-1], links)
                if group is None or not group.is_group:
                    continue
                if group.shown not in positioners:
                    positioners[group.shown] = _positioners(group, links, row.record)
                names, numbers = positioners[group.shown]
                text = names if row.steps[-1].name == "name" else numbers
                if text is not None:
                    values[row.key] = {"value": text, "units": None,
                                       "path": f"{group.shown}/{row.steps[-1].name}"}
                continue
            found = _locate(node, row.steps, links)
            dataset = _dataset(found)
            if dataset is None:
                continue
            raw = _read(dataset, row.record)
            if raw is None:
                continue
            values[row.key] = {"value": convert(raw, row.nx_type), "units": _units(links, found),
                               "path": f"/{entry_name}/{row.path}"}
    except (OSError, RuntimeError) as exc:
        raise IcatError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None
    finally:
        links.close()
        handle.close()
    return Extraction(path, entry_name, values, links.notes)


def icat_extract(path: str | os.PathLike[str], *, definitions: DefinitionsLike | None = None,
                 bundled: bool = True, entry: str | None = None, external: str = "below",
                 allow_external_anywhere: bool | None = None, defs: Any = UNSET,
                 catalog: Any = UNSET) -> dict[str, dict[str, Any]]:
    """The ICAT values of one file, for every key the definitions map.

    Args:
        path: the HDF5 file.
        definitions: a :class:`~nxschema.Catalog`, or paths of definition files and folders
            loaded over the bundled ones (with ``bundled``); default: the bundled ones.
        bundled: load the bundled definitions under ``definitions`` paths.
        entry: the entry to read (default: the first one).
        external: the external-link policy of ``nxschema validate``: ``below`` (the default)
            follows external links only to files in the linking file's folder or below it,
            ``follow`` to any file, ``never`` to none.
        allow_external_anywhere: ``True`` is the deprecated spelling of ``external="follow"``.
        defs, catalog: old names of ``definitions`` (deprecated, one release).

    Returns:
        ``{key: {"value": ..., "units": ..., "path": ...}}`` for every key the file holds; an
        empty dict when it holds none.

    Raises:
        nxschema.errors.IcatError: the file cannot be read, or has no such entry.
        nxschema.errors.ArgumentError: an unknown external-link policy.
    """
    definitions = renamed("icat_extract", "definitions", definitions, defs=defs,
                          catalog=catalog)
    found = as_catalog(definitions, bundled=bundled, strict=False)
    policy = _policy(external, allow_external_anywhere)
    return extract(path, catalog_keys(found), entry=entry, external=policy).values
