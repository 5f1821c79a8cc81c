"""Time `nxschema redact` on a large raw file against h5py's own copy of the same file.

The file is Bliss-like (see tests/bliss_personal.py): two scans, each with a detector stack that
makes up nearly all of the bytes, positioners, a ``user`` NXuser with personal fields and an
e-mail address in a free-text comment. The baseline copies every root object with h5py's
``Group.copy`` (HDF5's H5Ocopy, the fastest way HDF5 offers to copy a file's objects) into a new
file, in the same run. Each measurement is a fresh process; runs alternate, best of ``--repeat``.
redact writes OUT atomically (fsync, then rename); the copy does not sync, so redact also pays
for getting its bytes to the disk (about 0.6 s per GB here). The same copy followed by an fsync
of its output is timed too, as the cost of a copy that is as durable. CPU time (user + system)
is reported beside wall time.

Python modules run from compiled bytecode, as from an installed package (a first untimed run
fills a temporary ``PYTHONPYCACHEPREFIX``, whatever ``PYTHONDONTWRITEBYTECODE`` says);
``--no-bytecode`` compiles them from source in every run. The raw file is made in the system's
temporary folder (``TMPDIR``), never in the repository, and removed at the end.

    python benchmarks/bench_redact.py                 # 1024 MB
    python benchmarks/bench_redact.py --mb 256 --repeat 3
    TMPDIR=/work/tmp python benchmarks/bench_redact.py --no-bytecode

Target: redact <= 1.5x the baseline.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

# Both are timed as whole processes (interpreter start and imports included), as a user runs
# h5copy or nxschema redact.
BASELINE = """
import sys, h5py
with h5py.File(sys.argv[1], "r") as src, h5py.File(sys.argv[2], "w") as dst:
    for key, value in src.attrs.items():
        dst.attrs[key] = value
    for name in src:
        src.copy(src[name], dst, name=name)
"""

# The same copy, then its bytes on the disk (what redact's atomic write guarantees as well).
DURABLE = BASELINE + """
import os
fd = os.open(sys.argv[2], os.O_RDONLY)
os.fsync(fd)
os.close(fd)
"""

REDACT = """
import sys
import nxschema
result = nxschema.redact(sys.argv[1], sys.argv[2])
assert result.redacted, "nothing redacted"
"""


def make(path: Path, megabytes: int) -> None:
    from bliss_personal import write_raw
    frames = max(1, megabytes)  # a 512x512 uint16 frame is 0.5 MB, and there are two scans
    write_raw(path, detector_shape=(frames, 512, 512), compression=None, noise=True)


def timed(code: str, src: Path, dst: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh process."""
    if dst.exists():
        dst.unlink()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(src), str(dst)], env=env, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="size of the raw file (MB)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-bytecode", action="store_true",
                        help="compile every module from source in every run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "raw.h5"
        t0 = time.perf_counter()
        make(src, args.mb)
        size = src.stat().st_size / 2**20
        print(f"made {src.name}: {size:.0f} MB in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
        env = dict(os.environ, PYTHONPATH=str(HERE.parent))
        if args.no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
            # untimed, on a small file: fills the bytecode cache
            make(folder / "small.h5", 1)
            for code in (BASELINE, REDACT):
                timed(code, folder / "small.h5", folder / "small-out.h5", env)
        base, red, base_cpu, red_cpu, durable = [], [], [], [], []
        for _ in range(args.repeat):
            wall, cpu = timed(BASELINE, src, folder / "copy.h5", env)
            base.append(round(wall, 3))
            base_cpu.append(cpu)
            durable.append(round(timed(DURABLE, src, folder / "copy.h5", env)[0], 3))
            wall, cpu = timed(REDACT, src, folder / "out.h5", env)
            red.append(round(wall, 3))
            red_cpu.append(cpu)
        row = {"mb": round(size), "bytecode": not args.no_bytecode,
               "h5py_copy_s": round(min(base), 3), "redact_s": round(min(red), 3),
               "ratio": round(min(red) / min(base), 3),
               "cpu_ratio": round(min(red_cpu) / min(base_cpu), 3),
               "durable_copy_s": round(min(durable), 3),
               "ratio_to_durable_copy": round(min(red) / min(durable), 3),
               "runs": {"h5py_copy": base, "h5py_copy_fsync": durable, "redact": red},
               "load": open("/proc/loadavg").read().split()[:3]
               if os.path.exists("/proc/loadavg") else None}
        print(json.dumps(row))
        print(f"redact {min(red):.2f} s vs h5py copy {min(base):.2f} s: "
              f"{min(red) / min(base):.2f}x (target <= 1.5x); CPU "
              f"{min(red_cpu) / min(base_cpu):.2f}x; vs copy + fsync {min(durable):.2f} s: "
              f"{min(red) / min(durable):.2f}x", file=sys.stderr)


if __name__ == "__main__":
    main()
