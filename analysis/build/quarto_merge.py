"""Merging what a Quarto process rendered into the site: its pages, its search index and its sitemap.

Each Quarto process writes a folder of its own (a profile, or a set of changed pages), with its own
`site_libs`, search index and sitemap; these functions copy its pages into the site and merge the
index and the sitemap, so that search covers every page. Quarto writes `lang: zh` as `zh-Hans` (it
disambiguates a bare `zh`): a merged page gets back the language the project wrote. A set of pages
rendered on its own (`merge_pages`) may link to pages outside the set by their source name, which only
a render of the whole project resolves: those links are written as the whole render writes them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path, PurePosixPath

from analysis.core.errors import BuildError
from analysis.site.permalinks import output_path

# what Quarto writes per output folder that a merge combines rather than copies
SITE_WIDE = {"site_libs", "search.json", "sitemap.xml", "robots.txt"}
_URL_BLOCK = re.compile(r"<url>.*?</url>", re.DOTALL)
_HTML_TAG = re.compile(r"<html\b[^>]*>")
# a link to a page by its source (x.qmd, reports/y.ipynb), with any #fragment
_SOURCE_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|#|//)([^"#?]+?\.(?:qmd|ipynb))(#[^"]*)?"')


def merge_profile(part: Path, site: Path, lang: str | None) -> list[str]:
    """Copy one profile's rendered pages into the site and merge its search index and sitemap; a page
    whose <html> Quarto tagged `zh-Hans` for `lang: zh` gets `lang` back. Returns the pages copied."""
    copied = []
    for path in sorted(part.rglob("*")):
        relative = path.relative_to(part)
        if path.is_dir() or relative.parts[0] in SITE_WIDE or _is_redirect(path, relative):
            continue
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".html" and lang:
            target.write_text(restore_lang(path.read_text(encoding="utf-8"), lang), encoding="utf-8")
            copied.append(relative.as_posix())
        else:
            shutil.copyfile(path, target)
    merge_search(part / "search.json", site / "search.json")
    merge_sitemap(part / "sitemap.xml", site / "sitemap.xml")
    return copied


def _is_redirect(path: Path, relative: PurePosixPath) -> bool:
    """The index.html Quarto writes at the top of a profile without its own home page (a redirect)."""
    return relative.as_posix() == "index.html" and 'http-equiv="refresh"' in path.read_text(
        encoding="utf-8", errors="replace"
    )


def restore_lang(text: str, lang: str) -> str:
    """The <html> tag's lang as the project wrote it (`zh`), where Quarto wrote a variant (`zh-Hans`)."""

    def fix(match: re.Match) -> str:
        return re.sub(r'((?:xml:)?lang)="' + re.escape(lang) + r'-[^"]*"', rf'\1="{lang}"', match.group(0))

    return _HTML_TAG.sub(fix, text, count=1)


def merge_search(part: Path, site: Path) -> None:
    """Quarto's search index of the site with the part's pages replaced by the part's entries."""
    if not part.is_file():
        return
    new = json.loads(part.read_text(encoding="utf-8"))
    old = json.loads(site.read_text(encoding="utf-8")) if site.is_file() else []
    replaced = {e.get("href", "").split("#")[0] for e in new}
    kept = [e for e in old if e.get("href", "").split("#")[0] not in replaced]
    site.write_text(json.dumps([*kept, *new], ensure_ascii=False), encoding="utf-8")


def merge_sitemap(part: Path, site: Path) -> None:
    """The sitemap's <url> entries of both, one per address."""
    if not part.is_file():
        return
    if not site.is_file():
        shutil.copyfile(part, site)
        return
    text = site.read_text(encoding="utf-8")
    entries = {_loc(b): b for b in _URL_BLOCK.findall(text)}
    entries.update({_loc(b): b for b in _URL_BLOCK.findall(part.read_text(encoding="utf-8"))})
    head = text[: text.find("<url>")] if "<url>" in text else text[: text.rfind("</urlset>")]
    site.write_text(head + "\n  ".join(entries.values()) + "\n</urlset>\n", encoding="utf-8")


def _loc(block: str) -> str:
    found = re.search(r"<loc>(.*?)</loc>", block, re.DOTALL)
    return found.group(1).strip() if found else block


def merge_pages(part: Path, site: Path, pages: list[str], every_page: set[str], lang: str | None) -> None:
    """Copy the outputs of `pages`, rendered on their own into `part`, into the site (each page's
    `_files` folder with it), and merge their search entries and sitemap; the rest of `part` (resources
    and files Quarto copied beside the pages) is left out: the build copies the resources itself."""
    for page in pages:
        out = output_path(page)
        if not (part / out).is_file():
            raise BuildError(f"quarto render did not write {out} (from {page}); the site was not changed")
        text = (part / out).read_text(encoding="utf-8")
        text = resolve_source_links(text, page, every_page)
        target = site / out
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(restore_lang(text, lang) if lang else text, encoding="utf-8")
        extras = part / PurePosixPath(out).with_name(PurePosixPath(out).stem + "_files")
        if extras.is_dir():
            shutil.rmtree(site / extras.relative_to(part), ignore_errors=True)
            shutil.copytree(extras, site / extras.relative_to(part))
    merge_search(part / "search.json", site / "search.json")
    merge_sitemap(part / "sitemap.xml", site / "sitemap.xml")


def resolve_source_links(text: str, page: str, every_page: set[str]) -> str:
    """Links to a page of the site by its source name (`about.qmd`, `/reports/x.ipynb`) written as a
    render of the whole project writes them (Quarto's resolveProjectInputLinks: the page's offset to the
    site's root, then the output's path from the root: `./about.html`, `../reports/x.html`); a link to
    any other file is left as it is."""
    folder = PurePosixPath(page).parent
    depth = len(folder.parts)
    offset = "/".join([".."] * depth) if depth else "."

    def fix(match: re.Match) -> str:
        href, fragment = match.group(1), match.group(2) or ""
        joined = href[1:] if href.startswith("/") else (folder / href).as_posix()
        source = PurePosixPath(os.path.normpath(joined)).as_posix()
        if source not in every_page:
            return match.group(0)
        return f'href="{offset}/{output_path(source)}{fragment}"'

    return _SOURCE_LINK.sub(fix, text)


def forget_pages(site: Path, gone: list[str]) -> None:
    """Remove pages no longer in the site: their output, search entries and sitemap entries."""
    hrefs = {output_path(p) for p in gone}
    for href in hrefs:
        (site / href).unlink(missing_ok=True)
    index = site / "search.json"
    if hrefs and index.is_file():
        entries = json.loads(index.read_text(encoding="utf-8"))
        kept = [e for e in entries if e.get("href", "").split("#")[0] not in hrefs]
        index.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    sitemap = site / "sitemap.xml"
    if hrefs and sitemap.is_file():
        text = sitemap.read_text(encoding="utf-8")
        drop = [b for b in _URL_BLOCK.findall(text) if any(_loc(b).endswith("/" + h) for h in hrefs)]
        for block in drop:
            text = text.replace(block, "")
        sitemap.write_text(text, encoding="utf-8")
