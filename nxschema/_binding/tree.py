"""The binding of a whole file: for every object, the concept of each definition it binds to.

:func:`bind` walks a file as the validator does (the same discovery, the same :class:`Binder`)
and returns a frozen :class:`FileBinding`. Views, ICAT extraction and redaction read this
value; none of them matches names on its own. Nothing here validates: an object a definition
asks for but the file lacks is simply not in the binding.
"""

from __future__ import annotations

import os
from typing import Any
from dataclasses import asdict, dataclass

from nxschema._binding import discover
from nxschema._binding.bind import Binder
from nxschema._binding.concepts import GroupPlan, compile_plan
from nxschema._h5.access import LINK_EXTERNAL, LINK_SOFT, Resolver, open_file
from nxschema._h5.access import first_text as _text

MAX_DEPTH = 48


@dataclass(frozen=True, slots=True)
class Bound:
    """One object bound to one concept of one definition.

    ``how`` is the name fit (``exact``, ``partial``, ``any``; ``misfit`` where only the name
    fits and the class or kind does not; ``root`` for the file root under a whole-file
    definition; ``definition`` for an entry that names its application definition; ``form`` for
    an NXprocess that fits a processing form). ``tied`` names concepts that fitted as well
    (see ``ambiguous-binding``).
    """

    path: str
    kind: str  # "group", "dataset", or "link" (a link that does not resolve)
    nx_class: str | None
    definition: str
    category: str  # base, application, layout, process
    concept: str  # the concept's path in its definition, e.g. /(NXentry)/instrument(NXinstrument)
    how: str
    source: str  # the YAML or NXDL file:line where the concept is written
    tied: tuple[str, ...] = ()
    personal: bool = False  # the concept is marked ``personal: true``
    domain: str = ""  # the concept's domain (inherited from its group or definition)
    file: str = ""  # the file the object really is in (through external and soft links)
    where: str = ""  # its path in that file
    # The concept's attributes that carry a personal mark or a domain:
    # (name, personal, domain, source), for the consumers that judge attributes.
    attrs: tuple[tuple[str, bool, str, str], ...] = ()

    def __str__(self) -> str:
        tied = f" (tied with {', '.join(self.tied)})" if self.tied else ""
        return (f"{self.path}  {self.definition}:{self.concept or '/'}  [{self.how}]  "
                f"{self.source}{tied}")


@dataclass(frozen=True, slots=True)
class FileBinding:
    """Every binding of one file, in walk order, and the objects no concept claims."""

    file: str
    bound: tuple[Bound, ...]
    unbound: tuple[str, ...]

    def of(self, path: str) -> tuple[Bound, ...]:
        """The bindings of the object at ``path``."""
        return tuple(b for b in self.bound if b.path == path)

    def concept(self, path: str, definition: str | None = None) -> str | None:
        """The concept ``path`` binds to (in ``definition``, else the most specific one)."""
        found = [b for b in self.of(path) if definition in (None, b.definition)]
        found.sort(key=lambda b: b.category == "base")
        return found[0].concept if found else None

    def as_dict(self) -> dict:
        return {"file": self.file, "bound": [asdict(b) for b in self.bound],
                "unbound": list(self.unbound)}


def _label(concept) -> str:
    return concept.concept or (f"{concept.name or ''}({concept.nx_class})"
                               if isinstance(concept, GroupPlan) else concept.name)


