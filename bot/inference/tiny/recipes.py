"""One recipe per offline model: corpus, tokenizer, configuration, training, saving.

Each model keeps the architecture family and tokenizer scheme of the course checkpoint it stands
in for (see :data:`RECIPES`), at a tiny size (hidden size 64, two layers), and is saved with
``save_pretrained`` so that it loads through the same code path as a hub checkpoint. Every
config carries ``studybot_tiny_model = true``.

A recipe runs in its own process with one torch thread and fixed seeds, so a build is the same
whichever worker runs it and whatever else runs beside it.

Dropout is set per model, since at this size it is a large share of a training step: a quarter of
the question answering model's forward pass, and on the attention probabilities it takes SDPA off
its fused kernel. A model trains without it unless its answers need it (the README has the runs):
NER keeps the library's 0.1, and so does the question answering model, which takes NER's config.
"""

from __future__ import annotations

import functools
import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.inference.tiny import corpora, training, vocab
from bot.inference.tiny.training import TrainingSettings

log = logging.getLogger(__name__)

#: Attribute set to ``True`` in every offline model's config.
TINY_MARKER = "studybot_tiny_model"

CONLL_LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
NLI_LABELS = ["contradiction", "neutral", "entailment"]
SENTIMENT_LABELS = ["NEGATIVE", "POSITIVE"]

_HIDDEN = 64
_LAYERS = 2
_FFN = 128


@dataclass(frozen=True)
class Recipe:
    """How to build one model directory."""

    directory: str
    #: What the progress messages call it ("Training the offline sentiment model…").
    title: str
    #: ``build(directory, after)``: train, save into ``directory``, say how the loss went.
    build: Callable[[Path, Path | None], training.Fitted]
    #: About the CPU seconds it takes, so that the longest chains of recipes start first.
    cost: int
    #: The model this one is fine-tuned from (built first), if any.
    after: str | None = None


def _labels(names: list[str]) -> dict[str, Any]:
    return {"id2label": dict(enumerate(names)), "label2id": {name: i for i, name in enumerate(names)}}


def _mark(config: Any) -> Any:
    setattr(config, TINY_MARKER, True)
    return config


def _seed(value: int) -> None:
    import torch

    torch.manual_seed(value)


def _save(directory: Path, model: Any, tokenizer: Any) -> None:
    model.eval()
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)


# --- shared tokenizer material (built once per process) ------------------------------------------


def _english_texts() -> list[str]:
    documents = [document for document, _ in corpora.summary_examples()]
    nli = corpora.nli_examples()
    premises = sorted({premise for premise, _, _ in nli})
    hypotheses = sorted({hypothesis for _, hypothesis, _ in nli})
    return corpora.english_sentences() + documents + premises + hypotheses


@functools.cache
def _cased_wordpiece() -> dict[str, int]:
    texts = [text for text, _ in corpora.ner_examples()]
    texts += [f"{question} {context}" for question, context, _, _ in corpora.qa_examples()]
    return vocab.wordpiece_vocab(texts + corpora.english_sentences(), lowercase=False, size=1400)


@functools.cache
def _uncased_wordpiece() -> dict[str, int]:
    texts = [text for text, _ in corpora.sentiment_examples() + corpora.negated_sentiment_examples()]
    return vocab.wordpiece_vocab(texts + corpora.english_sentences(), lowercase=True, size=1200)


@functools.cache
def _byte_level_bpe() -> tuple[list[str], list[tuple[str, str]]]:
    return vocab.byte_level_bpe(_english_texts(), size=1400)


