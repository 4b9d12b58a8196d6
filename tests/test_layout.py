"""Nothing cut off, and the region dashboards work (issue 21, parts 3 and 5), in a real browser.

Headless Chromium (the harness of tests/test_browser.py) opens the offline-rendered site, both languages,
every top page and a sample of target pages, at 1366 and 390 px wide, and finds:
- no element wider than the main column (at 1366 none at all; at 390 only inside a box marked
  data-scroll-box, which scrolls sideways on purpose), and nothing else that scrolls sideways;
- no clipped cell (a cell whose content is wider or taller than the cell);
- on a phone, no row of a target page's sources table much taller than its content;
- chart text drawn at 10 px or more;
- on each region page, the targets table sorted by status follows the vocabulary's order, by deadline the
  years' order, and the toggle hides exactly the not-assessable rows.

`python tests/test_layout.py SITE_FOLDER` prints the same measurements for an already rendered site (how
the before/after figures of the issue were taken).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from chromium import serving  # noqa: E402
from test_browser import (  # noqa: E402  (the shared harness; no test of it is imported)
    REPO,
    SITE_FOLDER,
    SIZES,
    Chromium,
    find_chromium,
    sample_targets,
    top_pages,
)

from analysis.build import render  # noqa: E402
from analysis.core import vocabulary  # noqa: E402
from analysis.site import permalinks  # noqa: E402

MIN_CHART_TEXT_PX = 10
TALL_ROW = 3.0  # a row this many times taller than its tallest cell's content is "very tall and empty"

MEASURE = """
(function () {
  var main = document.querySelector('main') || document.body;
  var column = main.getBoundingClientRect();
  var strict = window.innerWidth > 700;  // on a desktop not even a scroll box may be needed
  function name(el) {
    var cls = typeof el.className === 'string' && el.className.trim() ?
      '.' + el.className.trim().split(/\\s+/).join('.') : '';
    var box = el.closest('table');
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls +
      (box && box !== el && box.id ? ' in #' + box.id : '');
  }
  function boxed(el) {
    var box = el.parentElement && el.parentElement.closest('[data-scroll-box]');
    return !strict && !!box;
  }
  var wide = [], scrolls = [], clipped = [], tall = [], small = [];
  Array.from(main.querySelectorAll('*')).forEach(function (el) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') { return; }
    var r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || boxed(el)) { return; }
    if (r.right > column.right + 1 || r.left < column.left - 1) { wide.push(name(el)); }
    var x = getComputedStyle(el).overflowX;
    var meant = !strict && el.hasAttribute('data-scroll-box');
    if (/auto|scroll|hidden/.test(x) && el.scrollWidth > el.clientWidth + 1 && !meant) {
      scrolls.push(name(el));
    }
  });
  Array.from(main.querySelectorAll('td, th')).forEach(function (cell) {
    var r = cell.getBoundingClientRect();
    if (r.width === 0) { return; }
    var over = Array.from(cell.querySelectorAll('*')).some(function (c) {
      var b = c.getBoundingClientRect();
      return b.width > 0 && (b.right > r.right + 1 || b.left < r.left - 1);
    });
    if (over || cell.scrollWidth > cell.clientWidth + 1) { clipped.push(name(cell)); }
  });
  Array.from(main.querySelectorAll('table.pt-figures tbody tr')).forEach(function (row) {
    var content = 0;
    Array.from(row.cells).forEach(function (cell) {
      var range = document.createRange();
      range.selectNodeContents(cell);
      content = Math.max(content, range.getBoundingClientRect().height);
    });
    var h = row.getBoundingClientRect().height;
    if (h > 60 && h > TALL * Math.max(content, 1)) {
      tall.push(Math.round(h) + 'px for ' + Math.round(content));
    }
  });
  Array.from(main.querySelectorAll('figure.pt-chart svg text')).forEach(function (t) {
    var b = t.getBoundingClientRect();
    if (b.width === 0 || !t.textContent.trim()) { return; }
    var m = t.getScreenCTM();
    var size = parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    if (size < MIN) { small.push(t.textContent.trim().slice(0, 30) + ' ' + size.toFixed(1) + 'px'); }
  });
  return {wide: wide, scrolls: scrolls, clipped: clipped, tall: tall, small: small,
          overflow: document.documentElement.scrollWidth - window.innerWidth};
})()
""".replace("TALL", str(TALL_ROW)).replace("MIN", str(MIN_CHART_TEXT_PX))

DASHBOARD = """
(function () {
  var table = document.querySelector('table.pt-sortable');
  if (!table) { return null; }
  var box = document.querySelector('.pt-filter[data-table="' + table.id + '"]');
  var rows = function () { return Array.from(table.tBodies[0].rows); };
  var shown = function () { return rows().filter(function (r) { return !r.hidden; }); };
  var out = {before: rows().map(function (r) { return r.getAttribute('data-target'); })};
  function sortBy(key) {
    var button = box.querySelector('button[data-sort="' + key + '"]');
    button.click();
    return shown().map(function (r) { return r.getAttribute('data-sort-' + key); });
  }
  out.status = sortBy('status');
  out.statusAgain = sortBy('status');
  out.deadline = sortBy('deadline');
  var toggle = box.querySelector('input[data-role="hide"]');
  toggle.click();
  out.hiddenStatuses = rows().filter(function (r) { return r.hidden; })
    .map(function (r) { return r.getAttribute('data-status'); });
  out.shownStatuses = shown().map(function (r) { return r.getAttribute('data-status'); });
  out.count = box.querySelector('[data-role="count"]').textContent;
  toggle.click();
  out.afterToggleBack = shown().length;
  out.total = rows().length;
  return out;
})()
"""


REGION_PAGES = [
    permalinks.region_source(r, lang) for r in ("guizhou", "guiyang", "bazhong") for lang in ("en", "zh")
]


def pages() -> list[str]:
    config = render.load_site_config(REPO)
    return [*top_pages(config), *sample_targets()]


def measure(site: Path, executable: str, profile: Path, dashboards: bool = False) -> dict:
    """Every sampled page at both sizes: what overflows, is clipped, too tall or too small."""
    browser = Chromium(executable, profile)
    results = {}
    with serving(site) as base:
        try:
            _measure_pages(browser, base, results, dashboards)
        finally:
            browser.close()
    return results


def _measure_pages(browser, base: str, results: dict, dashboards: bool) -> None:
    """Each sampled page at both sizes, opened from `base`, measured into `results`."""
    for size, (width, height) in SIZES.items():
        browser.set_viewport(width, height)
        for page in pages():
            browser.open(base + render.output_path(page))
            results[(page, size)] = browser.evaluate(MEASURE)
            if dashboards and size == "desktop" and page in REGION_PAGES:
                results[(page, "dashboard")] = browser.evaluate(DASHBOARD)


@pytest.fixture(scope="module")
def measured(request, tmp_path_factory) -> dict:
    """The measurements of PLANTRACKER_SITE when given (e.g. Quarto's render, as tests/test_browser.py
    checks it), else of the session's offline render (conftest `offline_site`)."""
    executable = find_chromium()
    given = os.environ.get(SITE_FOLDER)
    site = Path(given) if given else request.getfixturevalue("offline_site")
    return measure(site, executable, tmp_path_factory.mktemp("profile"), dashboards=True)


