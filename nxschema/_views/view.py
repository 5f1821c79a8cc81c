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
from nxschema._views.field import Field, decode
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


def _nx_class(obj) -> str | None:
    try:
        value = obj.attrs.get("NX_class")
    except Exception:
        return None
    value = decode(value)
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        value = list(value)[0] if len(value) else None
    return value if isinstance(value, str) else None


class View:
    """One group bound to one group concept of a definition."""

    def __init__(self, owner: "NexusFile", group: h5py.Group, plan, file: str, path: str,
                 definition: str, via: str = ""):
        self._owner, self._group, self._plan = owner, group, plan
        self.file = file  # the file the group really is in
        self.path = path  # its path as reached (from the opened file)
        self.definition = definition  # the catalog key: NXxas, NXxas@subentry
        self.via = via  # the link the group was reached through, if any
        self._bound: dict[str, dict[str, Any]] | None = None  # concept key -> {name: reached}
        self._problems: dict[str, tuple[str, str]] = {}  # name -> (code, message)

    # -- binding -------------------------------------------------------------------------------
    def _bind(self) -> dict[str, dict[str, Any]]:
        if self._bound is not None:
            return self._bound
        bound: dict[str, dict[str, Any]] = {}
        binder = Binder(self._plan)
        files = self._owner._files
        for name in self._group:
            reached = files.member(self._group, self.file, name)
            obj = reached.obj
            if obj is None:
                self._problems[name] = (reached.code, reached.problem)
                # bind by name alone, so that a required member reports why it is missing
                fit = binder.bind(name, False, None, None)
                if fit is not None:
                    bound.setdefault(concept_key(fit.concept), {})[name] = reached
                continue
            is_group = isinstance(obj, h5py.Group)
            nx_class = _nx_class(obj) if is_group else None
            has = (lambda member, obj=obj: member in obj) if is_group else None
            fit = binder.bind(name, is_group, nx_class, has)
            if fit is not None:
                bound.setdefault(concept_key(fit.concept), {})[name] = reached
        self._bound = bound
        return bound

    def _concepts(self) -> dict[str, Any]:
        plan = self._plan
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
        return out

    def _wrap(self, name: str, reached, concept) -> Any:
        path = f"{self.path.rstrip('/')}/{name}"
        label = f"{self.definition}:{getattr(concept, 'concept', '') or concept_key(concept)}"
        if isinstance(reached.obj, h5py.Group):
            sub = concept if hasattr(concept, "named") else None
            if sub is None:
                return None
            return View(self._owner, reached.obj, sub, reached.file, path, self.definition,
                        self.via)
        link = reached.link
        if link == "hard":  # a dataset in place, or one object with several names
            link = "hard" if h5py.h5o.get_info(reached.obj.id).rc > 1 else "dataset"
        return Field(reached.obj, path, label, (reached.file, reached.path), link)

    # -- access --------------------------------------------------------------------------------
    def members(self, concept: str) -> dict[str, Any]:
        """Every object bound to ``concept`` (a partial, any-named or unnamed concept, or a
        named one), by its name in the file."""
        concepts = self._concepts()
        if concept not in concepts:
            raise NotFoundError(f"{self.definition} has no concept {concept!r} here "
                                f"(concepts: {', '.join(sorted(concepts))})")
        spec = concepts[concept]
        out = {}
        for name, reached in self._bind().get(concept, {}).items():
            if reached.obj is not None:
                out[name] = self._wrap(name, reached, spec)
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
        present = {n: r for n, r in found.items() if r.obj is not None}
        if len(present) == 1:
            name, reached = next(iter(present.items()))
            return self._wrap(name, reached, spec)
        if len(present) > 1:
            raise AttributeError(f"{len(present)} objects bind to {key!r} at {self.path} "
                                 f"({', '.join(sorted(present))}): use .members({key!r})")
        if getattr(spec, "requirement", "optional") == "required":
            raise MissingMemberError(self._missing_message(key, found))
        return None  # an optional member the file does not have

    @staticmethod
    def _unnamed_key(attr: str, concepts: dict[str, Any]) -> str | None:
        for key, spec in concepts.items():
            if key.startswith("(NX") and key[3:-1] == attr:
                return key
        return None

    def _missing_message(self, key: str, found: dict) -> str:
        where = f"{self.file}::{self.path.rstrip('/')}/{key}"
        for name, reached in found.items():
            code, problem = self._problems.get(name, (reached.code, reached.problem))
            return f"{where}: {code}: {problem} (required by {self.definition})"
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
        return self._group

    @property
    def findings(self) -> list["Finding"]:
        """The validator's findings inside this view's group (validated once per file)."""
        prefixes = {(None, self.path.rstrip("/")), (self.file, self._group.name.rstrip("/"))}
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
