"""Each page reads in its own language (issue 21): the main text of a Chinese page carries almost no
English, and an English page no Chinese outside the plans' verbatim quotes, the sources' excerpts and the
plans' original titles.

Main text is the page's <main> (or #quarto-document-content) without code, quotes, excerpts, scripts and
drawings; addresses, file names and ids (anything with a digit, a dot, an underscore or a slash in it) are
codes, not words. Each test prints its figure, so a run shows how far a language has come.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.core import labels, paths

REPO = paths.project_root()

# English a Chinese page may carry: names with no Chinese form (software, abbreviations the plans print
# themselves: CMI值, DR, ICU床位), file formats, statsmodels' class names and the language switch.
# Single letters are symbols of a formula (R, T, v₀), not words.
ALLOWED_ENGLISH = {
    "English",
    "BibTeX",  # the reference managers' file formats: no Chinese names
    "RIS",
    "Plan",
    "Tracker",
    "CSV",
    "SVG",
    "PNG",
    "PDF",
    "statsmodels",
    "tsa",
    "UnobservedComponents",
    "ExponentialSmoothing",
    "ETSModel",
    "AutoETS",
    "ARIMA",
    "SARIMAX",
    "OLS",
    "Theta",
    "ThetaModel",
    "logit",
    "log",
    "HPV",
    "DNA",
    "HIV",
    "AIDS",
    "GDP",
    "TCM",
    "Eurostat",
    "Open",
    "SDG",
    "MASE",
    "AIC",
    "BFGS",
    "Holt",
    "Winters",
    "statsforecast",
    "numpy",
    "numba",
    "OpenBLAS",
    "BLAS",
    "Dask",
    "Python",
    "Chromium",
    "HTML",
    "CPU",
    "MB",
    "SDSN",
    "CMI",
    "DR",
    "ICU",
    "EMR",
}
# Every page carries none today (34,514 words before issue 21); a few may appear where a new kind of
# note has no template yet.
MAX_ENGLISH_WORDS = 20

SKIPPED_TAGS = {"script", "style", "code", "pre", "blockquote", "q", "svg", "kbd", "samp"}
SKIPPED_CLASSES = {"pt-quote", "pt-excerpt", "pt-original-title", "sourceCode"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}(?:['’][A-Za-z]+)?")
CHINESE = re.compile(r"[\u3400-\u9fff]")
CODE = re.compile(r"\S*[0-9_./\\:@=<>]\S*|--[a-z][a-z-]*")  # codes, and a command's --options


class MainText(HTMLParser):
    """The text of a page's main part, without the parts that are not its own prose."""

    def __init__(self, skip_lang: str = "", skip_classes: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_lang = skip_lang  # leave out what is marked as written in this language
        self.skip_classes = SKIPPED_CLASSES | skip_classes
        self.stack: list[tuple[str, bool, bool]] = []  # tag, opens the main part, skipped
        self.inside = 0
        self.skipped = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        opens = not self.inside and (tag == "main" or attributes.get("id") == "quarto-document-content")
        marked = bool(self.skip_lang) and attributes.get("lang") == self.skip_lang
        skip = tag in SKIPPED_TAGS or bool(classes & self.skip_classes) or marked
        self.stack.append((tag, opens, skip))
        self.inside += 1 if (opens or self.inside) else 0
        self.skipped += skip

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        while self.stack:
            name, _, skip = self.stack.pop()
            self.inside -= 1 if self.inside else 0
            self.skipped -= skip
            if name == tag:
                break

    def handle_data(self, data):
        if self.inside and not self.skipped:
            self.parts.append(data)


def main_text(page: str, skip_lang: str = "", skip_classes: frozenset[str] = frozenset()) -> str:
    parser = MainText(skip_lang, skip_classes)
    parser.feed(page)
    return " ".join(parser.parts)


def english_words(text: str) -> list[str]:
    """The English words of a text, codes (addresses, ids, file names) and allowed names left out."""
    prose = CODE.sub(" ", text)
    return [w for w in LATIN_WORD.findall(prose) if w not in ALLOWED_ENGLISH]


def test_an_english_page_may_carry_chinese_marked_as_chinese_only():
    page = '<main><p>Note: <span lang="zh">新建</span> counts 个</p></main>'
    assert CHINESE.findall(main_text(page, "zh")) == ["个"]


def test_main_text_leaves_out_quotes_code_and_addresses():
    page = (
        "<html><nav>Home</nav><main><p>状态 on track <code>x = 1</code> see www.gov.cn and "
        '004-bed_count-2023</p><blockquote class="pt-quote">quoted words</blockquote>'
        '<span class="pt-excerpt">excerpt words</span><br><p>CSV</p></main><footer>Foot</footer></html>'
    )
    assert english_words(main_text(page)) == ["on", "track", "see", "and"]
    assert english_words("R = 1.39，T − v₀") == []


def test_every_label_has_both_languages_and_its_templates_the_same_slots():
    for key in labels.all_keys():
        en, zh = labels.label(key, "en"), labels.label(key, "zh")
        assert labels.slots(en) == labels.slots(zh), key
        if key.startswith(("unit_", "unitreason_", "unitname_")):
            continue  # a count has no unit word
        assert en and zh, key


def test_the_chinese_labels_carry_no_english_words():
    found = {
        key: words
        for key in labels.all_keys()
        if (words := english_words(re.sub(r"\{\w+\}", " ", labels.label(key, "zh"))))
    }
    assert not found, found


@pytest.fixture(scope="module")
def site(offline_site: Path) -> Path:
    """The site rendered offline from the committed notebooks and freshly generated target pages
    (conftest `offline_site`, shared with the layout and PDF tests)."""
    return offline_site


def test_chinese_pages_carry_almost_no_english(site):
    pages = sorted((site / "zh").rglob("*.html"))
    counts = {p.relative_to(site).as_posix(): english_words(main_text(p.read_text("utf-8"))) for p in pages}
    total = sum(len(w) for w in counts.values())
    worst = sorted(counts.items(), key=lambda kv: -len(kv[1]))[:5]
    print(f"\nEnglish words in the main text of {len(pages)} Chinese pages: {total}")
    for page, words in worst:
        print(f"  {len(words):5d} {page}: {' '.join(words[:20])}")
    assert len(pages) > 200
    assert total <= MAX_ENGLISH_WORDS, worst


# Hand-written English pages quote the plans' wording inline (methods.qmd: 达到90%, 新建108个 …) without
# marking it; the generated pages mark every Chinese run they take from the data as lang="zh".
HAND_WRITTEN = {"index.html", "methods.html", "about.html"}
# The page title is the navbar's text in _quarto.yml ("Guizhou · 贵州省"), which the site's build owns.
TITLE = frozenset({"pt-title"})


def test_english_pages_carry_no_chinese_outside_quotes_and_original_titles(site):
    pages = [
        p
        for p in sorted(site.rglob("*.html"))
        if not p.relative_to(site).as_posix().startswith("zh/") and p.name not in HAND_WRITTEN
    ]
    found = {}
    for page in pages:
        chinese = CHINESE.findall(main_text(page.read_text("utf-8"), "zh", TITLE))
        if chinese:
            found[page.relative_to(site).as_posix()] = "".join(chinese)[:60]
    print(f"\nEnglish pages with Chinese outside quotes and titles: {len(found)} of {len(pages)}")
    assert len(pages) > 200
    assert not found, found


def test_a_forecast_explanation_reads_in_chinese_note_by_note():
    from analysis.site.forecast_words import conflict_text, explanation_text, is_status_reason, method_text

    english = (
        "3 points 2023–2025; a count that only accumulates: raw scale, never falling; "
        "80 % interval: the model's standard error scaled by held-back short series (short 3 other)"
    )
    assert explanation_text(english, "zh") == (
        "2023–2025 年共 3 个数据点；只增不减的累计数：原始尺度，预测不下降；"
        "80% 区间：模型标准误按留出检验的短序列校准（3 点短序列，借用其他指标）"
    )
    assert explanation_text(english, "en") == english
    assert method_text("random walk + drift", "zh") == "带漂移的随机游走"
    assert conflict_text("grade official_media outranks unverified", "zh") == "来源等级“官方媒体”高于“未核实”"
    # a note no template knows stays as written, for the page count above to find
    assert explanation_text("a new kind of note", "zh") == "a new kind of note"
    # the assessment's own reason, copied by the forecast, is the status's (the page words it once)
    assert is_status_reason("The target counts a change but states no base year.")
    assert not is_status_reason("no observation up to 2025")
