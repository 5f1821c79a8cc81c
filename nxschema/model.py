"""The one in-memory model of a definition.

Every face of nxschema reads and writes these classes: the YAML and NXDL readers build them, the
compiler, the writers, the docs and the ICAT mapping read them. They are small, frozen and hashable.

Two conventions hold everywhere:

* A keyword that the author did not write is ``None``, never its default. Round trips (NXDL → model
  → NXDL) must give back what was written, so defaults are applied by functions such as
  :func:`requirement`, not stored.
* ``source`` is excluded from equality, so two models read from different files or formats compare
  equal when they say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Union

__all__ = [
    "Source", "Symbol", "EnumItem", "Enumeration", "Dim", "Dimensions", "ConfigSpec",
    "IcatSpec", "AppliesWhen", "Attribute", "Field", "Group", "Link", "Choice", "Definition", "Member",
    "requirement", "member_key", "replace", "dim_term", "walk",
]


@dataclass(frozen=True, slots=True)
class Source:
    """Where an element was written: a file and a 1-based line and column."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"


def _src():
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Symbol:
    """A dimension symbol a definition declares (``symbols:``), e.g. ``n_energies``."""

    name: str
    doc: str | None = None
    source: Source | None = _src()


@dataclass(frozen=True, slots=True)
class EnumItem:
    """One allowed value of an :class:`Enumeration`, with its documentation."""

    value: str
    doc: str | None = None
    source: Source | None = _src()


@dataclass(frozen=True, slots=True)
class Enumeration:
    """The values a field or attribute may take; ``open``: other values are allowed too."""

    items: tuple[EnumItem, ...]
    open: bool | None = None
    source: Source | None = _src()

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(item.value for item in self.items)


@dataclass(frozen=True, slots=True)
class Dim:
    """One axis of a shape. ``value`` is an int, a symbol, or free text such as ``tof+1``."""

    value: int | str | None = None
    index: str | None = None
    ref: str | None = None
    refindex: str | None = None
    incr: str | None = None
    required: bool | None = None
    doc: str | None = None
    source: Source | None = _src()


@dataclass(frozen=True, slots=True)
class Dimensions:
    """``rank`` is kept as written: an int, a symbol, or free text (``dataRank``, ``1 or 2``)."""

    rank: int | str | None = None
    dims: tuple[Dim, ...] = ()
    doc: str | None = None
    source: Source | None = _src()

    @property
    def terms(self) -> tuple:
        """What each axis asks for, in ``index`` order: see :func:`dim_term`."""
        # isdecimal, and a bounded length: int() refuses (ValueError) past 4,300 digits, and
        # digits such as '²' pass isdigit() but not int().
        ordered = sorted(self.dims, key=lambda d: int(d.index) if d.index and
                         d.index.isascii() and d.index.isdecimal() and len(d.index) < 20 else 0)
        return tuple(dim_term(d.value) for d in ordered)


_SYMBOL_EXPR = re.compile(r"^([A-Za-z_]\w*)\s*([+-])\s*(\d+)$")


def dim_term(value):
    """An axis length as a rule: an int, a symbol (``nP``), a symbol with an offset
    (``("nP", 1)`` for ``nP+1``), or None for free text nobody can check (``i``-th axis...)."""
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[A-Za-z_]\w*", text):
            return text
        match = _SYMBOL_EXPR.match(text)
        if match:
            offset = int(match.group(3))
            return (match.group(1), offset if match.group(2) == "+" else -offset)
    return None


@dataclass(frozen=True, slots=True)
class ConfigSpec:
    """A process configuration payload: the formats it may be written in, and its JSON Schema."""

    formats: tuple[str, ...] = ("json", "yaml", "ini")
    schema: str | None = None  # JSON text, so the model stays hashable
    source: Source | None = _src()


