"""Object access through the HDF5 C library that h5py itself loaded, called with ctypes.

Why: each h5py low-level call creates an ``ObjectID`` (a Python object registered in a weak
dictionary, with a lock) and most go through several Python layers. On a validation walk that
is more than half of the time spent in HDF5 calls. Calling the same library directly costs a
fraction of that; the objects here are small handles closed when garbage.

Safety:

* the library is the very one h5py uses: it is found among the libraries already loaded in the
  process, and a self-test on an in-memory file must give the same answers as the h5py backend
  (which also proves the struct offsets below), or this backend is not used at all;
* ``ctypes.PyDLL`` keeps the GIL during every call, and link/attribute iteration (which calls
  back into Python) holds h5py's own lock, so no other thread's h5py call can enter HDF5;
* only the common cases are handled here (scalar strings and numbers, plain types); everything
  else goes to the h5py backend on the same object, so behaviour never differs.

``NXSCHEMA_H5_BACKEND=h5py`` turns this backend off.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import uuid

import h5py
from h5py import h5, h5g, h5i, h5s, h5t
from h5py._objects import phil

from nxschema._h5.backend import Backend
from nxschema._h5.backend_h5py import _CLASS_KIND as _H5PY_CLASS_KIND
from nxschema._h5.library import _loaded_libraries
from nxschema._h5.backend_h5py import _KINDS, SMALL_VALUE, H5pyIO, decode

hid_t, herr_t, htri_t, hsize_t = ctypes.c_int64, ctypes.c_int, ctypes.c_int, ctypes.c_uint64
_P, _S, _I, _U = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint

_LINK_CB = ctypes.CFUNCTYPE(herr_t, hid_t, _S, ctypes.POINTER(_I), _P)
_ATTR_CB = ctypes.CFUNCTYPE(herr_t, hid_t, _S, _P, _P)

_SIGNATURES = {
    "H5get_libversion": (herr_t, ctypes.POINTER(_U), ctypes.POINTER(_U), ctypes.POINTER(_U)),
    "H5Oopen": (hid_t, hid_t, _S, hid_t),
    "H5Oclose": (herr_t, hid_t),
    "H5Iget_type": (_I, hid_t),
    "H5Iinc_ref": (_I, hid_t),
    "H5Lget_val": (herr_t, hid_t, _S, _P, ctypes.c_size_t, hid_t),
    "H5Lexists": (htri_t, hid_t, _S, hid_t),
    "H5Aiterate2": (herr_t, hid_t, _I, _I, ctypes.POINTER(hsize_t), _ATTR_CB, _P),
    "H5Aexists": (htri_t, hid_t, _S),
    "H5Aopen": (hid_t, hid_t, _S, hid_t),
    "H5Aclose": (herr_t, hid_t),
    "H5Aget_space": (hid_t, hid_t),
    "H5Aget_type": (hid_t, hid_t),
    "H5Aread": (herr_t, hid_t, hid_t, _P),
    "H5Dget_space": (hid_t, hid_t),
    "H5Dget_type": (hid_t, hid_t),
    "H5Dread": (herr_t, hid_t, hid_t, hid_t, hid_t, hid_t, _P),
    "H5Sget_simple_extent_type": (_I, hid_t),
    "H5Sget_simple_extent_dims": (_I, hid_t, ctypes.POINTER(hsize_t), ctypes.POINTER(hsize_t)),
    "H5Sclose": (herr_t, hid_t),
    "H5Tget_class": (_I, hid_t),
    "H5Tget_size": (ctypes.c_size_t, hid_t),
    "H5Tget_sign": (_I, hid_t),
    "H5Tget_cset": (_I, hid_t),
    "H5Tis_variable_str": (htri_t, hid_t),
    "H5Tcopy": (hid_t, hid_t),
    "H5Tset_size": (herr_t, hid_t, ctypes.c_size_t),
    "H5Tset_cset": (herr_t, hid_t, _I),
    "H5Tclose": (herr_t, hid_t),
    "H5free_memory": (herr_t, _P),
    "H5Dget_offset": (ctypes.c_uint64, hid_t),
    "H5Fget_name": (ctypes.c_ssize_t, hid_t, _P, ctypes.c_size_t),
}
# Renamed between releases; the first that exists is bound under the plain name.
_VERSIONED = {
    "H5Literate": (("H5Literate2", "H5Literate"),
                   (herr_t, hid_t, _I, _I, ctypes.POINTER(hsize_t), _LINK_CB, _P)),
    "H5Oget_info_by_name": (("H5Oget_info_by_name3", "H5Oget_info_by_name2"),
                            (herr_t, hid_t, _S, _P, _U, hid_t)),
}
_H5O_INFO_BASIC = 1


class _Lib:
    """The bound functions, and the memory types built once."""

    def __init__(self, path: str):
        lib = ctypes.PyDLL(path)
        for name, (res, *args) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
            setattr(self, name, fn)
        for name, (candidates, (res, *args)) in _VERSIONED.items():
            fn = next(getattr(lib, c) for c in candidates if hasattr(lib, c))
            fn.restype, fn.argtypes = res, args
            setattr(self, name, fn)
        self.version = tuple(self._version())
        # H5O_info2_t (1.12+): fileno, 16-byte token, then the type; H5O_info1_t: fileno, addr.
        self.info_type_offset = 24 if self.version >= (1, 12) else 16
        self.c_s1 = hid_t.in_dll(lib, "H5T_C_S1_g").value
        self.int64 = hid_t.in_dll(lib, "H5T_NATIVE_LLONG_g").value
        self.uint64 = hid_t.in_dll(lib, "H5T_NATIVE_ULLONG_g").value
        self.double = hid_t.in_dll(lib, "H5T_NATIVE_DOUBLE_g").value
        self.vlen_str = {}
        for cset in (h5t.CSET_ASCII, h5t.CSET_UTF8):
            tid = self.H5Tcopy(self.c_s1)
            self.H5Tset_size(tid, ctypes.c_size_t(-1).value)  # H5T_VARIABLE
            self.H5Tset_cset(tid, cset)
            self.vlen_str[cset] = tid

    def _version(self):
        parts = [_U(), _U(), _U()]
        self.H5get_libversion(*[ctypes.byref(p) for p in parts])
        return (p.value for p in parts)


class _Obj:
    """An open group or dataset; closed when no longer referenced."""

    __slots__ = ("hid", "group", "h5", "_close")

    def __init__(self, hid: int, group: bool, close):
        self.hid, self.group, self.h5, self._close = hid, group, None, close

    def __del__(self):
        try:
            self._close(self.hid)
        except Exception:  # interpreter shutdown
            pass


_H5I_GROUP, _H5I_DATASET = h5i.GROUP, h5i.DATASET
# Compound and enum types are left to the h5py backend: complex numbers and booleans hide there.
_CLASS_KIND = {cls: kind for cls, kind in _H5PY_CLASS_KIND.items()
               if cls not in (h5t.COMPOUND, h5t.ENUM)}
_SCALAR, _NULL, _STRING = h5s.SCALAR, h5s.NULL, h5t.STRING
_INTEGER, _FLOAT = h5t.INTEGER, h5t.FLOAT
_ALL = h5s.ALL.id
_NAME, _INC = h5.INDEX_NAME, h5.ITER_INC
_LINK_BUF = 4096
_HADDR_UNDEF = 2**64 - 1


class CIO(Backend):
    """The :class:`Backend` over the HDF5 C library through ctypes; objects are :class:`_Obj`.
    What it does not handle itself (compound and enum types, long link values) it hands to
    the h5py backend (``slow``), on the same HDF5 identifiers."""

    name = "ctypes"

    def __init__(self, lib: _Lib):
        self.lib = lib
        self.slow = H5pyIO()
        # by-name calls never traverse external links (see _h5.policy.no_external_traversal)
        self.lapl = self.slow.lapl.id if self.slow.lapl is not None else 0
        self._found: list = []  # filled by the callbacks, under h5py's lock
        found = self._found
        # Kept on the instance: ctypes callbacks must outlive every call that uses them.
        self._link_cb = _LINK_CB(lambda loc, name, info, data: found.append((name, info[0])) or 0)
        self._attr_cb = _ATTR_CB(lambda loc, name, info, data: found.append(name) or 0)

    # --- objects --------------------------------------------------------------------------

    def _obj(self, hid: int):
        if hid < 0:
            return None
        kind = self.lib.H5Iget_type(hid)
        if kind != _H5I_GROUP and kind != _H5I_DATASET:  # a named datatype, say
            self.lib.H5Oclose(hid)
            return None
        return _Obj(hid, kind == _H5I_GROUP, self.lib.H5Oclose)

    def root(self, f: h5py.File):
        return self._obj(self.lib.H5Oopen(f.id.id, b"/", 0))

    def wrap(self, oid):
        self.lib.H5Iinc_ref(oid.id)
        return _Obj(oid.id, isinstance(oid, h5g.GroupID), self.lib.H5Oclose)

    def _h5py(self, obj):
        """The h5py ObjectID of the same object, for the cases left to the h5py backend."""
        if obj.h5 is None:
            self.lib.H5Iinc_ref(obj.hid)
            obj.h5 = h5i.wrap_identifier(obj.hid)
        return obj.h5

    def open(self, loc, name: bytes):
        return self._obj(self.lib.H5Oopen(loc.hid, name, self.lapl))

    def is_group(self, obj) -> bool:
        return obj.group

    def identity(self, obj):
        """(file number, address token) of an object: the same for every path to it."""
        info = ctypes.create_string_buffer(256)
        if self.lib.H5Oget_info_by_name(obj.hid, b".", info, _H5O_INFO_BASIC, 0) < 0:
            return self.slow.identity(self._h5py(obj))
        return info.raw[:8], info.raw[8:self.lib.info_type_offset]

    # --- links ----------------------------------------------------------------------------

    def links(self, gid) -> list[tuple[bytes, int]]:
        with phil:  # the callback runs Python: keep other threads' h5py calls out of HDF5
            found = self._found
            found.clear()
            if self.lib.H5Literate(gid.hid, _NAME, _INC, None, self._link_cb, None) < 0:
                return self.slow.links(self._h5py(gid))
            out = found[:]
            found.clear()
        return out

    def kind_by_name(self, loc, name: bytes):
        info = ctypes.create_string_buffer(256)  # per call: threads must not share buffers
        if self.lib.H5Oget_info_by_name(loc.hid, name, info, _H5O_INFO_BASIC, self.lapl) < 0:
            return None
        kind = int.from_bytes(info.raw[self.lib.info_type_offset:self.lib.info_type_offset + 4],
                              sys.byteorder, signed=True)
        return _KINDS.get(kind, "other")

    def file_number(self, loc, name: bytes):
        info = ctypes.create_string_buffer(256)
        if self.lib.H5Oget_info_by_name(loc.hid, name, info, _H5O_INFO_BASIC, self.lapl) < 0:
            return None
        # fileno is the first member of H5O_info1_t and H5O_info2_t alike (an unsigned long)
        return ctypes.c_ulong.from_buffer_copy(info.raw[:ctypes.sizeof(ctypes.c_ulong)]).value

    def link_type(self, loc, name: bytes):
        return self.slow.link_type(self._h5py(loc), name)

    def soft_target(self, loc, name: bytes) -> str:
        buf = ctypes.create_string_buffer(_LINK_BUF)
        if self.lib.H5Lget_val(loc.hid, name, buf, _LINK_BUF, self.lapl) < 0 or \
                len(buf.value) >= _LINK_BUF - 1:
            return self.slow.soft_target(self._h5py(loc), name)
        return decode(buf.value)

    def external_target(self, loc, name: bytes) -> tuple[str, str]:
        return self.slow.external_target(self._h5py(loc), name)

    def has_link(self, gid, name: bytes) -> bool:
        return self.lib.H5Lexists(gid.hid, name, self.lapl) > 0

    # --- attributes -----------------------------------------------------------------------

    def attr_names(self, obj) -> list[str]:
        with phil:
            found = self._found
            found.clear()
            if self.lib.H5Aiterate2(obj.hid, _NAME, _INC, None, self._attr_cb, None) < 0:
                return self.slow.attr_names(self._h5py(obj))
            out = [decode(n) for n in found]
            found.clear()
        return out

    def has_attr(self, obj, name: bytes) -> bool:
        found = self.lib.H5Aexists(obj.hid, name)
        if found < 0:
            return self.slow.has_attr(self._h5py(obj), name)
        return found > 0

    def read_attr(self, obj, name: bytes):
        lib = self.lib
        aid = lib.H5Aopen(obj.hid, name, 0)
        if aid >= 0:
            try:
                value = self._scalar(aid, lib.H5Aget_space, lib.H5Aget_type, lib.H5Aread)
            finally:
                lib.H5Aclose(aid)
            if value is not _OTHER:
                return value
        return self.slow.read_attr(self._h5py(obj), name)

    # --- datasets -------------------------------------------------------------------------

    def type_kind(self, did) -> tuple[str, int]:
        lib = self.lib
        tid = lib.H5Dget_type(did.hid)
        if tid < 0:
            return self.slow.type_kind(self._h5py(did))
        try:
            cls = lib.H5Tget_class(tid)
            kind = _CLASS_KIND.get(cls)
            if kind is None:
                return self.slow.type_kind(self._h5py(did))
            if kind == "i" and lib.H5Tget_sign(tid) == h5t.SGN_NONE:
                kind = "u"
            return kind, lib.H5Tget_size(tid)
        finally:
            lib.H5Tclose(tid)

    def raw_location(self, did) -> tuple[str, int | None, bool]:
        """(file name, byte offset of the raw data or None if not stored contiguously in the
        file, whether it holds variable-length strings): what is checked before reading."""
        lib = self.lib
        buf = ctypes.create_string_buffer(4096)
        if lib.H5Fget_name(did.hid, buf, 4096) < 0:
            return self.slow.raw_location(self._h5py(did))
        offset = lib.H5Dget_offset(did.hid)
        tid = lib.H5Dget_type(did.hid)
        if tid < 0:
            return self.slow.raw_location(self._h5py(did))
        try:
            vlen = lib.H5Tget_class(tid) == _STRING and lib.H5Tis_variable_str(tid) > 0
        finally:
            lib.H5Tclose(tid)
        return decode(buf.value), (None if offset == _HADDR_UNDEF else offset), vlen

    def shape(self, did):
        lib = self.lib
        space = lib.H5Dget_space(did.hid)
        if space < 0:
            return self.slow.shape(self._h5py(did))
        try:
            kind = lib.H5Sget_simple_extent_type(space)
            if kind == _NULL:
                return None
            dims = (hsize_t * 32)()  # H5S_MAX_RANK
            rank = lib.H5Sget_simple_extent_dims(space, dims, None)
            if rank < 0:
                return self.slow.shape(self._h5py(did))
            return tuple(dims[:rank])
        finally:
            lib.H5Sclose(space)

    def read_value(self, did, limit: int = SMALL_VALUE):
        lib = self.lib
        value = self._scalar(did.hid, lib.H5Dget_space, lib.H5Dget_type, self._dread)
        if value is _OTHER:
            return self.slow.read_value(self._h5py(did), limit)
        return value

    def _dread(self, did, memtype, buf):
        return self.lib.H5Dread(did, memtype, _ALL, _ALL, 0, buf)

    def _scalar(self, hid, get_space, get_type, read):
        """The value of a scalar string or number (attribute or dataset), None for an empty
        dataspace; ``_OTHER`` for anything else (left to the h5py backend)."""
        lib = self.lib
        space = get_space(hid)
        if space < 0:
            return _OTHER
        kind = lib.H5Sget_simple_extent_type(space)
        lib.H5Sclose(space)
        if kind == _NULL:
            return None
        if kind != _SCALAR:
            return _OTHER
        tid = get_type(hid)
        if tid < 0:
            return _OTHER
        try:
            cls = lib.H5Tget_class(tid)
            if cls == _STRING:
                return self._string(hid, tid, read)
            size = lib.H5Tget_size(tid)
            if cls == _INTEGER and size <= 8:
                signed = lib.H5Tget_sign(tid) != h5t.SGN_NONE
                buf = ctypes.c_longlong() if signed else ctypes.c_ulonglong()
                ok = read(hid, lib.int64 if signed else lib.uint64, ctypes.byref(buf)) >= 0
                return buf.value if ok else _OTHER
            if cls == _FLOAT and size <= 8:
                buf = ctypes.c_double()
                return buf.value if read(hid, lib.double, ctypes.byref(buf)) >= 0 else _OTHER
            return _OTHER
        finally:
            lib.H5Tclose(tid)

    def _string(self, hid, tid, read):
        lib = self.lib
        if lib.H5Tis_variable_str(tid) > 0:
            memtype = lib.vlen_str.get(lib.H5Tget_cset(tid))
            pointer = ctypes.c_void_p()
            if memtype is None or read(hid, memtype, ctypes.byref(pointer)) < 0:
                return _OTHER
            if not pointer.value:
                return ""
            raw = ctypes.string_at(pointer.value)
            lib.H5free_memory(pointer)
            return decode(raw)
        buf = ctypes.create_string_buffer(lib.H5Tget_size(tid))
        if read(hid, tid, buf) < 0:
            return _OTHER
        return decode(buf.raw.rstrip(b"\0"))


_OTHER = object()


def load() -> CIO | None:
    """The ctypes backend over h5py's own HDF5 library, or None if it cannot be proven safe."""
    if os.environ.get("NXSCHEMA_H5_BACKEND", "").lower() == "h5py":
        return None
    for path in _loaded_libraries():
        try:
            io = CIO(_Lib(path))
            if _agrees_with_h5py(io):
                return io
        except (OSError, AttributeError, StopIteration, ValueError, KeyError, RuntimeError,
                TypeError):
            continue
    return None


