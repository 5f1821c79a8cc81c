"""Plotting attributes for a laid-out tree: @signal and @axes of NXdata, @default of entries.

A definition rarely spells these out, yet a file without them does not plot. The signal is the
field the definition marks (NXDL's legacy ``signal``), else its ``DATA``-like field, else its last
array; the axes are the arrays marked ``axis``/``primary``, else a first 1-D array sharing the
signal's first dimension. A closed enumeration of ``@signal`` in the definition always wins.
"""

from __future__ import annotations

from nxschema._write.nodes import AttrNode, FieldNode, GroupNode, LinkNode, _join, _unique


def plot_attributes(root: GroupNode, placeholders: bool = True) -> None:
    """Give NXdata groups @signal and @axes, and NXentry/NXroot a @default, where missing.

    With ``placeholders``, an NXdata with nothing to plot gets a ``data`` field to plot.
    """
    index = {n.path: n for n in root.walk()}
    for node in list(root.walk()):
        if isinstance(node, GroupNode) and node.nx_class == "NXdata":
            _nxdata(node, index, placeholders)
    for node in reversed(list(root.walk())):  # children first: a parent's @default follows theirs
        if isinstance(node, GroupNode) and node.nx_class in ("NXentry", "NXsubentry", "NXroot"):
            default = node.attr("default")
            choice = _default_child(node)
            if default is not None and default.value is None and choice:
                default.value = choice
            elif default is None and choice and _is_nxdata(node.child(choice)):
                node.attrs.append(AttrNode("default", "NX_CHAR", "optional", value=choice))


def _is_nxdata(node) -> bool:
    """True if following ``node`` (and its @default) ends at a plottable NXdata."""
    if not isinstance(node, GroupNode):
        return False
    attr = node.attr("signal" if node.nx_class == "NXdata" else "default")
    return attr is not None and attr.value is not None


def _default_child(node: GroupNode) -> str | None:
    groups = [c for c in node.children if isinstance(c, GroupNode)]
    for wanted in ("NXdata", "NXentry", "NXsubentry"):
        for c in groups:
            if c.nx_class == wanted and _is_nxdata(c):
                return c.name
    return None


def _nxdata(node: GroupNode, index: dict, placeholders: bool) -> None:
    arrays = []
    for child in node.children:
        target = index.get(child.target) if isinstance(child, LinkNode) else child
        if isinstance(target, FieldNode) and target.rank >= 1 and not target.is_text:
            arrays.append((child.name, target))
    given = node.attr("signal")
    if given is not None and given.value is not None:
        return
    if placeholders and not arrays:
        # Nothing to plot: give it the base class's DATA so that it is a valid plot group.
        data = FieldNode(_free_name(node, "data"), _join(node.path, _free_name(node, "data")),
                         "NX_NUMBER", "optional", dims=(None,), any_name=True)
        node.children.insert(0, data)
        arrays = [(data.name, data)]
    if not arrays:
        return
    allowed = _allowed(node, "signal")
    if allowed:  # the definition names the signal: nothing else will do
        arrays = [(n, f) for n, f in arrays if n in allowed]
        if not arrays:
            return
    axes = [(n, f) for n, f in arrays if f.legacy.get("axis") or f.legacy.get("primary")]
    marked = [(n, f) for n, f in arrays if f.legacy.get("signal")] or \
        [(n, f) for n, f in arrays if f.any_name or n == "data"][-1:]
    others = [(n, f) for n, f in arrays if all(n != a for a, _ in axes)]
    if not marked and not others:
        return
    signal_name, signal = marked[0] if marked else others[-1]
    if not axes and len(arrays) > 1 and arrays[0][0] != signal_name and \
            arrays[0][1].rank == 1 and arrays[0][1].dims[0] == signal.dims[0]:
        axes = [arrays[0]]
    _set(node, "signal", signal_name)
    if axes and signal.rank and not _allowed(node, "axes"):
        names = ["."] * signal.rank
        for axis_name, axis in axes[: signal.rank]:
            position = int(axis.legacy.get("axis", 1)) - 1 if str(
                axis.legacy.get("axis", "1")).isdigit() else 0
            names[min(max(position, 0), signal.rank - 1)] = axis_name
        _set(node, "axes", names if len(names) > 1 else names[0])


def _allowed(node: GroupNode, name: str) -> tuple:
    """The values a closed enumeration (or a fixed value) allows for attribute ``name``."""
    spec = node.specs.get(name)
    if spec is None:
        return ()
    if spec.value is not None:
        return (spec.value,)
    return spec.enum if spec.enum and not spec.enum_open else ()


def _free_name(node: GroupNode, name: str) -> str:
    return name if node.child(name) is None else _unique(node, name)


def _set(node: GroupNode, name: str, value) -> None:
    attr = node.attr(name)
    if attr is None:
        node.attrs.append(AttrNode(name, "NX_CHAR", "optional", value=value))
    elif attr.value is None:
        attr.value = value
