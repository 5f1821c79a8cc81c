"""The definition cache: same catalog warm as cold, invalidated by any change, never a failure."""

from __future__ import annotations

import os

import pytest
from nxdl_corpus import NXDL, needs_nxdl

from nxschema._definitions import cache as _cache
from nxschema._definitions.catalog import Catalog, definition_files


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("NXSCHEMA_CACHE_DIR", str(folder))
    return folder


def load(path, cache=True) -> Catalog:
    catalog = Catalog()
    catalog.load_path(path, cache=cache)
    return catalog


def snapshot(catalog: Catalog):
    """Everything a load gives, sources included (they are not part of model equality)."""
    return [(key, catalog.raw(key), catalog.raw(key).source, catalog.is_yaml(key))
            for key in catalog], catalog.findings


@pytest.fixture()
def defs(tmp_path):
    folder = tmp_path / "defs"
    (folder / "sub").mkdir(parents=True)
    (folder / "NXa.yaml").write_text("name: NXa\ncategory: base\nmembers:\n  x: NX_FLOAT\n")
    (folder / "sub" / "NXb.nxdl.xml").write_text(
        '<definition xmlns="http://definition.nexusformat.org/nxdl/3.1" name="NXb" '
        'type="group" category="base"><field name="y" type="NX_INTT"/></definition>')
    return folder


def test_warm_load_equals_cold_load(defs, cache_dir):
    cold = snapshot(load(defs, cache=False))
    assert not cache_dir.exists()  # cache=False neither reads nor writes
    first = snapshot(load(defs))
    assert len(list(cache_dir.glob("*.pickle"))) == 1
    warm = snapshot(load(defs))
    assert cold == first == warm
    assert warm[0][0][2].line == 1  # positions survive the cache


def test_a_changed_added_or_removed_file_invalidates(defs):
    load(defs)
    (defs / "NXa.yaml").write_text("name: NXa\ncategory: base\nmembers:\n  x: NX_INT\n  z: null\n")
    assert [m.name for m in load(defs).raw("NXa").members] == ["x", "z"]
    (defs / "NXc.yaml").write_text("name: NXc\ncategory: base\n")
    assert "NXc" in load(defs)
    (defs / "NXc.yaml").unlink()
    assert "NXc" not in load(defs)


def test_same_size_and_content_but_new_mtime_invalidates(defs):
    load(defs)
    path = defs / "NXa.yaml"
    path.write_text(path.read_text().replace("NX_FLOAT", "NX_INT32"))  # same size
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load(defs).raw("NXa").members[0].type == "NX_INT32"


def test_a_corrupt_cache_is_ignored_and_rewritten(defs, cache_dir):
    expected = snapshot(load(defs))
    (cache_file,) = cache_dir.glob("*.pickle")
    for garbage in (b"", b"not a pickle", cache_file.read_bytes()[:100]):
        cache_file.write_bytes(garbage)
        assert snapshot(load(defs)) == expected
    assert _cache.load(defs, _cache.fingerprint(definition_files(defs))) is not None


def test_an_unwritable_cache_folder_is_no_failure(defs, cache_dir):
    cache_dir.write_text("a file where the folder should be")
    assert snapshot(load(defs)) == snapshot(load(defs, cache=False))


def test_cache_folder_defaults_to_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("NXSCHEMA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _cache.cache_dir() == tmp_path / "xdg" / "nxschema"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _cache.cache_dir() == tmp_path / "home" / ".cache" / "nxschema"


@needs_nxdl
def test_official_definitions_from_the_cache():
    cold = load(NXDL, cache=False)
    load(NXDL)
    warm = load(NXDL)
    assert len(warm) == 280 and snapshot(warm) == snapshot(cold)
    assert warm["NXmx"] == cold["NXmx"]  # resolved (extends merged) the same way
