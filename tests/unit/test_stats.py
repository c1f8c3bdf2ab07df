"""`make stats` (tools/stats.py) counts per day from the conversation store, exactly, and
never reads or shows a message's text or a sender id."""

import asyncio
import http.client
import re
import threading
import tokenize
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from kratom_assistant.stores.tracker_store import ConversationStore
from tools import stats

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, ask_withdrawal, ask_dosing, ask_risks, ask_7oh, express_self_harm, report_emergency,
          nlu_fallback, other_language]
responses:
  utter_greet: [{text: hi}]
"""
)
SECRET_TEXT = "zebrawords"  # in every message people send
SECRET_SENDER = "quokkaid"  # in every sender id
NOW = datetime.now(timezone.utc)
TODAY = datetime(NOW.year, NOW.month, NOW.day, tzinfo=timezone.utc)


def at(days_ago: int, seconds: int) -> float:
    """A time `days_ago` UTC days before today, `seconds` after its midnight."""
    return (TODAY - timedelta(days=days_ago) + timedelta(seconds=seconds)).timestamp()


def said(intent, when, *actions):
    """A message with `intent` at `when`, then the actions that answered it."""
    events = [UserUttered(f"{SECRET_TEXT} {intent} {when}", {"name": intent, "confidence": 1.0}, timestamp=when)]
    for n, action in enumerate(actions, start=1):
        events += [ActionExecuted(action, timestamp=when + n), BotUttered(f"{SECRET_TEXT} reply", timestamp=when + n)]
    return events + [ActionExecuted("action_listen", timestamp=when + len(actions) + 1)]


CONVERSATIONS = {
    # Yesterday: a topic, a refusal, one crisis reply (the action and its numbers count once);
    # today: the crisis numbers alone (action server down) and the topic again.
    "a": said("ask_withdrawal", at(1, 100), "utter_withdrawal")
    + said("ask_dosing", at(1, 200), "action_refuse_dosing", "utter_dosing_refusal", "utter_dosing_harm_reduction")
    + said("express_self_harm", at(1, 300), "action_crisis_support", "utter_self_harm_support", "utter_help_lines")
    + said("report_emergency", at(0, 100), "utter_emergency_numbers", "utter_first_aid")
    + said("ask_withdrawal", at(0, 200), "utter_withdrawal"),
    # Yesterday only: say it another way, another language, a topic; one message late at night.
    "b": said("nlu_fallback", at(1, 1000), "utter_rephrase")
    + said("other_language", at(1, 2000), "utter_other_language")
    + said("ask_risks", at(1, 86000), "utter_risks"),
    # Today: a topic twice, a refusal; and an emergency with action and numbers, counted once.
    "c": said("ask_7oh", at(0, 300), "utter_7oh")
    + said("ask_7oh", at(0, 400), "utter_7oh")
    + said("ask_dosing", at(0, 500), "action_refuse_dosing", "utter_dosing_refusal")
    + said("report_emergency", at(0, 600), "action_crisis_support", "utter_emergency_numbers"),
    # Forty days ago: outside the default 30 days.
    "d": said("ask_risks", at(40, 100), "utter_risks") + said("ask_dosing", at(40, 200), "action_refuse_dosing"),
    # Today, a session started but nothing said: not a conversation.
    "e": [ActionExecuted("action_session_start", timestamp=at(0, 50)), SessionStarted(timestamp=at(0, 51))],
    # Two days ago: a greeting only (a conversation, no topic).
    "f": said("greet", at(2, 100), "utter_greet"),
}
YESTERDAY = {"conversations": 2, "dosing": 1, "crisis": 1, "rephrase": 1, "other_language": 1}
TODAY_COUNTS = {"conversations": 2, "dosing": 1, "crisis": 2, "rephrase": 0, "other_language": 0}
TWO_DAYS_AGO = {"conversations": 1, "dosing": 0, "crisis": 0, "rephrase": 0, "other_language": 0}
TOPICS_YESTERDAY = {"ask_withdrawal": 1, "ask_dosing": 1, "ask_risks": 1}
TOPICS_TODAY = {"ask_withdrawal": 1, "ask_7oh": 2, "ask_dosing": 1}


def sender(key: str) -> str:
    return f"web-{SECRET_SENDER}-{key}"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("stats") / "conversations.db"
    store = ConversationStore(DOMAIN, dialect="sqlite", db=str(path))
    for key, events in CONVERSATIONS.items():
        tracker = DialogueStateTracker(sender(key), DOMAIN.slots)
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))
    store.engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture
def statements():
    """Every SQL statement any engine runs meanwhile."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def run(capsys, *args):
    assert stats.main(list(args)) == 0
    return capsys.readouterr().out


def day(days_ago: int) -> str:
    return str((TODAY - timedelta(days=days_ago)).date())


def table_row(out: str, label: str):
    (line,) = [line for line in out.splitlines() if line.startswith(label + " ")]
    return [int(cell) for cell in line.split()[-5:]]


def columns(counts):
    return [counts[key] for key, _ in stats.COLUMNS]


