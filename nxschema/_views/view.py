"""A group seen through a definition: its members by concept name, bound by the binding step.

A :class:`View` is made for one group and the group concept (plan) that applies to it. Members
are bound on first use, with the same :class:`~nxschema._binding.bind.Binder` the validator
uses, and each is read only when asked:

- a named concept is an attribute: ``xas.energy`` (a :class:`Field`), ``xas.instrument``
  (a nested :class:`View`);
- an unnamed group concept is an attribute by its class without ``NX`` (``(NXinstrument)`` ->
  ``instrument``) when one object binds to it;
- partial and any-named concepts are mappings from instance name to member:
  ``view.members("DATA")``, ``view.members("(NXdetector)")``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import h5py

from nxschema._binding.bind import Binder
from nxschema._h5.access import LINK_EXTERNAL, LINK_SOFT, attr_or_none
from nxschema._h5.access import first_text as _text
from nxschema._views.field import Field
from nxschema.errors import MissingMemberError, NotFoundError

if TYPE_CHECKING:
    from nxschema._findings import Finding
    from nxschema._views.file import NexusFile


def concept_key(plan) -> str:
    """How a member concept is named in its group: ``energy``, ``DATA``, ``(NXinstrument)``."""
    name = getattr(plan, "name", None)
    if hasattr(plan, "nx_class"):
        return name or f"({plan.nx_class})"
    return name


class View:
    """One group bound to one group concept of a definition."""

    def __init__(self, owner: "NexusFile", gid, plan, file: str, path: str, definition: str,
                 via: str = "", real_path: str | None = None):
        self._owner, self._gid, self._plan = owner, gid, plan
        self.file = file  # the file the group really is in
        self.path = path  # its path as reached (from the opened file)
        self.definition = definition  # the catalog key: NXxas, NXxas@subentry
        self.via = via  # the link the group was reached through, if any
        self._real = real_path if real_path is not None else path  # its path in ``file``
        self._bound: dict[str, dict[str, Any]] | None = None  # concept key -> {name: Child}
        self._h5 = None

    # -- binding -------------------------------------------------------------------------------
    def _bind(self) -> dict[str, dict[str, Any]]:
        """Bind every member of the group, once, with the validator's Binder over the
        validator's resolver (same link policy, same name fitting)."""
        if self._bound is not None:
            return self._bound
        bound: dict[str, dict[str, Any]] = {}
        binder = Binder(self._plan)
        resolver = self._owner._resolver
        io = resolver.io
        gid = self._gid
        if gid is None:
            root = resolver.root(self.file)
            gid = io.open(root, self._real.encode()) if root is not None else None
        for child in resolver.children(gid, self.file, self._real):
            kind = child.kind
            is_group = kind == "group"
            nx_class = _text(attr_or_none(io, child.oid, "NX_class")) if is_group else None
            has = (lambda member, oid=child.oid: io.has_link(oid, member.encode())) \
                if is_group else None
            fit = binder.bind(child.name, is_group, nx_class, has)
            if fit is not None:
                bound.setdefault(concept_key(fit.concept), {})[child.name] = (child, fit.concept)
            child.release()  # kind and target are kept; HDF5 slows with many open objects
        self._bound = bound
        self._gid = None
        return bound

    def _concepts(self) -> dict[str, Any]:
        plan = self._plan
        # Kept by the file (whose catalog keeps the plans): 2,000 scans share a few plans.
        known = self._owner._concepts.get(id(plan))
        if known is not None:
            return known
        out = dict(plan.named)
        for plans in plan.by_class.values():
            for p in plans:
                out.setdefault(concept_key(p), p)
        for _, _, p in plan.partial:
            out.setdefault(concept_key(p), p)
        for p in plan.any_fields:
            out.setdefault(concept_key(p), p)
        for name, options in getattr(plan, "choices", ()):
            out.setdefault(name, options[0])
        self._owner._concepts[id(plan)] = out
        return out

    def _wrap(self, child, concept) -> Any:
        path = f"{self.path.rstrip('/')}/{child.name}"
        file, real = child._key  # where the resolver found it (a soft link's own path if
        # relative: HDF5 follows it when opened)
        if child.link == LINK_EXTERNAL:
            link = "external"
        elif child.link == LINK_SOFT:
            link = "soft"
        else:
            link = "hard"
        if child.kind == "group":
            if not hasattr(concept, "named"):
                return None
            return View(self._owner, None, concept, file, path, self.definition,
                        self.via or (path if link == "external" else ""), real)
        label = f"{self.definition}:{getattr(concept, 'concept', '') or concept_key(concept)}"
        owner = self._owner
        return Field(owner._dataset, (file, real), path, label, link,
                     target=lambda: owner._resolver.locate(file, real),
                     refers_to=getattr(concept, "refers_to", None))

    # -- access --------------------------------------------------------------------------------
    def members(self, concept: str) -> dict[str, Any]:
        """Every object bound to ``concept`` (a partial, any-named or unnamed concept, or a
        named one), by its name in the file."""
        concepts = self._concepts()
        if concept not in concepts:
            raise NotFoundError(f"{self.definition} has no concept {concept!r} here "
                                f"(concepts: {', '.join(sorted(concepts))})")
        out = {}
        for name, (child, spec) in self._bind().get(concept, {}).items():
            if child.kind is not None:
                out[name] = self._wrap(child, spec)
        return out

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        concepts = self._concepts()
        key = attr if attr in concepts else self._unnamed_key(attr, concepts)
        if key is None:
            raise AttributeError(f"{self.definition} has no concept {attr!r} at {self.path} "
                                 f"(concepts: {', '.join(sorted(concepts))})")
        spec = concepts[key]
        found = self._bind().get(key, {})
        present = {n: c for n, c in found.items() if c[0].kind is not None}
        if len(present) == 1:
            child, concept = next(iter(present.values()))
            return self._wrap(child, concept)
        if len(present) > 1:
            raise AttributeError(f"{len(present)} objects bind to {key!r} at {self.path} "
                                 f"({', '.join(sorted(present))}): use .members({key!r})")
        if getattr(spec, "requirement", "optional") == "required":
            raise MissingMemberError(self._missing_message(key, found))
        return None  # an optional member the file does not have

    @staticmethod
    def _unnamed_key(attr: str, concepts: dict[str, Any]) -> str | None:
        for key in concepts:
            if key.startswith("(NX") and key[3:-1] == attr:
                return key
        return None

    def _missing_message(self, key: str, found: dict) -> str:
        where = f"{self.file}::{self._real.rstrip('/')}/{key}"
        for name, (child, _) in found.items():
            code = child.code
            return f"{self.file}::{self._real.rstrip('/')}/{name}: {code}: {child.problem} " \
                   f"(required by {self.definition})"
        return f"{where}: missing: required by {self.definition}, not in the file"

    def __dir__(self) -> list[str]:
        names = []
        for key in self._concepts():
            if key.startswith("(NX"):
                names.append(key[3:-1])
            elif key.isidentifier():
                names.append(key)
        return sorted(set(names) | {"path", "file", "definition", "findings", "members",
                                    "group", "via"})

    @property
    def group(self) -> h5py.Group:
        """The h5py group, for what a view does not offer."""
        if self._h5 is None:
            self._h5 = self._owner._group(self.file, self._real)
        return self._h5

    @property
    def findings(self) -> list["Finding"]:
        """The validator's findings inside this view's group (validated once per file)."""
        prefixes = {(None, self.path.rstrip("/")), (self.file, self._real.rstrip("/"))}
        inside = []
        for f in self._owner.findings:
            for file, prefix in prefixes:
                if (file is None or f.file == file) and (
                        f.path == prefix or f.path.startswith(prefix + "/")):
                    inside.append(f)
                    break
        return inside

    def __repr__(self) -> str:
        return f"<View {self.definition} at {self.path} in {self.file}>"

