"""Find every finding code the package can raise, from its source, without running it.

A finding is made by ``Finding(...)`` or the ``error``/``warning``/``info`` helpers of
``nxschema._findings`` (the *makers*). A function that passes one of its own parameters on as the
code of a maker (the walker's ``finding``, the NXDL reader's ``problem``, lint's ``_at``) is a
maker too; that is found by iterating to a fixed point, so a new helper is seen without a list
to keep up to date. At every call of a maker the code must be static: a string literal, a
conditional of literals, or a local name every assignment of which is static. Anything else is a
*problem* (a code nobody can check before run time), and so is naming a maker without calling it
(``make = error``), which would hide calls from this scan.

``scan()`` returns ``({code: {module, ...}}, [problem, ...])``; modules are dotted names under
``nxschema`` (``_validate.walker``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "nxschema"
BASE_MAKERS = {"Finding": 0, "error": 0, "warning": 0, "info": 0}
FINDINGS_MODULE = "_findings"
# Rules yield Message(code, ...) objects that the walker turns into findings: Message is a maker
# too, and the walker's ``message.code`` forwards a code already scanned where it was made.
MESSAGE_MODULE = "_validate.table"
MAX_PASSES = 50


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    makers: dict[str, int] = field(default_factory=dict)  # local names of base makers


def modules() -> list[Module]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        name = ".".join(parts) or "__init__"
        mod = Module(name, path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if name == FINDINGS_MODULE:
            mod.makers = dict(BASE_MAKERS)
        if name == MESSAGE_MODULE:
            mod.makers["Message"] = 0
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.ImportFrom) and node.module == f"nxschema.{FINDINGS_MODULE}":
                for alias in node.names:
                    if alias.name in BASE_MAKERS:
                        mod.makers[alias.asname or alias.name] = BASE_MAKERS[alias.name]
            if isinstance(node, ast.ImportFrom) and node.module == f"nxschema.{MESSAGE_MODULE}":
                for alias in node.names:
                    if alias.name == "Message":  # a rule's message: its code is the finding's
                        mod.makers[alias.asname or alias.name] = 0
        out.append(mod)
    return out


def _functions(tree: ast.AST):
    """(function, is_method) for every def in ``tree``, outer ones first."""
    methods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    methods.add(id(item))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            static = any(isinstance(d, ast.Name) and d.id == "staticmethod"
                         for d in node.decorator_list)
            yield node, id(node) in methods and not static


def _params(function, is_method) -> list[str]:
    names = [a.arg for a in function.args.posonlyargs + function.args.args]
    return names[1:] if is_method else names


def _static(expr, function) -> set[str] | None | str:
    """The codes ``expr`` can be, None if they cannot be known, or the name of the parameter
    of ``function`` it forwards."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        a, b = _static(expr.body, function), _static(expr.orelse, function)
        return a | b if isinstance(a, set) and isinstance(b, set) else None
    if isinstance(expr, ast.Name) and function is not None:
        if expr.id in [a.arg for a in function.args.posonlyargs + function.args.args
                       + function.args.kwonlyargs]:
            return expr.id
        values: set[str] = set()
        bound = False
        for node in ast.walk(function):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
                targets = [node.target]
            elif isinstance(node, (ast.For, ast.comprehension, ast.withitem)):
                targets = [getattr(node, "target", None) or getattr(node, "optional_vars", None)]
            for target in targets:
                if any(isinstance(n, ast.Name) and n.id == expr.id for n in ast.walk(target)):
                    bound = True
                    if not (isinstance(node, ast.Assign) and isinstance(target, ast.Name)):
                        return None
                    got = _static(node.value, function)
                    if not isinstance(got, set):
                        return None
                    values |= got
        return values if bound else None
    return None


