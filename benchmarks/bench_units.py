"""Time the units analysis against a plain dict look-up, in the same run.

The corpus is tests/data/units_corpus.txt (about 440 distinct spellings). Three timings per
round, best of the rounds:

- ``dict``: a plain dict look-up of every spelling (the baseline: what the old hand-made table
  cost at best);
- ``cold``: ``read_units`` with its caches cleared first, i.e. every spelling parsed from scratch
  (what the first file of a run pays, once per distinct spelling);
- ``warm``: ``category_problem`` on every (category, spelling) pair after one pass, i.e. what a
  validation walk pays per dataset from then on.

    python benchmarks/bench_units.py            # 200 passes over the corpus, best of 5
    python benchmarks/bench_units.py 1000 3
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from nxschema import _units  # imported after the path is set, so this checkout is measured

CORPUS = HERE.parent / "tests" / "data" / "units_corpus.txt"


def _spellings() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(x for x in lines if x.strip() and not x.startswith("#")))


def _best(function, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    passes = int(args[0]) if args else 200
    rounds = int(args[1]) if len(args) > 1 else 5
    words = _spellings()
    table = {w: i for i, w in enumerate(words)}
    pairs = [("NX_LENGTH" if i % 3 == 0 else "NX_ENERGY" if i % 3 == 1 else "NX_ANY", w)
             for i, w in enumerate(words)]

    def plain():
        get = table.get
        for _ in range(passes):
            for w in words:
                get(w)

    def cold():
        for _ in range(passes):
            _units.read_units.cache_clear()
            _units._unit.cache_clear()
            for w in words:
                _units.read_units(w)

    def warm():
        problem = _units.category_problem
        for _ in range(passes):
            for category, w in pairs:
                problem(category, w)

    warm()  # fill the caches once
    t_dict, t_cold, t_warm = _best(plain, rounds), _best(cold, rounds), _best(warm, rounds)
    n = passes * len(words)
    print(f"{len(words)} spellings x {passes} passes, best of {rounds}:")
    print(f"  dict look-up           {t_dict / n * 1e9:8.0f} ns per unit  (baseline)")
    print(f"  parse, caches cleared  {t_cold / n * 1e9:8.0f} ns per unit  "
          f"({t_cold / t_dict:.0f} x the dict)")
    print(f"  category_problem, warm {t_warm / n * 1e9:8.0f} ns per unit  "
          f"({t_warm / t_dict:.1f} x the dict)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