def _roberta_tokenizer(max_length: int) -> Any:
    """RoBERTa / BART layout: ``<s> <pad> </s> <unk>``, the BPE tokens, ``<mask>`` last.

    ``<mask>`` takes the space before it, as in roberta-base's and bart-large's own tokenizers
    (transformers 5's ``RobertaTokenizer`` no longer sets that itself): "about <mask> models" is
    then ``Ġabout <mask> Ġmodels``, the shape masked-LM training gave the model (a whole word,
    its space included, masked), instead of an extra lone ``Ġ`` before the mask, which also left
    two spaces in the filled-in sentence.
    """
    from transformers import AddedToken, RobertaTokenizer

    tokens, merges = _byte_level_bpe()
    ids: dict[str, int] = {}
    for token in ["<s>", "<pad>", "</s>", "<unk>", *tokens, "<mask>"]:
        ids.setdefault(token, len(ids))
    tokenizer = RobertaTokenizer(vocab=ids, merges=_as_merges(merges), model_max_length=max_length)
    mask = AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True)
    tokenizer.add_special_tokens({"mask_token": mask})  # the same id: it is already the last token
    return tokenizer


def _bert_tokenizer(*, lowercase: bool, distil: bool = False) -> Any:
    from transformers import BertTokenizer, DistilBertTokenizer

    ids = _uncased_wordpiece() if lowercase else _cased_wordpiece()
    kind = DistilBertTokenizer if distil else BertTokenizer
    return kind(vocab=ids, do_lower_case=lowercase, model_max_length=512)


# --- the models ----------------------------------------------------------------------------------


def build_sentiment(directory: Path, after: Path | None = None) -> training.Fitted:
    """DistilBERT (uncased WordPiece), binary sentiment, like distilbert-base-uncased-finetuned-sst-2.

    It also learns negation (:func:`corpora.negated_sentiment_examples`: "was not helpful" is
    NEGATIVE, "I don't hate it" POSITIVE), the first thing many members try. That takes 800 steps
    at 1.5e-3 instead of 100 at 3e-3 (about 8 s of CPU more): at 3e-3 the training loss stalls
    near 0.1 and the plain held-out sentences suffer; in 100 to 400 steps the course's negative
    sentence came out POSITIVE. The batches' seed matters: of seeds 1 to 5, 2 and 4 pass both
    held-out tests (12 of 13 negations, 8 of 8 plain sentences); 1, 3 and 5 get 10–12 of 13 and
    6–7 of 8, still far above the model without negation (about 5 of 13). The pinned kernels
    (``build.KERNEL_ENVIRONMENT``) make seed 2 give these weights on every host.
    """
    from transformers import DataCollatorWithPadding, DistilBertConfig, DistilBertForSequenceClassification

    tokenizer = _bert_tokenizer(lowercase=True, distil=True)
    config = _mark(
        DistilBertConfig(
            vocab_size=len(tokenizer),
            dim=_HIDDEN,
            n_layers=_LAYERS,
            n_heads=2,
            hidden_dim=_FFN,
            max_position_embeddings=512,
            dropout=0.0,  # see the module docstring on dropout
            attention_dropout=0.0,
            pad_token_id=tokenizer.pad_token_id,
            **_labels(SENTIMENT_LABELS),
        )
    )
    _seed(1)
    model = DistilBertForSequenceClassification(config)
    examples = corpora.sentiment_examples() + corpora.negated_sentiment_examples()
    features = training.classification_features(
        tokenizer, [text for text, _ in examples], [label for _, label in examples]
    )
    settings = TrainingSettings(steps=800, batch_size=32, learning_rate=1.5e-3, seed=2)
    fitted = training.fit(model, features, DataCollatorWithPadding(tokenizer, return_tensors="pt"), settings)
    _save(directory, model, tokenizer)
    return fitted


def build_ner(directory: Path, after: Path | None = None) -> training.Fitted:
    """BERT (cased WordPiece), CoNLL-03 labels, like dbmdz/bert-large-cased-finetuned-conll03-english."""
    from transformers import BertConfig, BertForTokenClassification, DataCollatorForTokenClassification

    tokenizer = _bert_tokenizer(lowercase=False)
    config = _mark(
        BertConfig(
            vocab_size=len(tokenizer),
            hidden_size=_HIDDEN,
            num_hidden_layers=_LAYERS,
            num_attention_heads=2,  # as the attention tests' stand-in: 2 layers × 2 heads
            intermediate_size=_FFN,
            max_position_embeddings=512,
            pad_token_id=tokenizer.pad_token_id,
            # The library's dropout (0.1) stays: without it "Brooklyn" came out as two entities.
            **_labels(CONLL_LABELS),
        )
    )
    _seed(2)
    model = BertForTokenClassification(config)
    features = training.token_classification_features(tokenizer, corpora.ner_examples(), config.label2id)
    settings = TrainingSettings(steps=600, batch_size=32, learning_rate=3e-3, seed=2)
    fitted = training.fit(
        model, features, DataCollatorForTokenClassification(tokenizer, return_tensors="pt"), settings
    )
    _save(directory, model, tokenizer)
    return fitted