@dataclass(frozen=True, slots=True)
class IcatSpec:
    """How an element maps to an ICAT metadata key (see docs/icat.md).

    On a field, ``key`` is the whole ICAT key. On a group, ``key`` replaces the group's CamelCase
    part in the keys of its descendants (``primary_slit`` → ``SlitPrimary``).
    """

    key: str | None = None
    record: str | None = None
    mandatory: bool | None = None
    description: str | None = None
    source: Source | None = _src()


@dataclass(frozen=True, slots=True)
class AppliesWhen:
    """When a layout or application definition applies to a file it was not named for.

    ``root_attribute`` holds (attribute name, accepted values) pairs: the definition applies to
    a file whose root carries every one of these attributes with one of its values (Bliss
    writes ``@publisher='bliss'``).
    """

    root_attribute: tuple[tuple[str, tuple[str, ...]], ...] = ()
    source: Source | None = _src()

    @classmethod
    def from_data(cls, data: dict, source: Source | None = None) -> "AppliesWhen":
        """From the YAML (and NXDL comment) form ``{root_attribute: {name: value(s)}}``."""
        pairs = []
        for name, values in (data.get("root_attribute") or {}).items():
            values = (values,) if isinstance(values, str) else tuple(values)
            pairs.append((str(name), tuple(str(v) for v in values)))
        return cls(tuple(pairs), source)

    def as_data(self) -> dict:
        """The YAML form: a single accepted value is written as a plain string."""
        return {"root_attribute": {name: values[0] if len(values) == 1 else list(values)
                                   for name, values in self.root_attribute}}

    def matches(self, attributes: dict) -> bool:
        """Whether a file root with ``attributes`` (name -> value) satisfies every condition."""
        if not self.root_attribute:
            return False
        for name, accepted in self.root_attribute:
            value = attributes.get(name)
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            if not isinstance(value, str) or value not in accepted:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Attribute:
    """An HDF5 attribute a definition names, on a group or a field."""

    name: str
    type: str | None = None
    units: str | None = None
    doc: str | None = None
    enumeration: Enumeration | None = None
    dimensions: Dimensions | None = None
    value: str | None = None
    optional: bool | None = None
    recommended: bool | None = None
    deprecated: str | None = None
    name_type: str | None = None
    domain: str | None = None
    personal: bool | None = None
    source: Source | None = _src()


@dataclass(frozen=True, slots=True)
class Field:
    """A dataset a definition names: its type, units, dimensions, values and attributes."""

    name: str
    type: str | None = None
    units: str | None = None
    doc: str | None = None
    dimensions: Dimensions | None = None
    enumeration: Enumeration | None = None
    attributes: tuple[Attribute, ...] = ()
    value: str | None = None
    optional: bool | None = None
    recommended: bool | None = None
    min_occurs: int | None = None
    max_occurs: int | str | None = None  # an int or "unbounded"
    deprecated: str | None = None
    name_type: str | None = None
    # NXDL's legacy and rarely used field attributes, kept so that NXDL round-trips exactly.
    long_name: str | None = None
    signal: str | None = None
    axes: str | None = None
    axis: str | None = None
    primary: str | None = None
    stride: str | None = None
    data_offset: str | None = None
    interpretation: str | None = None
    # Ours.
    domain: str | None = None
    personal: bool | None = None
    config: ConfigSpec | None = None
    icat: IcatSpec | None = None
    # "files": the field's values are paths of files (relative ones to the HDF5 file's folder),
    # e.g. the image files of a detector; the validator checks that they exist.
    refers_to: str | None = None
    source: Source | None = _src()


@dataclass(frozen=True, slots=True)
class Link:
    """A member that must be a link; ``target`` is an NXDL class path or a plain HDF5 path."""

    name: str
    target: str
    doc: str | None = None
    napimount: str | None = None
    optional: bool | None = None
    recommended: bool | None = None
    deprecated: str | None = None
    domain: str | None = None
    personal: bool | None = None
    source: Source | None = _src()


