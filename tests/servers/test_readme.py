"""The README's example conversation is what the assistant really says."""

import re
import uuid
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def example_turns():
    """[(user message, [bot lines]), ...] from the README's example block."""
    block = README.read_text(encoding="utf-8").split("## Example conversation", 1)[1]
    block = re.search(r"```text\n(.*?)```", block, re.S).group(1)
    turns = []
    for line in block.splitlines():
        speaker, _, said = line.partition(": ")
        if speaker == "You":
            turns.append((said, []))
        elif speaker == "Bot":
            turns[-1][1].append(said)
    return turns


def test_readme_example_matches_the_real_replies(assistant):
    sender = uuid.uuid4().hex
    turns = example_turns()
    assert len(turns) >= 5
    for message, expected in turns:
        replies = assistant.texts(message, sender)
        assert len(replies) == len(expected), (message, replies)
        for shown, real in zip(expected, replies, strict=True):
            if shown.endswith("…"):
                assert real.startswith(shown[:-1]), (shown, real)
            else:
                assert real == shown, (shown, real)
