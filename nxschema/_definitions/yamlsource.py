"""Safe YAML reading that remembers where every value was written.

PyYAML's safe loader gives plain data but forgets positions and silently keeps the last of two
duplicate keys. Here the document is composed into nodes (safe tags only) and converted by hand, so
that each value's line and column is kept, duplicate keys are reported, and alias expansion and
nesting depth are bounded (a "billion laughs" document is refused, not expanded).
"""

from __future__ import annotations

import datetime

import yaml

from nxschema._definitions.bounds import MAX_INT_CHARS
from nxschema._findings import Finding, error
from nxschema.errors import NxschemaError

MAX_NODES = 200_000  # values produced after alias expansion
MAX_DEPTH = 64
_PLAIN_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_INT_TAG = "tag:yaml.org,2002:int"
# libyaml's parser, when PyYAML was built with it, composes ~10x faster (every command loads the
# bundled definitions); only composing is used, so both give the same nodes and positions.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_constructor = yaml.constructor.SafeConstructor()


class PositionedData:
    """Plain data (dicts, lists, scalars) plus the position of each value and mapping key."""

    def __init__(self, file: str):
        self.file = file
        self.data = None
        self.value_at: dict[tuple, tuple[int, int]] = {}
        self.key_at: dict[tuple, tuple[int, int]] = {}

    def where(self, path, *, key: bool = False) -> tuple[int, int]:
        """(line, col) of the value at ``path`` (or of its key), else of the nearest parent."""
        path = tuple(path)
        table = self.key_at if key else self.value_at
        while path:
            if path in table:
                return table[path]
            if path in self.value_at:
                return self.value_at[path]
            path = path[:-1]
        return self.value_at.get((), (1, 1))


class _TooBig(NxschemaError):
    # ``integer``: an integer too long (too-large-integer), else a document too big. A flag, not
    # a code, so that every code is a literal where the finding is made (tests/test_codes.py).
    def __init__(self, why, node, integer: bool = False):
        self.why, self.node, self.integer = why, node, integer


def _pos(mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _scalar(node):
    if node.tag == _INT_TAG and len(node.value) > MAX_INT_CHARS:
        # Python refuses int() of 4,300 digits with a ValueError (and is slow well before)
        raise _TooBig(f"an integer of {len(node.value)} characters (at most {MAX_INT_CHARS})",
                      node, integer=True)
    value = _constructor.construct_object(node, deep=True)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return node.value  # keep dates as the text the author wrote
    if isinstance(value, bytes):
        return node.value
    return value


class _Converter:
    def __init__(self, out: PositionedData):
        self.out = out
        self.count = 0
        self.findings: list[Finding] = []

    def convert(self, node, path, depth):
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(f"the document expands to more than {MAX_NODES} values "
                          "(an alias or anchor expansion bomb?)", node)
        if depth > MAX_DEPTH:
            raise _TooBig(f"nesting deeper than {MAX_DEPTH} levels", node)
        self.out.value_at[path] = _pos(node.start_mark)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_COLLECTION_TAGS:
            # Scalars with unsafe tags are refused by SafeConstructor; collections are converted
            # by hand here, so refuse tags such as !!python/object explicitly too.
            raise yaml.constructor.ConstructorError(
                None, None, f"the tag {node.tag!r} is not allowed (plain YAML data only)",
                node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return _scalar(node)

    def _mapping(self, node, path, depth):
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.convert(value_node, path, depth + 1)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, dict):
                        for k, v in part.items():
                            result.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _pos(key_node.start_mark)
                self.findings.append(error("yaml-key", "a mapping key must be a plain name",
                                           file=self.out.file, line=line, col=col))
                continue
            key = str(key_node.value)
            line, col = _pos(key_node.start_mark)
            if key in result:
                first = self.out.key_at.get(path + (key,), (0, 0))
                self.findings.append(error(
                    "duplicate-key",
                    f"duplicate key {key!r} (first written at line {first[0]}); "
                    "YAML would silently keep only the last one",
                    file=self.out.file, line=line, col=col))
                continue
            self.out.key_at[path + (key,)] = (line, col)
            result[key] = self.convert(value_node, path + (key,), depth + 1)
        return result


def _syntax_message(exc: yaml.MarkedYAMLError, text: str = "") -> str:
    problem = exc.problem or str(exc)
    lines, mark = text.splitlines(), exc.problem_mark
    # libyaml does not always name the tab: look at the indentation of the line it stopped on
    stopped_on = lines[mark.line] if mark and mark.line < len(lines) else ""
    indentation = stopped_on[:len(stopped_on) - len(stopped_on.lstrip())]
    if "\t" in indentation or "'\\t'" in problem or "\t" in problem or "tab character" in problem:
        return "a tab character is used for indentation; YAML indents with spaces only"
    parts = [p for p in (exc.context, problem) if p]
    return "YAML syntax: " + "; ".join(parts)


def _within(text: str, line: int, col: int) -> tuple[int, int]:
    """Keep a position inside the text: libyaml places "unexpected end" one line past the end."""
    lines = text.splitlines() or [""]
    if line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, col


def read_positioned(text: str, file: str) -> tuple[PositionedData, list[Finding]]:
    """Parse ``text`` safely. Never raises for bad input: problems come back as findings."""
    out = PositionedData(file)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _within(text, *_pos(mark)) if mark else (1, 1)
        return out, [error("yaml-syntax", _syntax_message(exc, text), file=file, line=line,
                           col=col)]
    except yaml.YAMLError as exc:  # e.g. a stream with several documents
        return out, [error("yaml-syntax", f"YAML: {exc}", file=file, line=1, col=1)]
    except RecursionError:  # the pure-Python composer recurses; libyaml stops at 1000 levels
        line, col = _too_deep_at(text)
        return out, [error("yaml-too-big", f"nesting deeper than {MAX_DEPTH} levels", file=file,
                           line=line, col=col)]
    if node is None:
        return out, [error("yaml-empty", "the file holds no YAML document", file=file,
                           line=1, col=1)]
    converter = _Converter(out)
    try:
        out.data = converter.convert(node, (), 0)
    except _TooBig as exc:
        line, col = _pos(exc.node.start_mark)
        code = "too-large-integer" if exc.integer else "yaml-too-big"
        return out, [error(code, exc.why, file=file, line=line, col=col)]
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line, col = _pos(mark) if mark else (1, 1)
        return out, [error("yaml-syntax", f"YAML: {exc.problem}", file=file, line=line,
                           col=col)]
    return out, converter.findings


def _too_deep_at(text: str) -> tuple[int, int]:
    """Where the nesting first goes past MAX_DEPTH: YAML events come from a loop, not recursion."""
    depth = -1  # the document's own collection is level 0, as in _Converter
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return _pos(event.start_mark)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        pass
    return 1, 1
