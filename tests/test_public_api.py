"""The public API a new user finds: dir(), help(), __all__, types (mypy --strict on a user
script), one exception base class, the same ``definitions=`` keyword everywhere."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import os
import pydoc
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

import nxschema
from nxschema.errors import ArgumentTypeError, NxschemaError

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "nxschema"
USER_SCRIPT = REPO / "tests" / "typing" / "user_script.py"
DEFINITIONS = REPO / "definitions"
PUBLIC_FUNCTIONS = [n for n in nxschema.__all__
                    if inspect.isfunction(getattr(nxschema, n))]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_dir_lists_the_public_api_in_a_fresh_interpreter():
    out = subprocess.run(
        [sys.executable, "-c",
         "import nxschema; print(sorted(n for n in dir(nxschema) if not n.startswith('_')))"],
        capture_output=True, text=True, check=True, cwd="/", env=_env()).stdout
    names = set(ast.literal_eval(out))
    assert names >= {"validate", "iter_findings", "load", "check", "Finding", "Report",
                     "errors", "model", "read_yaml", "write_yaml", "read_nxdl", "write_nxdl"}
    assert not {"annotations", "importlib"} & names


def test_all_matches_the_lazy_table_and_the_type_checking_imports():
    table = set(nxschema._API) | set(nxschema._SUBMODULES) | {"__version__"}
    assert set(nxschema.__all__) == table
    assert sorted(nxschema.__all__) == nxschema.__all__  # kept sorted: easy to scan
    for name in nxschema.__all__:
        assert getattr(nxschema, name) is not None, name
    # What type checkers see (the TYPE_CHECKING imports) is the same table.
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If)
                 and ast.unparse(n.test) == "TYPE_CHECKING")
    seen = {}
    for node in block.body:
        for alias in node.names:
            module = node.module if isinstance(node, ast.ImportFrom) else alias.name
            seen[alias.asname or alias.name] = (module, alias.name)
    for name, (module, attr) in nxschema._API.items():
        assert seen.get(name) == (module, attr), name
    assert {"errors", "model"} <= set(seen)
    # Old names are aliases of the new ones (kept one release).
    assert nxschema.read_definition is nxschema.read_yaml
    assert nxschema.dump_yaml is nxschema.write_yaml


def test_help_shows_the_public_api():
    text = pydoc.render_doc(nxschema, renderer=pydoc.plaintext)
    for shown in ("validate(", "iter_findings(", "load(", "check(", "class Finding",
                  "class Report", "write_nxdl(", "read_yaml("):
        assert shown in text, shown


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_every_public_function_is_typed_and_documented(name):
    function = getattr(nxschema, name)
    signature = inspect.signature(function)
    untyped = [p.name for p in signature.parameters.values()
               if p.annotation is inspect.Parameter.empty and not p.name.startswith("_")]
    assert not untyped, f"{name}: parameters without a type: {untyped}"
    assert signature.return_annotation is not inspect.Signature.empty, name
    doc = inspect.getdoc(function) or ""
    assert len(doc.splitlines()) >= 3, f"{name}: a one-line docstring"
    if [p for p in signature.parameters if not p.startswith("_")]:
        assert "Args:" in doc, f"{name}: the docstring does not say its arguments"
    assert "Returns:" in doc or "Yields:" in doc or "Returns the" in doc, name
    assert "Raises" in doc or "raises" in doc.lower(), f"{name}: says nothing of what it raises"


def test_mypy_strict_passes_on_a_user_script(tmp_path):
    """Run as for an installed package: mypy finds nxschema on the interpreter's path (not as
    a source folder), so without nxschema/py.typed it would call the package untyped."""
    pytest.importorskip("mypy")
    script = tmp_path / "user_script.py"
    shutil.copy(USER_SCRIPT, script)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--python-executable", sys.executable, str(script)],
        capture_output=True, text=True, cwd=tmp_path, env=_env(), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
    # The script also runs: it writes a skeleton, validates it, reads the findings.
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "out.h5")],
                         capture_output=True, text=True, cwd=tmp_path, env=_env(), check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["refused: DefinitionError", "0 placeholder 0 True 0"]


def test_the_wheel_ships_py_typed(tmp_path):
    assert (PACKAGE / "py.typed").is_file()
    pytest.importorskip("hatchling")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(tmp_path)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("nxschema-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "nxschema/py.typed" in names
    assert "nxschema/_codes.py" in names and "nxschema/errors.py" in names


def _package_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        yield ".".join(parts), path


def test_every_exception_class_subclasses_nxschema_error():
    found = []
    for module_name, path in _package_modules():
        if module_name.endswith("__main__") or module_name == "nxschema._validate.worker":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        if not classes:
            continue
        module = importlib.import_module(module_name)
        for name in classes:
            cls = getattr(module, name, None)
            if isinstance(cls, type) and issubclass(cls, BaseException):
                found.append(f"{module_name}.{name}")
                assert issubclass(cls, NxschemaError), f"{module_name}.{name}"
    assert len(found) >= 12, found  # errors.py alone has 12


# Builtin exceptions raised on purpose, and why they are not NxschemaErrors.
_BUILTIN_RAISES_ALLOWED = {
    ("nxschema/__init__.py", "AttributeError"),  # the module __getattr__ protocol
    ("nxschema/_h5/backend_h5py.py", "ValueError"),  # what h5py raises; caught by the walker
    ("nxschema/_cli/output.py", "NotImplementedError"),  # abstract methods of the output formats
    ("nxschema/_validate/table.py", "KeyError"),  # the Mapping protocol of an empty mapping
    ("nxschema/_views/view.py", "AttributeError"),  # __getattr__: a name no concept has
    ("nxschema/_views/field.py", "TypeError"),  # len() of a scalar, as numpy says it
}


def test_no_builtin_exception_is_raised_on_purpose():
    builtin = {n for n in dir(builtins) if n.endswith(("Error", "Exception"))}
    raised = set()
    for _, path in _package_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name) and exc.id in builtin:
                    raised.add((str(path.relative_to(REPO)), exc.id))
    assert raised <= _BUILTIN_RAISES_ALLOWED, raised - _BUILTIN_RAISES_ALLOWED


# --- one keyword for definitions ------------------------------------------------------------

def test_definitions_keyword_everywhere():
    takes = {name for name in PUBLIC_FUNCTIONS
             if "definitions" in inspect.signature(getattr(nxschema, name)).parameters}
    assert takes >= {"validate", "iter_findings", "write_skeleton", "generate_writer",
                     "icat_keys", "icat_extract", "build_docs", "compile_plan"}
    for name in PUBLIC_FUNCTIONS:
        parameters = inspect.signature(getattr(nxschema, name)).parameters
        for old in ("defs", "catalog"):
            if old in parameters:  # a deprecated alias only: keyword-only, not given by default
                assert parameters[old].kind is inspect.Parameter.KEYWORD_ONLY, (name, old)
                assert name in takes, name


def test_old_definition_keywords_warn_and_still_work(tmp_path):
    catalog = nxschema.load(DEFINITIONS, bundled=False)
    new = nxschema.icat_keys("NXesrf_em", definitions=catalog)
    with pytest.warns(DeprecationWarning, match=r"icat_keys\(catalog=\.\.\.\) is deprecated"):
        assert nxschema.icat_keys("NXesrf_em", catalog=catalog) == new
    with pytest.warns(DeprecationWarning, match="defs="):
        assert nxschema.icat_keys("NXesrf_em", defs=[DEFINITIONS]) == new
    with pytest.warns(DeprecationWarning), pytest.raises(ArgumentTypeError):
        nxschema.icat_keys("NXesrf_em", definitions=catalog, catalog=catalog)
    with pytest.warns(DeprecationWarning, match="build_docs"):
        nxschema.build_docs(catalog=catalog, outdir=tmp_path / "old", fmt="markdown")
    nxschema.build_docs(catalog, tmp_path / "new", fmt="markdown")
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == \
        sorted(p.name for p in (tmp_path / "new").iterdir())
    with pytest.warns(DeprecationWarning, match="compile_plan"):
        assert nxschema.compile_plan(catalog=catalog) is nxschema.compile_plan(catalog)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new keyword warns about nothing
        assert nxschema.compile_plan(definitions=catalog) is nxschema.compile_plan(catalog)
        # Paths work as well as a Catalog, for every function that takes definitions=.
        paths = nxschema.icat_keys("NXesrf_em", definitions=[DEFINITIONS])
        assert [r.key for r in paths] == [r.key for r in new]
