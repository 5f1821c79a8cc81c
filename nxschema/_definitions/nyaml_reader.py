"""nyaml (FAIRmat's YAML form of NeXus definitions) → model.

nyaml is what FAIRmat writes its definitions in; its ``nyaml`` tool turns them into NXDL. This
reader gives the model that reading that NXDL would give (tests compare the two on every FAIRmat
definition), so every face of nxschema works on nyaml files directly. The notation:

* the root holds ``category``, ``doc``, ``symbols``, ``type`` and the definition attributes,
  plus one key ``NXname(NXbase)`` whose mapping is the definition's body (``extends`` is
  NXobject when no base is written, as the nyaml tool does);
* in a body, ``name(NX_TYPE)`` or ``name`` is a field, ``name(NXclass)`` or ``(NXclass)`` a
  group, ``\\@name(NX_TYPE)`` an attribute, ``name(link)`` a link, ``name(choice)`` a choice;
* keywords: ``doc`` (text, or a list of parts, an ``xref:`` part included), ``unit``, ``type``,
  ``exists`` (``optional``, ``recommended``, ``required``, ``[min, N, max, M|infty|unbounded]``),
  ``nameType``, ``deprecated``, ``dimensions``/``dim`` (``(nx, ny)``, ``rank`` + ``dim``, or one
  mapping per index), ``enumeration`` (a list, or items with docs, ``open``/``open_enum``,
  ``items``), ``target``, ``napimount`` and NXDL's other field attributes.

Two dialects exist: nyaml 1.x writes every keyword with a backslash (``\\doc``, ``\\unit``) so a
member may be called ``doc``; older files (FAIRmat's definitions repository) write them bare.
A file that writes ``\\category`` at the root is read as 1.x; otherwise a bare keyword with a
scalar value is a keyword, as the older tool read it.

The ``# ++++ SHA HASH ++++`` trailer that nyaml appends (a hash of the YAML above it and the NXDL
it was converted to, as comments) is checked: when the YAML no longer matches the hash, the NXDL
in the trailer is stale, which is reported (``nyaml-stale``). The copyright comment of that NXDL
becomes the definition's header.

Doc text is shaped as the nyaml tool shapes it on the way to NXDL (a one-line doc longer than 80
characters is wrapped at 80, symbol docs at 70, ``%XX`` is unquoted), so the models compare equal.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from urllib.parse import unquote

from nxschema import model as m
from nxschema._definitions.bounds import int_problem
from nxschema._definitions.nxdl_reader import _int_or_text, clean_doc
from nxschema._definitions.nyaml_doc import mapping_chars, shaped_doc
from nxschema._definitions.yamlsource import PositionedData, read_positioned
from nxschema._findings import Finding, error, warning

TRAILER = "++ SHA HASH ++"
_TOP_KEY = re.compile(r"^(?:\(NX\w+\))?NX\w+(?:\(NX\w+\))?$")
# Greedy and with nothing after the key but the colon: a lazy key followed by \s* backtracked
# over a long line of spaces quadratically (minutes for a hostile megabyte); the key is
# stripped by the caller.
_TOP_LINE = re.compile(r"^(\\?[A-Za-z_@(][^:#]*):")
_SHORT_DIMS = re.compile(r"^\([A-Za-z0-9_, ]+\)$")
_NAME_TYPE = re.compile(r"^([^()]*)\(([^()]+)\)$")

# Keywords by element kind (without the backslash). Anything else is a member (or an error).
_COMMON = {"doc", "exists", "nameType", "deprecated", "optional", "recommended", "required",
           "minOccurs", "maxOccurs", "type"}
_FIELD = _COMMON | {"unit", "dimensions", "dim", "enumeration", "axes", "axis", "signal",
                    "primary", "long_name", "stride", "data_offset", "interpretation"}
_ATTRIBUTE = _COMMON | {"unit", "dimensions", "dim", "enumeration"}
_GROUP = _COMMON
_LINK = {"doc", "target", "napimount", "nameType", "deprecated", "exists"}
_ROOT = {"category", "doc", "symbols", "type", "deprecated", "ignoreExtraGroups",
         "ignoreExtraFields", "ignoreExtraAttributes", "restricts", "svnid"}
_BLOCKS = {"dimensions", "dim", "enumeration", "doc", "exists", "symbols"}  # may be non-scalar
_STRING_ATTRS = ("axes", "axis", "signal", "primary", "long_name", "stride", "data_offset",
                 "interpretation")


def looks_like_nyaml(text: str) -> bool:
    """Whether YAML ``text`` is nyaml rather than nxschema's own language, from its top lines.

    Ours always has a top-level ``name:`` and never a key such as ``NXfoo(NXobject):``; nyaml
    never has ``name:`` at the top and always has exactly such a key. Only lines that start in
    column 0 are looked at, so this costs no parsing.
    """
    nx_key = has_name = False
    for line in text.split("\n"):
        if not line or line[0] in " \t#-":
            continue
        match = _TOP_LINE.match(line)
        if not match:
            continue
        key = match.group(1).strip().strip("'\"")
        if key == "name":
            has_name = True
        elif _TOP_KEY.match(key.lstrip("\\")):
            nx_key = True
        elif key == "\\category":
            return True  # nyaml 1.x escapes root keywords; ours has no backslashes
    return nx_key and not has_name


def split_trailer(text: str) -> tuple[str, str | None, str | None]:
    """(YAML part, recorded hash, embedded NXDL) the way the nyaml tool separates them."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if TRAILER in line:
            # nyaml drops the line just before the marker (the blank one it wrote) from the hash
            yaml_part = "".join(lines[:max(i - 1, 0)])
            rest = lines[i + 1:]
            digest = rest[0].split("# ", 1)[-1].strip() if rest else None
            nxdl = "".join(x[2:] for x in rest[1:])
            return yaml_part, digest, nxdl or None
    return text, None, None


