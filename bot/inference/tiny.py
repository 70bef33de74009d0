"""Tiny, randomly initialised models with real tokenizers for every task, built offline.

The tiny profile (``MODEL_PROFILE=tiny``), the offline console and the tests use these models
instead of hub checkpoints. Each one is a small config of the same architecture family as the
course default (DistilBERT, BERT, RoBERTa, BART, GPT-2, Marian), with a tokenizer built locally
from ``tiny_corpus.txt`` (a small English + French corpus bundled next to this module), saved
with ``save_pretrained`` so it loads through exactly the same code path as a hub checkpoint.

The build is deterministic (fixed seeds, hand-built WordPiece vocabularies, BPE and
sentencepiece trainers run single-threaded on a fixed corpus), so two builds are
byte-identical, and idempotent: a stamp file marks a complete build, and a second call on a
complete directory does nothing.

Every config carries ``studybot_tiny_model = true`` and every directory is named
``tiny-<task>``, so outputs can be labelled as coming from an untrained tiny model.
"""

from __future__ import annotations

import collections
import io
import json
import logging
import shutil
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Bump when the built files change, so existing tiny directories are rebuilt.
TINY_FORMAT_VERSION = 1
#: Written last into the destination directory: its presence marks a complete build.
STAMP_FILE = ".studybot-tiny.json"
#: Attribute set to ``True`` in every tiny model's config.
TINY_MARKER = "studybot_tiny_model"
#: How outputs of these models should be labelled wherever they are shown.
TINY_LABEL = "untrained tiny model"

CORPUS_PATH = Path(__file__).with_name("tiny_corpus.txt")

_SEED = 1234
_HIDDEN = 64
_LAYERS = 2
_HEADS = 2
_FFN = 128
# Large enough that outputs are not flat and greedy decoding has no ties (see NOTES.md).
_INIT_RANGE = 0.2

#: The directory (under the tiny root) that serves each task. The tokenize task reuses the
#: cased BERT of the NER model, as the course's bert-base-cased is a cased BERT; so does the
#: attention task (its AutoModel loads the BERT encoder without the NER head).
TASK_DIRS: dict[str, str] = {
    "sentiment-analysis": "tiny-sentiment-analysis",
    "zero-shot-classification": "tiny-zero-shot-classification",
    "text-generation": "tiny-text-generation",
    "fill-mask": "tiny-fill-mask",
    "ner": "tiny-ner",
    "question-answering": "tiny-question-answering",
    "summarization": "tiny-summarization",
    "translation": "tiny-translation",
    "tokenize": "tiny-ner",
    "attention": "tiny-ner",
}

CONLL_LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
NLI_LABELS = ["contradiction", "neutral", "entailment"]
SENTIMENT_LABELS = ["NEGATIVE", "POSITIVE"]


def tiny_model_dir(root: Path, task: str) -> Path:
    """Return the directory of the tiny model serving ``task`` under ``root`` (built or not)."""
    try:
        return Path(root) / TASK_DIRS[task]
    except KeyError:
        raise ValueError(f"no tiny model for task {task!r}") from None


def is_tiny_config(config: Any) -> bool:
    """Whether a model config comes from :func:`build_tiny_models`."""
    return bool(getattr(config, TINY_MARKER, False))


def is_tiny_model_dir(path: str | Path) -> bool:
    """Whether ``path`` is a directory holding a tiny model (its config.json carries the marker)."""
    try:
        config = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and config.get(TINY_MARKER) is True


def build_tiny_models(dest: Path) -> dict[str, Path]:
    """Build every tiny model under ``dest`` (no network) and return ``{task: directory}``.

    A no-op when ``dest`` already holds a complete build of this format version and
    transformers version. Otherwise the models are built in a temporary directory inside
    ``dest`` and moved into place, and the stamp file is written last.
    """
    import transformers

    dest = Path(dest)
    paths = {task: tiny_model_dir(dest, task) for task in TASK_DIRS}
    stamp = {"format": TINY_FORMAT_VERSION, "transformers": transformers.__version__, "tasks": TASK_DIRS}
    stamp_path = dest / STAMP_FILE
    if _stamp_matches(stamp_path, stamp) and all(path.is_dir() for path in paths.values()):
        log.debug("tiny models already built in %s", dest)
        return paths

    dest.mkdir(parents=True, exist_ok=True)
    stamp_path.unlink(missing_ok=True)
    log.info("building tiny models in %s", dest)
    with tempfile.TemporaryDirectory(dir=dest, prefix=".building-") as tmp:
        staging = Path(tmp)
        _build_all(staging)
        for name in sorted(set(TASK_DIRS.values())):
            target = dest / name
            if target.exists():
                shutil.rmtree(target)
            (staging / name).replace(target)
    stamp_path.write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return paths


