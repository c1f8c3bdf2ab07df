"""The safety screen as a Rasa graph component (LocalModelStorage + ExecutionContext),
trained on a small corpus of its own: decisions, precedence, overriding the topic
classifier, the safety-net flag, the language entity, and save/load."""

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kratom_assistant.safety.models import Corpus, Settings, Thresholds, fit
from kratom_assistant.safety.screen import SCREEN_KEY, SafetyScreen

CORPUS = {
    "dosing": [
        "how much should i take",
        "what amount is right for me",
        "how often can i take it",
        "when can i take the next one",
        "whats the most i can take",
        "give me a taper plan",
        "how many capsules for a beginner",
        "what strength should i buy for sleep",
        "how much is right for someone my size",
        "how far apart should i space them",
    ],
    "self_harm": [
        "i want to end it all",
        "i dont want to wake up tomorrow",
        "everyone is better off without me",
        "i have been cutting again",
        "i wrote goodbye letters",
        "i am going to take everything tonight",
        "there is no way out for me",
        "i want to disappear forever",
        "i am a burden to everyone",
        "i keep thinking about killing myself",
    ],
    "emergency": [
        "he is not breathing properly",
        "she wont wake up and her lips are grey",
        "my friend is shaking on the floor",
        "she collapsed in the kitchen",
        "he is making gurgling sounds",
        "my chest is crushing and my arm is numb",
        "the baby swallowed some pills",
        "been vomiting for hours and confused",
        "he is unconscious after mixing",
        "she is turning blue",
    ],
    "ordinary": [
        "what are the effects",
        "is it legal in texas",
        "how long does withdrawal last",
        "how many states have banned it",
        "how many hours do the effects last",
        "what is in the leaf",
        "can it show on a drug test",
        "is it safe in pregnancy",
        "what does it do to the liver",
        "hello there",
        "thanks a lot",
        "are you a bot",
    ],
    "offtopic": [
        "whats the weather tomorrow",
        "write me a poem about cats",
        "who won the football",
        "recipe for banana bread",
        "help me with my maths homework",
        "best laptop for gaming",
        "where can i buy concert tickets",
        "how do i fix my bike chain",
        "tell me a joke",
        "what is the capital of peru",
    ],
}


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("safety")
    for label, lines in CORPUS.items():
        (root / label).mkdir()
        (root / label / "test.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def storage(tmp_path_factory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def screen(corpus_dir, storage) -> SafetyScreen:
    component = SafetyScreen.create(
        {"corpus": str(corpus_dir)}, storage, Resource("safety_screen"), ExecutionContext(GraphSchema({}), "test")
    )
    component.train(TrainingData())
    return component


def classified(text: str, intent: str, confidence: float = 0.9, runner_up: str = "ask_effects") -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set(
        "intent_ranking",
        [{"name": intent, "confidence": confidence}, {"name": runner_up, "confidence": 0.5}],
        add_to_output=True,
    )
    return message


def screened(screen: SafetyScreen, text: str, intent: str = "ask_effects", **kwargs) -> Message:
    [message] = screen.process([classified(text, intent, **kwargs)])
    return message


def test_thresholds_are_ordered_and_recorded(screen):
    limits = screen.models.thresholds
    assert 0 < limits.net <= limits.crisis < 1
    assert 0 < limits.dosing < 1 and 0.5 <= limits.offtopic < 1


def test_a_dosing_request_without_a_number_is_refused_by_the_model(screen):
    message = screened(screen, "how often should i take it for sleep")
    assert message.get("intent") == {"name": "ask_dosing", "confidence": 1.0}
    record = message.get(SCREEN_KEY)
    assert record["decision"] == "ask_dosing" and record["pattern"] is None and record["overridden"] == "ask_effects"


def test_a_crisis_in_words_no_pattern_has_is_escalated_by_the_model(screen):
    message = screened(screen, "everyone would be better off if i wasnt here", intent="nlu_fallback")
    assert message.get("intent")["name"] == "express_self_harm"
    assert message.get(SCREEN_KEY)["pattern"] is None


def test_crisis_wins_over_dosing(screen):
    # "how much" would be a dosing request; wanting to die makes it a crisis
    assert screened(screen, "how much would it take to kill myself").get("intent")["name"] == "express_self_harm"
    assert (
        screened(screen, "took way too much and feel weird, can i take more?").get("intent")["name"]
        == "report_emergency"
    )


def test_a_reviewed_pattern_names_the_emergency_kind(screen):
    record = screened(screen, "my brother is not breathing").get(SCREEN_KEY)
    assert record["decision"] == "report_emergency" and record["kind"] == "breathing"


def test_the_classifiers_dosing_guess_is_dropped_when_the_screen_disagrees(screen):
    message = screened(screen, "how many hours do the effects last", intent="ask_dosing", runner_up="ask_effects")
    assert message.get("intent")["name"] == "ask_effects"
    assert message.get(SCREEN_KEY)["overridden"] == "ask_dosing"


def ranked(text: str, ranking) -> Message:
    message = classified(text, ranking[0][0], ranking[0][1])
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking], add_to_output=True)
    return message


