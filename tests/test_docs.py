"""nxschema docs: pages from the shipped and official definitions, safe markup, templates that
can be replaced, Markdown output, and the committed docs/reference kept up to date."""

from __future__ import annotations

import filecmp
import html
import re
import runpy
import textwrap
from pathlib import Path

import h5py
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitelinks import broken_links

import nxschema
from nxschema._write.layout import EXAMPLE_UNITS
from nxschema._cli.main import main
from nxschema._docs import build_docs, markup
from nxschema._docs.example import skeleton
from nxschema._docs.pages import Site, safe_stems

REPO = Path(__file__).resolve().parents[1]
DEFINITIONS = REPO / "definitions"
REFERENCE = REPO / "docs" / "reference"
NXDL = REPO.parent / "shared" / "nxdl"
REBUILD = "nxschema docs definitions/ --no-bundled --format markdown -o docs/reference"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    catalog = nxschema.load(DEFINITIONS, bundled=False, strict=False)
    assert not catalog.findings, catalog.findings
    build_docs(catalog, out)
    return out


# --- markup ------------------------------------------------------------------------------------

def test_rst_constructs_render_to_html():
    text = """\
        A ``literal`` and `a link <https://example.org/x>`_, see :ref:`NXdata` or
        :ref:`the data <NXdata/DATA-field>` and :math:`x^2`.

        * first item
        * second item with ``code``
          over two lines

        .. code-block:: python

            print("<b>")

        .. note:: Mind the gap.
    """
    rendered = markup.to_html(text, lambda target: "NXdata.html" if "NXdata" in target else None)
    assert "<code>literal</code>" in rendered
    assert '<a href="https://example.org/x" rel="noopener noreferrer">a link</a>' in rendered
    assert '<a href="NXdata.html">NXdata</a>' in rendered
    assert '<a href="NXdata.html">the data</a>' in rendered
    assert "<code>x^2</code>" in rendered
    assert re.search(r"<ul><li>first item</li><li>second item with <code>code</code> "
                     r"over two lines</li></ul>", rendered)
    assert '<pre data-language="python"><code>print(&#34;&lt;b&gt;&#34;)</code></pre>' in rendered
    assert '<div class="note"><p class="note-title">Note</p><p>Mind the gap.</p></div>' in rendered
    assert rendered.count("<p>") == 2  # two paragraphs: text, and the note's


def test_markdown_constructs_render_to_html():
    text = "Use `h5py` and [the docs](https://docs.h5py.org/).\n\n- one\n- two\n\n" \
           "```\nraw <code>\n```\n\nLast *word*."
    rendered = markup.to_html(text)
    assert "<p>Use <code>h5py</code> and <a href=\"https://docs.h5py.org/\"" in rendered
    assert "<ul><li>one</li><li>two</li></ul>" in rendered
    assert "<pre><code>raw &lt;code&gt;</code></pre>" in rendered
    assert "<p>Last <em>word</em>.</p>" in rendered


def test_rst_literal_block_definition_list_and_heading():
    text = "Example::\n\n    a = 1\n    b = 2\n\nterm\n    its meaning\n\nTitle\n=====\n"
    rendered = markup.to_html(text)
    assert "<p>Example:</p>\n<pre><code>a = 1\nb = 2</code></pre>" in rendered
    assert "<dl><dt>term</dt><dd>its meaning</dd></dl>" in rendered
    assert '<p class="doc-heading"><strong>Title</strong></p>' in rendered


@pytest.mark.parametrize("text", [
    "[click](javascript:alert(1))",
    "`click <javascript:alert(1)>`_",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](//evil.example/x)",
    "[click](JaVaScRiPt:alert(1))",
])
def test_only_http_and_relative_links(text):
    rendered = markup.to_html(text, lambda target: None)
    assert "href" not in rendered
    assert "<script" not in rendered
    assert "click" in rendered


_PIECES = ["<script>", "</script>", "<img src=x onerror=alert(1)>", "<", ">", "&", '"', "'",
           "`", "``", "*", "**", "[", "](", ")", "javascript:", "data:", "//", "http://x.org/a",
           "<https://y.org>", ":ref:", ":math:", "`_", "_", " ", "\n", "\n\n", "- ", "* ",
           "1. ", ".. code-block::", ".. note::", ".. _t:", "    ", "::", "text", "NXdata", "#",
           "|", "===", "```"]
