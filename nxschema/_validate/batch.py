"""Validating many files: folders walked, files run in parallel, results streamed as they end.

``validate_many`` (and the ``validate`` command) runs every file as one task:

- one file: in this process, in a forked child when it has a timeout (so that a file stuck in
  HDF5 can be killed; a fork costs milliseconds, a fresh interpreter about half a second);
- several files: on a :class:`~nxschema._validate.pool.Pool` of ``spawn`` workers, one per
  core, each loading the definitions once; a file with many root links, when there are fewer
  files than workers, is split between them (the same split as ``validate(path, jobs=N)``);
- with a Dask client (``client=``), as Dask tasks: see ``nxschema._validate.cluster``.

Reports come in completion order, or in the order of the files with ``sort``.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from nxschema._definitions.catalog import DefinitionsLike
from nxschema._findings import SEVERITIES, Finding
from nxschema._validate.api import (
    PARALLEL_MIN_LINKS, Report, _catalog_of, iter_findings, sources_header, split_root,
    validate_part,
)
from nxschema.errors import ArgumentError

DEFAULT_INCLUDE = ("*.h5", "*.hdf5", "*.nxs", "*.nx5", "*.nx")
# Findings that mean the file was not (fully) checked: the exit code is 2, not 1.
NOT_CHECKED = ("file-unreadable", "timeout", "worker-died", "internal-error")
# Findings that mean the command line asked for something that does not exist.
USAGE = ("unknown-definition",)
LEVELS = (*SEVERITIES, "off")


@dataclass(frozen=True)
class Settings:
    """What every task needs besides its file: sent once to each worker."""

    catalog: Any
    definition: str | None = None
    external: str = "below"
    discovery: bool = True  # apply definitions by their applies_when


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_jobs(jobs: int | None) -> int:
    """``jobs`` checked: None is one per core; anything but a whole number >= 1 is refused."""
    if jobs is None:
        return cores()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ArgumentError(f"jobs must be a whole number of processes, at least 1, not {jobs!r}")
    return jobs


def _matches(name: str, rel: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(rel if "/" in p else name, p) for p in patterns)


def find_files(paths: Iterable[str | os.PathLike], include: Sequence[str] = DEFAULT_INCLUDE,
               exclude: Sequence[str] = ()) -> list[str]:
    """The files to validate: files as given (whatever their name: they were asked for), and the
    files below each folder, recursively, whose name matches ``include`` and neither whose name,
    nor whose path relative to that folder, nor any of whose folders matches ``exclude``.
    A pattern with a ``/`` is matched against the relative path, any other against the name.
    Sorted within each folder; each file once."""
    found: dict[str, None] = {}
    for path in map(os.fspath, paths):
        if not os.path.isdir(path):
            found.setdefault(path)
            continue
        for top, dirs, names in os.walk(path):
            rel_top = os.path.relpath(top, path)
            rel_top = "" if rel_top == "." else rel_top + "/"
            dirs[:] = sorted(d for d in dirs if not _matches(d, rel_top + d, exclude)
                             and not _matches(d + "/", rel_top + d + "/", exclude))
            for name in sorted(names):
                rel = rel_top + name
                if _matches(name, rel, include) and not _matches(name, rel, exclude):
                    found.setdefault(os.path.join(top, name))
    return list(found)


def parse_overrides(items: Iterable[str]) -> dict[str, str]:
    """``CODE=LEVEL`` strings as a dict; LEVEL is error, warning, info or off. Codes are checked
    against the catalogue (an unknown one is refused, with a did-you-mean)."""
    import difflib

    from nxschema._codes import all_codes

    codes = all_codes()
    overrides = {}
    for item in items:
        code, sep, level = str(item).partition("=")
        code, level = code.strip(), level.strip().lower()
        if not sep or not code:
            raise ArgumentError(f"{item!r}: expected CODE=LEVEL, e.g. extra-member=off")
        if code not in codes:
            close = difflib.get_close_matches(code, codes, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (see 'nxschema codes')"
            raise ArgumentError(f"{code!r} is not a finding code{hint}")
        if level not in LEVELS:
            raise ArgumentError(f"{item!r}: the level must be one of {', '.join(LEVELS)}")
        overrides[code] = level
    return overrides


def apply_overrides(report: Report, overrides: dict[str, str]) -> Report:
    """The report with each overridden code at its new severity (``off`` drops it)."""
    if not overrides:
        return report
    findings = []
    for finding in report.findings:
        level = overrides.get(finding.code)
        if level == "off":
            continue
        findings.append(replace(finding, severity=level) if level else finding)
    report.findings = findings
    return report


def not_checked(report: Report) -> bool:
    """True when the file could not be checked (unreadable, timed out, a worker died)."""
    return any(f.code in NOT_CHECKED for f in report.findings)


# --- the task: one file ------------------------------------------------------------------------

_SETTINGS: list[Settings] = []


def init_worker(settings: Settings) -> None:
    """Run once in each worker: the definitions are unpickled and compiled once, not per file."""
    _SETTINGS[:] = [settings]


def check_file(path: str, settings: Settings | None = None) -> Report:
    """One file's report. Never raises for a bad file: an unexpected failure of the validator
    itself is an ``internal-error`` finding, so that one file cannot stop a batch."""
    settings = settings or _SETTINGS[0]
    try:
        findings = list(iter_findings(path, definitions=settings.catalog,
                                      definition=settings.definition,
                                      external=settings.external, jobs=1,
                                      discovery=settings.discovery))
    except Exception as exc:
        findings = [_internal(path, f"{type(exc).__name__}: {exc}")]
    return Report(path, findings)


def check_part(path: str, role: str, names: list[str]) -> list[Finding]:
    """One share of a split file (see ``api.validate_part``), with the worker's settings."""
    settings = _SETTINGS[0]
    return validate_part(path, settings.catalog, settings.definition, settings.external, role,
                         names, settings.discovery)


