"""Validating on a Dask cluster (``pip install 'nxschema[dask]'``): one task per file.

Files are read where they are: a worker opens the path it is given, so the workers must see
the same filesystem as the client, under the same paths (the facility case: a shared archive).
Paths are made absolute, and before any task runs every worker is asked whether it can see each
path given on the command line: one that cannot is refused with a clear message rather than
turned into a thousand ``file-unreadable`` findings.

The definitions travel once to each worker (``scatter(..., broadcast=True)``), not with every
task. A task is a few files (up to 16, about 8 tasks per worker). Results stream back with
``as_completed``. A task whose worker died is submitted once more, then its files are reported
as ``worker-died`` (Dask's own ``allowed-failures`` retries come first).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from nxschema._validate.api import Report
from nxschema.errors import WorkerError


def _missing(paths: list[str]) -> list[str]:
    # runs on each worker
    return [p for p in paths if not os.path.exists(p)]


def check_files(paths: list[str], settings, check) -> list:
    """One task: a few files (a task per file would cost more in Dask's bookkeeping than a
    small file takes to check). ``check`` is batch.check_file, passed in so that this module
    does not import batch back (no import cycle)."""
    return [check(path, settings) for path in paths]


def _chunk_size(files: int, workers: int) -> int:
    """Files per task: about 8 tasks per worker, so that the load still balances, at most 16
    files, so that results still stream."""
    return max(1, min(16, files // (8 * max(1, workers))))


def _client(client, jobs: int):
    """A Client, whether given one, a scheduler address, or "local"; and what to close after."""
    try:
        import distributed
    except ImportError as exc:
        raise WorkerError("Dask is not installed: pip install 'nxschema[dask]'") from exc
    if not isinstance(client, str):
        return client, []
    if client == "local":
        cluster = distributed.LocalCluster(n_workers=jobs, threads_per_worker=1,
                                           processes=True, dashboard_address=None)
        made = distributed.Client(cluster)
        return made, [made, cluster]
    try:
        made = distributed.Client(client, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise WorkerError(f"cannot reach the Dask scheduler at {client}: {exc}") from exc
    return made, [made]


def run_on_dask(files: list[str], roots: list[str], settings, client, jobs: int,
                check, died) -> Iterator[Report]:
    """Each file of ``files`` as a Dask task; ``roots`` are the paths as asked, checked for
    visibility on every worker first. Reports carry the paths as given, not the absolute ones."""
    from distributed import as_completed

    client, made = _client(client, jobs)
    futures: dict = {}
    try:
        absolute = {os.path.abspath(p): p for p in files}
        asked = sorted({os.path.abspath(p) for p in roots if os.path.exists(p)})
        unseen = {worker: missing for worker, missing in
                  client.run(_missing, asked).items() if missing}
        if unseen:
            worker, missing = sorted(unseen.items())[0]
            raise WorkerError(
                f"Dask worker {worker} cannot see {missing[0]}"
                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                + ": files are read where they are, so the workers must share this "
                "filesystem under the same paths (docs/validation.md, 'On a Dask cluster')")
        shared = client.scatter(settings, broadcast=True)
        paths = list(absolute)
        size = _chunk_size(len(paths), len(client.scheduler_info().get("workers", {})) or jobs)
        tries: dict[int, int] = {}
        for start in range(0, len(paths), size):
            chunk = paths[start:start + size]
            futures[client.submit(check_files, chunk, shared, check, pure=False)] = chunk
        pending = as_completed(list(futures))
        for future in pending:
            chunk = futures.pop(future)
            if future.status == "finished":
                for report in future.result():
                    path = report.file
                    report.file = absolute[path]
                    report.findings = [_with_file(f, absolute[path]) if f.file == path else f
                                       for f in report.findings]
                    yield report
                continue
            # check_file never raises: an error here is the cluster's (a worker lost)
            tries[id(chunk)] = tries.get(id(chunk), 0) + 1
            if tries[id(chunk)] == 1:
                retry = client.submit(check_files, chunk, shared, check, pure=False)
                futures[retry] = chunk
                pending.add(retry)
            else:
                for path in chunk:
                    yield Report(absolute[path], [died(absolute[path])])
    finally:
        if futures:
            client.cancel(list(futures))
        for thing in made:
            thing.close()


def _with_file(finding, file: str):
    from dataclasses import replace

    return replace(finding, file=file)
