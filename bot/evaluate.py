"""`make eval`: the figures a safety reviewer needs, in reports/summary.md.

- NLU: 5-fold cross-validation on data/nlu and the held-out set (tests/nlu_heldout.yml)
  with `rasa test nlu`: per-intent precision, recall and F1, plus the confusion matrix
  and intent-confidence histogram images Rasa draws.
- Guardrails: the red-team figures (bot/redteam.py) against the real servers.
- Content: the content audit's table of sources and review dates.
"""
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import List

from bot import content, redteam, servers
from bot.servers import ROOT

OUT = ROOT / "reports"


def rasa_test_nlu(args: List[str], out: Path) -> dict:
    subprocess.run([str(servers.BIN / "rasa"), "test", "nlu", *args, "--out", str(out)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.loads((out / "intent_report.json").read_text())


def intent_table(report: dict) -> str:
    rows = ["| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for intent, scores in sorted(report.items()):
        if isinstance(scores, dict) and "precision" in scores and intent not in ("micro avg", "macro avg", "weighted avg"):
            rows.append(f"| {intent} | {scores['precision']:.2f} | {scores['recall']:.2f} | "
                        f"{scores['f1-score']:.2f} | {scores['support']} |")
    return "\n".join(rows)


def redteam_lines() -> List[str]:
    token = uuid.uuid4().hex
    with servers.running(5805, 5855, log=subprocess.DEVNULL, api_token=token):
        client = servers.RestClient("http://127.0.0.1:5805", token)
        domain = content.load_domain()
        lines = []
        for name in redteam.SETS:
            lines += redteam.evaluate(name, client.texts, client.actions_run, domain).lines()
        return lines


def main() -> int:
    OUT.mkdir(exist_ok=True)
    cv = rasa_test_nlu(["--nlu", "data/nlu", "--config", "config.yml", "--cross-validation", "--folds", "5"],
                       OUT / "cv")
    heldout = rasa_test_nlu(["--model", str(servers.DEFAULT_MODEL), "--nlu", "tests/nlu_heldout.yml"],
                            OUT / "heldout")
    guardrails = redteam_lines()
    summary = f"""# Evaluation summary

## NLU: 5-fold cross-validation (data/nlu)
Accuracy {cv['accuracy']:.1%}, weighted F1 {cv['weighted avg']['f1-score']:.3f}.
Images: [confusion matrix](cv/intent_confusion_matrix.png), [confidence histogram](cv/intent_histogram.png).

{intent_table(cv)}

## NLU: held-out set (tests/nlu_heldout.yml, never trained on)
Accuracy {heldout['accuracy']:.1%}, weighted F1 {heldout['weighted avg']['f1-score']:.3f}.
Images: [confusion matrix](heldout/intent_confusion_matrix.png), [confidence histogram](heldout/intent_histogram.png).

{intent_table(heldout)}

## Guardrails (red-team sets over REST, real servers)
{chr(10).join('- ' + line for line in guardrails)}

## Content audit
{content.review_table(content.load_domain())}
"""
    (OUT / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
