"""Remove scraping debris from article text, keeping the content and an offset map.

Cleaning only ever *deletes* characters, so every kept character still knows its index in
the original text (``CleanText.offsets``) and a citation can point at the article as written.
The rules run in order; each finds spans to delete in the output of the previous one:

1. invisible characters, HTML tags and tag fragments, pinyin annotations (character level);
2. spam keyword lines, repeated paragraphs, trailing boilerplate (line level);
3. whitespace runs (last, so the deletions above leave no holes behind).

Mojibake that cannot be undone by deletion is deleted where it can be told apart (``MOJIBAKE``):
a closing "。”" mis-decoded as GBK shows as "?!" and swallows the next few characters, which
are then gibberish up to a "?"; the "?" stays as the sentence's end, the rest goes. Longer
mangled runs cannot be told from text and stay: repairing them would change characters.
Content that is merely off-topic (the "對話AI" piece on flexible employment appended to seed
004) is kept too: cleaning removes debris, not topics.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from rag.documents import CleanText
from rag.ingest.normalize import HAN

Span = tuple[int, int]

# Zero-width characters, BOMs and C0 controls (other than \t \n \r): invisible, break matching.
INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A whole HTML tag or comment left in scraped text; the text between tags is kept.
HTML_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]{0,300})?/?>", re.S)

# A closing tag whose "<" was lost or mangled to "?" by a bad decode (seed 003/004: "?/div>").
_TAG_NAMES = (
    "div|p|span|a|b|i|u|em|strong|font|li|ul|ol|td|tr|th|table|tbody|h[1-6]|br|"
    "section|article|header|footer|center|blockquote|pre|code"
)
BROKEN_TAG = re.compile(rf"\??/(?:{_TAG_NAMES})>")

# "。”" decoded as GBK: "?!", then up to a few gibberish characters ending in "?" (and the
# comma after them), or one glued to a Latin word; the first "?" is kept as the sentence end.
MOJIBAKE = re.compile(r"(?<=\?)!(?:[^\x00-\x7f\s]{1,12}\?[,，]?|[^\x00-\x7f\s](?=[A-Za-z]))?")

# Pinyin with tone marks in brackets glued to the character it reads, e.g. "著(zhù)",
# "會(huì )" (also after a mojibake letter: "l(fā)"). A tone mark is required so that English
# or abbreviations in brackets ("(Tim Brooks)", "(LLM)") and glosses ("(樣片)") stay.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PINYIN = re.compile(
    rf"(?<=[^\W\d_])[(（]\s?"
    rf"(?=[a-zü{_TONED}]{{1,7}}\s?[)）])[a-zü]*[{_TONED}][a-zü{_TONED}]*\s?[)）]"
)

# Sentence or clause punctuation: a line containing any of it is prose, not a keyword list.
_PROSE_PUNCT = re.compile(r"[。！？；：!?;:“”「」『』\"（）()《》]")
# Separators between the keywords of a spam line.
_KEYWORD_SEP = re.compile(r"[\s_|,，、/]+")

# Lines that end an article page: bylines of editors, credits, related-article labels,
# legal notices and contact details. They are only removed at the end of the text.
TRAILING_BOILERPLATE = (
    # editor credits: "责任编辑:刘万里 SF014", "編輯:宋玉錚"
    re.compile(r"^(责任编辑|責任編輯|编辑|編輯|主编|主編|校对|校對|审核|審核|审校|審校)\s*[:：]"),
    # source credits: "本文作者:新智元,來源:新智元,原文標題:…", "來源:中國冶金報…"
    re.compile(r"^(本文)?(作者|来源|來源|出处|出處|原文标题|原文標題|原文链接|原文鏈接)\s*[:：]"),
    # bare section labels with nothing of their own: "相关文章", "相關文檔", "版權說明"
    re.compile(
        r"^(相关|相關)(文章|文档|文檔|阅读|閱讀|链接|鏈接|新闻|新聞|推荐|推薦|报道|報道|報導)$"
        r"|^(版权|版權|免责|免責)(说明|說明|声明|聲明)$"
    ),
    # legal notices: copyright, reprint terms, ICP licence numbers, the site speaking of itself
    re.compile(
        r"版权所有|版權所有|ICP备|ICP備|公网安备|公網安備|法律责任|法律責任"
        r"|未经.{0,8}授权|未經.{0,8}授權|(禁止|不得|转载请|轉載請)(转载|轉載|注明|註明)"
        r"|本网|本網|本站"
    ),
    # contact details: phone, fax, address, postcode, e-mail
    re.compile(
        r"(地址|电话|電話|传真|傳真|邮编|郵編|邮箱|郵箱|E-?mail)\s*[:：]"
        r"|[\w.+-]+@[\w-]+\.[\w.-]+",
        re.I,
    ),
)

# Longer lines are content, not an editor's or a site's notice.
MAX_BOILERPLATE_CHARS = 300
# Paragraphs shorter than this may legitimately repeat ("图片来源：网络", a heading).
MIN_DUPLICATE_CHARS = 20
# A spam keyword line has at least this many keywords and characters.
MIN_SPAM_KEYWORDS = 4
MIN_SPAM_CHARS = 20
MAX_KEYWORD_CHARS = 16


def clean(text: str) -> CleanText:
    """Return ``text`` without scraping debris, with the offset of each kept character."""
    offsets = list(range(len(text)))
    for rule in _RULES:
        text, offsets = _delete(text, offsets, rule(text))
    return CleanText(text=text, offsets=offsets)


def _delete(text: str, offsets: list[int], spans: list[Span]) -> tuple[str, list[int]]:
    """Drop the characters inside ``spans`` (possibly overlapping) from text and offsets."""
    if not spans:
        return text, offsets
    parts: list[str] = []
    kept: list[int] = []
    pos = 0
    for start, end in sorted(spans):
        if start > pos:
            parts.append(text[pos:start])
            kept += offsets[pos:start]
        pos = max(pos, end)
    parts.append(text[pos:])
    kept += offsets[pos:]
    return "".join(parts), kept


def _regex_rule(pattern: re.Pattern[str]) -> Callable[[str], list[Span]]:
    def rule(text: str) -> list[Span]:
        return [m.span() for m in pattern.finditer(text)]

    return rule


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, stripped text) for every line, ``end`` excluding the newline."""
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line), line.strip()
        start += len(line) + 1


