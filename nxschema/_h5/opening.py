"""Opening HDF5 files for reading so that a damaged file fails fast instead of hanging.

Why this is careful: in SWMR-read mode HDF5 retries every metadata read whose checksum fails
(a writer may be half-way through an update), up to 100 times with a sleep that doubles each
time; a single flipped byte in an object header then costs minutes. Opened without SWMR, the
same read fails at once. So a file is opened in SWMR-read mode only when its superblock says a
writer holds it open for SWMR writing, and even then the metadata read attempts are capped
(``H5Pset_metadata_read_attempts``, called on h5py's own library through ctypes).

File locking is off (a file being written stays readable, and reading never touches it).
"""

from __future__ import annotations

import ctypes
import os

import h5py
from h5py import h5f, h5p

from nxschema.errors import UnreadableFileError as FileProblem

SIGNATURE = b"\x89HDF\r\n\x1a\n"
SWMR_WRITE_FLAG = 0x04  # superblock v3 "file consistency flags", bit 2
READ_ATTEMPTS = 2  # SWMR reads: one retry rides out a writer's update, not a damaged header


def superblock(path: str) -> tuple[int, int] | None:
    """(version, file consistency flags) of the superblock of ``path``; None if there is none.

    The superblock is at 0 or after a user block (512, 1024, 2048, ... bytes). Versions 0 and 1
    keep their flags elsewhere and know nothing of SWMR: they are reported with flags 0.
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            offset = 0
            while offset + 12 <= size:
                handle.seek(offset)
                head = handle.read(12)
                if head[:8] == SIGNATURE:
                    version = head[8]
                    return version, (head[11] if version >= 2 else 0)
                offset = 512 if offset == 0 else offset * 2
    except OSError:
        return None
    return None


def being_written_with_swmr(path: str) -> bool:
    """True if the superblock says a writer holds the file open for SWMR writing."""
    found = superblock(path)
    return found is not None and found[0] >= 3 and bool(found[1] & SWMR_WRITE_FLAG)


def open_file(path) -> h5py.File:
    """Open ``path`` read-only, without locking; SWMR-read (with capped retries) only for a
    file that a SWMR writer holds open. Raises :class:`FileProblem` with a one-line reason."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileProblem("no such file")
    if os.path.isdir(path):
        raise FileProblem("is a folder, not an HDF5 file")
    if not os.path.isfile(path):
        raise FileProblem("not a regular file")  # a FIFO would block the open forever
    if not os.access(path, os.R_OK):
        raise FileProblem("permission denied")
    if not h5py.is_hdf5(path):
        size = os.path.getsize(path)
        raise FileProblem("not an HDF5 file" + (" (empty)" if size == 0 else ""))
    spin = global_heap_problem(path)
    if spin:
        raise FileProblem(spin)
    swmr_first = being_written_with_swmr(path)
    last = None
    # A file this process already has open must be reopened with the same locking flags, so
    # the default locking is tried last. SWMR is tried only for a file a SWMR writer holds.
    modes = ((True, False), (False, False), (True, None), (False, None)) if swmr_first else \
        ((False, False), (False, None))
    for swmr, locking in modes:
        try:
            return _open(path, swmr, locking)
        except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: bad superblock
            last = exc
    raise FileProblem(f"cannot open (truncated or damaged?): {_one_line(last)}")


def _open(path: str, swmr: bool, locking) -> h5py.File:
    if not swmr:
        return h5py.File(path, "r", **({} if locking is None else {"locking": locking}))
    fapl = h5p.create(h5p.FILE_ACCESS)
    fapl.set_fclose_degree(h5f.CLOSE_STRONG)  # what h5py.File itself sets
    if locking is not None:
        fapl.set_file_locking(locking, ignore_when_disabled=True)
    cap_read_attempts(fapl, READ_ATTEMPTS)
    fid = h5f.open(os.fsencode(path), h5f.ACC_RDONLY | h5f.ACC_SWMR_READ, fapl=fapl)
    return h5py.File(fid)


def _one_line(exc) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


_SET: list = []


def cap_read_attempts(fapl, attempts: int) -> bool:
    """Set the metadata read attempts of an h5py file-access property list; False if the call
    is not available (then HDF5's default of 100 attempts applies to SWMR reads)."""
    if not _SET:
        _SET.append(_find_setter())
    pair = _SET[0]
    if pair is None:
        return False
    setter, getter = pair
    if setter(fapl.id, attempts) < 0:
        return False
    got = ctypes.c_uint()
    return getter(fapl.id, ctypes.byref(got)) >= 0 and got.value == attempts


def _find_setter():
    lib = own_library()
    if lib is None:
        return None
    setter, getter = lib.H5Pset_metadata_read_attempts, lib.H5Pget_metadata_read_attempts
    setter.restype, setter.argtypes = ctypes.c_int, (ctypes.c_int64, ctypes.c_uint)
    getter.restype = ctypes.c_int
    getter.argtypes = (ctypes.c_int64, ctypes.POINTER(ctypes.c_uint))
    return setter, getter


_LIB: list = []


def own_library():
    """h5py's own HDF5 library as a ctypes.PyDLL, or None: proven by setting a value on a
    property list h5py made and reading it back (another library would not know the id)."""
    if _LIB:
        return _LIB[0]
    from nxschema._h5.library import _loaded_libraries

    found = None
    for path in _loaded_libraries():
        try:
            lib = ctypes.PyDLL(path)
            setter, getter = lib.H5Pset_metadata_read_attempts, lib.H5Pget_metadata_read_attempts
        except (OSError, AttributeError):
            continue
        setter.restype, setter.argtypes = ctypes.c_int, (ctypes.c_int64, ctypes.c_uint)
        getter.restype = ctypes.c_int
        getter.argtypes = (ctypes.c_int64, ctypes.POINTER(ctypes.c_uint))
        probe = h5p.create(h5p.FILE_ACCESS)
        got = ctypes.c_uint()
        if setter(probe.id, 7) >= 0 and getter(probe.id, ctypes.byref(got)) >= 0 and \
                got.value == 7:
            found = lib
            break
    _LIB.append(found)
    return found


GLOBAL_HEAP_SCAN = 64 << 20  # bytes: files up to this size are scanned (a few ms)


def global_heap_problem(path: str, limit: int = GLOBAL_HEAP_SCAN) -> str | None:
    """Why HDF5 would spin forever on a global heap collection of ``path`` (None if not).

    HDF5 parses a collection ("GCOL", where variable-length strings live) object by object;
    a damaged size of 0 for the free-space object makes that loop stand still, holding the
    CPU for good. Collections are found by their signature in files up to ``limit`` bytes and
    parsed here the way HDF5 does, before HDF5 sees them. Offsets and lengths are assumed to
    be 8 bytes (what every writer uses)."""
    try:
        size = os.path.getsize(path)
        if size > limit:
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    start = data.find(b"GCOL")
    while start >= 0:
        if start + 16 <= len(data):
            total = int.from_bytes(data[start + 8:start + 16], "little")
            end = start + total
            p = start + 16
            while total >= 16 and p < end:
                if p + 16 > end:
                    break  # too small for an object header: free space
                index = int.from_bytes(data[p:p + 2], "little")
                length = int.from_bytes(data[p + 8:p + 16], "little")
                need = 16 + ((length + 7) & ~7) if index else length
                if need <= 0:
                    return (f"damaged global heap at byte {start} (an object of size 0): "
                            "HDF5 would never finish reading it")
                p += need
        start = data.find(b"GCOL", start + 4)
    return None
