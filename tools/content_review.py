"""`make review`: one page for a clinical reviewer to sign off every answer in one sitting.

Writes reports/review/index.html (self-contained: no script, no outside style) and
reports/review/review.csv: every generated answer in every country variation exactly as
people see it, with its sources as links, evidence grade, reading grade, review date, and
a mark on each answer that changed since the last sign-off (content/signoff.yml).
`make signoff` (python -m tools.content_review --signoff) records what was reviewed.
"""

import csv
import hashlib
import html
import re
import sys
from typing import Dict, Iterator, List

import yaml

from tools import content_build, content_checks

REPORT = content_build.ROOT / "reports" / "review"
SIGNOFF = content_build.CONTENT / "signoff.yml"
COLUMNS = ["response", "shown when", "changed", "evidence", "reading grade", "reviewed", "sources", "text"]


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def shown_when(variation: Dict) -> str:
    conditions = [
        f"{c['name']} = {c['value'] if c['value'] is not None else 'not known'}"
        for c in variation.get("condition") or []
    ]
    return ", ".join(conditions) or "always (default)"


def meta_by_response() -> Dict[str, Dict]:
    """Evidence and review data of each generated response, from its content file."""
    meta = {}
    for topic in content_build.topics():
        meta[f"utter_{topic['topic']}"] = {
            "evidence": f"{topic['evidence']}: {topic['evidence_note']}",
            "grade": f"{content_checks.grade(topic['answer']):.1f}",
        }
    return meta


def class_meta() -> Dict[str, Dict]:
    return {c["class"]: {"evidence": c["evidence_grade"], "grade": ""} for c in content_build.classes()}


def rows() -> Iterator[Dict]:
    signed = yaml.safe_load(SIGNOFF.read_text(encoding="utf-8")) if SIGNOFF.is_file() else {}
    signed = signed or {}
    topic_meta, classes = meta_by_response(), class_meta()
    for text in content_build.build().values():
        document = yaml.safe_load(text)
        for name, variations in document.get("responses", {}).items():
            for variation in variations:
                when = shown_when(variation)
                key = f"{name} | {when}"
                cls = next(
                    (
                        c["value"]
                        for c in variation.get("condition") or []
                        if c["name"].startswith("interaction_class") and c["value"]
                    ),
                    None,
                )
                meta = topic_meta.get(name) or classes.get(cls) or {"evidence": "", "grade": ""}
                reviewed = re.search(r"Reviewed (\d{4}-\d{2})\.", variation["text"])
                yield {
                    "key": key,
                    "response": name,
                    "shown when": when,
                    "changed": "" if signed.get(key) == fingerprint(variation["text"]) else "CHANGED",
                    "evidence": meta["evidence"],
                    "reading grade": meta["grade"],
                    "reviewed": reviewed.group(1) if reviewed else "",
                    "sources": " ".join(content_checks.URL.findall(variation["text"])),
                    "text": variation["text"],
                    "fingerprint": fingerprint(variation["text"]),
                }


def as_html(table: List[Dict]) -> str:
    def cell(row: Dict, column: str) -> str:
        if column == "sources":
            return "<br>".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in row["sources"].split())
        if column == "text":
            return html.escape(row["text"]).replace("\n", "<br>")
        return html.escape(row[column])

    changed = sum(1 for r in table if r["changed"])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "\n".join(
        f'<tr class="{"changed" if r["changed"] else ""}">'
        + "".join(f"<td>{cell(r, c)}</td>" for c in COLUMNS)
        + "</tr>"
        for r in table
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Content review</title>
<style>body{{font:14px/1.4 sans-serif;margin:1em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:4px;vertical-align:top}}tr.changed td{{background:#fff3c4}}
td:last-child{{max-width:60em}}</style></head><body>
<h1>Content review</h1>
<p>{len(table)} answers as people see them, one row per country variation; {changed} changed since
the last sign-off (highlighted). Sign off with <code>make signoff</code>.</p>
<table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table></body></html>
"""


def main(argv: List[str]) -> int:
    table = list(rows())
    if "--signoff" in argv:
        SIGNOFF.write_text(
            "# What the clinical reviewer last signed off (make signoff): answer -> fingerprint.\n"
            + yaml.safe_dump({r["key"]: r["fingerprint"] for r in table}, sort_keys=True, width=1000),
            encoding="utf-8",
        )
        print(f"signed off {len(table)} answers in {SIGNOFF}")
        return 0
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / "index.html").write_text(as_html(table), encoding="utf-8")
    with open(REPORT / "review.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(table)
    changed = sum(1 for r in table if r["changed"])
    print(f"{len(table)} answers, {changed} changed since the last sign-off: {REPORT / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
