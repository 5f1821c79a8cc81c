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


UNDECLARED = """\
<?xml version="1.0" encoding="UTF-8"?>
<definition xmlns="http://definition.nexusformat.org/nxdl/3.1" name="NXsym" type="group"
            extends="NXobject" category="base">
    <doc>A base class whose data has a length nP that no symbols table declares.</doc>
    <field name="data" type="NX_NUMBER">
        <dimensions rank="1"><dim index="1" value="nP"/></dimensions>
    </field>
</definition>
"""


def _snapshot(tmp_path: Path, env: dict) -> tuple[Path, str]:
    """This checkout as it is on disk (uncommitted edits too), committed in a git repository of
    its own: a .pre-commit-config.yaml needs a repo and a rev, and try-repo takes no args."""
    copy = tmp_path / "nxschema-repo"
    listed = _run("git", "ls-files", "-z", cwd=ROOT, env=env).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "s"]):
        assert _run(*command, cwd=copy, env=env).returncode == 0
    return copy, _run("git", "rev-parse", "HEAD", cwd=copy, env=env).stdout.strip()


def test_the_check_hook_takes_the_profile(tmp_path):
    # A definitions repository's CI: args: [--profile, niac, --fail-on, warning] passes on an
    # undeclared symbol (what the official files do on purpose); without the profile it fails.
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(pre_commit).exists() or not shutil.which("git"):
        pytest.skip("pre-commit (test extra) or git is not installed")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the hook's own install
    env.update(PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    source, rev = _snapshot(tmp_path, env)
    repo = tmp_path / "definitions"
    (repo / "base_classes").mkdir(parents=True)
    (repo / "base_classes" / "NXsym.nxdl.xml").write_text(UNDECLARED)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {source}\n  rev: {rev}\n  hooks:\n"
        "  - id: nxschema-check\n    name: check with niac\n"
        "    args: [--profile, niac, --fail-on, warning]\n"
        "  - id: nxschema-check\n    name: check by default\n    args: [--fail-on, warning]\n")
    for command in (["git", "init", "-q"], ["git", "add", "."]):
        assert _run(*command, cwd=repo, env=env).returncode == 0
    proc = _run(pre_commit, "run", "--all-files", "--color", "never", cwd=repo, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    lines = out.splitlines()
    niac = next(line for line in lines if line.startswith("check with niac"))
    default = next(line for line in lines if line.startswith("check by default"))
    assert niac.endswith("Passed") and default.endswith("Failed"), out
    assert "warning[undeclared-symbol]" in out and "Traceback" not in out
