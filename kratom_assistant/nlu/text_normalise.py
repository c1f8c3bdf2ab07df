"""Text normalisation for the safety patterns: one canonical form to match against.

Users type with capitals, curly quotes, doubled spaces, leetspeak ("h0w much"), with or
without accents ("está", "esta") and with misspellings ("sucidal"). Patterns are written for the normalised form only, so one
pattern covers all of those spellings.
"""

import re
import unicodedata
from typing import Mapping

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
    }
)
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
# Only a digit or symbol between two letters is leetspeak ("d0se", "k1ll"); "30g",
# "7oh" and "24/7" keep their digits.
_LEET_IN_WORD = re.compile(r"(?<=[a-z])[0134578@$](?=[a-z])")
_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z]+")


def strip_accents(text: str) -> str:
    """ "está" -> "esta", "überdosis" -> "uberdosis": people often type without accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalise(text: str, misspellings: Mapping[str, str] = {}) -> str:
    """Return the canonical form of a user message for pattern matching."""
    text = strip_accents(unicodedata.normalize("NFKC", text or "").translate(_QUOTES)).lower()
    text = _CONTROL.sub(" ", text)
    text = _LEET_IN_WORD.sub(lambda m: _LEET[m.group()], text)
    text = text.replace("'", "")  # "can't" -> "cant", "i'm" -> "im"
    if misspellings:
        text = _WORD.sub(lambda m: misspellings.get(m.group(), m.group()), text)
    return _SPACES.sub(" ", text).strip()