@pytest.mark.filterwarnings("ignore")
def test_counts_per_day_and_topic_are_exact(db):
    result = stats.collect(db, 30)
    assert result.stored and len(result.days) == 30 and result.days[-1] == TODAY.date()
    assert dict(result.daily[TODAY.date()]) == {k: v for k, v in TODAY_COUNTS.items() if v}
    assert dict(result.daily[(TODAY - timedelta(days=1)).date()]) == {k: v for k, v in YESTERDAY.items() if v}
    assert dict(result.daily[(TODAY - timedelta(days=2)).date()]) == {"conversations": 1}
    assert all(not result.daily[d] for d in result.days[:-3])
    assert dict(result.topics_daily[TODAY.date()]) == TOPICS_TODAY
    assert dict(result.topics_daily[(TODAY - timedelta(days=1)).date()]) == TOPICS_YESTERDAY
    assert dict(result.topics) == {"ask_withdrawal": 2, "ask_dosing": 2, "ask_7oh": 2, "ask_risks": 1}
    assert result.conversations == 4  # a, b, c, f; d is older, e said nothing
    # Forty days back takes in d.
    longer = stats.collect(db, 41)
    assert longer.conversations == 5 and longer.topics["ask_risks"] == 2 and longer.total("dosing") == 3


@pytest.mark.filterwarnings("ignore")
def test_reports_show_the_counts_and_never_the_words_or_the_senders(db, tmp_path, capsys, statements):
    out = run(capsys, "--db", db, "--out", str(tmp_path / "report"))
    assert table_row(out, day(0)) == columns(TODAY_COUNTS)
    assert table_row(out, day(1)) == columns(YESTERDAY)
    assert table_row(out, day(2)) == columns(TWO_DAYS_AGO)
    assert table_row(out, day(3)) == [0, 0, 0, 0, 0]
    assert table_row(out, "all days") == [4, 2, 3, 1, 1]
    topics = out.split("Top topics")[1]
    for name, count in {"ask_withdrawal": 2, "ask_dosing": 2, "ask_7oh": 2, "ask_risks": 1}.items():
        assert re.search(rf"^\s+{name}\s+{count}$", topics, re.M)
    assert "greet" not in topics and "nlu_fallback" not in topics

    markdown = (tmp_path / "report" / "stats.md").read_text()
    page = (tmp_path / "report" / "index.html").read_text()
    png = (tmp_path / "report" / "stats.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR" and len(png) > 10_000
    assert f"| {day(1)} | 2 | 1 | 1 | 1 | 1 |" in markdown and "| `ask_7oh` | 2 |" in markdown
    assert f"<td>{day(0)}</td><td>2</td><td>1</td><td>2</td><td>0</td><td>0</td>" in page
    assert '<img src="stats.png"' in page
    for shown in (out, markdown, page, png.decode("latin-1")):
        assert SECRET_TEXT not in shown and SECRET_SENDER not in shown and "web-" not in shown

    # The SQL it ran never names the column that holds people's words, nor selects everything.
    assert any("FROM events" in s for s in statements)
    for statement in statements:
        assert not re.search(r"\bdata\b", statement, re.I), statement
        assert not re.search(r"select\s+(\w+\.)?\*", statement, re.I), statement


def test_the_module_never_names_the_data_column():
    # No name or string in its code (its docstring and comments aside) is `data`: the column
    # can be neither declared, nor selected, nor written into an SQL string.
    with open(stats.__file__, "rb") as source:
        tokens = list(tokenize.tokenize(source.readline))
    docstring = next(t for t in tokens if t.type == tokenize.STRING)
    code = [t.string for t in tokens if t.type in (tokenize.NAME, tokenize.STRING) and t is not docstring]
    assert "select" in code and not [t for t in code if re.search(r"\bdata\b", t)]
    assert not [t for t in code if re.search(r"select\s+\*|\.\*", t, re.I)]
    assert {c.name for c in stats.EVENTS.c} == {
        "id",
        "sender_id",
        "type_name",
        "timestamp",
        "intent_name",
        "action_name",
    }


def test_a_missing_database_is_reported_and_never_created(tmp_path, capsys):
    missing = tmp_path / "var" / "conversations.db"
    out = run(capsys, "--db", f"sqlite:///{missing}", "--out", str(tmp_path / "report"), "--days", "7")
    assert stats.NOTHING_STORED in out and table_row(out, "all days") == [0, 0, 0, 0, 0]
    assert not missing.exists() and not missing.parent.exists()
    assert stats.NOTHING_STORED in (tmp_path / "report" / "index.html").read_text()
    assert (tmp_path / "report" / "stats.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.filterwarnings("ignore")
def test_an_empty_database_is_reported(tmp_path, capsys):
    path = tmp_path / "conversations.db"
    ConversationStore(DOMAIN, dialect="sqlite", db=str(path)).engine.dispose()  # the tables, no events
    out = run(capsys, "--db", f"sqlite:///{path}", "--out", str(tmp_path / "report"))
    assert stats.NOTHING_STORED in out
    empty_file = tmp_path / "empty.db"
    empty_file.touch()  # not even the table
    out = run(capsys, "--db", f"sqlite:///{empty_file}", "--out", str(tmp_path / "report"))
    assert stats.NOTHING_STORED in out


@pytest.mark.filterwarnings("ignore")
def test_the_page_serves_only_its_two_files(db, tmp_path):
    out = tmp_path / "report"
    stats.write_reports(stats.collect(db, 30), out)
    server = stats.make_server(db, 30, out, port=0)
    assert server.server_address[0] == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:

        def get(path):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            return response.status, response.getheader("Content-Type"), body

        status, kind, body = get("/")
        assert status == 200 and kind.startswith("text/html") and b"crisis replies" in body
        assert SECRET_TEXT.encode() not in body and SECRET_SENDER.encode() not in body
        status, kind, body = get("/stats.png")
        assert status == 200 and kind == "image/png" and body.startswith(b"\x89PNG")
        for path in ("/../etc/passwd", "/x", "/stats.md", "/index.html/../stats.md", "//etc/passwd", "/?x=1"):
            status, _, body = get(path)
            assert status == 404 and b"root:" not in body, path
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
