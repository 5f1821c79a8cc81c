"""Doc text → HTML or Markdown, safely.

Doc strings come in two dialects: reStructuredText-ish in official NXDL files (``literal``,
`text <url>`_, :ref:`NXdata`, ``.. code-block::``, ``* bullets``) and Markdown-ish in ours
(`code`, [text](url), ``- bullets``). Both are parsed into one small block/inline tree that covers
what doc strings actually use (paragraphs, lists, literals, links, code blocks, notes), and that
tree is rendered to HTML or Markdown.

Safety: the HTML renderer escapes every piece of source text and only adds tags it creates itself
(:class:`markupsafe.Markup`); a link becomes a link only when its URL is http(s) or relative.
Anything else, ``<script>`` included, stays visible text.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from urllib.parse import urlsplit

from markupsafe import Markup, escape

# A resolver turns a reference (an rST :ref: target, or a relative URL that names a definition)
# into an href, or None when it names nothing in the site.
Resolver = Callable[[str], "str | None"]

# --- block structure ----------------------------------------------------------------------------
# Blocks are tuples: ("para", inlines) ("heading", inlines) ("code", text, language)
# ("list", ordered, [blocks per item]) ("quote", blocks) ("note", title inlines, blocks)
# ("deflist", [(term inlines, blocks)]).

_BULLET = re.compile(r"^([-*+]|\d{1,3}[.)]|#\.)\s+(?=\S)")
_DIRECTIVE = re.compile(r"^\.\.\s+([A-Za-z][\w-]*)::\s*(.*)$")
_TARGET = re.compile(r"^\.\.\s+_([^:]+):\s*(\S+)\s*$")
_FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
_GRID_TABLE = re.compile(r"^(\+[-=+]+\+|=+(\s+=+)+)\s*$")
_OPTION = re.compile(r"^:[\w-]+:")

_CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "math", "csv-table", "parsed-literal"}
_NOTE_DIRECTIVES = {"note", "warning", "tip", "hint", "important", "attention", "caution",
                    "danger", "error", "seealso", "todo"}
_TITLED_DIRECTIVES = {"admonition", "figure", "image", "rubric", "topic", "sidebar"}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _starts_block(line: str) -> bool:
    s = line.strip()
    return bool(_BULLET.match(s) or _DIRECTIVE.match(s) or _FENCE.match(s) or _MD_HEADING.match(s)
                or s.startswith(".. ") or _GRID_TABLE.match(s))


class _Parser:
    def __init__(self):
        self.targets: dict[str, str] = {}  # rST named hyperlink targets: `name`_ → url

    def blocks(self, lines: list[str]) -> list[tuple]:
        out: list[tuple] = []
        i, literal_next = 0, False
        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            if not stripped:
                i += 1
                continue
            indent = _indent(line)
            # An indented block: literal after "::", a quote otherwise.
            if indent > 0:
                j = self._indented_end(lines, i, 0)
                body = textwrap.dedent("\n".join(lines[i:j])).strip("\n")
                if literal_next:
                    out.append(("code", body, ""))
                else:
                    out.append(("quote", self.blocks(body.splitlines())))
                i, literal_next = j, False
                continue
            literal_next = False
            fence = _FENCE.match(stripped)
            if fence:
                j = i + 1
                while j < len(lines) and not lines[j].strip().startswith(fence.group(1)):
                    j += 1
                out.append(("code", textwrap.dedent("\n".join(lines[i + 1:j])).strip("\n"),
                            fence.group(2)))
                i = j + 1
                continue
            target = _TARGET.match(stripped)
            if target:
                self.targets[target.group(1).strip().lower()] = target.group(2)
                i += 1
                continue
            directive = _DIRECTIVE.match(stripped)
            if directive or stripped == ".." or stripped.startswith(".. "):
                j = self._indented_end(lines, i + 1, indent)
                block = self._directive(directive, lines[i + 1:j]) if directive else None
                if block:
                    out.append(block)
                i = j
                continue
            if _GRID_TABLE.match(stripped):
                j = i
                while j < len(lines) and lines[j].strip():
                    j += 1
                out.append(("code", "\n".join(lines[i:j]), ""))
                i = j
                continue
            heading = _MD_HEADING.match(stripped)
            if heading:
                out.append(("heading", self.inlines(heading.group(1))))
                i += 1
                continue
            if i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1].strip()) \
                    and not _BULLET.match(stripped):
                out.append(("heading", self.inlines(stripped)))
                i += 2
                continue
            if _BULLET.match(stripped):
                i = self._list(lines, i, out)
                continue
            i, literal_next = self._paragraph(lines, i, out)
        return out

    @staticmethod
    def _indented_end(lines, start: int, indent: int) -> int:
        """End of the lines from ``start`` that are blank or indented more than ``indent``."""
        j = start
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > indent):
            j += 1
        while j > start and not lines[j - 1].strip():
            j -= 1
        return j

    def _directive(self, match, body_lines) -> tuple | None:
        name, argument = match.group(1).lower(), match.group(2).strip()
        body = textwrap.dedent("\n".join(body_lines)).strip("\n").splitlines()
        while body and _OPTION.match(body[0].strip()):
            body.pop(0)  # :linenos:, :width: ...
        if name in _CODE_DIRECTIVES:
            text = "\n".join(body).strip("\n")
            if name == "math" and argument:
                text = (argument + "\n" + text).strip("\n")
            return ("code", text, "" if name in ("math", "csv-table") else argument)
        if name in _NOTE_DIRECTIVES:
            title = {"seealso": "See also", "todo": "To do"}.get(name, name.title())
            content = ([argument] if argument else []) + body
            return ("note", self.inlines(title), self.blocks(content))
        if name in _TITLED_DIRECTIVES:
            if name in ("figure", "image"):
                title = f"{name.title()}: {argument}" if argument else name.title()
            else:
                title = argument or name.title()
            if name == "rubric":
                return ("heading", self.inlines(title))
            return ("note", self.inlines(title), self.blocks(body))
        return None  # index, include, literalinclude, comments: nothing to show

    def _list(self, lines, i, out) -> int:
        first = _BULLET.match(lines[i].strip())
        assert first is not None  # the caller saw a bullet here
        ordered = first.group(1) not in ("-", "*", "+")
        base = _indent(lines[i])
        items = []
        while i < len(lines):
            line = lines[i]
            marker = _BULLET.match(line.strip()) if line.strip() else None
            if not marker or _indent(line) != base \
                    or (marker.group(1) not in ("-", "*", "+")) != ordered:
                break
            content_col = base + marker.end()
            item = [line.strip()[marker.end():]]
            j = i + 1
            while j < len(lines):
                nxt = lines[j]
                if not nxt.strip():
                    # A blank line continues the item only if indented text follows.
                    k = j
                    while k < len(lines) and not lines[k].strip():
                        k += 1
                    if k < len(lines) and _indent(lines[k]) > base:
                        item += [""] * (k - j)
                        j = k
                        continue
                    break
                if _indent(nxt) > base:
                    item.append(nxt[min(content_col, _indent(nxt)):])
                elif _starts_block(nxt):
                    break
                else:
                    item.append(nxt.strip())  # a lazy continuation line
                j += 1
            items.append(self.blocks(item))
            i = j
            while i < len(lines) and not lines[i].strip():
                if i + 1 < len(lines) and _BULLET.match(lines[i + 1].strip()) \
                        and _indent(lines[i + 1]) == base:
                    i += 1  # blank lines between items of one list
                else:
                    break
        out.append(("list", ordered, items))
        return i

    def _paragraph(self, lines, i, out) -> tuple[int, bool]:
        text = [lines[i].strip()]
        j = i + 1
        while j < len(lines) and lines[j].strip() and not _starts_block(lines[j]):
            if _indent(lines[j]) > 0 and len(text) == 1 and not text[0].endswith("::"):
                # rST definition list: a one-line term, its definition indented below it.
                k = self._indented_end(lines, j, 0)
                body = textwrap.dedent("\n".join(lines[j:k])).splitlines()
                term = (self.inlines(text[0]), self.blocks(body))
                if out and out[-1][0] == "deflist":
                    out[-1][1].append(term)
                else:
                    out.append(("deflist", [term]))
                return k, False
            if _indent(lines[j]) > 0 and text[-1].endswith("::"):
                break
            text.append(lines[j].strip())
            j += 1
        joined = " ".join(text)
        literal_next = joined.endswith("::")
        if literal_next:
            joined = joined[:-2].rstrip()
            joined = joined + ":" if joined and not joined.endswith(":") else joined
        if joined:
            out.append(("para", self.inlines(joined)))
        return j, literal_next

    # --- inline ---------------------------------------------------------------------------------

    _INLINE = re.compile(r"""
        ``(?P<literal>.+?)``(?!`)
      | :(?P<role>[\w-]+):`(?P<role_text>[^`]+)`
      | `(?P<link_text>[^`<]*?)\s*<(?P<link_url>[^<>`]+)>`__?
      | `(?P<ref_name>[^`]+)`__?(?![\w])
      | `(?P<code>[^`]+)`
      | \[(?P<md_text>[^\]\n]+)\]\((?P<md_url>[^)\s]+)\)
      | \*\*(?P<strong>\S(?:.*?\S)?)\*\*
      | (?<![\w*])\*(?P<em>[^\s*](?:[^*]*?[^\s*])?)\*(?![\w*])
      | <(?P<auto>https?://[^\s<>]+)>
      | (?P<url>https?://[^\s<>"'`]*[^\s<>"'`.,;:!?)\]])
    """, re.VERBOSE)

    def inlines(self, text: str) -> list[tuple]:
        out: list[tuple] = []
        pos = 0
        for match in self._INLINE.finditer(text):
            if match.start() > pos:
                out.append(("text", text[pos:match.start()]))
            pos = match.end()
            g = match.groupdict()
            if g["literal"] is not None:
                out.append(("code", g["literal"]))
            elif g["role"] is not None:
                out.append(self._role(g["role"].lower(), g["role_text"]))
            elif g["link_url"] is not None:
                url = re.sub(r"\s+", "", g["link_url"])
                out.append(("link", g["link_text"].strip() or url, url))
            elif g["ref_name"] is not None:
                name = g["ref_name"]
                out.append(("target", name, re.sub(r"\s+", " ", name).strip().lower()))
            elif g["code"] is not None:
                out.append(("code", g["code"]))
            elif g["md_url"] is not None:
                out.append(("link", g["md_text"], g["md_url"]))
            elif g["strong"] is not None:
                out.append(("strong", g["strong"]))
            elif g["em"] is not None:
                out.append(("em", g["em"]))
            else:
                url = g["auto"] or g["url"]
                out.append(("link", url, url))
        if pos < len(text):
            out.append(("text", text[pos:]))
        return out

    @staticmethod
    def _role(role: str, text: str) -> tuple:
        label, target = text, text
        titled = re.match(r"^(.*?)\s*<([^<>]+)>$", text, re.DOTALL)
        if titled:
            label, target = titled.group(1) or titled.group(2), titled.group(2)
        if role == "ref":
            return ("ref", label, target)
        if role == "math":
            return ("code", text)
        if role in ("sup", "sub"):
            return (role, text)
        return ("text", label)  # :index:, :doc:, :download:, :term: ...


def parse(text: str | None) -> tuple[list[tuple], dict[str, str]]:
    """Doc text → (blocks, named link targets). Indentation is normalised first."""
    if not text or not text.strip():
        return [], {}
    parser = _Parser()
    blocks = parser.blocks(inspect.cleandoc(text).splitlines())
    return blocks, parser.targets


def safe_url(url: str) -> bool:
    """Only http(s) and relative URLs may become links (no javascript:, data:, //host)."""
    url = url.strip()
    if not url or any(ord(c) < 32 for c in url):
        return False
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return False
    if scheme in ("http", "https"):
        return True
    return scheme == "" and not url.startswith(("//", "\\")) and ":" not in url.split("/")[0]


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


class _Links:
    """Turns link-ish inline nodes into (label, href or None), sharing one policy for both
    output formats."""

    def __init__(self, targets: dict[str, str], resolve: Resolver | None):
        self.targets = targets
        self.resolve = resolve or (lambda _: None)

    def __call__(self, node) -> tuple[str, str | None]:
        kind = node[0]
        if kind == "ref":
            return node[1], self.resolve(node[2])
        if kind == "target":
            url = self.targets.get(node[2])
            return node[1], url if url and safe_url(url) else None
        label, url = node[1], node[2]
        if _DOI.match(url):
            url = "https://doi.org/" + url  # a bare DOI, as NXDL docs sometimes write them
        if not safe_url(url):
            return label, None
        if urlsplit(url).scheme == "":
            # A relative link is kept only when it names a page of this site: anything else
            # would be a broken link in the generated pages.
            return label, self.resolve(url)
        return label, url


# --- HTML ----------------------------------------------------------------------------------------

def _html_inlines(nodes, links: _Links) -> Markup:
    parts = []
    for node in nodes:
        kind = node[0]
        if kind == "text":
            parts.append(escape(node[1]))
        elif kind == "code":
            parts.append(Markup("<code>%s</code>") % node[1])
        elif kind in ("em", "strong", "sup", "sub"):
            parts.append(Markup("<%s>%s</%s>") % (Markup(kind), node[1], Markup(kind)))
        else:
            label, href = links(node)
            if href is None:
                parts.append(escape(label))
            else:
                external = urlsplit(href).scheme in ("http", "https")
                attrs = Markup(' rel="noopener noreferrer"') if external else Markup("")
                parts.append(Markup('<a href="%s"%s>%s</a>') % (href, attrs, label))
    return Markup("").join(parts)


def _html_blocks(blocks, links: _Links, tight: bool = False) -> Markup:
    out = []
    for block in blocks:
        kind = block[0]
        if kind == "para":
            body = _html_inlines(block[1], links)
            out.append(body if tight and len(blocks) == 1 else Markup("<p>%s</p>") % body)
        elif kind == "heading":
            out.append(Markup('<p class="doc-heading"><strong>%s</strong></p>')
                       % _html_inlines(block[1], links))
        elif kind == "code":
            language = Markup(' data-language="%s"') % block[2] if block[2] else Markup("")
            out.append(Markup("<pre%s><code>%s</code></pre>") % (language, block[1]))
        elif kind == "list":
            tag = Markup("ol" if block[1] else "ul")
            items = Markup("").join(Markup("<li>%s</li>") % _html_blocks(item, links, tight=True)
                                    for item in block[2])
            out.append(Markup("<%s>%s</%s>") % (tag, items, tag))
        elif kind == "quote":
            out.append(Markup("<blockquote>%s</blockquote>") % _html_blocks(block[1], links))
        elif kind == "note":
            out.append(Markup('<div class="note"><p class="note-title">%s</p>%s</div>')
                       % (_html_inlines(block[1], links), _html_blocks(block[2], links)))
        elif kind == "deflist":
            items = Markup("").join(
                Markup("<dt>%s</dt><dd>%s</dd>") % (_html_inlines(term, links),
                                                   _html_blocks(body, links, tight=True))
                for term, body in block[1])
            out.append(Markup("<dl>%s</dl>") % items)
    return Markup("\n").join(out)


def to_html(text: str | None, resolve: Resolver | None = None) -> Markup:
    """Doc text as safe HTML block markup (paragraphs, lists, code blocks, ...)."""
    blocks, targets = parse(text)
    return _html_blocks(blocks, _Links(targets, resolve))


def to_html_inline(text: str | None, resolve: Resolver | None = None) -> Markup:
    """Short doc text (a deprecation note, an enumeration item) as safe inline HTML."""
    blocks, targets = parse(text)
    links = _Links(targets, resolve)
    if len(blocks) == 1 and blocks[0][0] == "para":
        return _html_inlines(blocks[0][1], links)
    return _html_blocks(blocks, links)


# --- plain text -----------------------------------------------------------------------------------

def _plain_inlines(nodes) -> str:
    return "".join(node[1] for node in nodes)


def _plain_blocks(blocks) -> list[str]:
    out = []
    for block in blocks:
        kind = block[0]
        if kind in ("para", "heading"):
            out.append(_plain_inlines(block[1]))
        elif kind == "code":
            out.append(block[1])
        elif kind == "list":
            for item in block[2]:
                out += _plain_blocks(item)
        elif kind == "quote":
            out += _plain_blocks(block[1])
        elif kind == "note":
            out += [_plain_inlines(block[1])] + _plain_blocks(block[2])
        elif kind == "deflist":
            for term, body in block[1]:
                out += [_plain_inlines(term)] + _plain_blocks(body)
    return out


def to_plain(text: str | None) -> str:
    """Doc text without markup, on one line (for search and summaries)."""
    return re.sub(r"\s+", " ", " ".join(_plain_blocks(parse(text)[0]))).strip()


_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z(\"'`]|\s*$)")


def summary(text: str | None, limit: int = 200) -> str:
    """The first sentence of the first paragraph, as plain text."""
    blocks, _ = parse(text)
    first = next((b for b in blocks if b[0] == "para"), None)
    if first is None:
        return ""
    plain = re.sub(r"\s+", " ", _plain_inlines(first[1])).strip()
    end = _SENTENCE_END.search(plain)
    sentence = plain[:end.end()] if end else plain
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "…"
    return sentence


# --- Markdown --------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*\[\]|~])")


def md_escape(text: str) -> str:
    """Plain text for Markdown: no emphasis, links, tables or HTML tags can come out of it."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_code(text: str, table: bool = False) -> str:
    """An inline code span holding ``text`` exactly."""
    text = re.sub(r"\s*\n\s*", " ", text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    if table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C") \
        .replace(">", "%3E")


def _md_inlines(nodes, links: _Links, table: bool = False) -> str:
    parts = []
    for node in nodes:
        kind = node[0]
        if kind == "text":
            parts.append(md_escape(node[1]))
        elif kind == "code":
            parts.append(md_code(node[1], table))
        elif kind == "em":
            parts.append(f"*{md_escape(node[1])}*")
        elif kind == "strong":
            parts.append(f"**{md_escape(node[1])}**")
        elif kind in ("sup", "sub"):
            parts.append(f"<{kind}>{md_escape(node[1])}</{kind}>")
        else:
            label, href = links(node)
            parts.append(f"[{md_escape(label)}]({_md_url(href)})" if href else md_escape(label))
    return "".join(parts)


def _md_first_line_safe(text: str) -> str:
    """Escape what would turn a paragraph's start into a list, heading or quote."""
    return re.sub(r"^(\d+)([.)])(\s)", r"\1\\\2\3", re.sub(r"^([-+#])(\s|$)", r"\\\1\2", text))


def _md_blocks(blocks, links: _Links) -> list[str]:
    out = []
    for block in blocks:
        kind = block[0]
        if kind == "para":
            out.append(_md_first_line_safe(_md_inlines(block[1], links)))
        elif kind == "heading":
            out.append(f"**{_md_inlines(block[1], links)}**")
        elif kind == "code":
            longest = max((len(run) for run in re.findall(r"`{3,}", block[1])), default=2)
            fence = "`" * (longest + 1)
            out.append(f"{fence}{block[2]}\n{block[1]}\n{fence}")
        elif kind == "list":
            items = []
            for number, item in enumerate(block[2], start=1):
                marker = f"{number}. " if block[1] else "- "
                body = "\n\n".join(_md_blocks(item, links)) or "\u200b"
                items.append(marker + textwrap.indent(body, " " * len(marker)).lstrip(" "))
            out.append("\n".join(items))
        elif kind == "quote":
            out.append(_md_quote("\n\n".join(_md_blocks(block[1], links))))
        elif kind == "note":
            title = f"**{_md_inlines(block[1], links)}**"
            body = "\n\n".join([title] + _md_blocks(block[2], links))
            out.append(_md_quote(body))
        elif kind == "deflist":
            items = []
            for term, body in block[1]:
                text = "\n\n".join([f"**{_md_inlines(term, links)}**"] + _md_blocks(body, links))
                items.append("- " + textwrap.indent(text, "  ").lstrip(" "))
            out.append("\n".join(items))
    return out


def _md_quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def to_markdown(text: str | None, resolve: Resolver | None = None) -> str:
    """Doc text as Markdown blocks separated by blank lines."""
    blocks, targets = parse(text)
    return "\n\n".join(_md_blocks(blocks, _Links(targets, resolve)))


def to_markdown_cell(text: str | None, resolve: Resolver | None = None) -> str:
    """Doc text for one Markdown table cell: one line, blocks joined by <br>."""
    blocks, targets = parse(text)
    links = _Links(targets, resolve)
    return "<br>".join(_md_cell_blocks(blocks, links))


def _md_cell_blocks(blocks, links: _Links) -> list[str]:
    out = []
    for block in blocks:
        kind = block[0]
        if kind in ("para", "heading"):
            out.append(_md_inlines(block[1], links, table=True))
        elif kind == "code":
            out.append(md_code(block[1], table=True))
        elif kind == "list":
            for item in block[2]:
                out.append("• " + " ".join(_md_cell_blocks(item, links)))
        elif kind == "quote":
            out += _md_cell_blocks(block[1], links)
        elif kind == "note":
            out.append(f"**{_md_inlines(block[1], links, table=True)}**")
            out += _md_cell_blocks(block[2], links)
        elif kind == "deflist":
            for term, body in block[1]:
                out.append(f"**{_md_inlines(term, links, table=True)}**: "
                           + " ".join(_md_cell_blocks(body, links)))
    return out
