"""Each lint rule on small definitions, in the context of the bundled catalog."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import nxschema
from nxschema._definitions import lint as _lint
from nxschema._codes import CODES
from nxschema._definitions.yaml_reader import read_yaml


@pytest.fixture()
def catalog():
    return nxschema.load()


def definition_of(text: str, catalog=None, file="t.yaml"):
    definition, findings = read_yaml(text, file)
    assert definition is not None and findings == [], findings
    if catalog is not None:
        catalog.add(definition, layer=1)
    return definition


def lint(text: str, catalog, rule=None):
    definition = definition_of(text, catalog)
    rules = [rule] if rule else _lint.RULES
    return [f for r in rules for f in r(definition, catalog)]


def where(findings):
    return [(f.code, f.line, f.col) for f in findings]


HEAD = "name: NXt\ncategory: application\n"


def app(body: str) -> str:
    """An application definition NXt with ``body`` (indented as in the test) after its head."""
    return HEAD + textwrap.dedent(body)


def test_unknown_class_with_suggestion(catalog):
    findings = lint(HEAD + "members:\n  (NXentry):\n    members:\n      (NXsubentri): {}\n",
                    catalog, _lint.rule_classes)
    assert where(findings) == [("unknown-class", 6, 7)]
    assert "did you mean 'NXsubentry'" in findings[0].message


def test_official_and_user_classes_are_known(catalog):
    definition_of("name: NXmything\ncategory: base\n", catalog)
    text = HEAD + "members:\n  (NXfilter): {}\n  (NXmything): {}\n  c:\n    choice:\n" \
                  "      (NXdata): {}\n      (NXbogus): {}\n"
    findings = lint(text, catalog, _lint.rule_classes)
    assert [f.message.split(" (")[0] for f in findings] == ["unknown NX class 'NXbogus'"]


def test_unknown_types_and_units_on_fields_and_attributes(catalog):
    text = app("""\
        attributes:
          a: NX_INTEGER
        members:
          e:
            type: NX_FLOATT
            units: NX_ENERGIE
            attributes:
              b: {type: NX_CHAR, units: NX_LENGHT}
          ok: {type: NX_FLOAT, units: eV}
        """)
    findings = lint(text, catalog, _lint.rule_types_and_units)
    assert {(f.code, f.line) for f in findings} == {
        ("unknown-type", 4), ("unknown-type", 6), ("unknown-units", 6), ("unknown-units", 10)}
    messages = " ".join(f.message for f in findings)
    assert "did you mean 'NX_FLOAT'" in messages and "did you mean 'NX_ENERGY'" in messages


def test_undeclared_symbol_is_a_warning_at_the_dimension(catalog):
    text = app("""\
        symbols: {n_points: points}
        members:
          a: {dimensions: [n_points, 3, tof+1]}
          b:
            dimensions: [n_point]
        """)
    findings = lint(text, catalog, _lint.rule_symbols)
    assert where(findings) == [("undeclared-symbol", 7, 18)]
    assert findings[0].severity == "warning" and "did you mean 'n_points'" in findings[0].message


def test_symbols_of_the_extended_definition_count(catalog):
    definition_of("name: NXparent\ncategory: base\nsymbols: {nX: x}\n", catalog)
    text = "name: NXchild\ncategory: base\nextends: NXparent\nmembers:\n  a: {dimensions: [nX]}\n"
    assert lint(text, catalog, _lint.rule_symbols) == []


def test_extends_cycle(catalog):
    definition_of("name: NXa\ncategory: base\nextends: NXb\n", catalog, "a.yaml")
    b = definition_of("name: NXb\ncategory: base\nextends: NXa\n", catalog, "b.yaml")
    findings = list(_lint.rule_extends(b, catalog))
    assert [(f.code, f.file) for f in findings] == [("extends-cycle", "b.yaml")]
    assert "NXb → NXa → NXb" in findings[0].message


def test_self_extension_is_a_cycle(catalog):
    findings = lint("name: NXself\ncategory: base\nextends: NXself\n", catalog, _lint.rule_extends)
    assert [f.code for f in findings] == ["extends-cycle"]


def test_unknown_extends_and_official_extends(catalog):
    findings = lint("name: NXt\ncategory: base\nextends: NXobjekt\n", catalog, _lint.rule_extends)
    assert [f.code for f in findings] == ["unknown-extends"]
    assert "did you mean 'NXobject'" in findings[0].message
    assert lint("name: NXu\ncategory: base\nextends: NXfilter\n", catalog, _lint.rule_extends) == []


def test_duplicate_members(catalog):
    text = app("""\
        members:
          (NXentry):
            members:
              data: NX_NUMBER
              data(NXdata): {}
              (NXdata): {}
              data(NXnote): {}
        """)
    findings = lint(text, catalog, _lint.rule_duplicates)
    # a field and a group of one name are alternatives (NXsample: magnetic_field); two groups are not
    assert where(findings) == [("duplicate-member", 9, 7)]
    assert "first at line 7" in findings[0].message


def test_links_resolve_through_members_and_base_classes(catalog):
    text = app("""\
        members:
          (NXentry):
            members:
              (NXinstrument):
                members:
                  mono(NXmonochromator):
                    members:
                      energy: NX_FLOAT
              (NXdata):
                members:
                  own: {link: /NXentry/NXinstrument/mono:NXmonochromator/energy}
                  from_base: {link: /NXentry/NXinstrument/NXsource/probe}
                  hdf5_path: {link: /entry/instrument/mono/energy}
                  placeholder: {link: /NXentry/NXinstrument/mono:NXmonochromator/energy_errors}
                  group_log: {link: /NXentry/NXinstrument/mono_log}
                  typo: {link: /NXentry/NXinstrument/mono:NXmonochromator/energie}
                  nowhere: {link: /NXentry/title_of_nothing}
                  lost: {link: /somewhere/x}
        """)
    findings = lint(text, catalog, _lint.rule_links)
    assert [(f.code, f.severity, f.line, f.message.split("'")[1]) for f in findings] == [
        ("undeclared-link-target", "warning", 18,
         "/NXentry/NXinstrument/mono:NXmonochromator/energie"),
        ("undeclared-link-target", "warning", 19, "/NXentry/title_of_nothing"),
        ("unresolved-link", "error", 20, "/somewhere/x")]


def test_config_schema_must_be_a_json_schema(catalog):
    text = app("""\
        members:
          good: {config: {schema: {type: object}}}
          bad: {config: {schema: {type: 12}}}
        """)
    findings = lint(text, catalog, _lint.rule_config)
    assert [(f.code, f.line) for f in findings] == [("bad-config-schema", 5)]


def test_lint_runs_every_rule_and_never_stops_early(catalog):
    text = app("""\
        members:
          (NXbogus):
            members:
              x: {type: NX_FLOATT, dimensions: [nZ]}
              y: {link: /nothing/here}
        """)
    definition = definition_of(text, catalog)
    codes = {f.code for f in _lint.lint(definition, catalog)}
    assert codes == {"unknown-class", "unknown-type", "undeclared-symbol", "unresolved-link"}


def test_every_code_the_rules_yield_is_registered():
    source = Path(_lint.__file__).read_text()
    yielded = set(re.findall(r'_at\([^,]+, "([a-z-]+)"', source))
    assert len(yielded) >= 9
    assert yielded <= set(CODES)


def test_personal_names_must_be_marked(tmp_path):
    from nxschema._check import check
    (tmp_path / "NXlab_raw.yaml").write_text(textwrap.dedent("""\
        name: NXlab_raw
        category: application
        members:
          (NXentry):
            members:
              contact(NXuser):
                members:
                  name: NX_CHAR
                  email: NX_CHAR
                  role: NX_CHAR
              sample(NXsample):
                members:
                  name: NX_CHAR
                  telephone_number: {personal: false}
                  ORCID: {personal: true}
        """))
    findings = check(tmp_path)[str(tmp_path / "NXlab_raw.yaml")]
    unmarked = [(f.code, f.line) for f in findings if f.code == "personal-unmarked"]
    assert unmarked == [("personal-unmarked", 8), ("personal-unmarked", 9)]  # user name, email
