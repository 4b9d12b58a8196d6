"""Rendering with Quarto: one Quarto process per profile (English, Chinese) side by side, each into a
folder of its own, merged into one site; and only the pages whose inputs changed.

Quarto's cost is a pandoc run per page, so `plantracker build` keeps a fingerprint per page in the site
it publishes (`PAGE_RECORD`) and passes Quarto only the pages whose source, includes or site definition
changed, rendering them over a copy of the last published site. Two Quarto processes never write the
same folder (each writes its own `site_libs`, search index and sitemap); `merge_profile` copies the
second one's pages into the first's output and merges the search index and the sitemap, so search
covers both languages. Nor do they share a project folder: Quarto keeps an index of each project's
cross-references in its `.quarto/` folder, which one process rewrites while the other reads it (seen:
"SyntaxError: Unexpected end of JSON input"), so every profile after the first renders in a twin of the
project (`twin_project`: the same files, hard-linked where the file system allows).
Quarto writes `lang: zh` as `zh-Hans` (it disambiguates a bare `zh`);
`merge_profile` gives such pages back the language the project wrote.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

from analysis.build import page_html, render
from analysis.build.fingerprint import checksum
from analysis.core import paths
from analysis.core.errors import BuildError
from analysis.site.permalinks import output_path

PAGE_RECORD = ".plantracker-pages.json"
# what Quarto writes per output folder that a merge combines rather than copies
SITE_WIDE = {"site_libs", "search.json", "sitemap.xml", "robots.txt"}
# set for Quarto's pre- and post-render hooks when `plantracker build` drives Quarto itself
BUILD_ENV = "PLANTRACKER_BUILD"
_URL_BLOCK = re.compile(r"<url>.*?</url>", re.DOTALL)
_HTML_TAG = re.compile(r"<html\b[^>]*>")


def quarto_executable() -> str:
    """The `quarto` on PATH, or a clear error naming the fix."""
    found = shutil.which("quarto")
    if not found:
        raise BuildError("quarto is not installed (not on PATH); install it or use --renderer offline")
    return found


@functools.lru_cache(maxsize=4)
def quarto_version(executable: str) -> str:
    """`quarto --version` (part of every page's fingerprint: another Quarto may write other pages)."""
    done = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def quarto_env(**extra: str) -> dict[str, str]:
    """The environment Quarto runs in: this Python's folder first on PATH (the pre/post-render hooks
    run `python -m …` with the project installed), no Quarto variables inherited from a parent Quarto."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUARTO_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return {**env, **extra}


# ---------------------------------------------------------------- which pages changed


def site_definition(root: Path) -> list[tuple[str, Path]]:
    """The files every page depends on: _quarto.yml, its profiles, every folder's _metadata.yml, and
    the stylesheets and templates at the root (a change re-renders every page)."""
    files = sorted(root.glob("_quarto*.yml")) + sorted(root.rglob("_metadata.yml"))
    files += sorted(p for p in root.iterdir() if p.suffix in (".css", ".scss", ".html") and p.is_file())
    files += [root / p for p in render.load_site_config(root).shortcodes]
    return [(p.relative_to(root).as_posix(), p) for p in files if ".quarto" not in p.parts]


def included_files(root: Path, source: str) -> list[tuple[str, Path]]:
    """The files a .qmd page includes ({{< include … >}}), which change the page as its own text does."""
    path = root / source
    if path.suffix != ".qmd" or not path.is_file():
        return []
    found = page_html.INCLUDE.findall(path.read_text(encoding="utf-8"))
    return [(f"{source}:{name}", path.parent / name) for name in found]


def page_fingerprints(root: Path, config: render.SiteConfig, version: str) -> dict[str, str]:
    """A fingerprint per page: its source, its includes, the site definition and Quarto's version."""
    common = checksum(site_definition(root), version.encode())
    return {
        page: checksum([(page, root / page), *included_files(root, page)], common.encode())
        for page in config.pages
    }


def read_record(site: Path | None) -> dict:
    """The page fingerprints a published Quarto site was rendered from ({} for none)."""
    if site is None or not (site / PAGE_RECORD).is_file():
        return {}
    try:
        return json.loads((site / PAGE_RECORD).read_text(encoding="utf-8"))
    except ValueError:
        return {}


def pages_to_render(
    config: render.SiteConfig, prints: dict[str, str], record: dict, out_dir: Path
) -> list[str]:
    """The pages whose fingerprint differs from the published site's, or whose output is missing."""
    old = record.get("pages") or {}
    return [p for p in config.pages if old.get(p) != prints[p] or not (out_dir / output_path(p)).is_file()]


# ---------------------------------------------------------------- running Quarto


def start_profile(
    executable: str,
    root: Path,
    profile: str,
    pages: list[str] | None,
    out: Path,
    log: Path,
    twin: Path | None = None,
):
    """Start `quarto render` of some pages (None: the whole profile) into `out`; returns the process.
    With `twin`, Quarto runs in a fresh twin of the project made there (its own `.quarto/` folder)."""
    chosen = ["--profile", profile] if profile != render.NO_PROFILE else []
    command = [executable, "render", *(pages or []), *chosen, "--output-dir", str(out.resolve())]
    log.parent.mkdir(parents=True, exist_ok=True)
    where = twin_project(root, twin) if twin is not None else root
    with log.open("w", encoding="utf-8") as handle:
        return subprocess.Popen(
            command, cwd=where, stdout=handle, stderr=subprocess.STDOUT, env=quarto_env(**{BUILD_ENV: "1"})
        )


# what a twin of the project leaves out: version control, environments, caches and rendered sites
_NOT_IN_TWIN = {".git", ".venv", ".quarto", "test-artefacts", "drafts", "_site"}


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:  # another file system, or links not allowed: a copy
        shutil.copy2(source, destination)


def twin_project(root: Path, twin: Path) -> Path:
    """A fresh twin of the project at `twin` (outside what it copies: the cache folder is left out), for a
    second Quarto process that must not share the first one's `.quarto/` folder."""
    shutil.rmtree(twin, ignore_errors=True)
    cache = paths.cache_dir(root).name

    def ignored(folder: str, names: list[str]) -> set[str]:
        left_out = {n for n in names if n in _NOT_IN_TWIN or n == cache}
        if Path(folder).resolve() == (root / "reports").resolve():
            left_out |= {n for n in names if n.startswith(".")}  # a profile's own output folder
        return left_out

    shutil.copytree(root, twin, ignore=ignored, copy_function=_link_or_copy, symlinks=True)
    return twin


def problems_in(log: Path) -> list[str]:
    """Quarto's WARN and ERROR lines in a log (colour codes removed)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(encoding="utf-8", errors="replace"))
    return [line.strip() for line in text.splitlines() if re.match(r"\s*(WARN|ERROR)\b", line)]


def wait_all(processes: list[tuple[str, subprocess.Popen, Path]]) -> None:
    """Wait for every Quarto process; one failure fails the render (its last lines named), and stops
    the others."""
    try:
        failed = [(name, log) for name, process, log in processes if process.wait() != 0]
    except BaseException:
        for _, process, _ in processes:
            process.kill()
        raise
    if failed:
        name, log = failed[0]
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise BuildError(f"quarto render (profile {name}) failed; the site was not changed:\n{tail}")


# ---------------------------------------------------------------- merging a profile's output


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


def profile_lang(root: Path, config: render.SiteConfig, profile: render.Profile) -> str | None:
    """The language of a profile's pages, from their folder's _metadata.yml (zh/ → zh)."""
    return render.folder_lang(root, profile.pages[0]) if profile.pages else None


# ---------------------------------------------------------------- the build's render


def copy_resources(root: Path, patterns: tuple[str, ...], out_dir: Path) -> None:
    """The project's resources (charts, downloads) as they are now: new and changed files copied,
    files no longer there removed."""
    for pattern in patterns:
        top = out_dir / pattern.split("/")[0]
        if top.is_dir() and not render.is_glob(pattern.split("/")[0]):
            shutil.rmtree(top)
    render._copy_resources(root, patterns, out_dir)


def render_site(root: Path | None, out_dir: Path, previous: Path | None = None, console=None) -> list[Path]:
    """Render the site with Quarto (from the notebooks' stored outputs: it executes no .ipynb) into
    `out_dir`: over a copy of `previous` (the published site) only
    the pages whose inputs changed, else every page; each profile in its own Quarto process, at once."""
    from analysis.build.progress import say

    root = root or paths.project_root()
    executable = quarto_executable()
    config = render.load_site_config(root)
    prints = page_fingerprints(root, config, quarto_version(executable))
    record = read_record(previous)
    if record and previous is not None:
        shutil.copytree(previous, out_dir, dirs_exist_ok=True)  # copies: Quarto rewrites files in place
    else:
        record = {}
    changed = set(pages_to_render(config, prints, record, out_dir))
    for gone in set(record.get("pages") or {}) - set(prints):
        (out_dir / output_path(gone)).unlink(missing_ok=True)
    say(console, f"quarto: rendering {len(changed)} of {len(prints)} pages")
    scratch = out_dir.parent / f"{out_dir.name}-profiles"
    processes = []
    for i, profile in enumerate(config.profiles):
        pages = [p for p in profile.pages if p in changed]
        if pages:
            # a cold build renders each profile whole, as `quarto render` does (a list of all 238 files was
            # far slower here, 3.5 GB per process); only over a published site a list of the changed pages
            # (a whole-profile render would first empty the output folder, the other language's pages too)
            pages = None if not record and len(pages) == len(profile.pages) else pages
            target = out_dir if i == 0 else scratch / profile.name
            log = scratch / f"{profile.name}.log"
            twin = None if i == 0 else paths.cache_dir(root) / "quarto-twins" / profile.name
            process = start_profile(executable, root, profile.name, pages, target, log, twin)
            processes.append((profile.name, process, log))
    wait_all(processes)
    for name, _, log in processes:
        for line in problems_in(log):
            say(console, f"quarto ({name}): {line}")
    for profile in config.profiles[1:]:
        if (scratch / profile.name).is_dir():
            merge_profile(scratch / profile.name, out_dir, profile_lang(root, config, profile))
    shutil.rmtree(scratch, ignore_errors=True)
    copy_resources(root, config.resources, out_dir)
    record = {"renderer": "quarto", "pages": prints}
    (out_dir / PAGE_RECORD).write_text(json.dumps(record, indent=0, sort_keys=True), encoding="utf-8")
    written = [out_dir / output_path(p) for p in config.pages]
    missing = [str(p) for p in written if not p.exists()]
    if missing:
        raise BuildError(f"quarto render did not write {', '.join(missing[:5])}; the site was not changed")
    return written