PAGES = pages()
VISITS = [(p, s) for s in SIZES for p in PAGES]


@pytest.mark.parametrize(("page", "size"), VISITS)
def test_nothing_is_wider_than_its_column_unless_in_a_scroll_box(measured, page, size):
    found = measured[(page, size)]
    assert found["wide"] == [] and found["scrolls"] == [] and found["overflow"] <= 0


@pytest.mark.parametrize(("page", "size"), VISITS)
def test_no_cell_is_clipped(measured, page, size):
    assert measured[(page, size)]["clipped"] == []


@pytest.mark.parametrize(("page", "size"), VISITS)
def test_no_very_tall_empty_row_and_chart_text_legible(measured, page, size):
    assert measured[(page, size)]["tall"] == []
    assert measured[(page, size)]["small"] == []


@pytest.mark.parametrize("page", REGION_PAGES)
def test_the_targets_sort_by_status_and_deadline_and_hide_the_unassessable(measured, page):
    found = measured[(page, "dashboard")]
    assert found is not None
    rank = [int(k) for k in found["status"]]
    assert rank == sorted(rank) and len(rank) == found["total"]
    assert [int(k) for k in found["statusAgain"]] == sorted(rank, reverse=True)
    years = [int(k) for k in found["deadline"]]
    assert years == sorted(years)
    assert set(found["hiddenStatuses"]) <= {vocabulary.NOT_ASSESSABLE}
    assert vocabulary.NOT_ASSESSABLE not in found["shownStatuses"]
    n_unassessable = len(found["hiddenStatuses"])
    assert len(found["shownStatuses"]) == found["total"] - n_unassessable
    assert found["count"].startswith(f"{found['total'] - n_unassessable} ")
    assert found["afterToggleBack"] == found["total"]


def main(site: Path) -> None:
    """Print, per page and size, how many elements overflow, scroll, are clipped, too tall or too small."""
    import tempfile

    with tempfile.TemporaryDirectory() as profile:
        results = measure(site, find_chromium(), Path(profile) / "p", dashboards=True)
    for (page, size), found in sorted(results.items()):
        if size == "dashboard":
            short = {k: "".join(v) if k in ("status", "statusAgain") else v for k, v in found.items()}
            print(page, json.dumps({k: v for k, v in short.items() if k != "before"}))
    results = {k: v for k, v in results.items() if k[1] != "dashboard"}
    totals: dict[str, int] = {}
    for (page, size), found in sorted(results.items()):
        counts = {k: len(v) for k, v in found.items() if isinstance(v, list)}
        for k, n in counts.items():
            totals[f"{size} {k}"] = totals.get(f"{size} {k}", 0) + n
        if any(counts.values()):
            print(
                page,
                size,
                json.dumps(counts),
                json.dumps({k: v[:3] for k, v in found.items() if isinstance(v, list) and v}),
            )
    print(json.dumps(totals, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
