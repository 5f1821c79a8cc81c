"""Definitions compiled into concepts ("plans"): per group, lookup tables from child name or class
to what is expected there. Binding and validation never go back to the model's tree walk or the
YAML.

An application definition that extends another is merged here, member by member and all the way
down (see :func:`merge_members`): a child's concept of the same name overrides the parent's, and
a parent's any-named group is overridden by a group of the same class that the child names.

Plans are built lazily and cached per catalog (``compile_plan(catalog)`` returns the same
``Plans`` object for the same catalog).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from typing import Any

from nxschema import model as m
from nxschema._definitions.catalog import DefinitionsLike, as_catalog
from nxschema._deprecation import UNSET, renamed
from nxschema._binding.fit import name_kind, partial_pattern

_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_NUMERIC = frozenset({"NX_FLOAT", "NX_NUMBER", "NX_INT", "NX_UINT", "NX_POSINT", "NX_BOOLEAN",
                      "NX_COMPLEX"})


@dataclass(slots=True)
class AttrPlan:
    """An attribute concept, compiled: what the walker checks on the attribute."""

    name: str
    nx_type: str | None
    enum: frozenset | None
    enum_open: bool
    value: str | None
    requirement: str
    src: str
    personal: bool = False  # marked ``personal: true``
    domain: str | None = None  # its own domain, else its owner's (inherited)


@dataclass(slots=True)
class FieldPlan:
    """A field concept, compiled: what the walker checks on the dataset."""

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
    concept: str = ""  # the concept's path in its definition: /(NXentry)/instrument/energy
    # Whether the dataset must be opened to check it. Base classes are a vocabulary: there, only
    # numeric types and enumerations are checked, so most datasets are never opened.
    opens: bool = True
    refers_to: str | None = None  # "files": the values are paths of files (_validate/files.py)
    rules: tuple | None = None  # the validator's dataset rules that apply, found on first use
    personal: bool = False  # marked ``personal: true``
    # Its own domain, else the enclosing group's or definition's: NXuser is administrative as
    # a whole, so every member of it is.
    domain: str | None = None


@dataclass(slots=True)
class GroupPlan:
    """A group concept, compiled: its members by name, by class and by name pattern."""

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
    concept: str = ""
    name_type: str = "any"
    personal: bool = False  # marked ``personal: true``
    domain: str | None = None  # its own domain, else the enclosing group's or definition's
    # (name, is_group, NX_class) -> candidate fits, filled by the binder: names repeat from
    # entry to entry, and fitting one is a pure function of the plan.
    fits: dict = field(default_factory=dict, repr=False, compare=False)

    def expected(self):
        """Every child plan, for presence checks."""
        yield from self.named.values()
        for plans in self.by_class.values():
            yield from plans
        for _, _, plan in self.partial:
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


def _enum(enumeration):
    if enumeration is None:
        return None, False
    return frozenset(enumeration.values), bool(enumeration.open)


def _key(member) -> str:
    """A concept's step in its path: ``name``, or ``(NXclass)`` for an unnamed group."""
    return m.member_key(member)


def merge_members(child: tuple, parent: tuple, origin: dict, parent_name: str) -> tuple:
    """The members of a definition that extends another, merged all the way down.

    A child's member of the same name (``member_key``) overrides the parent's; where both are
    groups, their members are merged the same way, so NXxeuler keeps NXxbase's title and
    start_time. A parent's any-named group is overridden by any group of the same class the
    child declares: NXxeuler's ``name(NXdata)`` replaces NXxbase's "any NXdata", which would
    otherwise demand a ``data`` link the child does not define. ``origin`` maps inherited
    members (by id) to the definition that wrote them.
    """
    out = list(child)
    index = {_key(x): i for i, x in enumerate(out)}
    child_classes = {x.nx_class for x in child if isinstance(x, m.Group)}
    for member in parent:
        key = _key(member)
        if key in index:
            mine = out[index[key]]
            if isinstance(mine, m.Group) and isinstance(member, m.Group):
                members = merge_members(mine.members, member.members, origin, parent_name)
                names = {a.name for a in mine.attributes}
                attrs = mine.attributes + tuple(a for a in member.attributes
                                                if a.name not in names)
                for a in member.attributes:
                    origin.setdefault(id(a), parent_name)
                out[index[key]] = m.replace(mine, members=members, attributes=attrs)
            continue
        if isinstance(member, m.Group) and name_kind(member.name, member.name_type) == "any" \
                and member.nx_class in child_classes:
            continue
        origin.setdefault(id(member), parent_name)
        for element, _ in m.walk((member,)):
            origin.setdefault(id(element), parent_name)
        index[key] = len(out)
        out.append(member)
    return tuple(out)


