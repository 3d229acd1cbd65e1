"""HTML mail bodies to plain text, keeping quoted history recognisable.

Mail clients wrap quoted history in <blockquote> or in known containers (Gmail's gmail_quote,
Outlook's divRplyFwdMsg); those lines come out prefixed with "> " so the segmenter sets them
aside like any plain-text quote.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "section",
          "article", "header", "footer", "pre", "hr"}
_SKIP = {"script", "style", "head", "title", "template", "noscript"}
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote")
_QUOTE_IDS = ("divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container")


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[int, str]] = []  # (quote depth, text)
        self.quote_depth = 0
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []
        self.rest_is_quote = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in _SKIP:
            self.skip_depth += 1
            return
        classes = (attrs.get("class") or "").lower()
        ident = (attrs.get("id") or "").lower()
        quoting = tag == "blockquote" or any(c in classes for c in _QUOTE_CLASSES)
        if any(i in ident for i in _QUOTE_IDS):
            self.rest_is_quote = True
        if tag in _BLOCK:
            self.parts.append((self.depth, "\n"))
        if tag == "li":
            self.parts.append((self.depth, "- "))
        if tag not in ("br", "hr", "img", "meta", "link", "input"):
            self.stack.append((tag, quoting))
            if quoting:
                self.quote_depth += 1

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        while self.stack:
            open_tag, quoting = self.stack.pop()
            if quoting:
                self.quote_depth -= 1
            if open_tag == tag:
                break
        if tag in _BLOCK:
            self.parts.append((self.depth, "\n"))

    @property
    def depth(self) -> int:
        return self.quote_depth + (1 if self.rest_is_quote else 0)

    def handle_data(self, data):
        if self.skip_depth:
            return
        self.parts.append((self.depth, re.sub(r"[ \t\r\n\f]+", " ", data)))


def html_to_text(html: str) -> str:
    """Readable text of an HTML body; quoted parts prefixed with '> '."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    lines: list[str] = []
    current, current_depth = "", 0
    for depth, piece in parser.parts:
        if piece == "\n":
            lines.append(("> " * current_depth) + current.strip())
            current, current_depth = "", depth
            continue
        if not current.strip():
            current_depth = depth
        current += piece.replace("\xa0", " ")
    lines.append(("> " * current_depth) + current.strip())
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return bool(re.search(r"<(html|body|div|p|br|table|span|blockquote)\b", head)) and head.lstrip().startswith("<")
