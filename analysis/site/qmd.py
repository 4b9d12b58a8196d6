"""Writing Quarto markdown (.qmd) pages: front matter, headings, raw HTML blocks that Quarto passes
through untouched (```{=html})."""

from __future__ import annotations

import yaml

from analysis.site.display import markdown_escape


def front_matter(fields: dict) -> str:
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---"


def h(text: str, level: int = 2) -> str:
    return f"{'#' * level} {markdown_escape(text)}"


def raw(html_text: str) -> str:
    return f"```{{=html}}\n{html_text}\n```"


def page(*parts: str) -> str:
    return "\n\n".join(parts) + "\n"