class _Compiler:
    def __init__(self, definition: m.Definition, origin: dict | None = None, catalog=None):
        self.definition = definition
        self.category = definition.category
        self.origin = origin or {}
        self.catalog = catalog

    def where(self, element) -> tuple[str, str]:
        """(definition name, source) of an element: inherited ones name the parent."""
        return self.origin.get(id(element), self.definition.name), _src(element)

    def attribute(self, attr: m.Attribute, domain: str | None = None) -> AttrPlan:
        enum, is_open = _enum(attr.enumeration)
        return AttrPlan(attr.name, attr.type, enum, is_open, attr.value,
                        m.requirement(attr, self.category), _src(attr),
                        personal=bool(getattr(attr, "personal", False)),
                        domain=getattr(attr, "domain", None) or domain)

    def field(self, f, path: str = "", domain: str | None = None) -> FieldPlan:
        requirement = m.requirement(f, self.category)
        low, high = _occurs(f, requirement)
        name, src = self.where(f)
        personal = bool(getattr(f, "personal", False))
        domain = getattr(f, "domain", None) or domain
        if isinstance(f, m.Link):
            return FieldPlan(f.name, True, None, None, None, (), False, None, False, None, {},
                             requirement, low, high, None, name, self.category, src,
                             link_target=f.target, concept=path, personal=personal,
                             domain=domain)
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
            f.value, {a.name: self.attribute(a, domain) for a in f.attributes}, requirement,
            low, high, f.config, name, self.category, src, opens=opens, concept=path,
            refers_to=f.refers_to, personal=personal, domain=domain)

    def group(self, g: m.Group, path: str = "", domain: str | None = None) -> GroupPlan:
        requirement = m.requirement(g, self.category)
        low, high = _occurs(g, requirement)
        name, src = self.where(g)
        plan = GroupPlan(g.nx_class, g.name, requirement, low, high, name, self.category, src,
                         forbid=tuple(g.forbid_extra), config=g.config, concept=path,
                         name_type=name_kind(g.name, g.name_type),
                         personal=bool(getattr(g, "personal", False)),
                         domain=getattr(g, "domain", None) or domain)
        self.fill(plan, g.members, g.attributes)
        return plan

    def fill(self, plan: GroupPlan, members, attributes) -> None:
        d = self.definition
        plan.ignore_groups = bool(d.ignore_extra_groups)
        plan.ignore_fields = bool(d.ignore_extra_fields)
        plan.ignore_attrs = bool(d.ignore_extra_attributes)
        domain = plan.domain
        plan.attrs = {a.name: self.attribute(a, domain) for a in attributes}
        base = plan.concept.rstrip("/")
        for member in members:
            if isinstance(member, m.Choice):
                plan.choices.append((member.name, [
                    self.group(g, f"{base}/{member.name}({g.nx_class})", domain)
                    for g in member.groups]))
                continue
            path = f"{base}/{_key(member)}"
            if isinstance(member, m.Group):
                if member.name:
                    path += f"({member.nx_class})"
                child = self.group(member, path, domain)
            else:
                child = self.field(member, path, domain)
            kind = name_kind(member.name, getattr(member, "name_type", None))
            if kind == "specified":
                plan.named[member.name] = child
            elif kind == "partial":
                regex, fixed = partial_pattern(member.name)
                plan.partial.append((regex, fixed, child))
            elif isinstance(member, m.Group):
                plan.by_class.setdefault(member.nx_class, []).append(child)
            else:
                plan.any_fields.append(child)
        # Best fit first: the binder stops at the first partial that fits better than the rest.
        plan.partial.sort(key=lambda item: -item[1])


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
        if d.category != "base":
            # As written: members inherited from a base class stay optional, and the base
            # class applies anyway as the vocabulary of the group's class.
            d = self.catalog.raw(d.key)
        compiler = _Compiler(d)
        plan = GroupPlan(nx_class, None, "optional", 0, None, d.name, d.category, _src(d),
                         concept="/", domain=getattr(d, "domain", None))
        compiler.fill(plan, d.members, d.attributes)
        return plan

    def root(self, key: str) -> GroupPlan:
        """The plan of a whole file (application definition or layout) at the file root."""
        if key not in self._roots:
            d, origin = self.merged(key)
            plan = GroupPlan("NXroot", None, "optional", 0, None, d.name, d.category, _src(d),
                             concept="/", domain=getattr(d, "domain", None))
            _Compiler(d, origin).fill(plan, d.members, d.attributes)
            self._roots[key] = plan
        return self._roots[key]

    def merged(self, key: str) -> tuple[m.Definition, dict]:
        """``key`` with the members of the definitions it extends merged in, all the way down
        (base classes excepted: they apply anyway, as the vocabulary of each group's class)."""
        own = self.catalog.raw(key)
        members, attributes, origin = own.members, own.attributes, {}
        for parent in self.catalog.chain(key)[1:]:
            d = self.catalog.raw(parent)
            if d.category == "base":
                break
            members = merge_members(members, d.members, origin, d.name)
            names = {a.name for a in attributes}
            attributes = attributes + tuple(a for a in d.attributes if a.name not in names)
        return m.replace(own, members=members, attributes=attributes), origin

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
    """The plans of ``definitions``, compiled lazily and cached per catalog.

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


def planned_definition(catalog, d: m.Definition) -> m.Definition:
    """The definition whose members the plans enforce for ``d``, as the binding merges it.

    A base class as resolved (the classes it extends merged in: all of it is the vocabulary of
    its NX class). An application definition with the application definitions it extends merged
    in, all the way down (:meth:`Plans.merged`); members it inherits from a base class are not
    its rules and stay optional (the base class applies to them anyway, as the vocabulary of the
    group's class). The docs and the layout read requirements through this function too.
    """
    if d.category == "base" or d.key not in catalog:
        return d
    return compile_plan(catalog).merged(d.key)[0]


def requirement_of(element, category: str, inherited: bool = False) -> str:
    """``required``, ``recommended`` or ``optional``: what the plans make of ``element`` in a
    definition of ``category``. ``inherited``: the element is not in :func:`planned_definition`
    (it comes from a base class through ``extends``), so only the group's base class checks it,
    as advice."""
    return m.requirement(element, "base" if inherited else category)