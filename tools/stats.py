"""`make stats`: an operator's view of the conversation store without reading anyone's words.

    python -m tools.stats [--db URL] [--days N] [--out DIR] [--serve] [--port P]

Counts per day (UTC) over the last N days (default 30): conversations (people who sent at
least one message that day), dosing refusals, crisis replies, "say it another way"
replies and messages in other languages, and the topics asked (the `ask_*` intents).
Prints a table, and writes DIR/stats.md, DIR/stats.png (a chart made with matplotlib)
and DIR/index.html (default DIR: reports/stats). --db takes an SQLAlchemy URL, as
`make purge` does (default: the SQLite file of `make run`, or CONVERSATIONS_DB); a
missing SQLite file is never created.

It never reads message text: the only columns it selects from Rasa's `events` table are
sender_id, type_name, timestamp, intent_name and action_name (and orders by the row id).
The `data` column, which holds people's words, is not even declared here. Sender ids are
only counted, never printed or written.

--serve then shows the page on http://127.0.0.1:P/ (default port 8081, never another
interface): exactly two fixed paths, `/` (index.html) and `/stats.png`, and 404 for
anything else. The files are regenerated at start and on each request for the page.
Off unless asked.
"""

import argparse
import html
import http.server
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import sqlalchemy as sa

from tools.purge import DEFAULT_DB
from tools.servers import ROOT

DEFAULT_DAYS = 30
DEFAULT_OUT = ROOT / "reports" / "stats"
DEFAULT_PORT = 8081
HOST = "127.0.0.1"
NOTHING_STORED = "no conversations stored yet"

# Rasa's SQL tracker store table, declared with only the columns read here (not `data`).
EVENTS = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("intent_name"),
    sa.column("action_name"),
)
USER = "user"
ACTION = "action"
# Only intent names of this form are shown (Rasa keeps only the domain's intents, and this
# keeps anything else out of the report).
TOPIC = re.compile(r"ask_[a-z0-9_]+")

# The daily columns: key, heading, and the actions that count as one such reply. A reply
# is counted once per message it answers (a crisis reply runs action_crisis_support and
# sends the numbers; without the action server only the numbers go out).
REPLIES = {
    "dosing": ("dosing refusals", {"action_refuse_dosing"}),
    "crisis": ("crisis replies", {"action_crisis_support", "utter_emergency_numbers", "utter_self_harm_support"}),
    "rephrase": ("say it another way", {"utter_rephrase"}),
    "other_language": ("other languages", {"utter_other_language"}),
}
COLUMNS = [("conversations", "conversations")] + [(key, heading) for key, (heading, _) in REPLIES.items()]
KIND_OF_ACTION = {action: key for key, (_, actions) in REPLIES.items() for action in actions}

ANY_USER_MESSAGE = sa.select(EVENTS.c.type_name).where(EVENTS.c.type_name == USER).limit(1)
PERIOD_EVENTS = (
    sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.intent_name, EVENTS.c.action_name)
    .where(
        EVENTS.c.timestamp >= sa.bindparam("start"),
        EVENTS.c.timestamp < sa.bindparam("end"),
        sa.or_(
            EVENTS.c.type_name == USER,
            sa.and_(EVENTS.c.type_name == ACTION, EVENTS.c.action_name.in_(sorted(KIND_OF_ACTION))),
        ),
    )
    .order_by(EVENTS.c.sender_id, EVENTS.c.id)
)


@dataclass
class Stats:
    days: List[date]
    stored: bool = False  # any conversation at all in the store
    daily: Dict[date, Counter] = field(default_factory=dict)  # day -> column key -> count
    topics_daily: Dict[date, Counter] = field(default_factory=dict)  # day -> topic -> count
    conversations: int = 0  # distinct people over the whole period

    @property
    def topics(self) -> Counter:
        total = Counter()
        for counts in self.topics_daily.values():
            total.update(counts)
        return total

    def total(self, key: str) -> int:
        if key == "conversations":
            return self.conversations
        return sum(counts[key] for counts in self.daily.values())


