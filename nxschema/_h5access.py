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
from collections import OrderedDict

import h5py
import numpy as np
from h5py import h5a, h5g, h5l, h5o, h5s, h5t

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
    # SWMR-read needs a recent file format; and a file this process already has open must be
    # reopened with the same locking flags, so the default locking is tried last.
    for swmr, locking in ((True, False), (False, False), (True, None), (False, None)):
        try:
            return h5py.File(path, "r", swmr=swmr, **({} if locking is None else
                                                     {"locking": locking}))
        except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: bad superblock
            last = exc
    raise FileProblem(f"cannot open (truncated or damaged?): {_one_line(last)}")


def _one_line(exc) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class NotUTF8(str):
    """Text decoded with replacement characters because its bytes were not UTF-8."""


def decode(value) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return NotUTF8(value.decode("utf-8", errors="replace"))
    return str(value)


_VLEN = h5py.string_dtype()
_VLEN_MEMTYPE = h5t.py_create(_VLEN)


def _scalar_string(obj, tid, read):
    """Fast path for the commonest value, a scalar string: one buffer, no dtype round trip."""
    if tid.is_variable_str():
        buf = np.empty((), dtype=_VLEN)
        read(buf, _VLEN_MEMTYPE)
    else:
        buf = np.empty((), dtype=f"S{tid.get_size()}")
        read(buf, tid)
    return decode(buf[()])


def read_attr(oid, name: bytes):
    """An attribute's value as Python/numpy data; strings decoded. Raises ValueError if odd."""
    aid = h5a.open(oid, name)
    # The dataspace is checked before any read: HDF5 writes the whole attribute into the buffer.
    kind = aid.get_space().get_simple_extent_type()
    if kind == h5s.NULL:
        return None
    tid = aid.get_type()
    if kind == h5s.SCALAR and tid.get_class() == h5t.STRING:
        return _scalar_string(aid, tid, lambda buf, mtype: aid.read(buf, mtype=mtype))
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


_CLASS_KIND = {h5t.INTEGER: "i", h5t.FLOAT: "f", h5t.STRING: "S", h5t.BITFIELD: "u",
               h5t.OPAQUE: "V", h5t.COMPOUND: "V", h5t.REFERENCE: "O", h5t.ENUM: "e",
               h5t.VLEN: "O", h5t.ARRAY: "V"}


def type_kind(tid) -> tuple[str, int]:
    """(numpy-like kind, size in bytes) of an HDF5 type, without building a numpy dtype.

    A numpy dtype costs more than opening the dataset; a type check needs only this. Kinds:
    S text, i/u signed/unsigned integer, f float, c complex (h5py's r/i compound), b boolean
    (h5py's FALSE/TRUE enum), e other enum, V opaque/compound/array, O references and vlens.
    """
    cls = tid.get_class()
    kind = _CLASS_KIND.get(cls, "V")
    size = tid.get_size()
    if kind == "i" and tid.get_sign() == h5t.SGN_NONE:
        kind = "u"
    elif kind == "V" and cls == h5t.COMPOUND and tid.get_nmembers() == 2 and \
            {tid.get_member_name(0), tid.get_member_name(1)} == {b"r", b"i"}:
        kind = "c"
    elif kind == "e" and tid.get_nmembers() == 2 and \
            {tid.get_member_name(0), tid.get_member_name(1)} == {b"FALSE", b"TRUE"}:
        kind = "b"
    return kind, size


def attr_names(oid) -> list[str]:
    names: list[bytes] = []
    h5a.iterate(oid, lambda name, *_: names.append(name))
    return [decode(n) for n in names]


def read_value(did, limit: int = SMALL_VALUE, tid=None):
    """A dataset's value if it has at most ``limit`` elements, else None (never read big data)."""
    space = did.get_space()
    kind = space.get_simple_extent_type()
    if kind == h5s.NULL:
        return None
    if kind == h5s.SCALAR:
        tid = tid or did.get_type()
        if tid.get_class() == h5t.STRING:
            return _scalar_string(did, tid, lambda buf, mtype: did.read(
                h5s.ALL, h5s.ALL, buf, mtype=mtype))
    shape = space.shape
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


class Child:
    """One link in a group: its kind and, for soft and external links, where it points.

    The object itself is opened only when a check asks for ``oid`` (a dataset's type, shape or
    value): knowing the kind costs a cheap ``H5Oget_info``, opening a dataset costs several times
    more.
    """

    __slots__ = ("name", "link", "target", "problem", "file", "kind", "_loc", "_raw",
                 "_key", "_oid", "_resolver")

    def __init__(self, name: str, link: int):
        self.name, self.link = name, link
        self.target = self.problem = self.file = ""
        self.kind = None  # "group", "dataset", or None when it does not resolve
        self._loc = self._raw = self._key = self._oid = self._resolver = None

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def is_dataset(self) -> bool:
        return self.kind == "dataset"

    @property
    def oid(self):
        if self._oid is None and self.kind is not None:
            self._oid = self._resolver.open_cached(self._loc, self._raw, self._key)
        return self._oid