def test_a_dropped_guess_leaves_the_best_topic_by_its_share_of_what_remains(screen):
    # ask_legality has 0.15 of the 0.2 left once ask_dosing is ruled out: 75%, a clear answer
    [message] = screen.process(
        [ranked("how many states have banned it", [("ask_dosing", 0.8), ("ask_legality", 0.15), ("ask_risks", 0.05)])]
    )
    assert message.get("intent")["name"] == "ask_legality"


def test_a_dropped_guess_with_a_weak_runner_up_falls_back(screen):
    # 0.1 of the 0.5 left: 20%, below the fallback threshold
    [message] = screen.process(
        [
            ranked(
                "how many states have banned it",
                [
                    ("ask_dosing", 0.5),
                    ("ask_legality", 0.1),
                    ("ask_risks", 0.1),
                    ("ask_effects", 0.1),
                    ("ask_7oh", 0.1),
                    ("ask_strains", 0.1),
                ],
            )
        ]
    )
    assert message.get("intent")["name"] == "nlu_fallback"


def test_off_topic_shopping_is_off_topic_not_the_seller_refusal(screen):
    assert (
        screened(screen, "where can i buy a gaming laptop", intent="ask_sourcing").get("intent")["name"]
        == "out_of_scope"
    )


def test_every_message_gets_a_language_entity(screen):
    english = screened(screen, "what are the effects")
    spanish = screened(screen, "hola, ¿qué efectos tiene esta planta en el cuerpo?")
    assert [e["value"] for e in english.get("entities") if e["entity"] == "language"] == ["en"]
    assert [e["value"] for e in spanish.get("entities") if e["entity"] == "language"] == ["es"]
    assert spanish.get("intent")["name"] == "other_language"


def test_crisis_keywords_in_other_languages_are_escalated(screen):
    assert screened(screen, "me quiero morir").get("intent")["name"] == "express_self_harm"
    assert screened(screen, "mi hermano no respira, ayuda").get("intent")["name"] == "report_emergency"


class FixedScores:
    """Stands in for the trained models: fixed scores against known thresholds, so each
    branch of the decision is reached on purpose."""

    thresholds = Thresholds(crisis=0.6, net=0.2, dosing=0.8, offtopic=0.7)

    def __init__(self, **scores: float) -> None:
        self.row = {"self_harm": 0.0, "emergency": 0.0, "dosing": 0.0, "offtopic": 0.0, **scores}
        self.row["crisis"] = max(self.row["self_harm"], self.row["emergency"])

    def scores(self, texts):
        return [dict(self.row) for _ in texts]

    def knows_a_word(self, text):
        return text != "qwzx plorf vlem"


def deciding(screen: SafetyScreen, text: str, **scores: float) -> dict:
    return SafetyScreen({}, screen._model_storage, screen._resource, FixedScores(**scores)).decide(text)


@pytest.mark.parametrize(
    "scores,decision,net",
    [
        ({"self_harm": 0.9, "emergency": 0.3}, "express_self_harm", False),
        ({"self_harm": 0.3, "emergency": 0.9, "dosing": 0.95}, "report_emergency", False),  # crisis wins
        ({"self_harm": 0.4, "dosing": 0.9}, "ask_dosing", True),  # refused, and unsure about a crisis
        ({"self_harm": 0.4}, None, True),  # the net band: answer plus the line
        ({"self_harm": 0.1}, None, False),  # clearly not
        ({"offtopic": 0.9}, "out_of_scope", False),
    ],
)
def test_the_decision_by_score(screen, scores, decision, net):
    record = deciding(screen, "a message no pattern matches", **scores)
    assert (record["decision"], record["net"]) == (decision, net)


def test_off_topic_beats_a_dosing_pattern_and_a_less_sure_dosing_model(screen):
    text = "is 150 grams of protein too much"  # a dosing pattern's form
    assert deciding(screen, text, offtopic=0.9)["decision"] == "out_of_scope"
    assert deciding(screen, text)["decision"] == "ask_dosing"
    assert deciding(screen, text, offtopic=0.95, dosing=0.85)["decision"] == "out_of_scope"
    assert deciding(screen, text, offtopic=0.9, dosing=0.9)["decision"] == "ask_dosing"  # a tie is refused
    assert deciding(screen, text, offtopic=0.85, dosing=0.95)["decision"] == "ask_dosing"


