"""The walk that applies compiled plans to one HDF5 file.

One depth-first walk of the file. At each group, the plans that apply are gathered as
*contexts*: the base class of the group's NX_class (the vocabulary), plus, from the parent, the
group plans of application definitions, layouts and processing forms matched on the way down.
Children are matched against every context with dictionary lookups; findings are yielded as they
are found and collected by the caller (never stopped at the first).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import h5py

from nxschema._validate import rules
from nxschema._findings import SEVERITIES, Finding
from nxschema._h5.access import (
    LINK_EXTERNAL,
    LINK_HARD,
    LINK_SOFT,
    Child,
    NotUTF8,
    Resolver,
    attr_or_none,
)
from nxschema._h5.decoding import bounded_message, read_attrs
from nxschema._validate.files import listed_files
from nxschema._validate.plan import FieldPlan, GroupPlan
from nxschema._validate.values import (
    enumeration_miss,
    type_problem,
    units_problem,
    value_problem,
)
from nxschema._vocabulary import OFFICIAL_BASE_CLASSES, did_you_mean

MAX_DEPTH = 48
PLACEHOLDER = b"nxschema_placeholder"  # written by the skeleton writer on placeholder values


class Instance:
    """One application of a definition (an entry, a subentry, a process): its symbol lengths."""

    __slots__ = ("definition", "symbols")

    def __init__(self, definition: str):
        self.definition = definition
        self.symbols: dict[str, tuple[int, str]] = {}


@dataclass(slots=True)
class Node:
    """Where the walk is: the path shown to the user and the real file holding the object."""

    path: str
    file: str
    via: str = ""  # "master.h5::/entry/link" when reached through an external link
    soft: bool = False  # reached through a soft link: the object may live elsewhere


class Walker:
    def __init__(self, plans, resolver: Resolver, layout: str | None, forced: str | None):
        self.plans = plans
        self.catalog = plans.catalog
        self.resolver = resolver
        self.io = resolver.io
        self.layout = layout
        self.forced = forced
        self.known = OFFICIAL_BASE_CLASSES | {d.name for d in self.catalog.of_category("base")}
        # Parallel runs split the root's groups: ("main", names) checks the root and descends
        # only into ``names``; ("worker", names) reports nothing about the root itself.
        self.part: tuple[str, frozenset] | None = None

    # --- findings -----------------------------------------------------------------------------

    def finding(self, code, severity, node: Node, message, plan=None, path=None) -> Finding:
        file = node.file
        if node.soft and path is None:
            real_file, real_path = self.resolver.locate(node.file, node.path)
            if os.path.abspath(real_file) != os.path.abspath(node.file):
                node = Node(real_path, real_file, f"{node.file}::{node.path}")
                file = real_file
        if node.via:
            message += f" (reached through {node.via})"
        return Finding(code, severity, bounded_message(message), path=path or node.path,
                       file=file,
                       definition=plan.definition if plan else "",
                       source=plan.src if plan else "")

    @staticmethod
    def severity(plan, severity: str) -> str:
        """Rules of a base class are advice: one step milder than an application's."""
        if plan is not None and plan.category == "base" and severity != "info":
            return SEVERITIES[SEVERITIES.index(severity) + 1]
        return severity

    # --- the walk -----------------------------------------------------------------------------

    def run(self, f: h5py.File, file: str):
        self.resolver.add_file(file, f)
        root = self.resolver.root(os.path.normpath(os.path.abspath(file)))
        node = Node("/", file)
        if root is None:  # a damaged root header
            yield self.finding("unreadable-object", "error", node, "the root group cannot be "
                               "opened (damaged header?)")
            return
        attrs, problems = self.group_attrs(root, node)
        yield from problems
        contexts = []
        layout = self.layout or attrs.get("layout")
        key = self.forced or layout
        if key:
            if key not in self.catalog:
                yield self.finding("unknown-definition", "error", node, f"no definition named "
                                   f"{key!r}{did_you_mean(str(key), set(self.catalog))}")
            else:
                contexts.append((self.plans.root(key), Instance(key)))
        yield from self.group(root, node, attrs, contexts, {}, 0, (self.resolver.identity(root),))

    def run_group(self, group: h5py.Group):
        """Validate one group and what is below it (its base class, and discovery from there)."""
        file = group.file.filename
        self.resolver.add_file(file, group.file)
        node = Node(group.name, file)
        gid = self.io.wrap(group.id)
        attrs, problems = self.group_attrs(gid, node)
        yield from problems
        yield from self.group(gid, node, attrs, [], {}, 0, ())

    def group_attrs(self, gid, node: Node):
        attrs, problems = read_attrs(self.io, gid)  # plain values, or the problems met
        return attrs, [self._attr_problem(code, node, message, _at(node, name) if name else None)
                       for code, name, message in problems]

    def _attr_problem(self, code, node, message, where):
        if code == "attribute-type":
            return self.finding("attribute-type", "warning", node, message, path=where)
        if code == "not-utf8":
            return self.finding("not-utf8", "warning", node, message, path=where)
        if code == "too-large":
            return self.finding("too-large", "warning", node, message, path=where)
        return self.finding("unreadable-attribute", "warning", node, message, path=where)

    def group(self, gid, node: Node, attrs, contexts, entry_state, depth, stack):
        nx_class = attrs.get("NX_class")
        if isinstance(nx_class, list):
            nx_class = nx_class[0] if nx_class else None
        children = self.resolver.children(gid, node.file, node.path)
        if depth == 0 and self.part and self.part[0] == "worker":
            base = self.plans.base(nx_class) if nx_class else None
            yield from self.children(gid, node, children, contexts, base, entry_state, depth,
                                     stack)
            return
        by_name = {c.name: c for c in children}
        contexts = list(contexts)
        if nx_class in ("NXentry", "NXsubentry"):
            if nx_class == "NXentry":
                entry_state = {"sequence": {}}
            yield from self.discover_application(nx_class, by_name, node, contexts)
        elif nx_class == "NXprocess":
            forms = rules.fitting_forms(self.plans.process_forms(), by_name,
                                        self.plans.base("NXprocess"))
            for form in forms:
                contexts.append((form, Instance(form.definition)))
            yield from rules.process_checks(self, gid, node, by_name, entry_state)
        base = self.plans.base(nx_class) if nx_class else None
        all_contexts = contexts + ([(base, None)] if base else [])
        yield from self.check_group_attrs(node, attrs, all_contexts)
        if "nxschema_placeholder_attributes" in attrs:
            names = attrs["nxschema_placeholder_attributes"]
            names = [names] if isinstance(names, str) else list(names)
            yield self.finding("placeholder", "warning", node, "attributes "
                               f"{', '.join('@' + n for n in names)} hold placeholders written "
                               "by `nxschema skeleton`; replace them with real values")
        if nx_class == "NXdata":
            yield from rules.nxdata(self, gid, node, attrs, by_name)
        if "default" in attrs:
            yield from rules.default(self, gid, node, attrs["default"])
        yield from self.children(gid, node, children, contexts, base, entry_state, depth, stack)

    def discover_application(self, nx_class, by_name, node, contexts):
        child = by_name.get("definition")
        if child is None or not child.is_dataset:
            return
        value = self.io.read_value(child.oid)
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, str):
            return
        if any(plan.category == "application" and plan.definition == value
               for plan, _ in contexts):
            return  # already applied from above (a forced application definition)
        plan = self.plans.application(value, nx_class)
        if plan is None:
            yield self.finding("unknown-application", "warning", node,
                               f"definition {value!r} names no loaded application definition; "
                               "the group is checked against its base class only")
            return
        contexts.append((plan, Instance(value)))

    # --- children -----------------------------------------------------------------------------

    def children(self, gid, node, children, contexts, base, entry_state, depth, stack):
        counts: dict[int, int] = {}
        by_name = {c.name: c for c in children}
        role, names = self.part if depth == 0 and self.part else ("", None)
        for child in children:
            if names is not None and child.name not in names and (
                    role == "worker" or child.is_group):
                if role == "main":  # another process checks this group; count it here
                    nx_class = _text(self.attr(child.oid, "NX_class"))
                    cnode = Node(node.path.rstrip("/") + "/" + child.name, node.file)
                    if not self.count_presence(child, nx_class, contexts, counts):
                        yield from self.unmatched(child, nx_class, cnode, contexts, base)
                    child.release()
                continue
            if role == "worker" and not child.is_group:
                continue
            path = node.path.rstrip("/") + "/" + child.name
            cnode = Node(path, node.file, node.via, node.soft or child.link == LINK_SOFT)
            if child.kind is None:
                yield from self.broken_child(child, cnode)
                self.count_presence(child, None, contexts, counts)
                continue
            if child.link == LINK_EXTERNAL:
                cnode = Node(child.target.split("::", 1)[1], child.file,
                             f"{node.file}::{path}")
            attrs = None
            if child.is_group:
                attrs, problems = self.group_attrs(child.oid, cnode)
                yield from problems
            nx_class = _text(attrs.get("NX_class")) if attrs else None
            matched = self.count_presence(child, nx_class, contexts, counts)
            if not matched and role != "worker":
                yield from self.unmatched(child, nx_class, cnode, contexts, base)
            if child.is_group:
                yield from self.child_group(child, cnode, attrs, nx_class, matched, entry_state,
                                            depth, stack, path,
                                            base is not None and base.ignore_groups)
            elif child.is_dataset:
                self.siblings = by_name  # for rules that read a sibling (a format label)
                yield from self.child_dataset(child, cnode, matched, base)
            for where, code, why in self.resolver.take_refusals():  # data left unread
                if code == "unreadable-object":
                    yield self.finding("unreadable-object", "error", cnode, why, path=where)
                else:
                    yield self.finding("external-link-not-followed", "warning", cnode, why,
                                       path=where)
            child.release()  # few objects open at once: HDF5 slows down with many
        if role != "worker":
            yield from self.presence(node, contexts, counts)

    def count_presence(self, child: Child, nx_class, contexts, counts) -> list:
        """The plans this child matches, one per context; counts them for presence checks."""
        matched = []
        for plan, instance in contexts:
            spec = match(plan, child, nx_class, counts)
            if spec is not None:
                counts[id(spec)] = counts.get(id(spec), 0) + 1
                matched.append((spec, instance, plan))
        return matched

    def unmatched(self, child, nx_class, node, contexts, base):
        kind = "groups" if child.is_group else "fields"
        for plan, _ in contexts:
            if kind in plan.forbid:
                what = "group" if child.is_group else "dataset"
                yield self.finding("forbidden-member", "error", node, f"a {what} is not allowed "
                                   f"here: {plan.nx_class} {plan.name or ''} holds no {kind} "
                                   "other than those named", plan)
                return
        if base is None or getattr(base, f"ignore_{kind}"):
            return
        if child.is_dataset and match(base, child, None) is not None:
            return
        if child.is_group and match(base, child, nx_class) is not None:
            return
        what = "group" if child.is_group else "dataset"
        yield self.finding("extra-member", "info", node, f"{what} {child.name!r} is not "
                           f"defined by {base.definition}", base)

    def broken_child(self, child: Child, node: Node):
        if child.code == "unreadable-object":  # the resolver named the problem
            yield self.finding("unreadable-object", "error", node, child.problem)
        elif child.code == "link-cycle":
            yield self.finding("link-cycle", "warning", node, child.problem)
        elif child.code == "too-large":
            yield self.finding("too-large", "warning", node, child.problem)
        # "not followed" also for a soft link whose target leads through a refused external link
        elif "not followed" in child.problem:
            yield self.finding("external-link-not-followed", "warning", node, child.problem)
        elif child.link == LINK_EXTERNAL:
            yield self.finding("dangling-external-link", "error", node,
                               f"{node.path} is a {child.problem}")
        elif child.link == LINK_HARD:
            yield self.finding("unreadable-object", "error", node, child.problem)
        else:
            yield self.finding("dangling-link", "error", node,
                               f"{node.path} is a {child.problem}")

    def child_group(self, child, node, attrs, nx_class, matched, entry_state, depth, stack,
                    shown_path, in_free_group=False):
        sub_contexts = []
        if nx_class is None:
            # A plain HDF5 group is allowed but is no NeXus object: worth a warning, except
            # where NeXus validates nothing (an NXcollection) and no definition asks for it.
            if matched or not in_free_group:
                yield self.finding("missing-nx-class", "warning", node,
                                   "group has no NX_class attribute; checked by name only")
        elif nx_class not in self.known:
            yield self.finding("unknown-nx-class", "error", node, f"unknown NX_class {nx_class!r}"
                               f"{did_you_mean(str(nx_class), self.known)} (a typo?)")
        for spec, instance, plan in matched:
            if isinstance(spec, FieldPlan) and not spec.is_link:
                yield self.finding("wrong-kind", "error", node, f"{spec.name!r} must be a "
                                   "dataset, found a group", spec)
            elif isinstance(spec, GroupPlan):
                if nx_class is not None and spec.nx_class != nx_class:
                    yield self.finding("wrong-class", self.severity(spec, "error"), node,
                                       f"NX_class is {nx_class!r}, {spec.nx_class!r} expected",
                                       spec)
                sub_contexts.append((spec, instance))
        if depth >= MAX_DEPTH:
            yield self.finding("too-deep", "warning", node, f"deeper than {MAX_DEPTH} levels; "
                               "not descended (a hard-link cycle?)")
            return
        if child.link == LINK_SOFT and not sub_contexts:
            return  # a soft link to a group: checked where the group really is
        # By object identity (hard links too), else by where the link points.
        seen, real = self.resolver.seen(child.oid, stack, (node.file, child.target or node.path))
        if seen == "too-large":
            yield self.finding("too-large", "warning", node, "this group was checked "
                               "through other paths often enough already; not descended")
            return
        if seen or real in stack or (child.target and shown_path.startswith(child.target +
                                                                            "/")):
            yield self.finding("link-cycle", "warning", node, f"link to "
                               f"{child.target or 'this group'} leads back to an enclosing "
                               "group")
            return
        yield from self.group(child.oid, node, attrs, sub_contexts, entry_state, depth + 1,
                              stack + (real,))

    def child_dataset(self, child, node, matched, base):
        seen = set()
        if base is not None:
            spec = match(base, child, None)
            if spec is not None and not isinstance(spec, GroupPlan) and spec.opens:
                if not matched:
                    matched = [(spec, None, base)]
                else:
                    yield from self.base_supplement(child, node, spec, matched)
        for spec, instance, plan in matched:
            if isinstance(spec, GroupPlan):
                yield self.finding("wrong-kind", "error", node, f"{spec.nx_class} group "
                                   "expected, found a dataset", spec)
                continue
            for finding in self.check_dataset(child, node, spec, instance):
                key = (finding.code, finding.path)
                if key not in seen:
                    seen.add(key)
                    yield finding

    def base_supplement(self, child, node, spec: FieldPlan, matched):
        """Where an application definition names a field, the base class's enumeration and
        units category still hold if the application says nothing of them (type and shape
        were checked already)."""
        specs = [s for s, _, _ in matched if isinstance(s, FieldPlan) and not s.is_link]
        if not specs:
            return
        if spec.enum and not any(s.enum or s.value is not None for s in specs):
            try:
                value = self.io.read_value(child.oid)
            except Exception:  # reported by the application's own check
                return
            yield from self.check_value(child.oid, node, replace(spec, config=None), value)
        if spec.units and not any(s.units for s in specs):
            yield from self.check_dataset_attrs(child.oid, node, replace(spec, attrs={}))

    def check_dataset(self, child, node, spec: FieldPlan, instance):
        if spec.is_link:
            return
        did = child.oid
        io = self.io
        try:
            kind, size = io.type_kind(did)
        except Exception as exc:  # a damaged header: report, go on
            yield self.finding("unreadable-object", "error", node, f"cannot read type: {exc}")
            return
        problem = type_problem(spec.nx_type, kind, size)
        if problem:
            yield self.finding("wrong-type", self.severity(spec, problem[0]), node, problem[1],
                               spec)
            if problem[0] == "error":
                return
        if spec.enum or spec.value is not None or spec.nx_type in (
                "NX_DATE_TIME", "ISO8601", "NX_POSINT", "NX_BOOLEAN") or spec.config:
            try:
                value = io.read_value(did)
            except Exception as exc:
                yield self.finding("unreadable-object", "error", node, f"cannot read: {exc}")
                return
            yield from self.check_value(did, node, spec, value)
        if io.has_attr(did, PLACEHOLDER):
            yield self.finding("placeholder", "warning", node, "the value is a placeholder "
                               "written by `nxschema skeleton`; replace it with real data", spec)
        if spec.rank is not None or spec.dims:
            shape = io.shape(did)
            if shape is not None:
                yield from self.check_shape(node, spec, shape, instance)
        if spec.units or spec.attrs:
            yield from self.check_dataset_attrs(did, node, spec)
        yield from listed_files(self, did, node, spec)

    def attr(self, oid, name: str):
        return attr_or_none(self.io, oid, name)

    def check_value(self, did, node, spec, value):
        if isinstance(value, NotUTF8):
            yield self.finding("not-utf8", "warning", node, f"the text is not valid UTF-8; read "
                               f"as {value!r}", spec)
        problem = value_problem(spec.nx_type, value)
        if problem:
            code = "bad-date" if spec.nx_type in ("NX_DATE_TIME", "ISO8601") else "bad-value"
            yield self.finding(code, self.severity(spec, "error"), node, problem, spec)
        scalar = value[0] if isinstance(value, list) and len(value) == 1 else value
        if spec.value is not None and str(scalar) != spec.value:
            yield self.finding("wrong-value", self.severity(spec, "error"), node,
                               f"value {scalar!r}, {spec.value!r} expected", spec)
        if spec.enum and isinstance(scalar, (str, int, float)) and str(scalar) not in spec.enum:
            custom = spec.enum_open and self.attr(did, "custom") in (True, 1, "true", "True")
            if not custom:
                allowed = ", ".join(sorted(map(repr, spec.enum)))
                hint = " (or mark it @custom=True)" if spec.enum_open else ""
                yield self.finding("not-in-enumeration", self.severity(spec, "error"), node,
                                   f"value {scalar!r} is not one of {allowed}{hint}", spec)
        if spec.config is not None and isinstance(scalar, str):
            yield from rules.config_payload(self, did, node, spec, scalar)

    def check_shape(self, node, spec, shape, instance):
        if spec.category == "base" and spec.rank is not None and len(shape) < spec.rank and \
                any(not isinstance(d, int) for d in spec.dims):
            # A base class names every axis a field may have (NXdetector/data: np, i, j, tof);
            # a writer keeps those it has: a 2-D image, a scalar distance. Fewer is fine.
            return
        if spec.rank is not None and len(shape) != spec.rank and not (spec.rank == 1 and shape
                                                                      == ()):
            yield self.finding("wrong-rank", self.severity(spec, "error"), node,
                               f"rank {len(shape)} (shape {shape}), rank {spec.rank} expected",
                               spec)
            return
        for axis, (want, have) in enumerate(zip(spec.dims, shape)):
            if isinstance(want, int):
                if have != want:
                    yield self.finding("wrong-shape", self.severity(spec, "error"), node,
                                       f"axis {axis} has length {have}, {want} expected", spec)
            elif instance is not None and want is not None:
                symbol, offset = want if isinstance(want, tuple) else (want, 0)
                yield from self.bind(node, spec, instance, symbol, have - offset)

    def bind(self, node, spec, instance, symbol, length):
        bound = instance.symbols.get(symbol)
        if bound is None:
            instance.symbols[symbol] = (length, node.path)
            return
        if bound[0] == length or (spec.bin_edges and length == bound[0] + 1):
            return
        yield self.finding("dimension-mismatch", "error", node,
                           f"length {length} disagrees with {bound[1]} (length {bound[0]}): "
                           f"both are {symbol!r} in {instance.definition}", spec)

    def check_dataset_attrs(self, did, node, spec):
        if spec.units:
            units = self.attr(did, "units")
            if units is None:
                if spec.units not in _NO_UNITS_NEEDED:
                    wanted = "units of any kind" if spec.units == "NX_ANY" else spec.units
                    yield self.finding("missing-units", self.severity(spec, "warning"), node,
                                       f"no @units attribute ({wanted} expected)", spec)
            elif isinstance(units, str):
                # NX_TRANSFORMATION is a length or an angle as @transformation_type says
                kind = _text(self.attr(did, "transformation_type")) \
                    if spec.units == "NX_TRANSFORMATION" else None
                problem = units_problem(spec.units, units, transformation_type=kind)
                if problem:
                    yield self.finding("implausible-units", "warning", node, problem, spec)
        for attr in spec.attrs.values():
            value = self.attr(did, attr.name)
            yield from self.check_attr(node, attr, value, spec)

    def check_group_attrs(self, node, attrs, contexts):
        for plan, _ in contexts:
            for attr in plan.attrs.values():
                yield from self.check_attr(node, attr, attrs.get(attr.name, _MISSING), plan)

    def check_attr(self, node, attr, value, plan):
        where = _at(node, attr.name)
        if value is _MISSING or value is None:
            if attr.requirement == "required":
                yield self.finding("missing-required", self.severity(plan, "error"), node,
                                   f"required attribute @{attr.name} is missing", plan, where)
            elif attr.requirement == "recommended":
                yield self.finding("missing-recommended", self.severity(plan, "warning"), node,
                                   f"recommended attribute @{attr.name} is missing", plan, where)
            return
        scalar = value[0] if isinstance(value, list) and len(value) == 1 else value
        # every item of an array-valued attribute must be in the enumeration
        miss = enumeration_miss(value, attr.enum, units=attr.name == "units") \
            if attr.enum and not attr.enum_open else None
        if miss is not None:
            yield self.finding("not-in-enumeration", self.severity(plan, "error"), node,
                               f"@{attr.name} {'is' if miss is scalar else 'holds'} {miss!r}, "
                               f"not one of {', '.join(sorted(map(repr, attr.enum)))}", plan,
                               where)
        if attr.value is not None and str(scalar) != attr.value:
            yield self.finding("wrong-value", self.severity(plan, "error"), node,
                               f"@{attr.name} is {scalar!r}, {attr.value!r} expected", plan,
                               where)

    def sibling_value(self, node, names):
        """The short text value of the first sibling dataset named in ``names``."""
        for name in names:
            child = self.siblings.get(name)
            if child is not None and child.is_dataset:
                value = self.io.read_value(child.oid)
                if isinstance(value, str):
                    return value
        return None

    def presence(self, node, contexts, counts):
        base_path = node.path.rstrip("/")
        for plan, _ in contexts:
            for spec in plan.expected():
                count = counts.get(id(spec), 0)
                label = (spec.name if spec.name and not isinstance(spec, GroupPlan)
                         else f"{spec.name or ''}({spec.nx_class})" if isinstance(spec, GroupPlan)
                         else spec.name)
                where = f"{base_path}/{label}"
                if count < spec.min_occurs and spec.requirement != "recommended":
                    what = "required" if count == 0 else f"at least {spec.min_occurs} of"
                    yield self.finding("missing-required", self.severity(spec, "error"), node,
                                       f"{what} {_kind(spec)} {label!r} is missing", spec, where)
                elif count == 0 and spec.requirement == "recommended":
                    yield self.finding("missing-recommended", "warning", node,
                                       f"recommended {_kind(spec)} {label!r} is missing", spec,
                                       where)
                if spec.max_occurs is not None and count > spec.max_occurs:
                    yield self.finding("too-many", self.severity(spec, "error"), node,
                                       f"{count} × {label!r}, at most {spec.max_occurs} allowed",
                                       spec, where)
            for name, options in plan.choices:
                if not any(counts.get(id(o), 0) for o in options) and \
                        options[0].requirement == "required":
                    yield self.finding("missing-required", "error", node, f"{name!r} (one of "
                                       f"{', '.join(o.nx_class for o in options)}) is missing",
                                       options[0], f"{base_path}/{name}")


