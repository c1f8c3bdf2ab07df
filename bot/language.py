"""Which language a message is written in: English or one of the four others the
assistant has curated replies for (Spanish, Portuguese, French, German).

py3langid ships its model inside the package (nothing is downloaded) and classifies a
message in well under a millisecond. Short messages are easy to misread ("dose??" looks
Spanish to it), and telling an English speaker "I only answer in English" is a poor
reply, so a message counts as another language only when the identifier is confident
and the message has a few words.
"""
from functools import lru_cache
from typing import Tuple

from py3langid.langid import MODEL_FILE, LanguageIdentifier

ENGLISH = "en"
OTHER_LANGUAGES = ("es", "pt", "fr", "de")
MIN_CONFIDENCE = 0.9
MIN_WORDS = 3


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages([ENGLISH, *OTHER_LANGUAGES])
    return identifier


def guess(text: str) -> Tuple[str, float]:
    """The identifier's best language among the five, and its confidence."""
    language, confidence = _identifier().classify(text or "")
    return str(language), float(confidence)


def identify(text: str) -> str:
    """"en", or another supported language code when the message is clearly in it."""
    language, confidence = guess(text)
    if language != ENGLISH and confidence >= MIN_CONFIDENCE and len((text or "").split()) >= MIN_WORDS:
        return language
    return ENGLISH
