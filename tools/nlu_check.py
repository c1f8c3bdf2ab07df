"""Intent accuracy of a trained model on a held-out NLU file (tests/nlu_heldout.yml).

`python -m tools.nlu_check [MODEL] [HELDOUT]` prints the accuracy and every miss. The
held-out messages are never used for training; make test asserts the accuracy.
"""

import asyncio
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.log_utils import configure_structlog

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "nlu_heldout.yml"
MODEL = ROOT / "models" / "current.tar.gz"


@dataclass
class Miss:
    text: str
    expected: str
    predicted: str
    confidence: float


def load_heldout(path: Path = HELDOUT) -> List[Tuple[str, str]]:
    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


async def parse_all(agent: Agent, texts: List[str]) -> List[dict]:
    return [await agent.parse_message(text) for text in texts]


def evaluate(agent: Agent, examples: List[Tuple[str, str]]) -> Tuple[float, List[Miss]]:
    parsed = asyncio.run(parse_all(agent, [text for text, _ in examples]))
    misses = [
        Miss(text, expected, p["intent"]["name"], p["intent"].get("confidence", 0.0))
        for (text, expected), p in zip(examples, parsed, strict=True)
        if p["intent"]["name"] != expected
    ]
    return 1 - len(misses) / len(examples), misses


def main() -> None:
    configure_structlog(logging.WARNING)
    model = Path(sys.argv[1]) if len(sys.argv) > 1 else MODEL
    heldout = Path(sys.argv[2]) if len(sys.argv) > 2 else HELDOUT
    examples = load_heldout(heldout)
    accuracy, misses = evaluate(Agent.load(str(model)), examples)
    for miss in misses:
        print(f"  {miss.expected:>24} -> {miss.predicted:<24} {miss.confidence:.2f}  {miss.text}")
    print(f"held-out intent accuracy: {accuracy:.1%} ({len(examples) - len(misses)}/{len(examples)})")


if __name__ == "__main__":
    main()
