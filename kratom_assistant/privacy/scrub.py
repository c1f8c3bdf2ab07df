"""Personal details out of what is stored: phone numbers, e-mail addresses, street
addresses, card and ID numbers, and names introduced as names become placeholders.

The conversation store (kratom_assistant/stores/tracker_store.py) runs this on a copy of
each message as it stores it, after the assistant has understood and answered the
original. Phone numbers are found with `phonenumbers` (Google's libphonenumber data, in
the package), card and account numbers are confirmed with `python-stdnum`'s checksums;
e-mail addresses, street addresses, ID numbers and names use the reviewed patterns below.
Nothing is downloaded. It errs towards removing: a stored message with a placeholder
too many loses nothing the service needs.
"""

import re
from typing import Any, Iterable

import phonenumbers
from stdnum import iban, luhn

PHONE, EMAIL, ADDRESS, CARD, ID, NAME = "[phone]", "[email]", "[address]", "[card]", "[id number]", "[name]"

# Where people writing to the assistant live (the help-line table's countries), so that
# numbers written without a country code are recognised as those countries write them.
PHONE_REGIONS = ("US", "GB", "AU", "IE", "CA", "NZ", "ZA", "IN", "DE", "FR", "ES", "PT", "BR", "MX")

EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A house number, up to four words and a street type: "12 Baker Street", "1600 n. elm ave".
STREET_TYPES = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
    r"close|crescent|cres|terrace|terr|highway|hwy|parkway|pkwy|square|sq|circle|cir|gardens|grove"
)
ADDRESS_PATTERN = re.compile(
    rf"\b\d{{1,5}}[a-z]?(?:\s+[\w.'-]+){{1,4}}?\s+(?:{STREET_TYPES})\b\.?(?:,?\s+(?:apt|flat|unit|suite)\.?\s*\w+)?",
    re.IGNORECASE,
)
# Postcodes that locate a home closely: UK ("SW1A 1AA") and US ZIP+4.
POSTCODE_PATTERN = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\b\d{5}-\d{4}\b", re.IGNORECASE)
# Runs of digits that may be a card (13-19 digits, spaces or dashes between groups).
DIGIT_RUN = re.compile(r"(?<![\w+])\d(?:[ -]?\d){7,22}(?!\w)")
IBAN_PATTERN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
# US social security and UK national insurance numbers.
ID_PATTERN = re.compile(
    r"\b\d{3}-\d{2}-\d{4}\b|\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE
)

# Names introduced as names. "my name is …", "call me …" take any word; "I'm …" and
# "my son …" only a capitalised word that is not a common word ("I'm Sarah", not "I'm Scared").
_NAME = r"[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?"
SAID_NAME = re.compile(
    r"(?i:\b(?:my\s+name\s+is|my\s+name'?s|name'?s|i\s+am\s+called|i'?m\s+called|call\s+me|they\s+call\s+me))\s+"
    r"([A-Za-z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)"
)
RELATIONS = (
    r"son|daughter|brother|sister|wife|husband|partner|friend|mum|mom|mother|dad|father|"
    r"boyfriend|girlfriend|fiance|fiancee|fiancé|fiancée|cousin|uncle|aunt|nephew|niece|grandson|granddaughter|"
    r"roommate|flatmate|coworker|colleague|boss|kid|child|teen|stepson|stepdaughter"
)
INTRODUCED_NAME = re.compile(rf"(?i:\b(?:i'?m|i\s+am|this\s+is|it'?s)|\bmy\s+(?:{RELATIONS}))\s+({_NAME})\b")
# Capitalised words that follow "I'm" or "my son" without being a name.
NOT_NAMES = frozenset(
    """
    a an the and but or so not no yes ok okay just really very so too also still now here there
    in on at from with without about after before over under into out up down off back home away
    afraid alone angry anxious ashamed asking awake better broke clean confused curious desperate
    done drunk dying embarrassed exhausted fine going good gonna great happy high hopeless hurting
    interested just kind looking lost new nervous not okay on pregnant ready really sad safe scared
    sick sober sorry still stressed struggling stuck sure taking thinking tired trying unsure using
    wondering worried addicted american british australian canadian irish english scottish welsh
    kratom opioid opiates diabetic epileptic bipolar autistic depressed male female
    currently always never sometimes usually probably actually literally honestly seriously
    who what when where why how which that this these those his her their its our your my
    is was has had does did will would can could should might must
    """.split()
)
# A name's first word: capitalised words that begin sentences but are not names.
_CAPITALISED = re.compile(r"^[A-Z]")


def _is_name(candidate: str) -> bool:
    first = candidate.split()[0]
    return bool(_CAPITALISED.match(first)) and first.casefold() not in NOT_NAMES


def _replace_names(text: str) -> str:
    def said(match: re.Match) -> str:
        words = match.group(1)
        if words.split()[0].casefold() in NOT_NAMES:
            return match.group(0)
        return match.group(0)[: match.start(1) - match.start(0)] + NAME

    def introduced(match: re.Match) -> str:
        if not _is_name(match.group(1)):
            return match.group(0)
        return match.group(0)[: match.start(1) - match.start(0)] + NAME

    return INTRODUCED_NAME.sub(introduced, SAID_NAME.sub(said, text))


def _replace_phones(text: str) -> str:
    if sum(c.isdigit() for c in text) < 6:
        return text  # no phone number is shorter (and most messages have no digits)
    spans = []
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            spans.append((match.start, match.end))
    for start, end in sorted(_merged(spans), reverse=True):
        text = text[:start] + PHONE + text[end:]
    return text


def _merged(spans: Iterable[tuple]) -> list:
    merged: list = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _replace_cards_and_ids(text: str) -> str:
    def card(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return CARD if 13 <= len(digits) <= 19 and luhn.is_valid(digits) else match.group(0)

    text = IBAN_PATTERN.sub(lambda m: ID if iban.is_valid(m.group(0)) else m.group(0), text)
    text = ID_PATTERN.sub(ID, text)
    return DIGIT_RUN.sub(card, text)


def _replace_long_numbers(text: str) -> str:
    """Any number of nine digits or more left: a phone number written oddly, an account
    or a record number; no question about kratom needs one kept."""
    return DIGIT_RUN.sub(lambda m: ID if len(re.sub(r"\D", "", m.group(0))) >= 9 else m.group(0), text)


def scrub(text: str) -> str:
    """The text with personal details replaced by placeholders."""
    if not text:
        return text
    text = EMAIL_PATTERN.sub(EMAIL, text)
    text = _replace_cards_and_ids(text)
    text = _replace_phones(text)
    text = _replace_long_numbers(text)
    text = ADDRESS_PATTERN.sub(ADDRESS, text)
    text = POSTCODE_PATTERN.sub(ADDRESS, text)
    return _replace_names(text)


def scrub_values(value: Any) -> Any:
    """Every string inside a JSON-like value scrubbed (a user event's text, parse data
    and metadata)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_values(item) for item in value]
    if isinstance(value, dict):
        return {key: scrub_values(item) for key, item in value.items()}
    return value
