"""The content audit, and proof that its checks can fail."""

from tools.content_audit import DOSE_LIKE, audit, dose_like_quantities, load_domain, source_line, used_response_names


def test_the_domain_passes_the_audit():
    problems = audit(load_domain(), used_response_names())
    assert not problems, "\n".join(map(str, problems))


def test_dose_like_quantities_are_caught():
    for text in [
        "take 5 g",
        "2-4 grams",
        "one teaspoon",
        "3 capsules",
        "15mg",
        "two shots",
        "a few pills",
        "half a tablet",
        "4 times a day",
        "10 scoops",
    ]:
        assert dose_like_quantities(text), text
    for text in ["call 911", "1-800-662-4357", "in 2019", "about 2 in 100", "Schedule 9", "13 11 26"]:
        assert not DOSE_LIKE.search(text), text


def test_the_audit_reports_planted_problems():
    domain = load_domain()
    domain["responses"]["utter_effects"] = [{"text": "Take 3 capsules.\n\nNo source here."}]
    domain["responses"]["utter_unused"] = [{"text": ""}]
    found = {(p.response, p.issue.split(" ")[0]) for p in audit(domain, used_response_names())}
    assert ("utter_effects", "dose-like") in found
    assert ("utter_effects", "no") in found  # no source line
    assert ("utter_unused", "not") in found and ("utter_unused", "a") in found


def test_source_line_needs_a_link_and_a_review_date():
    assert source_line("x\n\nSource: NIDA (https://nida.nih.gov/x). Reviewed 2026-11.")
    assert not source_line("x\n\nSource: NIDA. Reviewed 2026-11.")
    assert not source_line("x\n\nSource: NIDA (https://nida.nih.gov/x).")


def test_the_audit_keeps_quick_replies_within_every_channel():
    domain = load_domain()
    many = [{"title": f"Topic {n}", "payload": "/ask_risks"} for n in range(5)]
    domain["responses"]["utter_goodbye"] = [{"text": "Bye.", "buttons": many}]
    domain["responses"]["utter_greet"] = [
        {"text": "Hi.", "buttons": [{"title": "A title far over twenty characters", "payload": "/ask_risks"}]}
    ]
    found = {(p.response, p.issue.split(" ")[0]) for p in audit(domain, used_response_names())}
    assert ("utter_goodbye", "more") in found  # no Messenger variation with three
    assert ("utter_greet", "button") in found  # title too long for Messenger
    domain["responses"]["utter_thank"] = [{"text": "word " * 400}]
    assert ("utter_thank", "too") in {(p.response, p.issue.split(" ")[0]) for p in audit(domain, used_response_names())}
    domain["responses"]["utter_goodbye"].append({"channel": "facebook", "text": "Bye.", "buttons": many[:3]})
    assert "utter_goodbye" not in {p.response for p in audit(domain, used_response_names())}


# What a clinical review found (2026-11): each fix is checked on meaning, not only form.
def _first_text(domain, name, **condition):
    for variation in domain["responses"][name]:
        conditions = {c["name"]: c["value"] for c in variation.get("condition", [])}
        if all(conditions.get(k) == v for k, v in condition.items()):
            return variation["text"]
    raise AssertionError(f"no {name} variation for {condition}")


def test_the_opioid_answer_carries_its_own_level_and_evidence(domain):
    text = _first_text(domain, "utter_interactions", interaction_class="opioids")
    assert "Dangerous" in text and "Caution" not in text and "SSRI" not in text


def test_no_link_leads_to_a_dose_chart(domain):
    for name, variations in domain["responses"].items():
        for variation in variations:
            assert "drugs.tripsit.me" not in variation.get("text", ""), name


def test_laws_and_naloxone_as_of_late_2026(domain):
    legality = _first_text(domain, "utter_legality")
    assert "As of November 2026" in legality and "check the law" in legality
    assert "Louisiana" in legality and "2025" in legality
    assert "Rhode Island" in legality and "21" in legality
    assert "July 2026" in legality and "DEA" in legality and "notice" in legality
    overdose = _first_text(domain, "utter_overdose")
    assert "wear off" in overdose and "alcohol" in overdose and "benzo" in overdose


def test_the_review_findings_on_medicines_are_answered(domain):
    """Kava, methadone, bupropion and trazodone get reviewed answers, not Unknown."""
    kava = _first_text(domain, "utter_interactions", interaction_class="kava")
    assert "liver" in kava.lower()
    methadone = _first_text(domain, "utter_interactions", interaction_class="opioid_treatment")
    assert "methadone" in methadone.lower() and "heart" in methadone.lower()
    assert "precipitated" in methadone.lower() or "sudden" in methadone.lower()
    bupropion = _first_text(domain, "utter_interactions", interaction_class="bupropion")
    assert "seizure" in bupropion.lower()
    for class_name in ("ssri_snri", "opioids"):
        evidence = next(line for line in _first_text(domain, "utter_interactions", interaction_class=class_name).splitlines()
                        if line.startswith("Evidence:"))  # fmt: skip
        assert "CYP3A" in evidence and "CYP2D6" in evidence, (class_name, evidence)
