"""ICAT metadata extraction: ``{key: value}`` from a NeXus/HDF5 file, for the keys the
definitions imply (``_icat``). Links are followed by hand, external ones under a folder policy;
values are converted by NX type and reported with their units.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from nxschema._icat.keys import IcatKey, catalog_keys
from nxschema.errors import IcatError

SMALL_ARRAY = 16  # arrays up to this size are reported whole, as space-separated text
MAX_HOPS = 32  # links followed for one name before giving up (loops)


@dataclass
class Extraction:
    file: str
    entry: str | None
    values: dict[str, dict]
    notes: list[str]


def _open(path):
    from nxschema._h5.access import FileProblem, open_file

    try:
        return open_file(path)
    except FileProblem as exc:
        raise IcatError(f"{path}: {exc}") from None
    except (OSError, RuntimeError, ValueError) as exc:  # a damaged superblock raises RuntimeError
        raise IcatError(f"{path}: cannot open (truncated or damaged?): "
                        f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


class _Links:
    """Follows soft and external links by hand, so that external file names resolve relative
    to the linking file and the policy (stay under the master file's folder) holds."""

    def __init__(self, master: str, anywhere: bool):
        self.home = os.path.dirname(os.path.realpath(master))
        self.anywhere = anywhere
        self.files: dict[str, object] = {}
        self.notes: list[str] = []

    def close(self) -> None:
        for handle in self.files.values():
            if handle is not None:
                handle.close()

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def external_file(self, linking_file: str, name: str):
        base = os.path.dirname(os.path.realpath(linking_file))
        resolved = os.path.realpath(name if os.path.isabs(name) else os.path.join(base, name))
        if not self.anywhere and os.path.commonpath([self.home, resolved]) != self.home:
            self.note(f"external link to {name} not followed: it leaves {self.home} "
                      "(use --allow-external-anywhere)")
            return None
        if resolved not in self.files:
            try:
                self.files[resolved] = _open(resolved)
            except IcatError as exc:
                self.note(f"external link to {name} not followed: {exc}")
                self.files[resolved] = None
        return self.files[resolved]

    def child(self, group, name: str, hops: int = 0):
        import h5py

        try:
            link = group.get(name, getlink=True)
            if link is None:
                return None
            if isinstance(link, h5py.HardLink):
                return group[name]
        except (KeyError, ValueError, RuntimeError, OSError):
            return None
        if hops >= MAX_HOPS:
            self.note(f"{group.name}/{name}: too many links in a row (a loop?)")
            return None
        if isinstance(link, h5py.SoftLink):
            return self.at(group.file, link.path, group.name or "/", hops + 1)
        if isinstance(link, h5py.ExternalLink):
            handle = self.external_file(group.file.filename, link.filename)
            return None if handle is None else self.at(handle, link.path, "/", hops + 1)
        return None

    def at(self, handle, path: str, base: str, hops: int):
        import h5py

        node = handle["/"] if path.startswith("/") else self.at(handle, base, "/", hops)
        for segment in path.split("/"):
            if not segment or segment == ".":
                continue
            if not isinstance(node, h5py.Group):
                return None
            node = self.child(node, segment, hops)
        return node


def _nx_class(node) -> str:
    try:
        value = node.attrs.get("NX_class")
    except (OSError, RuntimeError, KeyError):
        return ""
    return value.decode() if isinstance(value, bytes) else str(value or "")


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _choose_entry(root, links: _Links, entry: str | None):
    import h5py

    if entry is not None:
        node = links.child(root, entry)
        if not isinstance(node, h5py.Group):
            raise IcatError(f"no entry {entry!r} in the file")
        return entry, node
    default = root.attrs.get("default")
    default = default.decode() if isinstance(default, bytes) else default
    names = list(root.keys())
    if isinstance(default, str) and default in names:
        names.remove(default)
        names.insert(0, default)
    else:
        names.sort(key=_natural)
    for name in names:
        node = links.child(root, name)
        if isinstance(node, h5py.Group) and _nx_class(node) == "NXentry":
            return name, node
    return None, None


def _locate(entry, steps, links: _Links):
    import h5py

    node = entry
    for step in steps:
        if not isinstance(node, h5py.Group):
            return None
        found = links.child(node, step.name)
        if found is None and step.any_name and step.nx_class:
            for name in sorted(node.keys(), key=_natural):
                candidate = links.child(node, name)
                if isinstance(candidate, h5py.Group) and _nx_class(candidate) == step.nx_class:
                    found = candidate
                    break
        if step.nx_class and not isinstance(found, h5py.Group):
            return None
        node = found
    return node


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


def _units(dataset):
    try:
        units = dataset.attrs.get("units")
    except (OSError, RuntimeError):
        return None
    if units is None:
        return None
    return units.decode("utf-8", errors="replace") if isinstance(units, bytes) else str(units)


def _positioners(group, links: _Links, record: str):
    """(names, values) as space-separated text, from an NXpositioner or a collection of them."""
    import h5py

    def value_of(node):
        if isinstance(node, h5py.Group):
            node = links.child(node, "value")
        if not isinstance(node, h5py.Dataset):
            return None
        value = _read(node, record)
        if isinstance(value, list):
            value = value[-1] if record == "final" else value[0]
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    if _nx_class(group) == "NXpositioner":
        value = value_of(group)
        name_node = links.child(group, "name")
        name = _read(name_node, record) if isinstance(name_node, h5py.Dataset) else None
        name = str(name) if isinstance(name, str) else group.name.rsplit("/", 1)[-1]
        return (name, _number_text(value)) if value is not None else (None, None)
    names, values = [], []
    for child_name in group:
        value = value_of(links.child(group, child_name))
        if value is not None:
            names.append(child_name)
            values.append(_number_text(value))
    return (" ".join(names), " ".join(values)) if names else (None, None)


def extract(path, rows: list[IcatKey], *, entry: str | None = None,
            allow_external_anywhere: bool = False) -> Extraction:
    """The values of ``rows`` (a mapping) found in the file at ``path``, with their units."""
    import h5py

    path = os.fspath(path)
    handle = _open(path)
    links = _Links(path, allow_external_anywhere)
    values: dict[str, dict] = {}
    try:
        entry_name, node = _choose_entry(handle["/"], links, entry)
        positioners: dict[str, tuple] = {}
        for row in rows if node is not None else ():
            if row.key in values:
                continue
            if row.kind == "positioners":
                group = _locate(node, row.steps[:-1], links)
                if not isinstance(group, h5py.Group):
                    continue
                if group.name not in positioners:
                    positioners[group.name] = _positioners(group, links, row.record)
                names, numbers = positioners[group.name]
                text = names if row.steps[-1].name == "name" else numbers
                if text is not None:
                    values[row.key] = {"value": text, "units": None,
                                       "path": f"{group.name}/{row.steps[-1].name}"}
                continue
            dataset = _locate(node, row.steps, links)
            if not isinstance(dataset, h5py.Dataset):
                continue
            raw = _read(dataset, row.record)
            if raw is None:
                continue
            values[row.key] = {"value": convert(raw, row.nx_type), "units": _units(dataset),
                               "path": f"/{entry_name}/{row.path}"}
    except (OSError, RuntimeError) as exc:
        raise IcatError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None
    finally:
        links.close()
        handle.close()
    return Extraction(path, entry_name, values, links.notes)


def icat_extract(path, *, defs=(), bundled: bool = True, entry: str | None = None,
                 allow_external_anywhere: bool = False, catalog=None) -> dict[str, dict]:
    """``{key: {"value", "units", "path"}}`` for every ICAT key the definitions map and the file
    at ``path`` holds (an empty dict when it holds none). Raises :class:`IcatError` for a file
    that cannot be read. External links are followed only to files under the folder of ``path``
    unless ``allow_external_anywhere``.
    """
    if catalog is None:
        from nxschema._definitions.catalog import load

        catalog = load(*defs, bundled=bundled, strict=False)
    return extract(path, catalog_keys(catalog), entry=entry,
                   allow_external_anywhere=allow_external_anywhere).values
