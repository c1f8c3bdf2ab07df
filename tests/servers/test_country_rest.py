"""Once a person says where they are, every answer that points to help uses that
country's numbers and never another's (the help pointers come from content/helplines.yml)."""

import uuid

import pytest

from tools import content_build
from tools.content_checks import help_numbers, shows

MESSAGES = [
    "is kratom addictive",
    "what are the risks",
    "what does an overdose look like",
    "withdrawal symptoms",
    "how do i quit kratom",
    "can i take kratom with xanax",
    "kratom and zoloft",
    "what is 7-oh",
    "is it safe while pregnant",
    "how many grams should i take",
    "where can i get help",
    "my friend took a lot of kratom and keeps vomiting",
]
PLACES = {"uk": "I'm in the UK", "australia": "i live in sydney", "ireland": "im in dublin", "canada": "Toronto"}


def us_numbers_not_of(country):
    """The US help numbers this country does not share (Canada shares 911 and 988)."""
    lines = content_build.helplines()["countries"]
    return help_numbers(lines["us"]) - help_numbers(lines[country])


@pytest.mark.parametrize("country,place", PLACES.items())
def test_after_naming_a_country_no_us_number_is_shown(assistant, country, place):
    sender, us = uuid.uuid4().hex, us_numbers_not_of(country)
    assert {"1-800-662-4357", "1-800-222-1222"} <= us and (country == "canada" or {"911", "988"} <= us)
    assistant.texts(place, sender)
    for message in MESSAGES:
        texts = assistant.texts(message, sender)
        assert texts, message
        shown = [number for number in us if shows(" ".join(texts), number)]
        assert not shown, (country, message, shown, texts)


def test_with_no_country_the_us_numbers_and_the_international_option_are_shown(assistant):
    text = " ".join(assistant.texts("where can i get help"))
    assert "1-800-662-4357" in text and "findahelpline.com" in text
