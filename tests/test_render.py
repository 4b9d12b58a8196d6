"""The offline renderer honours _quarto.yml and escapes what it shows as text; the Quarto path is driven
by the same configuration and swaps nothing in when Quarto fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from analysis.build import page_html, quarto, render
from analysis.core import paths
from analysis.core.errors import BuildError

TINY = Path(__file__).parent / "fixtures" / "tiny_site"


def stored_notebook(*outputs: dict, markdown: str = "## Figures", tags: tuple[str, ...] = ()) -> dict:
    """An executed notebook as papermill leaves it: front matter, a parameters cell, outputs."""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {"cell_type": "raw", "id": "fm", "metadata": {}, "source": "---\ntitle: North page\n---\n"},
            {
                "cell_type": "code",
                "id": "p",
                "metadata": {"tags": ["parameters"]},
                "execution_count": 1,
                "outputs": [],
                "source": 'region = "north"',
            },
            {
                "cell_type": "code",
                "id": "i",
                "metadata": {"tags": ["injected-parameters"]},
                "execution_count": 2,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "SECRET-PARAMETER"}],
                "source": 'region = "south"',
            },
            {"cell_type": "markdown", "id": "m", "metadata": {}, "source": markdown},
            {
                "cell_type": "code",
                "id": "c",
                "metadata": {"tags": list(tags)},
                "execution_count": 3,
                "outputs": list(outputs),
                "source": "show()",
            },
        ],
    }


def display(data: dict) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": data}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny two-region site with executed notebooks written by hand (nothing is run)."""
    root = tmp_path / "site"
    shutil.copytree(TINY, root)
    reports = root / "reports"
    reports.mkdir(exist_ok=True)
    north = stored_notebook(display({"text/html": '<p class="figure">north: 5.1</p>', "text/plain": "5.1"}))
    (reports / "north.ipynb").write_text(json.dumps(north), encoding="utf-8")
    south = stored_notebook(display({"text/plain": "<script>alert('south')</script>"}))
    (reports / "south.ipynb").write_text(json.dumps(south), encoding="utf-8")
    summary = stored_notebook(display({"text/markdown": "## Summary of all regions"}), markdown="")
    (reports / "summary.ipynb").write_text(json.dumps(summary), encoding="utf-8")
    return root


# ---------------------------------------------------------------- _quarto.yml


def test_project_config_lists_every_page_of_the_issue_in_navbar_order():
    config = render.load_site_config(paths.project_root())
    top = [p for p in config.render_patterns if not render.is_glob(p)]
    english = [p for p in top if not p.startswith("zh/")]
    assert english == [
        "index.qmd",
        "reports/overview.ipynb",
        "reports/guizhou.ipynb",
        "reports/guiyang.ipynb",
        "reports/bazhong.ipynb",
        "gaps.qmd",
        "changes.qmd",
        "methods.qmd",
        "reports/data.ipynb",
        "about.qmd",
    ]
    # every page in Chinese too
    assert [p for p in top if p.startswith("zh/")] == [f"zh/{p}" for p in english]
    en, zh = config.profiles
    assert [i.href for i in leaves(en.navbar)] == english
    assert [i.href for i in leaves(zh.navbar)] == [f"zh/{p}" for p in english]
    # the regions and the reference pages grouped into menus, so the navbar fits one row
    assert [i.text for i in en.navbar] == ["Home", "Overview", "Regions", "Reference"]
    assert [i.text for i in zh.navbar] == ["首页", "总览", "地区", "参考"]
    # the language switch, a link to the other language's home page
    assert [(i.href, i.text) for i in en.navbar_right] == [("zh/index.html", "中文")]
    assert [(i.href, i.text) for i in zh.navbar_right] == [("index.html", "English")]
    assert {"targets/*.qmd", "zh/targets/*.qmd"} <= set(config.render_patterns)
    assert config.echo is False and config.toc is True


def leaves(items):
    return [leaf for item in items for leaf in (item.menu or (item,))]


def test_profiles_merge_over_the_base_file_as_quarto_merges_them(tmp_path: Path):
    (tmp_path / "_quarto.yml").write_text(
        "profile:\n  default: b\nproject:\n  render: [base.qmd]\nwebsite:\n  title: T\n", encoding="utf-8"
    )
    (tmp_path / "_quarto-a.yml").write_text("project:\n  render: [a.qmd]\n", encoding="utf-8")
    (tmp_path / "_quarto-b.yml").write_text(
        "project:\n  render: [b.qmd]\nwebsite:\n  navbar:\n    left: [b.qmd]\n", encoding="utf-8"
    )
    config = render.load_site_config(tmp_path)
    assert [p.name for p in config.profiles] == ["b", "a"]  # the default first
    assert [p.pages for p in config.profiles] == [("base.qmd", "b.qmd"), ("base.qmd", "a.qmd")]
    assert config.pages == ("base.qmd", "b.qmd", "a.qmd")
    assert [i.href for i in config.navbar] == ["b.qmd"] and config.profiles[1].navbar == ()
    assert config.profile_of("a.qmd").name == "a"


