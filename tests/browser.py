"""The report as a reader sees it: rendered by Debian's headless Chromium (`make browser`), its
visible text read from the rendered DOM and a screenshot kept under `test-artifacts/` (gitignored)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
needs_chromium = pytest.mark.skipif(
    not shutil.which("chromium"), reason="headless Chromium is not installed here (make browser)"
)


class _Visible(HTMLParser):
    """Visible text of a rendered page by element: style and script dropped; table cells kept apart."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.ids: dict[str, list[str]] = {}
        self._skip = 0
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag in ("td", "th", "li", "p", "h1", "h2", "h3", "tr", "div", "br"):
            self.parts.append("\n")
        element_id = dict(attrs).get("id")
        if tag not in ("br", "img", "meta"):
            self._open.append(element_id)
        if element_id:
            self.ids[element_id] = []

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag not in ("br", "img", "meta") and self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        for element_id in filter(None, self._open):
            self.ids[element_id].append(data)


@dataclass
class RenderedReport:
    text: str  # what a reader sees, one block per line
    by_id: dict[str, str]  # the visible text inside each element with an id
    dom: str
    screenshot: Path

    def table_rows(self, caption: str) -> list[list[str]]:
        """Rows (cells) of the first table after the heading `caption`."""
        part = self.dom.split(caption, 1)[1].split("</table>", 1)[0]
        rows = re.findall(r"<tr>(.*?)</tr>", part, flags=re.S)
        return [
            [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh]>(.*?)</t[dh]>", r, re.S)]
            for r in rows
        ]


def render(page: Path, name: str, tmp_path: Path) -> RenderedReport:
    """Render `page` in headless Chromium: its DOM after layout and a full-width screenshot kept as
    `test-artifacts/<name>.png`."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    common = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ]
    subprocess.run(
        [*common, "--window-size=1200,6000", f"--screenshot={shot}", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=180,
    )
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()], check=True, capture_output=True, timeout=180, text=True
    ).stdout
    parser = _Visible()
    parser.feed(dom)
    text = re.sub(r"\n\s*\n+", "\n", "".join(parser.parts))
    by_id = {k: " ".join("".join(v).split()) for k, v in parser.ids.items()}
    return RenderedReport(text=text, by_id=by_id, dom=dom, screenshot=shot)


def assert_reads_as_a_person_would(report: RenderedReport, min_accounts: int = 10) -> None:
    """Issue 15 point 8: the verdict, the tier table, >= `min_accounts` named accounts, no
    `snake__case` attribute names, no `<NA>`, no True/False, a real picture."""
    verdict = report.by_id.get("verdict", "")
    assert re.match(
        r"(The evidence behind this list is (strong|moderate|weak)|There is no evidence behind this list's ranking)\. [A-Z]",
        verdict,
    ), verdict
    tiers = report.table_rows('<table class="tiers">') if '<table class="tiers">' in report.dom else []
    assert tiers and tiers[0][:3] == ["Tier", "Accounts", "Share"], tiers[:1]
    assert [r[0] for r in tiers[1:4]] == ["Tier 1", "Tier 2", "Tier 3"]
    assert all(r[5] for r in tiers[1:]), "every tier has a play"
    top = report.table_rows('<table class="top">')
    names = [r[1] for r in top[1:] if r[1]]
    assert len(names) >= min_accounts, names
    assert all(r[-1] for r in top[1:]), "every top account has its reasons"
    visible = report.text
    assert not re.search(r"\b[a-z]+__[a-z0-9_]+", visible), re.findall(r"\b[a-z]+__[a-z0-9_]+", visible)[:5]
    assert "<NA>" not in visible and "&lt;NA&gt;" not in report.dom
    assert not re.search(r"\b(True|False|nan|NaN|None)\b", visible), re.findall(
        r".{30}\b(?:True|False|nan|NaN|None)\b.{30}", visible
    )[:5]
    assert "SHAP" not in visible
    assert report.by_id.get("coverage", "").startswith("Data coverage:")
    assert report.screenshot.stat().st_size > 50_000  # a blank page is a few KB
