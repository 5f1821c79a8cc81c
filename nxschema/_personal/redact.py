"""Redacted copies: a new file with the same objects, minus the personal values.

The copy is written fresh, never edited in place: HDF5 does not wipe the space an overwritten or
deleted value leaves behind, so a value that was once written to OUT could survive in its bytes.
Here a personal value is simply never copied. Subtrees that hold nothing personal (nearly all of
a raw file: detector data, positioners) are copied whole by HDF5's own object copy
(``H5Ocopy``), which moves raw chunks without decompressing them and keeps dtypes, chunking,
filters, fill values, attributes, soft and external links; only the groups on the way to a
personal value are rebuilt member by member.

Hard links are kept as hard links: an object reachable by two paths in IN is copied once and
linked twice in OUT. External links are kept as written, except those that point at linked files
redacted alongside (``follow_external``), which are rewritten to point at the redacted copies.
OUT is written through the one atomic writer (a temporary file, then a rename), so a killed run
leaves no OUT or a complete one; IN is opened read-only and never written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
from h5py import h5o

from nxschema import __version__
from nxschema._definitions.catalog import DefinitionsLike
from nxschema._h5.access import open_file
from nxschema._personal.scan import DOMAINS, PLACEHOLDER, PersonalItem, Scan, scan
from nxschema._personal.patterns import blank as blank_text, find
from nxschema._process.record import record_process
from nxschema._write.atomic import atomic_output
from nxschema.errors import ArgumentError, RedactionError

MODES = ("blank", "remove")
PROGRAM = "nxschema redact"


@dataclass(frozen=True)
class Redaction:
    """What one call of :func:`redact` wrote."""

    source: str
    output: str
    mode: str
    redacted: tuple[PersonalItem, ...]  # what was blanked or removed, in this file
    kept: tuple[PersonalItem, ...]  # personal items left as they are (``keep``)
    copies: tuple["Redaction", ...] = ()  # linked files redacted alongside
    process_paths: tuple[str, ...] = ()  # the NXprocess steps that record the redaction

    @property
    def files(self) -> list[tuple[str, str]]:
        """(input, output) of this file and of every linked copy."""
        return [(self.source, self.output)] + [p for c in self.copies for p in c.files]


def redact(source: str | os.PathLike[str], output: str | os.PathLike[str], *,
           definitions: DefinitionsLike | None = None, definition: str | None = None,
           domains: Iterable[str] = DOMAINS, keep: Iterable[str] = (), mode: str = "blank",
           patterns_on: bool = True, external: str = "below",
           follow_external: str | os.PathLike[str] | None = None,
           overwrite: bool = False) -> Redaction:
    """Write a copy of ``source`` to ``output`` without its personal data.

    Args:
        source, output: the HDF5 file to read (never changed) and the copy to write.
        definitions: a Catalog or paths of definition files/folders (default: the bundled
            ones).
        definition, domains, keep, mode, patterns_on, follow_external: as below.
        external: the external-link policy, as for validation.
        overwrite: replace an existing ``output``.

    Returns:
        A :class:`Redaction`: what was blanked or removed, the copies of linked files, and the
        NXprocess steps that record it.

    Raises:
        nxschema.errors.RedactionError: linked files hold personal data and no
            ``follow_external`` folder was given.
        nxschema.errors.ArgumentError: a bad ``mode``, folder, or an output that is an input.

    ``definition``: a layout to apply to the whole file (else the root's ``@layout``).
    ``domains``: besides members marked ``personal: true``, members of these domains are
    redacted (default ``administrative``). ``keep``: HDF5 paths (``/1.1/user/affiliation``,
    or ``/1.1/user`` for everything under it, or ``path@attr``) to leave as they are.
    ``mode``: ``blank`` (default) replaces each value by a placeholder of the same type and
    shape, so the file keeps its structure and still validates; ``remove`` leaves the object
    (or attribute) out. ``patterns_on``: also blank e-mail addresses, ORCID iDs and phone
    numbers found in any text. ``follow_external``: a folder; linked files that hold personal
    data are redacted into it and OUT's links point at those copies. Without it, personal data
    in linked files is an error (:class:`~nxschema.errors.RedactionError`) that names them.
    A redaction step (an NXprocess) is added to each entry of OUT.
    """
    if mode not in MODES:
        raise ArgumentError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    source_path = Path(os.fspath(source)).absolute()
    output_path = Path(os.fspath(output)).absolute()
    found = scan(source_path, definitions=definitions, definition=definition, domains=domains,
                 patterns_on=patterns_on, external=external)
    _refuse_overwriting_inputs(output_path, found)
    plan = _Plan.of(found, str(source_path), tuple(keep))
    copies: list[Redaction] = []
    rewrite: dict[str, str] = {}
    others = sorted({item.file for item in plan.redacted if item.file != str(source_path)})
    if others and follow_external is None:
        names = ", ".join(others)
        raise RedactionError(f"linked files hold personal data: {names}; redact them too with "
                             "--follow-external DIR (or keep those paths with --keep)")
    if others:
        folder = Path(os.fspath(follow_external)).absolute()
        if not folder.is_dir():
            raise ArgumentError(f"--follow-external: {folder} is not a folder")
        for other in others:
            target = folder / Path(other).name
            if target == output_path or target.resolve() == Path(other).resolve():
                raise ArgumentError(f"the copy of {other} would overwrite a file in the run")
            copies.append(redact(other, target, definitions=definitions, definition=definition,
                                 domains=domains,
                                 keep=keep, mode=mode, patterns_on=patterns_on,
                                 external=external, follow_external=None,
                                 overwrite=overwrite))
            rewrite[other] = os.path.relpath(target, output_path.parent)
    local = tuple(i for i in plan.redacted if i.file == str(source_path))
    with atomic_output(output_path, overwrite=overwrite) as temp:
        with open_file(source_path) as src, h5py.File(temp, "w", track_order=_tracks(src)) as dst:
            copier = _Copier(src, dst, plan, mode, rewrite, str(source_path))
            copier.copy_root()
            processes = _record(dst, local, plan.kept, mode, domains, patterns_on, keep)
    return Redaction(str(source_path), str(output_path), mode, local, plan.kept, tuple(copies),
                     tuple(processes))


def _refuse_overwriting_inputs(output: Path, found: Scan) -> None:
    for file in found.files:
        if output == Path(file) or (output.exists() and os.path.samefile(output, file)):
            raise ArgumentError(f"the output {output} is an input of the redaction ({file}); "
                                "OUT must be a new file")


@dataclass
class _Plan:
    redacted: list[PersonalItem] = field(default_factory=list)
    kept: tuple[PersonalItem, ...] = ()
    datasets: dict[str, list[PersonalItem]] = field(default_factory=dict)  # path -> items
    attributes: dict[str, dict[str, list[PersonalItem]]] = field(default_factory=dict)

    @classmethod
    def of(cls, found: Scan, source: str, keep: tuple[str, ...]) -> "_Plan":
        plan = cls()
        kept = []
        for item in found.items:
            if _kept(item, keep):
                kept.append(item)
                continue
            plan.redacted.append(item)
            if item.file != source:
                continue
            if item.attribute is None:
                plan.datasets.setdefault(item.path, []).append(item)
            else:
                plan.attributes.setdefault(item.path, {}).setdefault(item.attribute, []).append(
                    item)
        plan.kept = tuple(kept)
        return plan


def _kept(item: PersonalItem, keep: tuple[str, ...]) -> bool:
    names = [item.path] + ([item.via] if item.via else [])
    if item.attribute:
        names += [f"{n}@{item.attribute}" for n in list(names)]
    for k in keep:
        k = k.rstrip("/") or "/"
        for name in names:
            if name == k or name.startswith(k + "/") or k == "/":
                return True
    return False


def _tracks(group) -> bool:
    """True if ``group`` keeps its links in creation order (so OUT lists them the same way)."""
    try:
        return bool(group.id.get_create_plist().get_link_creation_order())
    except Exception:
        return False


class _Copier:
    def __init__(self, src: h5py.File, dst: h5py.File, plan: _Plan, mode: str,
                 rewrite: dict[str, str], source: str):
        self.src, self.dst, self.plan, self.mode = src, dst, plan, mode
        self.rewrite, self.source = rewrite, source
        self.copied: dict[int, str] = {}  # source object address -> its path in OUT
        self.dirty = self._dirty_addresses()

    # -- which groups must be rebuilt rather than copied whole ---------------------------------
    def _dirty_addresses(self) -> set[int]:
        """Objects that cannot be copied whole: those holding (or being) a redacted value, a
        link to rewrite, or an object also reachable from elsewhere (a hard link shared with
        another path: it must be copied once and linked, not copied twice)."""
        dirty: set[int] = set()
        seen: set[int] = set()
        stack = [(self.src, "/", ())]
        while stack:
            group, path, ancestors = stack.pop()
            for name in group:
                child_path = f"{path.rstrip('/')}/{name}"
                link = group.get(name, getlink=True)
                if isinstance(link, h5py.ExternalLink):
                    if self._rewritten(link.filename) is not None:
                        dirty.update(ancestors)
                    continue
                if not isinstance(link, h5py.HardLink):
                    continue
                try:
                    obj = group[name]
                except Exception:
                    dirty.update(ancestors)  # rebuilt so that the damage is not copied blindly
                    continue
                info = h5o.get_info(obj.id)
                here = ancestors + (info.addr,)
                if info.rc > 1 or info.addr in seen:
                    dirty.update(ancestors)
                if (child_path in self.plan.datasets or child_path in self.plan.attributes):
                    dirty.update(here)
                if info.addr in seen:
                    continue
                seen.add(info.addr)
                if isinstance(obj, h5py.Group):
                    stack.append((obj, child_path, here))
        if "/" in self.plan.attributes:
            dirty.add(h5o.get_info(self.src.id).addr)
        return dirty

    def _rewritten(self, filename: str) -> str | None:
        base = os.path.dirname(self.source)
        resolved = os.path.normpath(filename if os.path.isabs(filename)
                                    else os.path.join(base, filename))
        return self.rewrite.get(resolved)

    # -- copying -------------------------------------------------------------------------------
    def copy_root(self) -> None:
        self._attributes(self.src, self.dst, "/")
        self.copied[h5o.get_info(self.src.id).addr] = "/"
        self._members(self.src, self.dst, "/")

    def _members(self, src_group, dst_group, path: str) -> None:
        for name in src_group:
            child_path = f"{path.rstrip('/')}/{name}"
            link = src_group.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                dst_group[name] = h5py.SoftLink(link.path)
            elif isinstance(link, h5py.ExternalLink):
                dst_group[name] = h5py.ExternalLink(self._rewritten(link.filename) or
                                                    link.filename, link.path)
            elif isinstance(link, h5py.HardLink):
                self._hard(src_group, dst_group, name, child_path)
            # user-defined link types cannot be recreated through h5py: left out

    def _hard(self, src_group, dst_group, name: str, path: str) -> None:
        try:
            obj = src_group[name]
        except Exception:
            return  # a damaged object is not copied (the validator reports it on IN)
        addr = h5o.get_info(obj.id).addr
        if addr in self.copied:
            dst_group[name] = self.dst[self.copied[addr]]  # a hard link, as in IN
            return
        items = self.plan.datasets.get(path)
        if items is not None and isinstance(obj, h5py.Dataset):
            if self.mode == "remove" and not _pattern_only(items):
                return
            self._placeholder(obj, dst_group, name, path, items)
        elif addr not in self.dirty:
            h5o.copy(src_group.id, name.encode(), dst_group.id, name.encode())
        elif isinstance(obj, h5py.Group):
            group = dst_group.create_group(name, track_order=_tracks(obj))
            self._attributes(obj, group, path)
            self.copied[addr] = group.name
            self._members(obj, group, path)
            return
        else:  # a dataset (or named datatype) with a redacted attribute: data whole, attrs one by one
            plist = h5o.PropCopyID() if hasattr(h5o, "PropCopyID") else h5py.h5p.create(
                h5py.h5p.OBJECT_COPY)
            plist.set_copy_object(h5o.COPY_WITHOUT_ATTR_FLAG)
            h5o.copy(src_group.id, name.encode(), dst_group.id, name.encode(), copypl=plist)
            self._attributes(obj, dst_group[name], path, fresh=True)
        self.copied[addr] = dst_group[name].name

    def _placeholder(self, ds: h5py.Dataset, dst_group, name: str, path: str, items) -> None:
        matches = [t for item in items if item.found_by == "pattern" for t in item.matches]
        whole = any(item.found_by == "definition" for item in items)
        value = _blanked(ds, whole, matches)
        kwargs = {}
        if ds.chunks:
            kwargs.update(chunks=ds.chunks, maxshape=ds.maxshape)
        if ds.compression:
            kwargs.update(compression=ds.compression, compression_opts=ds.compression_opts)
        kwargs.update(shuffle=ds.shuffle, fletcher32=ds.fletcher32)
        if ds.shape is None:
            new = dst_group.create_dataset(name, dtype=ds.dtype)  # a null dataspace: no value
        else:
            new = dst_group.create_dataset(name, shape=ds.shape, dtype=ds.dtype, **kwargs)
            if value is not None and ds.size:
                new[()] = value
        self._attributes(ds, new, path, fresh=True)

    def _attributes(self, src_obj, dst_obj, path: str, fresh: bool = True) -> None:
        redacted = self.plan.attributes.get(path, {})
        for name in src_obj.attrs:
            items = redacted.get(name)
            try:
                aid = src_obj.attrs.get_id(name)
                value = src_obj.attrs[name]
            except Exception:
                continue  # an attribute h5py cannot read is not copied
            if items:
                whole = any(i.found_by == "definition" for i in items)
                if self.mode == "remove" and whole:
                    continue
                value = _blanked_value(value, aid.dtype, whole,
                                       [t for i in items if i.found_by == "pattern"
                                        for t in i.matches])
            try:
                if isinstance(value, h5py.Empty):
                    dst_obj.attrs.create(name, value)
                else:
                    dst_obj.attrs.create(name, value, shape=aid.shape, dtype=aid.dtype)
            except Exception:
                dst_obj.attrs[name] = value


def _pattern_only(items) -> bool:
    return all(item.found_by == "pattern" for item in items)


def _blanked(ds: h5py.Dataset, whole: bool, matches: list[str]):
    """The placeholder value for a dataset: same dtype and shape."""
    if ds.shape is None:
        return None
    if not whole and matches:
        return _blanked_value(ds[()], ds.dtype, False, matches)
    return _blanked_value(None, ds.dtype, True, [], ds.shape)


def _blanked_value(value, dtype, whole: bool, matches: list[str], shape=None):
    """A value of ``dtype`` (and ``value``'s shape) with the personal text blanked."""
    if shape is None:
        shape = np.shape(value) if not isinstance(value, h5py.Empty) else None
    if isinstance(value, h5py.Empty):
        return value
    kind = dtype.kind
    is_text = kind in "SU" or (kind == "O" and h5py.check_string_dtype(dtype) is not None)
    if not is_text:
        return np.zeros(shape, dtype=dtype)  # numbers (an id, a phone as int): all zero
    def one(text):
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        out = PLACEHOLDER if whole else blank_text(str(text), find(str(text)))
        if kind == "S":
            return out.encode("utf-8")[:dtype.itemsize]
        return out
    if whole or value is None:
        arr = np.empty(shape, dtype=object)
        arr[...] = one("")
    else:
        arr = np.empty(shape, dtype=object)
        flat = np.asarray(value, dtype=object).reshape(shape) if shape else None
        if shape:
            for index in np.ndindex(shape):
                arr[index] = one(flat[index])
        else:
            arr[()] = one(value)
    if kind == "S":
        return arr.astype(dtype) if shape else np.array(arr[()], dtype=dtype)
    return arr if shape else arr[()]


def _record(dst: h5py.File, redacted, kept, mode, domains, patterns_on, keep) -> list[str]:
    """An NXprocess in each entry of OUT: what was redacted there, and the policy."""
    paths = []
    for name in list(dst):
        link = dst.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            continue  # an entry in another file records its own redaction there
        group = dst[name]
        nx_class = group.attrs.get("NX_class")
        if isinstance(nx_class, bytes):
            nx_class = nx_class.decode("utf-8", "replace")
        if not isinstance(group, h5py.Group) or nx_class != "NXentry":
            continue
        prefix = f"/{name}"
        here = sorted({_where(i) for i in redacted
                       if (i.via or i.path) == prefix or (i.via or i.path).startswith(prefix + "/")})
        config = {"mode": mode, "domains": list(domains), "personal": True,
                  "patterns": bool(patterns_on), "keep": list(keep), "redacted": here,
                  "kept": sorted({_where(i) for i in kept})}
        paths.append(record_process(dst, name, program=PROGRAM, version=__version__,
                                    config=config, name="redaction"
                                    if "redaction" not in group else None))
    return paths


def _where(item: PersonalItem) -> str:
    at = item.via or item.path
    return f"{at}@{item.attribute}" if item.attribute else at
