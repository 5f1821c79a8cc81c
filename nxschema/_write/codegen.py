"""Generated writers: a typed Python module (numpy + h5py only) that writes one definition.

The definition is laid out (see _layout.py) with every member it spells out; each field that is
not fixed becomes a keyword parameter of one function, named after the shortest unique tail of
its path (``energy``, ``incoming_beam_data``, ``sample_name``). Required members are required
parameters, the rest default to None and are left out when not given. A group is written when
it is required or when one of its parameters is given; then its own required parameters must be
given too. Symbols are checked before anything is written: all arrays sharing ``nP`` must have
the same length. Any array or text parameter also accepts a link (``Link("/entry/x")``,
``Link("/entry/x", file="raw.h5")``, ``h5py.SoftLink``, ``h5py.ExternalLink``) written instead of
data. The module is rendered by Jinja2 from ``_write/templates/writer.py.j2`` (override with a
folder holding your own ``writer.py.j2`` and/or ``helpers.py.j2``).

Definition text never becomes code: names that become identifiers are mapped to safe ASCII
ones (:func:`_identifier`), member names that cannot be HDF5 names are refused, strings go in
through the ``py`` filter (a fully escaped literal) and docstring text through the ``doc``
filter; the rendered module is then compiled and searched for what no writer needs
(``__import__``, ``eval``, ``os.system``, ...), which is refused too.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from nxschema import __version__
from nxschema import model as m
from nxschema._definitions.catalog import DefinitionsLike
from nxschema._templating import environment, template_error
from nxschema._write.codegen_format import (
    ascii_identifier,
    break_long_lines,
    docstring_text,
    forbidden_use,
    python_literal,
)
from nxschema._write.layout import (
    LEVELS,
    AttrNode,
    FieldNode,
    GroupNode,
    LinkNode,
    build_layout,
    resolve_definition,
)
from nxschema.errors import CodegenError
from nxschema.model import Group, member_key, walk

TEMPLATE = "writer.py.j2"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
FIXED_PARAMS = ("path", "units", "overwrite", "mode")
ROOT_ATTRS = ("NX_class", "file_name", "file_time", "creator", "HDF5_Version", "h5py_version")
REFERENCE_ATTRS = ("default", "signal", "axes", "auxiliary_signals")
# How each NX type is checked and converted by the generated helpers.
CHECKS = {
    "NX_FLOAT": "float", "NX_NUMBER": "number", "NX_CHAR_OR_NUMBER": "number",
    "NX_INT": "int", "NX_UINT": "uint", "NX_POSINT": "posint", "NX_BOOLEAN": "bool",
    "NX_COMPLEX": "complex", "NX_CCOMPLEX": "complex", "NX_PCOMPLEX": "complex",
    "NX_QUATERNION": "float", "NX_BINARY": "uint",
}
SCALAR_TYPES = {"float": "float", "number": "float", "int": "int", "uint": "int",
                "posint": "int", "bool": "bool", "complex": "complex"}


@dataclass
class Param:
    name: str
    kind: str  # array, scalar, text, texts, date, choice, mapping, attribute
    annotation: str
    required: bool
    path: str  # where it is written, e.g. /entry/instrument/monochromator/energy
    nx_type: str
    check: str = ""  # float, number, int, ... for numbers
    rank: int = 0
    dims: tuple = ()
    unit: str | None = None
    units: str | None = None  # the category or literal units of the definition
    enum: tuple = ()
    enum_open: bool = False
    doc: str = ""
    needed_in_parent: bool = False  # must be given whenever its group is written

    @property
    def shape_text(self) -> str:
        return "[" + ", ".join(str(_dim_text(d)) for d in self.dims) + "]" if self.dims else ""


@dataclass
class Node:
    """One statement of the writing part: a group block, a field, an attribute or a link."""

    kind: str  # group, field, link, mapping, attribute
    parent: str  # python variable of the parent group
    name: str = ""  # HDF5 name as python source ("instrument" or entry_name)
    var: str = ""  # group: its python variable
    nx_class: str = ""
    attrs: list = field(default_factory=list)  # [(name, python source)]
    children: list = field(default_factory=list)
    param: Param | None = None
    value: str = ""  # python source of a fixed value
    unit: str = ""  # python source of the unit expression, or ""
    target: str = ""  # link: python source of the target path
    needs: str = ""  # link: the parameter whose field the link points at ("" = always)
    condition: list = field(default_factory=list)  # group: written if any of these is given
    required: list = field(default_factory=list)  # group: must be given when written
    signal: str = ""  # NXdata: python source of @signal, or ""
    axes: str = ""  # NXdata: python source of @axes list
    default: str = ""  # python source of @default, or ""
    path: str = ""  # group: its HDF5 path with default names, for messages


def _uses_var(n: Node) -> bool:
    """True if the statements of group ``n`` refer to its variable."""
    return bool(n.children or n.attrs or n.default or n.nx_class == "NXdata")


def _dim_text(d):
    if isinstance(d, tuple):
        return f"{d[0]}{d[1]:+d}"
    return "?" if d is None else d


def function_name(key: str) -> str:
    """``write_`` and the definition key as an ASCII identifier (``NXxas@subentry`` ->
    ``write_nxxas_subentry``)."""
    return "write_" + (ascii_identifier(key) or "definition")


def _identifier(text: str) -> str:
    """A safe Python identifier for a definition name (see :func:`ascii_identifier`): ASCII
    only, never a dunder, never starting with a digit; ``x`` when no ASCII is left (the
    callers make names unique)."""
    ident = ascii_identifier(text) or "x"
    return f"g_{ident}" if ident[0].isdigit() else ident


def _taken(name: str) -> bool:
    return keyword.iskeyword(name) or keyword.issoftkeyword(name) or \
        hasattr(builtins, name) or name in FIXED_PARAMS


def _hdf5_name_problem(name) -> str:
    """Why ``name`` cannot be the name of an HDF5 object or attribute ("" if it can)."""
    if not isinstance(name, str) or name == "":
        return "is empty"
    if name in (".", ".."):
        return f"is {name!r}"
    if "/" in name:
        return "holds '/', which HDF5 reads as a path"
    if "\0" in name:
        return "holds a NUL character"
    return ""


def _check_names(definition) -> None:
    """Refuse a definition with a member name no HDF5 file can hold: the writer would write
    somewhere else than the definition says (``sub/../../evil``) or fail half-way."""
    elements = [(a, ()) for a in definition.attributes] + list(walk(definition.members))
    for element, parents in elements:
        name = getattr(element, "name", None)
        if name is None and isinstance(element, Group):  # an unnamed (NXclass) group
            continue
        problem = _hdf5_name_problem(name)
        if problem:
            src = element.source
            at = f"{src.file}:{src.line}:{src.col}: " if src and src.line else ""
            where = "/".join([definition.key] + [member_key(p) for p in parents
                                                  if isinstance(p, Group)])
            raise CodegenError(f"{at}member name {name!r} in {where} {problem}: it cannot be "
                               "written to an HDF5 file; codegen refused")


class _Generator:
    def __init__(self, definition, root: GroupNode):
        self.definition = definition
        self.root = root
        self.params: list[Param] = []
        self.name_params: list[tuple[str, str]] = []  # (parameter, default group name)
        self.symbols: dict[str, list[tuple[str, int]]] = {}
        self.index = {n.path: n for n in root.walk()}
        self.field_params: dict[str, Param] = {}  # field path -> its parameter
        self.vars: set[str] = {"f", "values", "unit_of", "temp", "appending", "names"}
        self.names = self._param_names()

    # --- names --------------------------------------------------------------------------------

    def _top_groups(self) -> set[str]:
        """Paths of groups whose name is a parameter: entries, and the subentry of the form."""
        tops = {c.path for c in self.root.children if isinstance(c, GroupNode)}
        if self.definition.effective_placement == "subentry":
            for top in list(tops):
                group = self.index[top]
                tops |= {c.path for c in group.children
                         if isinstance(c, GroupNode) and c.nx_class == "NXsubentry"}
        return tops

    def _param_names(self) -> dict[str, str]:
        """A readable, unique parameter name for every field and attribute that needs one."""
        wanted: list[tuple[str, list[str]]] = []
        for node in self.root.walk():
            if isinstance(node, FieldNode) and not node.fixed:
                parts = [p for p in node.path.strip("/").split("/")[1:]] or [node.name]
                if node.any_name and parts[-1] != "data" and not parts[-1].endswith("s"):
                    parts[-1] += "s"  # DATASET: any number of datasets
                wanted.append((node.path, parts))
            if isinstance(node, (FieldNode, GroupNode)):
                for a in node.attrs:
                    if self._attr_is_param(node, a):
                        parts = [p for p in node.path.strip("/").split("/")[1:]] or ["root"]
                        wanted.append((f"{node.path}@{a.name}", parts + [a.name]))
        names: dict[str, str] = {}
        for length in range(1, 12):
            counts: dict[str, int] = {}
            for key, parts in wanted:
                if key not in names:
                    counts[_identifier("_".join(parts[-length:]))] = counts.get(
                        _identifier("_".join(parts[-length:])), 0) + 1
            for key, parts in wanted:
                candidate = _identifier("_".join(parts[-length:]))
                if key not in names and (counts[candidate] == 1 or length >= len(parts)) \
                        and not _taken(candidate) and candidate not in names.values():
                    names[key] = candidate
        for key, parts in wanted:  # whatever is still unnamed: the full path plus a number
            n = 2
            while key not in names:
                candidate = f"{_identifier('_'.join(parts))}_{n}"
                if candidate not in names.values():
                    names[key] = candidate
                n += 1
        return names

    def _attr_is_param(self, node, a: AttrNode) -> bool:
        if a.fixed or a.value is not None or a.name in REFERENCE_ATTRS:
            return False
        return not (node is self.root and a.name in ROOT_ATTRS)

    def _var(self, name: str) -> str:
        base = _identifier(name)
        if _taken(base) or base in self.names.values() or base.startswith("_"):
            base = f"{base}_group"
        var, n = base, 2
        while var in self.vars:
            var, n = f"{base}_{n}", n + 1
        self.vars.add(var)
        return var

    # --- parameters ---------------------------------------------------------------------------

    def field_param(self, node: FieldNode, required: bool) -> Param:
        check = CHECKS.get(node.nx_type, "")
        rank = node.rank
        text = node.nx_type in ("NX_CHAR", "NX_DATE_TIME", "ISO8601") or not check
        if node.config is not None and not rank and not node.any_name:
            kind, annotation = "config", "str | Mapping[str, Any] | LinkLike"
        elif node.nx_type == "NX_BINARY" and not node.any_name:
            kind, annotation = "binary", "bytes | npt.ArrayLike | LinkLike"
        elif node.any_name:
            kind = "mapping"
            annotation = "Mapping[str, npt.ArrayLike | LinkLike]"
        elif node.nx_type in ("NX_DATE_TIME", "ISO8601") and not rank:
            kind, annotation = "date", "str | datetime.datetime | LinkLike"
        elif node.enum and not rank:
            kind = "choice"
            annotation = "str" if node.enum_open else \
                "Literal[" + ", ".join(python_literal(v) for v in node.enum) + "]"
        elif text:
            kind = "texts" if rank else "text"
            annotation = "Sequence[str] | LinkLike" if rank else "str | LinkLike"
        elif rank:
            kind, annotation = "array", "npt.ArrayLike | LinkLike"
        else:
            kind, annotation = "scalar", f"{SCALAR_TYPES[check]} | LinkLike"
        param = Param(self.names[node.path], kind, annotation, required, node.path,
                      node.nx_type, check if not text else "", rank, node.dims, node.unit,
                      node.units, node.enum, node.enum_open, _doc(node.doc))
        param.needed_in_parent = node.requirement == "required" and not node.any_name
        self.params.append(param)
        self.field_params[node.path] = param
        if kind == "array":
            for axis, d in enumerate(node.dims):
                symbol, offset = d if isinstance(d, tuple) else (d, 0)
                if isinstance(symbol, str):
                    self.symbols.setdefault(symbol, []).append((param.name, axis, offset))
        return param

    def attr_param(self, owner_path: str, a: AttrNode, required: bool) -> Param:
        check = CHECKS.get(a.nx_type or "NX_CHAR", "")
        if a.enum:
            kind = "choice"
            annotation = "str" if a.enum_open else \
                "Literal[" + ", ".join(python_literal(v) for v in a.enum) + "]"
        elif check:
            kind, annotation = "attribute", SCALAR_TYPES[check]
        else:
            kind, annotation = "attribute", "str"
        param = Param(self.names[f"{owner_path}@{a.name}"], kind, annotation, required,
                      f"{owner_path}@{a.name}", a.nx_type or "NX_CHAR", check,
                      enum=a.enum, enum_open=a.enum_open, doc=_doc(a.doc))
        param.needed_in_parent = a.requirement == "required"
        self.params.append(param)
        return param

    # --- statements ---------------------------------------------------------------------------

    def build(self) -> list[Node]:
        tops = self._top_groups()
        nodes = []
        for child in self.root.children:
            nodes += [c for c in self.node(child, "f", True, tops) if c is not None]
        return nodes

    def node(self, n, parent: str, required: bool, tops) -> list[Node]:
        if isinstance(n, GroupNode):
            return [self.group(n, parent, required, tops)]  # None: a group never written
        if isinstance(n, LinkNode):
            target = self.path_source(n.target, tops)
            needs = self.field_params.get(n.target)
            return [Node("link", parent, python_literal(n.name), target=target,
                         needs=needs.name if needs else "")]
        if n.fixed:
            value = python_literal(n.value)
            unit = python_literal(n.unit) if n.unit is not None else ""
            return [Node("field", parent, python_literal(n.name), value=value, unit=unit)] + \
                self.attr_nodes(n, parent, required)
        param = self.field_param(n, required and n.requirement == "required")
        unit = f"unit_of[{python_literal(param.name)}]" if n.unit is not None and param.kind in (
            "array", "scalar", "mapping") else ""
        kind = "mapping" if param.kind == "mapping" else "field"
        return [Node(kind, parent, python_literal(n.name), param=param, unit=unit)] + \
            self.attr_nodes(n, parent, required and n.requirement == "required")

    def attr_nodes(self, n: FieldNode, parent: str, required: bool) -> list[Node]:
        out = []
        for a in n.attrs:
            if a.value is not None:
                out.append(Node("attribute", parent, python_literal(n.name),
                                value=python_literal(a.name),
                                target=python_literal(a.value)))
            elif self._attr_is_param(n, a):
                param = self.attr_param(n.path, a, required and a.requirement == "required")
                out.append(Node("attribute", parent, python_literal(n.name),
                                value=python_literal(a.name), param=param))
        return out

    def group(self, g: GroupNode, parent: str, required: bool, tops) -> Node | None:
        required = required and g.requirement == "required"
        if g.path in tops:
            pname = _identifier(g.nx_class[2:].lower() + "_name")
            self.name_params.append((pname, g.name))
            name = pname
        else:
            name = python_literal(g.name)
        node = Node("group", parent, name, var=self._var(g.name), nx_class=g.nx_class,
                    path=g.path)
        for a in g.attrs:
            if a.name == "NX_class" or (g is self.root and a.name in ROOT_ATTRS):
                continue
            if a.name == "default" and a.value is not None:
                node.default = python_literal(a.value)
            elif a.name == "signal" and a.value is not None:
                node.signal = python_literal(a.value)
            elif a.name == "axes" and a.value is not None:
                axes = a.value if isinstance(a.value, list) else [a.value]
                node.axes = python_literal(list(axes))
            elif a.value is not None:
                node.attrs.append((a.name, python_literal(a.value)))
            elif self._attr_is_param(g, a):
                param = self.attr_param(g.path, a, required and a.requirement == "required")
                node.children.append(Node("attribute", node.var, "",
                                          value=python_literal(a.name), param=param))
        for child in g.children:
            node.children += [c for c in self.node(child, node.var, required, tops)
                              if c is not None]
        if g.requirement != "required":
            # Written only when one of its parameters is given; never if it has none.
            node.condition = sorted({p.name for p in self.params_below(node)})
            if not node.condition:
                return None
            node.required = self.needed(node)
        return node

    def params_below(self, node: Node):
        for child in node.children:
            if child.param is not None:
                yield child.param
            if child.kind == "group":
                yield from self.params_below(child)

    def needed(self, node: Node) -> list[str]:
        """Parameters that must be given when ``node`` (a group) is written."""
        out = []
        for child in node.children:
            if child.param is not None and child.param.needed_in_parent:
                out.append(child.param.name)
            if child.kind == "group" and not child.condition:
                out += self.needed(child)
        return out

    def path_source(self, path: str, tops) -> str:
        """Python source of an absolute path, with group names that are parameters."""
        parts, here = [], ""
        pieces = []
        for segment in path.strip("/").split("/"):
            here = f"{here}/{segment}"
            if here in tops:
                param = next(p for p, default in self.name_params
                             if self.index[here].name == default)
                if parts:
                    pieces.append(python_literal("/" + "/".join(parts)))
                    parts = []
                pieces.append(f'"/" + {param}')
            else:
                parts.append(segment)
        if parts:
            pieces.append(python_literal("/" + "/".join(parts)))
        return " + ".join(pieces)


def _doc(text: str | None) -> str:
    """The first paragraph of a doc, on one line (the ``doc`` filter escapes it for the
    docstring)."""
    if not text:
        return ""
    first = str(text).strip().split("\n\n")[0]
    return " ".join(first.split())


def wrap(text: str, width: int, indent: str, rest: str | None = None) -> str:
    return textwrap.fill(text, width=width, initial_indent=indent,
                         subsequent_indent=indent if rest is None else rest,
                         break_long_words=False, break_on_hyphens=False)


# --- entry points ----------------------------------------------------------------------------------

def writer_model(definition, definitions=None) -> dict:
    """Everything the template needs to write the module of ``definition``."""
    resolved, catalog = resolve_definition(definition, definitions)
    _check_names(resolved)
    root = build_layout(resolved, catalog, LEVELS)
    gen = _Generator(resolved, root)
    nodes = gen.build()
    params = sorted(gen.params, key=lambda p: not p.required)
    source = Path(resolved.source.file).name if resolved.source else resolved.key
    return {
        "definition": resolved, "key": resolved.key, "source": source,
        "version": __version__, "function": function_name(resolved.key),
        "doc": _doc(resolved.doc), "params": params, "name_params": gen.name_params,
        "nodes": nodes,
        "top_nodes": [n for n in nodes if n.parent == "f" and n.kind in ("group", "field",
                                                                         "link")],
        "root_attrs": [(a.name, python_literal(a.value))
                                       for a in root.attrs if a.value is not None and
                                       a.name not in ROOT_ATTRS + REFERENCE_ATTRS],
        "root_default": _root_default(root, gen.name_params),
        "symbols": {s: axes for s, axes in gen.symbols.items() if len(axes) > 1},
        "units": {p.name: p.unit for p in params if p.unit is not None and p.kind in (
            "array", "scalar", "mapping")},
        "clashes": _clashes(nodes),
        "uses_literal": any(p.annotation.startswith("Literal[") for p in params),
        "optional_groups": [n for n in _groups(nodes) if n.condition and n.required],
        "describe": describe, "uses_var": _uses_var,
        "uses_npt": any("npt." in p.annotation for p in params),
    }


def _root_default(root: GroupNode, name_params) -> str:
    value = next((a.value for a in root.attrs if a.name == "default" and a.value), None)
    if value is None:
        return ""
    return next((p for p, default in name_params if default == value),
                python_literal(value))


def _clashes(nodes) -> list[tuple[str, list[str], list[str]]]:
    """(group path, mapping parameters, other member names) for groups with mappings."""
    out = []
    for group in _groups(nodes):
        mappings = [c.param.name for c in group.children if c.kind == "mapping"]
        if mappings:
            others = [ast.literal_eval(c.name) for c in group.children
                      if c.kind in ("field", "link", "group") and c.name.startswith('"')]
            out.append((group.path, mappings, others))
    return out


def _groups(nodes):
    for n in nodes:
        if n.kind == "group":
            yield n
            yield from _groups(n.children)


def describe(p: Param) -> str:
    """The docstring entry of a parameter: what, where, which units, and the doc."""
    what = {"mapping": f"Datasets by name ({p.nx_type} each)",
            "config": "Configuration text, or a mapping written as JSON",
            "choice": "One of " + ", ".join(repr(v) for v in p.enum) + (
                " (or another value, marked @custom)" if p.enum_open else "")}.get(
        p.kind, f"{p.nx_type}{p.shape_text}")
    text = ("Required. " if p.required else "") + what
    if p.unit is not None and p.kind in ("array", "scalar", "mapping"):
        text += f", units {p.units} (default {p.unit!r})"
    text += f", at {p.path}."
    return f"{text} {p.doc}" if p.doc else text


def _environment(templates=None) -> jinja2.Environment:
    # Python output: no autoescape; every value goes in through the py/doc filters instead.
    return environment(TEMPLATES_DIR, templates, output="python",
                       filters={"wrap": wrap, "py": python_literal, "doc": docstring_text})


def generate_writer(definition: m.Definition | str | os.PathLike[str], *,
                    definitions: DefinitionsLike | None = None,
                    templates: str | os.PathLike[str] | None = None) -> str:
    """The source of a typed Python module with a function that writes ``definition``.

    Args:
        definition: a catalog key (``NXxas``), a definition file, or a Definition.
        definitions: a :class:`~nxschema.Catalog`, or paths of definition files and folders
            loaded over the bundled ones; None: the bundled ones.
        templates: a folder whose ``writer.py.j2`` / ``helpers.py.j2`` replace the bundled ones.

    Returns:
        The module's source text.

    Raises:
        nxschema.errors.LayoutError: the definition is unknown or cannot be laid out.
        nxschema.errors.CodegenError: a template fails, or the module is not valid Python.
    """
    model = writer_model(definition, definitions)
    return render_module(TEMPLATE, model, f"{model['function']}.py", templates)


def render_module(template_name: str, model: dict, filename: str, templates=None) -> str:
    """Render a module template; the result must compile, or CodegenError says where."""
    try:
        template = _environment(templates).get_template(template_name)
        text = template.render(**model)
    except jinja2.TemplateError as exc:
        raise CodegenError(template_error(exc)) from None
    text = break_long_lines(re.sub(r"[ \t]+\n", "\n", text))
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    try:
        compile(text, filename, "exec")
    except (SyntaxError, ValueError) as exc:  # ValueError: a NUL byte
        raise CodegenError(f"the templates produced invalid Python at line "
                           f"{getattr(exc, 'lineno', '?')}: {getattr(exc, 'msg', exc)}") from None
    forbidden = forbidden_use(text)
    if forbidden:
        raise CodegenError(f"refused: the generated module would use {forbidden}, which no "
                           "writer needs (has text from the definition reached the code?)")
    return text
