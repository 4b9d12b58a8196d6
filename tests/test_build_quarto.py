"""The build with Quarto as the renderer, driven through a fake `quarto` on PATH (the real one is tested in
test_build_quarto_site.py where it is installed): only changed pages are rendered again, each profile
runs in its own process, their outputs are merged, and a failed or killed render keeps the last good
site."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from analysis.build import fingerprint, quarto, quarto_hooks, quarto_merge, render
from analysis.build import orchestrate as build
from analysis.core.errors import BuildError

TINY = Path(__file__).parent / "fixtures" / "tiny_site"

# Renders the pages of the profile it is asked for, as the project it runs in lists them (Quarto takes no
# list of files: arguments after the first go to pandoc), logs the profile and those pages, and fails or
# kills itself half-way when told to.
FAKE_QUARTO = textwrap.dedent("""\
    #!{python}
    import json, os, signal, sys
    from pathlib import Path
    args = sys.argv[1:]
    if args == ["--version"]:
        print("9.9.9-fake")
        sys.exit(0)
    assert args[0] == "render" and args[1].startswith("--"), args  # a whole project, never files
    out = Path(args[args.index("--output-dir") + 1])
    profile = args[args.index("--profile") + 1] if "--profile" in args else ""
    sys.path.insert(0, {repo!r})
    from analysis.build import render
    config = render.load_site_config(Path.cwd())
    pages = list(next(p for p in config.profiles if p.name in (profile, "default")).pages)
    with open(os.environ["FAKE_QUARTO_LOG"], "a") as log:
        log.write(json.dumps({{"profile": profile, "pages": pages}}) + "\\n")
    for i, page in enumerate(pages):
        if os.environ.get("FAKE_QUARTO_KILL") and i == len(pages) - 1:
            os.kill(os.getpid(), signal.SIGKILL)
        target = out / Path(page).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        lang = "zh-Hans" if page.startswith("zh/") else "en"
        text = Path(page).read_text(encoding="utf-8", errors="replace")[:40]
        meta = '<meta name="generator" content="quarto-fake">'
        target.write_text(f'<html lang="{{lang}}">{{meta}}{{len(text)}}</html>')
    search = [{{"href": str(Path(p).with_suffix(".html")), "text": p}} for p in pages]
    (out / "search.json").write_text(json.dumps(search))
    if os.environ.get("FAKE_QUARTO_FAIL"):
        print("ERROR: asked to fail", file=sys.stderr)
        sys.exit(1)
    print("Output created: done")
""")


@pytest.fixture
def fake_quarto(tmp_path: Path, monkeypatch) -> Path:
    """A `quarto` first on PATH; returns the file it logs each call's profile and pages to."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    repo = str(Path(__file__).resolve().parents[1])
    script.write_text(FAKE_QUARTO.format(python=sys.executable, repo=repo), encoding="utf-8")
    script.chmod(0o755)
    log = tmp_path / "quarto-calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    quarto.quarto_version.cache_clear()
    return log


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.is_file() else []


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    """The tiny site with two profiles (en, zh), its notebooks stored by hand (nothing executed)."""
    root = tmp_path / "site"
    shutil.copytree(TINY, root)
    config = (root / "_quarto.yml").read_text(encoding="utf-8")
    base = config.split("  render:")[0] + "website:" + config.split("website:")[1].split("  navbar:")[0]
    base = "profile:\n  default: en\n" + base + "format:" + config.split("format:")[1]
    (root / "_quarto.yml").write_text(base, encoding="utf-8")
    (root / "_quarto-en.yml").write_text(
        "project:\n  render: [index.qmd, reports/north.ipynb]\nwebsite:\n  navbar:\n    left: [index.qmd]\n",
        encoding="utf-8",
    )
    (root / "_quarto-zh.yml").write_text(
        "project:\n  render: [zh/index.qmd]\nwebsite:\n  navbar:\n    left: [zh/index.qmd]\n",
        encoding="utf-8",
    )
    (root / "zh").mkdir()
    (root / "zh" / "_metadata.yml").write_text("lang: zh\n", encoding="utf-8")
    (root / "zh" / "index.qmd").write_text("---\ntitle: 首页\n---\n\n文本\n", encoding="utf-8")
    (root / "reports").mkdir(exist_ok=True)
    (root / "reports" / "north.ipynb").write_text(json.dumps({"cells": [], "metadata": {}}), encoding="utf-8")
    library = tmp_path / "library.py"
    library.write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.setattr(fingerprint, "library_files", lambda: [library])
    monkeypatch.setattr(build, "input_problems", lambda root: [])
    monkeypatch.setattr(build, "changed_jobs", lambda *args: [])  # the stored notebooks count as current
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_profiles_render_side_by_side_and_merge_into_one_site(site: Path, fake_quarto: Path):
    build.build_site(renderer="quarto", root=site)
    out = site / "reports" / "_site"
    # a first build renders each profile whole, as `quarto render` does
    assert {c["profile"]: sorted(c["pages"]) for c in calls(fake_quarto)} == {
        "en": ["index.qmd", "reports/north.ipynb"],
        "zh": ["zh/index.qmd"],
    }
    assert (out / "zh" / "index.html").read_text().startswith('<html lang="zh">')  # not zh-Hans
    assert (out / "index.html").read_text().startswith('<html lang="en">')
    search = {e["href"] for e in json.loads((out / "search.json").read_text())}
    assert search == {"index.html", "reports/north.html", "zh/index.html"}  # search covers both


