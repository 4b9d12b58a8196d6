"""Turn the executed notebooks and the .qmd pages into a static site, with Quarto or offline.

Both renderers read the same `_quarto.yml` (site title, navbar, page order, footer), so the site has
one structure whichever draws it. The offline renderer needs only the Python packages: plain HTML
pages, one stylesheet, notebook outputs shown as stored (never re-executed). Output produced by the
project's own code (tables, charts) arrives as HTML already escaped; anything shown as plain text is
escaped here.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from analysis.build.page_html import include_files, markdown_to_html, notebook_page, split_front_matter
from analysis.core import paths
from analysis.core.errors import BuildError
from analysis.site.permalinks import output_path, relative_href

CONFIG_FILE = "_quarto.yml"
TEMPLATES = paths.PACKAGE / "templates"
ASSETS = paths.PACKAGE / "assets"
STYLESHEET = "site.css"  # the project's stylesheet (analysis/assets/site.css), declared in _quarto.yml
NO_PROFILE = "default"  # the one profile of a site without _quarto-<name>.yml files


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str | None = None  # a source path as written in _quarto.yml (page.qmd, reports/x.ipynb) or a URL
    menu: tuple[NavItem, ...] = ()


@dataclass(frozen=True)
class Profile:
    """One Quarto profile of the site (`_quarto-<name>.yml` merged over `_quarto.yml`): its pages and
    its navbar. A site without profiles has one, named "default"."""

    name: str
    pages: tuple[str, ...]
    navbar: tuple[NavItem, ...] = ()
    navbar_right: tuple[NavItem, ...] = ()
    output_dir: str = ""
    title: str = ""  # website.title and page-footer in the profile's language ("" : the site's)
    footer: str = ""


@dataclass(frozen=True)
class SiteConfig:
    title: str
    pages: tuple[str, ...]  # source paths, in render order (globs of project.render expanded)
    navbar: tuple[NavItem, ...]  # the default profile's
    footer: str = ""
    lang: str = "en"
    toc: bool = True
    echo: bool = False
    warnings: bool = False
    resources: tuple[str, ...] = ()
    navbar_right: tuple[NavItem, ...] = ()
    shortcodes: tuple[str, ...] = ()  # Lua files of the project's shortcodes (Quarto only)
    render_patterns: tuple[str, ...] = ()  # project.render as written (every profile's), globs unexpanded
    profiles: tuple[Profile, ...] = ()

    def profile_of(self, source: str) -> Profile | None:
        """The profile that renders a page (its navbar is the page's navbar)."""
        return next((p for p in self.profiles if source in p.pages), None)

    stylesheets: tuple[str, ...] = ()  # format.html.css: paths from the project root, linked by every page


# ---------------------------------------------------------------- _quarto.yml


def merge_config(base, override):
    """Quarto's merge of a profile over the base file: mappings merged key by key, lists concatenated,
    anything else replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge_config(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return [*base, *override]
    return override


def profile_names(raw: dict, root: Path) -> list[str]:
    """The site's profiles, the default first: `profile.group` if given, else every `_quarto-<name>.yml`
    beside `_quarto.yml` (none: the site has no profiles)."""
    spec = raw.get("profile") or {}
    group = spec.get("group") or []
    names = [str(n) for n in (group[0] if group and isinstance(group[0], list) else group)]
    if not names:
        names = sorted(p.name[len("_quarto-") : -len(".yml")] for p in root.glob("_quarto-*.yml"))
    default = str(spec.get("default") or "")
    return sorted(names, key=lambda n: n != default)


def profile_raw(raw: dict, root: Path, name: str) -> dict:
    """The configuration Quarto renders profile `name` with."""
    path = root / f"_quarto-{name}.yml"
    if not path.is_file():
        raise BuildError(f"{root / CONFIG_FILE}: profile {name} has no file {path.name}; create it")
    return merge_config(raw, yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def load_site_config(root: Path | None = None) -> SiteConfig:
    """Read the keys of `_quarto.yml` (and its profiles) both renderers honour; a missing key is named
    with its fix."""
    path = (root or paths.project_root()) / CONFIG_FILE
    if not path.exists():
        raise BuildError(f"{path}: not found; the site is defined by {CONFIG_FILE} at the project root")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = profile_names(raw, path.parent)
    profiles = [_profile(path, name, profile_raw(raw, path.parent, name)) for name in names] or [
        _profile(path, NO_PROFILE, raw)
    ]
    merged = profile_raw(raw, path.parent, names[0]) if names else raw
    project, website = merged.get("project") or {}, merged.get("website") or {}
    html_format = (merged.get("format") or {}).get("html") or {}
    execute = merged.get("execute") or {}
    return SiteConfig(
        title=str(website.get("title") or "Site"),
        pages=tuple(dict.fromkeys(p for profile in profiles for p in profile.pages)),
        navbar=profiles[0].navbar,
        navbar_right=profiles[0].navbar_right,
        render_patterns=tuple(p for name in names or [None] for p in _render_list(path, raw, name)),
        footer=_footer_text(website.get("page-footer")),
        lang=str(merged.get("lang") or "en"),
        toc=bool(html_format.get("toc", False)),
        echo=bool(execute.get("echo", True)),
        warnings=bool(execute.get("warning", True)),
        resources=tuple(project.get("resources") or ()),
        stylesheets=_stylesheets(html_format.get("css")),
        shortcodes=tuple(str(p) for p in merged.get("shortcodes") or ()),
        profiles=tuple(profiles),
    )


def _render_list(path: Path, raw: dict, name: str | None) -> list[str]:
    """project.render of a profile (or of the base file), each pattern relative to the root."""
    merged = profile_raw(raw, path.parent, name) if name else raw
    pages = (merged.get("project") or {}).get("render")
    if not pages or not all(isinstance(p, str) for p in pages):
        where = f" (profile {name})" if name else ""
        raise BuildError(f"{path}{where}: project.render must list the pages (.qmd, .ipynb) in order")
    return [p.lstrip("/") for p in pages]


def _profile(path: Path, name: str, merged: dict) -> Profile:
    website = merged.get("website") or {}
    navbar = website.get("navbar") or {}
    return Profile(
        name=name,
        pages=expand_pages(path.parent, _render_list(path, merged, None)),
        navbar=tuple(_nav_item(i) for i in (navbar.get("left") or [])),
        navbar_right=tuple(_nav_item(i) for i in (navbar.get("right") or [])),
        output_dir=str((merged.get("project") or {}).get("output-dir") or ""),
        title=str(website.get("title") or ""),
        footer=_footer_text(website.get("page-footer")),
    )


def _stylesheets(css: str | list | None) -> tuple[str, ...]:
    """format.html.css, the stylesheets Quarto links into every page: the offline renderer links the same
    files at the same place, so both sites are styled by one stylesheet."""
    return tuple(str(sheet) for sheet in ([css] if isinstance(css, str) else list(css or [])))


def is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def expand_pages(root: Path, patterns: list[str]) -> tuple[str, ...]:
    """project.render with its globs expanded as Quarto does (targets/*.qmd: every such file, sorted);
    a page named twice is rendered once, at its first place."""
    pages: dict[str, None] = {}
    for pattern in patterns:
        if is_glob(pattern):
            for path in sorted(root.glob(pattern)):
                if path.is_file() and not path.name.startswith("_"):
                    pages.setdefault(path.relative_to(root).as_posix(), None)
        else:
            pages.setdefault(pattern, None)
    return tuple(pages)


def _nav_item(entry: str | dict) -> NavItem:
    if isinstance(entry, str):
        return NavItem(text=entry, href=entry)
    menu = tuple(_nav_item(e) for e in entry.get("menu") or ())
    href = entry.get("href") or entry.get("file")
    return NavItem(text=str(entry.get("text") or href or ""), href=href, menu=menu)


def _footer_text(footer: str | dict | None) -> str:
    if isinstance(footer, dict):
        return " · ".join(str(footer[k]) for k in ("left", "center", "right") if footer.get(k))
    return str(footer or "")


def page_titles(config: SiteConfig) -> dict[str, str]:
    """Navbar text by page source: the name a reader already saw in the menu."""
    titles: dict[str, str] = {}
    bars = [(*p.navbar, *p.navbar_right) for p in config.profiles] or [(*config.navbar, *config.navbar_right)]
    for item in (i for bar in bars for i in bar):
        for leaf in item.menu or (item,):
            if leaf.href:
                titles.setdefault(leaf.href, leaf.text)
    return titles


# ---------------------------------------------------------------- pages


_HEADING = re.compile(r"<h([23])([^>]*)>(.*?)</h\1>", re.DOTALL)


def add_heading_ids(body: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Give every h2/h3 an id and return the table of contents (level, id, text)."""
    toc: list[tuple[int, str, str]] = []
    used: set[str] = set()

    def anchor(match: re.Match) -> str:
        level, attrs, inner = int(match.group(1)), match.group(2), match.group(3)
        marker = re.search(r'\s*<a id="([^"]+)" class="pt-anchor"></a>', inner)
        if marker:  # an id written in the markdown ({#first}) becomes the heading's own id
            inner, attrs = inner.replace(marker.group(0), ""), f'{attrs} id="{marker.group(1)}"'
        text = re.sub(r"<[^>]+>", "", inner).strip()
        existing = re.search(r'id="([^"]+)"', attrs)
        slug = existing.group(1) if existing else _unique(_slug(text), used)
        used.add(slug)
        toc.append((level, slug, html.unescape(text)))
        attrs = attrs if existing else f'{attrs} id="{slug}"'
        return f"<h{level}{attrs}>{inner}</h{level}>"

    return _HEADING.sub(anchor, body), toc


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", html.unescape(text).lower()).strip("-")
    return slug or "section"


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in used:
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def _template():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True
    )
    return env.get_template("page.html")


def read_page(root: Path, source: str, config: SiteConfig) -> tuple[dict, str]:
    """Front matter and HTML body of one page source (.qmd/.md or executed .ipynb)."""
    path = root / source
    if not path.exists():
        hint = "run `plantracker build`" if source.endswith(".ipynb") else "create it or remove it"
        raise BuildError(f"{CONFIG_FILE}: page {source} listed in project.render does not exist; {hint}")
    if path.suffix == ".ipynb":
        return notebook_page(json.loads(path.read_text(encoding="utf-8")), config)
    front, body = split_front_matter(path.read_text(encoding="utf-8"))
    return front, markdown_to_html(include_files(body, path.parent))


def folder_lang(root: Path, source: str) -> str | None:
    """`lang` of the nearest `_metadata.yml` in the page's folders (Quarto's directory metadata)."""
    for folder in PurePosixPath(source).parents:
        meta = root / folder / "_metadata.yml"
        if str(folder) != "." and meta.is_file():
            lang = (yaml.safe_load(meta.read_text(encoding="utf-8")) or {}).get("lang")
            if lang:
                return str(lang)
    return None


def nav_links(items: tuple[NavItem, ...], page: str, pages: set[str]) -> list[dict]:
    """Navbar entries with hrefs relative to the page being written."""
    links = []
    for item in items:
        target = output_path(item.href) if item.href in pages else item.href
        links.append(
            {
                "text": item.text,
                "href": relative_href(target, output_path(page)) if target else None,
                "current": item.href == page,
                "menu": nav_links(item.menu, page, pages),
            }
        )
    return links


def render_page(root: Path, source: str, config: SiteConfig, template=None) -> str:
    """The complete HTML of one page of the site."""
    front, body = read_page(root, source, config)
    body, toc = add_heading_ids(body)
    out = output_path(source)
    first = config.pages[0]
    title = front.get("title") or page_titles(config).get(source) or PurePosixPath(source).stem
    profile = config.profile_of(source)
    return (template or _template()).render(
        lang=front.get("lang") or folder_lang(root, source) or config.lang,
        site_title=(profile and profile.title) or config.title,
        page_title=str(title),
        subtitle=front.get("subtitle") or front.get("description") or "",
        home=relative_href(output_path(first), out),
        stylesheets=[relative_href(sheet, out) for sheet in config.stylesheets],
        nav=nav_links(profile.navbar if profile else config.navbar, source, set(config.pages)),
        nav_right=nav_links(
            profile.navbar_right if profile else config.navbar_right, source, set(config.pages)
        ),
        toc=toc if config.toc and len(toc) > 1 else [],
        body=body,
        footer=(profile and profile.footer) or config.footer,
    )


def render_offline(root: Path | None, out_dir: Path) -> list[Path]:
    """Write every page of `_quarto.yml` into out_dir with no tool beyond Python; returns the pages."""
    root = root or paths.project_root()
    config = load_site_config(root)
    missing = [sheet for sheet in config.stylesheets if not (root / sheet).is_file()]
    if missing:
        raise BuildError(
            f"{CONFIG_FILE}: format.html.css names {', '.join(missing)}, which does not exist; "
            "give its path from the project root"
        )
    template = _template()
    written = []
    for source in config.pages:
        target = out_dir / output_path(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_page(root, source, config, template), encoding="utf-8")
        written.append(target)
    _copy_resources(root, (*config.stylesheets, *config.resources), out_dir)
    return written


def _copy_resources(root: Path, patterns: tuple[str, ...], out_dir: Path) -> None:
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                target = out_dir / path.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)


# The renderers: this module's offline one, and Quarto (analysis.build.quarto.render_site).
RENDERERS = ("offline", "quarto")


def choose_renderer(name: str) -> str:
    """`auto` means Quarto when it is installed, else the offline renderer."""
    if name == "auto":
        return "quarto" if shutil.which("quarto") else "offline"
    if name not in RENDERERS:
        raise BuildError(f"unknown renderer {name!r}; choose one of auto, {', '.join(RENDERERS)}")
    return name
