"""The offline renderer's reading of a page: Quarto-flavoured Markdown (the parts our pages use: fenced
divs, heading attributes, includes, raw HTML blocks) and an executed notebook's stored outputs, as HTML.

Kept apart from `render` (which lays pages out and writes the site) so that each stays one concern; it
reads nothing but the text it is given.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Protocol

import yaml

from analysis.core.errors import BuildError


class OutputSettings(Protocol):
    """What a notebook page needs of the site's settings (render.SiteConfig has them): whether code and
    warnings are shown."""

    echo: bool
    warnings: bool


# Which stored output of a cell is shown, richest first (Quarto's order for HTML output).
OUTPUT_PRIORITY = ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/plain")
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove_cell"}


# ---------------------------------------------------------------- markdown (Quarto flavour, the parts we use)

_FENCED_DIV_OPEN = re.compile(r"^:{3,}\s*\{([^}]*)\}\s*$", re.MULTILINE)
_FENCED_DIV_CLOSE = re.compile(r"^:{3,}\s*$", re.MULTILINE)
_HEADING_ATTRS = re.compile(r"^(#{1,6} .*?)\s*\{([^}]*)\}\s*$", re.MULTILINE)
_SHORTCODE = re.compile(r"\{\{<.*?>\}\}")
_PAGE_LINK = re.compile(r'href="(?![a-z]+:|#)([^"#]+?)\.(?:qmd|ipynb)(#[^"]*)?"')
# ```{=html} … ``` : raw HTML that Quarto (pandoc) passes through untouched
_RAW_HTML = re.compile(r"^```\{=html\}[ \t]*\n(.*?)\n```[ \t]*$", re.MULTILINE | re.DOTALL)
# {{< include FILE >}}, and the project's {{< generated FILE >}} (analysis/build/generated.lua), the same
# for this renderer
INCLUDE = re.compile(r"\{\{<\s*(?:include|generated)\s+(\S+)\s*>\}\}")


def _markdown_parser():
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough", "footnotes", "url"])


def markdown_to_html(text: str) -> str:
    """Markdown as Quarto writes it: fenced divs (::: {.callout-note}), heading ids, page links, raw
    HTML blocks (```{=html})."""
    raw: list[str] = []

    def keep(match: re.Match) -> str:
        raw.append(match.group(1))
        return f"\n<!--pt-raw-{len(raw) - 1}-->\n"

    text = _RAW_HTML.sub(keep, text)
    text = _SHORTCODE.sub("", text)
    text = _HEADING_ATTRS.sub(_heading_with_anchor, text)
    text = _FENCED_DIV_OPEN.sub(lambda m: f'\n<div class="{_div_classes(m.group(1))}">\n', text)
    text = _FENCED_DIV_CLOSE.sub("\n</div>\n", text)
    rendered = _markdown_parser()(text)
    rendered = _PAGE_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', rendered)
    return re.sub(r"<!--pt-raw-(\d+)-->", lambda m: raw[int(m.group(1))], rendered)


def include_files(text: str, base: Path) -> str:
    """Quarto's {{< include file >}}: the file's text in its place (a path relative to the page)."""

    def included(match: re.Match) -> str:
        path = base / match.group(1)
        if not path.is_file():
            raise BuildError(f"{match.group(0)}: {path} does not exist; run `plantracker build`")
        return path.read_text(encoding="utf-8")

    return INCLUDE.sub(included, text)


def _heading_with_anchor(match: re.Match) -> str:
    ids = re.findall(r"#([\w-]+)", match.group(2))
    anchor = f' <a id="{ids[0]}" class="pt-anchor"></a>' if ids else ""
    return match.group(1) + anchor


def _div_classes(attrs: str) -> str:
    return html.escape(" ".join(c.lstrip(".") for c in attrs.split() if c.startswith(".")))


def split_front_matter(text: str) -> tuple[dict, str]:
    """YAML front matter (--- … ---) and the body after it."""
    match = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end() :]


# ---------------------------------------------------------------- notebooks


def cell_options(source: str) -> dict:
    """Quarto cell options written as `#| key: value` lines at the top of a code cell."""
    lines = []
    for line in source.splitlines():
        if not line.startswith("#|"):
            break
        lines.append(line[2:].strip())
    return (yaml.safe_load("\n".join(lines)) or {}) if lines else {}


def output_html(output: dict, config: OutputSettings) -> str:
    """One stored output as HTML: the richest representation, plain text escaped."""
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") == "stderr" and not config.warnings:
            return ""
        return f'<pre class="pt-stream">{html.escape(_text(output.get("text")))}</pre>'
    if kind == "error":
        message = f"{output.get('ename', '')}: {output.get('evalue', '')}"
        return f'<pre class="pt-error">{html.escape(message)}</pre>'
    data = output.get("data") or {}
    mime = next((m for m in OUTPUT_PRIORITY if m in data), None)
    value = _text(data.get(mime)) if mime else ""
    if mime == "text/html" or mime == "image/svg+xml":
        return f'<div class="pt-output">{value}</div>'
    if mime == "text/markdown":
        return f'<div class="pt-output">{markdown_to_html(value)}</div>'
    if mime in ("image/png", "image/jpeg"):
        return f'<div class="pt-output"><img alt="" src="data:{mime};base64,{value.strip()}"></div>'
    if mime == "text/plain":
        return f'<pre class="pt-output">{html.escape(value)}</pre>'
    return ""


def _text(value: str | list | None) -> str:
    if isinstance(value, list):
        return "".join(value)
    return value or ""


def notebook_page(notebook: dict, config: OutputSettings) -> tuple[dict, str]:
    """Front matter (from a first raw cell) and the HTML body of an executed notebook."""
    cells = notebook.get("cells", [])
    front: dict = {}
    if cells and cells[0].get("cell_type") == "raw":
        front, _ = split_front_matter(_text(cells[0].get("source")))
        cells = cells[1:]
    parts = []
    for cell in cells:
        source = _text(cell.get("source"))
        if cell.get("cell_type") == "markdown":
            parts.append(markdown_to_html(source))
        elif cell.get("cell_type") == "code":
            parts.append(_code_cell_html(cell, source, config))
    return front, "\n".join(p for p in parts if p)


def _code_cell_html(cell: dict, source: str, config: OutputSettings) -> str:
    tags = set((cell.get("metadata") or {}).get("tags") or [])
    options = cell_options(source)
    if tags & HIDDEN_TAGS or options.get("include") is False:
        return ""
    parts = []
    if options.get("echo", config.echo):
        code = "\n".join(line for line in source.splitlines() if not line.startswith("#|"))
        parts.append(f'<pre class="pt-code"><code>{html.escape(code)}</code></pre>')
    if options.get("output", True) is not False:
        parts += [output_html(o, config) for o in cell.get("outputs", [])]
    return "\n".join(p for p in parts if p)