_OUR_TAGS = re.compile(r'</?(p|code|pre|ul|ol|li|a|em|strong|sup|sub|blockquote|div|dl|dt|dd)'
                       r'( (href|rel|class|data-language)="[^"<>]*")*>')


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_html_markup_lets_no_markup_of_the_text_through(text):
    rendered = markup.to_html(text, lambda target: "NXdata.html" if target == "NXdata" else None)
    leftover = _OUR_TAGS.sub("", rendered)
    assert "<" not in leftover and ">" not in leftover and '"' not in leftover, rendered
    for href in re.findall(r'href="([^"]*)"', rendered):
        assert href.startswith(("http://", "https://")) or href == "NXdata.html", rendered


def test_relative_links_only_to_pages_of_the_site():
    resolve = {"NXentry.md": "NXentry.html"}.get
    assert 'href="NXentry.html"' in markup.to_html("[entry](NXentry.md)", resolve)
    assert "href" not in markup.to_html("[gone](../images/missing.png)", resolve)
    # A bare DOI, as some NXDL docs write them, becomes a doi.org link.
    assert 'href="https://doi.org/10.1039/c6ra04656h"' in markup.to_html(
        "`Manz <10.1039/c6ra04656h>`_")


def test_markup_to_markdown():
    text = "A ``literal`` | pipe, *emphasis*, <b>tag</b> and `a <https://x.org>`_.\n\n" \
           "* one\n* two\n\n.. code-block::\n\n    x = 1\n"
    md = markup.to_markdown(text)
    assert md.startswith("A `literal` \\| pipe, *emphasis*, &lt;b&gt;tag&lt;/b&gt; and "
                         "[a](https://x.org).")
    assert "\n\n- one\n- two\n\n```\nx = 1\n```" in md
    assert markup.to_markdown_cell("para one\n\npara `a|b`") == "para one<br>para `a\\|b`"


def test_summary_is_the_first_sentence():
    assert markup.summary("One measurement, e.g. a scan. More text.\n\nSecond.") == \
        "One measurement, e.g. a scan."
    assert markup.summary(None) == ""


# --- HTML site -----------------------------------------------------------------------------------

def test_script_in_a_doc_shows_as_text(tmp_path):
    write(tmp_path, "defs/NXevil.yaml", """\
        name: NXevil
        category: base
        doc: <script>alert(1)</script> and [x](javascript:alert(2))
        members:
          "x":
            doc: <img src=x onerror=alert(3)>
            enumeration: ["<b>bold</b>"]
    """)
    catalog = nxschema.load(tmp_path / "defs", bundled=False, strict=False)
    build_docs(catalog, tmp_path / "site")
    page = (tmp_path / "site" / "NXevil.html").read_text()
    index = (tmp_path / "site" / "index.html").read_text()
    for text in (page, index):
        assert "<script>alert" not in text and "<img src=x" not in text
        assert 'href="javascript' not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    build_docs(catalog, tmp_path / "md", fmt="markdown")
    md = (tmp_path / "md" / "NXevil.md").read_text()
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md


def test_index_groups_by_category(shipped_site):
    index = (shipped_site / "index.html").read_text()
    sections = re.findall(r'<section class="category" id="category-(\w+)">(.*?)</section>',
                          index, re.DOTALL)
    assert [name for name, _ in sections] == ["base", "application", "layout", "process"]
    listed = {name: re.findall(r'<li data-search="[^"]*"><a href="([^"]+)\.html">', body)
              for name, body in sections}
    assert "NXentry" in listed["base"] and "NXdata" in listed["base"]
    assert "NXxas" in listed["application"] and "NXxas-subentry" in listed["application"]
    assert listed["layout"] == ["NXesrf_raw"]
    assert "NXesrf_process_v2" in listed["process"]
    assert '<input type="search" id="search"' in index
    # One-line summary: the first sentence of the doc.
    summary = markup.summary(nxschema.load(DEFINITIONS, bundled=False)["NXentry"].doc)
    assert f'<span class="summary">{html.escape(summary, quote=False)}</span>' in index


def test_definition_page(shipped_site):
    page = (shipped_site / "NXxas-subentry.html").read_text()
    assert "<h1>NXxas@subentry " in page
    assert 'class="node field required"' in page  # requirement shown by style
    assert '<a href="NXsubentry.html">NXsubentry</a>' in page  # base class of a group
    assert 'title="nP: number of energy points"' in page  # symbols explained
    assert '<tr id="/SUBENTRY/energy-field"' in page  # NXDL-style anchors
    assert "<details open>" in page
    entry = (shipped_site / "NXentry.html").read_text()
    assert 'Inheritance</dt>\n<dd class="chain"><strong>NXentry</strong> → ' \
           '<a href="NXobject.html">NXobject</a>' in entry
    assert "from <a href=\"NXobject.html\">NXobject</a>" in entry  # inherited members marked


