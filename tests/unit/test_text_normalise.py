from kratom_assistant.nlu.text_normalise import normalise


def test_case_quotes_and_spacing():
    assert normalise("  I\u2019m   NOT \u201csure\u201d ") == 'im not "sure"'


def test_leetspeak_inside_words_only():
    assert normalise("h0w much d0se") == "how much dose"
    assert normalise("k1ll mys3lf") == "kill myself"
    # quantities, product names and times keep their digits
    assert normalise("is 30g of 7oh too much 24/7") == "is 30g of 7oh too much 24/7"


def test_misspellings_corrected_word_by_word():
    fixes = {"sucidal": "suicidal", "kratum": "kratom"}
    assert normalise("feeling sucidal after kratum", fixes) == "feeling suicidal after kratom"
    assert normalise("kratumish", fixes) == "kratumish"


def test_control_characters_and_empty_text():
    assert normalise("a\x00b\u200bc") == "a b c"
    assert normalise("") == ""
    assert normalise(None) == ""


def test_accents_are_dropped_so_patterns_match_either_spelling():
    assert normalise("¿Cuántos gramos? Überdosis, não está") == "¿cuantos gramos? uberdosis, nao esta"
