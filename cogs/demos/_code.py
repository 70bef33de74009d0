""" "Show code": the transformers code that reproduces one demo call, as the course writes it.

Tasks that transformers 5 still serves as pipelines get the pipeline call; question answering,
summarization and translation (pipelines removed in v5) get the AutoModel code that does the
same work. Every value is the one the bot used, so the snippet gives the same answer.
"""

from __future__ import annotations

from typing import Any

GENERATION_PARAMS = (
    "max_new_tokens",
    "num_return_sequences",
    "do_sample",
    "temperature",
    "top_k",
    "top_p",
    "num_beams",
)
SAMPLING_ONLY = ("temperature", "top_k", "top_p")


def _kwargs(values: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in values.items())


def _header(checkpoint: str, ref: str) -> str:
    if ref != checkpoint:
        return (
            f"# studybot ran a small offline stand-in for {checkpoint}, trained on its own examples;\n"
            f"# use checkpoint = {checkpoint!r} for the real model.\n"
            f"checkpoint = {ref!r}\n"
        )
    return f"checkpoint = {ref!r}\n"


def pipeline_code(task: str, ref: str, checkpoint: str, item: Any, params: dict[str, Any]) -> str:
    """Snippets for the tasks that are still pipelines in transformers 5."""
    lines = ["from transformers import pipeline", "", _header(checkpoint, ref)]
    if task == "sentiment-analysis":
        lines += [
            'classifier = pipeline("sentiment-analysis", model=checkpoint)',
            f"print(classifier({item!r}, top_k=None))",
        ]
    elif task == "zero-shot-classification":
        lines += [
            'classifier = pipeline("zero-shot-classification", model=checkpoint)',
            f"print(classifier({item['text']!r}, candidate_labels={item['candidate_labels']!r}, "
            f"multi_label={params.get('multi_label', False)!r}))",
        ]
    elif task == "text-generation":
        chosen = {key: params[key] for key in GENERATION_PARAMS if key in params}
        if not chosen.get("do_sample"):
            for key in SAMPLING_ONLY:
                chosen.pop(key, None)
        lines += [
            'generator = pipeline("text-generation", model=checkpoint)',
            f"print(generator({item!r}, {_kwargs(chosen)}))",
        ]
    elif task == "fill-mask":
        lines += [
            'unmasker = pipeline("fill-mask", model=checkpoint)',
            "# Each model has its own mask token: [MASK] for BERT, <mask> for RoBERTa.",
            f"text = {item!r}.replace('[MASK]', unmasker.tokenizer.mask_token)"
            ".replace('<mask>', unmasker.tokenizer.mask_token)",
            f"print(unmasker(text, top_k={params.get('top_k', 5)!r}))",
        ]
    elif task == "ner":
        strategy = params.get("aggregation_strategy", "simple")
        lines += [
            f'ner = pipeline("ner", model=checkpoint, aggregation_strategy={strategy!r})',
            f"print(ner({item!r}))",
        ]
    else:
        raise ValueError(f"{task} is not a pipeline task")
    return "\n".join(lines) + "\n"


