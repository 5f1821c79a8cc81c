"""The pre-commit hooks, run for real: `pre-commit try-repo` on a fresh git repository.

try-repo installs this checkout into a virtual environment of its own, with pip (PyPI is
reachable where the tests run); it takes a minute or two.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from h5files import write_xas_file

ROOT = Path(__file__).resolve().parents[1]
GOOD = ("name: NXgood\ncategory: application\nmembers:\n  (NXentry):\n    members:\n"
        "      title: {type: NX_CHAR}\n")
BAD = ("name: NXbad\ncategory: application\nmembers:\n  (NXentry):\n    members:\n"
       "      energy: {type: NX_FLOAT, unitz: NX_ENERGY}\n")


def _run(*args, cwd, env=None):
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=1200)


def test_pre_commit_try_repo_runs_both_hooks(tmp_path):
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(pre_commit).exists() or not shutil.which("git"):
        pytest.skip("pre-commit (test extra) or git is not installed")
    repo = tmp_path / "beamline"
    (repo / "definitions").mkdir(parents=True)
    (repo / "definitions" / "NXgood.yaml").write_text(GOOD)
    (repo / "definitions" / "NXbad.yaml").write_text(BAD)
    (repo / "data").mkdir()
    write_xas_file(repo / "data" / "good.h5")
    (repo / "data" / "bad.h5").write_text("not HDF5")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the hook's own install
    env.update(PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    for command in (["git", "init", "-q"], ["git", "add", "."]):
        assert _run(*command, cwd=repo, env=env).returncode == 0
    proc = _run(pre_commit, "try-repo", str(ROOT), "--all-files", "--color", "never",
                cwd=repo, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "nxschema check (NeXus definitions)" in out and "Failed" in out
    assert "definitions/NXbad.yaml:6:" in out and "unknown-keyword" in out
    assert "NXgood.yaml:" not in out  # the good definition has no finding
    assert "nxschema validate (NeXus/HDF5 files)" in out
    assert "data/bad.h5::/: error[file-unreadable]" in out
    assert "good.h5::" not in out
    assert "Traceback" not in out
