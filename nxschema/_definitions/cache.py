"""A cache of the definitions read from a folder, so that loading them again costs a few ms.

One pickle file per source folder, under ``$NXSCHEMA_CACHE_DIR``, else
``$XDG_CACHE_HOME/nxschema``, else ``~/.cache/nxschema``. It is used only when its key matches:
a fingerprint of every definition file's path, size and mtime_ns in the folder, the nxschema
version, the Python version and the code that reads definitions (so that an edited reader never
serves stale models). A cache that cannot be read, unpickled or matched is ignored and rewritten;
one that cannot be written is skipped silently: the cache only ever makes loading faster.

Like any pickle, a cache file runs code when loaded: it lives in the user's own cache folder
(created private, 0o700), with the same trust as the user's other dot files.
"""

from __future__ import annotations

import copyreg
import dataclasses
import gc
import io
import os
import pickle
import sys
import zlib
from pathlib import Path

from nxschema import __version__
from nxschema import model as m

FORMAT = 1
# Modules whose code decides what a cached model looks like.
_READER_MODULES = ("model.py", "_definitions/nxdl_reader.py", "_definitions/nxdl_xml.py",
                   "_definitions/bounds.py", "_definitions/yaml_reader.py",
                   "_definitions/nyaml_reader.py", "_definitions/nyaml_doc.py",
                   "_definitions/yamlsource.py", "_definitions/catalog.py", "_definitions/cache.py")


def cache_dir() -> Path:
    if os.environ.get("NXSCHEMA_CACHE_DIR"):
        return Path(os.environ["NXSCHEMA_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nxschema"


def fingerprint(files) -> str:
    """The files' paths, sizes and mtimes, and those of the reading code, as one text.

    Kept whole rather than hashed: comparing 30 kB is cheaper than importing a hash library, and
    two folders can never be mistaken for each other.
    """
    lines = [f"{FORMAT} {__version__} {sys.version_info[:2]}"]
    here = Path(__file__).resolve().parents[1]  # the nxschema package
    for path in [here / name for name in _READER_MODULES] + list(files):
        try:
            stat = os.stat(path)
        except OSError:
            lines.append(f"{path} missing")
            continue
        lines.append(f"{path} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(lines)


def cache_file(folder: Path) -> Path:
    where = str(folder.resolve())
    tail = "".join(c if c.isalnum() or c in "-_" else "_" for c in where[-40:])
    return cache_dir() / f"definitions-{tail}-{zlib.crc32(where.encode()):08x}.pickle"


# Pickle model objects as ``Class(*values)``: about three times faster to load than the default
# dataclass state protocol, which calls dataclasses.fields() for every object.
_CLASSES = (m.Source, m.Symbol, m.EnumItem, m.Enumeration, m.Dim, m.Dimensions, m.ConfigSpec,
            m.IcatSpec, m.Attribute, m.Field, m.Link, m.Group, m.Choice, m.Definition)
_NAMES = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _CLASSES}


def _reduce(obj):
    return type(obj), tuple([getattr(obj, name) for name in _NAMES[type(obj)]])


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH.update(dict.fromkeys(_CLASSES, _reduce))


def _dumps(value) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


def _loads(data: bytes):
    # Tens of thousands of small objects at once: the cyclic GC would run many times for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()


def load(folder: Path, key: str):
    """The cached entries for ``folder`` if the cache matches ``key``, else None."""
    try:
        data = cache_file(folder).read_bytes()
        stored_format, stored_key, entries = _loads(data)
    except Exception:  # noqa: BLE001 - missing, truncated, corrupt or foreign: just a miss
        return None
    if stored_format != FORMAT or stored_key != key or not isinstance(entries, list):
        return None
    return entries


def store(folder: Path, key: str, entries) -> None:
    """Write the cache atomically; any failure (read-only home, full disk) is ignored."""
    # Not nxschema._write.atomic, the writers' helper: _definitions never imports _write, and
    # a pickle (loading one runs code) must stay private: mkstemp's 0o600 in a 0o700 folder,
    # where the writers' helper gives an output file the umask's usual mode.
    import tempfile  # only when writing: it is slow to import and a warm load never needs it

    target = cache_file(folder)
    temp = None
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".pickle")
        with os.fdopen(fd, "wb") as stream:
            stream.write(_dumps((FORMAT, key, entries)))
        os.replace(temp, target)
    except Exception:  # noqa: BLE001 - the cache is an optimisation, never a failure
        if temp:
            Path(temp).unlink(missing_ok=True)


def read_folder(folder: Path, files, read_file):
    """[(file, definition, findings)] for ``files`` of ``folder``, from the cache if it matches.

    ``read_file`` reads one file (``_catalog.read_file``); it is called only on a miss.
    """
    files = list(files)
    key = fingerprint(files)
    entries = load(folder, key)
    if entries is not None and [e[0] for e in entries] == [str(f) for f in files]:
        return [(file, entry[1], entry[2]) for file, entry in zip(files, entries)]
    fresh = [(file, *read_file(file)) for file in files]
    store(folder, key, [(str(file), definition, findings) for file, definition, findings in fresh])
    return fresh
