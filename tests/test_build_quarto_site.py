"""A clean copy of the project rendered by a plain `quarto render` (skipped without Quarto on PATH, a
failure in CI where PLANTRACKER_REQUIRE_QUARTO=1): it succeeds without warnings, renders both languages,
and shows the same pages with the same main text as the offline renderer."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.build import render
from analysis.site import permalinks

SMART = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


SKIPPED = {"script", "style", "svg", "header", "button"}


class MainText(HTMLParser):
    """The words inside <main>, outside the elements a renderer adds or draws (title block, scripts,
    drawings, Quarto's callout titles and copy buttons)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.skipping, self.words = 0, [], []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "main":
            self.depth += 1
        elif (
            self.depth
            and tag not in VOID
            and (self.skipping or tag in SKIPPED or "callout-title-container" in classes)
        ):
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        elif tag == "main" and not self.skipping:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skipping:
            self.words += data.translate(SMART).replace("--", "-").split()


VOID = {"br", "img", "hr", "input", "meta", "link", "source", "col", "wbr", "area", "base", "embed", "track"}


def main_text(page: str) -> str:
    """The words of a page's main content, typography (pandoc's curly quotes, dashes) made plain."""
    parser = MainText()
    parser.feed(page)
    return " ".join(parser.words)


@pytest.fixture(scope="module")
def quarto_pages(quarto_render) -> dict[str, str]:
    assert quarto_render.returncode == 0, quarto_render.output[-3000:]
    site = quarto_render.site
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in site.rglob("*.html")
        if "site_libs" not in p.parts
    }


def test_quarto_render_of_a_clean_clone_exits_0_without_warnings(quarto_render, quarto_pages):
    print(f"quarto render of the whole site: {quarto_render.seconds:.0f} s, {len(quarto_pages)} pages")
    lines = re.sub(r"\x1b\[[0-9;]*m", "", quarto_render.output).splitlines()
    assert [line for line in lines if re.match(r"\s*(\(\w+\) )?(WARN|ERROR)", line)] == []


def test_every_page_names_quarto_as_its_generator(quarto_pages):
    generators = {
        p: re.search(r'<meta name="generator" content="([^"]*)"', t) for p, t in quarto_pages.items()
    }
    assert [p for p, m in generators.items() if not (m and m.group(1).startswith("quarto-"))] == []


def test_every_target_has_a_page_in_each_language(quarto_render, quarto_pages):
    with (quarto_render.root / "data" / "targets.csv").open(encoding="utf-8-sig", newline="") as handle:
        targets = [row["target_id"] for row in csv.DictReader(handle)]
    assert len(targets) == 228
    for language in ("en", "zh"):
        missing = [
            t
            for t in targets
            if permalinks.output_path(permalinks.target_source(t, language)) not in quarto_pages
        ]
        assert missing == []


def test_chinese_pages_carry_lang_zh_and_a_chinese_navbar(quarto_pages):
    for page, text in quarto_pages.items():
        tag = re.search(r"<html\b[^>]*>", text).group(0)
        expected = "zh" if page.startswith("zh/") else "en"
        assert f'lang="{expected}"' in tag, (page, tag)
    navbar = re.search(r"<nav\b.*?</nav>", quarto_pages["zh/index.html"], re.DOTALL).group(0)
    assert "地区" in navbar and "Regions" not in navbar
    navbar = re.search(r"<nav\b.*?</nav>", quarto_pages["index.html"], re.DOTALL).group(0)
    assert "Regions" in navbar and "地区" not in navbar and "中文" in navbar


def test_search_covers_both_languages(quarto_render):
    entries = json.loads((quarto_render.site / "search.json").read_text(encoding="utf-8"))
    pages = {e["href"].split("#")[0] for e in entries}
    assert {"index.html", "zh/index.html", "reports/guizhou.html", "zh/reports/guizhou.html"} <= pages


def test_both_renderers_show_the_same_pages_with_the_same_main_text(
    quarto_render, quarto_pages, tmp_path: Path
):
    offline = tmp_path / "offline"
    render.render_offline(quarto_render.root, offline)
    offline_pages = {
        p.relative_to(offline).as_posix(): p.read_text(encoding="utf-8") for p in offline.rglob("*.html")
    }
    assert sorted(offline_pages) == sorted(quarto_pages)
    differ = [p for p in offline_pages if main_text(offline_pages[p]) != main_text(quarto_pages[p])]
    assert differ == []


def test_changed_pages_rendered_on_their_own_are_the_pages_of_a_whole_render(quarto_render, tmp_path: Path):
    """What `plantracker build` does when some pages changed (each profile's set rendered as a twin of
    the project whose render list is that set, then merged) writes the same bytes as the whole render:
    the same navbar, links to pages outside the set resolved, the Chinese pages' lang given back."""
    from analysis.build import quarto, quarto_merge

    assert quarto_render.returncode == 0, quarto_render.output[-3000:]
    root = quarto_render.root
    config = render.load_site_config(root)
    target = sorted(p for p in config.pages if p.startswith("targets/"))[0]
    changed = {"index.qmd", "about.qmd", target, "zh/about.qmd", "zh/" + target}
    scratch = tmp_path / "parts"
    processes = quarto.render_changed(quarto.quarto_executable(), root, config, changed, scratch)
    quarto.wait_all(processes)
    merged = tmp_path / "site"
    for profile in config.profiles:
        pages = sorted(changed & set(profile.pages))
        lang = quarto.profile_lang(root, config, profile)
        quarto_merge.merge_pages(scratch / profile.name, merged, pages, set(config.pages), lang)
    for page in sorted(changed):
        out = permalinks.output_path(page)
        assert (merged / out).read_bytes() == (quarto_render.site / out).read_bytes(), page
    hrefs = {e["href"].split("#")[0] for e in json.loads((merged / "search.json").read_text())}
    assert hrefs == {permalinks.output_path(p) for p in changed}  # the set's own search entries
