"""Text normalization: HTML to text, entities unescaped, white space folded."""

from __future__ import annotations

import html
import re

# Tags that separate blocks of text: they become one space. Every other known tag is
# dropped and its content kept (``<sup>3</sup>`` stays ``3``).
_BLOCK_TAGS = (
    "p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|table|thead|tbody|tfoot|tr|td|th|caption|"
    "section|article|header|footer|blockquote|pre|title|sec|abstracttext|abstract|list|"
    "list-item|fig|figcaption|label|tex-math|disp-formula"
)
_INLINE_TAGS = (
    "span|strong|b|i|em|u|s|strike|sup|sub|a|font|small|big|abbr|acronym|cite|code|q|"
    "mark|ins|del|kbd|var|samp|italic|bold|underline|sc|inf|scp|named-content|xref|"
    "inline-formula|math|mi|mo|mn|ms|mtext|mrow|msub|msup|msubsup|mfrac|msqrt|mroot|"
    "mstyle|mover|munder|munderover|mspace|semantics|annotation|img|wbr|nobr|ext-link|"
    "uri|email|monospace|overline|roman|sans-serif|styled-content|style"
)
_DROP_WITH_CONTENT = {
    tag: re.compile(rf"<{tag}\b[^<>]*>.*?</{tag}\s*>", re.IGNORECASE | re.DOTALL)
    for tag in ("script", "style")
}
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLOCK = re.compile(rf"</?(?:(?:jats|mml|xhtml|html):)?(?:{_BLOCK_TAGS})\b[^<>]*>", re.IGNORECASE)
_INLINE = re.compile(
    rf"</?(?:(?:jats|mml|xhtml|html):)?(?:{_INLINE_TAGS})\b[^<>]*>|</?(?:jats|mml):[\w.-]+\b[^<>]*>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACE = re.compile(r"\s+")
# A copyright line closing an abstract ("... planning. © The Author(s) 2025."): not part of
# the abstract a reviewer reads, and absent from the same abstract in other exports.
_COPYRIGHT = re.compile(
    r"(?<=[.!?)\]])\s+(?:©|\((?:c|copyright)\)|Copyright\b|Crown Copyright\b|Published by\b"
    r"|\(PsycINFO Database Record\b)[^©]{0,400}$",
    re.IGNORECASE,
)


def html_to_text(text: str) -> str:
    """Turn an HTML fragment into plain text.

    Parameters
    ----------
    text : str
        Text that may hold HTML or XML tags and character entities.

    Returns
    -------
    str
        The text with known tags removed (block tags such as ``</p><p>`` become one space,
        inline tags such as ``<sup>`` vanish and keep their content), ``<script>`` and
        ``<style>`` dropped with their content, entities unescaped and white space folded.
        A ``<`` that opens no known tag (``p < .05``) is kept.

    Examples
    --------
    >>> html_to_text("<p><strong>Results: </strong>10<sup>3</sup> cells &amp; p &lt; .05</p>")
    'Results: 103 cells & p < .05'
    >>> html_to_text("<p>One.</p><p>Two, p < .001.</p>")
    'One. Two, p < .001.'
    """
    if "<" in text:
        if "-->" in text:
            text = _COMMENT.sub(" ", text)
        for tag, pattern in _DROP_WITH_CONTENT.items():  # only when its closing tag is there
            if f"</{tag}" in text.lower():
                text = pattern.sub(" ", text)
        text = _BLOCK.sub(" ", text)
        text = _INLINE.sub("", text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return fold_space(text)


def fold_space(text: str) -> str:
    r"""Fold every run of white space (no-break and thin spaces too) into one space.

    Examples
    --------
    >>> fold_space(" 6712\u2009\u00b1\u2009622\n m ")
    '6712 ± 622 m'
    """
    return _SPACE.sub(" ", text).strip()


def strip_copyright(text: str) -> str:
    """Remove a copyright statement that closes an abstract.

    Examples
    --------
    >>> strip_copyright("It works. © The Author(s) 2025.")
    'It works.'
    >>> strip_copyright("Costs fell (c) by 10%. More text follows here.")
    'Costs fell (c) by 10%. More text follows here.'
    """
    # Only the tail can hold a closing statement; searching it alone keeps long texts cheap.
    head, tail = text[:-600], text[-600:]
    return head + _COPYRIGHT.sub("", tail) if len(text) > 600 else _COPYRIGHT.sub("", text)


def normalize_text(text: str | None, *, copyright: bool = True) -> str:
    r"""Return the normalized form of a title or abstract, as every reader stores it.

    Parameters
    ----------
    text : str or None
        Raw text from a file; may hold HTML.
    copyright : bool, default True
        Remove a closing copyright statement (``© 2024 Elsevier Ltd.``).

    Returns
    -------
    str
        :func:`html_to_text` of ``text``, without a closing copyright statement; ``""`` for
        ``None``. Offsets the extractor reports index into this string.

    Examples
    --------
    >>> normalize_text("<p>Objective: To see.</p>\n<p>Results: 12 of 40.</p> © 2024 Elsevier")
    'Objective: To see. Results: 12 of 40.'
    """
    if not text:
        return ""
    text = html_to_text(str(text))
    return strip_copyright(text).strip() if copyright else text
