"""Object access through h5py's low-level API: the portable backend, and the reference.

Objects are h5py ``ObjectID``s. Every operation the validator needs is a method here, so that
``_h5io_c`` can offer the same methods over the C library directly and fall back to these for
the rare cases it does not handle itself (numeric arrays, compound and enum types).
"""

from __future__ import annotations

import h5py
import numpy as np
from h5py import h5a, h5f, h5g, h5o, h5s, h5t

from nxschema._h5.backend import Backend

SMALL_VALUE = 4096  # elements: larger datasets are never read


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

_CLASS_KIND = {h5t.INTEGER: "i", h5t.FLOAT: "f", h5t.STRING: "S", h5t.BITFIELD: "u",
               h5t.OPAQUE: "V", h5t.COMPOUND: "V", h5t.REFERENCE: "O", h5t.ENUM: "e",
               h5t.VLEN: "O", h5t.ARRAY: "V"}
_KINDS = {h5o.TYPE_GROUP: "group", h5o.TYPE_DATASET: "dataset"}
_NOT_FOUND = (KeyError, RuntimeError, OSError, ValueError, TypeError)


def _scalar_string(tid, read):
    """Fast path for the commonest value, a scalar string: one buffer, no dtype round trip."""
    if tid.is_variable_str():
        buf = np.empty((), dtype=_VLEN)
        read(buf, _VLEN_MEMTYPE)
    else:
        buf = np.empty((), dtype=f"S{tid.get_size()}")
        read(buf, tid)
    return decode(buf[()])