def _is_spam_line(line: str) -> bool:
    """Many short Han keywords separated by spaces/underscores/commas, with no sentence
    punctuation: an SEO keyword line injected into the page, not prose."""
    if len(line) < MIN_SPAM_CHARS or _PROSE_PUNCT.search(line):
        return False
    words = [w for w in _KEYWORD_SEP.split(line) if w]
    return len(words) >= MIN_SPAM_KEYWORDS and all(
        len(w) <= MAX_KEYWORD_CHARS and HAN.search(w) for w in words
    )


def spam_lines(text: str) -> list[Span]:
    """Spans of keyword-spam lines."""
    return [(s, e) for s, e, line in _lines(text) if _is_spam_line(line)]


def duplicate_paragraphs(text: str) -> list[Span]:
    """Spans of paragraphs (lines) of at least MIN_DUPLICATE_CHARS that repeat an earlier one
    exactly: scrapers often capture a copyright or share block twice."""
    seen: set[str] = set()
    spans = []
    for start, end, line in _lines(text):
        key = " ".join(line.split())
        if len(key) < MIN_DUPLICATE_CHARS:
            continue
        if key in seen:
            spans.append((start, end))
        seen.add(key)
    return spans


def trailing_boilerplate(text: str) -> list[Span]:
    """Spans of the boilerplate lines at the end of the text, up to the last line of content.

    A notice is a short line after the article: a line longer than
    MAX_BOILERPLATE_CHARS, or the text's first line, is the article itself (an archive
    that stores each article on one line would otherwise lose it whole to a "来源:" at its
    start or a phone number in its body).
    """
    spans = []
    lines = [(start, end, line) for start, end, line in _lines(text) if line]
    for n, (start, end, line) in reversed(list(enumerate(lines))):
        flat = "".join(line.split())  # scrapers break words with spaces: "法律 責任"
        if n == 0 or len(flat) > MAX_BOILERPLATE_CHARS or not any(
                p.search(flat) for p in TRAILING_BOILERPLATE):
            break
        spans.append((start, end))
    return spans


def extra_whitespace(text: str) -> list[Span]:
    """Whitespace at both ends, and all but one character of every run inside: a single
    newline for a run that holds one (paragraph and line breaks alike), else its first
    character."""
    spans = []
    for m in re.finditer(r"\s+", text):
        start, end = m.span()
        if start == 0 or end == len(text):
            spans.append((start, end))
            continue
        keep = m.group().find("\n")
        keep = start + max(keep, 0)
        spans += [(start, keep), (keep + 1, end)]
    return spans


_RULES: tuple[Callable[[str], list[Span]], ...] = (
    _regex_rule(INVISIBLE),
    _regex_rule(HTML_TAG),
    _regex_rule(BROKEN_TAG),
    _regex_rule(MOJIBAKE),
    _regex_rule(PINYIN),
    spam_lines,
    duplicate_paragraphs,
    trailing_boilerplate,
    extra_whitespace,
)