def test_a_rooted_glob_matches_only_at_the_root(tmp_path: Path):
    for folder in ("t", "zh/t"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "x.qmd").write_text("x", encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [/t/*.qmd]\n", encoding="utf-8")
    assert render.load_site_config(tmp_path).pages == ("t/x.qmd",)


def test_globs_in_the_render_list_expand_to_the_files_sorted_and_skip_underscored(tmp_path: Path):
    for name in ("b.qmd", "a.qmd", "_part.qmd"):
        (tmp_path / "t").mkdir(exist_ok=True)
        (tmp_path / "t" / name).write_text("x", encoding="utf-8")
    pages = render.expand_pages(tmp_path, ["index.qmd", "t/*.qmd", "t/a.qmd"])
    assert pages == ("index.qmd", "t/a.qmd", "t/b.qmd")


def test_raw_html_blocks_pass_through_untouched_and_includes_are_read(tmp_path: Path):
    (tmp_path / "_part.md").write_text("## Included *here*\n", encoding="utf-8")
    source = "{{< include _part.md >}}\n\n```{=html}\n<p>*not emphasis*</p>\n```\n"
    text = page_html.include_files(source, tmp_path)
    out = page_html.markdown_to_html(text)
    assert "<em>here</em>" in out and "<p>*not emphasis*</p>" in out and "<pre>" not in out


def test_config_without_render_list_is_refused_with_the_key_named(tmp_path: Path):
    (tmp_path / "_quarto.yml").write_text("website:\n  title: x\n", encoding="utf-8")
    with pytest.raises(BuildError, match="project.render"):
        render.load_site_config(tmp_path)


def test_footer_given_as_left_and_right_parts_is_joined():
    assert render._footer_text({"left": "a", "right": "b"}) == "a · b"


@pytest.mark.parametrize(
    ("target", "page", "expected"),
    [
        ("reports/north.html", "index.qmd", "reports/north.html"),
        ("index.html", "reports/north.ipynb", "../index.html"),
        ("reports/south.html", "reports/north.ipynb", "south.html"),
        ("https://example.org/x", "reports/north.ipynb", "https://example.org/x"),
    ],
)
def test_links_between_pages_are_relative_so_the_site_opens_from_disk(target, page, expected):
    assert render.relative_href(target, render.output_path(page)) == expected


# ---------------------------------------------------------------- markdown and notebooks


def test_quarto_markdown_callout_heading_id_and_page_links():
    text = "## Part {#part}\n\n::: {.callout-note}\nSee [it](reports/x.ipynb#a).\n:::\n"
    out = page_html.markdown_to_html(text)
    assert '<div class="callout-note">' in out
    assert '<a href="reports/x.html#a">it</a>' in out
    body, toc = render.add_heading_ids(out)
    assert toc == [(2, "part", "Part")]
    assert '<h2 id="part">Part</h2>' in body


def test_headings_with_the_same_text_get_distinct_ids():
    _, toc = render.add_heading_ids("<h2>Data</h2><h3>Data</h3>")
    assert [anchor for _, anchor, _ in toc] == ["data", "data-2"]


def test_plain_text_and_streams_are_escaped_and_parameter_cells_hidden():
    config = render.SiteConfig(title="t", pages=("a.qmd",), navbar=(), echo=False, warnings=False)
    notebook = stored_notebook(
        display({"text/plain": "<script>alert(1)</script>"}),
        {"output_type": "stream", "name": "stdout", "text": "<b>x</b>"},
        {"output_type": "stream", "name": "stderr", "text": "a warning"},
    )
    front, body = page_html.notebook_page(notebook, config)
    assert front == {"title": "North page"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>" not in body
    assert "&lt;b&gt;x&lt;/b&gt;" in body
    assert "a warning" not in body  # execute.warning: false
    assert "SECRET-PARAMETER" not in body and "region =" not in body  # parameter cells and code hidden


def test_richest_output_is_shown_once():
    config = render.SiteConfig(title="t", pages=("a.qmd",), navbar=())
    html_out = page_html.output_html(display({"text/html": "<b>rich</b>", "text/plain": "poor"}), config)
    assert html_out == '<div class="pt-output"><b>rich</b></div>'


def test_cell_options_include_false_and_echo_true_are_honoured():
    config = render.SiteConfig(title="t", pages=("a.qmd",), navbar=(), echo=False)
    cell = {
        "cell_type": "code",
        "metadata": {},
        "outputs": [display({"text/plain": "out"})],
        "source": "#| include: false\nx = 1",
    }
    assert page_html._code_cell_html(cell, cell["source"], config) == ""
    cell["source"] = "#| echo: true\nx = 1 < 2"
    shown = page_html._code_cell_html(cell, cell["source"], config)
    assert '<pre class="pt-code"><code>x = 1 &lt; 2</code></pre>' in shown


# ---------------------------------------------------------------- the offline site


def test_offline_site_has_every_page_with_the_navbar_of_quarto_yml(tiny: Path, tmp_path: Path):
    out = tmp_path / "out"
    written = render.render_offline(tiny, out)
    assert [p.relative_to(out).as_posix() for p in written] == [
        "index.html",
        "reports/north.html",
        "reports/south.html",
        "reports/summary.html",
    ]
    north = (out / "reports" / "north.html").read_text(encoding="utf-8")
    nav = re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a>', north)
    assert nav == [
        ("../index.html", "Home"),
        ("north.html", "North · 北"),
        ("south.html", "South"),
        ("summary.html", "Summary"),
    ]
    assert '<a href="north.html" aria-current="page">' in north
    assert "<title>North page – Tiny &lt;Tracker&gt;</title>" in north  # site title escaped
    assert '<link rel="stylesheet" href="../style.css">' in north  # format.html.css, as Quarto links it
    assert (out / "style.css").read_text(encoding="utf-8") == (tiny / "style.css").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="reports/south.html#figures">south</a>' in index
    assert '<footer class="pt-footer">tiny footer</footer>' in index


def test_data_text_shown_as_plain_text_cannot_inject_a_script(tiny: Path, tmp_path: Path):
    render.render_offline(tiny, tmp_path / "out")
    south = (tmp_path / "out" / "reports" / "south.html").read_text(encoding="utf-8")
    assert "<script>" not in south
    assert "&lt;script&gt;alert(&#x27;south&#x27;)&lt;/script&gt;" in south


def test_a_page_that_was_never_executed_is_named(tiny: Path, tmp_path: Path):
    (tiny / "reports" / "south.ipynb").unlink()
    with pytest.raises(BuildError, match="reports/south.ipynb .* `plantracker build`"):
        render.render_offline(tiny, tmp_path / "out")


# ---------------------------------------------------------------- Quarto


def fake_quarto(bin_dir: Path, body: str) -> None:
    """A `quarto` on PATH that records its arguments and runs `body` (sh)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "quarto"
    version = '[ "$1" = "--version" ] && { echo 9.9.9-fake; exit 0; }'
    script.write_text(f'#!/bin/sh\n{version}\necho "$@" > "$PWD/quarto-args.txt"\n{body}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_auto_picks_quarto_when_installed_and_renders_into_the_given_folder(
    tiny: Path, tmp_path: Path, monkeypatch
):
    bin_dir = tmp_path / "bin"
    sources = render.load_site_config(tiny).pages
    pages = " ".join(f'"$out/{render.output_path(p)}"' for p in sources)
    fake_quarto(bin_dir, f'for a; do out="$a"; done; mkdir -p "$out/reports" && touch {pages}')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert render.choose_renderer("auto") == "quarto"
    out = tmp_path / "out"
    out.mkdir()
    written = quarto.render_site(tiny, out)
    # a first render (none published yet): the whole project, no list of pages; no profile, as the tiny
    # site has none
    assert (tiny / "quarto-args.txt").read_text().split() == ["render", "--output-dir", str(out.resolve())]
    assert [p.name for p in written] == ["index.html", "north.html", "south.html", "summary.html"]


def test_quarto_failure_is_a_build_error_with_its_message(tiny: Path, tmp_path: Path, monkeypatch):
    bin_dir = tmp_path / "bin"
    fake_quarto(bin_dir, 'echo "ERROR: broken page" >&2; exit 1')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(BuildError, match="broken page"):
        quarto.render_site(tiny, tmp_path / "out")


def test_unknown_renderer_is_refused():
    with pytest.raises(BuildError, match="auto, offline, quarto"):
        render.choose_renderer("pandoc")


def test_a_stylesheet_named_in_quarto_yml_that_does_not_exist_is_named_with_the_file(tiny: Path, tmp_path):
    config = tiny / "_quarto.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("style.css", "gone.css"), encoding="utf-8")
    with pytest.raises(
        BuildError, match=r"_quarto.yml: format.html.css names gone.css, which does not exist"
    ):
        render.render_offline(tiny, tmp_path / "out")
