"""make review: every generated answer in every country variation on one page, with what
changed since the reviewer's last sign-off marked."""

import csv

from tools import content_build, content_review


def test_the_page_shows_every_answer_as_people_see_it(tmp_path, monkeypatch):
    monkeypatch.setattr(content_review, "REPORT", tmp_path / "review")
    monkeypatch.setattr(content_review, "SIGNOFF", tmp_path / "signoff.yml")
    assert content_review.main([]) == 0
    page = (tmp_path / "review" / "index.html").read_text()
    with open(tmp_path / "review" / "review.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    countries = content_build.helplines()["countries"]
    overdose = [r for r in rows if r["response"] == "utter_overdose"]
    assert len(overdose) == len(countries) + 1  # each country, and no country known
    for row in overdose:
        assert row["changed"] == "CHANGED" and row["reviewed"] and "https://" in row["sources"]
        assert float(row["reading grade"]) <= 8
    assert "NHS 111" in next(r["text"] for r in overdose if r["shown when"] == "country = uk")
    pointer = [r for r in rows if r["response"] == "utter_help_pointer_poison"]  # after interaction answers
    assert len(pointer) == len(countries) + 1
    assert "<script" not in page and 'href="https://doi.org/' in page


def test_after_sign_off_only_what_changes_is_marked(tmp_path, monkeypatch):
    monkeypatch.setattr(content_review, "SIGNOFF", tmp_path / "signoff.yml")
    content_review.main(["--signoff"])
    assert not any(r["changed"] for r in content_review.rows())
    real_build = content_build.build

    def one_answer_edited():
        built = real_build()
        path = content_build.OUTPUTS["topics"]
        built[path] = built[path].replace("Naloxone can wear off", "Naloxone may wear off", 1)
        return built

    monkeypatch.setattr(content_build, "build", one_answer_edited)
    changed = {r["response"] for r in content_review.rows() if r["changed"]}
    assert changed == {"utter_overdose"}