def test_only_the_pages_whose_source_changed_are_rendered_again(site: Path, fake_quarto: Path):
    build.build_site(renderer="quarto", root=site)
    fake_quarto.unlink()
    report = build.build_site(renderer="quarto", root=site)
    assert not report.rendered and calls(fake_quarto) == []  # nothing changed: Quarto not run at all
    (site / "zh" / "index.qmd").write_text("---\ntitle: 首页\n---\n\n新的文本\n", encoding="utf-8")
    build.build_site(renderer="quarto", root=site)
    assert calls(fake_quarto) == [{"profile": "zh", "pages": ["zh/index.qmd"]}]
    out = site / "reports" / "_site"
    assert {"index.html", "reports/north.html", "zh/index.html"} <= set(tree(out))
    search = sorted(e["href"] for e in json.loads((out / "search.json").read_text()))
    assert search == ["index.html", "reports/north.html", "zh/index.html"]  # one entry per page still
    (site / "index.qmd").write_text((site / "index.qmd").read_text() + "\nmore\n", encoding="utf-8")
    before = (out / "reports" / "north.html").read_bytes()
    build.build_site(renderer="quarto", root=site)
    assert calls(fake_quarto)[1:] == [{"profile": "en", "pages": ["index.qmd"]}]
    assert (out / "reports" / "north.html").read_bytes() == before  # kept from the last site


def test_a_set_of_pages_renders_as_a_twin_whose_render_list_is_that_set(site: Path, tmp_path: Path):
    profile = (site / "_quarto-zh.yml").read_text(encoding="utf-8")
    twin = quarto.restricted_twin(site, tmp_path / "twin", "zh", ["zh/index.qmd"])
    assert (site / "_quarto-zh.yml").read_text(encoding="utf-8") == profile  # not written through a link
    assert yaml.safe_load((twin / "_quarto-zh.yml").read_text(encoding="utf-8"))["project"]["render"] == [
        "/zh/index.qmd"
    ]
    zh = next(p for p in render.load_site_config(twin).profiles if p.name == "zh")
    assert zh.pages == ("zh/index.qmd",) and zh.navbar  # the navbar as the project has it
    twin = quarto.restricted_twin(site, tmp_path / "twin", "en", ["reports/north.ipynb"])
    en = next(p for p in render.load_site_config(twin).profiles if p.name == "en")
    assert en.pages == ("reports/north.ipynb",)


def test_a_site_without_profiles_takes_the_restricted_render_list_in_its_own_file(tmp_path: Path):
    root = tmp_path / "tiny"
    shutil.copytree(TINY, root)
    twin = quarto.restricted_twin(root, tmp_path / "twin", render.NO_PROFILE, ["reports/south.ipynb"])
    assert render.load_site_config(twin).pages == ("reports/south.ipynb",)
    assert render.load_site_config(twin).navbar == render.load_site_config(root).navbar
    assert len(render.load_site_config(root).pages) == 4


PAGES = {"index.qmd", "about.qmd", "reports/x.ipynb", "zh/about.qmd", "zh/targets/t.qmd"}


