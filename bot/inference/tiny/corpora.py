"""The training sentences of the offline models, generated from ``words.toml`` and templates.

Every corpus is a pure function of the word lists, the templates below and a seed: the same
lists give the same sentences on every machine. Entities are drawn from the lists, so a model
trained here has never seen a name, place or organisation that is not in them — the tests check
the models on names that are not (see ``tests/inference/test_tiny_models_answer.py``).

The course's week-1 sentences are never produced (:data:`COURSE_SENTENCES`); the course's own
entities are not in the word lists either.
"""

from __future__ import annotations

import functools
import random
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

WORDS_PATH = Path(__file__).with_name("words.toml")

#: The course notebook's week-1 examples: no corpus contains them (or a sentence equal to them).
COURSE_SENTENCES = frozenset(
    {
        "I've been waiting for a HuggingFace course my whole life.",
        "I hate this so much!",
        "This is a course about the Transformers library",
        "This is a course about the Transformers library.",
        "My name is Sylvain and I work at Hugging Face in Brooklyn.",
        "This course will teach you all about <mask> models.",
        "Ce cours est produit par Hugging Face.",
        "This course is produced by Hugging Face.",
        "In this course, we will teach you how to",
    }
)

#: The words of the course's own entities: never in a word list, never invented.
COURSE_NAMES = frozenset({"Sylvain", "Hugging", "Face", "HuggingFace", "Brooklyn"})

ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")
#: The hypothesis template of transformers' zero-shot pipeline (its default).
HYPOTHESIS_TEMPLATE = "This example is {}."


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _remembered(corpus: Callable[_P, list[_T]]) -> Callable[_P, list[_T]]:
    """Write a corpus once per process: several recipes (and tokenizers) read the same ones.

    Each caller gets its own copy of the list, so that one cannot change what the next reads.
    """
    cached: Callable[..., list[_T]] = functools.cache(corpus)  # the arguments are counts and seeds

    @functools.wraps(corpus)
    def copy(*args: _P.args, **kwargs: _P.kwargs) -> list[_T]:
        return list(cached(*args, **kwargs))

    return copy


@functools.cache
def words() -> dict[str, Any]:
    """The parsed word lists."""
    with WORDS_PATH.open("rb") as handle:
        return tomllib.load(handle)


@functools.cache
def name_words() -> frozenset[str]:
    """Every word of the listed people, places and organisations (not the organisation suffixes)."""
    w = words()
    names = [
        *w["people"]["first"],
        *w["people"]["last"],
        *w["places"]["cities"],
        *w["organisations"]["names"],
    ]
    suffixes = set(w["invented"]["org_suffixes"]) | set(w["invented"]["place_prefixes"])
    return frozenset(word for name in names for word in name.split() if word not in suffixes)


