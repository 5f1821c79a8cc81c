"""Python source helpers for the code generator: literals and line breaking.

The generated module must read like hand-written code and pass ``ruff check`` with its default
rules: strings in double quotes, and no line longer than 88 characters (calls and subscripts
that would be longer get one argument per line, with a trailing comma).
"""

from __future__ import annotations

import json
import re


def plain_value(value):
    if hasattr(value, "item"):
        return value.item()
    return value


def python_literal(value) -> str:
    """Python source for a plain value, strings in double quotes (tuples stay tuples)."""
    value = plain_value(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string syntax is Python's too
    if isinstance(value, tuple):
        items = [python_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_literal(k)}: {python_literal(v)}"
                               for k, v in value.items()) + "}"
    return repr(value)


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
