"""HTML: block elements become blocks; navigation, scripts, headers and footers are left out."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from indexer.reading import clean
from indexer.reading.readers.base import Block, FileText, decode_bytes, demote_heading_levels

SUFFIXES = (".html", ".htm")


def read(path: Path) -> FileText:
    return FileText(read_html_blocks(decode_bytes(path.read_bytes(), str(path))), 0)


class _HTMLBlocks(HTMLParser):
    SKIP = {"script", "style", "nav", "header", "footer", "noscript", "form", "button", "svg", "aside"}
    HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
    BLOCKS = {"p", "li", "tr", "div", "section", "article", "blockquote", "dd", "dt", "pre", "td", "th", "br"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.skip = 0
        self.kind = "para"
        self.level = 0
        self.row: list[str] = []

    def flush(self) -> None:
        text = clean.collapse_ws(clean.normalize_unicode(" ".join(self.buf)))
        text = clean.strip_inline_markup(text) if "<" in text else text
        self.buf = []
        if text and not clean.is_chrome(text):
            self.blocks.append(Block(self.kind, text, level=self.level))
        self.kind, self.level = "para", 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.HEADINGS:
            self.flush()
            self.kind, self.level = "heading", self.HEADINGS[tag]
        elif tag == "li":
            self.flush()
            self.kind = "list"
        elif tag in ("td", "th"):
            self.buf.append(" | " if self.buf else "")
        elif tag == "sup":
            self.skip += 1
        elif tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP or tag == "sup":
            self.skip = max(0, self.skip - 1)
        elif tag in self.HEADINGS or tag in self.BLOCKS and tag not in ("td", "th"):
            kind = "table" if tag == "tr" else self.kind
            self.kind = kind
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.buf.append(data)


def read_html_blocks(text: str) -> list[Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    parser.flush()
    return demote_heading_levels(parser.blocks)
