"""The package's shape, as docs/architecture.md draws it: no import cycle, the lower layers
(`_definitions`, `_h5`) know nothing of the faces above them, no module over 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "nxschema"
MAX_LINES = 600
LOWER = ("nxschema._definitions", "nxschema._h5")
FACES = ("nxschema._validate", "nxschema._write", "nxschema._docs", "nxschema._icat")


def module_files() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = path
    return out


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of import nodes under ``if TYPE_CHECKING:`` (no import at run time)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING",
                                                                  "typing.TYPE_CHECKING"):
            out |= {id(n) for n in ast.walk(node)}
    return out


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the package modules it imports (at the top or inside functions alike)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_only(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")
                    parent = parent[:len(parent) - node.level + 1]
                    base = ".".join(parent + ([base] if base else []))
                # ``from pkg import sub`` imports the module pkg.sub; ``from mod import name``
                # imports mod.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the components of more than one module (the import cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_imports():
    graph = import_graph(module_files())
    assert "nxschema._validate.plan" in graph["nxschema._validate.api"]
    assert "nxschema.model" in graph["nxschema._binding.concepts"]  # from nxschema import model
    assert "nxschema._write.layout" in graph["nxschema._docs.example"]
    # and the cycle finder finds cycles
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == \
        [["a", "b", "c"]]


def test_no_import_cycle():
    cycles = strongly_connected(import_graph(module_files()))
    assert not cycles, f"import cycles: {cycles}"


def test_lower_layers_import_no_face():
    graph = import_graph(module_files())
    wrong = {module: sorted(t for t in targets if t.startswith(FACES))
             for module, targets in graph.items() if module.startswith(LOWER)}
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"_definitions/_h5 import upwards: {wrong}"


def test_no_module_over_600_lines():
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these modules: {long}"


def test_the_architecture_page_names_every_subpackage():
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    subpackages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert len(subpackages) >= 6
    for name in subpackages:
        assert f"{name}/" in text, name
    assert "docs/architecture.md" in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_command_table_names_every_command():
    from nxschema._cli.main import COMMANDS

    rows = [line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `nxschema ")]
    named = {row.split("`")[1].split()[1] for row in rows}
    assert set(COMMANDS) <= named, f"not in the README's command table: {set(COMMANDS) - named}"
