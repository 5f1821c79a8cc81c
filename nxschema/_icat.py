"""ICAT metadata keys: derived from definitions, and extracted from NeXus/HDF5 files.

The rule (docs/icat.md): below the entry, a field's ICAT key is the CamelCase of its group path,
``_``, then the field name (``instrument/source/current`` → ``InstrumentSource_current``). In an
NXsubentry named in upper case (a technique group: EM, MX, SAXS, ...) the prefix is the technique
name, and nested groups append their CamelCase (``EM/motion_correction/total_motion`` →
``EMMotionCorrection_total_motion``). Definitions override the rule with ``icat:``: on a field the
whole key, on a group the CamelCase part that stands for it.

Which fields get a key (the plain rule; an ``icat:`` key on a field always wins):

* fields in groups below an NXentry, and fields of technique subentries;
* not fields directly in the entry (the catalogue's dataset columns, such as ``datasetName``,
  must be declared), not fields that stand for any name (``name_type: any``), not constants
  (a fixed ``value``), not personal data (``personal: true``);
* nothing below the ``measurement`` collection, NXdata plot groups, NXprocess groups, or
  NXsubentry groups that are not named as a technique (analysis views such as ``xas``);
* positioner-style groups (NXpositioner, or an NXcollection named ``positioners...``) give two
  keys, ``<Prefix>_name`` and ``<Prefix>_value``, whatever their members;
* a link member gets the key of the field it links to: one key, several paths to the same data
  (links inside skipped groups, such as an NXdata's axes, give none).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import _model as m

KEY_GRAMMAR = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$")
GROUP_PART_GRAMMAR = re.compile(r"^[A-Za-z0-9]*$")  # may be empty: the group adds nothing
TECHNIQUE = re.compile(r"^[A-Z][A-Z0-9]*$")
SKIPPED_CLASSES = {"NXdata", "NXprocess"}
SKIPPED_NAMES = {"measurement"}
DEFAULT_RECORD = "final"
SMALL_ARRAY = 16  # arrays up to this size are reported whole, as space-separated text
MAX_HOPS = 32  # links followed for one name before giving up (loops)


def camel(name: str) -> str:
    """``primary_slit`` → ``PrimarySlit``: split on ``_``, capitalise each part, keep the rest."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def default_name(nx_class: str) -> str:
    """The name an unnamed group usually has: its class without ``NX`` (``NXsource`` → source)."""
    return nx_class.removeprefix("NX")


def is_positioner_group(nx_class: str, name: str) -> bool:
    return nx_class == "NXpositioner" or (nx_class == "NXcollection"
                                          and name.startswith("positioners"))


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a path below the entry: a group (with class) or the final field."""

    name: str
    nx_class: str | None = None
    any_name: bool = False  # an unnamed group: any group of ``nx_class`` will do


@dataclass(frozen=True, slots=True)
class IcatKey:
    """One row of the mapping: an ICAT key and the NeXus path (below the entry) it comes from."""

    key: str
    path: str
    nx_type: str = "NX_CHAR"
    units: str | None = None
    record: str = DEFAULT_RECORD
    mandatory: bool = False
    description: str | None = None
    definition: str = ""
    kind: str = "field"  # field | link | positioners
    explicit: bool = False  # the key was written with icat:, not derived
    target: str | None = None  # for a link: the path of the data it links to
    steps: tuple[Step, ...] = field(default=(), compare=False, repr=False)
    source: m.Source | None = field(default=None, compare=False, repr=False)

    @property
    def element(self) -> str:
        """The name of the element the key is written on (the last step of the path)."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def data_path(self) -> str:
        return self.target or self.path

    def as_dict(self) -> dict:
        src = self.source
        return {"key": self.key, "path": self.path, "type": self.nx_type, "units": self.units,
                "record": self.record, "mandatory": self.mandatory,
                "description": self.description, "definition": self.definition,
                "kind": self.kind, "explicit": self.explicit, "target": self.target,
                "source": str(src) if src else None}


# --- keys from definitions --------------------------------------------------------------------

def _icat_elements(members):
    for member in members:
        yield member
        if isinstance(member, m.Choice):
            yield from _icat_elements(member.groups)
        elif isinstance(member, m.Group):
            yield from _icat_elements(member.members)


def technique_of(group: m.Group) -> str | None:
    """The technique prefix of an NXsubentry: its ``icat:`` key, or its upper-case name."""
    if group.icat is not None and group.icat.key:
        return group.icat.key
    if group.name and TECHNIQUE.match(group.name) and group.name_type not in ("any", "partial"):
        return group.name
    return None


