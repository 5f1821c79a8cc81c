"""Definitions compiled into validation plans: per group, lookup tables from child name or class
to what is expected there. Applying a plan never goes back to the model's tree walk or the YAML.

Plans are built lazily and cached per catalog (``compile_plan(catalog)`` returns the same
``Plans`` object for the same catalog).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from nxschema import model as m
from nxschema._definitions.catalog import DefinitionsLike, as_catalog
from nxschema._deprecation import UNSET, renamed

_PLANS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*$")
_NUMERIC = frozenset({"NX_FLOAT", "NX_NUMBER", "NX_INT", "NX_UINT", "NX_POSINT", "NX_BOOLEAN",
                      "NX_COMPLEX"})


@dataclass(slots=True)
class AttrPlan:
    name: str
    nx_type: str | None
    enum: frozenset | None
    enum_open: bool
    value: str | None
    requirement: str
    src: str


@dataclass(slots=True)
class FieldPlan:
    name: str
    is_link: bool
    nx_type: str | None
    units: str | None
    rank: int | None
    dims: tuple  # per axis: int, symbol name, (symbol, offset), or None (free text)
    bin_edges: bool
    enum: frozenset | None
    enum_open: bool
    value: str | None
    attrs: dict
    requirement: str
    min_occurs: int
    max_occurs: int | None
    config: m.ConfigSpec | None
    definition: str
    category: str
    src: str
    link_target: str | None = None
    # Whether the dataset must be opened to check it. Base classes are a vocabulary: there, only
    # numeric types and enumerations are checked, so most datasets are never opened.
    opens: bool = True
    refers_to: str | None = None  # "files": the values are paths of files (_validate/files.py)


@dataclass(slots=True)
class GroupPlan:
    nx_class: str
    name: str | None
    requirement: str
    min_occurs: int
    max_occurs: int | None
    definition: str
    category: str
    src: str
    named: dict = field(default_factory=dict)  # exact name -> FieldPlan | GroupPlan
    by_class: dict = field(default_factory=dict)  # NX class -> [GroupPlan] (any name)
    partial: list = field(default_factory=list)  # [(regex, plan)]
    any_fields: list = field(default_factory=list)  # fields of any name
    choices: list = field(default_factory=list)  # [(name, [GroupPlan])]
    attrs: dict = field(default_factory=dict)
    ignore_groups: bool = False
    ignore_fields: bool = False
    ignore_attrs: bool = False
    forbid: tuple = ()
    config: m.ConfigSpec | None = None

    def expected(self):
        """Every child plan, for presence checks."""
        yield from self.named.values()
        for plans in self.by_class.values():
            yield from plans
        for _, plan in self.partial:
            yield plan
        yield from self.any_fields


def _src(element) -> str:
    src = getattr(element, "source", None)
    return f"{src.file}:{src.line}" if src and src.line else (src.file if src else "")


def _occurs(element, requirement):
    low = getattr(element, "min_occurs", None)
    high = getattr(element, "max_occurs", None)
    if low is None:
        low = 1 if requirement == "required" else 0
    if high == "unbounded":
        high = None
    return low, high


def _name_kind(name: str | None, name_type: str | None) -> str:
    if name is None:
        return "any"
    if name_type:
        return name_type
    # nxdl.xsd and the YAML language both default to "specified". Upper case alone does not
    # make a placeholder: since NeXus 2024 every placeholder says nameType="any" or "partial",
    # and SDD (NXcanSAS), I, T, URL or ORCID are real names.
    return "specified"


def _partial_regex(name: str):
    parts = re.split(r"([A-Z][A-Z0-9]*)", name)
    pattern = "".join(r"[A-Za-z0-9_.]+" if p and PLACEHOLDER.match(p) else re.escape(p)
                      for p in parts)
    return re.compile(f"^{pattern}$")


def _enum(enumeration):
    if enumeration is None:
        return None, False
    return frozenset(enumeration.values), bool(enumeration.open)


def planned_definition(catalog, d: m.Definition) -> m.Definition:
    """The definition whose members a plan enforces for ``d``.

    A base class with the classes it extends merged in (all of it is the vocabulary of its NX
    class). Any other definition as written: the members it inherits through ``extends`` are not
    its rules, and stay optional; the base class applies to them anyway, as the vocabulary of the
    group's class (:meth:`Plans.base`). The docs read requirements through this function too.
    """
    return d if d.category == "base" else catalog.raw(d.key)


def requirement_of(element, category: str, inherited: bool = False) -> str:
    """``required``, ``recommended`` or ``optional``: what the plans make of ``element`` in a
    definition of ``category``. ``inherited``: the element is not in :func:`planned_definition`
    (it comes through ``extends``), so only the group's base class checks it, as advice."""
    return m.requirement(element, "base" if inherited else category)


