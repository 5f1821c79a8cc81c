"""A validation worker process: ``python -m nxschema._validate.worker`` with a pickled job on stdin.

Run as its own module rather than through multiprocessing, so that nothing depends on how the
caller's ``__main__`` was started (a script without a main guard, stdin, a notebook).
The job is (file, catalog, definition, external-link policy, root group names); the answer, on
stdout, is the pickled list of findings, or the pickled exception.
"""

from __future__ import annotations

import pickle
import sys


def main() -> None:
    job = pickle.load(sys.stdin.buffer)
    try:
        from nxschema._validate.api import validate_part

        result = validate_part(*job)
    except Exception as exc:  # handed back to the parent, which raises it
        result = exc
    pickle.dump(result, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    main()