def _stamp_matches(stamp_path: Path, expected: dict[str, Any]) -> bool:
    try:
        return json.loads(stamp_path.read_text(encoding="utf-8")) == expected
    except (OSError, ValueError):
        return False


def _build_all(root: Path) -> None:
    """Build every tiny model directory under ``root``."""
    from transformers.utils import logging as hf_logging

    lines = corpus_lines()
    cased_vocab = wordpiece_vocab(lines, lowercase=False)
    uncased_vocab = wordpiece_vocab(lines, lowercase=True)
    bpe_tokens, bpe_merges = byte_level_bpe(lines)

    builders: list[tuple[str, Callable[[Path], None]]] = [
        ("tiny-sentiment-analysis", lambda d: _build_sentiment(d, uncased_vocab)),
        ("tiny-ner", lambda d: _build_ner(d, cased_vocab)),
        ("tiny-question-answering", lambda d: _build_question_answering(d, cased_vocab)),
        ("tiny-fill-mask", lambda d: _build_fill_mask(d, bpe_tokens, bpe_merges)),
        ("tiny-zero-shot-classification", lambda d: _build_zero_shot(d, bpe_tokens, bpe_merges)),
        ("tiny-text-generation", lambda d: _build_text_generation(d, bpe_tokens, bpe_merges)),
        ("tiny-summarization", lambda d: _build_summarization(d, bpe_tokens, bpe_merges)),
        ("tiny-translation", lambda d: _build_translation(d, lines)),
    ]
    verbosity = hf_logging.get_verbosity()
    progress_bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        for name, build in builders:
            build(root / name)
    finally:
        hf_logging.set_verbosity(verbosity)
        if progress_bars:
            hf_logging.enable_progress_bar()


# --- corpus and tokenizer material -------------------------------------------------------


def corpus_lines() -> list[str]:
    """The bundled corpus, one sentence a line, comments and blank lines removed."""
    text = CORPUS_PATH.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


_WORDPIECE_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_WORDPIECE_SUFFIXES = ["s", "es", "ed", "ing", "er", "ers", "ly", "tion", "ment", "ent", "ion", "al", "ity"]
_ASCII_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"()-[]/&%$@#*+="


def wordpiece_vocab(lines: list[str], *, lowercase: bool) -> dict[str, int]:
    """A WordPiece vocabulary built by hand (the WordPiece trainer is not deterministic).

    Layout: the BERT special tokens, every character of the corpus (and ASCII), the same
    characters as ``##`` continuations, a few common suffixes, then every word seen at least
    twice, most frequent first. Rarer words are split into pieces, as in a real BERT.
    """
    from tokenizers import normalizers, pre_tokenizers

    normalizer = normalizers.BertNormalizer(lowercase=lowercase, strip_accents=lowercase)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    counts: collections.Counter[str] = collections.Counter()
    for line in lines:
        words = pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(line))
        counts.update(word for word, _ in words)

    chars = sorted(set("".join(counts)) | set(_ASCII_CHARS.lower() if lowercase else _ASCII_CHARS))
    tokens = [*_WORDPIECE_SPECIALS, *chars, *(f"##{c}" for c in chars)]
    tokens += [f"##{suffix}" for suffix in _WORDPIECE_SUFFIXES]
    frequent = sorted((word for word, n in counts.items() if n >= 2), key=lambda w: (-counts[w], w))
    tokens += frequent
    vocab: dict[str, int] = {}
    for token in tokens:
        vocab.setdefault(token, len(vocab))
    return vocab


def byte_level_bpe(lines: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Train a byte-level BPE (GPT-2 / RoBERTa style) on the corpus.

    Returns the tokens ordered by id, without special tokens, and the merges.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=1000,
        min_frequency=2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    tokenizer.train_from_iterator(lines, trainer=trainer)
    model = json.loads(tokenizer.to_str())["model"]
    tokens = [token for token, _ in sorted(model["vocab"].items(), key=lambda item: item[1])]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in model["merges"]]
    return tokens, merges