def period(days: int, now: Optional[float] = None) -> List[date]:
    """The last `days` UTC days, oldest first, today included."""
    today = datetime.fromtimestamp(now if now is not None else datetime.now(timezone.utc).timestamp(), timezone.utc)
    return [today.date() - timedelta(days=n) for n in range(days - 1, -1, -1)]


def _epoch(day: date) -> float:
    return datetime.combine(day, time(), timezone.utc).timestamp()


def _day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, timezone.utc).date()


def collect(db_url: str, days: int = DEFAULT_DAYS, now: Optional[float] = None) -> Stats:
    """The counts of the last `days` UTC days from the store at `db_url` (SQLAlchemy URL)."""
    stats = Stats(days=period(days, now))
    stats.daily = {day: Counter() for day in stats.days}
    stats.topics_daily = {day: Counter() for day in stats.days}
    url = sa.engine.make_url(db_url)
    if url.drivername.startswith("sqlite") and not (url.database and Path(url.database).is_file()):
        return stats  # `make run` has not stored anything yet (and this must not create the file)
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table("events"):
            return stats
        with engine.connect() as connection:
            stats.stored = connection.execute(ANY_USER_MESSAGE).first() is not None
            if not stats.stored:
                return stats
            bounds = {"start": _epoch(stats.days[0]), "end": _epoch(stats.days[-1] + timedelta(days=1))}
            _count(stats, connection.execution_options(stream_results=True).execute(PERIOD_EVENTS, bounds))
    finally:
        engine.dispose()
    return stats


def _count(stats: Stats, rows) -> None:
    """Rows come ordered by person, then as stored. A reply belongs to the message before it
    (the turn), and each kind of reply is counted once per turn, on the day it was sent."""
    current = None  # the person whose rows these are; only compared, never kept or shown
    days_seen = set()  # the days this person sent a message
    turn = 0  # the person's messages so far
    counted = set()  # (turn, kind) already counted
    for sender_id, type_name, timestamp, intent_name, action_name in rows:
        if timestamp is None:
            continue
        if sender_id != current:
            current, turn, counted = sender_id, 0, set()
            if days_seen:
                stats.conversations += 1
            days_seen = set()
        day = _day(timestamp)
        if day not in stats.daily:
            continue
        if type_name == USER:
            turn += 1
            if day not in days_seen:
                days_seen.add(day)
                stats.daily[day]["conversations"] += 1
            if intent_name and TOPIC.fullmatch(intent_name):
                stats.topics_daily[day][intent_name] += 1
        else:
            kind = KIND_OF_ACTION.get(action_name)
            if kind and (turn, kind) not in counted:
                counted.add((turn, kind))
                stats.daily[day][kind] += 1
    if days_seen:
        stats.conversations += 1


# --------------------------------------------------------------------------- reports
def _title(stats: Stats) -> str:
    return f"Conversation statistics, {stats.days[0]} to {stats.days[-1]} (UTC, {len(stats.days)} days)"


def _status(stats: Stats) -> Optional[str]:
    if not stats.stored:
        return NOTHING_STORED
    if not stats.conversations:
        return f"no conversations in the last {len(stats.days)} days"
    return None


def _rows(stats: Stats) -> List[List[str]]:
    rows = [[str(day)] + [str(stats.daily[day][key]) for key, _ in COLUMNS] for day in stats.days]
    return rows + [["all days"] + [str(stats.total(key)) for key, _ in COLUMNS]]


NOTE = (
    "Conversations: people who sent at least one message that day (the all-days row counts "
    "each person once). Replies are counted once per message answered. "
    "No message text or sender id is read."
)


