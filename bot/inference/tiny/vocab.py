"""Tokenizers of the offline models, trained on their corpora in each family's own scheme.

- WordPiece (BERT, DistilBERT): word-initial pieces and ``##`` continuations. The WordPiece
  trainer of ``tokenizers`` is not deterministic between runs, so the pieces are learned with
  its BPE trainer (deterministic) using the ``##`` continuation prefix, and the resulting
  vocabulary is used as a WordPiece vocabulary (greedy longest-match, as BERT's tokenizer does).
- Byte-level BPE (GPT-2, RoBERTa, BART): ``Ġ`` marks a leading space.
- SentencePiece (Marian): ``▁`` marks a leading space; one model for both languages, as
  opus-mt's ``source.spm`` / ``target.spm``.

Every trainer counts each word type a few times, not as often as it occurs, so that names are
learned as pieces rather than whole words: a name never seen in training is then split like
the names that were, which is what lets the models generalise to new names.
"""

from __future__ import annotations

import collections
import io
import json
import math
from collections.abc import Iterable

from bot.inference.tiny.corpora import name_words

#: Letters beyond ASCII that the WordPiece and SentencePiece vocabularies always cover.
EXTRA_LETTERS = "àâäáãåæçéèêëíìîïñóòôöõøœúùûüýÿßğışłńśźżčřšžđ" + "ÀÂÄÁÃÅÆÇÉÈÊËÍÎÏÑÓÔÖØŒÚÙÛÜÝŞŁŚŻČŘŠŽ"
ASCII = "".join(chr(code) for code in range(33, 127))
WORDPIECE_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def type_weighted_text(texts: Iterable[str], *, pre_tokenize: object) -> list[str]:
    """One line per word type, repeated ``1 + log2(count)`` times (at most 12), sorted.

    Names (:func:`bot.inference.tiny.corpora.name_words`) count once whatever their frequency.
    ``pre_tokenize`` is a ``tokenizers`` pre-tokenizer whose ``pre_tokenize_str`` splits a text
    into words the way the final tokenizer will.
    """
    names = {
        word
        for name in name_words()
        for word, _ in pre_tokenize.pre_tokenize_str(name)  # type: ignore[attr-defined]
    }
    names |= {"Ġ" + word for word in names}  # byte-level BPE marks a leading space
    counts: collections.Counter[str] = collections.Counter()
    for text in texts:
        counts.update(word for word, _ in pre_tokenize.pre_tokenize_str(text))  # type: ignore[attr-defined]
    lines = []
    for word in sorted(counts):
        repeat = 1 if word in names else min(12, 1 + int(math.log2(counts[word])))
        lines.extend([word] * repeat)
    return lines


def wordpiece_vocab(texts: Iterable[str], *, lowercase: bool, size: int) -> dict[str, int]:
    """A WordPiece vocabulary of about ``size`` tokens: specials, characters, learned pieces.

    The pieces come from a BPE learned on the words (without a continuation prefix: with one,
    the trainer breaks ties differently from run to run); each word is then cut into those pieces,
    and every piece after a word's first becomes a ``##`` continuation, most frequent first.
    """
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    normalizer = normalizers.BertNormalizer(lowercase=lowercase, strip_accents=lowercase)
    texts = [normalizer.normalize_str(text) for text in texts]
    alphabet = sorted(set(ASCII + EXTRA_LETTERS))
    if lowercase:
        alphabet = sorted({normalizer.normalize_str(char) for char in alphabet} - {""})
    lines = type_weighted_text(texts, pre_tokenize=pre_tokenizers.BertPreTokenizer())
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.BpeTrainer(
        vocab_size=size, min_frequency=2, initial_alphabet=alphabet, show_progress=False
    )
    tokenizer.train_from_iterator(lines, trainer=trainer)
    pieces: collections.Counter[str] = collections.Counter()
    for word, repeat in collections.Counter(lines).items():
        for position, piece in enumerate(tokenizer.encode(word).tokens):
            pieces[piece if position == 0 else f"##{piece}"] += repeat
    tokens = [*WORDPIECE_SPECIALS, *alphabet, *(f"##{char}" for char in alphabet)]
    tokens += sorted(pieces, key=lambda piece: (-pieces[piece], piece))
    vocab: dict[str, int] = {}
    for token in tokens:
        if len(vocab) >= size and token not in vocab:
            break
        vocab.setdefault(token, len(vocab))
    return vocab


def byte_level_bpe(texts: Iterable[str], *, size: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Train a byte-level BPE (GPT-2 / RoBERTa style): its tokens by id, and its merges."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer = Tokenizer(models.BPE())  # no pre-tokenizer: each line is one pre-tokenized word
    trainer = trainers.BpeTrainer(
        vocab_size=size,
        min_frequency=2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    tokenizer.train_from_iterator(type_weighted_text(texts, pre_tokenize=pre_tokenizer), trainer=trainer)
    model = json.loads(tokenizer.to_str())["model"]
    tokens = [token for token, _ in sorted(model["vocab"].items(), key=lambda item: item[1])]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in model["merges"]]
    return tokens, merges


def sentencepiece_model(texts: Iterable[str], *, size: int) -> bytes:
    """Train a sentencepiece model (``</s>`` = 0, ``<unk>`` = 1, as in opus-mt).

    It learns from whole sentences: most names are invented ones that occur once or twice, so
    they are split into pieces while the words of the templates stay whole. opus-mt's models
    are unigram ones, but on a corpus this small and repetitive the unigram trainer keeps odd
    pieces ("▁Th" "is"), so the BPE mode of sentencepiece is used (the same ``▁`` scheme).
    """
    import sentencepiece

    buffer = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter([*texts, EXTRA_LETTERS]),
        model_writer=buffer,
        vocab_size=size,
        model_type="bpe",
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