@pytest.mark.parametrize(
    "page, href, written",
    [
        ("index.qmd", "reports/x.ipynb#a", "./reports/x.html#a"),  # Quarto's offset from the root: "."
        ("zh/targets/t.qmd", "../../about.qmd", "../../about.html"),
        ("zh/targets/t.qmd", "../about.qmd", "../../zh/about.html"),
        ("zh/about.qmd", "/reports/x.ipynb", "../reports/x.html"),  # rooted at the project
        ("index.qmd", "data/notes.qmd", "data/notes.qmd"),  # a file, not a page of the site
        ("index.qmd", "https://example.org/a.qmd", "https://example.org/a.qmd"),
        ("index.qmd", "about.html", "about.html"),
    ],
)
def test_links_by_source_name_are_written_as_a_whole_render_writes_them(page, href, written):
    text = f'<p><a href="{href}">x</a></p>'
    assert quarto_merge.resolve_source_links(text, page, PAGES) == f'<p><a href="{written}">x</a></p>'


def test_forgetting_a_page_removes_its_output_search_entries_and_sitemap_entry(tmp_path: Path):
    for page in ("a.html", "t/b.html"):
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text("x")
    entries = [{"href": "a.html"}, {"href": "t/b.html"}, {"href": "t/b.html#s"}]
    (tmp_path / "search.json").write_text(json.dumps(entries))
    urls = "".join(f"<url><loc>https://x.org/{p}</loc></url>" for p in ("a.html", "t/b.html"))
    (tmp_path / "sitemap.xml").write_text(f"<urlset>{urls}</urlset>")
    quarto_merge.forget_pages(tmp_path, ["t/b.qmd"])
    assert not (tmp_path / "t" / "b.html").exists() and (tmp_path / "a.html").exists()
    assert json.loads((tmp_path / "search.json").read_text()) == [{"href": "a.html"}]
    assert (
        tmp_path / "sitemap.xml"
    ).read_text() == "<urlset><url><loc>https://x.org/a.html</loc></url></urlset>"


def test_a_change_of_the_site_definition_renders_every_page(site: Path, fake_quarto: Path):
    build.build_site(renderer="quarto", root=site)
    fake_quarto.unlink()
    (site / "zh" / "_metadata.yml").write_text("lang: zh\ntoc: false\n", encoding="utf-8")
    build.build_site(renderer="quarto", root=site)
    assert sorted(len(c["pages"]) for c in calls(fake_quarto)) == [1, 2]


@pytest.mark.parametrize("how", ["FAKE_QUARTO_FAIL", "FAKE_QUARTO_KILL"])
def test_a_failed_or_killed_quarto_render_keeps_the_last_good_site(
    site: Path, fake_quarto: Path, monkeypatch, how: str
):
    build.build_site(renderer="quarto", root=site)
    before = tree(site / "reports" / "_site")
    (site / "index.qmd").write_text((site / "index.qmd").read_text() + "\nmore\n", encoding="utf-8")
    (site / "zh" / "index.qmd").write_text("---\ntitle: 首页\n---\n\n又\n", encoding="utf-8")
    monkeypatch.setenv(how, "1")
    with pytest.raises(BuildError, match="quarto render .* failed; the site was not changed"):
        build.build_site(renderer="quarto", root=site)
    assert tree(site / "reports" / "_site") == before
    assert not (site / ".plantracker-cache" / "build").exists()
    monkeypatch.delenv(how)
    build.build_site(renderer="quarto", root=site)  # the next build renders what the failed one did not
    assert tree(site / "reports" / "_site") != before


# ---------------------------------------------------------------- merging


def test_restore_lang_gives_the_html_tag_the_language_the_project_wrote():
    page = '<html xmlns="x" lang="zh-Hans" xml:lang="zh-Hans"><p lang="zh-Hans">'
    assert (
        quarto_merge.restore_lang(page, "zh") == '<html xmlns="x" lang="zh" xml:lang="zh"><p lang="zh-Hans">'
    )
    assert quarto_merge.restore_lang('<html lang="en">', "zh") == '<html lang="en">'


