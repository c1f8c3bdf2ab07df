"""The checks on meaning pass on the reviewed content and fail on a deliberately broken
copy of it: a swapped evidence line, a search link, a dose-chart link, a hard answer, a
help line named in an answer, a number from another country, an old review date."""

import datetime
import shutil

import pytest
import yaml

from tools import content_build, content_checks
from tools.content_audit import load_domain


@pytest.fixture
def content(tmp_path, monkeypatch):
    """A copy of content/ the test may break; the checks read it instead of the real one."""
    copy = tmp_path / "content"
    shutil.copytree(content_build.CONTENT, copy)
    monkeypatch.setattr(content_build, "CONTENT", copy)
    return copy


def edit(path, **changes):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return data


def test_the_reviewed_content_passes_every_check():
    assert content_checks.problems(load_domain()) == []


def test_every_topic_answer_is_at_or_under_grade_eight():
    grades = content_checks.reading_grades()
    assert grades and max(grades.values()) <= content_checks.MAX_GRADE, grades


def test_a_swapped_evidence_line_is_caught(content):
    ssri = yaml.safe_load((content / "interactions" / "ssri_snri.yml").read_text())
    edit(content / "interactions" / "opioids.yml", evidence=ssri["evidence"])
    found = content_checks.class_problems(content_build.classes())
    assert any(p.startswith("class opioids: its evidence names") and "ssri_snri" in p for p in found), found


def test_a_level_off_the_scale_is_caught(content):
    edit(content / "interactions" / "alcohol.yml", level="Severe")
    assert any("not on the fixed scale" in p for p in content_checks.class_problems(content_build.classes()))


@pytest.mark.parametrize(
    "url,reason",
    [
        ("https://pubmed.ncbi.nlm.nih.gov/?term=kratom+withdrawal", "search link"),
        ("https://www.google.com/search?q=kratom", "search link"),
        ("https://drugs.tripsit.me/kratom", "lists amounts"),
        ("https://wiki.tripsit.me/wiki/Kratom", "lists amounts"),
        ("https://www.kratom-vendor.example/blog", "not on the reviewed allowlist"),
        ("https://doi.org/not-a-doi", "not a DOI or a PubMed record"),
    ],
)
def test_a_bad_link_is_caught(content, url, reason):
    topic = yaml.safe_load((content / "topics" / "effects.yml").read_text())
    edit(content / "topics" / "effects.yml", sources=topic["sources"] + [{"name": "Bad", "url": url}])
    found = [p for where, u in content_checks.all_sources(content_build.topics(), [], _checker())
             for p in content_checks.link_problems(where, u, content_checks.sources_doc())]  # fmt: skip
    assert any(reason in p and url in p for p in found), found


def _checker():
    return {"general": {"sources": []}, "unavailable": {"sources": []}}


def test_good_links_pass():
    allow = content_checks.sources_doc()
    for url in ("https://doi.org/10.1080/15563650.2019.1569236", "https://pubmed.ncbi.nlm.nih.gov/30786220/",
                "https://nida.nih.gov/research-topics/kratom"):  # fmt: skip
        assert content_checks.link_problems("x", url, allow) == [], url


def test_a_grade_eleven_answer_is_caught(content):
    hard = (
        "Pharmacokinetic interactions attributable to mitragynine-mediated inhibition of hepatic "
        "cytochrome isoenzymes necessitate individualised therapeutic monitoring, particularly among "
        "polypharmacy populations with compromised physiological reserve and comorbid conditions."
    )
    edit(content / "topics" / "effects.yml", answer=hard)
    found = content_checks.topic_problems(content_build.topics())
    assert any(p.startswith("topic effects: reading grade") for p in found), found


def test_a_help_line_or_number_inside_an_answer_is_caught(content):
    topic = yaml.safe_load((content / "topics" / "withdrawal.yml").read_text())
    edit(content / "topics" / "withdrawal.yml", answer=topic["answer"] + "\nCall SAMHSA at 1-800-662-4357.")
    found = content_checks.topic_problems(content_build.topics())
    assert any("names a number itself" in p for p in found) and any("names a help line" in p for p in found)


def test_a_harm_topic_without_a_help_pointer_is_caught(content):
    edit(content / "topics" / "overdose.yml", help="none")
    assert "topic overdose: touches harm but ends with no help pointer" in content_checks.topic_problems(
        content_build.topics()
    )


def test_a_number_from_another_country_is_caught():
    domain = {
        "responses": {
            "utter_x": [{"condition": [{"type": "slot", "name": "country", "value": "uk"}], "text": "Call 988 now."}]
        }
    }
    found = content_checks.country_number_problems(domain, content_build.helplines())
    assert found == ["utter_x (uk): 988 is not a uk number"]


def test_every_country_sees_only_its_own_numbers_in_every_response():
    assert content_checks.country_number_problems(load_domain(), content_build.helplines()) == []


def test_an_old_review_date_is_caught():
    later = datetime.date(2028, 1, 15)
    found = content_checks.age_problems({"topic effects": {"reviewed": "2026-11"}}, later)
    assert found == ["topic effects: reviewed 2026-11, more than 12 months ago"]


def test_the_generated_responses_are_current():
    assert content_build.stale() == [], "run `make content`"


def test_a_stale_generated_file_is_caught(content):
    edit(content / "topics" / "effects.yml", reviewed="2026-10")
    assert content_build.OUTPUTS["topics"] in content_build.stale()


def test_the_help_line_table_covers_every_country_the_assistant_knows():
    countries = set(load_domain()["slots"]["country"]["values"])
    assert countries == set(content_build.helplines()["countries"])


def test_a_new_topic_must_name_a_help_pointer(content):
    # Only the listed topics may end without one: a topic added later is held to it by default.
    topic = yaml.safe_load((content / "topics" / "surgery.yml").read_text())
    (content / "topics" / "new_topic.yml").write_text(yaml.safe_dump(dict(topic, topic="new_topic", help="none")))
    assert "topic new_topic: touches harm but ends with no help pointer" in content_checks.topic_problems(
        content_build.topics()
    )
