"""ICAT metadata keys derived from definitions (extraction from files: ``_icat_extract``).

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
from pathlib import Path
from typing import Any

from nxschema import model as m
from nxschema._definitions.catalog import DefinitionsLike, as_catalog
from nxschema._deprecation import UNSET, renamed

KEY_GRAMMAR = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$")
GROUP_PART_GRAMMAR = re.compile(r"^[A-Za-z0-9]*$")  # may be empty: the group adds nothing
TECHNIQUE = re.compile(r"^[A-Z][A-Z0-9]*$")
SKIPPED_CLASSES = {"NXdata", "NXprocess"}
SKIPPED_NAMES = {"measurement"}
DEFAULT_RECORD = "final"


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
    label: str = ""  # the step of the concept's path, as the binding writes it: source(NXsource)


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
    entry: str = field(default="", compare=False, repr=False)  # the entry's concept step

    @property
    def concept(self) -> str:
        """The concept the key stands for, in the binding's format (``Bound.concept``):
        ``/(NXentry)/(NXinstrument)/source(NXsource)/current`` in ``definition``."""
        labels = ([self.entry] if self.entry else []) + [s.label or s.name for s in self.steps]
        return "/" + "/".join(labels)

    @property
    def classes(self) -> tuple[str, ...]:
        """The class path below the entry: the groups' classes, then the field's name
        (``("NXinstrument", "NXsource", "current")``)."""
        if not self.steps:
            return ()
        return tuple(s.nx_class or "" for s in self.steps[:-1]) + (self.steps[-1].name,)

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
    for element, _ in m.walk(definition.members):
        if getattr(element, "icat", None) is not None:
            return True
    return any(isinstance(g, m.Group) and g.nx_class == "NXsubentry" and technique_of(g)
               for g in definition.members)


class _Walker:
    def __init__(self, definition: m.Definition):
        self.definition = definition
        self.entry = ""  # the concept step of the entry being walked
        self.rows: list[IcatKey] = []
        self.links: list[tuple[m.Link, tuple[Step, ...], bool]] = []

    def required(self, element, parent_required: bool) -> bool:
        return parent_required and m.requirement(element, self.definition.category) == "required"

    def run(self) -> list[IcatKey]:
        for member in self.definition.members:
            for group in _groups_of(member):
                required = self.required(group, True)
                if group.nx_class == "NXentry" and not group.personal:
                    self.entry = _label(group)
                    self.members(group.members, (), "", False, required)
                elif group.nx_class == "NXsubentry":
                    self.entry = ""
                    self.group(group, (), "", False, required)
        self.resolve_links()
        return self.rows

    def members(self, members, steps, prefix: str, skipped: bool, required: bool) -> None:
        for member in members:
            if isinstance(member, m.Field):
                self.field(member, steps, prefix, skipped, required)
            elif isinstance(member, m.Link):
                if not member.personal and not skipped:  # plot groups re-link mapped data
                    self.links.append((member, steps + (Step(member.name),), required,
                                       self.entry))
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
        here = steps + (Step(name, group.nx_class, group.name is None or placeholder,
                             _label(group)),)
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
            kind=kind, explicit=explicit, target=target, steps=steps, source=source,
            entry=self.entry))

    def resolve_links(self) -> None:
        fields = [r for r in self.rows if r.kind == "field"]
        for link, steps, _required, entry in self.links:
            target = _match_target(link.target, fields)
            if target is not None:
                self.rows.append(m.replace(
                    target, path="/".join(s.name for s in steps), kind="link",
                    target=target.path, steps=steps, source=link.source, explicit=False,
                    entry=entry))


def _label(group: m.Group) -> str:
    """A group's step in its concept path, as the binding's plans write it."""
    return f"{group.name}({group.nx_class})" if group.name else f"({group.nx_class})"


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
    from nxschema._definitions.catalog import definition_files, read_file
    from nxschema._findings import DefinitionError, error

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


def icat_keys(*targets: m.Definition | str | os.PathLike[str],
              definitions: DefinitionsLike | None = None, bundled: bool = True,
              defs: Any = UNSET, catalog: Any = UNSET) -> list[IcatKey]:
    """The ICAT keys that ``targets`` imply, in mapping order.

    Args:
        targets: Definition objects, definition files or folders, or names (``NXesrf_em``)
            looked up in the definitions.
        definitions: a :class:`~nxschema.Catalog`, or paths of definition files and folders
            loaded over the bundled ones (with ``bundled``); default: the bundled ones.
        bundled: load the bundled definitions under ``definitions`` paths.
        defs, catalog: old names of ``definitions`` (deprecated, one release).

    Returns:
        One :class:`IcatKey` per key: its ICAT name, NeXus path, type, units, record.

    Raises:
        nxschema.errors.DefinitionError: a file does not read, or a name is unknown.
    """
    definitions = renamed("icat_keys", "definitions", definitions, defs=defs, catalog=catalog)
    found = as_catalog(definitions, bundled=bundled, strict=False)
    rows = []
    for definition in _definitions_from(targets, found):
        rows += mapping(definition)
    return rows


def catalog_keys(catalog) -> list[IcatKey]:
    """The keys of every definition in ``catalog`` that opts in to the ICAT mapping."""
    mapped = [catalog[key] for key in catalog if carries_icat(catalog[key])]
    rows = []
    for definition in sorted(mapped, key=lambda d: d.category != "layout"):  # entries first
        rows += mapping(definition)
    return rows
