"""The one Jinja2 environment factory, used by the docs and by codegen."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

from nxschema._docs.html import HtmlGenerator
from nxschema._docs.markdown import MarkdownGenerator
from nxschema._templating import environment, template_error
from nxschema._write import codegen

PACKAGE = Path(__file__).resolve().parents[1] / "nxschema"


def test_user_folder_overrides_the_packaged_one_by_name(tmp_path):
    packaged, user = tmp_path / "packaged", tmp_path / "user"
    packaged.mkdir()
    user.mkdir()
    (packaged / "a.j2").write_text("packaged a")
    (packaged / "b.j2").write_text("packaged b")
    (user / "a.j2").write_text("user a")
    env = environment(packaged, user, output="python")
    assert env.get_template("a.j2").render() == "user a"
    assert env.get_template("b.j2").render() == "packaged b"


@pytest.mark.parametrize(("output", "expected"), [
    ("html", "&lt;b&gt;&#34;x&#34;"), ("markdown", '<b>"x"'), ("python", '<b>"x"')])
def test_autoescape_follows_the_output_language(tmp_path, output, expected):
    (tmp_path / "t.j2").write_text("{{ value }}")
    env = environment(tmp_path, output=output)
    assert env.get_template("t.j2").render(value='<b>"x"') == expected


def test_undefined_names_are_errors_with_file_and_line(tmp_path):
    (tmp_path / "t.j2").write_text("line one\n{{ missing.attr }}\n")
    env = environment(tmp_path, output="python")
    with pytest.raises(jinja2.UndefinedError) as info:
        env.get_template("t.j2").render()
    assert re.fullmatch(r".*t\.j2:2: template error: 'missing' is undefined", template_error(
        info.value))
    (tmp_path / "bad.j2").write_text("{% for x in %}")
    with pytest.raises(jinja2.TemplateSyntaxError) as info:
        env.get_template("bad.j2")
    assert template_error(info.value).endswith("bad.j2:1: template syntax error: "
                                               "Expected an expression, got 'end of statement "
                                               "block'")
    with pytest.raises(ValueError, match="unknown template output"):
        environment(tmp_path, output="latex")


def test_docs_and_codegen_get_their_environment_from_the_factory():
    assert HtmlGenerator().env.autoescape is True
    assert MarkdownGenerator().env.autoescape is False
    env = codegen._environment()
    assert env.autoescape is False and isinstance(env.undefined(), jinja2.StrictUndefined)
    assert {"wrap", "py"} <= set(env.filters)
    # ... and nothing else builds one of its own
    makers = [p.relative_to(PACKAGE).as_posix() for p in sorted(PACKAGE.rglob("*.py"))
              if "jinja2.Environment(" in p.read_text()]
    assert makers == ["_templating.py"]