class Resolver:
    """Finds the objects that a group's links name, following external links under a policy.

    Policies: ``below`` follows external links only to files in the linking file's folder or
    below it; ``follow`` follows any readable file; ``never`` follows none. Refused and dangling
    links come back as children with ``problem`` set; opened external files are kept for the
    run and closed by :meth:`close`. Opened objects are cached by path in a bounded cache, so
    that a soft link's target is opened once and memory stays flat.
    """

    CACHE = 1024

    def __init__(self, policy: str = "below"):
        if policy not in EXTERNAL_POLICIES:
            raise ValueError(f"external-link policy must be one of {EXTERNAL_POLICIES}")
        self.policy = policy
        self._files: dict[str, h5py.File | None] = {}
        self._opened: OrderedDict = OrderedDict()  # (file, absolute path) -> object id
        self._borrowed: dict[str, h5py.File] = {}

    def close(self) -> None:
        self._opened.clear()
        self._borrowed.clear()
        for f in self._files.values():
            if f is not None:
                f.close()
        self._files.clear()

    def open_cached(self, loc, raw: bytes, key):
        oid = self._opened.get(key)
        if oid is None:
            oid = _open(loc, raw)
            if oid is not None:
                self._opened[key] = oid
                if len(self._opened) > self.CACHE:
                    self._opened.popitem(last=False)
        return oid

    def _kind(self, loc, raw: bytes, key):
        oid = self._opened.get(key)
        if oid is not None:
            return "group" if isinstance(oid, h5g.GroupID) else "dataset"
        try:
            return _KINDS.get(h5o.get_info(loc, raw).type, "other")
        except (KeyError, RuntimeError, OSError, ValueError):
            return None

    def children(self, gid, file: str, path: str = "") -> list[Child]:
        """The links of group ``gid`` (at ``path`` in ``file``), each with its kind."""
        links: list = []
        gid.links.iterate(lambda name, info: links.append((name, info.type)), info=True)
        out = []
        prefix = path.rstrip("/") + "/"
        for index, (raw, link) in enumerate(links):
            child = Child(decode(raw), link)
            child._resolver, child._loc, child._raw = self, gid, raw
            child._key = (file, prefix + child.name)
            if link == LINK_HARD:
                # By index, in the name order links.iterate used: the cheapest way HDF5 offers
                # to tell a group from a dataset without opening it.
                try:
                    child.kind = _GROUP_KINDS.get(gid.get_objtype_by_idx(index))
                except (KeyError, RuntimeError, ValueError):
                    child.kind = None
                if child.kind is None:
                    child.kind = self._kind(gid, raw, child._key)
                if child.kind is None:
                    child.problem = "cannot be opened (damaged object?)"
            elif link == LINK_SOFT:
                child.target = decode(gid.links.get_val(raw))
                if child.target.startswith("/"):
                    child._key = (file, child.target)
                child.kind = self._kind(gid, raw, child._key)
                if child.kind is None:
                    child.problem = f"dangling soft link to {child.target}"
            elif link == LINK_EXTERNAL:
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
        child._loc, child._raw, child._key = handle.id, ext_path.encode(), (resolved, ext_path)
        child.kind = self._kind(child._loc, child._raw, child._key)
        if child.kind is None:
            child.problem = f"dangling external link: {ext_path} is not in {ext_file}"

    def add_file(self, path: str, handle: h5py.File) -> None:
        """Register a file the caller opened (and will close): links back to it reuse it."""
        self._borrowed[os.path.normpath(os.path.abspath(path))] = handle

    def locate(self, file: str, path: str, hops: int = 16) -> tuple[str, str]:
        """The file and path where the object at ``path`` really is, through soft and external
        links on the way (for messages: only called when a finding is reported)."""
        handle = self._file(os.path.normpath(os.path.abspath(file)))
        parts = [p for p in path.split("/") if p]
        if handle is None or hops <= 0:
            return file, path
        for i in range(1, len(parts) + 1):
            prefix = "/" + "/".join(parts[:i])
            rest = "/".join(parts[i:])
            try:
                info = handle.id.links.get_info(prefix.encode())
            except (KeyError, RuntimeError, ValueError):
                return file, path
            if info.type == LINK_SOFT:
                target = decode(handle.id.links.get_val(prefix.encode()))
                if not target.startswith("/"):
                    target = "/".join(parts[:i - 1] + [target])
                return self.locate(file, target.rstrip("/") + ("/" + rest if rest else ""),
                                   hops - 1)
            if info.type == LINK_EXTERNAL:
                ext_file, ext_path = (decode(v) for v in handle.id.links.get_val(prefix.encode()))
                base = os.path.dirname(os.path.abspath(file))
                resolved = os.path.normpath(os.path.join(base, ext_file))
                return self.locate(resolved, ext_path.rstrip("/") + ("/" + rest if rest else ""),
                                   hops - 1)
        return file, path

    def _file(self, path: str):
        if path in self._borrowed:
            return self._borrowed[path]
        if path not in self._files:
            try:
                self._files[path] = open_file(path)
            except FileProblem:
                self._files[path] = None
        return self._files[path]


_KINDS = {h5o.TYPE_GROUP: "group", h5o.TYPE_DATASET: "dataset"}
_GROUP_KINDS = {h5g.GROUP: "group", h5g.DATASET: "dataset"}


def _open(loc, name: bytes):
    try:
        return h5o.open(loc, name)
    except (KeyError, RuntimeError, OSError, ValueError):
        return None


def root_group(f: h5py.File):
    return h5g.open(f.id, b"/")
