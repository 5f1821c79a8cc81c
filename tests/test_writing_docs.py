"""docs/writing.md runs as written: its python and sh blocks, in order, in an empty folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "writing.md"
BLOCK = re.compile(r"^```(python|sh)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks():
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_doc_has_examples_of_all_three_ways():
    code = "\n".join(body for _, body in blocks())
    assert "nxschema skeleton" in code and "nxschema codegen" in code
    assert "record_process" in code and "nxschema process config" in code


def test_every_block_runs(tmp_path):
    # `nxschema` and `python` of this interpreter come first on PATH, as in a venv.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
           f"{os.environ.get('PATH', '')}"}
    # This checkout's nxschema, not whichever one the venv installed (another worktree's).
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    for number, (language, body) in enumerate(blocks(), start=1):
        if language == "python":
            script = tmp_path / f"block_{number}.py"
            script.write_text(body, encoding="utf-8")
            command = [sys.executable, str(script)]
        else:
            command = ["bash", "-euo", "pipefail", "-c", body]
        proc = subprocess.run(command, cwd=tmp_path, env=env, check=False,
                              capture_output=True, text=True)
        assert proc.returncode == 0, (
            f"block {number} ({language}) failed:\n{body}\n--- stdout\n{proc.stdout}"
            f"\n--- stderr\n{proc.stderr}")
        assert "Traceback" not in proc.stderr
    assert (tmp_path / "scan.h5").exists() and not (tmp_path / "bad.h5").exists()
    assert not list(tmp_path.glob(".*.partial"))
