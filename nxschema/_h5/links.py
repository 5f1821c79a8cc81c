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
    def member(self, group: h5py.Group, file: str, name: str) -> Reached:
        """Follow member ``name`` of ``group`` (in ``file``) to the object it names."""
        here = f"{group.name.rstrip('/')}/{name}"
        try:
            link = group.get(name, getlink=True)
        except Exception as exc:
            return Reached(None, file, here, "", f"cannot read the link: {exc}",
                           "unreadable-object")
        if link is None:
            return Reached(None, file, here, "", "missing", "missing")
        if isinstance(link, h5py.HardLink):
            try:
                return Reached(group[name], file, here, "hard")
            except Exception as exc:
                return Reached(None, file, here, "hard", f"cannot be opened: {exc}",
                               "unreadable-object")
        if isinstance(link, h5py.SoftLink):
            target = link.path if link.path.startswith("/") else \
                f"{group.name.rstrip('/')}/{link.path}"
            return self._retag(self.resolve(file, target), "soft")
        if isinstance(link, h5py.ExternalLink):
            return self._retag(self.external(file, link.filename, link.path), "external")
        return Reached(None, file, here, "", "user-defined link type, not followed",
                       "unreadable-object")

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
        # Each step is checked as a link before anything is opened, so that HDF5 itself never
        # follows an external link the policy refuses; only the object at the end is opened.
        for i in range(len(parts)):
            prefix = "/" + "/".join(parts[:i + 1])
            rest = "/".join(parts[i + 1:])
            try:
                link = handle.get(prefix, getlink=True)
            except Exception as exc:  # a step on the way is a dataset, or damaged
                return Reached(None, file, path, "", f"{prefix}: {_one_line(exc)}",
                               "dangling-link")
            if link is None:
                return Reached(None, file, path, "", f"{prefix} is not in {file}",
                               "dangling-link")
            if isinstance(link, h5py.SoftLink):
                base = "/".join(parts[:i])
                target = link.path if link.path.startswith("/") else f"/{base}/{link.path}"
                return self.resolve(file, target.rstrip("/") + (f"/{rest}" if rest else ""),
                                    hops - 1)
            if isinstance(link, h5py.ExternalLink):
                reached = self.external(file, link.filename, link.path, hops)
                if reached.obj is None or not rest:
                    return reached
                return self.resolve(reached.file, f"{reached.path.rstrip('/')}/{rest}",
                                    hops - 1)
            if not isinstance(link, h5py.HardLink):
                return Reached(None, file, path, "", "user-defined link type, not followed",
                               "unreadable-object")
        target = "/" + "/".join(parts)
        try:
            return Reached(handle[target], file, target, "hard")
        except Exception as exc:
            return Reached(None, file, target, "hard", f"cannot be opened: {_one_line(exc)}",
                           "unreadable-object")


def _one_line(exc) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
