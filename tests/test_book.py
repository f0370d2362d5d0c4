"""The website builds with warnings as errors, and shows the stored outputs."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import toc_files


def test_every_toc_entry_becomes_a_page(html):
    for name in toc_files():
        assert (html / f"{name}.html").exists(), name


def test_chapters_show_outputs_and_plots(html):
    for name in toc_files():
        if not name.startswith("chapters/"):
            continue
        page = (html / f"{name}.html").read_text()
        assert "cell_output" in page, f"{name} shows no outputs"
        assert "<img" in page, f"{name} shows no plot"
        assert "Traceback" not in page, f"{name} shows an error"


def test_citations_resolve_to_the_bibliography(html):
    page = (html / "references.html").read_text()
    for author in ("Vaswani", "Devlin", "Brown"):
        assert author in page
    chapter = (html / "chapters" / "01_what_is_an_llm.html").read_text()
    assert "references.html#id" in chapter or 'href="../references.html' in chapter


def test_colab_launch_button_points_at_the_notebook(html):
    page = (html / "chapters" / "01_what_is_an_llm.html").read_text()
    assert "colab.research.google.com/github/" in page
    assert "chapters/01_what_is_an_llm.ipynb" in page


def test_pages_load_nothing_from_the_network(html):
    """Scripts, styles and math render from local files, so the site reads offline."""
    external = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//[^"]+"')
    for page in html.rglob("*.html"):
        text = page.read_text()
        found = [m.group(0) for m in external.finditer(text)]
        assert not found, f"{page.relative_to(html)} loads {found[:2]}"
    assert (html / "_static" / "mathjax" / "tex-mml-chtml.js").exists()
    assert (html / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_glossary_terms_are_in_alphabetical_order():
    text = (Path(__file__).resolve().parent.parent / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    terms = re.findall(r"^(\S.*)$", body, flags=re.MULTILINE)
    assert len(terms) > 40
    assert terms == sorted(terms, key=str.lower)
