"""Named definition sets (--defs nexusformat, ...), `nxschema definitions list`, the sets in
reports, and `nxschema check --profile` on the official NXDL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nxschema._definitions.profiles import NIAC_ACCEPTS

REPO = Path(__file__).resolve().parents[1]
OFFICIAL = Path("/work/shared/nxdl")
EXAMPLE = REPO / "docs" / "examples" / "esrf_xas.h5"


def cli(*args, env=None) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                         capture_output=True, text=True, timeout=300, check=False,
                         env={**os.environ, **(env or {})})
    assert "Traceback" not in run.stdout + run.stderr
    return run


def test_definitions_list_shows_bundled_and_nexusformat():
    pytest.importorskip("nexusformat")
    run = cli("definitions", "list", "--format", "json")
    assert run.returncode == 0
    sets = {s["name"]: s for s in json.loads(run.stdout)["sets"]}
    assert sets["bundled"]["count"] > 10 and sets["bundled"]["version"].startswith("nxschema")
    nexusformat = sets["nexusformat"]
    assert nexusformat["version"].startswith("v20") and "nexusformat" in nexusformat["version"]
    assert nexusformat["count"] >= 250 and Path(nexusformat["path"], "NXDL_VERSION").exists()
    text = cli("definitions", "list").stdout
    assert text.splitlines()[0].startswith("bundled") and "nexusformat" in text


def test_env_set_comes_from_nexus_def_path():
    if not OFFICIAL.is_dir():
        pytest.skip("no official NXDL at /work/shared/nxdl")
    run = cli("definitions", "list", "--format", "json", env={"NEXUS_DEF_PATH": str(OFFICIAL)})
    env = {s["name"]: s for s in json.loads(run.stdout)["sets"]}["env"]
    version = (OFFICIAL / "NXDL_VERSION").read_text().split()[0]
    assert (env["path"], env["version"], env["count"]) == (str(OFFICIAL), version, 280)
    missing = cli("validate", "--defs", "env", EXAMPLE, env={"NEXUS_DEF_PATH": ""})
    assert missing.returncode == 2 and "'env' is not installed" in missing.stderr


def test_validate_with_nexusformat_names_the_set_and_its_version():
    pytest.importorskip("nexusformat")
    run = cli("validate", "--defs", "nexusformat", EXAMPLE)
    assert run.returncode == 0, run.stdout + run.stderr
    header = run.stderr.splitlines()[0]
    assert header.startswith("definitions: bundled") and "nexusformat v20" in header
    data = json.loads(cli("validate", "--defs", "nexusformat", "--format", "json",
                          EXAMPLE).stdout)
    entry = data["files"][0]
    assert list(entry["definitions"]) == ["bundled", "nexusformat"] and entry["ok"]
    assert entry["definitions"]["nexusformat"].startswith("v20")
    lines = cli("validate", "--defs", "nexusformat", "--format", "jsonl", EXAMPLE).stdout
    first = json.loads(lines.splitlines()[0])
    assert first["file"] == str(EXAMPLE) and first["definitions"] == entry["definitions"]
    sarif = json.loads(cli("validate", "--defs", "nexusformat", "--format", "sarif",
                           EXAMPLE).stdout)
    assert sarif["runs"][0]["properties"]["definitions"] == entry["definitions"]


def test_report_carries_the_definitions():
    pytest.importorskip("nexusformat")
    from nxschema import validate
    from nxschema._definitions.catalog import load

    report = validate(EXAMPLE, definitions=load("nexusformat"))
    assert list(report.definitions) == ["bundled", "nexusformat"]
    assert report.definitions["nexusformat"].startswith("v20")
    from nxschema import validate_many

    many = list(validate_many([EXAMPLE], definitions=["nexusformat"], jobs=1))
    assert [r.definitions for r in many] == [report.definitions]


def test_profile_niac_passes_the_official_nxdl_and_strict_flags_it():
    if not OFFICIAL.is_dir():
        pytest.skip("no official NXDL at /work/shared/nxdl")
    niac = cli("check", OFFICIAL, "--profile", "niac", "--fail-on", "warning")
    assert niac.returncode == 0, niac.stdout[-2000:]
    assert "warning[" not in niac.stdout and "info[undeclared-symbol]" in niac.stdout
    strict = cli("check", OFFICIAL, "--profile", "strict", "--fail-on", "warning",
                 "--format", "json")
    assert strict.returncode == 1
    data = json.loads(strict.stdout)
    codes = {f["code"] for file in data["files"] for f in file["findings"]
             if f["severity"] == "warning"}
    assert codes == set(NIAC_ACCEPTS)
    assert [d["name"] for d in data["definitions"]] == ["bundled", str(OFFICIAL)]
    assert data["definitions"][1]["version"] == (OFFICIAL / "NXDL_VERSION").read_text().strip()


def test_every_code_niac_silences_is_documented_with_its_reason():
    text = (REPO / "docs" / "profiles.md").read_text()
    for code in NIAC_ACCEPTS:
        assert f"`{code}`" in text


def test_a_git_checkout_without_nxdl_version_is_versioned_by_git_describe(tmp_path):
    import shutil

    from nxschema._definitions.sets import describe_path

    if not shutil.which("git"):
        pytest.skip("git is not installed")
    repo = tmp_path / "defs"
    (repo / "base_classes").mkdir(parents=True)
    (repo / "base_classes" / "NXthing.yaml").write_text(
        "name: NXthing\ncategory: base\nmembers:\n  value: NX_FLOAT\n")
    git = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "one"],
                    ["tag", "v2026.02-rc1"]):
        subprocess.run(["git", *command], cwd=repo, check=True, capture_output=True,
                       env={**os.environ, **git})
    info = describe_path(repo)
    assert (info.version, info.count) == ("v2026.02-rc1", 1)
    (repo / "base_classes" / "NXthing.yaml").write_text("name: NXthing\ncategory: base\n")
    assert describe_path(repo).version == "v2026.02-rc1-dirty"  # an edited checkout says so
    run = cli("definitions", "list", "--format", "json", env={"NEXUS_DEF_PATH": str(repo)})
    env = {s["name"]: s for s in json.loads(run.stdout)["sets"]}["env"]
    assert env["version"] == "v2026.02-rc1-dirty"


def test_a_version_file_that_is_no_regular_file_is_not_read(tmp_path):
    # NXDL_VERSION as a FIFO would block a read for ever: the set is listed, version unknown.
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "NXthing.yaml").write_text("name: NXthing\ncategory: base\n")
    os.mkfifo(folder / "NXDL_VERSION")
    run = cli("definitions", "list", "--format", "json", env={"NEXUS_DEF_PATH": str(folder)})
    env = {s["name"]: s for s in json.loads(run.stdout)["sets"]}["env"]
    assert (env["version"], env["count"]) == (None, 1)
    (folder / "NXDL_VERSION").unlink()
    (folder / "NXDL_VERSION").write_text("v2099.01 " + "x" * 100_000 + "\n")
    assert cli("definitions", "list", "--format", "json",
               env={"NEXUS_DEF_PATH": str(folder)}).stdout.count('"v2099.01"') == 1


def test_check_names_the_files_it_was_given_once_per_folder():
    if not OFFICIAL.is_dir():
        pytest.skip("no official NXDL at /work/shared/nxdl")
    files = sorted((OFFICIAL / "base_classes").glob("NX[a-d]*.nxdl.xml"))
    run = cli("check", "--no-bundled", "--format", "json", *files, OFFICIAL / "applications")
    version = (OFFICIAL / "NXDL_VERSION").read_text().split()[0]
    assert [(d["name"], d["version"], d["count"]) for d in json.loads(run.stdout)["definitions"]] \
        == [(str(OFFICIAL / "applications"), version, 45),
            (str(OFFICIAL / "base_classes"), version, len(files))]
    assert len(files) > 10
