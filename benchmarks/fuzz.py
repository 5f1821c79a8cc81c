"""Fuzz the validator for as long as asked, with the generators of tests/test_h5_fuzz.py.

    python benchmarks/fuzz.py --minutes 10            # writes failures to fuzz-failures/
    python benchmarks/fuzz.py --minutes 1 --out /tmp/f --seed 7

Each input is a random hostile HDF5 tree (tests/hostile.py ``random_tree``), one of the
audit's hostile kinds, a valid file with bytes flipped (anywhere, or inside object headers), or
a random hostile definition, YAML or NXDL (tests/hostile_definitions.py), which is checked and,
where ``check`` passes it, turned into a writer that is run in an empty folder. A long-lived
worker process takes each input; the run records

* tracebacks: an exception escaping ``nxschema.validate`` or ``nxschema.check``, an
  ``internal-error`` finding, a definition error without a line, or a generated writer that
  wrote anything but its own file;
* hangs: an input not done within ``--hang`` seconds (default 20): the worker is killed and
  restarted;
* changed inputs: the sha256 or the mtime of the file differ after validation;

and copies every failing input, with what went wrong, to ``--out`` (to become a regression
test). The last line is a JSON summary; the exit code is 1 if anything failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import hostile  # noqa: E402  (tests/hostile.py: the shared generators)
import hostile_definitions  # noqa: E402

WORKER = r"""
import json, sys, traceback
from pathlib import Path
import nxschema
import hostile_definitions
for line in sys.stdin:
    path, external, kind = json.loads(line)
    if kind == "definition":
        try:
            problem = hostile_definitions.judge_definition(Path(path))
        except BaseException:
            problem = traceback.format_exc()
        out = {"ok": problem is None, "error": problem or "", "longest": 0}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
        continue
    try:
        findings = nxschema.validate(path, external=external).findings
        aborted = [f.message for f in findings if f.code == "internal-error"]
        out = {"ok": not aborted, "error": "; ".join(aborted), "findings": len(findings),
               "longest": max((len(str(f)) for f in findings), default=0)}
    except BaseException:
        out = {"ok": False, "error": traceback.format_exc()}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
"""


class Worker:
    def __init__(self):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env)

    def validate(self, path: str, external: str, kind: str, timeout: float):
        """The worker's answer, or None if it did not answer within ``timeout`` seconds."""
        import selectors
        self.proc.stdin.write(json.dumps([path, external, kind]) + "\n")
        self.proc.stdin.flush()
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else {"ok": False, "error": "worker died"}

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def fingerprint(path) -> tuple[str, int]:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest(), os.stat(path).st_mtime_ns


def make_input(rng: random.Random, folder: Path, valid: bytes) -> tuple[Path, str]:
    """One input file in ``folder`` and its kind."""
    path = folder / "input.h5"
    kind = rng.choice(["tree", "tree", "flip", "flip-header", "odd", "cycle", "bomb",
                       "definition"])
    if kind == "definition":
        return hostile_definitions.random_definition(folder, rng.choice, rng.randint), kind
    if kind == "tree":
        hostile.random_tree(path, rng.choice, rng.randint)
    elif kind == "flip":
        path.write_bytes(hostile.corrupt(valid, rng, rng.randint(1, 16)))
    elif kind == "flip-header":
        start = rng.choice(hostile.object_headers(valid))
        path.write_bytes(hostile.corrupt(valid, rng, rng.randint(1, 4), (start, start + 128)))
    elif kind == "odd":
        hostile.odd_nx_class(path, rng.choice(list(hostile.ODD_VALUES.values())))
    elif kind == "cycle":
        rng.choice([lambda: hostile.hard_link_cycle(path, rng.randint(1, 8)),
                    lambda: hostile.soft_link_cycle(path),
                    lambda: hostile.hard_link_diamonds(path, rng.randint(2, 40), 3)])()
    else:
        text = rng.choice(["[" * 5000, '{"a": ' + "9" * 5000 + "}", "a:\n" * 1000,
                           "{" * 3000 + "}" * 3000])
        hostile.config_bomb(path, text, rng.choice(["json", "yaml", "ini"]))
    return path, kind


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--out", default="fuzz-failures", help="folder for failing inputs")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--hang", type=float, default=20.0, help="seconds that count as a hang")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    out = Path(args.out)
    counts = {"inputs": 0, "tracebacks": 0, "hangs": 0, "changed": 0, "seed": seed,
              "kinds": {}, "slowest_s": 0.0, "longest_finding": 0}
    work = Path(tempfile.mkdtemp(prefix="nxschema-fuzz-"))
    with hostile.base_file(work / "valid.h5"):
        pass
    valid = (work / "valid.h5").read_bytes()
    worker = Worker()
    end = time.monotonic() + args.minutes * 60
    try:
        while time.monotonic() < end:
            folder = work / "case"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                path, kind = make_input(rng, folder, valid)
            except Exception:  # h5py refused to write this tree: not an input
                continue
            counts["inputs"] += 1
            counts["kinds"][kind] = counts["kinds"].get(kind, 0) + 1
            before = fingerprint(path)
            external = rng.choice(["below", "never", "follow"])
            started = time.monotonic()
            answer = worker.validate(str(path), external, kind, args.hang)
            took = time.monotonic() - started
            counts["slowest_s"] = round(max(counts["slowest_s"], took), 2)
            problem = None
            if answer is None:
                counts["hangs"] += 1
                problem = f"hang: no answer within {args.hang} s"
                worker.stop()
                worker = Worker()
            elif not answer["ok"]:
                counts["tracebacks"] += 1
                problem = answer["error"]
            else:
                counts["longest_finding"] = max(counts["longest_finding"], answer["longest"])
            if fingerprint(path) != before:
                counts["changed"] += 1
                problem = (problem or "") + "\nthe input changed (sha256 or mtime)"
            if problem:
                out.mkdir(parents=True, exist_ok=True)
                name = f"{counts['inputs']:06d}-{kind}"
                shutil.copytree(folder, out / name, symlinks=True)
                (out / name / "problem.txt").write_text(f"external={external}\n{problem}\n")
                print(f"{name}: {problem.splitlines()[0]}", file=sys.stderr)
    finally:
        worker.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(counts))
    return 1 if counts["tracebacks"] or counts["hangs"] or counts["changed"] else 0


if __name__ == "__main__":
    sys.exit(main())