def _python(value, scalar_list: bool):
    """numpy data read from a file, as the checks want it: text decoded, scalars as Python."""
    if isinstance(value, bytes):
        return decode(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OS":
        flat = [decode(v) for v in value.ravel()]
        return flat[0] if scalar_list and len(flat) == 1 else flat
    if isinstance(value, np.generic):
        return value.item()
    return value


class H5pyIO(Backend):
    """The :class:`Backend` over h5py's low-level API; objects are h5py ObjectIDs."""

    name = "h5py"

    def __init__(self):
        from nxschema._h5.policy import no_external_traversal

        # by-name calls never traverse external links: the resolver follows them itself
        self.lapl = no_external_traversal()

    # --- objects --------------------------------------------------------------------------

    def root(self, f: h5py.File):
        return h5g.open(f.id, b"/")

    def wrap(self, oid):
        """The backend's object for an h5py ObjectID (a group the caller handed over)."""
        return oid

    def open(self, loc, name: bytes):
        try:
            return h5o.open(loc, name, lapl=self.lapl)
        except _NOT_FOUND:
            return None

    def is_group(self, obj) -> bool:
        return isinstance(obj, h5g.GroupID)

    def identity(self, obj):
        """(file number, address) of an object: the same for every path that leads to it."""
        info = h5o.get_info(obj)
        return info.fileno, info.addr

    # --- links ----------------------------------------------------------------------------

    def links(self, gid) -> list[tuple[bytes, int]]:
        """(name, link type) of each link of a group, in name order."""
        out: list = []
        gid.links.iterate(lambda name, info: out.append((name, info.type)), info=True)
        return out

    def kind_by_name(self, loc, name: bytes):
        """"group", "dataset" or "other" for what ``name`` leads to; None if nothing."""
        try:
            return _KINDS.get(h5o.get_info(loc, name, lapl=self.lapl).type, "other")
        except _NOT_FOUND:
            return None

    def file_number(self, loc, name: bytes):
        """HDF5's number of the file holding what ``name`` leads to (None if nothing): it
        differs from the group's own when HDF5 followed an external link on the way."""
        try:
            return h5o.get_info(loc, name, lapl=self.lapl).fileno
        except _NOT_FOUND:
            return None

    def link_type(self, loc, name: bytes):
        try:
            return loc.links.get_info(name, lapl=self.lapl).type
        except _NOT_FOUND:
            return None

    def soft_target(self, loc, name: bytes) -> str:
        return decode(loc.links.get_val(name, lapl=self.lapl))

    def external_target(self, loc, name: bytes) -> tuple[str, str]:
        ext_file, ext_path = loc.links.get_val(name, lapl=self.lapl)
        return decode(ext_file), decode(ext_path)

    def has_link(self, gid, name: bytes) -> bool:
        try:
            return gid.links.exists(name, lapl=self.lapl)
        except _NOT_FOUND:
            return False

    # --- attributes -----------------------------------------------------------------------

    def attr_names(self, obj) -> list[str]:
        names: list[bytes] = []
        h5a.iterate(obj, lambda name, *_: names.append(name))
        return [decode(n) for n in names]

    def has_attr(self, obj, name: bytes) -> bool:
        return h5a.exists(obj, name)

    def read_attr(self, obj, name: bytes):
        """An attribute's value as Python/numpy data; strings decoded. Raises ValueError if odd."""
        aid = h5a.open(obj, name)
        # The dataspace is checked before any read: HDF5 writes the whole attribute.
        kind = aid.get_space().get_simple_extent_type()
        if kind == h5s.NULL:
            return None
        tid = aid.get_type()
        if kind == h5s.SCALAR and tid.get_class() == h5t.STRING:
            return _scalar_string(tid, lambda buf, mtype: aid.read(buf, mtype=mtype))
        shape = aid.shape
        dtype = aid.dtype
        if dtype.kind == "V" and dtype.names is None and dtype.subdtype is None:
            raise ValueError(f"opaque attribute of type {dtype}")
        arr = np.zeros(shape, dtype=dtype)
        aid.read(arr, mtype=h5t.py_create(dtype))
        return _python(arr[()] if shape == () else arr, scalar_list=False)

    # --- datasets -------------------------------------------------------------------------

    def type_kind(self, did) -> tuple[str, int]:
        """(numpy-like kind, size in bytes) of a dataset's type, without a numpy dtype.

        Kinds: S text, i/u signed/unsigned integer, f float, c complex (h5py's r/i compound),
        b boolean (h5py's FALSE/TRUE enum), e other enum, V opaque/compound/array, O
        references and vlens.
        """
        tid = did.get_type()
        cls = tid.get_class()
        kind = _CLASS_KIND.get(cls, "V")
        if kind == "i" and tid.get_sign() == h5t.SGN_NONE:
            kind = "u"
        elif kind in "Ve" and cls in (h5t.COMPOUND, h5t.ENUM) and tid.get_nmembers() == 2:
            names = {tid.get_member_name(0), tid.get_member_name(1)}
            if kind == "V" and names == {b"r", b"i"}:
                kind = "c"
            elif kind == "e" and names == {b"FALSE", b"TRUE"}:
                kind = "b"
        return kind, tid.get_size()

    def shape(self, did):
        return did.shape

    def raw_location(self, did) -> tuple[str, int | None, bool]:
        """(file name, byte offset of the raw data or None if not stored contiguously in the
        file, whether it holds variable-length strings): what is checked before reading."""
        tid = did.get_type()
        vlen = tid.get_class() == h5t.STRING and tid.is_variable_str()
        return decode(h5f.get_name(did)), did.get_offset(), bool(vlen)

    def read_value(self, did, limit: int = SMALL_VALUE):
        """A dataset's value if it has at most ``limit`` elements, else None (never big data)."""
        space = did.get_space()
        kind = space.get_simple_extent_type()
        if kind == h5s.NULL:
            return None
        if kind == h5s.SCALAR:
            tid = did.get_type()
            if tid.get_class() == h5t.STRING:
                return _scalar_string(tid, lambda buf, mtype: did.read(
                    h5s.ALL, h5s.ALL, buf, mtype=mtype))
        shape = space.shape
        size = int(np.prod(shape)) if shape else 1
        if size > limit:
            return None
        dtype = did.dtype
        arr = np.zeros(shape, dtype=dtype)
        did.read(h5s.ALL, h5s.ALL, arr, mtype=h5t.py_create(dtype))
        return _python(arr[()] if shape == () else arr, scalar_list=True)
