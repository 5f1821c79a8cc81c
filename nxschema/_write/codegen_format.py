"""Python source helpers for the code generator: literals, docstring text, identifiers, and
line breaking.

Definition text never becomes code: every string goes into the generated module through
:func:`python_literal` (a string literal, every quote, backslash and non-printable character
escaped) or :func:`docstring_text` (text for inside a docstring or a comment, the same escapes),
and every name that becomes an identifier through :func:`ascii_identifier` (NFKC, then ASCII
letters, digits and ``_`` only).

The generated module must read like hand-written code and pass ``ruff check`` with its default
rules: strings in double quotes, and no line longer than 88 characters (calls and subscripts
that would be longer get one argument per line, with a trailing comma).
"""

from __future__ import annotations

import ast
import datetime
import math
import re
import unicodedata

from nxschema.errors import CodegenError

_SHORT = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\x00"}


def plain_value(value):
    if hasattr(value, "item"):
        return value.item()
    return value


def _escape_char(c: str) -> str:
    if c in _SHORT:
        return _SHORT[c]
    code = ord(c)
    # Not printable (control, format such as bidi overrides, line separators), or a surrogate
    # (which UTF-8 cannot even encode): an escape, never the character itself.
    if c.isprintable() and not 0xD800 <= code <= 0xDFFF:
        return c
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _escaped(text: str, quote: bool) -> str:
    out = [_escape_char(c) for c in text]
    if quote:
        out = ['\\"' if c == '"' else c for c in out]
    return "".join(out)


def string_literal(text: str) -> str:
    """A double-quoted Python string literal for ``text``: it evaluates to exactly ``text``
    and nothing in it can end the literal (quotes, backslashes, newlines, NUL, surrogates and
    every other non-printable character are escaped)."""
    return '"' + _escaped(str(text), quote=True) + '"'


def docstring_text(text: str) -> str:
    """``text`` for inside a triple-quoted docstring (or a ``#`` comment): backslashes and
    every double quote escaped, so ``\"\"\"`` cannot end the docstring, and no character that
    could start a new line (newlines, NUL, surrogates, separators) left as it is."""
    return _escaped(str(text), quote=True)


def python_literal(value) -> str:
    """Python source for a plain value, strings in double quotes (tuples stay tuples).

    Only plain data has a literal: str, bytes, bool, int, float (``float("nan")`` and
    ``float("inf")`` spelled as calls), None, dates (as ISO text) and lists, tuples and dicts
    of those. Anything else raises :class:`CodegenError`: its ``repr()`` could be any code.
    """
    value = plain_value(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, (bool, type(None), bytes)):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f'float("{value!r}")'
    if isinstance(value, (datetime.date, datetime.time)):
        return string_literal(value.isoformat())
    if isinstance(value, tuple):
        items = [python_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_literal(k)}: {python_literal(v)}"
                               for k, v in value.items()) + "}"
    raise CodegenError(f"a value of type {type(value).__name__} cannot be written into "
                       f"generated code: {str(value)[:80]!r}")


def ascii_identifier(text: str) -> str:
    """``text`` as a lower-case ASCII identifier fragment: NFKC first (so that ``ｅｎｅｒｇｙ``
    and ``ﬁeld`` are ``energy`` and ``field``, as Python itself would read them), accents
    dropped (``é`` -> ``e``), every other run of characters that is not an ASCII letter or
    digit becomes ``_``, and no ``_`` at either end (so no dunder). ``""`` if nothing is left
    (a name in another script, say): the caller chooses a name then."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", str(text)))
    text = text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()


# Names a writer never needs, and injected code would: found in the compiled module, they
# stop codegen (a second line of defence behind the escaping). Builtins by name, dangerous
# attributes (os.system, ().__class__.__subclasses__ ...) wherever they are reached from.
FORBIDDEN_NAMES = frozenset({
    "__import__", "eval", "exec", "compile", "breakpoint", "globals", "locals", "vars",
    "subprocess", "__builtins__"})
FORBIDDEN_ATTRIBUTES = frozenset({
    "system", "popen", "spawnv", "spawnvp", "execv", "execvp", "__subclasses__", "__globals__",
    "__code__", "__builtins__", "__reduce__", "__import__"})


def forbidden_use(text: str) -> str:
    """The first forbidden name the module uses, with its line ("" if none)."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            return f"{node.id} (line {node.lineno})"
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            return f".{node.attr} (line {node.lineno})"
    return ""


def break_long_lines(text: str, width: int = 88) -> str:
    """Split the arguments of calls and subscripts on lines longer than ``width``."""
    out, in_docstring = [], False
    for line in text.split("\n"):
        if line.count('"""') % 2:
            in_docstring = not in_docstring
            out.append(line)
            continue
        out += [line] if in_docstring else _break(line, width)
    return "\n".join(out)


def _break(line: str, width: int) -> list[str]:
    if len(line) <= width or line.lstrip().startswith("#"):
        return [line]
    span = _outer_brackets(line)
    if span is None:
        return [line]
    start, close = span
    indent = line[: len(line) - len(line.lstrip())]
    args = _split_args(line[start + 1: close])
    if not args:
        return [line]
    lines = [line[: start + 1]]
    for arg in args:
        lines += _break(f"{indent}    {arg},", width)
    return lines + [indent + line[close:]]


def _outer_brackets(line: str):
    """(open, close) of the first top-level bracket pair that closes last on the line."""
    depth, quote, start, best = 0, False, None, None
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c in "([{":
            if depth == 0:
                start = i
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0 and start is not None:
                best = (start, i)
        i += 1
    if best is None or re.search(r"[\[\](){}\"]", line[best[1] + 1:]):
        return None
    return best


def _split_args(body: str) -> list[str]:
    args, depth, quote, current = [], 0, False, ""
    i = 0
    while i < len(body):
        c = body[i]
        if quote:
            if c == "\\":
                current += c
                i += 1
                c = body[i]
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            args.append(current.strip())
            current = ""
            i += 1
            continue
        current += c
        i += 1
    if current.strip():
        args.append(current.strip())
    return args
