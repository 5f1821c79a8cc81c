"""The HTML generator: a static site (index with client-side search, a page per definition,
the findings catalog), no network and no CDN: the CSS and JS are copied next to the pages."""

from __future__ import annotations

import re
from pathlib import Path

from nxschema._docs import markup
from nxschema._docs.base import Generator

STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = ("nxschema.css", "nxschema.js")


class HtmlGenerator(Generator):
    fmt = "html"
    ext = ".html"
    # autoescaped (see _templating): every value is escaped unless it is Markup we built

    def __init__(self, templates=None):
        super().__init__(templates)
        self.env.filters["doc"] = self.cached(lambda text: markup.to_html(text, self._resolve))
        self.env.filters["doc_inline"] = self.cached(
            lambda text: markup.to_html_inline(text, self._resolve))
        # "[nP, len(x)]" → ["[", "nP", ", ", "len", "(", "x", ")]"]: symbols can then be marked.
        self.env.filters["symbol_split"] = lambda text: re.split(r"([A-Za-z_][A-Za-z0-9_]*)",
                                                                 str(text))

    def _resolve(self, target: str):
        return self.site.resolve(target) if self.site else None

    def extra_files(self) -> dict[str, str | bytes]:
        files: dict[str, str | bytes] = {}
        for name in STATIC_FILES:
            # A file of the same name in the user's template folder replaces ours, like templates.
            override = self.user_templates / name if self.user_templates else None
            source = override if override is not None and override.is_file() else STATIC / name
            files[f"_static/{name}"] = source.read_bytes()
        return files
