"""An archive of 1,000 small files: `--jobs 1` against the default (one per core), and a
localhost Dask cluster of 2 workers against `--jobs 2`, all in the same run.

The tree is tests/archive.py's: a third of the files in subfolders, 10 broken, 2 unreadable.
Each run is `nxschema validate DIR --format jsonl` in a fresh process, imports included; peak
RSS is sampled (10 per second) over the whole process tree: the largest single process and the
largest sum. The machine's load average is printed with the figures, and the CPU seconds of each run (the CLI
and its workers): on a shared machine, other people's work takes the cores the parallel runs
need, and the CPU seconds show whether the work itself grew.

    python benchmarks/bench_archive.py [--files 1000] [--no-dask]

Targets: default >= 1.7 x faster than --jobs 1 on 2 cores; peak RSS <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from archive import write_archive  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV.update(PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(args: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "nxschema", "validate", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)
    peak = {"single": 0.0, "sum": 0.0}

    def sample():
        while proc.poll() is None:
            sizes = [_rss_mb(p) for p in _tree(proc.pid)]
            if sizes:
                peak["single"] = max(peak["single"], max(sizes))
                peak["sum"] = max(peak["sum"], sum(sizes))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    first = proc.stdout.readline()
    first_s = time.perf_counter() - start
    # not communicate(): it reads the descriptor and would miss what readline() buffered
    out = first + proc.stdout.read()
    err = proc.stderr.read()
    proc.wait()
    elapsed = time.perf_counter() - start
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU of the CLI and of the workers it reaped (not of Dask's own processes)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = out.splitlines()
    summary = json.loads(lines[-1])["summary"] if lines else {}
    return {"seconds": round(elapsed, 2), "cpu_s": round(cpu, 2),
            "first_line_s": round(first_s, 2),
            "first_line_fraction": round(first_s / elapsed, 3),
            "exit": proc.returncode, "files": len(lines) - 1,
            "checked": summary.get("checked"), "peak_rss_mb": round(peak["single"], 1),
            "peak_rss_sum_mb": round(peak["sum"], 1), "stderr": err.strip()[-300:]}


def dask_cluster(where: Path, workers: int):
    scheduler_file = where / "scheduler.json"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                               "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
                               str(scheduler_file)], env=ENV, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    while not scheduler_file.exists():
        time.sleep(0.2)
    for _ in range(workers):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", "--nworkers", "1",
             "--nthreads", "1", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    address = json.loads(scheduler_file.read_text())["address"]
    import distributed

    with distributed.Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=120)
    return address, procs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        write_archive(root, n=args.files, broken=10, unreadable=2)
        base = [str(root), "--format", "jsonl", "--quiet"]
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        result: dict = {"files": args.files, "cores": len(os.sched_getaffinity(0)),
                        "loadavg_before": load_before}
        result["jobs_1"] = run([*base, "--jobs", "1"])
        result["default"] = run(base)
        result["speedup_default_vs_jobs_1"] = round(
            result["jobs_1"]["seconds"] / result["default"]["seconds"], 2)
        if not args.no_dask:
            result["jobs_2"] = run([*base, "--jobs", "2"])
            address, procs = dask_cluster(Path(tmp), 2)
            try:
                result["dask_2_workers"] = run([*base, "--dask", address])
            finally:
                for proc in procs[::-1]:
                    proc.terminate()
                for proc in procs:
                    proc.wait()
            result["dask_overhead_vs_jobs_2"] = round(
                result["dask_2_workers"]["seconds"] / result["jobs_2"]["seconds"], 2)
        result["loadavg_after"] = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