def carries_icat(definition: m.Definition) -> bool:
    """True if the definition opts in to the ICAT mapping: an ``icat:`` keyword anywhere, or a
    technique subentry at its top (a technique definition)."""
    if definition.category not in ("layout", "application"):
        return False
    for element in _icat_elements(definition.members):
        if getattr(element, "icat", None) is not None:
            return True
    return any(isinstance(g, m.Group) and g.nx_class == "NXsubentry" and technique_of(g)
               for g in definition.members)


class _Walker:
    def __init__(self, definition: m.Definition):
        self.definition = definition
        self.rows: list[IcatKey] = []
        self.links: list[tuple[m.Link, tuple[Step, ...], bool]] = []

    def required(self, element, parent_required: bool) -> bool:
        return parent_required and m.requirement(element, self.definition.category) == "required"

    def run(self) -> list[IcatKey]:
        for member in self.definition.members:
            for group in _groups_of(member):
                required = self.required(group, True)
                if group.nx_class == "NXentry" and not group.personal:
                    self.members(group.members, (), "", False, required)
                elif group.nx_class == "NXsubentry":
                    self.group(group, (), "", False, required)
        self.resolve_links()
        return self.rows

    def members(self, members, steps, prefix: str, skipped: bool, required: bool) -> None:
        for member in members:
            if isinstance(member, m.Field):
                self.field(member, steps, prefix, skipped, required)
            elif isinstance(member, m.Link):
                if not member.personal and not skipped:  # plot groups re-link mapped data
                    self.links.append((member, steps + (Step(member.name),), required))
            else:
                for group in _groups_of(member):
                    if isinstance(member, m.Choice) and group.name is None:
                        group = m.replace(group, name=member.name)  # the choice names its groups
                    self.group(group, steps, prefix, skipped, required)

    def group(self, group: m.Group, steps, prefix: str, skipped: bool, required: bool) -> None:
        if group.personal:
            return  # personal data never goes to the catalogue
        name = group.name or default_name(group.nx_class)
        placeholder = group.name is not None and group.name_type in ("any", "partial")
        here = steps + (Step(name, group.nx_class, group.name is None or placeholder),)
        required = self.required(group, required)
        if not steps and group.nx_class == "NXsubentry":
            technique = technique_of(group)
            self.members(group.members, here, technique or "", skipped or not technique, required)
            return
        if group.nx_class in SKIPPED_CLASSES or name in SKIPPED_NAMES or placeholder:
            self.members(group.members, here, prefix, True, required)
            return
        part = group.icat.key if group.icat is not None and group.icat.key is not None \
            else camel(name)
        if is_positioner_group(group.nx_class, name) and not skipped and prefix + part:
            self.positioners(group, here, prefix + part, required)
            return
        self.members(group.members, here, prefix + part, skipped, required)

    def positioners(self, group: m.Group, here, prefix: str, required: bool) -> None:
        declared = {f.name: f for f in group.members if isinstance(f, m.Field)}
        for leaf in ("name", "value"):
            spec = declared.get(leaf)
            icat = spec.icat if spec is not None else None
            key = icat.key if icat is not None and icat.key else f"{prefix}_{leaf}"
            self.add(key, here + (Step(leaf),), spec, required, kind="positioners",
                     explicit=bool(icat and icat.key),
                     nx_type=spec.type if spec is not None and spec.type else "NX_CHAR",
                     source=(icat.source if icat and icat.key else None)
                     or (spec.source if spec else group.source))
        others = tuple(x for x in group.members if m.member_key(x) not in ("name", "value"))
        self.members(others, here, prefix, True, required)

    def field(self, spec: m.Field, steps, prefix: str, skipped: bool, required: bool) -> None:
        if spec.personal:
            return
        icat = spec.icat
        if icat is not None and icat.key:
            self.add(icat.key, steps + (Step(spec.name),), spec, required, explicit=True,
                     source=icat.source or spec.source)
        elif not skipped and prefix and spec.name_type not in ("any", "partial") \
                and spec.value is None:  # a constant tells the catalogue nothing
            self.add(f"{prefix}_{spec.name}", steps + (Step(spec.name),), spec, required,
                     source=spec.source)

    def add(self, key, steps, spec: m.Field | None, required: bool, *, kind="field",
            explicit=False, nx_type=None, source=None, target=None) -> None:
        icat = spec.icat if spec is not None else None
        mandatory = icat.mandatory if icat is not None and icat.mandatory is not None else (
            spec is not None and self.required(spec, required))
        description = icat.description if icat is not None and icat.description else None
        if description is None and spec is not None and spec.doc:
            description = " ".join(spec.doc.split("\n\n")[0].split())
        self.rows.append(IcatKey(
            key=key, path="/".join(s.name for s in steps),
            nx_type=nx_type or (spec.type if spec is not None and spec.type else "NX_CHAR"),
            units=spec.units if spec is not None else None,
            record=(icat.record if icat is not None and icat.record else DEFAULT_RECORD),
            mandatory=bool(mandatory), description=description, definition=self.definition.name,
            kind=kind, explicit=explicit, target=target, steps=steps, source=source))

    def resolve_links(self) -> None:
        fields = [r for r in self.rows if r.kind == "field"]
        for link, steps, _required in self.links:
            target = _match_target(link.target, fields)
            if target is not None:
                self.rows.append(m.replace(
                    target, path="/".join(s.name for s in steps), kind="link",
                    target=target.path, steps=steps, source=link.source, explicit=False))


