"""Fuzz the REST webhook of the real server for a bounded number of requests: whatever
arrives, the answer is a 200 with replies or a 400 with a reason, never a 500 or a hang."""

import uuid

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
# Any text, including control characters, emoji, right-to-left scripts and lone markup.
MESSAGES = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["", " ", "<script>alert(1)</script>", "/ask_risks", '/nonexistent{"a":', "\u202e kratom", "🌿" * 50]
)
BODIES = (
    st.fixed_dictionaries({"sender": st.text(min_size=1, max_size=40) | JSON_VALUES, "message": MESSAGES | JSON_VALUES})
    | JSON_VALUES
)
BOUNDED = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def is_valid(body) -> bool:
    return (
        isinstance(body, dict)
        and isinstance(body.get("sender"), str)
        and body["sender"].strip() != ""
        and len(body["sender"]) <= 128
        and isinstance(body.get("message"), str)
    )


@BOUNDED
@given(body=BODIES)
def test_any_json_body_gets_replies_or_a_reason(assistant, body):
    if isinstance(body, dict) and isinstance(body.get("sender"), str):
        body["sender"] = body["sender"] + uuid.uuid4().hex[:6]  # conversations of their own
    answer = requests.post(f"{assistant.url}/webhooks/rest/webhook", json=body, timeout=20)
    if is_valid(body):
        assert answer.status_code == 200, answer.text
        assert answer.json() and all(r.get("text") for r in answer.json())
    else:
        assert answer.status_code == 400, answer.text
        assert answer.json()["message"]


@BOUNDED
@given(
    raw=st.binary(max_size=400),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
    ),
)
def test_any_bytes_get_an_answer_never_a_500(assistant, raw, content_type):
    answer = requests.post(
        f"{assistant.url}/webhooks/rest/webhook", data=raw, timeout=20, headers={"Content-Type": content_type}
    )
    assert answer.status_code in (200, 400), answer.text