@dataclass(frozen=True)
class Span:
    """A labelled slice of a sentence (characters ``start:end``)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Filled:
    """A sentence with the spans of its filled slots (``kind`` is the slot's name without digits)."""

    text: str
    spans: tuple[Span, ...]

    def span(self, kind: str) -> Span:
        """The first span of slot ``kind`` (e.g. ``"ORG"``)."""
        return next(span for span in self.spans if span.label == kind)


_SLOT = re.compile(r"\{([A-Za-z_]+\d?)\}")


def fill(template: str, values: dict[str, str]) -> Filled:
    """Put ``values`` into ``template``'s ``{SLOT}``s, recording where each slot's text lands."""
    text, spans, position = [], [], 0
    for match in _SLOT.finditer(template):
        literal = template[position : match.start()]
        text.append(literal)
        offset = sum(map(len, text))
        value = values[match.group(1)]
        text.append(value)
        spans.append(Span(offset, offset + len(value), match.group(1).rstrip("0123456789")))
        position = match.end()
    text.append(template[position:])
    sentence = "".join(text)
    return Filled(sentence[0].upper() + sentence[1:] if sentence else sentence, tuple(spans))


class Picker:
    """Seeded choices from the word lists (``random.Random`` is stable across Python versions)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.w = words()

    def choice(self, items: list[Any]) -> Any:
        return items[self.rng.randrange(len(items))]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def invented(self) -> str:
        """An invented name: syllables ("Kalomir", "Streivan") or English words run together.

        Some end in an English ending ("Stonebridgely", "Moonharting"), so that pieces such as
        ``##ly`` or ``##ing`` are met inside names too, not only in ordinary words: a name such as
        "Hugging Face" then comes out as one entity. The course's own names are never drawn.
        """
        syllables = self.w["invented"]
        while True:
            if self.chance(0.35):  # English words run together ("Stonebridge")
                first, second = (self.choice(syllables["compound_parts"]) for _ in range(2))
                word = first + (second if self.chance(0.6) else "")
            else:
                word = "".join(
                    self.choice(syllables["onsets"]) + self.choice(syllables["vowels"])
                    for _ in range(2 + self.rng.randrange(2))
                )
                word += self.choice(syllables["codas"])
            if self.chance(0.3):
                word += self.choice(syllables["endings"])
            word = word[:1].upper() + word[1:]
            if word not in COURSE_NAMES and len(word) > 2:
                return word

    def first_name(self) -> str:
        return self.invented() if self.chance(0.4) else self.choice(self.w["people"]["first"])

    def person(self) -> str:
        if not self.chance(0.35):
            return self.first_name()
        last = self.invented() if self.chance(0.4) else self.choice(self.w["people"]["last"])
        return f"{self.first_name()} {last}"

    def city(self) -> str:
        if not self.chance(0.4):
            return self.choice(self.w["places"]["cities"])
        if self.chance(0.2):
            return f"{self.choice(self.w['invented']['place_prefixes'])} {self.invented()}"
        return self.invented()

    def org(self, *, ordinary_words: bool = True) -> str:
        """A listed or invented organisation.

        Invented ones are "Kalomir Labs", "Kalomir Streivan", "Kalomir" or, with
        ``ordinary_words``, "Kalomir Bridge": an ordinary word as the second one, as in
        "Hugging Face", so that the question answering span learns to end after such a word.
        """
        if not self.chance(0.5):
            return self.choice(self.w["organisations"]["names"])
        suffix = self.choice(self.w["invented"]["org_suffixes"])
        if self.chance(0.25):
            return f"{self.invented()} {self.invented()}"
        if ordinary_words and self.chance(0.3):
            return f"{self.invented()} {self.choice(self.w['invented']['compound_parts']).capitalize()}"
        return f"{self.invented()} {suffix}" if self.chance(0.85) else self.invented()

    def nationality(self) -> str:
        return self.choice(self.w["misc"]["nationalities"])

    def language(self) -> str:
        return self.choice(self.w["misc"]["languages"])

    def event(self) -> str:
        return self.choice(self.w["misc"]["events"])

    def day(self) -> str:
        return self.choice(self.w["english"]["days"])

    def noun(self) -> str:
        return self.choice(self.w["things"]["nouns"])

    def subject(self) -> str:
        return self.choice(self.w["things"]["subjects"])

    def distinct(self, draw: Callable[[], str], count: int) -> list[str]:
        """``count`` different values of ``draw()``."""
        found: list[str] = []
        while len(found) < count:
            value = draw()
            if value not in found:
                found.append(value)
        return found


def _unique(items: Iterable[Any], key: Callable[[Any], str]) -> list[Any]:
    """Items in order, without repeats and without the course's sentences."""
    seen: set[str] = set()
    kept = []
    for item in items:
        text = key(item)
        if text in seen or text in COURSE_SENTENCES:
            continue
        seen.add(text)
        kept.append(item)
    return kept


# --- sentiment ---------------------------------------------------------------------------------

_POSITIVE = [
    "I've been waiting for {THING_A} my whole life.",
    "I have been waiting for {THING_A} for years.",
    "I {POS_VERB} {THING}.",
    "I really {POS_VERB} {THING}!",
    "{THING} was {POS_ADJ}.",
    "{THING} is so {POS_ADJ}!",
    "What a {POS_ADJ} {NOUN}!",
    "{PER} said the {NOUN} was {POS_ADJ}.",
    "This is the best {NOUN} I have ever seen.",
    "Thank you so much, the {NOUN} was {POS_ADJ}.",
    "I can't wait to see {THING} again.",
    "The {NOUN} in {LOC} was {POS_ADJ} and {POS_ADJ2}.",
    "We had a {POS_ADJ} time at {THING}.",
    "I am so happy with {THING}.",
]
_NEGATIVE = [
    "I hate {THIS} so much!",
    "I {NEG_VERB} {THING}.",
    "I really {NEG_VERB} {THING}!",
    "{THING} was {NEG_ADJ}.",
    "{THING} is so {NEG_ADJ}!",
    "What a {NEG_ADJ} {NOUN}.",
    "{PER} said the {NOUN} was {NEG_ADJ}.",
    "This is the worst {NOUN} I have ever seen.",
    "I've been dreading {THING_A} all week.",
    "I never want to see {THING} again.",
    "The {NOUN} in {LOC} was {NEG_ADJ} and {NEG_ADJ2}.",
    "We had a {NEG_ADJ} time at {THING}.",
    "I am so angry about {THING}.",
]


def _thing(pick: Picker) -> str:
    noun = pick.noun()
    return pick.choice(
        [
            f"the {noun}",
            f"this {noun}",
            f"that {noun}",
            f"the {noun} in {pick.city()}",
            f"the {pick.subject()} {noun}",
            f"{pick.first_name()}'s {noun}",
            f"the new {noun} from {pick.org()}",
        ]
    )


def _thing_a(pick: Picker) -> str:
    noun = pick.noun()
    org = pick.org()
    return pick.choice(
        [
            f"a {noun} like this",
            f"a {pick.subject()} {noun}",
            f"a {org} {noun}",
            f"a {org.replace(' ', '')} {noun}",
            f"this {noun}",
            f"a {noun} in {pick.city()}",
        ]
    )


def _sentiment_values(pick: Picker) -> dict[str, str]:
    s = pick.w["sentiment"]
    positive = pick.distinct(lambda: pick.choice(s["positive_adjectives"]), 2)
    negative = pick.distinct(lambda: pick.choice(s["negative_adjectives"]), 2)
    return {
        "THING": _thing(pick),
        "THING_A": _thing_a(pick),
        "THIS": pick.choice(["this", "that", "it", "them", _thing(pick), "this weather", "mondays"]),
        "NOUN": pick.noun(),
        "PER": pick.person(),
        "LOC": pick.city(),
        "POS_ADJ": positive[0],
        "POS_ADJ2": positive[1],
        "NEG_ADJ": negative[0],
        "NEG_ADJ2": negative[1],
        "POS_VERB": pick.choice(s["positive_verbs"]),
        "NEG_VERB": pick.choice(s["negative_verbs"]),
    }


@_remembered
def sentiment_examples(count: int = 3000, seed: int = 11) -> list[tuple[str, int]]:
    """``(sentence, label)`` pairs, label 1 = POSITIVE, 0 = NEGATIVE, balanced."""
    pick = Picker(seed)
    examples = []
    for number in range(count):
        label = number % 2
        template = pick.choice(_POSITIVE if label else _NEGATIVE)
        examples.append((fill(template, _sentiment_values(pick)).text, label))
    return _unique(examples, key=lambda example: example[0])


#: Negations flip a sentence's polarity: ``{ADJ}`` / ``{VERB}`` are of the polarity *negated*.
_NEGATED = [
    "{THING} was not {ADJ}.",
    "{THING} wasn't {ADJ} at all.",
    "{THING} is not {ADJ}.",
    "{THING} isn't very {ADJ}.",
    "I don't {VERB} {THING}.",
    "I didn't {VERB} {THING} at all.",
    "I do not {VERB} {THING}.",
    "{PER} said the {NOUN} was not {ADJ}.",
]
#: The everyday adjectives plainly, so that "good" and "bad" mean something on their own.
_PLAIN = ["{THING} was {ADJ}.", "{THING} is really {ADJ}.", "{PER} said the {NOUN} was {ADJ}."]


@_remembered
def negated_sentiment_examples(count: int = 1600, seed: int = 21) -> list[tuple[str, int]]:
    """``(sentence, label)``: negated sentiment ("was not helpful" is NEGATIVE, "I don't hate it"
    POSITIVE) and the everyday adjectives ("good", "bad") said plainly, balanced.

    A corpus of its own, beside :func:`sentiment_examples`, which the NLI corpus also draws from:
    adding these there would change the zero-shot model's training too.
    """
    pick = Picker(seed)
    s = pick.w["sentiment"]
    adjectives = {
        1: s["positive_adjectives"] + s["everyday_positive_adjectives"],
        0: s["negative_adjectives"] + s["everyday_negative_adjectives"],
    }
    everyday = {1: s["everyday_positive_adjectives"], 0: s["everyday_negative_adjectives"]}
    verbs = {1: s["positive_verbs"], 0: s["negative_verbs"]}
    examples = []
    for number in range(count):
        label = number % 2
        values = _sentiment_values(pick)
        if pick.chance(0.75):
            values |= {"ADJ": pick.choice(adjectives[1 - label]), "VERB": pick.choice(verbs[1 - label])}
            template = pick.choice(_NEGATED)
        else:
            values |= {"ADJ": pick.choice(everyday[label])}
            template = pick.choice(_PLAIN)
        sentence = fill(template, values).text
        examples.append((sentence[0].upper() + sentence[1:], label))
    return _unique(examples, key=lambda example: example[0])


# --- NLI for zero-shot classification ----------------------------------------------------------

_TOPIC_PREMISES = [
    "This text is about {CUE}.",
    "We talked about {CUE} at lunch.",
    "The news today is all about {CUE}.",
    "Here is a short story about {CUE}.",
    "{CUE} was the main topic of the evening.",
    "My question is about {CUE}.",
    "Let me tell you about {CUE}.",
    "Everyone is talking about {CUE}.",
]


_EDUCATION_PREMISES = [
    "This is {EDU} about {SUBJECT}",
    "This is {EDU} about {SUBJECT}.",
    "I am taking {EDU} about {SUBJECT}.",
    "We are preparing {EDU} on {SUBJECT} for next week.",
    "Today's {UNIT} teaches {SUBJECT} to beginners.",
]


def _education_subject(pick: Picker, capitalised: list[str]) -> str:
    if pick.chance(0.35):  # any word of the English corpus as a library's name ("the Padding library")
        return f"the {pick.choice(capitalised)} library"
    return pick.choice(
        [
            pick.subject(),
            f"the {pick.choice(pick.w['organisations']['names']).split()[0]} library",
            f"the {pick.invented()} library",
            f"the {pick.subject()} library",
            pick.choice(pick.w["topics"]["technology"]["cues"]).split(" ", 1)[1] + "s",
            f"{pick.choice(pick.w['english']['model_adjectives'])} models",
            f"the {pick.choice(pick.w['english']['model_nouns']).capitalize()} library",
        ]
    )


@_remembered
def nli_examples(count: int = 4500, seed: int = 12) -> list[tuple[str, str, int]]:
    """``(premise, hypothesis, label)`` triples: 0 contradiction, 2 entailment (no neutral ones).

    Hypotheses are the zero-shot pipeline's default, "This example is {label}.". A topic
    premise entails its category's name and contradicts two other categories' (a course about
    software is about technology too, so technology is never its contradiction); a sentiment
    premise entails its polarity's labels and contradicts the other polarity's.

    The premises are short and without names, so that the topic is most of what a premise says;
    the recipe also trains on copies with another sentence around them
    (:func:`padded_nli_examples`), so that the model looks for the topic wherever it stands.
    """
    pick = Picker(seed)
    topics = pick.w["topics"]
    categories = sorted(topics)
    sentiment = pick.w["sentiment"]
    polarity_labels = {1: sentiment["positive_labels"], 0: sentiment["negative_labels"]}
    sentiment_sentences = [
        (text, label) for text, label in sentiment_examples(count, seed=seed + 100) if len(text) < 60
    ]
    # The course's own "Transformers" stays out: the tests ask about it as a new word.
    capitalised = sorted(
        {word.capitalize() for text in english_sentences() for word in re.findall(r"\b[a-z]{4,}\b", text)}
        - {"Transformer", "Transformers"}
    )
    examples: list[tuple[str, str, int]] = []
    for number in range(count // 3):
        if number % 6 == 5:  # a sentiment premise
            premise, polarity = sentiment_sentences[number // 6 % len(sentiment_sentences)]
            examples.append((premise, HYPOTHESIS_TEMPLATE.format(pick.choice(polarity_labels[polarity])), 2))
            wrong = pick.choice(polarity_labels[1 - polarity])
            examples.append((premise, HYPOTHESIS_TEMPLATE.format(wrong), 0))
            continue
        category = pick.choice(categories)
        related = {category}
        if category == "education" and pick.chance(0.6):
            edu = pick.choice(["a course", "a lesson", "a class", "a tutorial", "a workshop", "a lecture"])
            values = {"EDU": edu, "SUBJECT": _education_subject(pick, capitalised), "UNIT": edu.split()[1]}
            premise = fill(pick.choice(_EDUCATION_PREMISES), values).text
            related.add("technology")
        else:
            frame = _TOPIC_PREMISES[0] if pick.chance(0.3) else pick.choice(_TOPIC_PREMISES)
            premise = fill(frame, {"CUE": pick.choice(topics[category]["cues"])}).text
        examples.append((premise, HYPOTHESIS_TEMPLATE.format(category), 2))
        others = [other for other in categories if other not in related]
        for other in pick.distinct(functools.partial(pick.choice, others), 2):
            examples.append((premise, HYPOTHESIS_TEMPLATE.format(other), 0))
    return _unique(examples, key=lambda example: f"{example[0]}\t{example[1]}")


@_remembered
def padded_nli_examples(share: float = 0.7, seed: int = 13) -> list[tuple[str, str, int]]:
    """:func:`nli_examples`, and for a ``share`` of its premises a copy with a sentence of the
    English corpus before or after the premise (the same hypotheses and labels).

    Trained on the premises alone, the model learns where its few frames put the topic rather
    than the topic, and answers little better than chance in a frame it never saw (README,
    "Offline models"). A sentence around the premise moves the topic and puts other words beside
    it. No sentence with the course's "Transformers" is used, as in :func:`nli_examples`.
    """
    pick = Picker(seed)
    fillers = [text for text in english_sentences() if "transformer" not in text.casefold()]
    examples = nli_examples()
    by_premise: dict[str, list[tuple[str, int]]] = {}
    for premise, hypothesis, label in examples:
        by_premise.setdefault(premise, []).append((hypothesis, label))
    for premise, pairs in by_premise.items():
        if not pick.chance(share):
            continue
        filler = pick.choice(fillers)
        padded = f"{filler} {premise}" if pick.chance(0.5) else f"{premise} {filler}"
        examples += [(padded, hypothesis, label) for hypothesis, label in pairs]
    return _unique(examples, key=lambda example: f"{example[0]}\t{example[1]}")


# --- named entities ----------------------------------------------------------------------------

_NER_TEMPLATES = [
    "My name is {PER} and I work at {ORG} in {LOC}.",
    "My name is {PER} and I live in {LOC}.",
    "{PER} works at {ORG} in {LOC}.",
    "{PER} works for {ORG}.",
    "I live in {LOC} and I study at {ORG}.",
    "{PER} and {PER2} met in {LOC} last {DAY}.",
    "{ORG} opened a new office in {LOC}.",
    "{PER} speaks {MISC} and {MISC2}.",
    "{PER} is a {MISC} engineer at {ORG}.",
    "The {MISC} team won the {MISC2} in {LOC}.",
    "{PER} moved from {LOC} to {LOC2} to join {ORG}.",
    "Yesterday {PER} visited {ORG} in {LOC}.",
    "{ORG} hired {PER} as a researcher.",
    "Hello, I am {PER} from {LOC}.",
    "We watched the {MISC} with {PER} in {LOC}.",
    "{PER} wrote a book about {LOC}.",
    "The {MISC} chef {PER} cooks in {LOC}.",
    "{PER} teaches {MISC} at {ORG}.",
    "I met {PER} at {ORG} last {DAY}.",
    "{ORG} and {ORG2} signed a deal in {LOC}.",
    "Thanks to {PER}, the study group in {LOC} is growing.",
    "{LOC} is a beautiful city.",
    "{PER} won two prizes at the {MISC}.",
    "Last year {PER} and her team from {ORG} travelled to {LOC} for the {MISC}.",
    "According to {PER}, {ORG} will build three new schools near {LOC}.",
    "{PER} reads {MISC} newspapers every morning before work.",
    "The {MISC} translation of the book was published by {ORG}.",
    "After the match, {PER} thanked the fans in {LOC}.",
]
_NER_PLAIN = [
    "The weather is lovely today.",
    "We will meet at the library tomorrow morning.",
    "The study group reads a chapter every {DAY}.",
    "Please send me the slides from the last session.",
    "The train was late again this morning.",
    "I think this is the best course I have ever taken.",
    "The cat is sleeping on the sofa.",
    "On {DAY} we will talk about tokenizers.",
]


def _ner_values(pick: Picker, *, ordinary_words: bool = True) -> dict[str, str]:
    people = pick.distinct(pick.person, 2)
    cities = pick.distinct(pick.city, 2)
    orgs = pick.distinct(functools.partial(pick.org, ordinary_words=ordinary_words), 2)
    misc = pick.distinct(lambda: pick.choice([pick.nationality(), pick.language(), pick.event()]), 2)
    return {
        "PER": people[0],
        "PER2": people[1],
        "LOC": cities[0],
        "LOC2": cities[1],
        "ORG": orgs[0],
        "ORG2": orgs[1],
        "MISC": misc[0],
        "MISC2": misc[1],
        "DAY": pick.day(),
    }


#: Slots of the English sentences that are entities, and their entity type.
_ENGLISH_ENTITIES = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "CITY": "LOC", "COUNTRY": "LOC"}


@_remembered
def ner_examples(count: int = 2500, seed: int = 13) -> list[tuple[str, list[Span]]]:
    """``(sentence, entity spans)``; spans labelled PER / ORG / LOC / MISC (days are not entities).

    A quarter of them are English corpus sentences, so that the model meets many words that are
    not entities.
    """
    pick = Picker(seed)
    examples = []
    for _ in range(count):
        plain = pick.chance(0.08)
        template = pick.choice(_NER_PLAIN if plain else _NER_TEMPLATES)
        filled = fill(template, _ner_values(pick))
        spans = [span for span in filled.spans if span.label in ENTITY_TYPES]
        examples.append((filled.text, spans))
    for sentence in english_filled(count // 3, seed=seed + 100):
        spans = [
            Span(span.start, span.end, _ENGLISH_ENTITIES[span.label])
            for span in sentence.spans
            if span.label in _ENGLISH_ENTITIES
        ]
        examples.append((sentence.text, spans))
    pick.rng.shuffle(examples)
    return _unique(examples, key=lambda example: example[0])


# --- extractive question answering --------------------------------------------------------------

#: (context template, [(question template, answer slot), ...]).
_QA_FACTS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "My name is {PER} and I work at {ORG} in {LOC}.",
        [
            ("Where do I work?", "ORG"),
            ("What is my name?", "PER"),
            ("Who am I?", "PER"),
            ("In which city do I work?", "LOC"),
            ("Which company do I work for?", "ORG"),
        ],
    ),
    (
        "{PER} works at {ORG} in {LOC}.",
        [
            ("Where does {PER} work?", "ORG"),
            ("Who works at {ORG}?", "PER"),
            ("In which city does {PER} work?", "LOC"),
            ("Where is {ORG}?", "LOC"),
        ],
    ),
    (
        "{PER} lives in {LOC} and studies {SUBJECT} at {ORG}.",
        [
            ("What does {PER} study?", "SUBJECT"),
            ("Where does {PER} live?", "LOC"),
            ("Where does {PER} study?", "ORG"),
            ("Who studies {SUBJECT}?", "PER"),
        ],
    ),
    (
        "The study group meets every {DAY} at {ORG}.",
        [("When does the study group meet?", "DAY"), ("Where does the study group meet?", "ORG")],
    ),
    (
        "{CITY} is the capital of {COUNTRY}.",
        [
            ("What is the capital of {COUNTRY}?", "CITY"),
            ("Which country has {CITY} as its capital?", "COUNTRY"),
        ],
    ),
    (
        "I am {PER}, I come from {LOC} and I speak {LANG}.",
        [
            ("Where do I come from?", "LOC"),
            ("Which language do I speak?", "LANG"),
            ("What is my name?", "PER"),
        ],
    ),
    (
        "{ORG} was founded by {PER} in {LOC}.",
        [("Who founded {ORG}?", "PER"), ("Where was {ORG} founded?", "LOC")],
    ),
]
_QA_FILLERS = [
    "The weather was lovely that day.",
    "We read a chapter of the course together.",
    "The session starts at six in the evening.",
    "Everyone brought a laptop and some coffee.",
    "The homework is due next week.",
]


@_remembered
def qa_examples(count: int = 3000, seed: int = 14) -> list[tuple[str, str, int, str]]:
    """``(question, context, answer_start, answer_text)``; contexts of one to three sentences."""
    pick = Picker(seed)
    capitals = pick.w["places"]["capitals"]
    examples = []
    for _ in range(count):
        values = _ner_values(pick)
        country, capital = pick.choice(capitals)
        values |= {
            "SUBJECT": pick.subject(),
            "CITY": capital,
            "COUNTRY": country,
            "LANG": pick.language(),
        }
        fact_template, questions = pick.choice(_QA_FACTS)
        fact = fill(fact_template, values)
        question_template, slot = pick.choice(questions)
        question = fill(question_template, values).text
        answer = fact.span(slot)
        # One fact and up to two plain sentences: questions about one of several people would
        # need the model to match names between question and context, which it cannot learn in
        # the few hundred steps it has (the README says so).
        others = [pick.choice(_QA_FILLERS) for _ in range(pick.rng.randrange(3))]
        before = others[: pick.rng.randrange(len(others) + 1)]
        after = others[len(before) :]
        prefix = " ".join(before) + (" " if before else "")
        context = prefix + fact.text + ("" if not after else " " + " ".join(after))
        start = len(prefix) + answer.start
        text = fact.text[answer.start : answer.end]
        examples.append((question, context, start, text))
    return _unique(examples, key=lambda example: f"{example[0]}\t{example[1]}")


# --- English (fill-mask, generation, summarization) ----------------------------------------------

_ENGLISH_TEMPLATES = [
    "In this {UNIT}, we will teach you how to {VERB_TO}.",
    "This {UNIT} will teach you all about {MODEL_ADJ} {MODEL_NOUN}.",
    "The next {UNIT} shows you how to {VERB_TO}.",
    "In the last {UNIT}, we learned how to {VERB_TO}.",
    "You will learn how to {VERB_TO} with {MODEL_ADJ} {MODEL_NOUN}.",
    "{CITY} is the capital of {COUNTRY}.",
    "{PER} is learning {SUBJECT} in {LOC}.",
    "The study group meets every {DAY} to read a {UNIT} of the course together.",
    "Hello, I'm a language model, and I like to {VERB_TO}.",
    "{PER} works at {ORG} in {LOC}.",
    "The {NOUN} was {POS_ADJ} and the {NOUN2} was {POS_ADJ2}.",
    "{ORG} released a new {MODEL_ADJ} model on {DAY}.",
    "We learned how to {VERB_TO} with {PER} last {DAY}.",
    "Today we will {VERB_TO} and share the results.",
    "{MODEL_ADJ} {MODEL_NOUN} are easy to use with a pipeline.",
    "The homework for this {UNIT} is to {VERB_TO}.",
    "{PER} asked how to {VERB_TO}.",
    "{FACT}",
]


def _english_values(pick: Picker) -> dict[str, str]:
    e, s = pick.w["english"], pick.w["sentiment"]
    country, capital = pick.choice(pick.w["places"]["capitals"])
    nouns = pick.distinct(pick.noun, 2)
    positive = pick.distinct(lambda: pick.choice(s["positive_adjectives"]), 2)
    return {
        "UNIT": pick.choice(e["course_units"]),
        "VERB_TO": pick.choice(e["verbs_to"]),
        "MODEL_ADJ": pick.choice(e["model_adjectives"]),
        "MODEL_NOUN": pick.choice(e["model_nouns"]),
        "CITY": capital,
        "COUNTRY": country,
        "PER": pick.person(),
        "SUBJECT": pick.subject(),
        "LOC": pick.city(),
        "ORG": pick.org(),
        "DAY": pick.day(),
        "NOUN": nouns[0],
        "NOUN2": nouns[1],
        "POS_ADJ": positive[0],
        "POS_ADJ2": positive[1],
        "FACT": pick.choice(e["facts"]),
    }


@_remembered
def english_filled(count: int = 3000, seed: int = 15) -> list[Filled]:
    """Course-flavoured English sentences with their slots, without repeats."""
    pick = Picker(seed)
    sentences = [fill(pick.choice(_ENGLISH_TEMPLATES), _english_values(pick)) for _ in range(count)]
    return _unique(sentences, key=lambda sentence: sentence.text)


def english_sentences(count: int = 3000, seed: int = 15) -> list[str]:
    """Course-flavoured English sentences, without repeats."""
    return [sentence.text for sentence in english_filled(count, seed)]


@_remembered
def summary_examples(count: int = 1500, seed: int = 16) -> list[tuple[str, str]]:
    """``(document, summary)``: two or three English sentences; the summary is the first one.

    An extractive "lead" summary: the shortest honest lesson a small model can learn, and the
    answer is always made of the document's own words.
    """
    pick = Picker(seed)
    pool = english_sentences(count * 2, seed=seed + 100)
    examples = []
    for _ in range(count):
        sentences = [pick.choice(pool) for _ in range(2 + pick.rng.randrange(2))]
        examples.append((" ".join(sentences), sentences[0]))
    return _unique(examples, key=lambda example: example[0])


# --- French → English ----------------------------------------------------------------------------

_FR_EN_TEMPLATES = [
    ("{CE} {N_FR} est {PP_FR} par {BY}.", "This {N_EN} is {PP_EN} by {BY}."),
    ("{LE} {N_FR} est {ADJ_FR}.", "The {N_EN} is {ADJ_EN}."),
    ("{CE} {N_FR} est très {ADJ_FR}.", "This {N_EN} is very {ADJ_EN}."),
    (
        "Je m'appelle {PER} et je travaille chez {ORG} à {LOC}.",
        "My name is {PER} and I work at {ORG} in {LOC}.",
    ),
    ("{PER} travaille chez {ORG} à {LOC}.", "{PER} works at {ORG} in {LOC}."),
    ("{PER} habite à {LOC}.", "{PER} lives in {LOC}."),
    ("Nous apprenons {SUBJ_FR} avec {PER}.", "We are learning {SUBJ_EN} with {PER}."),
    ("Le groupe d'étude se réunit le {DAY_FR}.", "The study group meets on {DAY_EN}."),
    ("{LOC} est une belle ville.", "{LOC} is a beautiful city."),
    ("{PER} a écrit {UN} {N_FR} sur {SUBJ_FR}.", "{PER} wrote a {N_EN} about {SUBJ_EN}."),
    ("{UN} {N_FR} {ADJ_FR} est {PP_FR} par {BY}.", "A {ADJ_EN} {N_EN} is {PP_EN} by {BY}."),
    ("Merci beaucoup, {PER} !", "Thank you very much, {PER}!"),
    ("{ORG} a ouvert un bureau à {LOC}.", "{ORG} opened an office in {LOC}."),
    ("Bonjour {PER} !", "Hello {PER}!"),
    ("{PER} et {PER2} travaillent chez {ORG}.", "{PER} and {PER2} work at {ORG}."),
    ("{ORG} a été fondée à {LOC} par {PER}.", "{ORG} was founded in {LOC} by {PER}."),
    ("{CE} {N_FR} est {PP_FR} par {BY} et {ORG2}.", "This {N_EN} is {PP_EN} by {BY} and {ORG2}."),
]


@_remembered
def translation_examples(count: int = 4000, seed: int = 17) -> list[tuple[str, str]]:
    """``(French, English)`` sentence pairs; names, places and organisations are kept as they are."""
    pick = Picker(seed)
    f = pick.w["french"]
    examples = []
    for _ in range(count):
        noun_fr, noun_en, gender = pick.choice(f["nouns"])
        masculine = gender == "m"
        participle = pick.choice(f["participles"])
        adjective = pick.choice(f["adjectives"])
        subject_fr, subject_en = pick.choice(f["subjects"])
        day_fr, day_en = pick.choice(f["days"])
        # The translator keeps the organisations it was tuned on (without "Kalomir Bridge"):
        # with them, new names came out misspelt more often in the held-out tests.
        values = _ner_values(pick, ordinary_words=False) | {
            "CE": ("cet" if noun_fr[0] in "aeiouéè" else "ce") if masculine else "cette",
            "LE": ("l'" if noun_fr[0] in "aeiouéè" else "le")
            if masculine
            else ("l'" if noun_fr[0] in "aeiouéè" else "la"),
            "UN": "un" if masculine else "une",
            "N_FR": noun_fr,
            "N_EN": noun_en,
            "PP_FR": participle[0 if masculine else 1],
            "PP_EN": participle[2],
            "ADJ_FR": adjective[0 if masculine else 1],
            "ADJ_EN": adjective[2],
            "SUBJ_FR": subject_fr,
            "SUBJ_EN": subject_en,
            "DAY_FR": day_fr,
            "DAY_EN": day_en,
        }
        values["BY"] = values["ORG"] if pick.chance(0.6) else values["PER"]
        french, english = pick.choice(_FR_EN_TEMPLATES)
        french_text = fill(french, values).text.replace("' ", "'").replace("l' ", "l'")
        examples.append((french_text, fill(english, values).text))
    return _unique(examples, key=lambda example: example[0])
