"""Read-only access to HDF5 files for validation and extraction: opening, links, externals.

h5py's high-level objects cost far more per object than the HDF5 C library; the validator walks
files through a small backend (``default_io()``, a :class:`~nxschema._h5.backend.Backend`): the
C library h5py loaded, called through ctypes (``backend_c``), or h5py's low-level API
(``backend_h5py``) where that is not available. It
reads only the attributes and small values the compiled plan asks for; payloads are never read
in bulk.

Files are opened read-only, with HDF5 file locking off, and in SWMR-read mode (with capped
metadata retries) only when a SWMR writer holds them (``_h5.opening``): a file still being
written can be checked, a damaged one fails fast, and every file stays byte-identical.
"""

from __future__ import annotations

import os
from collections import OrderedDict

import h5py
from h5py import h5l

from nxschema._h5 import policy as _policy
from nxschema._h5.backend import Backend
from nxschema._h5.backend_h5py import H5pyIO, NotUTF8, decode
from nxschema._h5.decoding import Guarded, attr_or_none, one_line, short, vlen_problem
from nxschema._h5.opening import open_file
from nxschema.errors import ArgumentError
from nxschema.errors import UnreadableFileError as FileProblem

LINK_HARD, LINK_SOFT, LINK_EXTERNAL = h5l.TYPE_HARD, h5l.TYPE_SOFT, h5l.TYPE_EXTERNAL
__all__ = ["NotUTF8", "decode", "default_io", "open_file", "FileProblem",
           "Resolver", "Child", "attr_or_none", "judge_external", "EXTERNAL_POLICIES"]

EXTERNAL_POLICIES = _policy.POLICIES
MAX_CHILDREN = 1_000_000  # links listed per group; more is a `too-large` finding
MAX_VISITS = 64  # times one group (by object identity) is walked, reached by different paths


_IO: dict = {}


def default_io() -> Backend:
    """The object-access backend: the C library through ctypes when that is proven safe (see
    ``backend_c``), else h5py's low-level API. ``NXSCHEMA_H5_BACKEND=h5py`` forces the latter."""
    choice = os.environ.get("NXSCHEMA_H5_BACKEND", "").lower() or "auto"
    if choice not in _IO:
        io = None
        if choice != "h5py":
            from nxschema._h5.backend_c import load
            io = load()
        _IO[choice] = io or H5pyIO()
    return _IO[choice]


def judge_external(linking_file: str, ext_file: str, policy: str,
                   ext_path: str = "") -> tuple[str, str]:
    """Where an external link from ``linking_file`` to ``ext_file`` leads, and why it must not
    be followed under ``policy`` ("" when it may). The one place the policy is decided: the
    validator, ICAT extraction and the personal-data scan all ask here (virtual dataset sources
    and external raw storage too, through ``_h5.policy``).
    It is judged on the real path (symlinks resolved, ``..`` normalised: ``_h5.policy``), so a
    symlink in the folder pointing outside is refused under ``below``."""
    target = f"{ext_file}::{ext_path}" if ext_path else ext_file
    problem = _policy.refusal(policy, linking_file, ext_file)
    if problem:
        problem = problem.replace(f"to {ext_file}", f"to {short(target)}", 1)
    return _policy.target_path(linking_file, ext_file), problem