class _Compiler:
    def __init__(self, definition: m.Definition):
        self.definition = definition
        self.category = definition.category

    def attribute(self, attr: m.Attribute) -> AttrPlan:
        enum, is_open = _enum(attr.enumeration)
        return AttrPlan(attr.name, attr.type, enum, is_open, attr.value,
                        requirement_of(attr, self.category), _src(attr))

    def field(self, f) -> FieldPlan:
        requirement = requirement_of(f, self.category)
        low, high = _occurs(f, requirement)
        if isinstance(f, m.Link):
            return FieldPlan(f.name, True, None, None, None, (), False, None, False, None, {},
                             requirement, low, high, None, self.definition.name, self.category,
                             _src(f), link_target=f.target)
        dims = f.dimensions
        rank = dims.rank if dims and isinstance(dims.rank, int) else None
        axes = dims.terms if dims else ()
        if dims and rank is None and dims.dims and all(d.index for d in dims.dims):
            rank = len(dims.dims) if dims.rank is None else None
        docs = " ".join(x or "" for x in (f.doc, dims.doc if dims else None)).lower()
        enum, is_open = _enum(f.enumeration)
        opens = self.category != "base" or enum is not None or f.type in _NUMERIC or \
            f.refers_to is not None
        return FieldPlan(
            f.name, False, f.type, f.units, rank, axes, "bin edge" in docs, enum, is_open,
            f.value, {a.name: self.attribute(a) for a in f.attributes}, requirement, low, high,
            f.config, self.definition.name, self.category, _src(f), opens=opens,
            refers_to=f.refers_to)

    def group(self, g: m.Group, members=None, attributes=None) -> GroupPlan:
        requirement = requirement_of(g, self.category)
        low, high = _occurs(g, requirement)
        plan = GroupPlan(g.nx_class, g.name, requirement, low, high, self.definition.name,
                         self.category, _src(g), forbid=tuple(g.forbid_extra), config=g.config)
        self.fill(plan, g.members if members is None else members,
                  g.attributes if attributes is None else attributes)
        return plan

    def fill(self, plan: GroupPlan, members, attributes) -> None:
        d = self.definition
        plan.ignore_groups = bool(d.ignore_extra_groups)
        plan.ignore_fields = bool(d.ignore_extra_fields)
        plan.ignore_attrs = bool(d.ignore_extra_attributes)
        plan.attrs = {a.name: self.attribute(a) for a in attributes}
        for member in members:
            if isinstance(member, m.Choice):
                plan.choices.append((member.name, [self.group(g) for g in member.groups]))
                continue
            child = self.group(member) if isinstance(member, m.Group) else self.field(member)
            kind = _name_kind(member.name, getattr(member, "name_type", None))
            if kind == "specified":
                plan.named[member.name] = child
            elif kind == "partial":
                plan.partial.append((_partial_regex(member.name), child))
            elif isinstance(member, m.Group):
                plan.by_class.setdefault(member.nx_class, []).append(child)
            else:
                plan.any_fields.append(child)


class Plans:
    """Compiled plans for one catalog: base classes, applications, layouts, process forms."""

    def __init__(self, catalog):
        self.catalog = catalog
        self._base: dict = {}
        self._apps: dict = {}
        self._roots: dict = {}
        self._process: list | None = None

    def base(self, nx_class: str) -> GroupPlan | None:
        if nx_class not in self._base:
            d = self.catalog.base_class(nx_class)
            self._base[nx_class] = None if d is None else self._root_of(d, nx_class)
        return self._base[nx_class]

    def _root_of(self, d: m.Definition, nx_class: str) -> GroupPlan:
        d = planned_definition(self.catalog, d)
        compiler = _Compiler(d)
        plan = GroupPlan(nx_class, None, "optional", 0, None, d.name, d.category, _src(d))
        compiler.fill(plan, d.members, d.attributes)
        return plan

    def root(self, key: str) -> GroupPlan:
        """The plan of a whole file (application definition or layout) at the file root."""
        if key not in self._roots:
            self._roots[key] = self._root_of(self.catalog[key], "NXroot")
        return self._roots[key]

    def application(self, value: str, container: str) -> GroupPlan | None:
        """The entry-level group plan for an NXentry/NXsubentry whose definition is ``value``."""
        cache_key = (value, container)
        if cache_key not in self._apps:
            d = self.catalog.applications(value, container)
            plan = None
            if d is not None:
                tops = self.root(d.key).by_class
                for nx_class in (container, "NXentry", "NXsubentry"):
                    if tops.get(nx_class):
                        plan = tops[nx_class][0]
                        break
                if plan is None:
                    named = [p for p in self.root(d.key).named.values()
                             if isinstance(p, GroupPlan)]
                    plan = named[0] if named else None
            self._apps[cache_key] = plan
        return self._apps[cache_key]

    def process_forms(self) -> list[GroupPlan]:
        """Plans of the processing forms (category process), each for an NXprocess group."""
        if self._process is None:
            self._process = [self._root_of(d, "NXprocess")
                             for d in self.catalog.of_category("process")]
        return self._process


def compile_plan(definitions: DefinitionsLike | None = None, *,
                 catalog: Any = UNSET) -> Plans:
    """The validation plans of ``definitions``, compiled lazily and cached per catalog.

    Args:
        definitions: a :class:`~nxschema.Catalog` (the same catalog gives the same
            :class:`Plans` object), or paths of definition files and folders loaded over the
            bundled ones; None: the bundled ones.
        catalog: the old name of ``definitions`` (deprecated, one release).

    Returns:
        The :class:`Plans`: ``root(key)``, ``application(name, container)``, ``base(nx_class)``
        and ``process_forms()`` give the plan of a file, an entry, a group or an NXprocess.

    Raises:
        nxschema.errors.DefinitionError: ``definitions`` paths that do not load.
    """
    found = as_catalog(renamed("compile_plan", "definitions", definitions, catalog=catalog))
    plans = _PLANS.get(found)
    if plans is None:
        plans = _PLANS[found] = Plans(found)
    return plans
