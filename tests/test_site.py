"""The built site in a real headless browser (Debian's chromium), and its internal links."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT, toc_files

# Debian's chromium here and in .ci/run; GitHub's runners ship Google Chrome.
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=8000",
]
SCREENSHOTS = ROOT / "_build" / "screenshots"


def browse(*args: str, height: int = 900) -> str:
    """Run headless chromium on a 1280-pixel-wide window with `args`; return what it printed."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [CHROMIUM, *FLAGS, f"--window-size=1280,{height}", f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("page", toc_files())
def test_page_renders_with_theme_and_content(html, page):
    dom = browse("--dump-dom", (html / f"{page}.html").as_uri())
    assert "bd-sidebar" in dom, "the theme's sidebar is missing"
    assert "<h1" in dom
    if page.startswith("chapters/"):
        assert "cell_output" in dom and "<img" in dom


def test_math_renders_offline(html):
    dom = browse("--dump-dom", (html / "chapters" / "02_how_llms_work.html").as_uri())
    assert "<mjx-container" in dom, "MathJax did not typeset the formulas"


def test_attention_explorer_answers_a_click_offline(html):
    """Chapter 2's attention explorer, opened from disk with DNS off: it draws, and a click on a
    token (from the page's #explorer-selftest hook, at the token's on-screen centre) highlights."""
    page = html / "chapters" / "02_how_llms_work.html"
    source = page.read_text()
    assert 'class="llmbook-attn"' in source, "chapter 2 has no helpers.attention_explorer output"
    sizes = [int(kb) for kb in re.findall(r"adds about (\d+) kB", source)]
    assert sizes and max(sizes) < 300, f"explorer outputs of {sizes} kB; the budget is 300 kB"
    dom = browse("--dump-dom", "--host-resolver-rules=MAP * ~NOTFOUND", page.as_uri() + "#explorer-selftest")
    roots = re.findall(r'<div class="llmbook-attn"[^>]*>', dom)
    assert roots, "the explorer's root element is missing from the rendered page"
    for root in roots:
        assert 'data-ready="1"' in root, f"the explorer did not draw: {root}"
        assert 'data-selftest="pass"' in root and re.search(r'data-selftest-token="q\d+"', root), root


@pytest.mark.parametrize(("page", "height"), [("intro", 900), ("chapters/03_architectures", 2400)])
def test_screenshot(html, page, height):
    """Screenshots for a person to look at: the front page, and a chapter down to its first plots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / (Path(page).name + ".png")
    target.unlink(missing_ok=True)
    browse(f"--screenshot={target}", (html / f"{page}.html").as_uri(), height=height)
    assert target.stat().st_size > 20_000  # a blank page is a few kB


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for name in ("href", "src"):
            if attributes.get(name):
                self.targets.append(attributes[name])


def parse(page: Path) -> Links:
    links = Links()
    links.feed(page.read_text())
    return links


def test_internal_links_resolve(html):
    pages = sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)
    parsed = {page.resolve(): parse(page) for page in pages}
    broken = []
    for page in pages:
        for target in parsed[page.resolve()].targets:
            parts = urlsplit(target)
            if parts.scheme or target.startswith("//"):
                continue
            path = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(html)} -> {target}")
            elif parts.fragment and path.suffix == ".html":
                ids = (parsed.get(path) or parse(path)).ids
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(html)} -> {target} (no such anchor)")
    assert not broken, "\n".join(broken[:20])
    assert len(pages) >= len(toc_files())
