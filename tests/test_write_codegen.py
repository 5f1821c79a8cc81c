"""Generated writers: clean code (ruff, mypy --strict), checks before writing, valid files."""

from __future__ import annotations

import datetime
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

import nxschema
from nxschema._write.codegen import TEMPLATES_DIR, CodegenError, generate_writer, writer_model

CATALOG = nxschema.load()
KEYS = list(CATALOG)
N = 7


def cli(*args):
    proc = subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                          check=False, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def load_module(path, name="writer"):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def writer(tmp_path, key, **kw):
    path = tmp_path / f"{key.replace('@', '_')}_writer.py"
    path.write_text(generate_writer(key, definitions=CATALOG, **kw))
    module = load_module(path, path.stem)
    return getattr(module, writer_model(key, CATALOG)["function"]), module


def example(p):
    """An example value for a parameter of the writer model."""
    ramps = {"float": np.linspace(7.0, 7.5, N), "number": np.linspace(1, 2, N),
             "int": np.arange(N), "uint": np.arange(N), "posint": np.arange(1, N + 1),
             "bool": np.zeros(N, bool), "complex": np.ones(N) * 1j, "": np.linspace(1, 2, N)}
    if p.kind == "array":
        shape = tuple(N + d[1] if isinstance(d, tuple) else d if isinstance(d, int) else N
                      for d in p.dims)
        return np.resize(ramps[p.check], shape)
    if p.kind == "mapping":
        return {f"{p.name}_channel": ramps[p.check or ""]}
    scalars = {"float": 1.5, "number": 1.5, "int": 2, "uint": 2, "posint": 1, "bool": True,
               "complex": 1j, "": "x"}
    return {"binary": b"\x00\x01", "scalar": scalars.get(p.check), "text": "example",
            "texts": np.full([N] * p.rank, "a", dtype=object).tolist(),
            "date": datetime.datetime.now(), "choice": p.enum[0] if p.enum else "x",
            "config": {"edge": 7.112, "norm": {"order": 2}},
            "attribute": scalars.get(p.check, "x")}[p.kind]


def examples(key, required_only=False):
    return {p.name: example(p) for p in writer_model(key, CATALOG)["params"]
            if p.required or not required_only}


def errors(path, **kw):
    return [str(f) for f in nxschema.validate(path, definitions=CATALOG, **kw).errors]


# --- every shipped definition ----------------------------------------------------------------------

@pytest.mark.parametrize("key", KEYS)
def test_generated_writer_writes_a_valid_file(tmp_path, key):
    write, _ = writer(tmp_path, key)
    out = tmp_path / "all.h5"
    write(out, **examples(key))
    assert errors(out) == []
    if CATALOG[key].category != "base":
        out = tmp_path / "required.h5"
        write(out, **examples(key, required_only=True))
        assert errors(out) == []


def test_generated_code_passes_ruff_and_mypy_strict(tmp_path):
    files = []
    for key in KEYS:
        path = tmp_path / f"w_{key.replace('@', '_')}.py"
        path.write_text(generate_writer(key, definitions=CATALOG))
        files.append(path)
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated",
                           "--extend-select", "E501", *files],
                          check=False, capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    # Same helpers everywhere; the signatures differ. A cache outside the repo keeps reruns fast.
    typed = [tmp_path / n for n in ("w_NXxas.py", "w_NXxas_subentry.py", "w_NXesrf_raw.py")]
    cache = Path(tempfile.gettempdir()) / "nxschema-test-mypy-cache"
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--cache-dir", str(cache), *typed],
                          check=False, capture_output=True, text=True, cwd=tmp_path)
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


# --- the NXxas writers ---------------------------------------------------------------------------

def test_nxxas_signature_is_readable(tmp_path):
    model = writer_model("NXxas", CATALOG)
    names = [p.name for p in model["params"]]
    assert {"energy", "incoming_beam_data", "absorbed_beam_data", "monitor_data", "title",
            "sample_name", "source_name", "monitor_mode"} <= set(names)
    required = {p.name for p in model["params"] if p.required}
    assert "energy" in required and "title" in required
    source = generate_writer("NXxas", definitions=CATALOG)
    assert "def write_nxxas(" in source and 'Literal["monitor", "timer"]' in source
    assert "entry_name: str = \"entry\"" in source
    assert "The energy at each point of the scan." in " ".join(source.split())  # its docs


def test_subentry_writer_links_into_measurement(tmp_path):
    write, _ = writer(tmp_path, "NXxas@subentry")
    out = tmp_path / "sub.h5"
    write(out, energy=np.linspace(7, 7.5, 50), i0=np.ones(50), it=np.full(50, 0.5),
          entry_name="1.1", units={"energy": "eV"})
    with h5py.File(out, "r") as f:
        assert f["1.1"].attrs["NX_class"] == "NXentry"
        assert f["1.1/measurement/energy"].attrs["units"] == "eV"
        for name in ("energy", "i0", "it"):
            link = f["1.1/xas"].get(name, getlink=True)
            assert isinstance(link, h5py.SoftLink) and link.path == f"/1.1/measurement/{name}"
        assert f["1.1/xas/definition"][()].decode() == "NXxas"
    assert errors(out) == []


