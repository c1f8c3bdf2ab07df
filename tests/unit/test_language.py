"""Language identification: four other languages recognised, short English never taken
for one of them (an English speaker must not be told "I only answer in English")."""

import pytest

from kratom_assistant.nlu.language import identify


@pytest.mark.parametrize(
    "text,language",
    [
        ("me quiero morir", "es"),
        ("hola, ¿el kratom es legal en México?", "es"),
        ("mi hermano no respira", "es"),
        ("meu irmão não está respirando", "pt"),
        ("quanto tempo dura a abstinência de kratom? não aguento", "pt"),
        ("je veux mourir, je n'en peux plus", "fr"),
        ("combien de temps dure le sevrage du kratom ?", "fr"),
        ("ich will nicht mehr leben", "de"),
        ("wie lange dauert der Kratom-Entzug?", "de"),
    ],
)
def test_other_languages_are_recognised(text, language):
    assert identify(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "can kratom cause seizures",
        "is kratom safe during pregnancy",
        "i'm in germany",
        "wanna die fr",
        "is kratom withdrawal as bad as opiate withdrawal",
        "dose??",
        "gpd",
        "kms",
        "see ya",
        "hi",
        "kratom liver damige real?",
        "",
        "\u0000\ud83d\ude00",
    ],
)
def test_english_and_fragments_stay_english(text):
    assert identify(text) == "en"
