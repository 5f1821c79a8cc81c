"""Write the validation benchmark's workload: N full NIAC NXxas entries in one file.

Each entry has 9 NXxas groups and about 30 datasets and links, plus an ESRF analysis subentry
(energy, i0 and it as links into `measurement`) and an ESRF v2 NXprocess.

    python benchmarks/make_workload.py 2000 /tmp/workload_2000.h5
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from h5files import write_xas_file  # noqa: E402


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    write_xas_file(argv[1], n_entries=int(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