def text_report(stats: Stats, top: int = 10) -> str:
    lines = [_title(stats), ""]
    status = _status(stats)
    if status:
        lines += [status, ""]
    headings = ["day"] + [heading for _, heading in COLUMNS]
    rows = _rows(stats)
    widths = [max(len(row[i]) for row in [headings] + rows) for i in range(len(headings))]
    lines.append("  ".join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(headings)))
    for row in rows:
        lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)))
    lines += ["", f"Top topics asked (ask_* intents) over the {len(stats.days)} days:"]
    topics = stats.topics.most_common(top)
    if not topics:
        lines.append("  none")
    width = max((len(name) for name, _ in topics), default=0)
    lines += [f"  {name.ljust(width)}  {count}" for name, count in topics]
    lines += ["", NOTE]
    return "\n".join(lines) + "\n"


def _topics_of_day(counts: Counter) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def markdown_report(stats: Stats) -> str:
    lines = [f"# {_title(stats)}", ""]
    status = _status(stats)
    if status:
        lines += [f"**{status}**", ""]
    headings = ["day"] + [heading for _, heading in COLUMNS]
    lines += ["| " + " | ".join(headings) + " |", "|" + "---|" + "---:|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(stats)]
    lines += ["", "![daily counts and topics](stats.png)", "", "## Topics asked", ""]
    topics = stats.topics.most_common()
    lines += ["| topic | questions |", "|---|---:|"] + [f"| `{name}` | {count} |" for name, count in topics]
    if not topics:
        lines.append("| none | 0 |")
    lines += ["", "## Topics per day", ""]
    busy = [day for day in stats.days if stats.topics_daily[day]]
    lines += ["| day | topics |", "|---|---|"] + [
        f"| {day} | {_topics_of_day(stats.topics_daily[day])} |" for day in busy
    ]
    if not busy:
        lines.append("| none | |")
    lines += ["", NOTE]
    return "\n".join(lines) + "\n"


def html_report(stats: Stats) -> str:
    e = html.escape
    status = _status(stats)
    head = "".join(f"<th>{e(h)}</th>" for h in ["day"] + [heading for _, heading in COLUMNS])
    body = "\n".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in _rows(stats))
    topics = "\n".join(f"<tr><td>{e(name)}</td><td>{count}</td></tr>" for name, count in stats.topics.most_common())
    per_day = "\n".join(
        f"<tr><td>{day}</td><td>{e(_topics_of_day(stats.topics_daily[day]))}</td></tr>"
        for day in stats.days
        if stats.topics_daily[day]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(_title(stats))}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: .25em .6em; }}
