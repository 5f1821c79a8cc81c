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
from nxschema._icat.keys import DEFAULT_RECORD, IcatKey, catalog_keys
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


class _Index:
    """The binding of the file below one entry (:func:`nxschema._binding.tree.bind`): which
    concept each object stands for, and the class of each group. Keys are matched to objects
    here, by concept; no name is matched on its own."""

    def __init__(self, binding, entry_path: str, read_class=None):
        self.entry = entry_path
        # The NX_class of a group no concept claims (the binding records none): read on demand.
        self.read_class = read_class
        self.prefix = entry_path.rstrip("/") + "/"
        self.by_concept: dict[tuple[str, str], list[str]] = {}
        self.classes: dict[str, str] = {}  # shown path -> NX_class of the group there
        self.kinds: dict[str, str] = {}  # shown path -> group, dataset, link; "" if unbound
        for b in binding.bound:
            if b.path != entry_path and not b.path.startswith(self.prefix):
                continue
            if b.nx_class:
                self.classes[b.path] = b.nx_class
            if b.path == entry_path:
                continue
            self.kinds.setdefault(b.path, b.kind)
            self.by_concept.setdefault((b.definition, b.concept), []).append(b.path)
        for path in binding.unbound:
            if path.startswith(self.prefix):
                self.kinds.setdefault(path, "")
        self._soft_linked(binding)

    def _soft_linked(self, binding) -> None:
        """The binding walks a soft-linked group where its target is: its members are shown
        here under the link's path too (kinds and classes; their concepts are the target's)."""
        groups = [b for b in binding.bound if b.kind == "group" and b.file
                  and b.path.startswith(self.prefix)]
        walked = {b.path.rsplit("/", 1)[0] for b in binding.bound}
        for g in groups:
            if g.path in walked:
                continue  # its members were walked where it stands
            inside = g.where.rstrip("/") + "/"
            for b in binding.bound:
                if b.file == g.file and b.where.startswith(inside) and \
                        not b.path.startswith(g.path + "/"):
                    alias = g.path + "/" + b.where[len(inside):]
                    self.kinds.setdefault(alias, b.kind)
                    if b.nx_class:
                        self.classes.setdefault(alias, b.nx_class)

    def _fits(self, path: str, steps, names: bool) -> bool:
        rel = path[len(self.prefix):].split("/")
        if len(rel) != len(steps):
            return False
        for i, (name, step) in enumerate(zip(rel, steps)):
            if step.nx_class:
                if self.nx_class(self.prefix + "/".join(rel[:i + 1])) != step.nx_class:
                    return False
                # An NXcollection means nothing by its class: it is known by its name only.
                if (names or step.nx_class == "NXcollection") and not step.any_name and \
                        name != step.name:
                    return False
            elif name != step.name:  # a field: its name is its concept in its group's class
                return False
        return True

    def nx_class(self, path: str) -> str | None:
        if path not in self.classes and self.read_class is not None and \
                self.kinds.get(path) == "":
            self.classes[path] = self.read_class(path) or ""
        return self.classes.get(path)

    def find(self, row: IcatKey, group: bool = False) -> str | None:
        """The shown path of the object ``row`` stands for (its group, for ``group``).

        First the object bound to the key's concept in the key's definition; else one whose
        class path is the key's (the classes of the groups, then the field's name) and whose
        group names are the key's; else the only object with the key's class path (a Bliss
        ``instrument/machine`` is the instrument's one NXsource, so it gives
        ``InstrumentSource_current``).
        """
        steps = row.steps[:-1] if group else row.steps
        if not steps:
            return None
        concept = row.concept.rsplit("/", 1)[0] if group else row.concept
        kind = "group" if group else "dataset"
        for path in self.by_concept.get((row.definition, concept), ()):
            if self.kinds.get(path) == kind:
                return path
        fitting = [p for p, k in self.kinds.items() if k in (kind, "")
                   and self._fits(p, steps, False)]
        named = [p for p in fitting if self._fits(p, steps, True)]
        if named:
            return named[0]
        return fitting[0] if len(fitting) == 1 else None

    def positioner_groups(self, under: str, besides: str | None) -> list[str]:
        """Every group bound as an NXpositioner below ``under`` and not in ``besides``."""
        inside = (besides.rstrip("/") + "/") if besides else None
        return [p for p, c in self.classes.items()
                if c == "NXpositioner" and p.startswith(under.rstrip("/") + "/")
                and p != besides and not (inside and p.startswith(inside))]


def _walk(links: _Links, root: _Node, path: str) -> _Node | None:
    """The node at the shown ``path``, reached from the root through the resolver (which notes
    the links it does not follow)."""
    node = root
    for name in (n for n in path.split("/") if n):
        node = links.child(node, name)
        if node is None:
            return None
    return node


def _attribute_keys(index: _Index, links: _Links, root: _Node) -> dict[str, _Node]:
    """Keys written on datasets as ``@icat_field`` (the pyicat-plus convention: the ICAT
    parameter a dataset holds), by key. Every object below the entry is reached once, so links
    the policy refuses are noted whether a key needs them or not."""
    found: dict[str, _Node] = {}
    for path in index.kinds:
        node = _walk(links, root, path)
        if node is None or node.is_group:
            continue
        key = attr_or_none(links.resolver.io, node.obj, "icat_field")
        if isinstance(key, list):
            key = key[0] if key else None
        if isinstance(key, str) and key and key not in found:
            found[key] = node
    return found


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


