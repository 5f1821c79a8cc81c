"""Read-only, low-level access to HDF5 files for validation and extraction.

h5py's high-level objects cost far more per object than the HDF5 C library; the validator walks
files through the low-level ``h5g``/``h5l``/``h5o``/``h5a`` API instead, and reads only the
attributes and small values the compiled plan asks for. Payloads are never read in bulk.

Files are opened read-only, with HDF5 file locking off and in SWMR-read mode when the file allows
it, so that a file still being written by an acquisition program can be checked and every file
stays byte-identical.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import h5py
import numpy as np
from h5py import h5a, h5g, h5l, h5o, h5t

LINK_HARD, LINK_SOFT, LINK_EXTERNAL = h5l.TYPE_HARD, h5l.TYPE_SOFT, h5l.TYPE_EXTERNAL
SMALL_VALUE = 4096  # elements: larger datasets are never read

EXTERNAL_POLICIES = ("below", "follow", "never")


class FileProblem(Exception):
    """A file cannot be opened; the message is one line for the user."""


def open_file(path) -> h5py.File:
    """Open ``path`` read-only, without locking, in SWMR-read mode where possible."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileProblem("no such file")
    if os.path.isdir(path):
        raise FileProblem("is a folder, not an HDF5 file")
    if not os.access(path, os.R_OK):
        raise FileProblem("permission denied")
    if not h5py.is_hdf5(path):
        size = os.path.getsize(path)
        raise FileProblem("not an HDF5 file" + (" (empty)" if size == 0 else ""))
    last = None
    for swmr in (True, False):
        try:
            return h5py.File(path, "r", locking=False, swmr=swmr)
        except (OSError, ValueError) as exc:  # SWMR needs a recent file format; retry without
            last = exc
    raise FileProblem(f"cannot open (truncated or damaged?): {_one_line(last)}")


def _one_line(exc) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def decode(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def read_attr(oid, name: bytes):
    """An attribute's value as Python/numpy data; strings decoded. Raises ValueError if odd."""
    aid = h5a.open(oid, name)
    shape = aid.shape
    if shape is None:
        return None  # a null dataspace: present, without a value
    dtype = aid.dtype
    if dtype.kind == "V" and dtype.names is None and dtype.subdtype is None:
        raise ValueError(f"opaque attribute of type {dtype}")
    arr = np.zeros(shape, dtype=dtype)
    aid.read(arr, mtype=h5t.py_create(dtype))
    value = arr[()] if shape == () else arr
    if isinstance(value, bytes):
        return decode(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OS":
        return [decode(v) for v in value.ravel()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def attr_names(oid) -> list[str]:
    names: list[bytes] = []
    h5a.iterate(oid, lambda name, *_: names.append(name))
    return [decode(n) for n in names]


def read_value(did, limit: int = SMALL_VALUE):
    """A dataset's value if it has at most ``limit`` elements, else None (never read big data)."""
    shape = did.shape
    if shape is None:
        return None
    size = int(np.prod(shape)) if shape else 1
    if size > limit:
        return None
    dtype = did.dtype
    arr = np.zeros(shape, dtype=dtype)
    did.read(h5py.h5s.ALL, h5py.h5s.ALL, arr, mtype=h5t.py_create(dtype))
    value = arr[()] if shape == () else arr
    if isinstance(value, bytes):
        return decode(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OS":
        flat = [decode(v) for v in value.ravel()]
        return flat[0] if len(flat) == 1 else flat
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(slots=True)
class Child:
    """One link in a group: what it is and, for soft and external links, where it points."""

    name: str
    link: int  # LINK_HARD, LINK_SOFT or LINK_EXTERNAL
    target: str = ""  # soft: the path; external: "file::path"
    oid: object = None  # GroupID or DatasetID, or None if it does not resolve
    problem: str = ""  # why it does not resolve
    file: str = ""  # for external links: the resolved file path

    @property
    def is_group(self) -> bool:
        return isinstance(self.oid, h5g.GroupID)

    @property
    def is_dataset(self) -> bool:
        return isinstance(self.oid, h5py.h5d.DatasetID)


class Resolver:
    """Opens the objects that a group's links name, following external links under a policy.

    Policies: ``below`` follows external links only to files in the linking file's folder or
    below it; ``follow`` follows any readable file; ``never`` follows none. Refused and dangling
    links come back as children with ``problem`` set; opened external files are kept for the
    run and closed by :meth:`close`.
    """

    def __init__(self, policy: str = "below"):
        if policy not in EXTERNAL_POLICIES:
            raise ValueError(f"external-link policy must be one of {EXTERNAL_POLICIES}")
        self.policy = policy
        self._files: dict[str, h5py.File | None] = {}

    def close(self) -> None:
        for f in self._files.values():
            if f is not None:
                f.close()
        self._files.clear()

    def children(self, gid, file: str) -> list[Child]:
        links: list = []
        gid.links.iterate(lambda name, info: links.append((name, info.type)), info=True)
        out = []
        for raw, kind in links:
            child = Child(decode(raw), kind)
            if kind == LINK_HARD:
                child.oid = _open(gid, raw)
                if child.oid is None:
                    child.problem = "cannot be opened (damaged object?)"
            elif kind == LINK_SOFT:
                child.target = decode(gid.links.get_val(raw))
                child.oid = _open(gid, raw)
                if child.oid is None:
                    child.problem = f"dangling soft link to {child.target}"
            elif kind == LINK_EXTERNAL:
                self._external(gid, raw, child, file)
            else:
                child.problem = "user-defined link type, not followed"
            out.append(child)
        return out

    def _external(self, gid, raw, child: Child, file: str) -> None:
        ext_file, ext_path = (decode(v) for v in gid.links.get_val(raw))
        child.target = f"{ext_file}::{ext_path}"
        base = os.path.dirname(os.path.abspath(file))
        resolved = os.path.normpath(ext_file if os.path.isabs(ext_file)
                                    else os.path.join(base, ext_file))
        child.file = resolved
        if self.policy == "never":
            child.problem = f"external link to {child.target} not followed (policy 'never')"
            return
        if self.policy == "below" and os.path.commonpath([base, resolved]) != base:
            child.problem = (f"external link to {child.target} leaves the linking file's folder; "
                             "not followed (use --external follow to allow)")
            return
        handle = self._file(resolved)
        if handle is None:
            child.problem = f"dangling external link: file {ext_file} cannot be opened"
            return
        child.oid = _open(handle.id, ext_path.encode())
        if child.oid is None:
            child.problem = f"dangling external link: {ext_path} is not in {ext_file}"

    def _file(self, path: str):
        if path not in self._files:
            try:
                self._files[path] = open_file(path)
            except FileProblem:
                self._files[path] = None
        return self._files[path]


def _open(loc, name: bytes):
    try:
        return h5o.open(loc, name)
    except (KeyError, RuntimeError, OSError, ValueError):
        return None


def object_key(oid) -> tuple:
    """Identity of an object across links: (file number, address)."""
    info = h5o.get_info(oid)
    return (oid.fileno, getattr(info, "addr", None) or getattr(info, "token", None))


def root_group(f: h5py.File):
    return h5g.open(f.id, b"/")
