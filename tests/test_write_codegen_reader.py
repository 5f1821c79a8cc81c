"""nxschema codegen --reader: typed readers over the views, checked by mypy --strict, and the
writer -> reader round trip for every shipped application definition."""

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import nxschema
from nxschema._write.codegen import generate_writer, writer_model
from nxschema._write.codegen_reader import generate_reader, reader_model, safe_identifier
from nxschema.errors import CodegenError
from test_write_codegen import CATALOG, example

APPLICATIONS = [k for k in CATALOG if CATALOG[k].category == "application"]
REPO = Path(__file__).resolve().parents[1]


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def walk(obj, steps):
    for step in steps:
        obj = getattr(obj, step)
        if obj is None:
            return None
    return obj


@pytest.mark.parametrize("key", APPLICATIONS)
def test_what_the_writer_writes_the_reader_returns(tmp_path, key):
    model = writer_model(key, CATALOG)
    stem = key.replace("@", "_").lower()
    (tmp_path / f"{stem}_writer.py").write_text(generate_writer(key, definitions=CATALOG))
    (tmp_path / f"{stem}_reader.py").write_text(generate_reader(key, definitions=CATALOG))
    write = getattr(load(tmp_path / f"{stem}_writer.py", f"{stem}_writer"), model["function"])
    reader = load(tmp_path / f"{stem}_reader.py", f"{stem}_reader")
    values = {p.name: example(p) for p in model["params"]}
    write(tmp_path / "out.h5", **values)
    found = reader.read(tmp_path / "out.h5", definitions=CATALOG)
    assert len(found) == 1, key
    root = found[0]
    depth = root.path.strip("/").count("/") + 1  # the entry (or subentry) the view is at
    compared = 0
    for p in model["params"]:
        if p.kind not in ("array", "scalar", "text", "choice"):
            continue
        steps = p.path.strip("/").split("/")[depth:]
        field = walk(root, steps)
        assert field is not None, (key, p.path)
        got, expected = field.read(), values[p.name]
        if p.kind == "array":
            assert np.array_equal(np.asarray(got), np.asarray(expected)), (key, p.path)
        else:
            assert got == expected, (key, p.path, got, expected)
        compared += 1
    assert compared >= 1, key


def test_a_user_script_with_a_generated_reader_passes_mypy_strict(tmp_path):
    (tmp_path / "xas_reader.py").write_text(generate_reader("NXxas"))
    (tmp_path / "xas_subentry_reader.py").write_text(generate_reader("NXxas@subentry"))
    (tmp_path / "analysis.py").write_text(textwrap.dedent("""\
        import numpy as np
        import numpy.typing as npt

        import xas_reader
        import xas_subentry_reader


        def absorption(path: str) -> list[npt.NDArray[np.floating]]:
            out = []
            for xas in xas_subentry_reader.read(path):
                out.append(np.log(np.asarray(xas.i0) / np.asarray(xas.it)))
            for entry in xas_reader.read(path):
                energy = entry.instrument.monochromator.energy
                units: str | None = energy.units
                print(units, energy.target, energy[0:2])
            return out
        """))
    # nxschema is found as the user has it, installed with py.typed: mypy types calls into it
    # but reports only the user's modules (pointing MYPYPATH at the source would lint the
    # package itself, which is not what this test is about).
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict",
                           "--python-executable", sys.executable, "analysis.py",
                           "xas_reader.py", "xas_subentry_reader.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        analysis = load(tmp_path / "analysis.py", "analysis")
        result = analysis.absorption(str(REPO / "docs/examples/esrf_xas.h5"))
    finally:
        sys.path.remove(str(tmp_path))
    assert len(result) == 2 and result[0].shape == (50,)


def test_reader_names_are_safe_identifiers():
    assert safe_identifier("energy") == "energy"
    for bad in ("class", "__init__", "a-b", 'x"""', "énergie", "view", "members", "", None):
        assert safe_identifier(bad) is None
    classes = reader_model("NXxas", CATALOG)["classes"]
    assert all(m.attribute.isidentifier() for c in classes for m in c.members)


def test_reader_of_a_base_class_is_refused_and_the_cli_writes_one(tmp_path):
    with pytest.raises(CodegenError, match="not an application"):
        generate_reader("NXsource")
    out = tmp_path / "r.py"
    proc = subprocess.run([sys.executable, "-m", "nxschema", "codegen", "--reader", "NXxas",
                           "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "class NXxasView" in out.read_text() and "def read(" in out.read_text()
    bad = subprocess.run([sys.executable, "-m", "nxschema", "codegen", "--reader", "NXsource",
                          "-o", str(tmp_path / "s.py")], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
