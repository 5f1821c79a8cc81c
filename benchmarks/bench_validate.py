"""Time `nxschema validate` against a naive h5py walk of the same file, in the same run.

The baseline is what any script does to look at every object: `visititems` plus reading every
attribute. Each measurement runs in a fresh subprocess (so imports and caches are counted the
same way for both) and reports wall time and peak RSS; the ratio is validate / baseline. Runs
alternate, best of three each, so that the machine's load affects all alike. `validate` is one
process (`jobs=1`); `validate_all_cores` is the CLI's default, which splits a file's entries
between one process per core (its peak RSS is per process).

    python benchmarks/bench_validate.py 2000            # builds the workload if missing
    python benchmarks/bench_validate.py 200 2000 20000  # several sizes: linearity
    python benchmarks/bench_validate.py --repeat 1 20000
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

NAIVE = """
import sys, h5py
n = 0
with h5py.File(sys.argv[1], "r") as f:
    def visit(name, obj):
        global n
        for key, value in obj.attrs.items():
            n += 1
    f.visititems(visit)
print(n)
"""

VALIDATE = """
import sys, nxschema
report = nxschema.validate(sys.argv[1], jobs=1)
print(len(report.findings), len(report.errors))
"""

# What `nxschema validate FILE` does by default: one process per core for a file this big.
VALIDATE_JOBS = VALIDATE.replace("jobs=1", "jobs=None")


def _run(code: str, path: Path) -> tuple[float, float, str, float]:
    """(seconds, peak RSS in MB, output, CPU seconds of the whole process) of running ``code``
    in a fresh interpreter (CPU includes start-up; it barely moves with the machine's load)."""
    wrapper = (
        "import resource, time, runpy, sys\n"
        "t = time.perf_counter()\n"
        f"exec(compile({code!r}, 'bench', 'exec'))\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "sys.stderr.write('%f %d %f\\n' % (time.perf_counter() - t, u.ru_maxrss, "
        "u.ru_utime + u.ru_stime))\n")
    proc = subprocess.run([sys.executable, "-c", wrapper, str(path)], capture_output=True,
                          text=True, check=True)
    seconds, rss_kb, cpu = proc.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(rss_kb) / 1024, proc.stdout.strip(), float(cpu)


def measure(n: int, workdir: Path, repeat: int = 3) -> dict:
    path = workdir / f"workload_{n}.h5"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "make_workload.py"), str(n), str(path)],
                       check=True)
    # Interleaved, so that a change in machine load hits both sides alike; best of `repeat`.
    runs = [(_run(NAIVE, path), _run(VALIDATE, path), _run(VALIDATE_JOBS, path))
            for _ in range(repeat)]
    naive = min(r[0] for r in runs)
    ours = min(r[1] for r in runs)
    jobs = min(r[2] for r in runs)
    return {"entries": n, "file_mb": round(path.stat().st_size / 2**20, 1),
            "naive_s": round(naive[0], 3), "validate_s": round(ours[0], 3),
            "ratio": round(ours[0] / naive[0], 3),
            "naive_cpu_s": round(naive[3], 3), "validate_cpu_s": round(ours[3], 3),
            "cpu_ratio": round(ours[3] / naive[3], 3),
            "validate_all_cores_s": round(jobs[0], 3), "ratio_all_cores": round(jobs[0] / naive[0], 3), "validate_peak_rss_mb": round(ours[1], 1),
            "naive_peak_rss_mb": round(naive[1], 1), "findings_errors": ours[2]}


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python benchmarks/bench_validate.py 2000")
    parser.add_argument("sizes", nargs="*", type=int, default=[2000], metavar="N",
                        help="entries in the workload file (built if missing; default 2000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    options = parser.parse_args(argv)
    repeat, sizes = options.repeat, options.sizes
    workdir = Path(os.environ.get("NXSCHEMA_BENCH_DIR", tempfile.gettempdir()))
    rows = []
    for n in sizes:
        start = time.perf_counter()
        rows.append(measure(n, workdir, repeat))
        row = rows[-1]
        print(json.dumps(row), f"({time.perf_counter() - start:.0f} s)", flush=True)
        print(f"N={n}: `nxschema validate` (its default, one process per core) takes "
              f"{row['ratio_all_cores']} of the naive walk's time; {row['ratio']} in one process",
              flush=True)
    if len(rows) > 1:
        per_entry = [r["validate_s"] / r["entries"] * 1000 for r in rows]
        print("validate ms per entry:", ", ".join(f"{p:.3f}" for p in per_entry))
    return 0


if __name__ == "__main__":
    sys.exit(main())