def _groups_of(member):
    if isinstance(member, m.Group):
        return (member,)
    if isinstance(member, m.Choice):
        return member.groups
    return ()


def _target_segments(target: str):
    out = []
    for part in (p for p in target.split("/") if p):
        name, _, nx_class = part.partition(":")
        if not nx_class and name.startswith("NX"):
            name, nx_class = "", name
        out.append((name, nx_class))
    return out


def _match_target(target: str, rows: list[IcatKey]) -> IcatKey | None:
    """The field row a link target names (class paths and plain paths alike), if any. An
    absolute target may start at the entry (whatever its name) or, in a technique definition,
    at the subentry."""
    segments = _target_segments(target)
    tries = [segments[1:], segments] if target.startswith("/") else [segments]
    for wanted in tries:
        for row in rows:
            if len(row.steps) == len(wanted) and all(
                    (not cls or cls == step.nx_class)
                    and (not name or name == step.name or step.any_name)
                    for (name, cls), step in zip(wanted, row.steps)):
                return row
    return None


def mapping(definition: m.Definition) -> list[IcatKey]:
    """Every ICAT key ``definition`` implies, in the order its members are written."""
    if definition.category not in ("layout", "application"):
        return []
    return _Walker(definition).run()


def _definitions_from(items, catalog):
    from ._catalog import definition_files, read_file
    from ._findings import DefinitionError, error

    out = []
    for item in items:
        if isinstance(item, m.Definition):
            out.append(item)
            continue
        path = Path(item)
        if path.exists():
            files = definition_files(path)
            if not files:
                raise DefinitionError([error("io", "no definition files here", file=str(path))])
            for file in files:
                definition, findings = read_file(file)
                errors = [f for f in findings if f.severity == "error"]
                if definition is None or errors:
                    raise DefinitionError(errors or findings)
                catalog.add(definition, layer=99, is_yaml=not file.name.endswith(".nxdl.xml"))
                out.append(catalog[definition.key])
            continue
        name = str(item)
        found = catalog.get(name) or catalog.get(f"{name}@subentry")
        if found is None:
            raise DefinitionError([error("io", f"{name!r} is neither a file nor a definition "
                                         "in the catalog", file=name)])
        out.append(found)
    return out


def icat_keys(*definitions, defs=(), bundled: bool = True, catalog=None) -> list[IcatKey]:
    """The ICAT keys that ``definitions`` imply (Definition objects, files, folders or names).

    Names are looked up in ``catalog`` (default: the bundled definitions plus ``defs``). Raises
    :class:`nxschema.DefinitionError` when a file does not read or a name is unknown.
    """
    if catalog is None:
        from ._catalog import load

        catalog = load(*defs, bundled=bundled, strict=False)
    rows = []
    for definition in _definitions_from(definitions, catalog):
        rows += mapping(definition)
    return rows


def catalog_keys(catalog) -> list[IcatKey]:
    """The keys of every definition in ``catalog`` that opts in to the ICAT mapping."""
    mapped = [catalog[key] for key in catalog if carries_icat(catalog[key])]
    rows = []
    for definition in sorted(mapped, key=lambda d: d.category != "layout"):  # entries first
        rows += mapping(definition)
    return rows


# --- extraction from files --------------------------------------------------------------------

class IcatError(Exception):
    """A file cannot be read for extraction; the message is one line for the user."""


@dataclass
class Extraction:
    file: str
    entry: str | None
    values: dict[str, dict]
    notes: list[str]


