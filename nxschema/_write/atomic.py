"""Writing files so that a reader never sees half of one: the one atomic-write helper.

Every writer in nxschema (skeletons, process records, generated code, converted definitions,
documentation sites, ICAT exports and imports) goes through this module. It writes into a temporary file next to its target (same folder, so the same
file system), flushes it to disk, then renames it over the target with ``os.replace``, which is
atomic on POSIX and Windows. Whatever happens before the rename — an exception, Ctrl-C, SIGKILL, a
full disk — the target is either absent or exactly as it was before. A killed process can leave
its temporary file behind: it is hidden (``.NAME.XXXXXXXX.partial``) and safe to delete.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path
from nxschema.errors import ArgumentError, NotFoundError, OutputExistsError

PARTIAL_SUFFIX = ".partial"


def temp_path_for(target: Path) -> Path:
    """Create (empty, exclusively) and return a hidden temporary file next to ``target``."""
    for _ in range(100):
        candidate = target.with_name(f".{target.name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}")
        try:
            # 0o666 minus the umask, like any new file: mkstemp's 0o600 would survive the rename.
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise OutputExistsError(f"cannot create a temporary file next to {target}")


def fsync_path(path: Path, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return  # some platforms cannot open folders; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(target, *, overwrite: bool = False, copy_of=None):
    """Yield a temporary path to write; on success it replaces ``target`` atomically.

    ``overwrite``: replace an existing target (else FileExistsError before anything is
    written). ``copy_of``: start from a copy of this file (to modify an existing file without
    ever touching it in place). On any exception the temporary file is removed and the target is
    untouched.
    """
    target = Path(os.fspath(target))
    if target.is_dir():
        raise ArgumentError(f"{target} is a folder")
    if target.exists() and not overwrite:
        raise OutputExistsError(f"{target} exists (use --force / overwrite=True to replace it)")
    if not target.parent.is_dir():
        raise NotFoundError(f"folder {target.parent} does not exist")
    temp = temp_path_for(target)
    try:
        if copy_of is not None:
            shutil.copyfile(copy_of, temp)
            shutil.copymode(copy_of, temp)
        elif target.exists():
            shutil.copymode(target, temp)
        yield temp
        fsync_path(temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_path(target.parent, directory=True)


def write_atomic(target, content: str | bytes, *, overwrite: bool = False,
                 make_parents: bool = False, skip_unchanged: bool = False) -> Path:
    """Write ``content`` to ``target`` atomically and return ``target`` as a Path.

    Text is written as UTF-8 with its newlines as they are (no platform translation).
    ``overwrite``: replace an existing target (else :class:`OutputExistsError`).
    ``make_parents``: create missing folders first. ``skip_unchanged``: a target that already
    holds exactly ``content`` is left alone, mtime and all (rebuilt sites stay cheap to sync).
    """
    target = Path(os.fspath(target))
    data = content.encode("utf-8") if isinstance(content, str) else content
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    if skip_unchanged and overwrite:
        try:
            if target.is_file() and target.read_bytes() == data:
                return target
        except OSError:
            pass  # unreadable: write it anew
    with atomic_output(target, overwrite=overwrite) as temp:
        temp.write_bytes(data)
    return target


def write_text_atomic(target, text: str, *, overwrite: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically; see :func:`write_atomic`."""
    write_atomic(target, text, overwrite=overwrite)