def test_links_are_accepted_as_values(tmp_path):
    raw = tmp_path / "raw.h5"
    with h5py.File(raw, "w") as f:
        f["scan/energy"] = np.linspace(7, 7.5, 10)
        f["scan/energy"].attrs["units"] = "keV"
    write, module = writer(tmp_path, "NXxas@subentry")
    out = tmp_path / "linked.h5"
    write(out, energy=module.Link("/scan/energy", file="raw.h5"), i0=np.ones(10),
          it=h5py.SoftLink("/entry/measurement/i0"))
    with h5py.File(out, "r") as f:
        link = f["entry/measurement"].get("energy", getlink=True)
        assert isinstance(link, h5py.ExternalLink) and link.filename == "raw.h5"
        assert f["entry/xas/energy"].shape == (10,)  # soft link -> external link -> data
        assert isinstance(f["entry/measurement"].get("it", getlink=True), h5py.SoftLink)
    assert errors(out) == []


def test_symbols_are_checked_before_anything_is_written(tmp_path):
    write, _ = writer(tmp_path, "NXxas@subentry")
    out = tmp_path / "bad.h5"
    with pytest.raises(ValueError, match=r"nP: energy has length 100, i0 has length 99, "
                                         r"it has length 100"):
        write(out, energy=np.zeros(100), i0=np.zeros(99), it=np.zeros(100))
    assert not out.exists()


def test_types_ranks_enumerations_and_units_are_checked(tmp_path):
    write, _ = writer(tmp_path, "NXxas")
    good = examples("NXxas")
    out = tmp_path / "bad.h5"
    cases = [({"energy": ["a", "b"]}, TypeError, "energy must hold real numbers"),
             ({"energy": np.zeros((3, 3))}, ValueError, "energy must have 1 dimension"),
             ({"monitor_mode": "clock"}, ValueError, "monitor_mode must be one of"),
             ({"start_time": "yesterday"}, ValueError, "ISO 8601"),
             ({"title": 3}, TypeError, "title must be a str"),
             ({"units": {"nope": "eV"}}, ValueError, "units given for 'nope'")]
    for change, error, message in cases:
        with pytest.raises(error, match=message):
            write(out, **{**good, **change})
        assert not out.exists()


def test_existing_file_needs_overwrite_and_failures_leave_nothing(tmp_path, monkeypatch):
    write, module = writer(tmp_path, "NXxas@subentry")
    out = tmp_path / "x.h5"
    out.write_bytes(b"old")
    args = {"energy": np.ones(3), "i0": np.ones(3), "it": np.ones(3)}
    with pytest.raises(FileExistsError):
        write(out, **args)
    assert out.read_bytes() == b"old"

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "_put", boom)
    with pytest.raises(RuntimeError):
        write(out, overwrite=True, **args)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".py") == ["x.h5"]


def test_optional_group_needs_its_required_members(tmp_path):
    definition = tmp_path / "NXthing.yaml"
    definition.write_text(textwrap.dedent("""\
        name: NXthing
        category: application
        members:
          (NXentry):
            members:
              definition: {value: NXthing}
              (NXsample):
                optional: true
                members:
                  name: {doc: Required when the sample is written.}
                  mass: {type: NX_FLOAT, units: NX_MASS, optional: true}
        """))
    path = tmp_path / "thing_writer.py"
    path.write_text(generate_writer(str(definition)))
    write = load_module(path).write_nxthing
    write(tmp_path / "none.h5")  # the sample is optional: nothing given, nothing written
    with h5py.File(tmp_path / "none.h5", "r") as f:
        assert "sample" not in f["entry"]
    with pytest.raises(ValueError, match=r"name must be given to write /entry/sample \(because "
                                         r"mass was\)"):
        write(tmp_path / "half.h5", mass=1.0)
    assert not (tmp_path / "half.h5").exists()
    write(tmp_path / "full.h5", mass=1.0, name="quartz")
    with h5py.File(tmp_path / "full.h5", "r") as f:
        assert f["entry/sample/mass"].attrs["units"] == "g"


# --- templates and CLI ---------------------------------------------------------------------------

def test_user_templates_override_the_bundled_ones(tmp_path):
    custom = tmp_path / "templates"
    custom.mkdir()
    text = (TEMPLATES_DIR / "writer.py.j2").read_text()
    (custom / "writer.py.j2").write_text(text.replace('"""Write {{ key | doc }} files with h5py.',
                                                      '"""Our lab writer for {{ key }}.'))
    assert "Our lab writer for NXxas." in generate_writer("NXxas", templates=custom)
    (custom / "writer.py.j2").write_text("def broken(:\n")
    with pytest.raises(CodegenError, match="invalid Python at line 1"):
        generate_writer("NXxas", templates=custom)
    proc = cli("codegen", "NXxas", "-o", tmp_path / "w.py", "--templates", custom)
    assert proc.returncode == 2 and "invalid Python" in proc.stderr


def test_cli_writes_prints_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "xas_writer.py"
    assert cli("codegen", "NXxas@subentry", "-o", out).returncode == 0
    assert "def write_nxxas_subentry(" in out.read_text()
    proc = cli("codegen", "NXxas", "-o", out)
    assert proc.returncode == 2 and "exists" in proc.stderr
    assert "def write_nxxas_subentry(" in out.read_text()
    proc = cli("codegen", "NXesrf_raw", "-o", "-")
    assert proc.returncode == 0 and "def write_nxesrf_raw(" in proc.stdout
    assert cli("codegen", "NXnope", "-o", tmp_path / "n.py").returncode == 2
    help_text = cli("codegen", "--help").stdout
    assert "examples:" in help_text and "--templates" in help_text


def test_bundled_templates_are_shipped_files():
    assert {p.name for p in TEMPLATES_DIR.iterdir()} >= {"writer.py.j2", "helpers.py.j2"}
    assert shutil.which("h5py") is None  # sanity: helpers need nothing but numpy and h5py