td + td, th + th {{ text-align: right; }}
tr:last-child td {{ font-weight: bold; }}
img {{ max-width: 100%; }}
</style></head>
<body>
<h1>{e(_title(stats))}</h1>
{f"<p><strong>{e(status)}</strong></p>" if status else ""}
<table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table>
<p><img src="stats.png" alt="chart of the daily counts and of the topics asked"></p>
<h2>Topics asked</h2>
<table><thead><tr><th>topic</th><th>questions</th></tr></thead><tbody>
{topics or "<tr><td>none</td><td>0</td></tr>"}
</tbody></table>
<h2>Topics per day</h2>
<table><thead><tr><th>day</th><th>topics</th></tr></thead><tbody>
{per_day or "<tr><td>none</td><td></td></tr>"}
</tbody></table>
<p>{e(NOTE)}</p>
</body></html>
"""


def chart(stats: Stats, path: Path, top: int = 15) -> None:
    """Daily counts (above) and the most asked topics (below), as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(10, 8), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    daily, topics = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    positions = list(range(len(stats.days)))
    for key, heading in COLUMNS:
        daily.plot(positions, [stats.daily[day][key] for day in stats.days], marker="o", markersize=3, label=heading)
    daily.set_title(_title(stats))
    daily.set_ylabel("per day")
    highest = max((stats.daily[day][key] for day in stats.days for key, _ in COLUMNS), default=0)
    daily.set_ylim(0, max(highest, 1) * 1.05)
    daily.yaxis.set_major_locator(MaxNLocator(integer=True))
    ticks = positions[:: -(-len(positions) // 12)]  # at most 12 labelled days
    daily.set_xticks(ticks, [str(stats.days[i]) for i in ticks])
    daily.set_xlim(-0.5, len(positions) - 0.5)
    daily.tick_params(axis="x", labelrotation=30)
    daily.grid(alpha=0.3)
    daily.legend(loc="upper left", fontsize="small")
    status = _status(stats)
    if status:
        daily.text(0.5, 0.5, status, transform=daily.transAxes, ha="center", va="center", fontsize="large")
    most = stats.topics.most_common(top)[::-1]
    topics.barh([name for name, _ in most], [count for _, count in most], color="#4c72b0")
    topics.set_title(
        f"Topics asked over the {len(stats.days)} days" + (f" (top {top})" if len(stats.topics) > top else "")
    )
    topics.xaxis.set_major_locator(MaxNLocator(integer=True))
    topics.tick_params(axis="y", labelsize="small")
    if not most:
        topics.text(0.5, 0.5, "none", transform=topics.transAxes, ha="center", va="center")
        topics.set_xticks([])
        topics.set_yticks([])
    figure.savefig(path, format="png", metadata={"Software": None})


def write_reports(stats: Stats, out: Path) -> Dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"md": out / "stats.md", "png": out / "stats.png", "html": out / "index.html"}
    paths["md"].write_text(markdown_report(stats), encoding="utf-8")
    chart(stats, paths["png"])
    paths["html"].write_text(html_report(stats), encoding="utf-8")
    return paths


# --------------------------------------------------------------------------- the page
def make_server(db_url: str, days: int, out: Path, port: int = DEFAULT_PORT) -> http.server.HTTPServer:
    """A read-only page on 127.0.0.1: `/` (index.html, regenerated on each request) and
    `/stats.png`; 404 for anything else. One request at a time."""
    page = (out / "index.html", "text/html; charset=utf-8")
    files = {"/": page, "/index.html": page, "/stats.png": (out / "stats.png", "image/png")}

    class Page(http.server.BaseHTTPRequestHandler):
        server_version = "stats"
        sys_version = ""

        def do_GET(self) -> None:
            self._reply(send_body=True)

        def do_HEAD(self) -> None:
            self._reply(send_body=False)

        def _reply(self, send_body: bool) -> None:
            target = files.get(self.path)  # exact paths only: no query, no file names from the request
            if target is None:
                self._send(404, b"not found\n", "text/plain; charset=utf-8", send_body)
                return
            path, content_type = target
            try:
                if content_type.startswith("text/html"):
                    write_reports(collect(db_url, days), out)
                body = path.read_bytes()
            except Exception as error:  # the kind goes to the log, never details or the page
                self.log_error("stats: %s", type(error).__name__)
                self._send(500, b"statistics unavailable\n", "text/plain; charset=utf-8", send_body)
                return
            self._send(200, body, content_type, send_body)

        def _send(self, status: int, body: bytes, content_type: str, send_body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, fmt: str, *args) -> None:
            sys.stderr.write(f"stats page: {fmt % args}\n")

    return http.server.HTTPServer((HOST, port), Page)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB, help="SQLAlchemy URL of the conversation store")
    parser.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"days back, today included (default {DEFAULT_DAYS})"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write stats.md, stats.png, index.html")
    parser.add_argument("--serve", action="store_true", help="then serve the page on 127.0.0.1 (off by default)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    stats = collect(args.db, args.days)
    print(text_report(stats), end="")
    paths = write_reports(stats, args.out)
    print(f"\nstats: wrote {paths['md']}, {paths['png']} and {paths['html']}")
    if args.serve:
        server = make_server(args.db, args.days, args.out, args.port)
        print(f"stats: page on http://{HOST}:{server.server_address[1]}/ (Ctrl-C stops it)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