# --- the reader ------------------------------------------------------------------------------

class _Reader:
    def __init__(self, doc: PositionedData, escaped: bool):
        self.pos = doc
        self.escaped = escaped
        self.findings: list[Finding] = []
        self.category = "base"

    # The same signature as the NXDL reader's problem(node, code, ...): the code scan matches a
    # method by its name, so every problem() must take its code in the same place.
    def problem(self, path, code: str, message: str, severity: str = "error",
                key: bool = True) -> None:
        line, col = self.pos.where(path, key=key)
        self.findings.append(Finding(code, severity, message, file=self.pos.file, line=line,
                                     col=col))

    def integer(self, value, path):
        """``value`` as int when written as a plain integer, else as text; None after a
        ``too-large-integer`` finding, bounded as the NXDL and YAML readers bound it."""
        if value is None:
            return None
        text = str(value)
        problem = int_problem(text)
        if problem:
            self.problem(path, "too-large-integer", problem, key=False)
            return None
        return _int_or_text(text)

    def src(self, path) -> m.Source:
        line, col = self.pos.where(path, key=True)
        return m.Source(self.pos.file, line, col)

    def split(self, spec, path, allowed: set) -> tuple[dict, list]:
        """(keywords without backslash, [(member key, value, path)]) of one element's mapping."""
        keywords: dict = {}
        members: list = []
        if spec is None:
            return keywords, members
        if not isinstance(spec, dict):
            self.problem(path, "nyaml-syntax", "expected a mapping of keywords and members, not "
                         f"{type(spec).__name__}", key=False)
            return keywords, members
        for key, value in spec.items():
            key = str(key)
            here = path + (key,)
            if key.startswith("\\") and not key.startswith("\\@"):
                word = key[1:]
                if word in allowed:
                    keywords[word] = (value, here)
                else:
                    self.problem(here, "nyaml-keyword", f"unknown keyword {key!r}; allowed here: "
                                 f"{', '.join(sorted(allowed))}")
                continue
            bare_keyword = key in allowed and not self.escaped and (
                key in _BLOCKS and value is not None
                or value is not None and not isinstance(value, dict))
            # nyaml 1.x still reads NXDL's field attributes bare (axes: ..., signal: 1)
            bare_keyword |= self.escaped and key in allowed and key in _STRING_ATTRS \
                and value is not None and not isinstance(value, dict)
            if bare_keyword:
                keywords[key] = (value, here)
            else:
                members.append((key, value, here))
        return keywords, members

    # --- pieces ------------------------------------------------------------------------------

    def doc(self, keywords, *, twice: bool = False):
        if "doc" not in keywords:
            return None
        value, path = keywords["doc"]
        if value is None:
            return ""  # ``doc:`` with nothing (or only a comment) after it: an empty <doc/>
        if not isinstance(value, (str, list, int, float)) or isinstance(value, bool):
            self.problem(path, "nyaml-syntax", "doc must be text or a list of texts")
            return None
        return shaped_doc(value, self.escaped, twice=twice)

    def text(self, keywords, word):
        if word not in keywords:
            return None
        value, _ = keywords[word]
        if value is None or value == "" or isinstance(value, (dict, list)):
            return None
        return unquote(mapping_chars(value, self.escaped))

    def occurs(self, keywords, word):
        text = self.text(keywords, word)
        if text is None:
            return None
        if text.isdigit():
            return int(text)
        if text == "unbounded" and word == "maxOccurs":
            return text
        self.problem(keywords[word][1], "nyaml-syntax",
                     f"{word} must be a non-negative integer", key=False)
        return None

    def boolean(self, keywords, word):
        text = self.text(keywords, word)
        if text is None:
            return None
        if text.lower() in ("true", "1", "false", "0"):
            return text.lower() in ("true", "1")
        self.problem(keywords[word][1], "nyaml-syntax", f"{word} must be true or false", key=False)
        return None

    def exists(self, keywords, *, occurs: bool = True) -> dict:
        """NXDL's optional/recommended/minOccurs/maxOccurs from ``exists``."""
        out = {"optional": self.boolean(keywords, "optional"),
               "recommended": self.boolean(keywords, "recommended")}
        if occurs:
            out["min_occurs"] = self.occurs(keywords, "minOccurs")
            out["max_occurs"] = self.occurs(keywords, "maxOccurs")
        if "required" in keywords and self.boolean(keywords, "required"):
            out["optional"] = False
        if "exists" not in keywords:
            return out
        value, path = keywords["exists"]
        if isinstance(value, list):
            pairs = dict(zip(map(str, value[::2]), map(str, value[1::2])))
            if len(value) not in (2, 4) or not set(pairs) <= {"min", "max"} \
                    or len(pairs) * 2 != len(value):
                self.problem(path, "nyaml-syntax",
                             "exists takes optional, recommended, required, [min, N], "
                             "[max, N] or [min, N, max, M]", key=False)
                return out
            if not occurs:
                self.problem(path, "nyaml-ignored",
                             "exists with min/max has no meaning on this element; "
                             "the NXDL would not pass nxdl.xsd",
                             severity="warning", key=False)
                return out
            for word, text in pairs.items():
                text = "unbounded" if text in ("infty", "unbounded") else text
                if text == "unbounded" and word == "max":
                    out["max_occurs"] = text
                elif text.isdigit():
                    out["min_occurs" if word == "min" else "max_occurs"] = int(text)
                else:
                    self.problem(path, "nyaml-syntax",
                                 f"exists: {word} must be a non-negative integer",
                                 key=False)
        elif value == "optional":
            out["optional"] = True
        elif value == "recommended":
            out["recommended"] = True
        elif value == "required":
            out["optional"] = False
        elif value:
            if occurs:  # what the nyaml tool does with any other word
                out["min_occurs"] = 0
            self.problem(path, "nyaml-ignored",
                         f"exists: {value!r} is not optional, recommended or required",
                         severity="warning", key=False)
        return out

    def dimensions(self, keywords) -> m.Dimensions | None:
        word = "dimensions" if "dimensions" in keywords else "dim" if "dim" in keywords else None
        if word is None:
            return None
        value, path = keywords[word]
        src = self.src(path)
        if isinstance(value, str):
            return self._short_dims(value, path, src, rank_from_count=True)
        if not isinstance(value, dict):
            self.problem(path, "nyaml-syntax",
                         "dimensions must be '(a, b)' or a mapping", key=False)
            return None
        value = {str(k).lstrip("\\"): v for k, v in value.items()}
        doc = value.get("doc")
        doc = clean_doc("\n" + str(doc)) if doc is not None else None
        rank = value.get("rank")
        rank = None if rank is None else self.integer(mapping_chars(rank), path + ("rank",))
        indexed = {k: v for k, v in value.items() if k.isdigit()}
        extra = set(value) - {"rank", "doc", "dim"} - set(indexed)
        if extra:
            self.problem(path, "nyaml-keyword",
                         f"dimensions has no keyword {min(extra)!r}; allowed: rank, "
                         "doc, dim, or one mapping per index", key=False)
        if indexed:
            dims = []
            for index, spec in indexed.items():
                if spec is not None and not isinstance(spec, dict):
                    self.problem(path + (index,), "nyaml-syntax",
                                 f"dim {index} must be a mapping of value, "
                                 "ref, refindex, incr, required", key=False)
                    continue
                spec = {str(k).lstrip("\\"): v for k, v in (spec or {}).items()}
                attrs = {k: mapping_chars(v) for k, v in spec.items() if k != "doc"}
                dims.append(m.Dim(
                    value=self.integer(attrs.get("value"), path + (index,)), index=index,
                    ref=attrs.get("ref"),
                    refindex=attrs.get("refindex"), incr=attrs.get("incr"),
                    required=None if "required" not in attrs else attrs["required"] == "true",
                    source=self.src(path + (index,))))
            return m.Dimensions(rank=rank, dims=tuple(dims), doc=doc, source=src)
        dim = value.get("dim")
        if isinstance(dim, str):
            short = self._short_dims(dim, path, src, rank_from_count=False)
            return m.replace(short, rank=rank, doc=doc) if short else None
        if isinstance(dim, list):
            dims = []
            for entry in dim:
                if not (isinstance(entry, list) and len(entry) == 2):
                    self.problem(path, "nyaml-syntax",
                                 "each entry of dim must be [index, value]", key=False)
                    continue
                dims.append(m.Dim(value=self.integer(entry[1], path), index=str(entry[0]),
                                  source=src))
            return m.Dimensions(rank=rank, dims=tuple(dims), doc=doc, source=src)
        return m.Dimensions(rank=rank, doc=doc, source=src)

    def _short_dims(self, text, path, src, *, rank_from_count):
        if not self.escaped and text.startswith("(") and text.endswith(")"):
            # the older tool took any text between the parentheses: (tof+1,), (nA + nB,)
            names = [x.strip() for x in text[1:-1].split(",") if x.strip()]
            dims = tuple(m.Dim(value=self.integer(v, path), index=str(i), source=src)
                         for i, v in enumerate(names, start=1))
            return m.Dimensions(rank=len(names) if rank_from_count else None, dims=dims,
                                source=src)
        if not _SHORT_DIMS.match(text):
            self.problem(path, "nyaml-ignored",
                         f"dimensions {text!r} is not of the form (a, b): the nyaml tool "
                         "writes no dimensions for it", severity="warning",
                         key=False)
            return None
        names = [x for x in text[1:-1].replace(" ", "").split(",") if x]
        dims = tuple(m.Dim(value=self.integer(v, path), index=str(i), source=src)
                     for i, v in enumerate(names, start=1))
        return m.Dimensions(rank=len(names) if rank_from_count else None, dims=dims, source=src)

    def enumeration(self, keywords) -> m.Enumeration | None:
        if "enumeration" not in keywords:
            return None
        value, path = keywords["enumeration"]
        src = self.src(path)
        if isinstance(value, list):
            return m.Enumeration(tuple(m.EnumItem(str(v), source=src) for v in value),
                                 source=src)
        if not isinstance(value, dict) or not value:
            self.problem(path, "nyaml-syntax",
                         "enumeration must be a list or a mapping of items", key=False)
            return None
        value = dict(value)
        open_ = None
        for word in ("\\open", "open", "open_enum", "\\open_enum"):
            if word in value:
                open_ = mapping_chars(value.pop(word)) == "true"
        for word in ("\\items", "items"):
            if word in value and isinstance(value[word], list):
                return m.Enumeration(tuple(m.EnumItem(str(v), source=src)
                                           for v in value[word]), open_, src)
        items = []
        for key, spec in value.items():
            doc = None
            if isinstance(spec, dict):
                inner = {str(k).lstrip("\\"): v for k, v in spec.items()}
                doc = shaped_doc(inner["doc"], self.escaped) if "doc" in inner \
                    else None
            items.append(m.EnumItem(str(key), doc, self.src(path + (key,))))
        return m.Enumeration(tuple(items), open_, src)

    # --- elements ----------------------------------------------------------------------------

    def body(self, members, parent_path) -> tuple[tuple, tuple]:
        out, attributes = [], []
        for key, value, path in members:
            built = self.member(key, value, path)
            if isinstance(built, m.Attribute):
                attributes.append(built)
            elif built is not None:
                out.append(built)
        return tuple(out), tuple(attributes)

    def member(self, key: str, value, path):
        if key.startswith("\\@"):
            return self.attribute(key[2:], value, path)
        name, kind = key, None
        if "(" in key or ")" in key:
            match = _NAME_TYPE.match(key)
            if not match:
                self.problem(path, "nyaml-syntax",
                             f"{key!r} is not name(type): one pair of parentheses")
                return None
            name, kind = match.group(1), match.group(2)
        if kind == "link":
            return self.link(name, value, path)
        if kind == "choice":
            return self.choice(name, value, path)
        if name == "symbols" and kind is None and isinstance(value, dict):
            self.problem(path, "nyaml-ignored",
                         "symbols belong at the root of a definition; these are ignored",
                         severity="warning")
            return None
        if kind and re.match(r"NX[a-zA-Z]", kind):
            return self.group(name or None, kind, value, path)
        if not name:
            self.problem(path, "nyaml-syntax", f"{key!r}: a field needs a name")
            return None
        return self.field(name, kind, value, path)

    def field(self, name, nx_type, spec, path) -> m.Field:
        keywords, members = self.split(spec, path, _FIELD)
        _, attributes = self.body([x for x in members if x[0].startswith("\\@")], path)
        for key, _, here in members:
            if not key.startswith("\\@"):
                self.problem(here, "nyaml-keyword",
                             f"a field holds attributes (\\@name) and keywords, not "
                             f"{key!r}")
        strings = {word: self.text(keywords, word) for word in _STRING_ATTRS}
        return m.Field(
            name, type=self.text(keywords, "type") or nx_type, units=self.text(keywords, "unit"),
            doc=self.doc(keywords), dimensions=self.dimensions(keywords),
            enumeration=self.enumeration(keywords), attributes=attributes,
            deprecated=self.text(keywords, "deprecated"),
            name_type=self.text(keywords, "nameType"), source=self.src(path),
            **strings, **self.exists(keywords))

    def attribute(self, key, spec, path) -> m.Attribute | None:
        match = _NAME_TYPE.match(key)
        name, nx_type = (match.group(1), match.group(2)) if match else (key, None)
        keywords, members = self.split(spec, path, _ATTRIBUTE)
        for member, _, here in members:
            self.problem(here, "nyaml-keyword", f"an attribute holds keywords only, not {member!r}")
        return m.Attribute(
            name, type=self.text(keywords, "type") or nx_type, units=self.text(keywords, "unit"),
            doc=self.doc(keywords, twice=True), enumeration=self.enumeration(keywords),
            dimensions=self.dimensions(keywords), deprecated=self.text(keywords, "deprecated"),
            name_type=self.text(keywords, "nameType"), source=self.src(path),
            **self.exists(keywords, occurs=False))

    def group(self, name, nx_class, spec, path) -> m.Group:
        keywords, members = self.split(spec, path, _GROUP)
        body, attributes = self.body(members, path)
        return m.Group(
            self.text(keywords, "type") or nx_class, name, doc=self.doc(keywords),
            members=body, attributes=attributes, deprecated=self.text(keywords, "deprecated"),
            name_type=self.text(keywords, "nameType"), source=self.src(path),
            **self.exists(keywords))

    def link(self, name, spec, path) -> m.Link | None:
        keywords, members = self.split(spec, path, _LINK)
        for member, _, here in members:
            self.problem(here, "nyaml-keyword",
                         f"a link holds target, napimount and doc, not {member!r}")
        target = self.text(keywords, "target")
        if target is None:
            self.problem(path, "nyaml-syntax", f"the link {name!r} needs a target")
            return None
        if "exists" in keywords:
            self.problem(keywords["exists"][1], "nyaml-ignored",
                         "exists on a link is not carried to NXDL by the "
                         "nyaml tool; it is ignored", severity="warning")
        return m.Link(name, target, doc=self.doc(keywords),
                      napimount=self.text(keywords, "napimount"),
                      deprecated=self.text(keywords, "deprecated"), source=self.src(path))

    def choice(self, name, spec, path) -> m.Choice | None:
        keywords, members = self.split(spec, path, {"doc"})
        groups = []
        for key, value, here in members:
            built = self.member(key, value, here)
            if isinstance(built, m.Group):
                groups.append(built)
            elif built is not None:
                self.problem(here, "nyaml-keyword", "a choice holds groups only")
        if len(groups) < 2:
            self.problem(path, "nyaml-syntax", "a choice needs at least two groups")
        return m.Choice(name, tuple(groups), self.doc(keywords), self.src(path))

    def symbols(self, keywords):
        if "symbols" not in keywords:
            return (), None
        value, path = keywords["symbols"]
        if not isinstance(value, dict):
            self.problem(path, "nyaml-syntax",
                         "symbols must be a mapping of symbol: doc", key=False)
            return (), None
        out, doc = [], None
        for key, text in value.items():
            key = str(key)
            if key.lstrip("\\") == "doc":
                # nyaml 1.x refills the symbols doc at 70 columns; older versions kept it
                text = textwrap.fill(str(text), width=70) if self.escaped else str(text)
                doc = clean_doc(unquote("\n" + text + "\n"))
                continue
            out.append(m.Symbol(key, shaped_doc(text, self.escaped),
                                self.src(path + (key,))))
        return tuple(out), doc

    def definition(self, header: str | None) -> m.Definition | None:
        data = self.pos.data
        keywords, members = self.split(data, (), _ROOT)
        tops = [x for x in members if _TOP_KEY.match(x[0])]
        for key, _, here in members:
            if not _TOP_KEY.match(key):
                self.problem(here, "nyaml-keyword",
                             f"the root holds category, doc, symbols, type, the definition "
                             f"attributes and one NXname(NXbase) key, not {key!r}")
        if len(tops) != 1:
            self.problem((), "nyaml-syntax",
                         "a nyaml definition has exactly one NXname(NXbase) key at the root, "
                         f"found {len(tops)}", key=False)
            return None
        category = self.text(keywords, "category")
        if category not in ("base", "application"):
            self.problem(keywords.get("category", (None, ()))[1], "nyaml-syntax",
                         "category must be base or application", key=False)
            return None
        self.category = category
        if "doc" not in keywords:
            self.problem((), "nyaml-ignored",
                         "a nyaml definition needs a doc at the root",
                         severity="warning", key=False)
        key, body, path = tops[0]
        match = _NAME_TYPE.match(key)
        if key.startswith("("):
            extends, name = key[1:key.index(")")], key[key.index(")") + 1:]
        elif match:
            name, extends = match.group(1), match.group(2)
        else:  # nyaml 1.x writes extends="NXobject" then; the older tool wrote no extends
            name, extends = key, "NXobject" if self.escaped else None
        _, inner = self.split(body, path, set())
        members_, attributes = self.body(inner, path)
        symbols, symbols_doc = self.symbols(keywords)
        return m.Definition(
            name=name, category=category, extends=extends, doc=self.doc(keywords),
            symbols=symbols, symbols_doc=symbols_doc, members=members_, attributes=attributes,
            ignore_extra_groups=self.boolean(keywords, "ignoreExtraGroups"),
            ignore_extra_fields=self.boolean(keywords, "ignoreExtraFields"),
            ignore_extra_attributes=self.boolean(keywords, "ignoreExtraAttributes"),
            deprecated=self.text(keywords, "deprecated"), restricts=self.text(keywords,
                                                                             "restricts"),
            svnid=self.text(keywords, "svnid"), header=header, source=self.src(path))


