"""Our nyaml output, run through the nyaml tool (nyaml2nxdl), gives the NXDL we read it as."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from nxschema._definitions.nxdl_reader import read_nxdl
from nxschema._definitions.nyaml_reader import read_nyaml
from nxschema._definitions.nyaml_writer import nyaml_problems, write_nyaml

OFFICIAL = Path("/work/shared/nxdl")


def test_every_official_definition_round_trips_through_the_nyaml_tool(tmp_path):
    pytest.importorskip("nyaml")
    from nyaml.nyaml2nxdl import nyaml2nxdl

    files = sorted(OFFICIAL.glob("*/*.nxdl.xml"))
    if not files:
        pytest.skip("the official NXDL are not at /work/shared/nxdl")
    here = os.getcwd()
    os.chdir(tmp_path)  # nyaml2nxdl writes a tmp.xml into the working folder
    same_as_tool = same_as_model = clean = 0
    try:
        for nxdl in files:
            model, _ = read_nxdl(nxdl.read_text(), str(nxdl))
            text = write_nyaml(model)
            assert "SHA HASH" not in text  # with a trailer the tool would copy, not convert
            yaml_file = tmp_path / (nxdl.name[: -len(".nxdl.xml")] + ".yaml")
            yaml_file.write_text(text)
            ours, findings = read_nyaml(text, str(yaml_file))
            assert not [f for f in findings if f.severity == "error"], findings
            with contextlib.redirect_stdout(io.StringIO()):
                nyaml2nxdl(str(yaml_file), str(tmp_path / "out.nxdl.xml"), False)
            tools, _ = read_nxdl((tmp_path / "out.nxdl.xml").read_text(), "out")
            same_as_tool += tools == ours
            same_as_model += ours == model
            if not nyaml_problems(model):
                clean += 1
                assert ours == model, nxdl.name  # nothing reported lost: nothing is lost
    finally:
        os.chdir(here)
    print(f"\n{len(files)} official definitions as nyaml: the tool's NXDL equals ours for "
          f"{same_as_tool}, equals the original for {same_as_model} ({clean} with nothing "
          "reported lost)")
    assert same_as_tool == len(files)
    assert same_as_model >= 200


def test_what_nyaml_cannot_say_is_reported():
    from nxschema._definitions.catalog import load

    catalog = load()
    raw = catalog.raw("NXesrf_raw") if "NXesrf_raw" in catalog else next(
        catalog.raw(k) for k in catalog if catalog.raw(k).category == "layout")
    problems = nyaml_problems(raw)
    assert any("base and application only" in f.message for f in problems)
    assert all(f.code == "nyaml-lossy" and f.severity == "warning" for f in problems)


def test_validate_with_the_official_definitions_as_nyaml_finds_what_the_nxdl_finds(tmp_path):
    # Every face reads nyaml into the one model: the 280 official definitions converted with
    # `convert --to nyaml` validate a broken NXxas file exactly as the NXDL do.
    import json
    import subprocess
    import sys

    import h5py

    from h5files import write_xas_file

    if not OFFICIAL.is_dir():
        pytest.skip("the official NXDL are not at /work/shared/nxdl")
    data = tmp_path / "broken.h5"
    write_xas_file(data)
    with h5py.File(data, "r+") as f:
        del f["1.1/instrument/monochromator/energy"]
        del f["1.1/instrument/source/probe"]
        f["1.1/instrument/source/probe"] = "electrons"

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                              capture_output=True, text=True, timeout=300, check=False)

    converted = cli("convert", OFFICIAL, "-o", tmp_path / "nyaml", "--to", "nyaml")
    assert converted.returncode == 0 and "280 files written" in converted.stdout + \
        converted.stderr, converted.stderr[-500:]
    runs = {}
    for name, defs in (("nxdl", OFFICIAL), ("nyaml", tmp_path / "nyaml")):
        run = cli("validate", "--no-bundled", "--defs", defs, "--format", "json",
                  "--severity", "info", data)
        assert run.returncode == 1, run.stderr[-500:]
        runs[name] = sorted((f["code"], f["path"], f["message"])
                            for f in json.loads(run.stdout)["files"][0]["findings"])
    codes = {code for code, _, _ in runs["nxdl"]}
    assert {"missing-required", "not-in-enumeration"} <= codes, runs["nxdl"]
    assert runs["nyaml"] == runs["nxdl"]