def _positioners(group: _Node | None, links: _Links, record: str, extra=()):
    """(names, values) as space-separated text, from an NXpositioner or a collection of them,
    and from the NXpositioner groups ``extra`` (nodes) found elsewhere by the binding."""

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

    def name_of(node):
        name_node = _dataset(links.child(node, "name"))
        name = _read(name_node, record) if name_node is not None else None
        return str(name) if isinstance(name, str) else node.shown.rsplit("/", 1)[-1]

    if group is not None and _nx_class(links, group) == "NXpositioner":
        value = value_of(group)
        return (name_of(group), _number_text(value)) if value is not None else (None, None)
    names, values = [], []
    for child_name in links.names(group) if group is not None else ():
        value = value_of(links.child(group, child_name))
        if value is not None:
            names.append(child_name)
            values.append(_number_text(value))
    for node in extra:
        value = value_of(node)
        if value is not None:
            names.append(name_of(node))
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
            allow_external_anywhere: bool | None = None, catalog=None) -> Extraction:
    """The values of ``rows`` (a mapping) found in the file at ``path``, with their units.

    Each key is matched by concept through the binding of the file
    (:func:`nxschema._binding.tree.bind`, with ``catalog``, default the bundled definitions):
    the object bound to the key's concept, else the one of the key's class path (see
    :meth:`_Index.find`). Datasets that name their key in ``@icat_field`` (pyicat-plus) give
    it too, with no definition needed. Links are followed as ``nxschema validate`` follows
    them: ``external`` is the same policy (``below``: only files in the linking file's folder
    or below it; ``follow``: any file; ``never``: none). Links not followed are listed in
    ``notes``. ``allow_external_anywhere=True`` is the deprecated spelling of
    ``external="follow"``.
    """
    from nxschema._binding.tree import bind

    path = os.fspath(path)
    policy = _policy(external, allow_external_anywhere)
    try:
        handle = open_file(path)
    except FileProblem as exc:
        raise IcatError(f"{path}: {exc}") from None
    links = _Links(policy)
    values: dict[str, dict] = {}
    try:
        root = links.root(path, handle)
        entry_name, node = _choose_entry(root, links, entry)
        if node is not None:
            if catalog is None:
                from nxschema._definitions.catalog import load
                catalog = load(strict=False)
            try:
                binding = bind(path, definitions=catalog, external=policy)
            except FileProblem as exc:
                raise IcatError(f"{path}: {exc}") from None
            index = _Index(binding, f"/{entry_name}",
                           lambda shown: _nx_class(links, _walk(links, root, shown)))
            by_attribute = _attribute_keys(index, links, root)
            _from_rows(rows, index, links, root, values)
            types = {row.key: row.nx_type for row in rows}
            for key, found in by_attribute.items():
                if key in values:
                    continue  # the definitions' concept and the attribute name the same key
                raw = _read(_dataset(found), DEFAULT_RECORD)
                if raw is not None:
                    value = convert(raw, types[key]) if key in types else (
                        convert(raw, "NX_CHAR") if isinstance(raw, list) else raw)
                    values[key] = {"value": value, "units": _units(links, found),
                                   "path": found.shown}
    except (OSError, RuntimeError) as exc:
        raise IcatError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None
    finally:
        links.close()
        handle.close()
    return Extraction(path, entry_name, values, links.notes)


def _from_rows(rows, index: _Index, links: _Links, root: _Node, values: dict) -> None:
    positioners: dict[str, tuple] = {}
    for row in rows:
        if row.key in values:
            continue
        if row.kind == "positioners":
            shown = index.find(row, group=True)
            group = _walk(links, root, shown) if shown else None
            extra = ()
            if row.steps[-2].nx_class == "NXcollection" and len(row.steps) > 2:
                # A Bliss instrument keeps most motors in ``positioners`` and some as NXpositioner
                # groups of their own (``insertion_device/gap``): the key lists them all.
                parent = shown.rsplit("/", 1)[0] if shown else None
                if parent is None:
                    above = _shortened(row, row.steps[:-1])
                    parent = index.find(above, group=True)
                if parent:
                    extra = [n for n in (_walk(links, root, p) for p in
                                         index.positioner_groups(parent, shown)) if n]
            if group is None and not extra:
                continue
            where = shown or "/".join(p for p in (index.entry, row.path.rsplit("/", 1)[0]))
            if where not in positioners:
                positioners[where] = _positioners(group, links, row.record, extra)
            names, numbers = positioners[where]
            text = names if row.steps[-1].name == "name" else numbers
            if text is not None:
                values[row.key] = {"value": text, "units": None,
                                   "path": f"{where}/{row.steps[-1].name}"}
            continue
        shown = index.find(row)
        found = _walk(links, root, shown) if shown else None
        dataset = _dataset(found)
        if dataset is None:
            continue
        raw = _read(dataset, row.record)
        if raw is None:
            continue
        values[row.key] = {"value": convert(raw, row.nx_type), "units": _units(links, found),
                           "path": shown}


def _shortened(row: IcatKey, steps) -> IcatKey:
    """``row`` standing for the group of its last step but one (its concept shortened alike)."""
    from dataclasses import replace
    return replace(row, steps=steps)


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
    return extract(path, catalog_keys(found), entry=entry, external=policy,
                   catalog=found).values
