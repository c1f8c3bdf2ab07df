"""Personal details become placeholders before a message is stored; the words that make a
kratom question (amounts asked about, help-line numbers, ages, years) stay."""

import pytest

from kratom_assistant.privacy.scrub import scrub, scrub_values


@pytest.mark.parametrize(
    "text,kept,gone",
    [
        ("my name is Sarah and my number is 07700 900123", "my name is [name] and my number is [phone]", ["Sarah"]),
        ("call me on +1 (415) 555-2671 or email sarah.j@example.com", "[phone]", ["555-2671", "sarah.j@"]),
        ("I'm Sarah, I've been using kratom for 2 years", "I'm [name], I've been using kratom for 2 years", []),
        ("my son Jake is taking kratom, we live at 42 Elm Street", "my son [name] is taking kratom", ["42 Elm"]),
        ("my card 4111 1111 1111 1111 got charged by a vendor", "my card [card] got charged", ["4111"]),
        ("my ssn is 123-45-6789", "[id number]", ["6789"]),
        ("national insurance AB 12 34 56 C", "[id number]", ["AB 12"]),
        ("my postcode is SW1A 1AA", "[address]", ["SW1A"]),
        ("my number is 0412 345 678", "[phone]", ["0412"]),
        ("whatsapp me 0871234567", "[phone]", ["0871234567"]),
        ("my name's dave", "my name's [name]", ["dave"]),
        ("hi it's Tom", "hi it's [name]", ["Tom"]),
        ("my wife Maria takes kratom with Zoloft", "my wife [name] takes kratom with Zoloft", ["Maria"]),
        ("patient record 123456789012", "[id number]", ["123456789012"]),
    ],
)
def test_personal_details_become_placeholders(text, kept, gone):
    scrubbed = scrub(text)
    assert kept in scrubbed
    assert not [value for value in gone if value in scrubbed]


@pytest.mark.parametrize(
    "text",
    [
        "im scared, I'm using kratom daily",
        "how many mg is 15 grams",
        "I took 30 g a day for 2 years",
        "is 988 the number to call",
        "is 2024 the year it was banned",
        "I'm in the UK",
        "I'm Australian and I'm Pregnant",
        "I am 34 years old and weigh 80kg",
        "my son is 16 and uses kratom",
        "It's Kratom I take, with Xanax",
    ],
)
def test_what_makes_the_question_stays(text):
    assert scrub(text) == text


def test_every_string_inside_a_message_event_is_scrubbed():
    event = {"text": "I'm Sarah", "parse_data": {"text": "I'm Sarah", "entities": [{"value": "sarah@example.org"}]}}
    assert scrub_values(event) == {
        "text": "I'm [name]",
        "parse_data": {"text": "I'm [name]", "entities": [{"value": "[email]"}]},
    }
