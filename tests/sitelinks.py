"""A crawler of generated HTML sites, shared by the docs tests: internal links that lead nowhere."""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

_ATTRIBUTE = re.compile(r'\s(id|href|src)="([^"]*)"')


def broken_links(site: Path) -> list[str]:
    """Every internal href/src of every page whose file, or #fragment in it, does not exist.

    Attributes are read with a regex (the generator always writes them double-quoted), which
    keeps the crawl of the 280 official pages fast.
    """
    ids, links = {}, {}
    for page in sorted(site.rglob("*.html")):
        found = _ATTRIBUTE.findall(page.read_text(encoding="utf-8"))
        name = page.relative_to(site).as_posix()
        ids[name] = {html.unescape(v) for k, v in found if k == "id"}
        links[name] = [html.unescape(v) for k, v in found if k != "id"]
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    broken = []
    for name, hrefs in links.items():
        for href in hrefs:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "data") or href.startswith("//"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name),
                                                       unquote(parts.path))) \
                if parts.path else name
            missing_anchor = parts.fragment and target.endswith(".html") \
                and unquote(parts.fragment) not in ids.get(target, ())
            if target not in files or missing_anchor:
                broken.append(f"{name}: {href}")
    return broken