def _trailer_header(nxdl: str | None) -> str | None:
    if not nxdl:
        return None
    from nxschema._definitions.nxdl_reader import read_nxdl

    definition, _ = read_nxdl(nxdl, "trailer")
    return definition.header if definition is not None else None


def read_nyaml(text: str, file: str) -> tuple[m.Definition | None, list[Finding]]:
    """Parse one nyaml definition (FAIRmat's YAML form, as the ``nyaml`` tool reads it).

    Args:
        text: the nyaml text; a ``# ++++ SHA HASH ++++`` trailer with the tool's NXDL may follow.
        file: the name findings give as its place (``file:line:col``).

    Returns:
        ``(definition, findings)``: the definition, the same model :func:`read_nxdl` gives for
        the NXDL the tool makes of it, or None when the text cannot be read as one.

    Never raises for bad input: every problem is a finding (``nyaml-syntax``,
    ``nyaml-keyword``, ``nyaml-ignored`` ...), with its position.
    """
    yaml_part, digest, nxdl = split_trailer(text)
    doc, findings = read_positioned(text, file)
    if doc.data is None:
        return None, findings
    if not isinstance(doc.data, dict):
        return None, findings + [error("nyaml-syntax", "a nyaml definition is a mapping "
                                       "(category, doc, NXname(NXbase))", file=file, line=1,
                                       col=1)]
    escaped = any(str(k).startswith("\\") and not str(k).startswith("\\@") for k in doc.data)
    reader = _Reader(doc, escaped)
    definition = reader.definition(_trailer_header(nxdl))
    findings += reader.findings
    if digest and hashlib.sha256(yaml_part.encode("utf-8")).hexdigest() != digest:
        line = text[:text.find(TRAILER)].count("\n") + 1
        findings.append(warning(
            "nyaml-stale", "the YAML was changed after the NXDL in this trailer was made from "
            "it (the SHA-256 no longer matches): the nyaml tool will regenerate the NXDL",
            file=file, line=line, col=1))
    return definition, findings
