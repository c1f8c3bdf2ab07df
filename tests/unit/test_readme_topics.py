"""The README's topic table lists every topic of the contract."""

import re

from tests.conftest import ROOT
from tools.content_audit import topic_intents


def test_the_readme_lists_every_topic():
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Topics", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`(ask_\w+)`", section))
    assert set(topic_intents()) <= listed, sorted(set(topic_intents()) - listed)
