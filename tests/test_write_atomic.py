"""The one atomic-write helper: what it guarantees, and that every writer uses it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from nxschema._write.atomic import PARTIAL_SUFFIX, atomic_output, write_atomic
from nxschema.errors import OutputExistsError

PACKAGE = Path(__file__).resolve().parents[1] / "nxschema"


def test_text_is_written_as_utf8_with_its_newlines(tmp_path):
    target = write_atomic(tmp_path / "a.txt", "é\nline\r\n")
    assert target.read_bytes() == "é\nline\r\n".encode()
    with pytest.raises(OutputExistsError):
        write_atomic(target, "other")
    assert target.read_bytes() == "é\nline\r\n".encode()
    write_atomic(target, b"\x00bytes", overwrite=True)
    assert target.read_bytes() == b"\x00bytes"


def test_parents_and_unchanged_files(tmp_path):
    target = write_atomic(tmp_path / "a" / "b" / "page.html", "<p>", make_parents=True)
    os.utime(target, (1_000_000, 1_000_000))
    write_atomic(target, "<p>", overwrite=True, skip_unchanged=True)
    assert target.stat().st_mtime == 1_000_000  # untouched
    write_atomic(target, "<p>new", overwrite=True, skip_unchanged=True)
    assert target.read_text() == "<p>new" and target.stat().st_mtime != 1_000_000


def test_a_failure_leaves_the_target_and_no_temporary_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("before")
    with pytest.raises(RuntimeError), atomic_output(target, overwrite=True) as temp:
        temp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    assert not list(tmp_path.glob(f"*{PARTIAL_SUFFIX}"))


def test_no_writer_renames_files_of_its_own():
    """Writing a temporary file and renaming it is done in _write/atomic.py only. The cache
    (_definitions/cache.py) is the one exception, said why there: _definitions never imports
    _write, and a pickle must stay private (0o600)."""
    pattern = re.compile(r"\bos\.replace\(|\bos\.rename\(|\bmkstemp\(|NamedTemporaryFile\(")
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in ("_write/atomic.py", "_definitions/cache.py"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
