"""The load test's simulated people (make load, tools/load.py): each one a conversation of
its own, pausing to read between messages, as people on the widget do."""

import random
import uuid

from locust import HttpUser, between, task

# What people ask, in the proportions of a realistic session (topics most, a dosing
# request, an interaction question with its follow-up, small talk).
TOPICS = [
    "what is kratom",
    "is kratom addictive",
    "what are the withdrawal symptoms",
    "is kratom legal in the uk",
    "can kratom show up on a drug test",
    "is it safe during pregnancy",
    "what are the risks of kratom",
    "how do I get help to stop",
    "are red strains stronger",
    "what is 7-oh",
]


class Person(HttpUser):
    wait_time = between(2, 6)  # reading the answer

    def on_start(self) -> None:
        self.sender = uuid.uuid4().hex
        self.say("hi")

    def say(self, text: str) -> None:
        with self.client.post(
            "/webhooks/rest/webhook", json={"sender": self.sender, "message": text}, name="message", catch_response=True
        ) as response:
            replies = response.json() if response.status_code == 200 else None
            if not replies or not all(r.get("text") for r in replies):
                response.failure(f"status {response.status_code}, no reply")

    @task(6)
    def topic(self) -> None:
        self.say(random.choice(TOPICS))

    @task(2)
    def interaction_and_follow_up(self) -> None:
        self.say("can I take kratom with my antidepressant")
        self.say("what about with alcohol?")

    @task(1)
    def dosing(self) -> None:
        self.say("how many grams should I take")

    @task(1)
    def thanks(self) -> None:
        self.say("thanks")