def build_question_answering(directory: Path, after: Path | None = None) -> training.Fitted:
    """BERT (cased WordPiece) with span start / end logits, like distilbert-base-cased-distilled-squad.

    It is fine-tuned from the named-entity model's encoder (``after``), as the course fine-tunes a
    pretrained model: the encoder already knows where names begin and end, so the question
    answering head learns in fewer steps which of them a question asks for.
    """
    from transformers import (
        BertConfig,
        BertForQuestionAnswering,
        BertForTokenClassification,
        DataCollatorWithPadding,
    )

    if after is None:
        raise ValueError("the question answering model starts from the named-entity model")
    tokenizer = _bert_tokenizer(lowercase=False)
    encoder = BertForTokenClassification.from_pretrained(after)
    shape = {
        key: value for key, value in encoder.config.to_dict().items() if key not in ("id2label", "label2id")
    }
    config = BertConfig.from_dict(shape)
    _seed(3)
    model = BertForQuestionAnswering(config)
    model.bert.load_state_dict(encoder.bert.state_dict())
    features = training.question_answering_features(tokenizer, corpora.qa_examples())
    settings = TrainingSettings(steps=800, batch_size=32, learning_rate=2e-3, seed=3)
    fitted = training.fit(model, features, DataCollatorWithPadding(tokenizer, return_tensors="pt"), settings)
    _save(directory, model, tokenizer)
    return fitted


def build_fill_mask(directory: Path, after: Path | None = None) -> training.Fitted:
    """RoBERTa (byte-level BPE, ``<mask>``), masked LM, like distilroberta-base.

    Weights drawn at 0.05 instead of RoBERTa's 0.02 and a learning rate of 6e-3 instead of 3e-3:
    in the same 500 steps, one word masked in each of 150 held-out corpus sentences is the top
    guess 55% of the time instead of 51%, and among the five guesses 75% instead of 69%
    (``benchmarks/tiny_quality.py``).
    """
    from transformers import DataCollatorForLanguageModeling, RobertaConfig, RobertaForMaskedLM

    tokenizer = _roberta_tokenizer(512)
    config = _mark(
        RobertaConfig(
            vocab_size=len(tokenizer),
            hidden_size=_HIDDEN,
            num_hidden_layers=_LAYERS,
            num_attention_heads=4,
            intermediate_size=_FFN,
            max_position_embeddings=514,
            attention_probs_dropout_prob=0.0,  # keeps SDPA on its fused kernel
            initializer_range=0.05,
            type_vocab_size=1,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
        )
    )
    _seed(4)
    model = RobertaForMaskedLM(config)
    features = training.masked_lm_features(tokenizer, corpora.english_sentences())
    # Twice BERT's 15% of the tokens masked: twice the words to guess per step, for the same cost.
    collate = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.3, return_tensors="pt")
    settings = TrainingSettings(steps=500, batch_size=32, learning_rate=6e-3, seed=4)
    fitted = training.fit(model, features, collate, settings)
    _save(directory, model, tokenizer)
    return fitted


def _bart_config(vocab_size: int, **extra: Any) -> Any:
    from transformers import BartConfig

    return _mark(
        BartConfig(
            vocab_size=vocab_size,
            d_model=_HIDDEN,
            encoder_layers=_LAYERS,
            decoder_layers=_LAYERS,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            encoder_ffn_dim=_FFN,
            decoder_ffn_dim=_FFN,
            max_position_embeddings=1024,
            dropout=0.0,
            pad_token_id=1,
            bos_token_id=0,
            eos_token_id=2,
            decoder_start_token_id=2,
            forced_eos_token_id=2,
            **extra,
        )
    )


