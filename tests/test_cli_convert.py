"""nxschema convert: folders in and out, YAML and back to NXDL, overwrite refusal, exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from nxdl_corpus import NXDL, canonical, first_difference, needs_nxdl, xsd_errors

from nxschema._cli.main import main

# A few official files from every folder: enough to show structure is kept, fast enough to run.
PICKED = ["base_classes/NXdata.nxdl.xml", "base_classes/NXsample.nxdl.xml",
          "applications/NXmx.nxdl.xml", "applications/NXxnb.nxdl.xml",
          "contributed_definitions/NXsnsevent.nxdl.xml"]


@pytest.fixture()
def nxdl_tree(tmp_path):
    """A scratch folder with sub-folders of official NXDL files (copied to tmp, not the repo)."""
    if not NXDL.is_dir():
        pytest.skip(f"no official NXDL at {NXDL}")
    root = tmp_path / "in"
    for relative in PICKED:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(NXDL / relative, root / relative)
    return root


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@needs_nxdl
def test_folder_to_yaml_and_back_to_nxdl_keeps_structure_and_meaning(nxdl_tree, tmp_path, capsys):
    yaml_dir, nxdl_dir = tmp_path / "yaml", tmp_path / "nxdl"
    assert main(["convert", str(nxdl_tree), "-o", str(yaml_dir), "--to", "yaml"]) == 0
    assert files_under(yaml_dir) == sorted(p.replace(".nxdl.xml", ".yaml") for p in PICKED)
    assert "5 files written" in capsys.readouterr().err
    assert main(["convert", str(yaml_dir), "-o", str(nxdl_dir), "--to", "nxdl"]) == 0
    assert files_under(nxdl_dir) == sorted(PICKED)
    for relative in PICKED:
        back = (nxdl_dir / relative).read_text()
        assert xsd_errors(back) == []
        original, again = canonical((NXDL / relative).read_text()), canonical(back)
        assert original == again, first_difference(original, again)
    assert (yaml_dir / "base_classes/NXdata.yaml").read_text().startswith("# NeXus")


@needs_nxdl
def test_single_files_land_directly_in_the_output_folder(nxdl_tree, tmp_path):
    out = tmp_path / "out"
    files = [str(nxdl_tree / PICKED[0]), str(nxdl_tree / PICKED[2])]
    assert main(["convert", *files, "-o", str(out), "--to", "yaml"]) == 0
    assert files_under(out) == ["NXdata.yaml", "NXmx.yaml"]


@needs_nxdl
def test_existing_output_is_refused_without_force(nxdl_tree, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["convert", str(nxdl_tree), "-o", str(out), "--to", "yaml"]
    assert main(args) == 0
    target = out / "base_classes/NXdata.yaml"
    target.write_text("edited by hand\n")
    capsys.readouterr()
    assert main(args) == 2
    assert "exists (use --force" in capsys.readouterr().err
    assert target.read_text() == "edited by hand\n"  # nothing was written
    assert main([*args, "--force"]) == 0
    assert target.read_text().startswith("# NeXus")
    assert not [p for p in out.rglob(".*")]  # no temporary files left behind


def test_an_input_with_errors_writes_nothing(tmp_path, capsys):
    good = tmp_path / "NXgood.yaml"
    good.write_text("name: NXgood\ncategory: base\n")
    bad = tmp_path / "NXbad.nxdl.xml"
    bad.write_text('<definition name="NXbad" type="group" category="base">\n  <field name="x">')
    out = tmp_path / "out"
    assert main(["convert", str(good), str(bad), "-o", str(out), "--to", "nxdl"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:" in err and "error[nxdl-syntax]" in err and "nothing written" in err
    assert not out.exists()


def test_yaml_with_our_keywords_to_nxdl_and_back(tmp_path):
    source = tmp_path / "src" / "NXmine.yaml"
    source.parent.mkdir()
    source.write_text("# Copyright: us\nname: NXmine\ncategory: application\n"
                      "placement: entry\nmembers:\n  (NXentry):\n    domain: acquisition\n"
                      "    members:\n      title: {type: NX_CHAR, personal: true}\n"
                      "      definition: {value: NXmine}\n")
    assert main(["convert", str(source), "-o", str(tmp_path / "x"), "--to", "nxdl"]) == 0
    xml = (tmp_path / "x" / "NXmine.nxdl.xml").read_text()
    assert xsd_errors(xml) == []
    assert "<!--\n# Copyright: us\n-->" in xml and '<item value="NXmine"/>' in xml
    assert main(["convert", str(tmp_path / "x"), "-o", str(tmp_path / "y"), "--to", "yaml"]) == 0
    assert (tmp_path / "y" / "NXmine.yaml").read_text() == source.read_text()


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "o"),
                 "--to", "yaml"]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["convert", str(empty), "-o", str(tmp_path / "o"), "--to", "yaml"]) == 2
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        (folder / "NXsame.yaml").write_text("name: NXsame\ncategory: base\n")
    assert main(["convert", str(a), str(b), "-o", str(tmp_path / "o"), "--to", "nxdl"]) == 2
    assert "would both be written" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["convert", str(a), "-o", str(tmp_path / "o"), "--to", "json"])
    assert exit_.value.code == 2


def test_help_teaches_with_examples():
    result = subprocess.run([sys.executable, "-m", "nxschema", "convert", "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "examples:" in result.stdout and "--force" in result.stdout
    assert "exit codes" in result.stdout