def test_personal_data_and_domain_are_shown(tmp_path):
    write(tmp_path, "defs/NXp.yaml", """\
        name: NXp
        category: base
        domain: user
        members:
          owner:
            personal: true
            doc: Who owns it.
          count:
            type: NX_INT
            domain: acquisition
    """)
    build_docs(nxschema.load(tmp_path / "defs", bundled=False), tmp_path / "site")
    page = (tmp_path / "site" / "NXp.html").read_text()
    assert '<section id="personal">' in page and 'href="#/owner-field"' in page
    assert '<span class="badge personal">personal</span>' in page
    assert "<dt>Domain</dt><dd>user</dd>" in page
    assert '<span class="">acquisition</span>' in page
    assert '<span class="muted">user</span>' in page  # inherited from the definition


def test_no_broken_internal_links(shipped_site):
    assert broken_links(shipped_site) == []


def test_safe_file_names():
    stems = safe_stems(["NXxas", "NXxas@subentry", "index", "NXa", "nxa", "../x"])
    assert stems["NXxas@subentry"] == "NXxas-subentry"
    assert stems["index"] == "index-2"  # the index page keeps its name
    assert stems["NXa"].lower() != stems["nxa"].lower()  # case-insensitive disks
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", s) and not s.startswith(".")
               for s in stems.values())


def test_every_example_script_runs_and_its_file_validates(tmp_path, monkeypatch):
    """The script on every page of the shipped definitions writes a file with 0 errors."""
    catalog = nxschema.load(DEFINITIONS, bundled=False)
    site = Site(catalog, ".md")
    assert len(site.pages) == len(catalog) >= 29
    for page in site.pages:
        folder = tmp_path / page.stem
        folder.mkdir()
        monkeypatch.chdir(folder)
        runpy.run_path(str(write(folder, "example.py", page.skeleton)))
        files = list(folder.glob("*.h5"))
        assert len(files) == 1, (page.key, files)
        report = nxschema.validate(files[0], definitions=catalog)
        assert not report.errors, (page.key, [str(f) for f in report.errors])
        with h5py.File(files[0], "r") as f:
            names = []
            f.visit(names.append)
            # Partial names are made real, never written as is.
            assert not [n for n in names if re.search(r"GROUPNAME|FIELDNAME|NAME\b", n)], \
                (page.key, names)


