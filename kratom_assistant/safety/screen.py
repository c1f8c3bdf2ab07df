"""The safety screen: a Rasa NLU component that decides, for every message, whether it is
a crisis, a dosing request, off-topic or neither, apart from the topic classifier.

Each decision comes from the reviewed patterns (kratom_assistant/safety/patterns.yml) and from the
screen's own binary models (kratom_assistant/safety/models.py, trained on data/safety/ by
`rasa train`). Crisis wins every tie: a message that reports an amount taken and
feeling unwell is a crisis, never a refusal. The screen overrides the topic classifier:
a safety intent stands only when the screen agrees, so "how many hours does it last"
is not refused because the classifier once saw "how many".

It also
- flags the uncertain middle (a crisis score between "clearly not" and the crisis
  threshold): the answer then carries one curated line with emergency and crisis
  numbers (kratom_assistant/safety/net_policy.py);
- identifies the language (kratom_assistant/nlu/language.py) and emits it as the `language` entity,
  which fills the slot that selects curated replies in Spanish, Portuguese, French or
  German; a message in one of those that is neither a crisis nor a dosing request gets
  the intent `other_language`.

What it decided is recorded under `safety_screen` in the parse result.
"""

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kratom_assistant.nlu import language
from kratom_assistant.safety import models as safety_models
from kratom_assistant.safety import patterns as safety_patterns
from kratom_assistant.stored_component import StoredComponent

logger = logging.getLogger(__name__)

SCREEN_KEY = "safety_screen"
LANGUAGE_ENTITY = "language"
OTHER_LANGUAGE = "other_language"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
SAFETY_INTENTS = {safety_patterns.SELF_HARM, safety_patterns.EMERGENCY, safety_patterns.DOSING}

# How the NLU training examples join the screen's corpora.
NLU_LABELS = {
    safety_patterns.DOSING: "dosing",
    safety_patterns.SELF_HARM: "self_harm",
    safety_patterns.EMERGENCY: "emergency",
    OUT_OF_SCOPE: "offtopic",
}


