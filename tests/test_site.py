"""The built site in a real headless browser (Debian's chromium), and its internal links.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``), so
the check needs no driver and no extra package. Every page is opened once in a 1280-pixel
window with DNS switched off (the site must read offline), measured as a reader sees it, in
the light and the dark theme, and photographed into ``_build/screenshots/``.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
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
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: the site must read offline
    "--remote-debugging-pipe",
]
WIDTH, HEIGHT = 1280, 900  # a laptop window
SCREENSHOTS = ROOT / "_build" / "screenshots"
MIN_FIGURE_SCALE = 0.6  # a figure shown below 60% of its size has text too small to read
MIN_CONTRAST = 4.5  # WCAG 2 AA for body text
PAGES = toc_files()
CHAPTERS = [page for page in PAGES if page.startswith("chapters/")]


def browse(*args: str, height: int = HEIGHT) -> str:
    """Run headless chromium once on a 1280-pixel-wide window with `args`; return what it printed.

    For one-shot commands such as ``--dump-dom URL`` (tests/test_explorer.py uses it).
    """
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    one_shot = [flag for flag in FLAGS if flag != "--remote-debugging-pipe"]
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                CHROMIUM,
                *one_shot,
                "--virtual-time-budget=8000",
                f"--window-size={WIDTH},{height}",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class Chromium:
    """Headless Chromium, one tab, driven with DevTools protocol messages on fds 3 and 4."""

    def __init__(self, profile: str) -> None:
        to_chromium, self._send = os.pipe()
        self._receive, from_chromium = os.pipe()

        def on_fds_3_and_4() -> None:  # where --remote-debugging-pipe reads and writes
            read, write = os.dup(to_chromium), os.dup(from_chromium)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=on_fds_3_and_4,  # the test process starts no threads
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chromium)
        os.close(from_chromium)
        self._buffer, self._id = b"", 0
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def _message(self, timeout: float = 120) -> dict:
        while b"\0" not in self._buffer:
            if not select.select([self._receive], [], [], timeout)[0]:
                raise TimeoutError(f"chromium sent nothing for {timeout} s")
            chunk = os.read(self._receive, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, **params) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._send, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            # anything else is an event, which no check here listens to

    def tab(self, method: str, **params) -> dict:
        return self.call(method, session=self.session, **params)

    def open(self, url: str, width: int = WIDTH) -> None:
        """Load `url` in a `width`-pixel window and wait until its scripts, fonts and math are done."""
        self.tab("Emulation.setDeviceMetricsOverride", width=width, height=HEIGHT, deviceScaleFactor=1, mobile=False)
        for target in ("about:blank", url):  # from a blank page, so that a #fragment also loads anew
            self.tab("Page.navigate", url=target)
            deadline = time.monotonic() + 60
            while True:
                try:
                    if self.run("[location.href, document.readyState]") == [target, "complete"]:
                        break
                except RuntimeError:  # the old page went away while we asked
                    pass
                assert time.monotonic() < deadline, f"{target} did not load in 60 s"
                time.sleep(0.05)
        self.run(READY)

    def run(self, script: str):
        """The value of a JavaScript expression (awaited if it is a promise)."""
        result = self.tab("Runtime.evaluate", expression=script, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(json.dumps(result["exceptionDetails"])[:2000])
        return result["result"].get("value")

    def screenshot(self, target: Path) -> None:
        """The whole page, top to bottom, as a PNG: a window as tall as the page, photographed."""
        height = self.run("document.documentElement.scrollHeight")
        self.tab("Emulation.setDeviceMetricsOverride", width=WIDTH, height=height, deviceScaleFactor=1, mobile=False)
        self.run(READY)
        shot = self.tab("Page.captureScreenshot", format="png")
        self.tab("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)
        target.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.process.wait(timeout=30)
        except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
        os.close(self._send)
        os.close(self._receive)


# Open every folded part (solutions, hidden cell sources), as a reader may.
UNFOLD = """(async () => {
  for (const toggle of document.querySelectorAll(".toggle-hidden")) toggle.classList.remove("toggle-hidden");
  for (const details of document.querySelectorAll("details")) details.open = true;
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
})()"""

READY = """(async () => {
  if (window.MathJax?.startup?.promise) await MathJax.startup.promise;
  await document.fonts.ready;
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
})()"""

# What a reader sees in the article, in the light theme. `where` names an element for a person.
MEASURE = """(() => {
  const article = document.querySelector(".bd-article");
  const cells = [...article.querySelectorAll(".cell")];
  const where = el => {
    const cell = el.closest(".cell");
    const place = cell ? `cell ${cells.indexOf(cell) + 1} ${el.closest(".cell_output") ? "output" : "input"}`
                       : "text";
    const classes = (el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean).slice(0, 2);
    const text = el.textContent.trim().replace(/\\s+/g, " ").slice(0, 40);
    return `${place} <${el.localName}${classes.map(c => "." + c).join("")}> "${text}"`;
  };
  const inClippingBox = el => {
    for (let up = el.parentElement; up && up !== article; up = up.parentElement)
      if (getComputedStyle(up).overflowX !== "visible") return true;
    return false;
  };
  const edge = article.getBoundingClientRect().right;
  const scrolls = [], sticksOut = [];
  for (const el of article.querySelectorAll("*")) {
    if (el.closest("span.math, mjx-assistive-mml")) continue;  // MathJax's boxes clip by design
    const overflowX = getComputedStyle(el).overflowX;
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && overflowX !== "visible")
      scrolls.push(`${where(el)}: scrollWidth ${el.scrollWidth} px > clientWidth ${el.clientWidth} px`
                   + (overflowX === "hidden" || overflowX === "clip" ? " (cut off)" : " (scrolls sideways)"));
    const overflowY = getComputedStyle(el).overflowY;
    if (el.clientHeight > 0 && el.scrollHeight > el.clientHeight + 1 && /hidden|clip/.test(overflowY))
      scrolls.push(`${where(el)}: scrollHeight ${el.scrollHeight} px > clientHeight ${el.clientHeight} px (cut off)`);
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > edge + 1 && !inClippingBox(el))
      sticksOut.push(`${where(el)}: right edge at ${Math.round(box.right)} px, `
                     + `the column ends at ${Math.round(edge)} px`);
  }
  const ruler = document.createElement("canvas").getContext("2d");
  const columns = [...article.querySelectorAll(".cell pre")].filter(pre => pre.clientWidth > 0).map(pre => {
    const style = getComputedStyle(pre);
    ruler.font = style.font;
    const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return Math.floor(room / ruler.measureText("0").width);
  });
  return {
    theme: !!document.querySelector(".bd-sidebar-primary"),
    title: !!article.querySelector("h1"),
    outputs: article.querySelectorAll(".cell_output").length,
    images: article.querySelectorAll(".cell_output img").length,
    pageScroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    scrolls, sticksOut,
    characters: columns.length ? Math.min(...columns) : null,
    outputTables: article.querySelectorAll(".cell_output table").length,
    // a |---| separator row as text; CommonMark's typographer turns --- into an em dash
    rawTables: [...article.querySelectorAll(".cell_output")]
      .filter(output => /\\|\\s*:?[-\\u2013\\u2014]+:?\\s*\\|/.test(output.textContent)).map(where),
    smallFigures: [...article.querySelectorAll("img")].filter(img => img.naturalWidth > 0)
      .filter(img => img.width < MIN_FIGURE_SCALE * img.naturalWidth)
      .map(img => `${where(img)}: shown ${img.width} px wide of ${img.naturalWidth} px `
                  + `(${Math.round(100 * img.width / img.naturalWidth)}%)`),
    brokenImages: [...article.querySelectorAll("img")].filter(img => !img.naturalWidth).map(where),
  };
})()""".replace("MIN_FIGURE_SCALE", str(MIN_FIGURE_SCALE))

# In the dark theme: every piece of text in the article against the colour behind it.
CONTRAST = """(async () => {
  document.documentElement.dataset.theme = "dark";
  document.documentElement.dataset.mode = "dark";
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const article = document.querySelector(".bd-article");
  const rgba = css => {
    const v = css.match(/[\\d.]+/g).map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat(1);
  const behind = el => {
    const layers = [];
    for (let up = el; up; up = up.parentElement) {
      const colour = rgba(getComputedStyle(up).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reverse().reduce((below, top) => over(top, below), [255, 255, 255, 1]);
  };
  const luminance = c => {
    const [r, g, b] = c.slice(0, 3).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const low = [];
  for (const el of article.querySelectorAll("*")) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join("").trim();
    if (!text || !el.getClientRects().length || getComputedStyle(el).visibility !== "visible") continue;
    if (el.closest("mjx-container, svg")) continue;
    const background = behind(el), colour = over(rgba(getComputedStyle(el).color), background);
    const [light, dark] = [luminance(colour), luminance(background)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    if (ratio < MIN_CONTRAST) low.push(`<${el.localName}.${el.className}> "${text.slice(0, 30)}": `
      + `rgb(${colour.slice(0, 3).map(Math.round)}) on rgb(${background.slice(0, 3).map(Math.round)}), `
      + `contrast ${ratio.toFixed(1)}`);
  }
  return low;
})()""".replace("MIN_CONTRAST", str(MIN_CONTRAST))


def markdown_tables(page: str) -> int:
    """How many Markdown tables the page's notebook displays as text/markdown outputs."""
    notebook = ROOT / f"{page}.ipynb"
    if not notebook.exists():
        return 0
    separator = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$", re.MULTILINE)
    count = 0
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data and "text/html" not in data:  # myst-nb prefers HTML
                count += len(separator.findall("".join(data["text/markdown"])))
    return count


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        chromium = Chromium(profile)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def seen(html, browser):
    """`seen(page)`: the page photographed as it opens, then unfolded (solutions, hidden sources),
    measured in light and dark, and photographed in dark (once per page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    @functools.cache
    def visit(page: str) -> dict:
        browser.open((html / f"{page}.html").as_uri())
        name = page.replace("/", "-").removeprefix("chapters-")
        browser.screenshot(SCREENSHOTS / f"{name}.png")  # as it opens
        browser.run(UNFOLD)
        report = browser.run(MEASURE)
        report["lowContrast"] = browser.run(CONTRAST)
        browser.screenshot(SCREENSHOTS / f"{name}-dark.png")  # unfolded
        return report

    return visit


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_theme_and_content(seen, page):
    report = seen(page)
    assert report["theme"], "the theme's sidebar is missing"
    assert report["title"], "the page has no <h1>"
    assert not report["brokenImages"], report["brokenImages"]
    if page in CHAPTERS:
        assert report["outputs"] and report["images"], "a chapter without outputs or plots"
    assert (SCREENSHOTS / (page.replace("/", "-").removeprefix("chapters-") + ".png")).stat().st_size > 20_000


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_markdown_table_renders_as_a_table(seen, page):
    """display(Markdown(df.to_markdown())) must show an HTML table, not `|---|` text."""
    report = seen(page)
    expected = markdown_tables(page)
    assert not report["rawTables"], f"Markdown tables shown as raw text: {report['rawTables']}"
    assert report["outputTables"] >= expected, (
        f"{expected} Markdown tables in the notebook's outputs, {report['outputTables']} <table>s on the page"
    )


@pytest.mark.parametrize("page", PAGES)
def test_nothing_scrolls_sideways_at_1280_pixels(seen, page):
    """Code and printed lines are at most 79 characters; at 1280 px they must fit the column."""
    report = seen(page)
    assert report["characters"] is None or report["characters"] >= 79, (
        f"code cells hold {report['characters']} characters, not 79"
    )
    assert report["pageScroll"] <= 0, f"the page is {report['pageScroll']} px wider than the window"
    problems = report["scrolls"] + report["sticksOut"]
    assert not problems, f"{len(problems)} elements wider than their box:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", PAGES)
def test_figures_are_legible_at_the_column_width(seen, page):
    small = seen(page)["smallFigures"]
    assert not small, f"figures shrunk below {MIN_FIGURE_SCALE:.0%}: make them narrower\n" + "\n".join(small)


@pytest.mark.parametrize("page", PAGES)
def test_dark_mode_is_readable(seen, page):
    low = seen(page)["lowContrast"]
    assert not low, f"{len(low)} texts below contrast {MIN_CONTRAST} in the dark theme:\n" + "\n".join(low[:30])


@pytest.mark.parametrize("width", [400, 1024])
def test_narrow_windows_do_not_scroll_sideways(html, browser, width):
    """On a phone or a small laptop code may scroll inside its cell, but the page itself must not."""
    browser.open((html / "chapters" / "03_architectures.html").as_uri(), width=width)
    overflow = browser.run("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"at {width} px the page is {overflow} px wider than the window"


def test_math_renders_offline(html, browser):
    browser.open((html / "chapters" / "02_how_llms_work.html").as_uri())
    assert browser.run("document.querySelectorAll('mjx-container').length") > 0, "MathJax did not typeset"


def test_attention_explorer_answers_a_click_offline(html, browser):
    """Chapter 2's attention explorer, opened from disk with DNS off: it draws, and a click on a
    token (from the page's #explorer-selftest hook, at the token's on-screen centre) highlights."""
    page = html / "chapters" / "02_how_llms_work.html"
    source = page.read_text()
    assert 'class="llmbook-attn"' in source, "chapter 2 has no helpers.attention_explorer output"
    sizes = [int(kb) for kb in re.findall(r"adds about (\d+) kB", source)]
    assert sizes and max(sizes) < 300, f"explorer outputs of {sizes} kB; the budget is 300 kB"
    browser.open(page.as_uri() + "#explorer-selftest")
    roots = browser.run("""new Promise(done => {
      const roots = () => [...document.querySelectorAll("div.llmbook-attn")];
      const start = Date.now();
      (function poll() {
        if (roots().every(r => r.dataset.selftest) || Date.now() - start > 20000)
          done(roots().map(r => r.outerHTML.slice(0, r.outerHTML.indexOf(">") + 1)));
        else setTimeout(poll, 100);
      })();
    })""")
    assert roots, "the explorer's root element is missing from the rendered page"
    for root in roots:
        assert 'data-ready="1"' in root, f"the explorer did not draw: {root}"
        assert 'data-selftest="pass"' in root and re.search(r'data-selftest-token="q\d+"', root), root


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
    assert len(pages) >= len(PAGES)
