"""NXDL XML → a light tree of elements, each with its line and column.

The standard library's expat parser is used, so every element keeps its position, no DTD or
entity is ever processed (a DOCTYPE is refused), nothing is fetched, and nesting is bounded
(the model is built from this tree by recursion). :mod:`nxschema._definitions.nxdl_reader` checks
the tree against nxdl.xsd and turns it into model objects.
"""

from __future__ import annotations

from xml.parsers import expat

from nxschema.errors import NxschemaError

MAX_DEPTH = 100  # nested elements outside <doc>; the official files go 14 deep


class Node:
    """One XML element: local name, attributes, position, children, text and comments."""

    __slots__ = ("attrs", "children", "col", "comments", "line", "ns", "tag", "text")

    def __init__(self, ns, tag, attrs, line, col):
        self.ns, self.tag, self.attrs, self.line, self.col = ns, tag, attrs, line, col
        self.children: list[Node] = []
        self.text: list[str] = []
        self.comments: list[tuple[str, int, int]] = []


class Refused(NxschemaError):
    def __init__(self, message, line, col):
        super().__init__(message)
        self.line, self.col = line, col


_SPLIT_CACHE: dict[str, tuple[str, str]] = {}


def split(name: str) -> tuple[str, str]:
    """expat's ``"namespace local"`` as (namespace, local); memoised, names repeat a lot."""
    parts = _SPLIT_CACHE.get(name)
    if parts is None:
        ns, _, local = name.rpartition(" ")
        parts = (ns, local)
        if len(_SPLIT_CACHE) < 4096:  # bounded: a hostile file may invent any number of names
            _SPLIT_CACHE[name] = parts
    return parts


def parse(text: str) -> tuple[Node | None, list[str]]:
    """The element tree and the comments before the root; raises ExpatError or Refused."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Node] = []
    roots: list[Node] = []
    before_root: list[str] = []
    doc_depth = 0  # > 0 inside a <doc>: child elements there are kept as text

    def start(name, attrs):
        nonlocal doc_depth
        ns, tag = split(name)
        if doc_depth:
            doc_depth += 1
            pairs = "".join(f' {split(k)[1]}="{_escape_attr(v)}"' for k, v in attrs.items())
            stack[-1].text.append(f"<{tag}{pairs}>")
            return
        node = Node(ns, tag, attrs, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        if len(stack) >= MAX_DEPTH:  # the model is built by recursion: refuse before it starts
            raise Refused(f"elements are nested deeper than {MAX_DEPTH} levels", node.line,
                           node.col)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        if tag == "doc":
            doc_depth = 1

    def end(name):
        nonlocal doc_depth
        if doc_depth > 1:
            doc_depth -= 1
            stack[-1].text.append(f"</{split(name)[1]}>")
            return
        doc_depth = 0
        stack.pop()

    def characters(data):
        if stack:
            stack[-1].text.append(data)

    def comment(data):
        if stack:
            if not doc_depth:
                stack[-1].comments.append((data, parser.CurrentLineNumber,
                                           parser.CurrentColumnNumber + 1))
        elif not roots:
            before_root.append(data)

    def refuse_doctype(*_):
        raise Refused("a DOCTYPE is not allowed in NXDL (no DTDs or entities are processed)",
                       parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.CommentHandler = comment
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.Parse(text, True)
    return (roots[0] if roots else None), before_root


def _escape_attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def clean_doc(text: str) -> str:
    """Doc text with its indentation normalised, the way it reads in YAML.

    Tabs are expanded (to 8 columns, as reStructuredText does), trailing spaces dropped, the
    first line stripped and the others dedented together, blank lines at both ends removed. A
    text of several lines ends with one newline, as a YAML ``|`` block does, so that the same
    doc read from YAML or NXDL gives equal models.
    """
    if "\n" not in text:
        return text.strip()
    if "\t" in text:
        text = text.expandtabs(8)
    lines = [line.rstrip() for line in text.split("\n")]
    margin = min((len(line) - len(line.lstrip(" ")) for line in lines[1:] if line), default=0)
    lines = [lines[0].strip()] + [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    start = 0
    while start < len(lines) and not lines[start]:
        start += 1
    body = "\n".join(lines[start:])
    return body + "\n" if "\n" in body else body