def first_text(value) -> str | None:
    """A text value as a backend reads it (a string, or a list of them for an array
    attribute): the string, or the first of the list; None for anything else."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


_UNRESOLVED = "unresolved"
_CYCLE = "soft or external links go round in a cycle at"


class _Stop(str):
    """Why a path leads nowhere (the message), with the finding code for it."""

    code: str

    def __new__(cls, code: str, message: str) -> "_Stop":
        self = super().__new__(cls, message)
        self.code = code
        return self


class Child:
    """One link in a group: its kind and, for soft and external links, where it points.

    ``kind`` is "group", "dataset", "other" (a named datatype) or None when the link does not
    resolve: then ``problem`` says why, and ``code`` is the finding code for it
    (``dangling-link``, ``dangling-external-link``, ``external-link-not-followed``,
    ``link-cycle``, ``too-large``, ``unreadable-object``), so that no consumer reads the
    message to tell them apart. A hard link's kind is found when first asked for, by opening
    the object, which nearly every check does anyway: so in a group of thousands of entries each
    is opened just before it is walked, and released (:meth:`release`) once it has been.
    """

    __slots__ = ("name", "link", "target", "_problem", "_code", "file", "_kind", "_loc",
                 "_raw", "_key", "_oid", "_resolver")

    def __init__(self, name: str, link: int):
        self.name, self.link = name, link
        self.target = self._problem = self._code = self.file = ""
        self._kind = None
        self._loc = self._raw = self._key = self._oid = self._resolver = None

    @property
    def kind(self):
        if self._kind is _UNRESOLVED:
            self._resolver._resolve_hard(self)
        return self._kind

    @property
    def problem(self) -> str:
        return self._problem if self.kind is None else ""

    @property
    def code(self) -> str:
        """The finding code of :attr:`problem` ("" when the link resolves)."""
        return self._code if self.kind is None else ""

    def _fail(self, code: str, problem: str) -> None:
        # Set together, before the kind is known: they count only if it stays None.
        self._code, self._problem = code, problem

    def release(self) -> None:
        """Let the object close (the resolver's small cache may keep it a little longer)."""
        self._oid = None

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def is_dataset(self) -> bool:
        return self.kind == "dataset"

    @property
    def io(self):
        return self._resolver.io

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
    that a soft link's target is opened once and memory stays flat. ``io`` is the backend that
    reads objects (``default_io()``); every object the walk handles comes from it.
    """

    CACHE = 64

    def __init__(self, policy: str = "below", io: Backend | None = None):
        if policy not in EXTERNAL_POLICIES:
            raise ArgumentError(f"external-link policy must be one of {EXTERNAL_POLICIES}")
        self.policy = policy
        io = io or default_io()
        self.io = io if isinstance(io, Guarded) else Guarded(io, self._before_read)
        self.refusals: dict[str, tuple[str, str]] = {}  # path -> (code, why it was not read)
        self._visits: dict = {}  # object identity -> times walked
        self._reported: set[str] = set()
        self._raw_files: dict[str, tuple[int, int]] = {}
        self._files: dict[str, h5py.File | None] = {}
        self._roots: dict[str, object] = {}  # file -> its root group, as a backend object
        self._opened: OrderedDict = OrderedDict()  # (file, absolute path) -> object
        self._borrowed: dict[str, h5py.File] = {}
        # Whether the backend's by-name calls refuse to traverse external links (both built-in
        # backends do when h5py's HDF5 library is reachable through ctypes).
        lapl = getattr(self.io.inner, "lapl", None)
        self._refusing = lapl is not None and not (isinstance(lapl, int) and lapl == 0)

    def close(self) -> None:
        for fd, _ in self._raw_files.values():
            os.close(fd)
        self._raw_files.clear()
        # Objects first: a file's objects must be released before h5py closes the file.
        self._opened.clear()
        self._roots.clear()
        self._borrowed.clear()
        for f in self._files.values():
            if f is not None:
                f.close()
        self._files.clear()

    def open_cached(self, loc, raw: bytes, key):
        obj = self._opened.get(key)
        if obj is None:
            obj = self.io.open(loc, raw)
            if obj is not None:
                self._opened[key] = obj
                if len(self._opened) > self.CACHE:
                    self._opened.popitem(last=False)
        return obj

    def _kind(self, loc, raw: bytes, key):
        obj = self._opened.get(key)
        if obj is not None:
            return "group" if self.io.is_group(obj) else "dataset"
        return self.io.kind_by_name(loc, raw)

    def children(self, gid, file: str, path: str = "") -> list[Child]:
        """The links of group ``gid`` (at ``path`` in ``file``), each with its kind."""
        prefix = path.rstrip("/") + "/"
        try:
            links = self.io.inner.links(gid)
        except Exception as exc:  # a damaged header: say so where the links should be
            child = Child("", LINK_HARD)
            child._fail("unreadable-object",
                        f"the links of this group cannot be listed: {one_line(exc)}")
            return [child]
        out = []
        if len(links) > MAX_CHILDREN:
            child = Child("", LINK_HARD)
            child._fail("too-large", f"{len(links):,} links in one group; only the first "
                                     f"{MAX_CHILDREN:,} are checked")
            out.append(child)
            links = links[:MAX_CHILDREN]
        return out + [self._child(gid, raw, link, file, prefix) for raw, link in links]

    def child(self, gid, file: str, path: str, name: str) -> Child | None:
        """The one link ``name`` of group ``gid`` (at ``path`` in ``file``), resolved as
        :meth:`children` resolves each link; None if the group has no such link. For callers
        that look names up (ICAT extraction) rather than walk every member."""
        raw = name.encode()
        if "/" in name or not self.io.has_link(gid, raw):
            return None
        link = self.io.link_type(gid, raw)
        if link is None:
            return None
        return self._child(gid, raw, link, file, path.rstrip("/") + "/")

    def _child(self, gid, raw: bytes, link: int, file: str, prefix: str) -> Child:
        io = self.io
        child = Child(decode(raw), link)
        child._resolver, child._loc, child._raw = self, gid, raw
        child._key = (file, prefix + child.name)
        if link == LINK_HARD:
            child._kind = _UNRESOLVED  # see Child.kind
        elif link == LINK_SOFT:
            child.target = io.soft_target(gid, raw)
            if child.target.startswith("/"):
                child._key = (file, child.target)
            child._kind = self._kind(gid, raw, child._key)
            child._fail("dangling-link", f"dangling soft link to {short(child.target)}")
            # HDF5 refuses to cross an external link on its own (see _h5.policy): a soft link
            # that does not resolve may lead through one, or round in a cycle. Link by link:
            if child._kind is None or self._crosses(gid, raw):
                target = child.target if child.target.startswith("/") else prefix + child.target
                self._by_hand(child, file, target)
        elif link == LINK_EXTERNAL:
            self._external(gid, raw, child, file)
        else:
            child._fail("dangling-link", "user-defined link type, not followed")
        return child

    def _resolve_hard(self, child: Child) -> None:
        # Opening tells a group from a dataset; a named datatype does not open as either, and
        # is told by name. (Never by index: in a big group HDF5 sorts all names per lookup.)
        obj = child._oid = self.open_cached(child._loc, child._raw, child._key)
        if obj is not None:
            child._kind = "group" if self.io.is_group(obj) else "dataset"
        else:
            child._kind = self._kind(child._loc, child._raw, child._key)
        child._fail("unreadable-object", "cannot be opened (damaged object?)")

    def _external(self, gid, raw, child: Child, file: str) -> None:
        ext_file, ext_path = self.io.external_target(gid, raw)
        child.target = f"{ext_file}::{ext_path}"
        child.file, refused = self._judge(file, ext_file, child.target)
        if refused:
            child._fail("external-link-not-followed", refused)
            return
        root = self.root(child.file)
        if root is None:
            child._fail("dangling-external-link",
                        f"dangling external link: file {ext_file} cannot be opened")
            return
        child._loc, child._raw, child._key = root, ext_path.encode(), (child.file, ext_path)
        child._kind = self._kind(child._loc, child._raw, child._key)
        child._fail("dangling-external-link",
                    f"dangling external link: {ext_path} is not in {ext_file}")
        if child._kind is None or self._crosses(root, child._raw):
            self._by_hand(child, child.file, ext_path)

    def _judge(self, linking_file: str, ext_file: str, target: str) -> tuple[str, str]:
        """(the file an external link names, why it is not followed or "") under the policy
        (:func:`judge_external`)."""
        return judge_external(linking_file, ext_file, self.policy, target.partition("::")[2])

    def _crosses(self, loc, raw: bytes) -> bool:
        # HDF5 follows the links inside a path by itself, external ones too: a soft link, or
        # an external link's path, may lead through another external link into a third file,
        # which the policy has not judged. Where the backend's by-name calls refuse external
        # links (_h5.policy.no_external_traversal), such a path does not resolve at all and is
        # walked by hand anyway; else the file number of what was reached tells.
        if self._refusing:
            return False
        return self.io.file_number(loc, raw) != self.io.file_number(loc, b".")

    def _by_hand(self, child: Child, file: str, path: str) -> None:
        """Resolve ``path`` in ``file`` link by link, each external link under the policy, and
        point ``child`` at what it reaches (or give it the problem that stops it)."""
        found = self._walk(file, path)
        if isinstance(found, _Stop):
            if child._kind is None and found.code == "dangling-link":
                return  # keep the link's own message
            child._kind = None
            code = found.code
            if code == "dangling-link" and child.link == LINK_EXTERNAL:
                code = "dangling-external-link"
            child._fail(code, found)
            return
        child.file, final = found
        child._loc, child._raw, child._key = self.root(child.file), final.encode(), found
        child._kind = None if child._loc is None else self._kind(child._loc, child._raw, found)
        child._fail("dangling-external-link" if child.link == LINK_EXTERNAL else
                    "dangling-link", f"dangling link: {final} is not in {child.file}")

    def _walk(self, file: str, path: str, hops: int = 16) -> tuple[str, str] | _Stop:
        """The (file, path) that ``path`` in ``file`` leads to through soft and external links,
        or why it leads nowhere (a refused or dangling link, too many links in a row)."""
        file = os.path.normpath(os.path.abspath(file))
        root = self.root(file)
        parts = [p for p in path.split("/") if p]
        if root is None:
            return _Stop("dangling-link", f"dangling external link: file {file} cannot be opened")
        if hops <= 0:
            return _Stop("link-cycle", f"{_CYCLE} {short(path)}")
        for i in range(1, len(parts) + 1):
            prefix = ("/" + "/".join(parts[:i])).encode()
            rest = "/".join(parts[i:])
            link = self.io.link_type(root, prefix)
            if link == LINK_SOFT:
                target = self.io.soft_target(root, prefix)
                if not target.startswith("/"):
                    target = "/" + "/".join(parts[:i - 1] + [target])
                return self._walk(file, target.rstrip("/") + ("/" + rest if rest else ""),
                                  hops - 1)
            if link == LINK_EXTERNAL:
                ext_file, ext_path = self.io.external_target(root, prefix)
                resolved, problem = self._judge(file, ext_file, f"{ext_file}::{ext_path}")
                if problem:
                    return _Stop("external-link-not-followed", problem)
                return self._walk(resolved, ext_path.rstrip("/") + ("/" + rest if rest else ""),
                                  hops - 1)
            if link is None:
                return _Stop("dangling-link",
                             f"dangling link: {prefix.decode(errors='replace')} is not in {file}")
        return file, "/" + "/".join(parts)

    def identity(self, oid):
        """What tells one object from another whatever the path (file number and address),
        or None if it cannot be read."""
        return self.io.identity(oid)

    def seen(self, oid, stack, fallback) -> tuple[str, object]:
        """(why, key): why the group ``oid`` is not walked again: "link-cycle" if it encloses
        itself (its identity is on ``stack``), "too-large" if it was walked
        :data:`MAX_VISITS` times already through other paths, "" to walk it; and the key to
        put on the stack (its identity, or ``fallback`` if that cannot be read)."""
        key = self.identity(oid)
        if key is None:
            return "", fallback
        if key in stack:
            return "link-cycle", key
        visits = self._visits.get(key, 0)
        if visits >= MAX_VISITS:
            return "too-large", key
        self._visits[key] = visits + 1
        return "", key

    def _before_read(self, did) -> str:
        """Why the data of dataset ``did`` must not be read, "" if it may: virtual or external
        storage the policy refuses, or variable-length strings whose stored lengths are
        damaged (HDF5 would allocate gigabytes first). Each is kept in :attr:`refusals` for
        the walk to report. Cheap for the common case, data stored in the file itself."""
        code, problem = "external-link-not-followed", ""
        try:
            file, offset, vlen = self.io.inner.raw_location(did)
            # Virtual and external storage have no offset in the file (like chunked data).
            if offset is None and self.policy != "follow":
                h5id = self.io.h5py_id(did)
                if _policy.storage_files(h5id)[0]:
                    problem = _policy.storage_refusal(self.policy, file, h5id)
                    if problem:
                        problem += "; its data is not read"
            if not problem and vlen and offset is not None:
                shape = self.io.shape(did) or ()
                count = 1
                for n in shape:
                    count *= n
                code, problem = "unreadable-object", vlen_problem(self._raw(file), offset,
                                                                  count)
            if problem:
                where = decode(h5py.h5i.get_name(self.io.h5py_id(did)))
                if where not in self._reported:
                    self._reported.add(where)
                    self.refusals[where] = (code, problem)
        except Exception:  # a damaged header: the read itself will fail and say so
            return ""
        return problem

    def _raw(self, file: str) -> tuple[int, int]:
        """(descriptor, size) of ``file`` opened read-only for raw reads, kept for the run."""
        if file not in self._raw_files:
            fd = os.open(file, os.O_RDONLY)
            self._raw_files[file] = (fd, os.fstat(fd).st_size)
        return self._raw_files[file]

    def take_refusals(self) -> list[tuple[str, str, str]]:
        """(path, code, message) of datasets not read since the last call, and why."""
        out = [(where, code, why) for where, (code, why) in self.refusals.items()]
        self.refusals.clear()
        return out

    def add_file(self, path: str, handle: h5py.File) -> None:
        """Register a file the caller opened (and will close): links back to it reuse it."""
        self._borrowed[os.path.normpath(os.path.abspath(path))] = handle

    def root(self, path: str):
        """The root group of file ``path`` as a backend object (None if it cannot be opened)."""
        if path not in self._roots:
            handle = self._file(path)
            self._roots[path] = None if handle is None else self.io.root(handle)
        return self._roots[path]

    def h5file(self, path: str):
        """The h5py file handle of ``path`` (opened if needed), or None if it cannot be."""
        return self._file(os.path.normpath(os.path.abspath(path)))

    def locate(self, file: str, path: str) -> tuple[str, str]:
        """The file and path where the object at ``path`` really is, through soft and external
        links on the way (for messages: only called when a finding is reported). Only links
        the policy follows are followed: a refused file is not opened even to name a place."""
        found = self._walk(file, path)
        return (file, path) if isinstance(found, _Stop) else found

    def _file(self, path: str):
        if path in self._borrowed:
            return self._borrowed[path]
        if path not in self._files:
            try:
                self._files[path] = open_file(path)
            except FileProblem:
                self._files[path] = None
        return self._files[path]