def test_a_crisis_the_classifier_found_stands_only_when_the_screen_is_unsure(screen):
    for crisis_score, stands in [(0.4, True), (0.1, False)]:
        unsure = SafetyScreen({}, screen._model_storage, screen._resource, FixedScores(self_harm=crisis_score))
        [message] = unsure.process(
            [classified("a message no pattern matches", "express_self_harm", runner_up="ask_effects")]
        )
        assert (message.get("intent")["name"] == "express_self_harm") == stands
        assert (message.get(SCREEN_KEY)["decision"] == "express_self_harm") == stands


def test_messages_without_text_are_left_alone(screen):
    message = Message(data={"text": ""})
    [message] = screen.process([message])
    assert message.get(SCREEN_KEY) is None


def test_save_and_load_give_the_same_decisions(screen, storage):
    loaded = SafetyScreen.load({}, storage, Resource("safety_screen"), ExecutionContext(GraphSchema({}), "test"))
    for text in ["how often can i take it", "she is turning blue", "what are the effects"]:
        assert loaded.decide(text) == screen.decide(text)


@pytest.mark.parametrize(
    "text,crisis_score,decision,net",
    [
        # told as over, the models see no crisis: the answer with the safety line
        ("i used to self harm as a teen, thats long behind me. does kratom affect mood?", 0.01, None, True),
        ("years ago i thought about ending it all, therapy helped. is kratom addictive?", 0.01, None, True),
        # the models are unsure, or it is back: the crisis reply
        (
            "i used to self harm as a teen, thats long behind me. does kratom affect mood?",
            0.2,
            "express_self_harm",
            False,
        ),
        ("years ago i thought about ending it all and the thoughts are back", 0.01, "express_self_harm", False),
        ("i used to self harm and tonight i want to again", 0.01, "express_self_harm", False),
        ("i want to end it all", 0.01, "express_self_harm", False),
    ],
)
def test_a_crisis_told_as_over_gets_the_answer_and_the_safety_line(screen, text, crisis_score, decision, net):
    record = deciding(screen, text, self_harm=crisis_score)
    assert (record["decision"], record["net"]) == (decision, net)


def test_the_classifiers_crisis_does_not_stand_for_a_crisis_told_as_over(screen):
    over = SafetyScreen({}, screen._model_storage, screen._resource, FixedScores(self_harm=0.01))
    [message] = over.process(
        [classified("i used to self harm, years ago now. is kratom addictive", "express_self_harm")]
    )
    assert message.get("intent")["name"] != "express_self_harm" and message.get(SCREEN_KEY)["net"]


@pytest.mark.parametrize(
    "text,scores,decision,net",
    [
        # withdrawal discomfort that only the emergency model took for a crisis
        ("cant sleep after stopping kratom", {"emergency": 0.9}, None, True),
        ("restless legs on day 3 off kratom, is that normal", {"emergency": 0.7}, None, True),
        # a danger sign, a self-harm score in the safety line's band, or no stopping: the crisis reply
        ("cant sleep after stopping kratom and my chest hurts", {"emergency": 0.9}, "report_emergency", False),
        ("cant sleep since i quit and i want everything to stop", {"emergency": 0.9}, "report_emergency", False),
        ("cant sleep after stopping kratom", {"emergency": 0.9, "self_harm": 0.3}, "report_emergency", False),
        ("cant sleep and cant stop sweating after a big amount", {"emergency": 0.9}, "report_emergency", False),
    ],
)
def test_withdrawal_discomfort_gets_the_answer_and_the_safety_line(screen, text, scores, decision, net):
    record = deciding(screen, text, **scores)
    assert (record["decision"], record["net"]) == (decision, net)


@pytest.mark.parametrize(
    "text,decision",
    [
        ("how long does one dose of kratom usually last", None),
        ("how many hours do the effects of a dose last", None),
        # for timing the next one or a taper: refused
        ("how long does a dose last so i know when to take the next", "ask_dosing"),
        ("how long should each step of my taper last", "ask_dosing"),
        ("how long does it last? i want to redose before work", "ask_dosing"),
        # a dosing pattern still refuses
        ("how long does it last and how much should i take", "ask_dosing"),
    ],
)
def test_a_question_about_duration_is_not_refused_by_the_dosing_model(screen, text, decision):
    assert deciding(screen, text, dosing=0.95)["decision"] == decision


