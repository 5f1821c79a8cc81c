"""An example skeleton per definition: a runnable h5py script writing its required members.

Generated from the same laid-out tree as ``nxschema skeleton`` (:func:`build_layout`), so the
page never disagrees with the writers or the validator: members inherited from a base class stay
optional, partial names (``GROUPNAME_log``, ``DATA``) become real names, a subentry form sits in
its NXentry, links point at members that are written, NXdata groups get @signal. Fields get a
placeholder of the right type and shape (symbols become variables), units, fixed values and
enumerations, required attributes. For a base class, where everything is optional, the
recommended members are shown as well. tests/test_docs.py runs every script and validates the
file it writes.
"""

from __future__ import annotations

import json
import keyword
import re

from nxschema import model as m
from nxschema._write.layout import NUMPY_DTYPES, build_layout
from nxschema._write.nodes import TEXT_TYPES, AttrNode, FieldNode, GroupNode, LinkNode
from nxschema._write.skeleton import example_config

_DATE = "2024-01-01T00:00:00Z"
_EXAMPLE_SIZE = 10
# Attributes whose value must name a member: written only when the layout computed one.
_REFERENCES = ("default", "signal", "axes", "auxiliary_signals", "target")


def _q(text) -> str:
    """A double-quoted Python string literal (JSON's escapes are all valid Python)."""
    return json.dumps(str(text), ensure_ascii=False)


def _number(value, dtype: str) -> str:
    """A Python literal of ``value`` that h5py stores with ``dtype``."""
    if dtype == "bool":
        return "True" if value else "False"
    if dtype == "float64":
        return repr(float(value))
    if dtype == "int64":
        return repr(int(value))
    return f"np.{dtype}({value!r})"


