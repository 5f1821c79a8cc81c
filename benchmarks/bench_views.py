"""Reading through views against h5py by hand: energy, i0 and it of every ESRF NXxas subentry.

The file holds N entries (default 2000), each with a ``measurement`` collection and an NXxas
subentry whose energy, i0 and it are soft links into it, as Bliss writes them. The baseline is
the h5py code a program needs today (``f[entry]["xas/energy"][()]`` for each entry it knows to
look at); the views find the subentries themselves, by their ``definition`` field, and bind
their members. Each is timed in a fresh process, imports included; runs alternate, best of
``--repeat``. Wall-clock time is the measure; CPU time (user + system of the process) is
reported too, as it moves less on a shared machine.

Python modules run from compiled bytecode, as from an installed package (pip compiles them):
the processes write and read it under a temporary ``PYTHONPYCACHEPREFIX`` (a first untimed run
fills it), whatever ``PYTHONDONTWRITEBYTECODE`` says. Without that, nxschema's modules would be
compiled from source in every timed run and h5py's not. ``--no-bytecode`` times that case.

    python benchmarks/bench_views.py            # N=2000
    python benchmarks/bench_views.py 500 --repeat 5
    python benchmarks/bench_views.py --no-bytecode

Target: views <= 1.5x the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent

BASELINE = """
import sys, h5py, numpy as np
total = 0.0
with h5py.File(sys.argv[1], "r") as f:
    for name in f:
        sub = f[name]["xas"]
        for member in ("energy", "i0", "it"):
            total += float(np.asarray(sub[member][()]).sum())
print(total)
"""

VIEWS = """
import sys, numpy as np, nxschema
total = 0.0
with nxschema.open(sys.argv[1]) as f:
    for xas in f.views("NXxas"):
        for member in (xas.energy, xas.i0, xas.it):
            total += float(np.asarray(member).sum())
print(total)
"""


def make(path: Path, entries: int) -> None:
    points = 200
    with h5py.File(path, "w", track_order=True) as f:
        f.attrs["NX_class"] = "NXroot"
        for n in range(1, entries + 1):
            entry = f.create_group(f"{n}.1")
            entry.attrs["NX_class"] = "NXentry"
            entry["title"] = f"xas scan {n}"
            meas = entry.create_group("measurement")
            meas.attrs["NX_class"] = "NXcollection"
            meas["energy"] = np.linspace(7.0, 7.2, points)
            meas["energy"].attrs["units"] = "keV"
            meas["i0"] = np.full(points, 1000.0)
            meas["it"] = np.full(points, 400.0 + n)
            sub = entry.create_group("xas")
            sub.attrs["NX_class"] = "NXsubentry"
            sub["definition"] = "NXxas"
            for member in ("energy", "i0", "it"):
                sub[member] = h5py.SoftLink(f"/{n}.1/measurement/{member}")


def timed(code: str, path: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, output) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("entries", nargs="?", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-bytecode", action="store_true",
                        help="compile every module from source in every run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scans.h5"
        make(path, args.entries)
        env = dict(os.environ, PYTHONPATH=str(HERE.parent))
        if args.no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
            for code in (BASELINE, VIEWS):  # untimed: fills the bytecode cache
                timed(code, path, env)
        base, views, base_cpu, views_cpu = [], [], [], []
        for _ in range(args.repeat):
            t, cpu, expected = timed(BASELINE, path, env)
            base.append(t)
            base_cpu.append(cpu)
            t, cpu, got = timed(VIEWS, path, env)
            views.append(t)
            views_cpu.append(cpu)
            assert got == expected, (got, expected)  # the same numbers were read
        ratio = min(views) / min(base)
        cpu_ratio = min(views_cpu) / min(base_cpu)
        print(json.dumps({"entries": args.entries, "bytecode": not args.no_bytecode,
                          "h5py_s": round(min(base), 3), "views_s": round(min(views), 3),
                          "ratio": round(ratio, 3), "h5py_cpu_s": round(min(base_cpu), 3),
                          "views_cpu_s": round(min(views_cpu), 3),
                          "cpu_ratio": round(cpu_ratio, 3),
                          "load": open("/proc/loadavg").read().split()[:3]
                          if os.path.exists("/proc/loadavg") else None}))
        print(f"views {min(views):.2f} s vs h5py by hand {min(base):.2f} s: {ratio:.2f}x "
              f"(target <= 1.5x); CPU {cpu_ratio:.2f}x", file=sys.stderr)


if __name__ == "__main__":
    main()
