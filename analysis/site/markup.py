"""How a piece of HTML the project wrote travels in a notebook output, to both renderers."""

from __future__ import annotations


def raw_html(markup: str) -> str:
    """HTML the project wrote, as a Markdown raw block (```{=html}): Quarto and the offline renderer pass it
    through untouched. Our outputs carry no text/html, because Quarto gives every notebook page holding a
    text/html output require.js and jQuery from a CDN (for JavaScript widgets, which we do not use)."""
    return f"```{{=html}}\n{markup}\n```"


def html_bundle(markup: str, text: str) -> dict[str, str]:
    """The mime bundle of a piece of HTML: the raw Markdown block for the pages, the text for nbval."""
    return {"text/markdown": raw_html(markup), "text/plain": text}
