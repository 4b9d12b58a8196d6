"""A chart as the page shows it: inline SVG with its caption, sources, downloads and text alternative.

Charts are drawn with altair and turned into static SVG by vl-convert, inside the notebook: the page
needs no script and no network, the same output shows in Jupyter, Quarto and the offline renderer,
and every chart carries its text alternative (the numbers it shows, as a table and a sentence).
Chart text is laid out with the fonts shipped in analysis/site/fonts and no others, so that a chart's
SVG and PNG bytes are the same on every machine. The charts themselves are drawn in analysis.site.charts
(one indicator) and analysis.site.overview_charts (the regions side by side).
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass, field

from analysis.core.labels import label
from analysis.site import fonts
from analysis.site.markup import html_bundle


def import_altair():
    """altair, without jsonschema's optional IRI-format checker.

    jsonschema imports `rfc3987_syntax` when it is installed (jupyter brings it), which compiles a grammar
    at import: about 2 s in every notebook kernel, a third of a region notebook's run. Vega-Lite's schema
    checks no IRI format, so the checker is never used; marking the module absent skips it.
    """
    sys.modules.setdefault("rfc3987_syntax", None)
    import altair

    return altair


def to_svg(chart, chart_id: str) -> str:
    """The chart (or its spec) as inline SVG whose internal ids cannot collide with another chart's on
    the page."""
    return unique_ids(drawn_svg(spec_of(chart)), chart_id)


def drawn_svg(spec: dict) -> str:
    """A Vega-Lite spec (with_fonts) drawn as SVG by vl-convert, with the shipped fonts."""
    import vl_convert

    fonts.register()
    return vl_convert.vegalite_to_svg(spec)


def unique_ids(svg: str, chart_id: str) -> str:
    """The SVG's internal ids (clip paths, gradients) prefixed with the chart's id: unique on the page."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{chart_id}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    return svg


@dataclass(frozen=True)
class Figure:
    """A chart with its text alternative; shows itself in Jupyter, Quarto and the offline renderer.

    Two drawings: the wide one, and a narrow one that a phone shows instead (the stylesheet chooses),
    so that its text stays at full size. Under the chart: its sources with their grades, the targets
    it shows (links to their pages), and downloads of the drawing (SVG, PNG) and of its numbers (CSV).
    """

    chart_id: str
    svg: str
    caption: str
    sentence: str
    table_html: str
    language: str
    svg_narrow: str = ""
    source: str = ""  # "Source: publisher (grade); …", already in the page's language
    links_html: str = ""  # links to the pages of the targets drawn (HTML written by the report)
    files: str = ""  # the folder (a link relative to the page) holding <chart_id>.svg/.png/.csv
    data_csv: str = ""
    spec: dict = field(default_factory=dict, repr=False, compare=False)  # Vega-Lite, for the PNG file
    drawn: str = field(default="", repr=False, compare=False)  # the spec as vl-convert drew it (SVG)

    def downloads(self) -> str:
        if not self.files:
            return ""
        name = html.escape(self.chart_id)
        folder = html.escape(self.files)
        links = [
            f'<a class="pt-download" download href="{folder}{name}.{kind}">{kind.upper()}</a>'
            for kind in ("svg", "png", "csv")
        ]
        return (
            f'<p class="pt-chart-links">{html.escape(label("word_download_chart", self.language))}: '
            f"{' · '.join(links)}</p>"
        )

    def png(self) -> bytes:
        """The PNG download, at twice the size. vl-convert draws a PNG by rasterising the SVG it draws
        from the spec, so the SVG already drawn gives the same bytes without drawing the chart again."""
        import vl_convert

        fonts.register()
        if self.drawn:
            return vl_convert.svg_to_png(self.drawn, scale=2)
        return vl_convert.vegalite_to_png(fonts.with_fonts(self.spec), scale=2)

    def to_html(self) -> str:
        """The figure as HTML: both drawings, caption, source, links, downloads and the numbers."""
        summary = html.escape(label("word_numbers", self.language))
        sentence = html.escape(self.sentence)
        narrow = (
            (
                f'<div class="pt-chart-svg pt-chart-narrow" role="img" aria-label="{sentence}">'
                f"{self.svg_narrow}</div>\n"
            )
            if self.svg_narrow
            else ""
        )
        wide = " pt-chart-wide" if self.svg_narrow else ""
        source = f'<p class="pt-chart-source">{html.escape(self.source)}</p>\n' if self.source else ""
        figure = (
            f'<figure class="pt-chart" id="{html.escape(self.chart_id)}">\n'
            f'<div class="pt-chart-svg{wide}" role="img" aria-label="{sentence}">{self.svg}</div>\n'
            f"{narrow}<figcaption>{html.escape(self.caption)}</figcaption>\n{source}"
            f"{self.links_html}{self.downloads()}"
            f'<details class="pt-alt"><summary>{summary}</summary>\n{self.table_html}\n</details>\n'
            "</figure>"
        )
        return figure

    def _repr_mimebundle_(self, include=None, exclude=None):
        plain = "\n".join(t for t in (self.caption, self.sentence, self.source) if t)
        return html_bundle(self.to_html(), plain)


def make_figure(
    chart, chart_id: str, caption: str, sentence: str, table_html: str, language: str, narrow=None, **extra
) -> Figure:
    """Wrap a drawn chart (and its narrow twin) as a Figure: ids made safe for HTML and unique on the page,
    the SVGs drawn once here, and the Vega-Lite spec kept for the PNG download. Either chart may be given
    as its Vega-Lite spec already (a dict)."""
    safe_id = re.sub(r"[^a-z0-9_-]", "-", chart_id.lower())
    narrow_svg = to_svg(narrow, f"{safe_id}-n") if narrow is not None else ""
    spec = spec_of(chart)  # once: altair's to_dict is the slow part
    drawn = drawn_svg(spec)
    return Figure(
        safe_id,
        unique_ids(drawn, safe_id),
        caption,
        sentence,
        table_html,
        language,
        narrow_svg,
        spec=spec,
        drawn=drawn,
        **extra,
    )


def spec_of(chart) -> dict:
    """The Vega-Lite spec of an altair chart (unvalidated: the tests validate the specs), or a spec
    already made, with the shipped fonts."""
    return fonts.with_fonts(chart if isinstance(chart, dict) else chart.to_dict(validate=False))