def test_merging_a_profile_skips_its_redirect_and_merges_search_and_sitemap(tmp_path: Path):
    site, part = tmp_path / "site", tmp_path / "part"
    for folder, pages in ((site, ["index.html", "a.html"]), (part, ["zh/index.html"])):
        for page in pages:
            (folder / page).parent.mkdir(parents=True, exist_ok=True)
            (folder / page).write_text(f'<html lang="zh-Hans">{page}</html>')
        entries = [{"href": p, "title": p} for p in pages]
        (folder / "search.json").write_text(json.dumps(entries + [{"href": pages[0] + "#s"}]))
        urls = "".join(f"<url><loc>https://x.org/{p}</loc></url>" for p in pages)
        (folder / "sitemap.xml").write_text(f'<?xml version="1.0"?>\n<urlset>\n  {urls}\n</urlset>\n')
    (part / "index.html").write_text('<meta http-equiv="refresh" content="0;URL=\'zh/index.html\'" />')
    (part / "site_libs").mkdir()
    (part / "site_libs" / "x.js").write_text("x")
    assert quarto_merge.merge_profile(part, site, "zh") == ["zh/index.html"]
    assert (site / "index.html").read_text() == '<html lang="zh-Hans">index.html</html>'  # not replaced
    assert (site / "zh" / "index.html").read_text() == '<html lang="zh">zh/index.html</html>'
    assert not (site / "site_libs").exists()
    hrefs = [e["href"] for e in json.loads((site / "search.json").read_text())]
    assert hrefs == ["index.html", "a.html", "index.html#s", "zh/index.html", "zh/index.html#s"]
    sitemap = (site / "sitemap.xml").read_text()
    assert [s.split("https://x.org/")[-1] for s in sitemap.split("</loc>")[:-1]] == [
        "index.html",
        "a.html",
        "zh/index.html",
    ]
    assert sitemap.startswith('<?xml version="1.0"?>') and sitemap.rstrip().endswith("</urlset>")


# ---------------------------------------------------------------- plain `quarto render`: its hooks


def test_pre_render_refuses_stale_reports_with_the_fix(site: Path, monkeypatch, capsys):
    from analysis.build import freshness

    monkeypatch.setattr(
        freshness, "stale_reports", lambda root: [("reports/north.ipynb", ["data.csv changed"])]
    )
    assert quarto_hooks.pre(site, "en", True) == 1
    err = capsys.readouterr().err
    assert "reports/north.ipynb: data.csv changed" in err and "make site" in err and "executes none" in err


def test_pre_render_starts_the_other_profile_and_post_render_merges_it(
    site: Path, fake_quarto: Path, monkeypatch
):
    from analysis.build import freshness

    monkeypatch.setattr(freshness, "stale_reports", lambda root: [])
    out = site / "reports" / "_site"
    out.mkdir(parents=True)
    (out / "search.json").write_text("[]")
    assert quarto_hooks.pre(site, "en", True) == 0
    assert quarto_hooks.post(site, "en", out) == 0  # waits for the zh render
    assert calls(fake_quarto) == [{"profile": "zh", "pages": ["zh/index.qmd"]}]  # the whole profile
    assert (out / "zh" / "index.html").read_text().startswith('<html lang="zh">')
    assert not quarto_hooks.hooks_dir(site).exists()


def test_hooks_do_nothing_when_the_build_drives_quarto(monkeypatch):
    monkeypatch.setenv(quarto.BUILD_ENV, "1")
    assert quarto_hooks.main(["pre"]) == 0


def test_a_page_is_rendered_again_when_a_file_it_includes_changes_and_only_then(tmp_path: Path):
    (tmp_path / "_generated").mkdir()
    (tmp_path / "_generated" / "home.md").write_text("figures of today", encoding="utf-8")
    (tmp_path / "index.qmd").write_text("{{< include _generated/home.md >}}\n", encoding="utf-8")
    (tmp_path / "about.qmd").write_text("about\n", encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [index.qmd, about.qmd]\n", encoding="utf-8")
    config = render.load_site_config(tmp_path)
    before = quarto.page_fingerprints(tmp_path, config, "1.10.18")
    (tmp_path / "_generated" / "home.md").write_text("figures of tomorrow", encoding="utf-8")
    after = quarto.page_fingerprints(tmp_path, config, "1.10.18")
    assert [p for p in before if before[p] != after[p]] == ["index.qmd"]
    other_quarto = quarto.page_fingerprints(tmp_path, config, "1.11.0")
    assert all(other_quarto[p] != after[p] for p in after)  # another Quarto renders every page again


def test_a_changed_page_quarto_did_not_write_is_a_clear_error(tmp_path: Path):
    (tmp_path / "part").mkdir()
    with pytest.raises(BuildError, match=r"did not write about\.html \(from about\.qmd\)"):
        quarto_merge.merge_pages(tmp_path / "part", tmp_path / "site", ["about.qmd"], {"about.qmd"}, None)