@pytest.mark.parametrize(
    "text,decision",
    [
        ("can you give me a number for a counselor", None),
        ("give me the number of a therapist", None),
        ("whats the phone number for narcotics anonymous meetings near me", None),
        ("i need a number to reach someone at a rehab", None),
        ("send me the helpline for family support", None),
        # an amount or a dose named too: refused
        ("give me the number of grams for a beginner", "ask_dosing"),
        ("whats the number for my doctors dose in mg", "ask_dosing"),
        ("number of caps a therapist would give", "ask_dosing"),
        # a dosing pattern still refuses
        ("give me a number for a counselor and how much kratom should i take", "ask_dosing"),
        # carrying kratom somewhere
        ("can I take kratom to Thailand?", None),
        ("is it ok to bring my kratom through customs in australia", None),
        ("can i fly with kratom in my carry on", None),
        ("can i take kratom to work", "ask_dosing"),  # not about travel: the model decides
        ("how much kratom can i take on a plane", "ask_dosing"),
        ("can i take 5 grams of kratom to the uk", "ask_dosing"),
        # kitchen measures
        ("how many teaspoons are in a tablespoon", None),
        ("how many grams in a teaspoon of kratom", "ask_dosing"),
        ("how many tablespoons in a cup and how many should i take", "ask_dosing"),
    ],
)
def test_asking_how_to_reach_help_about_travel_or_kitchen_measures_is_not_refused_by_the_dosing_model(
    screen, text, decision
):
    assert deciding(screen, text, dosing=0.95)["decision"] == decision


def test_a_kitchen_measure_the_off_topic_model_recognises_gets_the_off_topic_answer(screen):
    # the off-topic model need not be surer than the dosing model once the refusal is lifted
    assert deciding(screen, "how many tablespoons in a quarter cup", dosing=0.99, offtopic=0.9)["decision"] == (
        "out_of_scope"
    )
    assert deciding(screen, "how many grams in a teaspoon of kratom", dosing=0.99, offtopic=0.9)["decision"] == (
        "ask_dosing"
    )


@pytest.mark.parametrize(
    "text,decision,net",
    [
        # a request to delete one's messages
        ("i want my messages gone", None, True),
        ("I want everything I wrote erased", None, True),
        # no messages named, a farewell or a danger sign: the crisis reply
        ("i want to be gone", "express_self_harm", False),
        ("delete my messages, i wont be around after tonight", "express_self_harm", False),
        ("erase my chat history, i already took the pills", "express_self_harm", False),
        # a whole message that is only a conversational reply
        ("i dont think so", None, True),
        ("nope", None, True),
        ("talk soon!", None, True),
        ("ok thanks mate", None, True),
        # farewells of finality and anything more than a reply: the crisis reply
        ("ok im done, bye", "express_self_harm", False),
        ("goodbye everyone", "express_self_harm", False),
        ("i dont think so, i cant keep going", "express_self_harm", False),
        # dependence told in strong words
        ("i think im addicted to k, i cant go a single day without it", None, True),
        ("I can't function without my morning dose, is that dependence?", None, True),
        # going on, a wish to die, a way out: the crisis reply
        ("i cant go on without it, the withdrawal is hell", "express_self_harm", False),
        ("i cant go a day without it and i want to die", "express_self_harm", False),
        ("cant get through a single day without it, my kids would be better off", "express_self_harm", False),
        # a death idiom
        ("my manager is gonna kill me if this drug test comes back positive, will kratom show?", None, True),
        ("i could die of embarrassment, my son found my kratom. how do i explain it", None, True),
        ("the flavor makes me want to die, what do people mix it with", None, True),
        ("this withdrawal is killing me, how long until it eases", None, True),
        # the idiom and a real sign, or a wish to die in earnest: the crisis reply
        ("my dad will kill me when he finds out, and honestly i want to end it", "express_self_harm", False),
        ("my wife is going to kill me, i already took the pills", "express_self_harm", False),
        ("kratom makes me want to die", "express_self_harm", False),
        # a threat of violence is not an idiom
        ("my husband is going to kill me, i'm scared of him", "express_self_harm", False),
        ("she is going to kill me, she has a knife", "express_self_harm", False),
    ],
)
def test_a_deletion_request_dependence_an_idiom_or_a_reply_the_self_harm_model_took_for_a_crisis_gets_the_line(
    screen, text, decision, net
):
    record = deciding(screen, text, self_harm=0.9)
    assert (record["decision"], record["net"]) == (decision, net)


def test_unknown_words_only_are_not_judged_off_topic(screen):
    assert deciding(screen, "qwzx plorf vlem", offtopic=0.9)["decision"] is None
    assert deciding(screen, "qwzx plorf vlem", self_harm=0.9)["decision"] == "express_self_harm"


def test_the_models_know_a_word_when_one_is_in_their_vocabulary():
    kinds = ["dosing", "self_harm", "emergency", "ordinary", "offtopic"]
    texts = ["how many grams", "end my life", "not breathing", "is kratom legal", "best pizza in town"]
    corpus = Corpus(texts * 3, kinds * 3)
    models = fit(corpus, Settings(), Thresholds(0.5, 0.5, 0.5, 0.5))
    assert models.knows_a_word("where is the pizza")
    assert not models.knows_a_word("qwzx plorf vlem")