@dataclass(frozen=True, slots=True)
class Group:
    """A group of an NX class a definition names (``name`` None: any name), with its
    members and attributes."""

    nx_class: str
    name: str | None = None
    doc: str | None = None
    members: tuple["Member", ...] = ()
    attributes: tuple[Attribute, ...] = ()
    optional: bool | None = None
    recommended: bool | None = None
    min_occurs: int | None = None
    max_occurs: int | str | None = None
    deprecated: str | None = None
    name_type: str | None = None
    domain: str | None = None
    personal: bool | None = None
    config: ConfigSpec | None = None
    icat: IcatSpec | None = None
    # Ours: kinds of unnamed members that are errors here ("groups", "fields", "attributes"),
    # e.g. the ESRF `measurement` collection holds datasets (or links to them), never groups.
    forbid_extra: tuple[str, ...] = ()
    source: Source | None = _src()


@dataclass(frozen=True, slots=True)
class Choice:
    """Exactly one of ``groups`` stands at ``name``."""

    name: str
    groups: tuple[Group, ...]
    doc: str | None = None
    source: Source | None = _src()


Member = Union[Field, Group, Link, Choice]


@dataclass(frozen=True, slots=True)
class Definition:
    """A base class, application definition, raw-data layout or processing form.

    For a base class or processing form, ``members`` and ``attributes`` describe any group of that
    class. For an application definition or layout, ``members`` describe what stands at the file
    root (one or more NXentry or NXsubentry groups).
    """

    name: str
    category: str
    extends: str | None = None
    doc: str | None = None
    symbols: tuple[Symbol, ...] = ()
    symbols_doc: str | None = None
    members: tuple[Member, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    ignore_extra_groups: bool | None = None
    ignore_extra_fields: bool | None = None
    ignore_extra_attributes: bool | None = None
    deprecated: str | None = None
    restricts: str | None = None
    svnid: str | None = None
    placement: str | None = None
    domain: str | None = None
    applies_when: AppliesWhen | None = None
    # The comment block at the top of the file (NXDL's copyright header, leading `#` lines of a
    # YAML file), carried across conversions; like ``source`` it is not part of the meaning.
    header: str | None = field(default=None, compare=False, repr=False)
    source: Source | None = _src()

    @property
    def key(self) -> str:
        """The catalog key: the name, with ``@subentry`` for a subentry-only form."""
        return f"{self.name}@subentry" if self.effective_placement == "subentry" else self.name

    @property
    def effective_placement(self) -> str | None:
        """Where an application definition applies: entry, subentry or any (None otherwise)."""
        if self.category != "application":
            return None
        if self.placement:
            return self.placement
        tops = {m.nx_class for m in self.members if isinstance(m, Group)}
        return "subentry" if tops == {"NXsubentry"} else "any"


def walk(members, parents=()):
    """Yield (element, parent chain) for every group, field, link, choice and attribute."""
    for member in members:
        yield member, parents
        if isinstance(member, Choice):
            yield from walk(member.groups, parents + (member,))
            continue
        for attribute in getattr(member, "attributes", ()):
            yield attribute, parents + (member,)
        if isinstance(member, Group):
            yield from walk(member.members, parents + (member,))


def member_key(member: Member) -> str:
    """The name a member is known by among its siblings: ``name``, or ``(NXclass)`` if unnamed."""
    if isinstance(member, Group):
        return member.name or f"({member.nx_class})"
    return member.name


def requirement(element, category: str) -> str:
    """``required``, ``recommended`` or ``optional``, with NXDL's defaults for ``category``.

    Everything in a base class is optional; in an application definition, layout or processing form
    groups, fields and links are required unless marked; attributes are optional unless marked.
    """
    if getattr(element, "recommended", None):
        return "recommended"
    optional = getattr(element, "optional", None)
    if optional is True:
        return "optional"
    min_occurs = getattr(element, "min_occurs", None)
    if min_occurs is not None:
        return "required" if min_occurs > 0 else "optional"
    if optional is False:
        return "required"
    if category == "base" or isinstance(element, Attribute):
        return "optional"
    return "required"
