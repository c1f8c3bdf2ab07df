"""Which language a message is written in: English or one of the four others the
assistant has curated replies for (Spanish, Portuguese, French, German).

py3langid ships its model inside the package (nothing is downloaded) and classifies a
message in well under a millisecond, but on short chat messages it is often confidently
wrong ("can kratom cause seizures" reads as German to it). Telling an English speaker
"I only answer in English" is a poor reply, so its guess is checked against the
languages' common function words: a message counts as another language only when that
language's function words outnumber the English ones in it ("die" and "as" are left
out: they are English words too).
"""

import re
from functools import lru_cache
from typing import Dict, FrozenSet, Tuple

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from kratom_assistant.nlu.text_normalise import strip_accents

ENGLISH = "en"
OTHER_LANGUAGES = ("es", "pt", "fr", "de")
# Without a function word of either side, the identifier alone decides, when sure.
SURE = 0.99
MIN_WORDS_WHEN_UNSURE = 5

# Common function words, accents dropped (the message is compared the same way).
FUNCTION_WORDS: Dict[str, FrozenSet[str]] = {
    language: frozenset(words.split())
    for language, words in {
        "en": "the a an is are was were be been am i im you your my me he she it its we they them this that what "
        "how why when where who which can could should would will do does did dont not no and or but if "
        "to of in on at for with from about any some much many there here have has had just get got",
        "es": "el la los las un una es son esta estoy estan que de del en y por para con mi mis me te se lo le "
        "como cuanto cuantos cuanta cuantas cuando donde porque pero si no muy mas hay tengo tiene puedo "
        "debo quiero hola gracias ayuda tomar tomo estoy",
        "pt": "o os um uma e sao esta estou que de do da dos das em no na nos nas por para com meu minha "
        "me te se voce como quanto quantos quanta quantas quando onde porque mas nao ja muito mais tem "
        "tenho posso devo quero ola obrigado obrigada ajuda tomar tomo isso ele ela",
        "fr": "le la les un une est sont suis que qui de du des en et pour avec mon ma mes je tu il elle on nous "
        "vous ne pas plus comment combien quand ou pourquoi mais si tres jai cest bonjour merci aide "
        "prendre prends dois peux veux au aux",
        "de": "der das den dem ein eine einen ist sind bin und oder mit fur von zu im in auf ich du er sie "
        "es wir nicht kein keine mein meine wie viel viele wann wo warum aber wenn sehr hallo danke hilfe "
        "nehmen soll kann darf will habe hat auch noch",
    }.items()
}
_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _identifiers() -> Tuple[LanguageIdentifier, LanguageIdentifier]:
    """One identifier over all five languages, one that only tells the four apart."""
    all_five = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    all_five.set_languages([ENGLISH, *OTHER_LANGUAGES])
    others = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    others.set_languages(list(OTHER_LANGUAGES))
    return all_five, others


def identify(text: str) -> str:
    """ "en", or another supported language code when the message is clearly in it."""
    words = _WORD.findall(strip_accents(text or "").lower().replace("'", ""))
    if not words:
        return ENGLISH
    hits = {language: sum(w in FUNCTION_WORDS[language] for w in words) for language in FUNCTION_WORDS}
    all_five, others = _identifiers()
    ranked = dict(others.rank(text))  # breaks ties between the four by the identifier's score
    other = max(OTHER_LANGUAGES, key=lambda language: (hits[language], ranked.get(language, 0.0)))
    if hits[other] > hits[ENGLISH]:
        return other
    if hits[other] == hits[ENGLISH] == 0 and len(words) >= MIN_WORDS_WHEN_UNSURE:
        language, confidence = all_five.classify(text)
        if language == other and confidence >= SURE:
            return other
    return ENGLISH