def build_zero_shot(directory: Path, after: Path | None = None, *, seed: int = 12) -> training.Fitted:
    """BART (byte-level BPE) NLI classifier, like facebook/bart-large-mnli.

    Three choices make it learn the topic rather than its examples' sentence frames (README,
    "Offline models", has the runs; ``benchmarks/zero_shot_seeds.py`` repeats them):

    - weights drawn with a standard deviation of 0.1 instead of BART's 0.02 (chosen for a hidden
      size of 1,024; at 64 the model barely fitted its examples in the steps it has);
    - position embeddings that start at zero, so that at first a premise is a bag of words and
      where its topic stands is not the first thing learned;
    - :func:`corpora.padded_nli_examples`: most premises also appear with another sentence around
      them.

    With them each of the seeds 5 to 12 passes the tests' checks (one of them did before). The
    seed stays fixed, and the pinned kernels (``build.KERNEL_ENVIRONMENT``) give its weights on
    every host.
    """
    from transformers import BartForSequenceClassification, DataCollatorWithPadding

    tokenizer = _roberta_tokenizer(1024)
    config = _bart_config(len(tokenizer), init_std=0.1, **_labels(NLI_LABELS))
    _seed(seed)
    model = BartForSequenceClassification(config)
    _without_positions(model)
    examples = corpora.padded_nli_examples()
    features = training.classification_features(
        tokenizer,
        [(premise, hypothesis) for premise, hypothesis, _ in examples],
        [label for *_, label in examples],
    )
    settings = TrainingSettings(steps=1100, batch_size=24, learning_rate=1.5e-3, seed=seed, curriculum=0.15)
    fitted = training.fit(model, features, DataCollatorWithPadding(tokenizer, return_tensors="pt"), settings)
    _save(directory, model, tokenizer)
    return fitted


def _without_positions(model: Any) -> None:
    """Zero a BART model's learned position embeddings (encoder and decoder); training moves them."""
    import torch

    with torch.no_grad():
        for positions in (model.model.encoder.embed_positions, model.model.decoder.embed_positions):
            positions.weight.zero_()


#: Like distilbart-cnn's task_specific_params, shorter. The prefix is not in the real BART
#: configs; it is here so that the tests cover the v4 pipelines' prefix path (T5 uses one).
SUMMARIZATION_PARAMS = {
    "early_stopping": True,
    "length_penalty": 2.0,
    "max_length": 40,
    "min_length": 8,
    "no_repeat_ngram_size": 3,
    "num_beams": 2,
    "prefix": "summarize: ",
}


def _sinusoidal_positions(model: Any, scale: float = 0.1) -> None:
    """Start BART's learned position embeddings (encoder and decoder) from one sinusoidal table.

    Copying the first sentence means attending from decoder position *i* to encoder position
    *i* plus the prefix: with the same smooth table on both sides that alignment is there from
    the first step, and the copy is learned in about half the steps random positions need.
    """
    import math

    import torch

    with torch.no_grad():
        for embedding in (model.model.encoder.embed_positions, model.model.decoder.embed_positions):
            rows, width = embedding.weight.shape
            position = torch.arange(rows, dtype=torch.float32).unsqueeze(1)
            frequency = torch.exp(
                torch.arange(0, width, 2, dtype=torch.float32) * (-math.log(10000.0) / width)
            )
            table = torch.zeros(rows, width)
            table[:, 0::2] = torch.sin(position * frequency)
            table[:, 1::2] = torch.cos(position * frequency)
            embedding.weight.copy_(table * scale)