def _internal(path: str, message: str) -> Finding:
    return Finding("internal-error", "error", "the validator failed on this file (please "
                   f"report it, with the file): {message.strip().splitlines()[-1]}", path="/",
                   file=path)


def _timeout(path: str, seconds: float | None) -> Finding:
    return Finding("timeout", "error", f"not finished after {seconds:g} s (--timeout): "
                   "stopped, the other files go on", path="/", file=path)


def _died(path: str) -> Finding:
    return Finding("worker-died", "error", "the process checking this file died, twice (out of "
                   "memory, or a crash in the HDF5 library?)", path="/", file=path)


# --- the batch ---------------------------------------------------------------------------------


class Batch:
    """An iterator of :class:`Report`, one per file, as each file is done.

    ``files`` is the list of files found, ``total`` its length, ``done`` how many reports have
    been handed out so far (what "interrupted after N of M" counts)."""

    def __init__(self, paths, *, definitions=None, definition: str | None = None,
                 external: str = "below", jobs: int | None = None, client=None,
                 include: Sequence[str] = DEFAULT_INCLUDE, exclude: Sequence[str] = (),
                 timeout: float | None = 60.0, sort: bool = False,
                 severity: dict[str, str] | None = None, discovery: bool = True) -> None:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.paths = [os.fspath(p) for p in paths]
        self.jobs = resolve_jobs(jobs)
        if timeout is not None and not timeout > 0:
            raise ArgumentError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.files = find_files(self.paths, include, exclude)
        self.total = len(self.files)
        self.done = 0
        self.timeout, self.sort, self.client = timeout, sort, client
        self.overrides = dict(severity or {})
        self.settings = Settings(_catalog_of(definitions), definition, external, discovery)
        # which definition sets (and versions) every report was made with, as validate() says
        self._definitions = sources_header(getattr(self.settings.catalog, "sources", ()))
        self._results = self._ordered(self._run()) if sort else self._run()

    def __iter__(self) -> Iterator[Report]:
        return self

    def __next__(self) -> Report:
        report = apply_overrides(next(self._results), self.overrides)
        report.definitions = self._definitions
        self.done += 1
        return report

    def close(self) -> None:
        """Stop the workers (an iterator dropped half-way is closed this way too)."""
        self._results.close()

    def _ordered(self, results: Iterator[Report]) -> Iterator[Report]:
        # Each report as soon as every file before it is done: deterministic, still streaming.
        waiting: dict[str, Report] = {}
        position = 0
        for report in results:
            waiting[report.file] = report
            while position < self.total and self.files[position] in waiting:
                yield waiting.pop(self.files[position])
                position += 1

    def _run(self) -> Iterator[Report]:
        if not self.files:
            return
        if self.client is not None:
            from nxschema._validate.cluster import run_on_dask

            yield from run_on_dask(self.files, self.paths, self.settings, self.client, self.jobs,
                                   check_file, _died)
            return
        splits = self._splits() if self.total < self.jobs else {}
        if self.total == 1 and not splits:
            yield self._one(self.files[0])
            return
        yield from self._pool(splits)

    def _one(self, path: str) -> Report:
        import multiprocessing

        if not self.timeout or "fork" not in multiprocessing.get_all_start_methods():
            return check_file(path, self.settings)
        ctx = multiprocessing.get_context("fork")
        for _attempt in range(2):
            ours, theirs = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_forked, args=(theirs, path, self.settings), daemon=True)
            child.start()
            theirs.close()
            try:
                if not ours.poll(self.timeout):
                    child.kill()
                    return Report(path, [_timeout(path, self.timeout)])
                try:
                    return ours.recv()
                except (EOFError, OSError):
                    continue  # died under the file: once more, then reported
            finally:
                if child.is_alive():
                    child.kill()
                child.join()
                ours.close()
        return Report(path, [_died(path)])

    def _splits(self) -> dict[str, list[list[str]]]:
        """Files with enough root links to be worth splitting between the idle workers."""
        from nxschema._h5.access import FileProblem, open_file
        from nxschema._validate.api import _root_links

        splits = {}
        share = max(1, self.jobs // self.total)
        if share < 2:
            return splits
        for path in self.files:
            try:
                with open_file(path) as f:
                    names = _root_links(f)
            except (FileProblem, OSError):
                continue  # reported by its own task
            if len(names) >= PARALLEL_MIN_LINKS:
                splits[path] = split_root(names, share)
        return splits

    def _pool(self, splits: dict[str, list[list[str]]]) -> Iterator[Report]:
        from nxschema._validate.pool import DIED, FAILED, OK, TIMEOUT, Pool

        tasks, parts = [], {}
        for path in self.files:
            if path in splits:
                chunks = splits[path]
                parts[path] = [None] * len(chunks)
                for i, chunk in enumerate(chunks):
                    tasks.append(((path, i), check_part, (path, "main" if i == 0 else "worker",
                                                          chunk)))
            else:
                tasks.append(((path, None), check_file, (path,)))
        pool = Pool(min(self.jobs, len(tasks)), init=(init_worker, (self.settings,)),
                    timeout=self.timeout)
        results = pool.run(tasks)
        try:
            for (path, part), status, value in results:
                if status == OK:
                    report = value if part is None else Report(path, list(value))
                elif status == FAILED:
                    report = Report(path, [_internal(path, value)])
                elif status == TIMEOUT:
                    report = Report(path, [_timeout(path, self.timeout)])
                else:
                    assert status == DIED
                    report = Report(path, [_died(path)])
                if part is None:
                    yield report
                    continue
                parts[path][part] = report.findings
                if all(p is not None for p in parts[path]):
                    yield Report(path, [f for p in parts.pop(path) for f in p])
        finally:
            results.close()


def _forked(conn, path: str, settings: Settings) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent owns Ctrl-C
    conn.send(check_file(path, settings))
    conn.close()


def validate_many(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
                  definitions: DefinitionsLike | None = None, definition: str | None = None,
                  external: str = "below", jobs: int | None = None, client: Any = None,
                  include: Sequence[str] = DEFAULT_INCLUDE, exclude: Sequence[str] = (),
                  timeout: float | None = 60.0, sort: bool = False,
                  severity: dict[str, str] | None = None) -> Batch:
    """Validate files and folders; an iterator of :class:`Report`, each as soon as its file is
    done (in completion order; in the order of the files with ``sort``).

    ``paths``: files and folders; folders are walked recursively for names matching ``include``
    (default ``*.h5 *.hdf5 *.nxs *.nx5 *.nx``) and not ``exclude``.
    ``jobs``: worker processes (default one per core). ``client``: a ``dask.distributed.Client``
    (or a scheduler address, or "local" for a LocalCluster) to run each file as a Dask task.
    ``timeout``: seconds per file (None: no limit); a file past it gets a ``timeout`` finding.
    ``severity``: ``{code: level}`` overrides, level ``error``, ``warning``, ``info`` or ``off``.
    ``definitions``, ``definition``, ``external``: as for :func:`nxschema.validate`.

    In a script, call it under ``if __name__ == "__main__":``: the workers are started with
    ``spawn``, which imports the main module again.

    Args:
        paths, definitions, definition, external, jobs, client, include, exclude, timeout,
        severity: as above; sort: hand the reports out in the order of the files.

    Returns:
        A :class:`Batch`: iterate it for one :class:`Report` per file.

    Raises:
        nxschema.errors.DefinitionError: ``definitions`` paths that do not load; a bad file
            never raises (it gives findings).
    """
    return Batch(paths, definitions=definitions, definition=definition, external=external,
                 jobs=jobs, client=client, include=include, exclude=exclude, timeout=timeout,
                 sort=sort, severity=severity)
