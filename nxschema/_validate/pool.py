"""A process pool that can kill one task: ``multiprocessing`` workers started with ``spawn``.

``concurrent.futures.ProcessPoolExecutor`` cannot stop one running task: a worker killed from
outside breaks the whole executor and every pending future with it. A file that hangs in HDF5
(``validate --timeout``) must be stopped alone and the run must go on, so each worker here is a
``spawn`` process with its own pipe; the parent knows which task each one runs, kills it past
its deadline and starts a fresh worker in its place. ``spawn`` (not ``fork``): HDF5's library
state and open handles are never inherited.

Results come back in completion order. A worker that dies (killed, out of memory, a crash in
the C library) gets its task retried once on a fresh worker; a second death is reported.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from collections import deque
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator

from nxschema.errors import ArgumentError, WorkerError

OK, FAILED, TIMEOUT, DIED = "ok", "failed", "timeout", "died"
_READY = "ready"


def _worker_main(conn, init) -> None:
    # The parent owns Ctrl-C: it prints the results so far, then stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One thread per worker: the workers are already one per core.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if init is not None:
        init[0](*init[1])
    conn.send(_READY)  # the deadline of a first task starts here, not at the spawn
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        key, fn, args = message
        try:
            answer = (key, OK, fn(*args))
        except Exception:  # handed back as text: the parent reports it against the task
            answer = (key, FAILED, traceback.format_exc())
        conn.send(answer)


class _Worker:
    def __init__(self, ctx, init) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, init), daemon=True)
        self.proc.start()
        child.close()  # so that the parent's recv() ends in EOFError when the worker dies
        self.queue: deque = deque()  # tasks sent, in the order the worker runs them
        self.ready = False
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                pass
        self.proc.join(0.5 if not kill else 5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


class Pool:
    """``jobs`` spawn workers; each runs ``init`` (a picklable function and its arguments) once,
    and up to ``depth`` tasks are queued in each.

    ``run(tasks)`` yields ``(key, status, value)`` in completion order: status ``ok`` with the
    function's result, ``failed`` with a traceback text, ``timeout`` or ``died`` with None.
    """

    def __init__(self, jobs: int, init: tuple[Callable, tuple] | None = None,
                 timeout: float | None = None, depth: int = 4) -> None:
        if jobs < 1 or depth < 1:
            raise ArgumentError("jobs and depth must be at least 1")
        self.jobs, self.init, self.timeout, self.depth = jobs, init, timeout, depth
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []

    def run(self, tasks: Iterable[tuple[Any, Callable, tuple]]) -> Iterator[tuple[Any, str, Any]]:
        pending = deque(tasks)
        deaths: dict[Any, int] = {}
        startup_deaths = 0
        try:
            self.start(len(pending))
            while pending or any(w.queue for w in self._workers):
                self._fill(pending)
                watched = [w for w in self._workers if w.queue or not w.ready]
                timeout = None
                if self.timeout and any(w.queue for w in watched):
                    timeout = max(0.0, min(w.deadline for w in watched if w.queue)
                                  - time.monotonic())
                ready = wait([w.conn for w in watched], timeout)
                for worker in watched:
                    if worker.conn in ready:
                        try:
                            answer = worker.conn.recv()
                        except (EOFError, OSError):  # the worker died (under its first task?)
                            queue = self._replace(worker)
                            if not queue:  # died starting up: its init is broken
                                startup_deaths += 1
                                if startup_deaths > 2 * self.jobs:
                                    raise WorkerError("the validation workers die as they "
                                                      "start (see the messages above)") from None
                                continue
                            task = queue.popleft()
                            pending.extendleft(reversed(queue))  # not theirs to answer for
                            deaths[task[0]] = deaths.get(task[0], 0) + 1
                            if deaths[task[0]] == 1:
                                pending.appendleft(task)
                            else:
                                yield task[0], DIED, None
                            continue
                        if answer == _READY:
                            worker.ready = True
                            continue
                        worker.queue.popleft()
                        # the next queued task starts now (or a little before: never late)
                        worker.deadline = time.monotonic() + (self.timeout or 0)
                        yield answer
                    elif worker.queue and self.timeout and time.monotonic() >= worker.deadline:
                        queue = self._replace(worker)
                        key = queue.popleft()[0]
                        pending.extendleft(reversed(queue))
                        yield key, TIMEOUT, None
        finally:
            self.close()

    def _fill(self, pending: deque) -> None:
        # A few tasks queued in each worker: the next file is there when one ends, so the
        # workers never wait for this process to be scheduled (a busy machine: milliseconds
        # per round trip, as long as a small file takes). Filled in rounds, to stay balanced.
        for depth in range(1, self.depth + 1):
            for worker in self._workers:
                if worker.ready and len(worker.queue) < depth and pending:
                    self._give(worker, pending.popleft())

    def give_now(self, tasks: Iterable[tuple[Any, Callable, tuple]]) -> None:
        """Queue ``tasks`` in the started workers at once, round robin, without waiting for
        them to be ready: a worker reads its tasks after its ``init``, so the work starts as
        soon as it can while this process does something else; ``run([])`` then collects the
        answers (a worker that dies under one retries it once, as in ``run``)."""
        for i, task in enumerate(tasks):
            self._give(self._workers[i % len(self._workers)], task)

    def start(self, tasks: int) -> None:
        """Start the workers for ``tasks`` tasks now (``run`` does it on its first step)."""
        while len(self._workers) < min(self.jobs, tasks):
            self._workers.append(_Worker(self._ctx, self.init))

    def _give(self, worker: _Worker, task: tuple) -> None:
        if not worker.queue:
            worker.deadline = time.monotonic() + (self.timeout or 0)
        worker.queue.append(task)
        try:
            worker.conn.send(task)
        except (OSError, ValueError):
            # The worker died since it was last heard (a task before this one killed it).
            # The task stays queued; no more are given, and the EOF that run() reads next
            # counts the death against the task that caused it and requeues the rest.
            worker.ready = False

    def _replace(self, worker: _Worker) -> deque:
        """Kill ``worker``, start a fresh one in its place; the tasks it had, in order."""
        worker.stop(kill=True)
        self._workers[self._workers.index(worker)] = _Worker(self._ctx, self.init)
        return worker.queue

    def close(self) -> None:
        """Stop every worker (those still busy are killed)."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop(kill=bool(worker.queue))