def _annotations(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            yield node.annotation
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
            yield node.returns
        elif isinstance(node, ast.AnnAssign):
            yield node.annotation


def _code_arg(call: ast.Call, position: int, keyword: str):
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if any(isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return None  # *args: cannot be read statically
    return call.args[position] if 0 <= position < len(call.args) else None


def scan() -> tuple[dict[str, set[str]], list[str]]:
    mods = modules()
    # Helpers that forward a code: plain functions by (module, name), matched where they are
    # defined or imported; methods by name, matched as ``x.name(...)`` anywhere.
    functions: dict[tuple[str, str], tuple[int, str]] = {}
    methods: dict[str, tuple[int, str]] = {}
    raised: dict[str, set[str]] = {}
    problems: list[str] = []
    # Two helpers under one key (methods of one name in two classes) that forward their code
    # from different places cannot be told apart at an ``x.name(...)`` call: reported, not
    # guessed (taking each in turn made the fixed point flip between them for ever).
    clashes: dict[object, str] = {}
    changed, passes = True, 0
    while changed:
        changed, passes = False, passes + 1
        if passes > MAX_PASSES:  # cannot happen while the tables only grow; never hang on it
            problems.append(f"the scan found no fixed point in {MAX_PASSES} passes")
            break
        raised, problems = {}, []
        defined: dict[object, tuple[tuple[int, str], str]] = {}  # key -> (entry, where) this pass
        for mod in mods:
            local = {name: (pos, "code") for name, pos in mod.makers.items()}
            for (where, name), entry in functions.items():
                if where == mod.name:
                    local[name] = entry
            for node in ast.walk(mod.tree):
                if isinstance(node, ast.ImportFrom) and node.module and \
                        node.module.startswith("nxschema."):
                    source = node.module[len("nxschema."):]
                    for alias in node.names:
                        if (source, alias.name) in functions:
                            local[alias.asname or alias.name] = functions[source, alias.name]
            enclosing = {}
            for function, is_method in _functions(mod.tree):
                for node in ast.walk(function):
                    enclosing[id(node)] = (function, is_method)  # innermost def wins
            called = set()
            for node in ast.walk(mod.tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if isinstance(func, ast.Name) and func.id in local:
                    name = func.id
                    position, keyword = local[name]
                elif isinstance(func, ast.Attribute) and func.attr in methods:
                    name = func.attr
                    position, keyword = methods[name]
                else:
                    continue
                called.add(id(func))
                where = f"{mod.path.relative_to(PACKAGE.parent)}:{node.lineno}"
                function, is_method = enclosing.get(id(node), (None, False))
                arg = _code_arg(node, position, keyword)
                if isinstance(arg, ast.Attribute) and arg.attr == "code" and \
                        isinstance(arg.value, ast.Name) and arg.value.id in ("message", "msg"):
                    continue  # forwards a Message's code (scanned where the Message was made)
                codes = None if arg is None else _static(arg, function)
                if isinstance(codes, str):  # forwards a parameter: the function is a maker
                    if mod.name == FINDINGS_MODULE:
                        continue  # error()/warning()/info() are the base makers already
                    params = _params(function, is_method)
                    entry = (params.index(codes) if codes in params else -1, codes)
                    table = methods if is_method else functions
                    key = function.name if is_method else (mod.name, function.name)
                    first = defined.setdefault(key, (entry, f"{where} {function.name}"))
                    if first[0] != entry:
                        clashes[key] = (f"{first[1]} and {where} {function.name} both forward a "
                                        f"code, as {first[0]} and {entry} (position, parameter): "
                                        "give them one signature or different names")
                        continue
                    if table.get(key) != entry:
                        table[key] = entry
                        changed = True
                    continue
                if codes is None:
                    problems.append(f"{where}: {name}(...) with a code that is not a literal")
                    continue
                for code in codes:
                    raised.setdefault(code, set()).add(mod.name)
            annotations = {id(n) for a in _annotations(mod.tree) for n in ast.walk(a)}
            for node in ast.walk(mod.tree):
                if isinstance(node, ast.Name) and node.id in mod.makers and \
                        isinstance(node.ctx, ast.Load) and id(node) not in called | annotations:
                    problems.append(f"{mod.path.relative_to(PACKAGE.parent)}:{node.lineno}: "
                                    f"{node.id} used as a value; call it with a literal code")
    return raised, problems + sorted(clashes.values())


def compared_codes() -> list[tuple[str, str]]:
    """(where, code) for every literal compared with a ``.code`` (``f.code == "io"``)."""
    out = []
    for mod in modules():
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and \
                    node.left.attr == "code":
                for comp in node.comparators:
                    items = comp.elts if isinstance(comp, (ast.Tuple, ast.List, ast.Set)) \
                        else [comp]
                    out += [(f"{mod.path.relative_to(PACKAGE.parent)}:{node.lineno}", i.value)
                            for i in items if isinstance(i, ast.Constant)]
    return out
