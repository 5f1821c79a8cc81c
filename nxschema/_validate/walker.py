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

from nxschema._binding import discover
from nxschema._binding.bind import Binder
from nxschema._binding.concepts import FieldPlan, GroupPlan
from nxschema._binding.fit import name_problem
from nxschema._findings import SEVERITIES, Finding
from nxschema._h5.access import (
    first_text as _text,
    LINK_EXTERNAL,
    LINK_SOFT,
    Child,
    Resolver,
    attr_or_none,
)
from nxschema._h5.decoding import bounded_message, read_attrs
from nxschema._validate import dataset_rules, links, rules, table  # noqa: F401 (rules register)
from nxschema._validate.dataset_rules import MISSING
from nxschema._validate.files import listed_files
from nxschema._validate.table import Frame
from nxschema._vocabulary import OFFICIAL_BASE_CLASSES, did_you_mean, near_miss

MAX_DEPTH = 48


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
    def __init__(self, plans, resolver: Resolver, layout: str | None, forced: str | None,
                 discovery: bool = True, part: tuple[str, frozenset] | None = None):
        self.plans = plans
        self.catalog = plans.catalog
        self.resolver = resolver
        self.io = resolver.io
        self.layout = layout
        self.forced = forced
        self.discovery = discovery  # definitions that say when they apply (applies_when)
        self.classes: dict[str, str | None] = {}  # path in the file walked -> NX_class seen
        self.pending_links: list = []  # link-target checks waiting for their entry's end
        self.known = OFFICIAL_BASE_CLASSES | {d.name for d in self.catalog.of_category("base")}
        # Parallel runs split the root's groups: ("main", names) checks the root and descends
        # only into ``names``; ("worker", names) reports nothing about the root itself.
        self.part = part

    def sharing(self, part: tuple[str, frozenset]) -> "Walker":
        """A walker like this one for one share of a file split between processes."""
        return Walker(self.plans, self.resolver, self.layout, self.forced, self.discovery, part)

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
        keys, unknown = discover.root_keys(self.catalog, attrs, self.forced, self.layout,
                                           self.discovery)
        if unknown is not None:
            yield self.finding("unknown-definition", "error", node, f"no definition named "
                               f"{unknown!r}{did_you_mean(unknown, set(self.catalog))}")
        contexts = [(self.plans.root(key), Instance(key)) for key in keys]
        yield from self.group(root, node, attrs, contexts, {}, 0,
                              (self.resolver.identity(root),))

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
        out = []
        for kind, name, message in problems:
            code = "attribute-type" if kind == "attribute-type" else "not-utf8" \
                if kind == "not-utf8" else "too-large" if kind == "too-large" \
                else "unreadable-attribute"
            out.append(self.finding(code, "warning", node, message,
                                    path=_at(node, name) if name else None))
        return attrs, out

    def group(self, gid, node: Node, attrs, contexts, entry_state, depth, stack):
        nx_class = attrs.get("NX_class")
        if isinstance(nx_class, list):
            nx_class = nx_class[0] if nx_class else None
        if depth == 1:
            self.classes.clear()  # links mostly stay in their entry: memory stays flat
        if not node.via and not node.soft:
            self.classes[node.path] = nx_class  # for link-target checks (links.target_problem)
        children = self.resolver.children(gid, node.file, node.path)
        if depth == 0 and self.part and self.part[0] == "worker":
            base = self.plans.base(nx_class) if nx_class else None
            yield from self.children(gid, node, children, contexts, base, entry_state, depth,
                                     stack)
            yield from self.flush_links()
            return
        by_name = {c.name: c for c in children}
        contexts = list(contexts)
        if nx_class in ("NXentry", "NXsubentry"):
            if nx_class == "NXentry":
                entry_state = {"sequence": {}}
            yield from self.discover_application(nx_class, by_name, node, contexts)
        elif nx_class == "NXprocess":
            forms = discover.fitting_forms(self.plans.process_forms(), by_name,
                                        self.plans.base("NXprocess"))
            for form in forms:
                contexts.append((form, Instance(form.definition)))
        base = self.plans.base(nx_class) if nx_class else None
        frame = Frame(gid, node.path.rpartition("/")[2], node.path, self.io, how="group",
                      attrs=attrs, members=by_name, state=entry_state)
        for plan, _ in contexts + ([(base, None)] if base else []):
            # A group's attributes are checked against every concept that applies to it.
            owner = Frame(gid, frame.name, node.path, self.io, concept=plan,
                          definition=plan.definition, category=plan.category, how="group")
            for attr in plan.attrs.values():
                for message in dataset_rules.attribute_messages(owner, attr,
                                                                attrs.get(attr.name, MISSING)):
                    yield self.message(message, owner, node)
        for entry in table.rules_for(("class", nx_class)) + table.rules_for(("group", None)):
            if entry.needs and entry.needs not in attrs:
                continue
            for message in entry.fn(frame):
                yield self.message(message, frame, node)
        yield from self.children(gid, node, children, contexts, base, entry_state, depth, stack)
        if depth <= 1:
            yield from self.flush_links()

    def flush_links(self):
        """The link-target checks of the entry just walked (or of the root)."""
        pending, self.pending_links = self.pending_links, []
        for name, resolved, spec, node in pending:
            for message, concept in links.target_messages(self, name, resolved, spec, node):
                yield self.finding(message.code, self.severity(concept, message.severity), node,
                                   message.text, concept)

    def discover_application(self, nx_class, by_name, node, contexts):
        child = by_name.get("definition")
        if child is None or not child.is_dataset:
            return
        value = self.io.read_value(child.oid)
        if isinstance(value, list):
            value = value[0] if value else None
        if any(plan.category == "application" and plan.definition == value
               for plan, _ in contexts):
            return  # already applied from above (a forced application definition)
        plan, name = discover.entry_application(self.plans, nx_class, value)
        if plan is None and name is not None:
            yield self.finding("unknown-application", "warning", node,
                               f"definition {name!r} names no loaded application definition; "
                               "the group is checked against its base class only")
        elif plan is not None:
            contexts.append((plan, Instance(name)))

    # --- children -----------------------------------------------------------------------------

    def children(self, gid, node, children, contexts, base, entry_state, depth, stack):
        binders = [Binder(plan) for plan, _ in contexts]
        vocabulary = Binder(base) if base is not None else None
        by_name = {c.name: c for c in children}
        role, names = self.part if depth == 0 and self.part else ("", None)
        for child in children:
            if names is not None and child.name not in names and (
                    role == "worker" or child.is_group):
                if role == "main":  # another process checks this group; count it here
                    nx_class = _text(self.attr(child.oid, "NX_class"))
                    cnode = Node(node.path.rstrip("/") + "/" + child.name, node.file)
                    yield from self.check_name(child.name, cnode)
                    matched, flags = self.bind_child(child, nx_class, contexts, binders)
                    if flags & _TIED:
                        yield from self.ties(child, matched, cnode)
                    if not matched:
                        yield from self.unmatched(child, nx_class, cnode, contexts, vocabulary)
                    child.release()
                continue
            if role == "worker" and not child.is_group:
                continue
            path = node.path.rstrip("/") + "/" + child.name
            cnode = Node(path, node.file, node.via, node.soft or child.link == LINK_SOFT)
            if role != "worker" and name_problem(child.name):
                yield from self.check_name(child.name, cnode)
            if child.kind is None:
                yield from self.broken_child(child, cnode)
                self.bind_child(child, None, contexts, binders)
                continue
            if child.link == LINK_EXTERNAL:
                cnode = Node(child.target.split("::", 1)[1], child.file,
                             f"{node.file}::{path}")
            attrs = None
            if child.is_group:
                attrs, problems = self.group_attrs(child.oid, cnode)
                yield from problems
            nx_class = _text(attrs.get("NX_class")) if attrs else None
            matched, flags = self.bind_child(child, nx_class, contexts, binders)
            if flags & _TIED:
                yield from self.ties(child, matched, cnode)
            if not matched and role != "worker":
                yield from self.unmatched(child, nx_class, cnode, contexts, vocabulary)
            if flags & _LINK and child.link != LINK_EXTERNAL:
                for message, spec in links.check_links(self, child, cnode, node.path, matched):
                    yield self.finding(message.code, self.severity(spec, message.severity),
                                       cnode, message.text, spec)
            elif child.link == LINK_SOFT:
                for message in links.soft_link_target(self, child, node.path):
                    yield self.finding(message.code, message.severity, cnode, message.text)
            if child.is_group:
                yield from self.child_group(child, cnode, attrs, nx_class, matched, entry_state,
                                            depth, stack, path,
                                            base is not None and base.ignore_groups)
            elif child.is_dataset:
                yield from self.child_dataset(child, cnode, matched, vocabulary, by_name)
            for where, kind, why in self.resolver.take_refusals():  # data left unread
                code = "unreadable-object" if kind == "unreadable-object" else \
                    "external-link-not-followed"
                yield self.finding(code, "error" if code == "unreadable-object" else "warning",
                                   cnode, why, path=where)
            child.release()  # few objects open at once: HDF5 slows down with many
        if role != "worker":
            yield from self.presence(node, contexts, binders)

    def bind_child(self, child: Child, nx_class, contexts, binders) -> tuple[list, int]:
        """Bind the child in every context (one concept per context at most): the
        (concept, instance, plan, fit) it binds to, and flags (_TIED, _LINK) saying whether
        any of them is an undecided tie or a link concept, so that most children skip both."""
        matched = []
        has = None
        is_group = child.kind is not None and child.is_group
        if is_group:
            def has(name, child=child):
                return child.io.has_link(child.oid, name.encode())
        name, flags = child.name, 0
        for (plan, instance), binder in zip(contexts, binders):
            fit = binder.bind(name, is_group, nx_class, has)
            if fit is not None:
                matched.append((fit.concept, instance, plan, fit))
                if fit.tied:
                    flags |= _TIED
                if getattr(fit.concept, "is_link", False):
                    flags |= _LINK
        return matched, flags

    def ties(self, child, matched, node):
        """A tie that neither content nor need decided is reported, never chosen silently."""
        for _, _, plan, fit in matched:
            if fit.tied:
                yield self.finding("ambiguous-binding", "warning" if fit.how != "any" else "info",
                                   node, f"{child.name!r} fits {_label(fit.concept)} and "
                                   + ", ".join(_label(c) for c in fit.tied) + " alike "
                                   f"({fit.how} names); bound to the first", plan)

    def check_name(self, name: str, node):
        problem = name_problem(name)
        if problem:
            yield self.finding("invalid-name", problem[0], node, problem[1])

    def unmatched(self, child, nx_class, node, contexts, vocabulary):
        kind = "groups" if child.is_group else "fields"
        for plan, _ in contexts:
            if kind in plan.forbid:
                what = "group" if child.is_group else "dataset"
                yield self.finding("forbidden-member", "error", node, f"a {what} is not allowed "
                                   f"here: {plan.nx_class} {plan.name or ''} holds no {kind} "
                                   "other than those named", plan)
                return
        if vocabulary is None or (child.is_group and nx_class and nx_class not in self.known):
            return  # an unknown class is an error of its own
        base = vocabulary.plan
        if getattr(base, f"ignore_{kind}"):
            return
        if vocabulary.bind(child.name, child.is_group, nx_class, count=False) is not None:
            return
        what = "group" if child.is_group else "dataset"
        yield self.finding("extra-member", "info", node, f"{what} {child.name!r} is not "
                           f"defined by {base.definition}", base)

    def broken_child(self, child: Child, node: Node):
        code = child.code  # the resolver names every problem; the message is only shown
        if code == "link-cycle":
            yield self.finding("link-cycle", "warning", node, child.problem)
        elif code == "too-large":
            yield self.finding("too-large", "warning", node, child.problem)
        # also for a soft link whose target leads through a refused external link
        elif code == "external-link-not-followed":
            yield self.finding("external-link-not-followed", "warning", node, child.problem)
        elif code == "dangling-external-link":
            yield self.finding("dangling-external-link", "error", node,
                               f"{node.path} is a {child.problem}")
        elif code == "dangling-link":
            yield self.finding("dangling-link", "error", node,
                               f"{node.path} is a {child.problem}")
        else:
            yield self.finding("unreadable-object", "error", node, child.problem)

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
            yield from self.check_class(str(nx_class), node)
        for spec, instance, plan, _ in matched:
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

    def check_class(self, nx_class: str, node):
        """An NX-prefixed name claims a NeXus class, so an unknown one is an error; any other
        name (SASentry, link_rules) claims none, and is only worth a warning."""
        hint = near_miss(nx_class, self.known)
        if nx_class.startswith("NX"):
            yield self.finding("unknown-nx-class", "error", node, f"unknown NX_class "
                               f"{nx_class!r}{hint}")
        else:
            yield self.finding("not-nexus-class", "warning", node, f"NX_class {nx_class!r} is "
                               f"not a NeXus class{hint}; the group is checked by name only")

    def child_dataset(self, child, node, matched, vocabulary, siblings):
        seen = set()
        if vocabulary is not None:
            fit = vocabulary.bind(child.name, False, None, count=False)
            spec = fit.concept if fit is not None and fit.how != "misfit" else None
            base = vocabulary.plan
            if spec is not None and not isinstance(spec, GroupPlan) and spec.opens:
                if not matched:
                    matched = [(spec, None, base, None)]
                else:
                    yield from self.base_supplement(child, node, spec, matched, siblings)
        for spec, instance, plan, _ in matched:
            if isinstance(spec, GroupPlan):
                yield self.finding("wrong-kind", "error", node, f"{spec.nx_class} group "
                                   "expected, found a dataset", spec)
                continue
            for finding in self.check_dataset(child, node, spec, instance, siblings):
                key = (finding.code, finding.path)
                if key not in seen:
                    seen.add(key)
                    yield finding

    def base_supplement(self, child, node, spec: FieldPlan, matched, siblings):
        """Where an application definition names a field, the base class's enumeration and
        units category still hold if the application says nothing of them (type and shape
        were checked already)."""
        specs = [s for s, *_ in matched if isinstance(s, FieldPlan) and not s.is_link]
        if not specs:
            return
        chosen = []
        if spec.enum and not any(s.enum or s.value is not None for s in specs):
            chosen.append((dataset_rules.value, replace(spec, config=None)))
        if spec.units and not any(s.units for s in specs):
            chosen.append((dataset_rules.units, replace(spec, attrs={})))
        for rule_fn, concept in chosen:
            frame = self.dataset_frame(child, node, concept, None, siblings, "vocabulary")
            for message in rule_fn(frame):
                if message.code != "unreadable-object":  # the application's check says so
                    yield self.message(message, frame, node)

    def dataset_frame(self, child, node, spec, instance, siblings, how) -> Frame:
        return Frame(child.oid, child.name, node.path, self.io, concept=spec,
                     definition=spec.definition, category=spec.category, how=how,
                     siblings=siblings, value=dataset_rules.Lazy(self.io, child.oid),
                     instance=instance)

    def check_dataset(self, child, node, spec: FieldPlan, instance, siblings, how=""):
        """Every dataset rule of the table, in order; a final message ends the object's."""
        if spec.is_link:
            return
        frame = self.dataset_frame(child, node, spec, instance, siblings, how)
        if spec.rules is None:
            spec.rules = tuple(r for r in table.rules_for(("dataset", None))
                               if dataset_rules.applies(r, spec))
        for entry in spec.rules:
            for message in entry.fn(frame):
                yield self.message(message, frame, node)
                if message.final:
                    return
        yield from listed_files(self, child.oid, node, spec)

    def message(self, message, frame: Frame, node) -> Finding:
        """A rule's message as a finding: the walker adds severity rules, path and source."""
        concept = frame.concept if message.sourced else None
        severity = self.severity(concept, message.severity) if message.advice else \
            message.severity
        path = table.where(node.path, message.at) if message.at else None
        return self.finding(message.code, severity, node, message.text, concept, path)

    def attr(self, oid, name: str):
        return attr_or_none(self.io, oid, name)

    def presence(self, node, contexts, binders):
        base_path = node.path.rstrip("/")
        for (plan, _), binder in zip(contexts, binders):
            counts = binder.counts
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


_TIED, _LINK = 1, 2


def _kind(spec) -> str:
    if isinstance(spec, GroupPlan):
        return "group"
    return "link" if spec.is_link else "field"


def _at(node: Node, attribute: str) -> str:
    """The path of an attribute: ``/entry/data@signal``, ``/@default``."""
    return f"{node.path}@{attribute}"


def _label(concept) -> str:
    if isinstance(concept, GroupPlan):
        return f"{concept.name or ''}({concept.nx_class})"
    return repr(concept.name)