def test_example_scripts_place_subentries_and_process_forms(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    catalog = nxschema.load(DEFINITIONS, bundled=False)
    for key in ("NXxas@subentry", "NXesrf_process_v1"):
        runpy.run_path(str(write(tmp_path, f"{key}.py", skeleton(catalog[key], catalog, key))))
    with h5py.File(tmp_path / "NXxas_subentry.h5", "r") as f:
        assert f["entry"].attrs["NX_class"] == "NXentry"  # the subentry sits in an NXentry
        sub = f["entry/xas"]
        assert sub.attrs["NX_class"] == "NXsubentry"
        assert sub["definition"][()] == b"NXxas"
        assert sub["energy"].shape == (10,)
        assert sub["energy"].attrs["units"] == EXAMPLE_UNITS["NX_ENERGY"]
        assert list(f) == ["entry"]
    with h5py.File(tmp_path / "NXesrf_process_v1.h5", "r") as f:
        process = f["entry/process"]
        assert process.attrs["NX_class"] == "NXprocess"
        # Only the form's own required members: nothing inherited from NXprocess/NXobject.
        assert set(process) == {"program", "version", "configuration", "results"}


def test_process_form_pages_show_no_inherited_member_as_required(tmp_path):
    """Requirement on a page is the validator's: inherited base-class members are optional."""
    catalog = nxschema.load(DEFINITIONS, bundled=False)
    site = Site(catalog, ".html")
    process_pages = [p for p in site.pages if p.definition.category == "process"]
    assert len(process_pages) >= 3
    for page in process_pages:
        inherited = [n for n in page.nodes if n.inherited_from]
        assert {n.label for n in inherited} >= {"(NXparameters)", "GROUPNAME_log",
                                               "FIELDNAME_set", "identifierNAME"}, page.key
        required = [n.label for n in inherited if n.requirement == "required"]
        assert not required, (page.key, required)
        own = {n.label: n.requirement for n in page.nodes if not n.inherited_from}
        assert own["program"] == "required", page.key  # the form's own rules still are
    # The same members on the NXprocess page itself are what NXprocess says (optional there).
    html_page = tmp_path / "site"
    build_docs(catalog, html_page)
    text = (html_page / "NXesrf_process_v1.html").read_text()
    row = re.search(r'id="/FIELDNAME_set-field".*?</li>', text, re.DOTALL)
    assert row and "required" not in row.group(), row
    plans = nxschema.compile_plan(catalog)
    form = next(p for p in plans.process_forms() if p.definition == "NXesrf_process_v1")
    assert {name for name, spec in form.named.items() if spec.requirement == "required"} == \
        {n.label for n in site.by_key["NXesrf_process_v1"].nodes if n.requirement == "required"
         and n.kind != "choice"}


def test_findings_page_lists_every_code(shipped_site):
    page = (shipped_site / "findings.html").read_text()
    for code in nxschema._codes.all_codes():
        assert f'<tr id="code-{code}">' in page


def test_template_override(tmp_path):
    catalog = nxschema.load(DEFINITIONS, bundled=False)
    templates = write(tmp_path, "templates/field.html.j2",
                      '<li class="mine">{{ node.label }} is mine</li>\n').parent
    write(templates, "nxschema.css", "body { color: red }\n")
    build_docs(catalog, tmp_path / "ours")
    build_docs(catalog, tmp_path / "theirs", templates=templates)
    ours = (tmp_path / "ours" / "NXxas-subentry.html").read_text()
    theirs = (tmp_path / "theirs" / "NXxas-subentry.html").read_text()
    assert '<li class="mine">energy is mine</li>' in theirs and "is mine" not in ours
    assert (tmp_path / "theirs" / "_static" / "nxschema.css").read_text() == \
        "body { color: red }\n"
    # Only the field template was replaced: the rest of the page is ours.
    tree = re.compile(r'<ul class="tree">.*?</ul>\n</section>', re.DOTALL)
    assert tree.sub("", ours) == tree.sub("", theirs)


def test_markdown_output(tmp_path):
    catalog = nxschema.load(DEFINITIONS, bundled=False)
    written = build_docs(catalog, tmp_path, fmt="markdown")
    assert {p.name for p in written} == {f"{s}.md" for s in ["index", "findings"] + [
        re.sub(r"@", "-", k) for k in catalog]}
    index = (tmp_path / "index.md").read_text()
    assert "## Base classes\n" in index and "## Raw-data layouts\n" in index
    assert "| [NXxas@subentry](NXxas-subentry.md) |" in index
    page = (tmp_path / "NXxas-subentry.md").read_text()
    assert "## Members\n\n| Member | Kind |" in page
    assert "    - **energy** (field) `NX_FLOAT` `[nP]` `NX_ENERGY` — required" in page
    assert "```python\nimport h5py\n" in page
    for md in tmp_path.glob("*.md"):  # every relative link points at a page that exists
        for target in re.findall(r"\]\(([^)#]+\.md)", md.read_text()):
            assert (tmp_path / target).is_file(), (md.name, target)
        assert_tables_are_whole(md)


def assert_tables_are_whole(md: Path) -> None:
    """Every row of a Markdown table has as many cells as its header: no pipe from the text
    splits a cell (GitHub splits at an unescaped | even inside a code span)."""
    cells, fenced = None, False
    for number, line in enumerate(md.read_text().splitlines(), start=1):
        fenced ^= line.startswith("```")
        if fenced or not line.startswith("|"):
            cells = None
            continue
        count = len(re.findall(r"(?<!\\)\|", line))
        cells = cells or count
        assert count == cells, f"{md.name}:{number}: {line}"


def test_markdown_escapes_pipes_and_markup(tmp_path):
    write(tmp_path, "defs/NXpipes.yaml", """\
        name: NXpipes
        category: base
        doc: "a | b, `c | d` and *e*"
        members:
          "x":
            doc: |
              one | two

              - `x|y`
            enumeration: ["a|b", "<i>"]
    """)
    build_docs(nxschema.load(tmp_path / "defs", bundled=False), tmp_path / "md", fmt="markdown")
    page = tmp_path / "md" / "NXpipes.md"
    assert_tables_are_whole(page)
    text = page.read_text()
    assert "a \\| b, `c | d` and *e*" in text  # outside a table a code span keeps its pipe
    assert "one \\| two<br>• `x\\|y`" in text and "`a\\|b`" in text and "`<i>`" in text


def test_output_is_deterministic_and_stale_pages_go(tmp_path):
    write(tmp_path, "defs/NXa.yaml", "name: NXa\ncategory: base\n")
    write(tmp_path, "defs/NXb.yaml", "name: NXb\ncategory: base\n")
    site = tmp_path / "site"
    build_docs(nxschema.load(tmp_path / "defs", bundled=False), site, fmt="markdown")
    first = {p.name: p.read_bytes() for p in site.iterdir()}
    build_docs(nxschema.load(tmp_path / "defs", bundled=False), tmp_path / "again",
               fmt="markdown")
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "again").iterdir()}
    (site / "mine.txt").write_text("not generated")
    (tmp_path / "defs" / "NXb.yaml").unlink()
    build_docs(nxschema.load(tmp_path / "defs", bundled=False), site, fmt="markdown")
    assert not (site / "NXb.md").exists() and (site / "NXa.md").exists()
    assert (site / "mine.txt").exists()  # never delete what we did not write