def _open(path):
    from ._h5access import FileProblem, open_file

    try:
        return open_file(path)
    except FileProblem as exc:
        raise IcatError(f"{path}: {exc}") from None
    except (OSError, RuntimeError, ValueError) as exc:  # a damaged superblock raises RuntimeError
        raise IcatError(f"{path}: cannot open (truncated or damaged?): "
                        f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


class _Links:
    """Follows soft and external links by hand, so that external file names resolve relative
    to the linking file and the policy (stay under the master file's folder) holds."""

    def __init__(self, master: str, anywhere: bool):
        self.home = os.path.dirname(os.path.realpath(master))
        self.anywhere = anywhere
        self.files: dict[str, object] = {}
        self.notes: list[str] = []

    def close(self) -> None:
        for handle in self.files.values():
            if handle is not None:
                handle.close()

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def external_file(self, linking_file: str, name: str):
        base = os.path.dirname(os.path.realpath(linking_file))
        resolved = os.path.realpath(name if os.path.isabs(name) else os.path.join(base, name))
        if not self.anywhere and os.path.commonpath([self.home, resolved]) != self.home:
            self.note(f"external link to {name} not followed: it leaves {self.home} "
                      "(use --allow-external-anywhere)")
            return None
        if resolved not in self.files:
            try:
                self.files[resolved] = _open(resolved)
            except IcatError as exc:
                self.note(f"external link to {name} not followed: {exc}")
                self.files[resolved] = None
        return self.files[resolved]

    def child(self, group, name: str, hops: int = 0):
        import h5py

        try:
            link = group.get(name, getlink=True)
            if link is None:
                return None
            if isinstance(link, h5py.HardLink):
                return group[name]
        except (KeyError, ValueError, RuntimeError, OSError):
            return None
        if hops >= MAX_HOPS:
            self.note(f"{group.name}/{name}: too many links in a row (a loop?)")
            return None
        if isinstance(link, h5py.SoftLink):
            return self.at(group.file, link.path, group.name or "/", hops + 1)
        if isinstance(link, h5py.ExternalLink):
            handle = self.external_file(group.file.filename, link.filename)
            return None if handle is None else self.at(handle, link.path, "/", hops + 1)
        return None

    def at(self, handle, path: str, base: str, hops: int):
        import h5py

        node = handle["/"] if path.startswith("/") else self.at(handle, base, "/", hops)
        for segment in path.split("/"):
            if not segment or segment == ".":
                continue
            if not isinstance(node, h5py.Group):
                return None
            node = self.child(node, segment, hops)
        return node


def _nx_class(node) -> str:
    try:
        value = node.attrs.get("NX_class")
    except (OSError, RuntimeError, KeyError):
        return ""
    return value.decode() if isinstance(value, bytes) else str(value or "")


def _natural(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _choose_entry(root, links: _Links, entry: str | None):
    import h5py

    if entry is not None:
        node = links.child(root, entry)
        if not isinstance(node, h5py.Group):
            raise IcatError(f"no entry {entry!r} in the file")
        return entry, node
    default = root.attrs.get("default")
    default = default.decode() if isinstance(default, bytes) else default
    names = list(root.keys())
    if isinstance(default, str) and default in names:
        names.remove(default)
        names.insert(0, default)
    else:
        names.sort(key=_natural)
    for name in names:
        node = links.child(root, name)
        if isinstance(node, h5py.Group) and _nx_class(node) == "NXentry":
            return name, node
    return None, None


def _locate(entry, steps, links: _Links):
    import h5py

    node = entry
    for step in steps:
        if not isinstance(node, h5py.Group):
            return None
        found = links.child(node, step.name)
        if found is None and step.any_name and step.nx_class:
            for name in sorted(node.keys(), key=_natural):
                candidate = links.child(node, name)
                if isinstance(candidate, h5py.Group) and _nx_class(candidate) == step.nx_class:
                    found = candidate
                    break
        if step.nx_class and not isinstance(found, h5py.Group):
            return None
        node = found
    return node


def _decode(value):
    import numpy as np  # here, so that linting definitions does not pay for numpy

    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _read(dataset, record: str):
    """The dataset's value: whole if small, else its first (or, record final, last) element."""
    import numpy as np

    shape = dataset.shape
    if shape is None or dataset.size == 0:
        return None
    if shape == ():
        return _decode(dataset[()])
    if dataset.size <= SMALL_ARRAY:
        items = [_decode(v) for v in np.asarray(dataset[()]).ravel()]
        return items[0] if len(items) == 1 else items
    index = tuple(-1 if record == "final" else 0 for _ in shape)
    return _decode(dataset[index])


def _number_text(value) -> str:
    return str(value) if isinstance(value, (int, str)) else repr(float(value))


def convert(value, nx_type: str):
    """A value read from a file, as the NX type says: int, float, bool, ISO date or text."""
    if isinstance(value, list):
        return " ".join(_number_text(v) if isinstance(v, (int, float)) else str(v)
                        for v in (convert(v, nx_type) for v in value))
    try:
        if nx_type in ("NX_INT", "NX_UINT", "NX_POSINT"):
            number = float(value)
            return int(number) if number.is_integer() else number
        if nx_type in ("NX_FLOAT", "NX_NUMBER"):
            if nx_type == "NX_NUMBER" and isinstance(value, int) and not isinstance(value, bool):
                return value
            return float(value)
        if nx_type == "NX_BOOLEAN":
            if isinstance(value, str):
                return value.strip().lower() in ("true", "1", "yes")
            return bool(value)
        if nx_type == "NX_DATE_TIME":
            if isinstance(value, (int, float)):
                return datetime.fromtimestamp(value, tz=timezone.utc).isoformat()
            return datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return value if isinstance(value, (str, int, float, bool)) else str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _units(dataset):
    try:
        units = dataset.attrs.get("units")
    except (OSError, RuntimeError):
        return None
    if units is None:
        return None
    return units.decode("utf-8", errors="replace") if isinstance(units, bytes) else str(units)


def _positioners(group, links: _Links, record: str):
    """(names, values) as space-separated text, from an NXpositioner or a collection of them."""
    import h5py

    def value_of(node):
        if isinstance(node, h5py.Group):
            node = links.child(node, "value")
        if not isinstance(node, h5py.Dataset):
            return None
        value = _read(node, record)
        if isinstance(value, list):
            value = value[-1] if record == "final" else value[0]
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    if _nx_class(group) == "NXpositioner":
        value = value_of(group)
        name_node = links.child(group, "name")
        name = _read(name_node, record) if isinstance(name_node, h5py.Dataset) else None
        name = str(name) if isinstance(name, str) else group.name.rsplit("/", 1)[-1]
        return (name, _number_text(value)) if value is not None else (None, None)
    names, values = [], []
    for child_name in group:
        value = value_of(links.child(group, child_name))
        if value is not None:
            names.append(child_name)
            values.append(_number_text(value))
    return (" ".join(names), " ".join(values)) if names else (None, None)


def extract(path, rows: list[IcatKey], *, entry: str | None = None,
            allow_external_anywhere: bool = False) -> Extraction:
    """The values of ``rows`` (a mapping) found in the file at ``path``, with their units."""
    import h5py

    path = os.fspath(path)
    handle = _open(path)
    links = _Links(path, allow_external_anywhere)
    values: dict[str, dict] = {}
    try:
        entry_name, node = _choose_entry(handle["/"], links, entry)
        positioners: dict[str, tuple] = {}
        for row in rows if node is not None else ():
            if row.key in values:
                continue
            if row.kind == "positioners":
                group = _locate(node, row.steps[:-1], links)
                if not isinstance(group, h5py.Group):
                    continue
                if group.name not in positioners:
                    positioners[group.name] = _positioners(group, links, row.record)
                names, numbers = positioners[group.name]
                text = names if row.steps[-1].name == "name" else numbers
                if text is not None:
                    values[row.key] = {"value": text, "units": None,
                                       "path": f"{group.name}/{row.steps[-1].name}"}
                continue
            dataset = _locate(node, row.steps, links)
            if not isinstance(dataset, h5py.Dataset):
                continue
            raw = _read(dataset, row.record)
            if raw is None:
                continue
            values[row.key] = {"value": convert(raw, row.nx_type), "units": _units(dataset),
                               "path": f"/{entry_name}/{row.path}"}
    except (OSError, RuntimeError) as exc:
        raise IcatError(f"{path}: cannot read: {str(exc).splitlines()[0]}") from None
    finally:
        links.close()
        handle.close()
    return Extraction(path, entry_name, values, links.notes)


def icat_extract(path, *, defs=(), bundled: bool = True, entry: str | None = None,
                 allow_external_anywhere: bool = False, catalog=None) -> dict[str, dict]:
    """``{key: {"value", "units", "path"}}`` for every ICAT key the definitions map and the file
    at ``path`` holds (an empty dict when it holds none). Raises :class:`IcatError` for a file
    that cannot be read. External links are followed only to files under the folder of ``path``
    unless ``allow_external_anywhere``.
    """
    if catalog is None:
        from ._catalog import load

        catalog = load(*defs, bundled=bundled, strict=False)
    return extract(path, catalog_keys(catalog), entry=entry,
                   allow_external_anywhere=allow_external_anywhere).values
