"""nxschema redact / nxschema.redact: a fresh copy without the personal values, everything else
equal; atomic; IN untouched; master files with and without --follow-external."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

import nxschema
from bliss_personal import (COMMENT_EMAIL, EMAIL, EXPERIMENTER, NAME, ORCID, PHONE, SECRETS,
                            write_master, write_raw)
from nxschema.errors import ArgumentError, RedactionError


def sha256(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture()
def raw(tmp_path):
    write_raw(tmp_path / "raw.h5", detector_shape=(6, 16, 16))
    return tmp_path / "raw.h5"


def objects(f):
    """path -> (kind, link) for every link in the file, walked by name."""
    out = {}
    def walk(group, path):
        for name in group:
            link = group.get(name, getlink=True)
            child = f"{path}/{name}"
            if isinstance(link, h5py.HardLink):
                obj = group[name]
                out[child] = type(obj).__name__
                if isinstance(obj, h5py.Group):
                    walk(obj, child)
            else:
                out[child] = type(link).__name__
    walk(f, "")
    return out


def redacted_paths(result):
    return {i.path for i in result.redacted}


def test_no_personal_byte_survives_and_in_is_untouched(raw, tmp_path):
    before = sha256(raw)
    result = nxschema.redact(raw, tmp_path / "out.h5", definition="NXesrf_raw")
    assert sha256(raw) == before
    data = (tmp_path / "out.h5").read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in data, secret
    assert "/1.1/sample/experimenter" in redacted_paths(result)


def test_everything_else_is_equal(raw, tmp_path):
    result = nxschema.redact(raw, tmp_path / "out.h5", definition="NXesrf_raw")
    gone = redacted_paths(result)
    with h5py.File(raw) as a, h5py.File(tmp_path / "out.h5") as b:
        layout_a, layout_b = objects(a), objects(b)
        added = {p for p in layout_b if "/redaction" in p}
        assert set(layout_b) - added == set(layout_a)  # same objects, same kinds of link
        for path, kind in layout_a.items():
            assert layout_b[path] == kind, path
            if kind != "Dataset":
                continue
            da, db = a[path], b[path]
            assert (db.dtype, db.shape, db.chunks, db.compression, db.compression_opts,
                    db.shuffle) == (da.dtype, da.shape, da.chunks, da.compression,
                                    da.compression_opts, da.shuffle), path
            assert dict(db.attrs) == dict(da.attrs), path
            if path not in gone:
                assert np.array_equal(np.asarray(da[()]), np.asarray(db[()])), path
        assert b["1.1/user/name"][()] == b"<redacted>"
        assert b["1.1/sample/description"][()].decode() == \
            a["1.1/sample/description"][()].decode().replace(COMMENT_EMAIL, "<redacted email>")
        assert b["1.1/plot/i0"].id == b["1.1/instrument/i0/data"].id  # still one object
        assert b.get("1.1/measurement/pilatus", getlink=True).path == \
            "/1.1/instrument/pilatus/data"


def test_the_redaction_step_says_what_was_done(raw, tmp_path):
    result = nxschema.redact(raw, tmp_path / "out.h5", definition="NXesrf_raw",
                             keep=["/1.1/user/affiliation"])
    assert result.process_paths == ("/1.1/redaction", "/2.1/redaction")
    steps = nxschema.read_processes(tmp_path / "out.h5", "1.1")
    step = next(s for s in steps if s.path.endswith("/redaction"))
    assert step.program == "nxschema redact" and step.version == nxschema.__version__
    config = nxschema.read_config(tmp_path / "out.h5", "1.1/redaction")
    assert "/1.1/user/email" in config["redacted"] and "/2.1/user/email" not in config["redacted"]
    assert config["kept"] == ["/1.1/user/affiliation"] and config["mode"] == "blank"
    with h5py.File(tmp_path / "out.h5") as f:
        assert f["1.1/user/affiliation"][()] == b"Example Lab"
        assert f["2.1/user/affiliation"][()] == b"<redacted>"


def test_the_copy_validates_with_no_new_error(raw, tmp_path):
    nxschema.redact(raw, tmp_path / "out.h5", definition="NXesrf_raw")
    before = {(f.code, f.path) for f in nxschema.validate(raw).errors}
    after = {(f.code, f.path) for f in nxschema.validate(tmp_path / "out.h5").errors}
    assert after <= before


def test_remove_mode_leaves_the_values_out(raw, tmp_path):
    nxschema.redact(raw, tmp_path / "out.h5", mode="remove")
    with h5py.File(tmp_path / "out.h5") as f:
        assert "email" not in f["1.1/user"] and "name" not in f["1.1/user"]
        assert "<redacted email>" in f["1.1/sample/description"][()].decode()
        assert f["1.1/instrument/pilatus/data"].shape == (6, 16, 16)


def test_out_never_replaces_in(raw, tmp_path):
    with pytest.raises(ArgumentError):
        nxschema.redact(raw, raw, overwrite=True)
    os.link(raw, tmp_path / "alias.h5")
    with pytest.raises(ArgumentError):
        nxschema.redact(raw, tmp_path / "alias.h5", overwrite=True)
    nxschema.redact(raw, tmp_path / "copy.h5")
    with pytest.raises(FileExistsError):
        nxschema.redact(raw, tmp_path / "copy.h5")


def test_master_file_needs_follow_external(raw, tmp_path):
    write_master(tmp_path / "master.h5", "raw.h5")
    with pytest.raises(RedactionError, match="raw.h5"):
        nxschema.redact(tmp_path / "master.h5", tmp_path / "open.h5", definition="NXesrf_raw")
    assert not (tmp_path / "open.h5").exists()
    (tmp_path / "public").mkdir()
    result = nxschema.redact(tmp_path / "master.h5", tmp_path / "public" / "master.h5",
                             follow_external=tmp_path / "public", definition="NXesrf_raw")
    assert [os.path.basename(o) for _, o in result.files] == ["master.h5", "raw.h5"]
    with h5py.File(tmp_path / "public" / "master.h5") as f:
        link = f.get("1.1", getlink=True)
        assert isinstance(link, h5py.ExternalLink) and link.filename == "raw.h5"
        assert f["1.1/user/email"][()] == b"<redacted>"  # through the rewritten link
    for secret in SECRETS:
        for name in ("master.h5", "raw.h5"):
            assert secret.encode() not in (tmp_path / "public" / name).read_bytes()


def test_a_master_whose_raw_files_hold_nothing_personal(tmp_path):
    with h5py.File(tmp_path / "raw.h5", "w") as f:
        f.attrs["NX_class"] = "NXroot"
        e = f.create_group("1.1")
        e.attrs["NX_class"] = "NXentry"
        e["title"] = "dark current"
    write_master(tmp_path / "master.h5", "raw.h5", scans=("1.1",))
    result = nxschema.redact(tmp_path / "master.h5", tmp_path / "open.h5")
    assert result.copies == () and result.redacted == ()
    with h5py.File(tmp_path / "open.h5") as f:
        assert f["1.1/title"][()] == b"dark current"


def test_cli(raw, tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "nxschema", "redact", *map(str, args)],
                              capture_output=True, text=True, timeout=120)
    ok = run(raw, "-o", tmp_path / "out.h5", "--definition", "NXesrf_raw", "--keep",
             "/2.1/user")
    assert ok.returncode == 0, ok.stderr
    assert "redacted (blank)" in ok.stdout
    with h5py.File(tmp_path / "out.h5") as f:
        assert f["2.1/user/name"][()].decode() == NAME and f["1.1/user/name"][()] == b"<redacted>"
    again = run(raw, "-o", tmp_path / "out.h5")
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr
    assert run(raw, "-o", raw, "--force").returncode == 2
    assert run(tmp_path / "nope.h5", "-o", tmp_path / "x.h5").returncode == 2
    assert not (tmp_path / "x.h5").exists()


def test_kill_9_leaves_no_out_or_a_complete_one(tmp_path):
    write_raw(tmp_path / "big.h5", detector_shape=(200, 128, 128))
    complete = incomplete = 0
    code = ("import sys, nxschema; nxschema.redact(sys.argv[1], sys.argv[2])")
    for trial in range(20):
        out = tmp_path / f"out{trial}.h5"
        proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "big.h5"), str(out)])
        time.sleep(0.15 + 0.05 * trial)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if out.exists():
            with h5py.File(out) as f:  # complete: opens, and the last step is there
                assert "redaction" in f["2.1"] and f["2.1/user/email"][()] == b"<redacted>"
            complete += 1
        else:
            incomplete += 1
    assert complete + incomplete == 20
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert all(p.name.startswith(".out") for p in leftovers)  # only hidden temporaries
