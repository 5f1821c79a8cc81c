"""Link checks: where a definition says a member is a link, the member must be one, to the
right place.

A definition's target is a class path (``/NXentry/NXinstrument/NXdetector/data``), with
``name:NXclass`` steps where the name is fixed too, or a plain HDF5 path. The member must
resolve to an object whose path fits it step by step: a step ``NXfoo`` needs a group of that
class, a step ``name:NXfoo`` both, any other step the name itself. HDF5 cannot tell a hard link
from the original object, so a hard-linked member counts as a link when its ``@target``
attribute names the same object; without one it is a plain copy (a warning). ``@target``, where
present, must name the path the link resolves to (a warning otherwise).

Only members bound to a link concept are checked against a target; any other soft link has
only its ``@target`` compared (soft links are few, so a file pays next to nothing for this).
"""

from __future__ import annotations

from nxschema._validate.table import Message

import os
import posixpath

from nxschema._binding.concepts import FieldPlan
from nxschema._h5.access import LINK_EXTERNAL, LINK_HARD, LINK_SOFT, attr_or_none
from nxschema._h5.access import first_text as _text


def _steps(target: str) -> list[tuple[str | None, str | None]]:
    """(name, NX class) per step of a target; None where that part is free."""
    out = []
    for step in target.strip("/").split("/"):
        name, _, nx_class = step.partition(":")
        if not nx_class and name.startswith("NX") and name[2:3].islower():
            name, nx_class = "", name
        out.append((name or None, nx_class or None))
    return out


def target_problem(io, root, path: str, target: str, classes: dict | None = None) -> str | None:
    """Why the object at ``path`` (absolute, in the file of ``root``) does not fit ``target``.

    ``classes`` caches the NX_class of groups by path (the walker fills it as it goes)."""
    classes = {} if classes is None else classes
    parts = [p for p in path.split("/") if p]
    steps = _steps(target)
    if len(parts) != len(steps):
        return f"it resolves to {path}, which is not at {target}"
    where = root
    for index, (part, (name, nx_class)) in enumerate(zip(parts, steps)):
        if name is not None and part != name:
            return f"it resolves to {path}, which is not at {target} ({part!r} is not {name!r})"
        if nx_class is None:
            continue
        prefix = "/" + "/".join(parts[:index + 1])
        if prefix in classes:
            have = _text(classes[prefix])
        else:
            obj = io.open(where, prefix.encode())
            have = _text(attr_or_none(io, obj, "NX_class")) if obj is not None else None
            classes[prefix] = have
        if have != nx_class:
            return (f"it resolves to {path}, which is not at {target} ({part!r} is "
                    f"{have or 'not an NXclass group'}, {nx_class} expected)")
    return None


def check_links(walker, child, node, parent_path: str, matched):
    """Messages as (code, severity, message, concept) for a member bound to link concepts; the
    target's class path is checked later, once the entry is walked (``walker.pending_links``).
    """
    specs = [spec for spec, *_ in matched if isinstance(spec, FieldPlan) and spec.is_link]
    if not specs or child.kind is None:
        return
    io = walker.io
    attr = _text(attr_or_none(io, child.oid, "target"))
    own = posixpath.join(parent_path, child.name)
    resolved = None
    if child.link == LINK_SOFT:
        resolved = posixpath.normpath(posixpath.join(parent_path, child.target))
    elif child.link == LINK_HARD:
        if attr and attr != own and _same_object(walker, node.file, own, attr):
            resolved = attr
        elif attr is None or attr == own:
            for spec in specs:
                yield Message("link-is-copy", (
                    f"{child.name!r} should be a link to {spec.link_target}, but it is a plain "
                    "object (no soft link, and no @target naming the original)"), "warning"), spec
            return
    if attr is not None and resolved is not None and attr != resolved and \
            child.link != LINK_EXTERNAL:
        yield Message("link-target-attribute",
                      f"@target is {attr!r}, but the link resolves to {resolved!r}",
                      "warning"), None
    if child.link == LINK_HARD and resolved is None:
        # @target names another object: the member is no link to what it says
        yield Message("link-target-attribute",
                      f"@target is {attr!r}, which is another object than this one",
                      "warning"), None
        return
    if resolved is None or child.link == LINK_EXTERNAL:
        return  # an external link: its target lives in another file
    for spec in specs:
        # Checked when the entry has been walked (see target_messages): the classes of the
        # groups on the target's path are known by then, so nothing is opened twice.
        walker.pending_links.append((child.name, resolved, spec, node))


def soft_link_target(walker, child, parent_path: str):
    """Messages for a soft link no link concept claims: its @target, where present, names the
    path the link resolves to (NeXus writes @target on the original object; a copy of the file
    or a wrong target leaves it naming something else)."""
    if child.link != LINK_SOFT or child.kind is None:
        return
    attr = _text(attr_or_none(walker.io, child.oid, "target"))
    resolved = posixpath.normpath(posixpath.join(parent_path, child.target))
    if attr is not None and attr != resolved:
        yield Message("link-target-attribute",
                      f"@target is {attr!r}, but the link resolves to {resolved!r}", "warning")


def target_messages(walker, name: str, resolved: str, spec, node):
    """(code, severity, message, concept) if the link ``name`` at ``node``, resolving to
    ``resolved``, does not fit its concept's target class path."""
    root = walker.resolver.root(os.path.normpath(os.path.abspath(node.file)))
    if root is None:
        return
    problem = target_problem(walker.io, root, resolved, spec.link_target, walker.classes)
    if problem:
        yield Message("wrong-link-target",
                      f"{name!r} must link to {spec.link_target}: {problem}", "error"), spec


def _same_object(walker, file: str, a: str, b: str) -> bool:
    """Whether two paths of one file name one object (hard links), through h5py: rare, so the
    C backend needs no object-identity call of its own."""
    handle = walker.resolver.h5file(file)
    if handle is None:
        return False
    try:
        return handle[a] == handle[b]
    except (KeyError, ValueError, OSError, RuntimeError):
        return False