# --- command line ------------------------------------------------------------------------------

def test_errors_in_a_definition_are_reported_and_the_rest_rendered(tmp_path, capsys):
    write(tmp_path, "defs/NXgood.yaml", "name: NXgood\ncategory: base\ndoc: Fine.\n")
    write(tmp_path, "defs/NXbad.yaml", "name: NXbad\ncategory: base\nmembers:\n  x: {type: [\n")
    write(tmp_path, "defs/NXworse.yaml", "name: NXworse\ncategory: base\ndoc: 1\n")
    write(tmp_path, "defs/NXbroken.nxdl.xml", '<?xml version="1.0"?>\n<definition name="NXb"\n')
    code = main(["docs", str(tmp_path / "defs"), "--no-bundled", "-o", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert re.search(r"NXbad\.yaml:\d+:\d+: error\[yaml-syntax\]", err)
    assert re.search(r"NXworse\.yaml:3:6: error\[schema\]", err)
    assert re.search(r"NXbroken\.nxdl\.xml:\d+:\d+: error\[", err)
    assert (tmp_path / "site" / "NXgood.html").is_file()
    assert not (tmp_path / "site" / "NXbad.html").exists()
    index = (tmp_path / "site" / "index.html").read_text()
    assert "Problems found while loading" in index and "NXworse.yaml:3:6" in index


def test_usage_errors_exit_2(tmp_path, capsys):
    out = str(tmp_path / "site")
    assert main(["docs", str(tmp_path / "missing"), "-o", out]) == 2
    assert main(["docs", str(DEFINITIONS), "-o", out, "--templates", str(tmp_path / "no")]) == 2
    bad = write(tmp_path, "t/index.html.j2", "{% for x in %}\n").parent
    assert main(["docs", str(DEFINITIONS), "--no-bundled", "-o", out, "--templates",
                 str(bad)]) == 2
    err = capsys.readouterr().err
    assert "index.html.j2:1: template syntax error" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        main(["docs", str(DEFINITIONS)])  # -o is required
    assert exc.value.code == 2


def test_reference_in_docs_is_up_to_date(tmp_path):
    """docs/reference is generated; rebuild it with the command in REBUILD when this fails."""
    assert main(["docs", str(DEFINITIONS), "--no-bundled", "--format", "markdown",
                 "-o", str(tmp_path)]) == 0
    fresh = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in REFERENCE.iterdir()) if REFERENCE.is_dir() else []
    assert committed == fresh, f"docs/reference is stale; run: {REBUILD}"
    _, mismatch, errors = filecmp.cmpfiles(REFERENCE, tmp_path, fresh, shallow=False)
    assert not mismatch and not errors, f"docs/reference is stale ({mismatch}); run: {REBUILD}"


# --- the official definitions --------------------------------------------------------------------

def test_all_official_definitions(tmp_path):
    if not NXDL.is_dir():
        pytest.skip("the official NXDL definitions are not next to the repository")
    catalog = nxschema.load(NXDL, bundled=False, strict=False)
    assert len(catalog) >= 280
    written = build_docs(catalog, tmp_path)
    assert len(written) == len(catalog) + 4  # + index, findings, css, js
    assert broken_links(tmp_path) == []
    nxdata = (tmp_path / "NXdata.html").read_text()
    # rST :ref: targets of the NXDL docs resolve to member anchors.
    assert '<a href="NXdata.html#/DATA-field">DATA</a>' in nxdata
    assert '<a href="NXdata.html#@axes-attribute">axes</a>' in nxdata
    assert '<tr id="@axes-attribute"' in nxdata