class _Script:
    def __init__(self, definition: m.Definition, key: str):
        self.definition = definition
        self.key = key
        self.symbol_docs = {s.name: s.doc for s in definition.symbols}
        self.used_symbols: dict[str, str | None] = {}
        self.names: set[str] = {"f", "h5py", "np"}
        self.variables: dict[str, str] = {"/": "f"}
        self.body: list[str] = []
        self.symbols: set[str] = set()  # dimension symbols that can be script variables

    def reserve_symbols(self, root: GroupNode) -> None:
        for node in root.walk():
            for term in getattr(node, "dims", ()):
                symbol = term[0] if isinstance(term, tuple) else term
                if isinstance(symbol, str) and symbol.isidentifier() and \
                        not keyword.iskeyword(symbol) and symbol not in self.names:
                    self.symbols.add(symbol)
        self.names |= self.symbols

    def variable(self, name: str) -> str:
        base = re.sub(r"\W", "_", name).strip("_").lower() or "group"
        if base[0].isdigit() or keyword.iskeyword(base):
            base = "g_" + base
        candidate, n = base, 1
        while candidate in self.names:
            n += 1
            candidate = f"{base}_{n}"
        self.names.add(candidate)
        return candidate

    def line(self, text: str) -> None:
        self.body.append("    " + text)

    # --- values -------------------------------------------------------------------------------

    def axis(self, term) -> str:
        if isinstance(term, int):
            return str(term)
        symbol, offset = (term, 0) if isinstance(term, str) else term if isinstance(
            term, tuple) else (None, 0)
        if symbol not in self.symbols:
            return str(_EXAMPLE_SIZE)  # a reference or an expression: any fixed size will do
        self.used_symbols.setdefault(symbol, self.symbol_docs.get(symbol))
        return f"{symbol} {'+' if offset > 0 else '-'} {abs(offset)}" if offset else symbol

    def shape(self, dims: tuple) -> str | None:
        if not dims:
            return None
        sizes = [self.axis(term) for term in dims]
        return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"

    @staticmethod
    def scalar(nx_type: str | None, value, enum, name: str, config=None) -> str:
        """The literal of one value: fixed, else the first enumeration item, else a
        placeholder of the type (``1`` where only positive numbers are valid)."""
        dtype = NUMPY_DTYPES.get(nx_type or "NX_CHAR")
        if value is None and enum:
            value = enum[0]
        if dtype is None or dtype == "uint8" and isinstance(value, str) or \
                nx_type in TEXT_TYPES:
            if value is None:
                value = _DATE if nx_type in ("NX_DATE_TIME", "ISO8601") else (
                    example_config(config) if config is not None else "...")
            return _q(value)
        if isinstance(value, str):
            try:
                value = complex(value) if dtype.startswith("complex") else float(value)
            except ValueError:
                value = None
        if value is None:
            value = 1 if nx_type == "NX_POSINT" else 0
        return _number(value, dtype)

    def data(self, node: FieldNode) -> str:
        value = self.scalar(node.nx_type, node.value, node.enum, node.name, node.config)
        shape = self.shape(node.dims)
        if shape is None:
            return value
        dtype = NUMPY_DTYPES.get(node.nx_type)
        if dtype is None or node.is_text:
            return f"np.full({shape}, {value}, dtype=h5py.string_dtype())"
        if value in ("0", "0.0", "False"):
            return f'np.zeros({shape}, dtype="{dtype}")'
        return f'np.full({shape}, {value}, dtype="{dtype}")'

    def attributes(self, target: str, attrs: list[AttrNode], skip=()) -> None:
        for a in attrs:
            if a.name in skip or a.name == "NX_class":
                continue
            if a.value is None and a.name in _REFERENCES:
                continue
            if isinstance(a.value, (list, tuple)):
                text = "[" + ", ".join(_q(v) if isinstance(v, str) else repr(v)
                                       for v in a.value) + "]"
            else:
                text = self.scalar(a.nx_type, a.value, a.enum, a.name)
                if a.rank and a.value is None:
                    text = "[" + ", ".join([text] * a.rank) + "]"
            self.line(f"{target}.attrs[{_q(a.name)}] = {text}")

    # --- the tree -----------------------------------------------------------------------------

    def write(self, root: GroupNode) -> None:
        self.attributes("f", root.attrs)
        for node in root.walk():
            if node is root:
                continue
            parent_path = node.path.rsplit("/", 1)[0] or "/"
            parent = self.variables[parent_path]
            if isinstance(node, GroupNode):
                variable = self.variable(node.name)
                self.variables[node.path] = variable
                self.line(f"{variable} = {parent}.create_group({_q(node.name)})")
                self.line(f"{variable}.attrs[\"NX_class\"] = {_q(node.nx_class)}")
                self.attributes(variable, node.attrs)
            elif isinstance(node, LinkNode):
                self.line(f"{parent}[{_q(node.name)}] = h5py.SoftLink({_q(node.target)})")
            else:
                item = f"{parent}[{_q(node.name)}]"
                self.line(f"{item} = {self.data(node)}")
                unit = node.unit
                if unit is not None and "units" not in {a.name for a in node.attrs}:
                    self.line(f"{item}.attrs[\"units\"] = {_q(unit)}")
                self.attributes(item, node.attrs)

    def script(self, root: GroupNode, what: str) -> str:
        self.reserve_symbols(root)
        self.write(root)
        file_name = re.sub(r"[^A-Za-z0-9_.-]", "_", self.key) + ".h5"
        head = ["import h5py", "import numpy as np", ""]
        for symbol, doc in sorted(self.used_symbols.items()):
            comment = f"  # {' '.join(doc.split())}" if doc else ""
            head.append(f"{symbol} = {_EXAMPLE_SIZE}{comment}")
        if self.used_symbols:
            head.append("")
        head.append(f"# The {what} members of {self.key}, with placeholder values.")
        head.append(f"with h5py.File({_q(file_name)}, \"w\") as f:")
        if not self.body:
            self.line(f"pass  # {self.key} has no {what} members")
        return "\n".join(head + self.body) + "\n"


def skeleton(definition: m.Definition, catalog, key: str | None = None) -> str:
    """A runnable h5py script that writes the required members of ``definition`` (and the
    recommended ones of a base class) as ``nxschema skeleton`` lays them out from ``catalog``.

    Raises :class:`~nxschema.errors.LayoutError` when the definition cannot be laid out.
    """
    base = definition.category == "base"
    levels = ("required", "recommended") if base else ("required",)
    root = build_layout(definition, catalog, levels)
    return _Script(definition, key or definition.key).script(
        root, "recommended" if base else "required")