def _agrees_with_h5py(io: CIO) -> bool:
    """Both backends read one in-memory file the same way, through ids made by h5py: proof
    that the library is h5py's own and that the struct offsets are right."""
    slow = io.slow
    name = f"nxschema-selftest-{uuid.uuid4().hex}.h5"
    with h5py.File(name, "w", driver="core", backing_store=False) as f:
        g = f.create_group("g")
        g.attrs["NX_class"] = "NXentry"
        g.attrs["fixed"] = b"abc"
        g.attrs["n"] = 7
        d = g.create_dataset("d", data=[[1.5, 2.0, 3.0]], dtype="f4")
        d.attrs["units"] = "eV"
        g["s"] = "text"
        g["i"] = -3
        g["u"] = 2**40
        g["link"] = h5py.SoftLink("/g/d")
        root_slow, root_fast = slow.root(f), io.root(f)
        gs, gf = slow.open(root_slow, b"g"), io.open(root_fast, b"g")
        checks = [
            (slow.links(gs), io.links(gf)),
            (slow.kind_by_name(gs, b"link"), io.kind_by_name(gf, b"link")),
            (slow.kind_by_name(root_slow, b"g"), io.kind_by_name(root_fast, b"g")),
            (slow.soft_target(gs, b"link"), io.soft_target(gf, b"link")),
            (slow.file_number(gs, b"link"), io.file_number(gf, b"link")),
            (slow.attr_names(gs), io.attr_names(gf)),
            ([slow.read_attr(gs, a) for a in (b"NX_class", b"fixed", b"n")],
             [io.read_attr(gf, a) for a in (b"NX_class", b"fixed", b"n")]),
        ]
        for child in (b"d", b"s", b"i", b"u"):
            ds, df = slow.open(gs, child), io.open(gf, child)
            checks += [(slow.type_kind(ds), io.type_kind(df)), (slow.shape(ds), io.shape(df)),
                       (slow.read_value(ds), io.read_value(df)),
                       (slow.raw_location(ds), io.raw_location(df))]
        agree = all(_same(a, b) for a, b in checks) and io.has_attr(io.open(gf, b"d"), b"units")
        del gf, root_fast
    return agree


def _same(a, b) -> bool:
    try:
        return bool(a == b) if not hasattr(a, "shape") else a.tolist() == b.tolist()
    except Exception:
        return False
