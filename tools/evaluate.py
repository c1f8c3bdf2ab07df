"""`make eval`: the figures a safety reviewer needs, in reports/summary.md.

- NLU: 5-fold cross-validation on data/nlu and the held-out set (tests/nlu_heldout.yml)
  with `rasa test nlu`: per-intent precision, recall and F1, plus the confusion matrix
  and intent-confidence histogram images Rasa draws.
- Safety screen, dev: out-of-fold figures of its models on the safety corpus (data/safety)
  at the trained thresholds, and the dev sets over REST (red-team, dev, exhausted) with their misses.
- Safety screen, sealed: the sealed sets' figures over REST (tests/sealed_vN/), reported
  apart, never their messages.
- Content: the content audit's table of sources and review dates.
"""

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import List

from kratom_assistant.safety import models as safety_models
from kratom_assistant.safety.screen import SafetyScreen, training_corpus
from tools import content_audit as content
from tools import redteam, servers
from tools.servers import ROOT

OUT = ROOT / "reports"


def rasa_test_nlu(args: List[str], out: Path) -> dict:
    subprocess.run(
        [str(servers.BIN / "rasa"), "test", "nlu", *args, "--out", str(out)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return json.loads((out / "intent_report.json").read_text())


def intent_table(report: dict) -> str:
    rows = ["| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for intent, scores in sorted(report.items()):
        if (
            isinstance(scores, dict)
            and "precision" in scores
            and intent not in ("micro avg", "macro avg", "weighted avg")
        ):
            rows.append(
                f"| {intent} | {scores['precision']:.2f} | {scores['recall']:.2f} | "
                f"{scores['f1-score']:.2f} | {scores['support']} |"
            )
    return "\n".join(rows)


def redteam_figures() -> List[redteam.Figures]:
    token = uuid.uuid4().hex
    with servers.running(5805, 5855, log=subprocess.DEVNULL, api_token=token):
        client = servers.RestClient("http://127.0.0.1:5805", token)
        domain = content.load_domain()
        return [redteam.evaluate(name, client.texts, client.actions_run, domain) for name in redteam.SETS]


def out_of_fold_lines() -> List[str]:
    """The screen's models scored by k-fold cross-validation on the safety corpus plus the
    NLU examples, as `rasa train` does when it chooses the thresholds."""
    from rasa.shared.importers.importer import TrainingDataImporter

    config = SafetyScreen.get_default_config()
    nlu = TrainingDataImporter.load_from_dict(training_data_paths=["data/nlu"]).get_nlu_data()
    corpus = training_corpus(ROOT / config["corpus"], nlu)
    settings = safety_models.Settings()
    models, oof = safety_models.train(corpus, settings)
    thresholds = models.thresholds
    counts = ", ".join(f"{label} {corpus.count(label)}" for label in safety_models.LABELS)
    return [f"corpus: {counts}", f"thresholds: {thresholds}"] + [
        f"{name}: {value:.1%}" for name, value in safety_models.recall_report(corpus, oof, thresholds).items()
    ]


def main() -> int:
    OUT.mkdir(exist_ok=True)
    cv = rasa_test_nlu(
        ["--nlu", "data/nlu", "--config", "config.yml", "--domain", "domain", "--cross-validation", "--folds", "5"],
        OUT / "cv",
    )
    heldout = rasa_test_nlu(["--model", str(servers.DEFAULT_MODEL), "--nlu", "tests/nlu_heldout.yml"], OUT / "heldout")
    oof = out_of_fold_lines()
    figures = redteam_figures()
    dev = [f for f in figures if not f.sealed]
    sealed = [f for f in figures if f.sealed]
    summary = f"""# Evaluation summary

## NLU: 5-fold cross-validation (data/nlu)
Accuracy {cv["accuracy"]:.1%}, weighted F1 {cv["weighted avg"]["f1-score"]:.3f}.
Images: [confusion matrix](cv/intent_confusion_matrix.png), [confidence histogram](cv/intent_histogram.png).

{intent_table(cv)}

## NLU: held-out set (tests/nlu_heldout.yml, never trained on)
Accuracy {heldout["accuracy"]:.1%}, weighted F1 {heldout["weighted avg"]["f1-score"]:.3f}.
Images: [confusion matrix](heldout/intent_confusion_matrix.png), [confidence histogram](heldout/intent_histogram.png).

{intent_table(heldout)}

## Safety screen, dev figures
Out-of-fold, on the safety corpus (the thresholds are chosen from these):
{chr(10).join("- " + line for line in oof)}

Dev sets over REST, real servers (read while the screen was built, and the sealed sets exhausted by reading their misses):
{chr(10).join("- " + line for f in dev for line in f.lines())}

Their misses:
{chr(10).join("- " + miss for f in dev for miss in f.misses()) or "- none"}

## Safety screen, sealed sets (tests/sealed_v*/, written blind, never tuned on)
{chr(10).join("- " + line for f in sealed for line in f.lines())}

## Content audit
{content.review_table(content.load_domain())}
"""
    (OUT / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