def sentencepiece_model(lines: list[str], vocab_size: int = 500) -> bytes:
    """Train a sentencepiece unigram model (``</s>`` = 0, ``<unk>`` = 1, as in opus-mt)."""
    import sentencepiece

    buffer = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buffer,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,
        shuffle_input_sentence=False,
        minloglevel=2,
        bos_id=-1,
        eos_id=0,
        unk_id=1,
        pad_id=-1,
        eos_piece="</s>",
        unk_piece="<unk>",
    )
    return buffer.getvalue()


# --- one builder per task ----------------------------------------------------------------


def _mark_tiny(config: Any) -> None:
    setattr(config, TINY_MARKER, True)


def _labels(names: list[str]) -> dict[str, Any]:
    return {"id2label": dict(enumerate(names)), "label2id": {name: i for i, name in enumerate(names)}}


def _bert_config(vocab: dict[str, int], **extra: Any) -> Any:
    from transformers import BertConfig

    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=_HIDDEN,
        num_hidden_layers=_LAYERS,
        num_attention_heads=_HEADS,
        intermediate_size=_FFN,
        max_position_embeddings=512,
        initializer_range=_INIT_RANGE,
        pad_token_id=vocab["[PAD]"],
        **extra,
    )
    _mark_tiny(config)
    return config


def _initialise_weights(model: Any) -> None:
    """Give every parameter deterministic random values that depend only on its name and shape.

    This keeps the tiny weights (and so the committed v4 reference outputs) independent of the
    order in which a transformers release happens to initialise modules. Norm weights stay
    near 1, biases near 0, other weights are N(0, 0.2); sinusoidal position tables are kept.
    """
    import torch

    norm_parameters = {
        id(parameter)
        for module in model.modules()
        if isinstance(module, torch.nn.LayerNorm)
        for parameter in module.parameters(recurse=False)
    }
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "embed_positions" in name and model.config.model_type == "marian":
                continue
            generator = torch.Generator().manual_seed(zlib.crc32(f"{_SEED}:{name}".encode()))
            noise = torch.randn(parameter.shape, generator=generator, dtype=torch.float32)
            if id(parameter) in norm_parameters and name.endswith("weight"):
                value = 1.0 + 0.1 * noise
            elif name.endswith("bias"):
                value = 0.1 * noise
            else:
                value = _INIT_RANGE * noise
            parameter.copy_(value)


def _save(directory: Path, model: Any, tokenizer: Any) -> None:
    _initialise_weights(model)
    model.eval()
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)


def _build_sentiment(directory: Path, vocab: dict[str, int]) -> None:
    from transformers import DistilBertConfig, DistilBertForSequenceClassification, DistilBertTokenizer

    config = DistilBertConfig(
        vocab_size=len(vocab),
        dim=_HIDDEN,
        n_layers=_LAYERS,
        n_heads=_HEADS,
        hidden_dim=_FFN,
        max_position_embeddings=512,
        initializer_range=_INIT_RANGE,
        pad_token_id=vocab["[PAD]"],
        **_labels(SENTIMENT_LABELS),
    )
    _mark_tiny(config)
    tokenizer = DistilBertTokenizer(vocab=vocab, do_lower_case=True, model_max_length=512)
    _save(directory, DistilBertForSequenceClassification(config), tokenizer)


def _build_ner(directory: Path, vocab: dict[str, int]) -> None:
    from transformers import BertForTokenClassification, BertTokenizer

    config = _bert_config(vocab, **_labels(CONLL_LABELS))
    tokenizer = BertTokenizer(vocab=vocab, do_lower_case=False, model_max_length=512)
    _save(directory, BertForTokenClassification(config), tokenizer)


def _build_question_answering(directory: Path, vocab: dict[str, int]) -> None:
    from transformers import BertForQuestionAnswering, BertTokenizer

    config = _bert_config(vocab)
    tokenizer = BertTokenizer(vocab=vocab, do_lower_case=False, model_max_length=512)
    _save(directory, BertForQuestionAnswering(config), tokenizer)


def _roberta_vocab(bpe_tokens: list[str]) -> dict[str, int]:
    """RoBERTa / BART layout: ``<s> <pad> </s> <unk>``, the BPE tokens, ``<mask>`` last."""
    vocab: dict[str, int] = {}
    for token in ["<s>", "<pad>", "</s>", "<unk>", *bpe_tokens, "<mask>"]:
        vocab.setdefault(token, len(vocab))
    return vocab


