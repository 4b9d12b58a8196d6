"""Rendering with Quarto: one Quarto process per profile (English, Chinese) side by side, each into a
folder of its own, merged into one site; and only the pages whose inputs changed.

Quarto's cost is a pandoc run per page, so `plantracker build` keeps a fingerprint per page in the site
it publishes (`PAGE_RECORD`) and renders only the pages whose source, includes or site definition
changed, over a copy of the last published site. Quarto renders one file or one whole project per run
(arguments after the first go to pandoc), so a set of changed pages is rendered as the whole of a twin
of the project whose render list is that set (`restricted_twin`), one process per profile.
Two Quarto processes never write the same folder (each writes its own `site_libs`, search index and
sitemap): `quarto_merge` copies each one's pages into the site and merges the search index and the
sitemap, so search covers both languages. Nor do they share a project folder: Quarto keeps an index of
each project's cross-references in its `.quarto/` folder, which one process rewrites while the other
reads it (seen: "SyntaxError: Unexpected end of JSON input"), so every process but a whole render's first
runs in a twin of the project (`twin_project`: the same files, hard-linked where the file system allows).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from analysis.build import page_html, quarto_merge, render
from analysis.build.fingerprint import checksum
from analysis.build.scratch import link_or_copy
from analysis.core import paths
from analysis.core.errors import BuildError
from analysis.site.permalinks import output_path

PAGE_RECORD = ".plantracker-pages.json"
# set for Quarto's pre- and post-render hooks when `plantracker build` drives Quarto itself
BUILD_ENV = "PLANTRACKER_BUILD"


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


def start_profile(executable: str, where: Path, profile: str, out: Path, log: Path):
    """Start `quarto render` of a whole profile of the project at `where` into `out`; returns the
    process. Quarto renders one file or one project per run (further arguments go to pandoc), so a set
    of pages is rendered as a project whose render list is that set (`restricted_twin`)."""
    chosen = ["--profile", profile] if profile != render.NO_PROFILE else []
    command = [executable, "render", *chosen, "--output-dir", str(out.resolve())]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as handle:
        return subprocess.Popen(
            command, cwd=where, stdout=handle, stderr=subprocess.STDOUT, env=quarto_env(**{BUILD_ENV: "1"})
        )


# what a twin of the project leaves out: version control, environments, caches and rendered sites
_NOT_IN_TWIN = {".git", ".venv", ".quarto", "test-artefacts", "drafts", "_site"}


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

    shutil.copytree(root, twin, ignore=ignored, copy_function=link_or_copy, symlinks=True)
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


def twin_folder(root: Path, profile: str) -> Path:
    """Where a profile's twin of the project is made for `plantracker build` (in the cache folder)."""
    return paths.cache_dir(root) / "quarto-twins" / profile


def restricted_twin(root: Path, twin: Path, profile: str, pages: list[str]) -> Path:
    """A twin of the project (`twin_project`) whose render list is `pages`: rendering its whole
    profile renders those pages only, each as a render of the whole project would (same navbar,
    same metadata); links to pages outside the list are resolved when merging (`merge_pages`)."""
    twin_project(root, twin)
    base = twin / render.CONFIG_FILE
    holder = base if profile == render.NO_PROFILE else twin / f"_quarto-{profile}.yml"
    for path in dict.fromkeys([base, holder]):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
        project = data.setdefault("project", {})
        project.pop("render", None)  # Quarto joins a profile's list to the base's: one list, in one file
        if path == holder:
            project["render"] = ["/" + page for page in pages]  # rooted: Quarto's globs match at any depth
        path.unlink(missing_ok=True)  # a hard link to the project's own file: never written through
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return twin


def render_whole(
    executable: str, root: Path, config: render.SiteConfig, out_dir: Path, scratch: Path
) -> list[tuple[str, subprocess.Popen, Path]]:
    """Every page: the first profile rendered whole in the project into `out_dir`, each other profile
    in a twin into a scratch folder of its own, all at once (as a plain `quarto render` does)."""
    processes = []
    for i, profile in enumerate(config.profiles):
        target = out_dir if i == 0 else scratch / profile.name
        where = root if i == 0 else twin_project(root, twin_folder(root, profile.name))
        log = scratch / f"{profile.name}.log"
        processes.append((profile.name, start_profile(executable, where, profile.name, target, log), log))
    return processes


def render_changed(
    executable: str, root: Path, config: render.SiteConfig, changed: set[str], scratch: Path
) -> list[tuple[str, subprocess.Popen, Path]]:
    """The changed pages of each profile, each profile's set in a restricted twin of its own, at once."""
    processes = []
    for profile in config.profiles:
        pages = [p for p in profile.pages if p in changed]
        if pages:
            twin = restricted_twin(root, twin_folder(root, profile.name), profile.name, pages)
            log = scratch / f"{profile.name}.log"
            process = start_profile(executable, twin, profile.name, scratch / profile.name, log)
            processes.append((profile.name, process, log))
    return processes


def render_site(root: Path | None, out_dir: Path, previous: Path | None = None, console=None) -> list[Path]:
    """Render the site with Quarto (from the notebooks' stored outputs: it executes no .ipynb) into
    `out_dir`: over a copy of `previous` (the published site) only the pages whose inputs changed,
    else every page; each profile in its own Quarto process, at once."""
    from analysis.build.progress import say

    root = root or paths.project_root()
    executable = quarto_executable()
    config = render.load_site_config(root)
    prints = page_fingerprints(root, config, quarto_version(executable))
    record = read_record(previous)
    changed = pages_to_render(config, prints, record, previous) if record else list(config.pages)
    say(console, f"quarto: rendering {len(changed)} of {len(prints)} pages")
    scratch = out_dir.parent / f"{out_dir.name}-profiles"
    whole = len(changed) == len(config.pages)
    if whole:
        processes = render_whole(executable, root, config, out_dir, scratch)
    else:
        shutil.copytree(previous, out_dir, dirs_exist_ok=True)  # copies: Quarto rewrites files in place
        quarto_merge.forget_pages(out_dir, sorted(set(record.get("pages") or {}) - set(prints)))
        processes = render_changed(executable, root, config, set(changed), scratch)
    wait_all(processes)
    for name, _, log in processes:
        for line in problems_in(log):
            say(console, f"quarto ({name}): {line}")
    for i, profile in enumerate(config.profiles):
        part, lang = scratch / profile.name, profile_lang(root, config, profile)
        if whole and i > 0:
            quarto_merge.merge_profile(part, out_dir, lang)
        elif not whole and part.is_dir():
            pages = [p for p in profile.pages if p in changed]
            quarto_merge.merge_pages(part, out_dir, pages, set(config.pages), lang)
    shutil.rmtree(scratch, ignore_errors=True)
    copy_resources(root, config.resources, out_dir)
    record = {"renderer": "quarto", "pages": prints}
    (out_dir / PAGE_RECORD).write_text(json.dumps(record, indent=0, sort_keys=True), encoding="utf-8")
    written = [out_dir / output_path(p) for p in config.pages]
    missing = [str(p) for p in written if not p.exists()]
    if missing:
        raise BuildError(f"quarto render did not write {', '.join(missing[:5])}; the site was not changed")
    return written