def build_summarization(directory: Path, after: Path | None = None, *, seed: int = 6) -> training.Fitted:
    """BART (byte-level BPE) trained to copy a text's first sentence, like distilbart-cnn-12-6.

    Its weights are drawn with a standard deviation of 0.05 instead of BART's 0.02 (made for a
    hidden size of 1,024), for the reason the zero-shot model's are: at 64 the model fits slowly.
    In the same 400 steps it copies more of a held-out document's first sentence exactly (on
    seeds 6, 21, 31 and 41: 29–36 of 65 documents against 19–26, and 55–57 of 65 summaries
    mostly the text's words against 41–51; ``benchmarks/summarization_seeds.py``).
    """
    from transformers import BartForConditionalGeneration, DataCollatorForSeq2Seq, GenerationConfig

    tokenizer = _roberta_tokenizer(1024)
    config = _bart_config(
        len(tokenizer), init_std=0.05, task_specific_params={"summarization": SUMMARIZATION_PARAMS}
    )
    _seed(seed)
    model = BartForConditionalGeneration(config)
    # Like distilbart-cnn, the generation config repeats length settings (here a little
    # different from task_specific_params, so the tests see which one wins).
    model.generation_config = GenerationConfig(
        bos_token_id=0,
        eos_token_id=2,
        pad_token_id=1,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        early_stopping=True,
        length_penalty=2.0,
        max_length=48,
        min_length=8,
        no_repeat_ngram_size=3,
        num_beams=3,
    )
    _sinusoidal_positions(model)
    examples = corpora.summary_examples()
    prefix = str(SUMMARIZATION_PARAMS["prefix"])
    features = training.seq2seq_features(
        tokenizer, [prefix + document for document, _ in examples], [summary for _, summary in examples]
    )
    collate = DataCollatorForSeq2Seq(tokenizer, model=model, return_tensors="pt")
    settings = TrainingSettings(steps=400, batch_size=32, learning_rate=4e-3, seed=seed)
    fitted = training.fit(model, features, collate, settings)
    _save(directory, model, tokenizer)
    return fitted


#: gpt2's ``task_specific_params`` (config.json), which transformers 4 pipelines applied.
GPT2_TASK_PARAMS: dict[str, Any] = {
    "task_specific_params": {"text-generation": {"do_sample": True, "max_length": 50}}
}


def _as_merges(merges: list[tuple[str, str]]) -> Any:
    """The BPE merges as the tokenizers take them (pairs; their stubs say strings)."""
    return merges


def build_text_generation(directory: Path, after: Path | None = None) -> training.Fitted:
    """GPT-2 (byte-level BPE, ``Ġ``), causal LM on the English corpus, like openai-community/gpt2.

    Weights drawn at 0.05 instead of GPT-2's 0.02 and a learning rate of 1e-2 instead of 3e-3: in
    the same 150 steps its loss on 200 held-out corpus sentences falls to 2.30 instead of 2.77 (as
    low as 300 steps gave the old recipe; ``benchmarks/tiny_quality.py``), so what it samples
    reads more like the corpus.
    """
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2Tokenizer

    tokens, merges = _byte_level_bpe()
    ids: dict[str, int] = {}
    for token in [*tokens, "<|endoftext|>"]:
        ids.setdefault(token, len(ids))
    eos = ids["<|endoftext|>"]
    tokenizer = GPT2Tokenizer(vocab=ids, merges=_as_merges(merges), model_max_length=1024)
    config = _mark(
        GPT2Config(
            vocab_size=len(ids),
            n_positions=1024,
            n_embd=_HIDDEN,
            n_layer=_LAYERS,
            n_head=2,
            n_inner=_FFN,
            resid_pdrop=0.0,
            embd_pdrop=0.0,
            attn_pdrop=0.0,
            initializer_range=0.05,
            bos_token_id=eos,
            eos_token_id=eos,
            # As in gpt2's own config: the course's pipeline samples (a config attribute the
            # stubs do not list).
            **GPT2_TASK_PARAMS,
        )
    )
    _seed(7)
    model = GPT2LMHeadModel(config)
    documents = [document for document, _ in corpora.summary_examples()] + corpora.english_sentences()
    features = training.language_model_blocks(tokenizer, documents, block=32, separator_id=eos)
    settings = TrainingSettings(steps=150, batch_size=32, learning_rate=1e-2, seed=7)
    fitted = training.fit(model, features, training.stacked, settings)
    _save(directory, model, tokenizer)
    return fitted