def _build_fill_mask(directory: Path, bpe_tokens: list[str], merges: list[tuple[str, str]]) -> None:
    from transformers import RobertaConfig, RobertaForMaskedLM, RobertaTokenizer

    vocab = _roberta_vocab(bpe_tokens)
    config = RobertaConfig(
        vocab_size=len(vocab),
        hidden_size=_HIDDEN,
        num_hidden_layers=_LAYERS,
        num_attention_heads=_HEADS,
        intermediate_size=_FFN,
        max_position_embeddings=514,
        type_vocab_size=1,
        initializer_range=_INIT_RANGE,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    _mark_tiny(config)
    tokenizer = RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=512)
    _save(directory, RobertaForMaskedLM(config), tokenizer)


def _bart_config(vocab: dict[str, int], **extra: Any) -> Any:
    from transformers import BartConfig

    config = BartConfig(
        vocab_size=len(vocab),
        d_model=_HIDDEN,
        encoder_layers=_LAYERS,
        decoder_layers=_LAYERS,
        encoder_attention_heads=_HEADS,
        decoder_attention_heads=_HEADS,
        encoder_ffn_dim=_FFN,
        decoder_ffn_dim=_FFN,
        max_position_embeddings=1024,
        init_std=_INIT_RANGE,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
        **extra,
    )
    _mark_tiny(config)
    return config


def _build_zero_shot(directory: Path, bpe_tokens: list[str], merges: list[tuple[str, str]]) -> None:
    from transformers import BartForSequenceClassification, RobertaTokenizer

    vocab = _roberta_vocab(bpe_tokens)
    config = _bart_config(vocab, **_labels(NLI_LABELS))
    tokenizer = RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=1024)
    _save(directory, BartForSequenceClassification(config), tokenizer)


def _build_summarization(directory: Path, bpe_tokens: list[str], merges: list[tuple[str, str]]) -> None:
    """A BART summarizer whose ``task_specific_params`` mimic distilbart-cnn's (shorter).

    The prefix is not in the real BART configs; it is here so the tests cover the prefix path
    of the v4 pipelines (T5 checkpoints use one).
    """
    from transformers import BartForConditionalGeneration, GenerationConfig, RobertaTokenizer

    vocab = _roberta_vocab(bpe_tokens)
    summarization = {
        "early_stopping": True,
        "length_penalty": 2.0,
        "max_length": 40,
        "min_length": 8,
        "no_repeat_ngram_size": 3,
        "num_beams": 2,
        "prefix": "summarize: ",
    }
    config = _bart_config(vocab, task_specific_params={"summarization": summarization})
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
    tokenizer = RobertaTokenizer(vocab=vocab, merges=merges, model_max_length=1024)
    _save(directory, model, tokenizer)


def _build_text_generation(directory: Path, bpe_tokens: list[str], merges: list[tuple[str, str]]) -> None:
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2Tokenizer

    vocab: dict[str, int] = {}
    for token in [*bpe_tokens, "<|endoftext|>"]:
        vocab.setdefault(token, len(vocab))
    eos = vocab["<|endoftext|>"]
    config = GPT2Config(
        vocab_size=len(vocab),
        n_positions=1024,
        n_embd=_HIDDEN,
        n_layer=_LAYERS,
        n_head=_HEADS,
        n_inner=_FFN,
        initializer_range=_INIT_RANGE,
        bos_token_id=eos,
        eos_token_id=eos,
    )
    _mark_tiny(config)
    tokenizer = GPT2Tokenizer(vocab=vocab, merges=merges, model_max_length=1024)
    _save(directory, GPT2LMHeadModel(config), tokenizer)


def _build_translation(directory: Path, lines: list[str]) -> None:
    """A Marian fr→en model with one sentencepiece model for both sides (opus-mt layout).

    The generation config follows opus-mt's (``max_length`` shortened to keep tests fast).
    """
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    spm_bytes = sentencepiece_model(lines)
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_proto=spm_bytes)
    vocab = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    pad = len(vocab)
    vocab["<pad>"] = pad

    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=_HIDDEN,
        encoder_layers=_LAYERS,
        decoder_layers=_LAYERS,
        encoder_attention_heads=_HEADS,
        decoder_attention_heads=_HEADS,
        encoder_ffn_dim=_FFN,
        decoder_ffn_dim=_FFN,
        max_position_embeddings=512,
        init_std=_INIT_RANGE,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        scale_embedding=True,
        activation_function="swish",
    )
    _mark_tiny(config)
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
        vocab_path.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tokenizer = MarianTokenizer(
            source_spm=str(spm_path),
            target_spm=str(spm_path),
            vocab=str(vocab_path),
            source_lang="fr",
            target_lang="en",
            model_max_length=512,
        )
        _save(directory, model, tokenizer)
