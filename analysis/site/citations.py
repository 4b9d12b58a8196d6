"""How a reader cites a page: BibTeX and RIS records of each target page and each region report, written
beside the pages (downloads/<language>/cite/<name>.bib and .ris), and Quarto's `citation:` front matter,
which makes Quarto print its citation block and the Google Scholar tags of a target page.

Every record carries the page's absolute URL (website.site-url of _quarto.yml; a path within the site
when it is not set, said in a note), the edition's date as the access date (the figures cited are that
edition's), the version and commit, and, for a filtered build, which sources it kept.
"""

from __future__ import annotations

import re

from analysis.core.labels import label
from analysis.site import permalinks
from analysis.site.edition import Edition

AUTHOR = "Plan Tracker"


def cite_source(name: str, language: str, extension: str) -> str:
    """Where a page's citation record is written: downloads/<language>/cite/<name>.<bib|ris>."""
    return f"{permalinks.DOWNLOADS_FOLDER}/{language}/{permalinks.CITE_FOLDER}/{name}.{extension}"


def note_of(edition: Edition, language: str, filtered: str) -> str:
    """What a record adds to the title: the edition, data vintage, version, commit and any filter."""
    edition_words = label("cite_note", language).format(
        built=edition.built, as_of=edition.as_of, version=edition.version, commit=edition.commit
    )
    relative = "" if edition.site_url else label("cite_relative", language).strip("()（）")
    return ("；" if language == "zh" else "; ").join(p for p in (edition_words, filtered, relative) if p)


def bibtex_escape(text: str) -> str:
    """BibTeX's special characters escaped, so a title with & or % or _ reads as written."""
    return re.sub(r"([&%$#_{}])", r"\\\1", str(text))


def bibtex(key: str, title: str, path: str, edition: Edition, language: str, filtered: str = "") -> str:
    """A BibTeX @online record (biblatex; BibTeX styles read `howpublished` and `note`)."""
    url = edition.url(path)
    fields = [
        ("title", f"{{{bibtex_escape(title)}}}"),
        ("author", f"{{{AUTHOR}}}"),
        ("organization", AUTHOR),
        ("year", edition.built[:4]),
        ("date", edition.built),
        ("url", url),
        ("howpublished", f"\\url{{{url}}}"),
        ("urldate", edition.built),
        ("version", edition.version),
        ("note", bibtex_escape(note_of(edition, language, filtered))),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{key},\n{body}\n}}\n"


def ris(title: str, path: str, edition: Edition, language: str, filtered: str = "") -> str:
    """An RIS record (TY ELEC: a web page): title, author, date, URL, access date (Y2), note."""
    day = edition.built.replace("-", "/")
    lines = [
        ("TY", "ELEC"),
        ("TI", title),
        ("AU", AUTHOR),
        ("PY", edition.built[:4]),
        ("DA", day),
        ("UR", edition.url(path)),
        ("Y2", day),
        ("ET", edition.version),
        ("N1", note_of(edition, language, filtered)),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {value}".rstrip() + "\n" for tag, value in lines)


def records(name: str, title: str, path: str, edition: Edition, language: str, filtered: str = "") -> dict:
    """The .bib and .ris files of one page, by their source path."""
    key = re.sub(r"[^A-Za-z0-9_-]", "-", f"plantracker-{name}-{language}")
    return {
        cite_source(name, language, "bib"): bibtex(key, title, path, edition, language, filtered),
        cite_source(name, language, "ris"): ris(title, path, edition, language, filtered),
    }


def front_matter(title: str, path: str, edition: Edition) -> dict:
    """Quarto's `citation:` front matter of a page: its Google Scholar tags. The author is an organisation
    (a CSL literal name: a plain "Plan Tracker" is read as a person, "Tracker, Plan"); Quarto's own
    citation appendix is turned off (`appendix-cite-as: false`) because the page already prints its
    citation, with the filter of a filtered build, and links its BibTeX and RIS files."""
    author = [{"name": {"literal": AUTHOR}}]
    fields = {"type": "webpage", "title": title, "author": author, "issued": edition.built}
    fields |= {"accessed": edition.built, "container-title": AUTHOR, "version": edition.version}
    citation = fields | ({"url": edition.url(path)} if edition.site_url else {})
    return {"citation": citation, "google-scholar": True, "appendix-cite-as": False}


def region_records(rr, edition: Edition) -> dict:
    """The .bib and .ris files of one region report in its language (`rr`: a site.region_data
    RegionReport), with the filter of a filtered build."""
    from analysis.site.region_words import region_sources_note

    source = permalinks.region_source(rr.region, rr.language)
    title = label("cite_region_title", rr.language).format(region=label(f"region_{rr.region}", rr.language))
    path = permalinks.output_path(source)
    return records(
        permalinks.region_cite_name(rr.region), title, path, edition, rr.language, region_sources_note(rr)
    )