def build_translation(directory: Path, after: Path | None = None) -> training.Fitted:
    """Marian fr→en with one sentencepiece model for both sides (opus-mt layout).

    The generation config follows opus-mt's (``max_length`` shortened to keep tests fast).
    """
    import sentencepiece
    from transformers import (
        DataCollatorForSeq2Seq,
        GenerationConfig,
        MarianConfig,
        MarianMTModel,
        MarianTokenizer,
    )

    examples = corpora.translation_examples()
    spm_bytes = vocab.sentencepiece_model([text for pair in examples for text in pair], size=1000)
    processor = sentencepiece.SentencePieceProcessor(model_proto=spm_bytes)
    ids = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    pad = len(ids)
    ids["<pad>"] = pad
    config = _mark(
        MarianConfig(
            vocab_size=len(ids),
            d_model=_HIDDEN,
            encoder_layers=_LAYERS,
            decoder_layers=_LAYERS,
            encoder_attention_heads=4,
            decoder_attention_heads=4,
            encoder_ffn_dim=_FFN,
            decoder_ffn_dim=_FFN,
            max_position_embeddings=512,
            dropout=0.0,
            pad_token_id=pad,
            decoder_start_token_id=pad,
            eos_token_id=0,
            forced_eos_token_id=0,
            scale_embedding=True,
            activation_function="swish",
        )
    )
    _seed(8)
    model = MarianMTModel(config)
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        max_length=48,
        num_beams=3,
        pad_token_id=pad,
        renormalize_logits=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        spm_path = Path(tmp) / "source.spm"
        spm_path.write_bytes(spm_bytes)
        vocab_path = Path(tmp) / "vocab.json"
        vocab_path.write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
        tokenizer = MarianTokenizer(
            source_spm=str(spm_path),
            target_spm=str(spm_path),
            vocab=str(vocab_path),
            source_lang="fr",
            target_lang="en",
            model_max_length=512,
        )
        features = training.seq2seq_features(
            tokenizer, [fr for fr, _ in examples], [en for _, en in examples]
        )
        collate = DataCollatorForSeq2Seq(tokenizer, model=model, return_tensors="pt")
        settings = TrainingSettings(steps=1000, batch_size=24, learning_rate=5e-3, seed=8)
        fitted = training.fit(model, features, collate, settings)
        _save(directory, model, tokenizer)
    return fitted


def _critical_path(recipe: Recipe, recipes: list[Recipe]) -> int:
    """A recipe's cost plus that of the longest chain of recipes that start from it."""
    following = [other for other in recipes if other.after == recipe.directory]
    return recipe.cost + max((_critical_path(other, recipes) for other in following), default=0)


def _in_build_order(recipes: list[Recipe]) -> dict[str, Recipe]:
    """Longest chain first, so that two workers finish at about the same time."""
    ordered = sorted(recipes, key=lambda recipe: -_critical_path(recipe, recipes))
    return {recipe.directory: recipe for recipe in ordered}


#: Every model, by directory name, in build order. ``cost`` is about the CPU seconds of a build.
RECIPES: dict[str, Recipe] = _in_build_order(
    [
        Recipe("tiny-sentiment-analysis", "sentiment", build_sentiment, 12),
        Recipe("tiny-zero-shot-classification", "zero-shot (NLI)", build_zero_shot, 55),
        Recipe("tiny-text-generation", "text generation", build_text_generation, 8),
        Recipe("tiny-fill-mask", "fill-mask", build_fill_mask, 15),
        Recipe("tiny-ner", "named-entity", build_ner, 18),
        Recipe(
            "tiny-question-answering", "question answering", build_question_answering, 30, after="tiny-ner"
        ),
        Recipe("tiny-summarization", "summarization", build_summarization, 26),
        Recipe("tiny-translation", "French → English translation", build_translation, 35),
    ]
)