def training_corpus(corpus_dir: Path, training_data: TrainingData) -> safety_models.Corpus:
    """The safety corpus plus the NLU examples, each under the screen's label for its intent
    (ordinary corpus messages that are also NLU examples are counted once)."""
    corpus = safety_models.read_corpus(corpus_dir)
    already = {text.lower() for text in corpus.texts}
    for example in training_data.intent_examples:
        text, intent = example.get(TEXT), example.get(INTENT)
        if text and intent and text.strip().lower() not in already:
            corpus.add([text], NLU_LABELS.get(intent, "ordinary"))
    return corpus


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SafetyScreen(StoredComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "corpus": "data/safety",  # read at training time only
            "fallback_threshold": 0.3,  # as the FallbackClassifier's, for demoted safety intents
            **{name: value for name, value in vars(safety_models.Settings()).items()},
        }

    def use(self, models: Optional[safety_models.SafetyModels]) -> None:
        """The trained models (none before training) and the reviewed patterns."""
        self.models = models
        self.patterns = safety_patterns.load()

    def _settings(self) -> safety_models.Settings:
        names = vars(safety_models.Settings()).keys()
        return safety_models.Settings(**{name: self.config[name] for name in names})

    def train(self, training_data: TrainingData) -> Resource:
        corpus = training_corpus(Path(self.config["corpus"]), training_data)
        self.models, oof = safety_models.train(corpus, self._settings())
        report = safety_models.recall_report(corpus, oof, self.models.thresholds)
        logger.info(
            "Safety screen trained on %s; thresholds %s; out-of-fold %s",
            {label: corpus.count(label) for label in safety_models.LABELS},
            self.models.thresholds,
            {name: round(value, 3) for name, value in report.items()},
        )
        return self.persist(self.models)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(TEXT):
                self._screen(message)
        return messages

    def decide(self, text: Text) -> Dict[Text, Any]:
        """What the screen makes of one message (also the record kept in the parse result)."""
        match = self.patterns.match(text)
        scores = self.models.scores([text])[0] if self.models else {}
        limits = self.models.thresholds if self.models else None
        record: Dict[Text, Any] = {
            "language": language.identify(text),
            "pattern": None,
            "kind": None,
            "net": False,
            "scores": {k: round(v, 4) for k, v in scores.items()},
        }
        crisis_by_model = limits is not None and scores["crisis"] >= limits.crisis
        pattern_crisis = match is not None and match.intent in safety_patterns.CRISIS_INTENTS
        over = (
            pattern_crisis and limits is not None and scores["crisis"] < limits.net and self.patterns.told_as_over(text)
        )
        eased = "over" if over else None
        if crisis_by_model and not pattern_crisis:
            eased = self._eased_model_crisis(text, scores)
        if eased:
            # A crisis told as over, which the models do not see as one now, or a message
            # only the models took for a crisis that names no danger sign (withdrawal
            # discomfort, a request to delete one's messages, dependence told in strong
            # words, a death idiom, a conversational reply): the answer, and the safety line
            # with crisis numbers.
            record.update(decision=None, pattern=match.pattern if over else None, eased=eased)
        elif pattern_crisis:
            record.update(decision=match.intent, pattern=match.pattern, kind=match.kind)
        elif crisis_by_model:
            # The patterns did not say which crisis; the larger of the two crisis models does.
            self_harm = scores["self_harm"] >= scores["emergency"]
            record.update(
                decision=safety_patterns.SELF_HARM if self_harm else safety_patterns.EMERGENCY,
                kind=None if self_harm else self.patterns.crisis_kind(text),
            )
        elif (
            limits
            and scores["offtopic"] >= limits.offtopic
            and (scores["offtopic"] > scores["dosing"] or self.patterns.lifts_dosing_model(text))
            and self.models.knows_a_word(text)
        ):
            # "is 150 grams of protein too much": a dosing request's form, about something else
            # (the off-topic model is surer than the dosing model, a tie is refused, or the
            # dosing model's refusal is lifted: "how many teaspoons in a tablespoon"). Unknown
            # words only are not judged off-topic: they get "say it another way" and the line.
            record.update(decision=OUT_OF_SCOPE)
        elif limits and scores["dosing"] >= limits.dosing and not self.patterns.lifts_dosing_model(text):
            record.update(decision=safety_patterns.DOSING, pattern=match.pattern if match else None)
        elif match and match.intent == safety_patterns.DOSING:
            record.update(decision=safety_patterns.DOSING, pattern=match.pattern)
        else:
            record.update(decision=None)
        record["net"] = bool(
            record["decision"] not in safety_patterns.CRISIS_INTENTS
            and limits is not None
            and (scores["crisis"] >= limits.net or "eased" in record)
        )
        return record

    def _eased_model_crisis(self, text: Text, scores: Dict[Text, float]) -> Optional[Text]:
        """Why a crisis only the models saw gets the answer with the safety line, if it does."""
        limits = self.models.thresholds
        if scores["emergency"] > scores["self_harm"] and scores["self_harm"] < limits.net:
            if self.patterns.withdrawal_discomfort(text):
                return "discomfort"
        if self.patterns.deletion_request(text):
            return "deletion"
        if self.patterns.dependence_statement(text):
            return "dependence"
        if self.patterns.death_idiom(text):
            return "idiom"
        if self.patterns.conversational_reply(text):
            return "reply"
        return None

    def _screen(self, message: Message) -> None:
        text = message.get(TEXT)
        record = self.decide(text)
        intent = message.get(INTENT) or {}
        classified = intent.get(INTENT_NAME_KEY)
        decision = record["decision"]
        if decision not in SAFETY_INTENTS and record["language"] != language.ENGLISH:
            decision = OTHER_LANGUAGE
        if decision is None and classified in SAFETY_INTENTS:
            if self._classifier_crisis_stands(classified, record):
                record["decision"] = classified  # an unsure tie: the crisis stands
            else:
                decision = self._best_ordinary_intent(message)
        if decision is not None and decision != classified:
            record["overridden"] = classified
            self._force_intent(message, decision)
        message.set(SCREEN_KEY, record, add_to_output=True)
        entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != LANGUAGE_ENTITY]
        entities.append(
            {
                "entity": LANGUAGE_ENTITY,
                "value": record["language"],
                "start": 0,
                "end": len(text),
                "extractor": self.__class__.__name__,
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)

    @staticmethod
    def _classifier_crisis_stands(classified: Text, record: Dict[Text, Any]) -> bool:
        """A crisis the topic classifier found stands when the screen is unsure (crisis wins
        ties); its dosing guesses, its clear-cut false crises and the crises eased to the
        safety line (see `decide`) do not."""
        return classified in safety_patterns.CRISIS_INTENTS and record["net"] and "eased" not in record

    def _best_ordinary_intent(self, message: Message) -> Text:
        """The classifier's best topic once the screen has ruled out the safety intents:
        its confidence is taken among the intents that remain (the probability mass the
        classifier gave to a dosing request it wrongly saw is not held against it)."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        ruled_out = sum(
            r.get(PREDICTED_CONFIDENCE_KEY, 0.0) for r in ranking if r.get(INTENT_NAME_KEY) in SAFETY_INTENTS
        )
        for ranked in ranking:
            name = ranked.get(INTENT_NAME_KEY)
            if name in SAFETY_INTENTS or name == FALLBACK:
                continue
            if (
                ranked.get(PREDICTED_CONFIDENCE_KEY, 0.0) / max(1e-9, 1.0 - ruled_out)
                >= self.config["fallback_threshold"]
            ):
                return name
            break
        return FALLBACK

    @staticmethod
    def _force_intent(message: Message, name: Text) -> None:
        forced = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, forced, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [forced] + ranking, add_to_output=True)