def qa_code(
    ref: str, checkpoint: str, item: dict[str, str], params: dict[str, Any], max_seq_len: int, doc_stride: int
) -> str:
    """The question-answering pipeline of transformers 4, by hand (v5 removed it)."""
    max_answer_len = params.get("max_answer_len", 15)
    return f"""import torch
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

{_header(checkpoint, ref)}tokenizer = AutoTokenizer.from_pretrained(checkpoint)
model = AutoModelForQuestionAnswering.from_pretrained(checkpoint)

question = {item["question"]!r}
context = {item["context"]!r}
# Long contexts are cut into overlapping windows; only the context may hold the answer.
inputs = tokenizer(question, context, truncation="only_second", max_length={max_seq_len}, stride={doc_stride},
                   return_overflowing_tokens=True, return_offsets_mapping=True, padding=True,
                   return_tensors="pt")
offsets = inputs.pop("offset_mapping")
inputs.pop("overflow_to_sample_mapping")
with torch.no_grad():
    outputs = model(**inputs)

answers = {{}}
for window in range(len(offsets)):
    sequence_ids = inputs.sequence_ids(window)
    answerable = torch.tensor([s == 1 for s in sequence_ids])
    answerable[0] = True  # [CLS] takes part in the softmax (it stands for "no answer")...
    start = outputs.start_logits[window].masked_fill(~answerable, -10_000.0).softmax(-1)
    end = outputs.end_logits[window].masked_fill(~answerable, -10_000.0).softmax(-1)
    start[0] = end[0] = 0.0  # ...but never starts or ends an answer
    # Every span start <= end, at most {max_answer_len} tokens long, scores p(start) * p(end).
    scores = torch.triu(start[:, None] * end[None, :]).tril({max_answer_len} - 1)
    best = scores.flatten().topk(min(12, scores.numel()))  # the pipeline kept the 12 best spans
    words = inputs.word_ids(window)
    for score, index in zip(best.values.tolist(), best.indices.tolist()):
        s, e = divmod(index, scores.shape[1])
        if s == 0 or not (answerable[s] and answerable[e]):
            continue
        # Widen the span to whole words; answers with the same text add up their scores.
        first = inputs.word_to_chars(window, words[s], sequence_index=1).start
        last = inputs.word_to_chars(window, words[e], sequence_index=1).end
        text = context[first:last]
        new = {{"score": 0.0, "start": first, "end": last, "answer": text}}
        answers.setdefault(text.lower(), new)["score"] += score

print(max(answers.values(), key=lambda answer: answer["score"]))
"""


def seq2seq_code(
    task: str, ref: str, checkpoint: str, text: str, prefix: str, generation: dict[str, Any]
) -> str:
    """Summarization or translation with AutoModelForSeq2SeqLM + generate (v5 removed the pipelines)."""
    key = "summary_text" if task == "summarization" else "translation_text"
    prefix_note = f"# This model expects the prefix {prefix!r} before the text.\n" if prefix else ""
    return f'''from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

{_header(checkpoint, ref)}tokenizer = AutoTokenizer.from_pretrained(checkpoint)
model = AutoModelForSeq2SeqLM.from_pretrained(checkpoint)

text = {text!r}
{prefix_note}inputs = tokenizer({prefix!r} + text, return_tensors="pt", truncation=True)
outputs = model.generate(**inputs, {_kwargs(generation)})
print([{{"{key}": tokenizer.decode(outputs[0], skip_special_tokens=True,
                                      clean_up_tokenization_spaces=False)}}])
'''


def tokenize_code(ref: str, checkpoint: str, text: str) -> str:
    return f"""from transformers import AutoTokenizer

{_header(checkpoint, ref)}tokenizer = AutoTokenizer.from_pretrained(checkpoint)
encoded = tokenizer({text!r})
print(tokenizer.convert_ids_to_tokens(encoded["input_ids"]))
print(encoded)
print(tokenizer.decode(encoded["input_ids"]))
"""


def attention_code(ref: str, checkpoint: str, text: str, layer: int | None, head: int | None) -> str:
    """The attention weights /attention draws: AutoModel with output_attentions=True."""
    pick = (
        "layer_weights.mean(dim=0)  # the average of every head"
        if head is None
        else f"layer_weights[{head - 1}]"
    )
    chosen = "model.config.num_hidden_layers" if layer is None else str(layer)
    return f"""import torch
from transformers import AutoModel, AutoTokenizer

{_header(checkpoint, ref)}tokenizer = AutoTokenizer.from_pretrained(checkpoint)
# "eager" attention returns its weights (the default, SDPA, computes them without returning them).
model = AutoModel.from_pretrained(checkpoint, attn_implementation="eager")

inputs = tokenizer({text!r}, return_tensors="pt")
with torch.no_grad():
    outputs = model(**inputs, output_attentions=True)

# One tensor per layer, shaped (batch, heads, tokens, tokens); layers and heads count from 1 here.
layer = {chosen}
layer_weights = outputs.attentions[layer - 1][0]
weights = {pick}
print(tokenizer.convert_ids_to_tokens(inputs["input_ids"][0]))
print(weights)  # row i: how much token i attends to each token (each row sums to 1)
"""
