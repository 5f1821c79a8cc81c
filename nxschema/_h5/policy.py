"""The external-file policy, for every way HDF5 can open another file.

Three things make HDF5 read another file: an external link, a virtual dataset (VDS) whose
sources live elsewhere, and a dataset whose raw data is stored in external files
(``H5Pset_external``). All three are judged here by the same rule, on the *real* path (symlinks
resolved, ``..`` normalised), so that a symlink inside the folder that points outside, or a
relative name climbing out, is seen for what it is:

* ``below``: only files in the linking file's (real) folder or below it;
* ``follow``: any file;
* ``never``: no other file.

A refused link is not followed and a dataset with a refused source is never read: its value is
taken as unknown, and the walk reports ``external-link-not-followed``.
"""

from __future__ import annotations

import ctypes
import os

POLICIES = ("below", "follow", "never")
H5D_CONTIGUOUS, H5D_VIRTUAL = 1, 3


def real_folder(file: str) -> str:
    """The real folder of ``file`` (where ``below`` allows links to go)."""
    return os.path.dirname(os.path.realpath(os.path.abspath(file)))


def target_path(linking_file: str, name: str) -> str:
    """The path HDF5 would look for first: ``name`` as is if absolute, else next to the linking
    file (normalised, not yet resolved)."""
    base = os.path.dirname(os.path.abspath(linking_file))
    return os.path.normpath(name if os.path.isabs(name) else os.path.join(base, name))


def refusal(policy: str, linking_file: str, name: str, what: str = "external link") -> str:
    """Why ``policy`` refuses that ``linking_file`` opens the file ``name`` ("" if allowed)."""
    if policy == "follow":
        return ""
    if policy == "never":
        return f"{what} to {name} not followed (policy 'never')"
    folder = real_folder(linking_file)
    real = os.path.realpath(target_path(linking_file, name))
    if os.path.commonpath([folder, real]) != folder:
        shown = name if real == os.path.normpath(target_path(linking_file, name)) else \
            f"{name} (really {real})"
        return (f"{what} to {shown} leaves the linking file's folder; not followed (use "
                "--external follow to allow)")
    return ""


def storage_files(did) -> tuple[str, list[str]]:
    """("virtual" or "external", the other files a dataset's raw data is read from), or
    ("", []) for data stored in the file itself. ``did`` is an h5py DatasetID."""
    dcpl = did.get_create_plist()
    layout = dcpl.get_layout()
    if layout == H5D_VIRTUAL:
        names = [_text(dcpl.get_virtual_filename(i)) for i in range(dcpl.get_virtual_count())]
        return "virtual", [n for n in dict.fromkeys(names) if n != "."]  # ".": this file
    if layout == H5D_CONTIGUOUS and dcpl.get_external_count():
        return "external", [_text(dcpl.get_external(i)[0])
                            for i in range(dcpl.get_external_count())]
    return "", []


def storage_refusal(policy: str, file: str, did) -> str:
    """Why the dataset ``did`` of ``file`` must not be read under ``policy`` ("" if it may)."""
    if policy == "follow":
        return ""
    try:
        kind, names = storage_files(did)
    except Exception:  # a damaged creation property list: nothing is read through it
        return ""
    what = {"virtual": "virtual dataset source", "external": "external raw storage"}.get(kind)
    for name in names:
        # HDF5 looks for external raw files from the working folder unless told otherwise;
        # both places must be allowed.
        problem = refusal(policy, file, name, what) or (
            kind == "external" and not os.path.isabs(name) and
            refusal(policy, file, os.path.abspath(name), what))
        if problem:
            return problem
    return ""


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# HDF5 follows an external link met on the way of any by-name call (a soft link through one, an
# @default naming one). The walk follows external links itself, under the policy; so every
# by-name call the backends make goes through a link-access property list whose external-link
# callback refuses: HDF5 never opens another file on its own.
_ELINK_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                             ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint), ctypes.c_int64,
                             ctypes.c_void_p)
_REFUSE = _ELINK_CB(lambda *args: -1)
_LAPL: list = []


def no_external_traversal():
    """An h5py link-access property list on which HDF5 refuses to traverse external links, or
    None if it cannot be made (h5py's library not reachable through ctypes)."""
    if not _LAPL:
        from h5py import h5p

        from nxschema._h5.opening import own_library

        lib, lapl = own_library(), None
        if lib is not None:
            try:
                setter = lib.H5Pset_elink_cb
                setter.restype = ctypes.c_int
                setter.argtypes = (ctypes.c_int64, _ELINK_CB, ctypes.c_void_p)
                lapl = h5p.create(h5p.LINK_ACCESS)
                if setter(lapl.id, _REFUSE, None) < 0:
                    lapl = None
            except AttributeError:
                lapl = None
        _LAPL.append(lapl)
    return _LAPL[0]


def open_inside(group, name: str, policy: str = "below"):
    """``group[name]`` (an h5py Group or Dataset) without leaving its file, or None.

    For readers that walk with h5py's high-level objects (process records): HDF5 refuses an
    external link anywhere on the path (soft links through one included), and a dataset whose
    data other files hold (virtual sources, external raw storage) is None unless ``policy``
    allows those files. None too for a missing, dangling or unreadable object."""
    import h5py
    from h5py import h5d, h5g, h5o

    lapl = no_external_traversal()
    try:
        if lapl is None:  # no callback: refuse at least an external link as the last step
            if isinstance(group.get(name, getlink=True), h5py.ExternalLink):
                return None
            oid = h5o.open(group.id, name.encode())
        else:
            oid = h5o.open(group.id, name.encode(), lapl=lapl)
    except (KeyError, OSError, RuntimeError, ValueError, TypeError):
        return None
    if isinstance(oid, h5g.GroupID):
        return h5py.Group(oid)
    if isinstance(oid, h5d.DatasetID):
        if storage_refusal(policy, group.file.filename, oid):
            return None
        return h5py.Dataset(oid)
    return None  # a named datatype: nothing a reader takes
