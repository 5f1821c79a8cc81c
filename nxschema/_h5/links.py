"""Following links with h5py objects, under the one external-link policy.

The validator walks files through a backend (:mod:`nxschema._h5.access`); readers that hand
h5py datasets to a user (views, the personal-data scan, redaction) follow links here. Both ask
:func:`nxschema._h5.access.judge_external` whether an external link may be followed, so the
policy is decided in one place, and both open files with :func:`~nxschema._h5.access.open_file`
(read-only, no locking).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import h5py
from h5py import h5d, h5g, h5l, h5o

from nxschema._h5.access import FileProblem, judge_external, open_file

MAX_HOPS = 32  # soft and external links followed for one path before it counts as a cycle


@dataclass(frozen=True, slots=True)
class Reached:
    """Where following a member led: the object (None if it could not be reached), the file
    and path where it really is, how the first step was taken, and why it failed."""

    obj: object
    file: str
    path: str
    link: str  # "hard", "soft", "external", or "" when the member does not exist
    problem: str = ""  # e.g. "dangling-external-link: raw.h5 cannot be opened"
    code: str = ""  # the finding code for ``problem``


class Files:
    """The files a reader has open, by absolute path, each opened once, read-only."""

    def __init__(self, policy: str = "below"):
        self.policy = policy
        self._open: dict[str, h5py.File | None] = {}
        self._why: dict[str, str] = {}

    def get(self, path: str) -> h5py.File | None:
        path = os.path.normpath(os.path.abspath(path))
        if path not in self._open:
            try:
                self._open[path] = open_file(path)
            except FileProblem as exc:
                self._open[path], self._why[path] = None, str(exc)
        return self._open[path]

    def why(self, path: str) -> str:
        return self._why.get(os.path.normpath(os.path.abspath(path)), "")

    def add(self, path: str, handle: h5py.File) -> None:
        self._open[os.path.normpath(os.path.abspath(path))] = handle

    def close(self) -> None:
        for handle in self._open.values():
            if handle is not None:
                handle.close()
        self._open.clear()

    # -- following -----------------------------------------------------------------------------
    # Through h5py's low-level link calls: the high-level ``Group.get(name, getlink=True)``
    # checks the path first and costs ten times as much, which a reader of thousands of
    # entries pays for every member.
    def member(self, group: h5py.Group, file: str, name: str,
               group_path: str | None = None) -> Reached:
        """Follow member ``name`` of ``group`` (at ``group_path`` in ``file``, if the caller
        knows it) to the object it names."""
        group_path = (group.name if group_path is None else group_path).rstrip("/")
        here = f"{group_path}/{name}"
        raw = name.encode()
        try:
            kind = group.id.links.get_info(raw).type
        except (KeyError, RuntimeError):
            return Reached(None, file, here, "", "missing", "missing")
        except Exception as exc:
            return Reached(None, file, here, "", f"cannot read the link: {_one_line(exc)}",
                           "unreadable-object")
        if kind == h5l.TYPE_HARD:
            return self._opened(group.id, raw, file, here, "hard")
        if kind == h5l.TYPE_SOFT:
            value = group.id.links.get_val(raw).decode("utf-8", "replace")
            target = value if value.startswith("/") else f"{group_path}/{value}"
            return self._retag(self.resolve(file, target), "soft")
        if kind == h5l.TYPE_EXTERNAL:
            ext_file, ext_path = (v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                                  for v in group.id.links.get_val(raw))
            return self._retag(self.external(file, ext_file, ext_path), "external")
        return Reached(None, file, here, "", "user-defined link type, not followed",
                       "unreadable-object")

    @staticmethod
    def _opened(loc, raw: bytes, file: str, path: str, link: str) -> Reached:
        try:
            oid = h5o.open(loc, raw)
        except Exception as exc:
            return Reached(None, file, path, link, f"cannot be opened: {_one_line(exc)}",
                           "unreadable-object")
        if isinstance(oid, h5g.GroupID):
            return Reached(h5py.Group(oid), file, path, link)
        if isinstance(oid, h5d.DatasetID):
            return Reached(h5py.Dataset(oid), file, path, link)
        return Reached(h5py.Datatype(oid), file, path, link)

    @staticmethod
    def _retag(reached: Reached, link: str) -> Reached:
        return Reached(reached.obj, reached.file, reached.path, link, reached.problem,
                       reached.code)

    def external(self, file: str, ext_file: str, ext_path: str, hops: int = MAX_HOPS) -> Reached:
        resolved, problem = judge_external(file, ext_file, self.policy, ext_path)
        if problem:
            return Reached(None, resolved, ext_path, "external", problem,
                           "external-link-not-followed")
        if self.get(resolved) is None:
            return Reached(None, resolved, ext_path, "external",
                           f"dangling external link: file {ext_file} cannot be opened "
                           f"({self.why(resolved)})", "dangling-external-link")
        return self.resolve(resolved, ext_path, hops - 1)

    def resolve(self, file: str, path: str, hops: int = MAX_HOPS) -> Reached:
        """The object at absolute ``path`` in ``file``, through soft and external links on
        the way (each step checked against the policy)."""
        if hops <= 0:
            return Reached(None, file, path, "", "link cycle (too many links followed)",
                           "link-cycle")
        handle = self.get(file)
        if handle is None:
            return Reached(None, file, path, "", f"cannot open {file}: {self.why(file)}",
                           "dangling-external-link")
        parts = [p for p in path.split("/") if p and p != "."]
        links = handle.id.links
        # Each step is checked as a link before the next is looked up, so that HDF5 itself
        # never follows an external link the policy refuses (a lookup of a/b/c walks a and b):
        # only hard links are ever walked by HDF5, and only the object at the end is opened.
        for i in range(len(parts)):
            prefix = ("/" + "/".join(parts[:i + 1])).encode()
            rest = "/".join(parts[i + 1:])
            try:
                kind = links.get_info(prefix).type
            except Exception:  # missing, or a step on the way is a dataset
                return Reached(None, file, path, "", f"{path} is not in {file}",
                               "dangling-link")
            if kind == h5l.TYPE_SOFT:
                value = links.get_val(prefix).decode("utf-8", "replace")
                base = "/".join(parts[:i])
                target = value if value.startswith("/") else f"/{base}/{value}"
                return self.resolve(file, target.rstrip("/") + (f"/{rest}" if rest else ""),
                                    hops - 1)
            if kind == h5l.TYPE_EXTERNAL:
                ext_file, ext_path = (v.decode("utf-8", "replace") if isinstance(v, bytes)
                                      else v for v in links.get_val(prefix))
                reached = self.external(file, ext_file, ext_path, hops)
                if reached.obj is None or not rest:
                    return reached
                return self.resolve(reached.file, f"{reached.path.rstrip('/')}/{rest}",
                                    hops - 1)
            if kind != h5l.TYPE_HARD:
                return Reached(None, file, path, "", "user-defined link type, not followed",
                               "unreadable-object")
        target = "/" + "/".join(parts)
        return self._opened(handle.id, target.encode(), file, target, "hard")


def _one_line(exc) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
