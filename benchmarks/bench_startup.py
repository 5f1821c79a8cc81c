"""Start-up: one `nxschema validate` of a small file against its floor, side by side.

The floor is what any validator must pay: `python -c "import h5py"` plus a `visititems` walk of
the same file. Both are run alternately in fresh processes (so that load on the machine hits
both alike), and the medians are compared. Target: validate <= 1.3 x the floor.

    python benchmarks/bench_startup.py [FILE] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR = ("import h5py, sys\n"
         "with h5py.File(sys.argv[1], 'r') as f:\n"
         "    f.visititems(lambda name, obj: None)\n")


def _time(command: list[str], env) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(ROOT / "docs/examples/esrf_xas.h5"))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    # As installed: bytecode cached (a session may have PYTHONDONTWRITEBYTECODE set, which
    # would charge the compilation of every module to each run).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    ours = [sys.executable, "-m", "nxschema", "validate", args.file]
    floor = [sys.executable, "-c", FLOOR, args.file]
    _time(ours, env), _time(floor, env)  # warm the page cache and the definitions cache
    a, b = [], []
    for _ in range(args.runs):
        a.append(_time(ours, env))
        b.append(_time(floor, env))
    result = {"runs": args.runs, "validate_median_s": round(statistics.median(a), 3),
              "floor_median_s": round(statistics.median(b), 3),
              "ratio": round(statistics.median(a) / statistics.median(b), 2),
              "loadavg": Path("/proc/loadavg").read_text().split()[:3]
              if Path("/proc/loadavg").exists() else None}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
