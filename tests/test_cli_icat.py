"""``nxschema icat`` through the real command line: keys, extract, export, import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import h5py
import pytest
from test_icat_keys import EXPECTED, simple, write_raw_entry
from test_icat_xml import CFG, SLIDE, line_of

from nxschema._cli.main import main


def icat_process(*args, cwd=None) -> subprocess.CompletedProcess:
    """The real command, in its own process (for what only a process shows: no traceback)."""
    result = subprocess.run([sys.executable, "-m", "nxschema", "icat", *map(str, args)],
                            check=False, capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def icat(capsys):
    """The command run in this process (fast); an exception would fail the test."""
    def run(*args, cwd=None):
        capsys.readouterr()
        old = os.getcwd()
        try:
            if cwd:
                os.chdir(cwd)
            try:
                code = main(["icat", *map(str, args)])
            except SystemExit as exc:  # argparse's --help and usage errors
                code = exc.code
        finally:
            os.chdir(old)
        out, err = capsys.readouterr()
        return Result(code, out, err)
    return run


def test_keys_as_a_table_and_as_json(icat):
    text = icat("keys", "NXesrf_raw", "NXesrf_em")
    assert text.returncode == 0
    header, *lines = text.stdout.splitlines()
    assert header.split() == ["KEY", "PATH", "TYPE", "UNITS", "RECORD", "MANDATORY"]
    assert any(line.split()[:4] == ["InstrumentSource_current", "instrument/source/current",
                                    "NX_NUMBER", "NX_CURRENT"] for line in lines)
    as_json = json.loads(icat("keys", "NXesrf_em", "--format", "json").stdout)
    voltage = next(row for row in as_json if row["key"] == "EM_voltage")
    assert (voltage["path"], voltage["type"], voltage["units"]) == ("EM/voltage", "NX_FLOAT", "kV")
    assert voltage["source"].endswith("NXesrf_em.yaml:" + voltage["source"].rsplit(":", 2)[1]
                                      + ":" + voltage["source"].rsplit(":", 1)[1])


def test_keys_of_an_unknown_definition_is_a_usage_error(icat):
    result = icat("keys", "NXnothing")
    assert result.returncode == 2 and "NXnothing" in result.stderr


def test_extract_json_from_a_master_file(icat, tmp_path):
    (tmp_path / "scan0001").mkdir()
    with h5py.File(tmp_path / "scan0001" / "data.h5", "w") as f:
        write_raw_entry(f)
    with h5py.File(tmp_path / "master.h5", "w") as f:
        f["1.1"] = h5py.ExternalLink("scan0001/data.h5", "/1.1")
    result = icat("extract", tmp_path / "master.h5", "--format", "json", cwd="/")
    assert result.returncode == 0 and result.stderr == ""
    report = json.loads(result.stdout)
    assert report["entry"] == "1.1"
    assert simple(report["keys"]) == EXPECTED
    text = icat("extract", tmp_path / "master.h5").stdout.splitlines()
    assert "InstrumentSource_current = 198.7 mA" in text


def test_extract_of_bad_files_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "broken.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    (tmp_path / "text.h5").write_text("hello")
    for name in ("broken.h5", "text.h5", "missing.h5"):
        result = icat_process("extract", tmp_path / name)
        assert result.returncode == 2 and result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1 and name in result.stderr


def test_extract_of_a_file_without_keys_is_empty_and_ok(icat, tmp_path):
    with h5py.File(tmp_path / "empty.h5", "w") as f:
        f.create_group("data").create_dataset("x", data=[1, 2])
    result = icat("extract", tmp_path / "empty.h5", "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)["keys"] == {}


def test_extract_unknown_entry_is_exit_2(icat, tmp_path):
    with h5py.File(tmp_path / "scan.h5", "w") as f:
        write_raw_entry(f, em=False)
    result = icat("extract", tmp_path / "scan.h5", "--entry", "7.1")
    assert result.returncode == 2 and "7.1" in result.stderr


def test_export_then_import_through_the_command_line(icat, tmp_path):
    (tmp_path / "hdf5_cfg.xml").write_text(CFG)
    imported = icat("import", tmp_path / "hdf5_cfg.xml", "-o", tmp_path / "defs")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    files = sorted(p.name for p in (tmp_path / "defs").iterdir())
    assert files == ["NXesrf_catalogue.yaml", "NXesrf_catalogue_em.yaml",
                     "NXesrf_catalogue_fluo.yaml", "NXesrf_catalogue_ptycho.yaml"]
    exported = icat("export", "NXesrf_catalogue", "NXesrf_catalogue_em", "--defs",
                    tmp_path / "defs", "-o", tmp_path / "again.xml")
    assert exported.returncode == 0, exported.stderr
    again = (tmp_path / "again.xml").read_text()
    assert "<current NAPItype=\"NX_FLOAT\" units=\"mA\"" in again
    assert "${InstrumentSlitPrimary_vertical_gap}" in again and "${EM_voltage}" in again


def test_import_reports_mistakes_with_file_line_and_exit_1(icat, tmp_path):
    path = tmp_path / "hdf5_cfg.xml"
    path.write_text(SLIDE)
    result = icat("import", path)
    assert result.returncode == 1
    line = line_of(SLIDE, "<position_y")
    assert f"{path}:{line}:" in result.stdout and "icat-placeholder-mismatch" in result.stdout
    assert f"{path}:{line_of(SLIDE, '<amplitude_contrast', 2)}:" in result.stdout
    assert not (tmp_path / "defs").exists()  # without -o nothing is written


def test_help_teaches_with_examples(icat):
    for args in (("--help",), ("extract", "--help"), ("import", "--help")):
        result = icat(*args)
        assert result.returncode == 0 and "examples:" in result.stdout
    assert icat().returncode == 2
