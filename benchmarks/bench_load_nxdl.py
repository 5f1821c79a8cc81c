"""Time loading and compiling all official NXDL definitions: cold, and warm from the cache.

"Compiling" is what every command does before it can use a definition: read every file into the
model, then resolve every definition in the catalog (``extends`` merged in). Each measurement
runs in a fresh subprocess with its own cache folder, so nothing stays warm in memory between
runs; the import of nxschema is timed apart.

    python benchmarks/bench_load_nxdl.py                 # ../shared/nxdl next to the repo
    python benchmarks/bench_load_nxdl.py --repeat 9 --nxdl /path/to/nxdl

Modes: cold (no cache at all), first (cold, and writing the cache), warm (from the cache).
Targets: cold <= 1 s, warm <= 0.1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_NXDL = HERE.parent.parent / "shared" / "nxdl"

RUN = """
import json, sys, time
t0 = time.perf_counter()
from nxschema._definitions.catalog import Catalog
t1, c1 = time.perf_counter(), time.process_time()
catalog = Catalog()
catalog.load_path(sys.argv[1], layer=1, cache=sys.argv[2] != "cold")
resolved = [catalog[key] for key in catalog]
t2, c2 = time.perf_counter(), time.process_time()
errors = sum(f.severity == "error" for f in catalog.findings)
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "cpu": c2 - c1,
                  "definitions": len(resolved), "errors": errors}))
"""


def measure(nxdl: Path, mode: str, cache_dir: str) -> dict:
    env = dict(os.environ, NXSCHEMA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", RUN, str(nxdl), mode], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nxdl", type=Path, default=DEFAULT_NXDL)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.nxdl.is_dir():
        print(f"no NXDL folder at {args.nxdl}", file=sys.stderr)
        return 2
    files = len(list(args.nxdl.rglob("*.nxdl.xml")))
    results: dict[str, list[dict]] = {"cold": [], "first": [], "warm": []}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache_dir:
            results["cold"].append(measure(args.nxdl, "cold", cache_dir))
            results["first"].append(measure(args.nxdl, "first", cache_dir))
            results["warm"].append(measure(args.nxdl, "warm", cache_dir))
    print(f"{files} NXDL files in {args.nxdl}, {args.repeat} runs each (seconds):")
    print(f"{'mode':6} {'median':>8} {'best':>8} {'cpu':>8} {'import':>8} {'defs':>5} "
          f"{'errors':>6}")
    for mode, runs in results.items():
        loads = [r["load"] for r in runs]
        print(f"{mode:6} {statistics.median(loads):8.3f} {min(loads):8.3f} "
              f"{statistics.median(r['cpu'] for r in runs):8.3f} "
              f"{statistics.median(r['import'] for r in runs):8.3f} "
              f"{runs[0]['definitions']:5d} {runs[0]['errors']:6d}")
    print("median and best: wall-clock seconds of load + resolve; cpu: median CPU seconds of "
          "the same (less sensitive to other processes); import: nxschema's, not included")
    cold = statistics.median(r["load"] for r in results["cold"])
    warm = statistics.median(r["load"] for r in results["warm"])
    verdict = "ok" if cold <= 1.0 and warm <= 0.1 else "OVER TARGET"
    print(f"targets: cold <= 1 s, warm <= 0.1 s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