class _Walk:
    def __init__(self, plans, resolver: Resolver, forced, layout, discovery):
        self.plans, self.resolver, self.io = plans, resolver, resolver.io
        self.forced, self.layout, self.discovery = forced, layout, discovery
        self.bound: list[Bound] = []
        self.unbound: list[str] = []

    def attrs(self, oid) -> dict:
        out = {}
        for name in self.io.attr_names(oid):
            try:
                out[name] = self.io.read_attr(oid, name.encode())
            except Exception:  # an unreadable attribute binds nothing; validate reports it
                continue
        return out

    def run(self, root, file: str):
        attrs = self.attrs(root)
        keys, _ = discover.root_keys(self.plans.catalog, attrs, self.forced, self.layout,
                                     self.discovery)
        contexts = []
        for key in keys:
            plan = self.plans.root(key)
            contexts.append(plan)
            self.bound.append(Bound("/", "group", _text(attrs.get("NX_class")), plan.definition,
                                    plan.category, "/", "root", plan.src,
                                    personal=plan.personal, domain=plan.domain or "",
                                    file=file, where="/", attrs=_marked(plan)))
        self.group(root, "/", file, "/", attrs, contexts, 0, frozenset())

    def group(self, gid, path, file, where, attrs, contexts, depth, seen):
        """Bind the children of the group shown at ``path``, which is ``where`` in ``file``."""
        nx_class = _text(attrs.get("NX_class"))
        children = self.resolver.children(gid, file, where)
        by_name = {c.name: c for c in children}
        contexts = list(contexts)
        if nx_class in ("NXentry", "NXsubentry") and "definition" in by_name and \
                by_name["definition"].is_dataset:
            value = self.io.read_value(by_name["definition"].oid)
            plan, _ = discover.entry_application(self.plans, nx_class, value)
            if plan is not None and not any(c.definition == plan.definition for c in contexts):
                contexts.append(plan)
                self.bound.append(Bound(path, "group", nx_class, plan.definition, plan.category,
                                        _label(plan), "definition", plan.src,
                                        personal=plan.personal, domain=plan.domain or "",
                                        file=file, where=where, attrs=_marked(plan)))
        base = self.plans.base(nx_class) if nx_class else None
        if nx_class == "NXprocess":
            for form in discover.fitting_forms(self.plans.process_forms(), by_name, base):
                contexts.append(form)
                self.bound.append(Bound(path, "group", nx_class, form.definition, form.category,
                                        "/", "form", form.src))
        if base is not None:
            contexts.append(base)
        binders = [Binder(plan) for plan in contexts]
        for child in children:
            cpath = path.rstrip("/") + "/" + child.name
            kind = child.kind or "link"
            cattrs = self.attrs(child.oid) if child.is_group else {}
            cclass = _text(cattrs.get("NX_class"))
            has = (lambda name, c=child: c.io.has_link(c.oid, name.encode())) \
                if child.is_group else None
            subs, claimed = [], False
            if child.link == LINK_EXTERNAL and child.target:
                real = (child.file, child.target.split("::", 1)[1])
            elif child.link == LINK_SOFT:
                real = self.resolver.locate(file, where.rstrip("/") + "/" + child.name)
            else:
                real = (file, where.rstrip("/") + "/" + child.name)
            for binder in binders:
                fit = binder.bind(child.name, child.is_group, cclass, has)
                if fit is None:
                    continue
                claimed = True
                c = fit.concept
                self.bound.append(Bound(cpath, kind, cclass, c.definition, c.category,
                                        _label(c), fit.how, c.src,
                                        tuple(_label(t) for t in fit.tied),
                                        personal=c.personal, domain=c.domain or "",
                                        file=real[0], where=real[1], attrs=_marked(c)))
                if isinstance(c, GroupPlan) and fit.how != "misfit" and c.category != "base":
                    subs.append(c)
            if not claimed:
                self.unbound.append(cpath)
            # Soft links are bound where they stand and walked where their target is.
            if child.is_group and child.link != LINK_SOFT and depth < MAX_DEPTH:
                if real not in seen:
                    self.group(child.oid, cpath, real[0], real[1], cattrs, subs, depth + 1,
                               seen | {real})
            child.release()


def _marked(plan: Any) -> tuple[tuple[str, bool, str, str], ...]:
    return tuple((a.name, a.personal, a.domain or "", a.src) for a in plan.attrs.values()
                 if a.personal or a.domain)


def bind(target: str | os.PathLike[str], *, definitions: Any = None,
         definition: str | None = None, discovery: bool = True,
         external: str = "below") -> FileBinding:
    """The binding of every object of the file ``target`` to definition concepts.

    Args:
        target: the path of an HDF5 file (opened read-only, without locking).
        definitions: a :class:`~nxschema.Catalog`, or paths of definition files and folders
            loaded over the bundled ones; None: the bundled ones.
        definition: a definition key or file to apply to the whole file (else discovery).
        discovery: apply definitions by their ``applies_when``.
        external: the external-link policy: ``below``, ``follow`` or ``never``.

    Returns:
        A frozen :class:`FileBinding`: every object's concept, definition and source line.

    Raises:
        nxschema.errors.UnreadableFileError: the file cannot be opened.
        nxschema.errors.DefinitionError: ``definitions`` paths that do not load.
    """
    from nxschema._definitions.catalog import Catalog, load

    if definitions is None:
        catalog = load()
    elif isinstance(definitions, Catalog):
        catalog = definitions
    else:
        paths = [definitions] if isinstance(definitions, (str, os.PathLike)) else definitions
        catalog = load(*paths)
    if definition is not None and definition not in catalog and os.path.exists(definition):
        catalog = catalog.copy()
        before = set(catalog)
        catalog.load_path(definition, layer=99)
        added = [k for k in catalog if k not in before]
        definition = added[0] if added else definition
    plans = compile_plan(catalog)
    d = catalog.get(definition) if definition else None
    layout = definition if d is not None and d.category == "layout" else None
    forced = definition if layout is None else None
    file = os.fspath(target)
    resolver = Resolver(external)
    try:
        with open_file(file) as f:
            resolver.add_file(file, f)
            walk = _Walk(plans, resolver, forced, layout, discovery)
            root = resolver.root(os.path.normpath(os.path.abspath(file)))
            walk.run(root, file)
            return FileBinding(file, tuple(walk.bound), tuple(walk.unbound))
    finally:
        resolver.close()


__all__ = ["Bound", "FileBinding", "bind"]