_MISSING = object()
_NO_UNITS_NEEDED = frozenset({"NX_UNITLESS", "NX_DIMENSIONLESS"})


def _kind(spec) -> str:
    if isinstance(spec, GroupPlan):
        return "group"
    return "link" if spec.is_link else "field"


def _at(node: Node, attribute: str) -> str:
    """The path of an attribute: ``/entry/data@signal``, ``/@default``."""
    return f"{node.path}@{attribute}"


def _text(value):
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def match(plan: GroupPlan, child: Child, nx_class, counts=None):
    """The child plan of ``plan`` that ``child`` (of class ``nx_class``) stands for, or None.

    Where several any-named specs could take the child (two unnamed NXdata in NXcanSAS, two
    any-named fields in NXstress), it goes to the one whose required members it holds most of,
    then to the one matched least so far, so that each spec can be satisfied.
    """
    spec = plan.named.get(child.name)
    if spec is not None:
        return spec
    if child.is_group:
        options = plan.by_class.get(nx_class) if nx_class else None
        if options:
            return options[0] if len(options) == 1 else _best_group(options, child, counts)
        for name, choice in plan.choices:
            if name == child.name:
                for option in choice:
                    if option.nx_class == nx_class:
                        return option
    for regex, spec in plan.partial:
        if regex.match(child.name) and (isinstance(spec, GroupPlan) == child.is_group):
            return spec
    if plan.any_fields and not child.is_group:
        fields = plan.any_fields
        if len(fields) == 1 or counts is None:
            return fields[0]
        return min(fields, key=lambda f: counts.get(id(f), 0))
    return None


def _best_group(options, child: Child, counts):
    def fit(option):
        held = sum(1 for name, spec in option.named.items()
                   if spec.requirement == "required" and child.io.has_link(child.oid,
                                                                           name.encode()))
        return (-held, (counts or {}).get(id(option), 0))
    return min(options, key=fit)
