"""Write the transformers 4.57 pipeline outputs that pin studybot's own runners.

transformers 5 removed the question-answering, summarization and translation pipelines;
studybot's runners reproduce them. This script runs the *real* v4 pipelines on the tiny models
built by ``bot.inference.tiny`` and writes their outputs to ``v4_reference.json``, which
``tests/inference/test_inference_v4_reference.py`` compares the runners with. It also records a few
pipeline-backed tasks (to confirm the v5 parameter mapping gives v4's results) and the
generation settings v4 derived for several model configurations.

Run it with a Python that has transformers 4.57 (never in the project's venv)::

    python3 -m venv /tmp/v4venv
    /tmp/v4venv/bin/pip install torch==2.13.0 "transformers==4.57.*" sentencepiece sacremoses
    /tmp/v4venv/bin/python tests/reference/make_v4_reference.py

The tiny models are built first with the project's own Python (``--project-python``, by default
``.venv/bin/python``), since they must be the ones the tests build. The cases live in this file
and are copied into the JSON, so the tests read inputs and expected outputs from one place.

The same recipe trains other floats on CPUs whose kernels differ (the README's "Offline models"):
AMD EPYC hosts, with AVX2 or AVX-512, build the weights of ``v4_reference.json``, and Intel Xeon
hosts with AMX those of ``v4_reference.xeon-amx.json``. The tests use the file whose fingerprints
are the weights they built; on a CPU that builds yet other weights, write one more file for it
(``--tiny-dir`` its build, ``--out tests/reference/v4_reference.<that CPU>.json``). Each file
names the CPU it was made on.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = Path(__file__).with_name("v4_reference.json")


def reference_files() -> list[Path]:
    """The committed references, one per set of tiny-model weights (the module's docstring)."""
    return sorted(DEFAULT_OUT.parent.glob("v4_reference*.json"))


SHORT_CONTEXT = "My name is Sylvain and I work at Hugging Face in Brooklyn."
FRENCH_CONTEXT = (
    "Le groupe d'étude se réunit chaque jeudi soir, à la bibliothèque municipale de Lyon, pour lire "
    "un chapitre du cours ensemble ; Marie-Claire apporte le café."
)
SPACED_CONTEXT = "The  museum opens at nine\n\nand closes at six   in the evening (except on Mondays)."


def long_context() -> str:
    """About 700 tokens of English from the bundled corpus: several windows at 384/128."""
    corpus = (REPO / "bot" / "inference" / "tiny_corpus.txt").read_text(encoding="utf-8").splitlines()
    english = [line for line in corpus if line and not line.startswith("#")][:60]
    return " ".join(english)


def qa_cases() -> list[dict[str, Any]]:
    """Each case: inputs (one or several) and the params they share."""
    long = long_context()
    return [
        {
            "name": "short default",
            "inputs": [{"question": "Where do I work?", "context": SHORT_CONTEXT}],
            "params": {},
        },
        {
            "name": "short top_k=3",
            "inputs": [{"question": "What is my name?", "context": SHORT_CONTEXT}],
            "params": {"top_k": 3},
        },
        {
            "name": "long default windows",
            "inputs": [{"question": "When does the study group meet?", "context": long}],
            "params": {"top_k": 3},
        },
        {
            "name": "long small windows",
            "inputs": [{"question": "Who won two Nobel prizes?", "context": long}],
            "params": {"max_seq_len": 64, "doc_stride": 16, "top_k": 5},
        },
        {
            "name": "impossible short",
            "inputs": [{"question": "What colour is the sky?", "context": SHORT_CONTEXT}],
            "params": {"handle_impossible_answer": True, "top_k": 2},
        },
        {
            "name": "impossible answer wins",
            "inputs": [{"question": "Which one?", "context": SHORT_CONTEXT}],
            "params": {"handle_impossible_answer": True},
        },
        {
            "name": "impossible answer among others",
            "inputs": [{"question": "Why?", "context": "The cat is sleeping on the sofa near the window."}],
            "params": {"handle_impossible_answer": True, "top_k": 3},
        },
        {
            "name": "impossible long",
            "inputs": [{"question": "What is the capital?", "context": long}],
            "params": {"handle_impossible_answer": True, "max_seq_len": 96, "doc_stride": 32},
        },
        {
            "name": "no word alignment",
            "inputs": [{"question": "Where?", "context": SHORT_CONTEXT}],
            "params": {"align_to_words": False, "top_k": 4},
        },
        {
            "name": "short answers",
            "inputs": [{"question": "Who brings coffee?", "context": FRENCH_CONTEXT}],
            "params": {"max_answer_len": 3, "top_k": 3},
        },
        {
            "name": "spaces and newlines",
            "inputs": [{"question": "When does it close?", "context": SPACED_CONTEXT}],
            "params": {"top_k": 2},
        },
        {
            "name": "one-word context",
            "inputs": [{"question": "Which city?", "context": "Paris"}],
            "params": {"top_k": 3},
        },
        {
            "name": "long top_k=20",
            "inputs": [{"question": "Who won two Nobel prizes?", "context": long}],
            "params": {"top_k": 20},
        },
        {
            "name": "long top_k=20 impossible",
            "inputs": [{"question": "What is the capital?", "context": long}],
            "params": {"top_k": 20, "handle_impossible_answer": True},
        },
        {
            "name": "batch of mixed lengths",
            "inputs": [
                {"question": "Where do I work?", "context": SHORT_CONTEXT},
                {"question": "Who brings coffee?", "context": FRENCH_CONTEXT},
                {"question": "What does the tokenizer add?", "context": long},
                {"question": "When?", "context": SPACED_CONTEXT},
            ],
            "params": {"top_k": 2, "max_seq_len": 128, "doc_stride": 48},
        },
    ]


SUMMARY_TEXTS = [
    "The study group meets every Thursday evening to read a chapter of the course together. "
    "We learned how a tokenizer splits a sentence into words and subwords.",
    "Paris is the capital of France and a very beautiful city.",
    "Batching several inputs together makes the computation faster. Padding adds special tokens so that "
    "every sequence has the same length, and the attention mask tells the model which tokens to ignore.",
]
FRENCH_TEXTS = [
    "Paris est la capitale de la France.",
    "Le chat dort sur le canapé près de la fenêtre.",
    "Nous avons appris comment un tokenizer découpe une phrase en mots et en sous-mots.",
]


def seq2seq_cases() -> list[dict[str, Any]]:
    return [
        {"name": "summarization defaults", "task": "summarization", "inputs": SUMMARY_TEXTS, "params": {}},
        {
            "name": "summarization member lengths",
            "task": "summarization",
            "inputs": SUMMARY_TEXTS[:2],
            "params": {"max_length": 20, "min_length": 5},
        },
        {"name": "translation defaults", "task": "translation", "inputs": FRENCH_TEXTS, "params": {}},
        {
            "name": "translation max_length",
            "task": "translation",
            "inputs": FRENCH_TEXTS[:2],
            "params": {"max_length": 16},
        },
        # The other call parameters of the v4 pipelines.
        {
            "name": "summarization beams and sequences",
            "task": "summarization",
            "inputs": SUMMARY_TEXTS[:2],
            "params": {"num_beams": 3, "num_return_sequences": 2},
        },
        {
            "name": "summarization max_new_tokens",
            "task": "summarization",
            "inputs": SUMMARY_TEXTS,
            "params": {"max_new_tokens": 10},
        },
        {
            "name": "summarization max_new_tokens wins over max_length",
            "task": "summarization",
            "inputs": SUMMARY_TEXTS[:2],
            "params": {"max_new_tokens": 12, "max_length": 30},
        },
        {
            "name": "summarization greedy min_length",
            "task": "summarization",
            "inputs": SUMMARY_TEXTS[:2],
            "params": {"do_sample": False, "num_beams": 1, "min_length": 20},
        },
        {
            "name": "translation min_length",
            "task": "translation",
            "inputs": FRENCH_TEXTS,
            "params": {"min_length": 14},
        },
        {
            "name": "translation four sequences of six beams",
            "task": "translation",
            "inputs": FRENCH_TEXTS[:2],
            "params": {"num_beams": 6, "num_return_sequences": 4},
        },
        {
            "name": "translation greedy max_new_tokens",
            "task": "translation",
            "inputs": FRENCH_TEXTS,
            "params": {"num_beams": 1, "max_new_tokens": 8},
        },
        # Sampling: torch.manual_seed(seed) right before each text's call, here and in the test.
        {
            "name": "translation sampling",
            "task": "translation",
            "inputs": FRENCH_TEXTS,
            "params": {"do_sample": True, "num_beams": 1},
            "seed": 0,
        },
        {
            "name": "summarization sampling two sequences",
            "task": "summarization",
            "inputs": SUMMARY_TEXTS[:2],
            "params": {"do_sample": True, "num_beams": 1, "num_return_sequences": 2, "max_new_tokens": 20},
            "seed": 0,
        },
        {
            "name": "translation beam sampling",
            "task": "translation",
            "inputs": FRENCH_TEXTS[:2],
            "params": {"do_sample": True, "num_beams": 3, "num_return_sequences": 2},
            "seed": 1,
        },
    ]


#: Variations of a model's generation config / config; None means "not set".
GENERATION_SETTINGS_CASES = [
    {
        "name": "tiny marian as built",
        "model": "translation",
        "task": "translation",
        "generation": {},
        "config": {},
    },
    {
        "name": "tiny bart as built",
        "model": "summarization",
        "task": "summarization",
        "generation": {},
        "config": {},
    },
    {
        "name": "no lengths anywhere",
        "model": "summarization",
        "task": "summarization",
        "generation": {"max_length": None, "num_beams": None, "min_length": None},
        "config": {"task_specific_params": None},
    },
    {
        "name": "task params without generation max_length",
        "model": "summarization",
        "task": "summarization",
        "generation": {"max_length": None},
        "config": {},
    },
    {
        "name": "model max_new_tokens and max_length",
        "model": "translation",
        "task": "translation",
        "generation": {"max_new_tokens": 100, "max_length": 60, "num_beams": 6},
        "config": {},
    },
    {
        "name": "max_length equal to the global default",
        "model": "translation",
        "task": "translation",
        "generation": {"max_length": 20, "num_beams": 2},
        "config": {},
    },
    {
        "name": "config prefix and translation task params",
        "model": "translation",
        "task": "translation",
        "generation": {},
        "config": {
            "prefix": "translate: ",
            "task_specific_params": {"translation": {"num_beams": 5, "max_length": 30}},
        },
    },
]
GENERATION_KEYS = [
    "max_new_tokens",
    "max_length",
    "min_length",
    "num_beams",
    "no_repeat_ngram_size",
    "length_penalty",
    "early_stopping",
    "do_sample",
]


def pipeline_cases() -> list[dict[str, Any]]:
    """Pipeline-backed tasks: v4 call arguments next to studybot's params."""
    return [
        *(
            {
                "task": "sentiment-analysis",
                "name": f"sentiment-analysis {label}",
                "inputs": [
                    "I love this course.",
                    "The food at that restaurant was terrible and the service was slow.",
                ],
                "params": params,
            }
            for label, params in (
                ("default", {}),
                ("top_k=None", {"top_k": None}),
                ("top_k=1", {"top_k": 1}),
                ("top_k=2", {"top_k": 2}),
            )
        ),
        {
            "task": "ner",
            "inputs": [
                "My name is Sylvain and I work at Hugging Face in Brooklyn.",
                "Marie Curie won two Nobel prizes.",
            ],
            "params": {"aggregation_strategy": "simple"},
        },
        {"task": "ner", "inputs": ["My name is Sylvain."], "params": {"aggregation_strategy": "none"}},
        {
            "task": "fill-mask",
            "inputs": [
                "This course will teach you all about <mask> models.",
                "Paris is the [MASK] of France.",
            ],
            "params": {"top_k": 3},
        },
        {
            "task": "zero-shot-classification",
            "inputs": [
                {
                    "text": "This is a course about the Transformers library",
                    "candidate_labels": ["education", "politics", "business"],
                },
                {
                    "text": "The weather is lovely today.",
                    "candidate_labels": ["education", "politics", "business"],
                },
            ],
            "params": {"multi_label": False, "hypothesis_template": "This example is {}."},
        },
        {
            "task": "zero-shot-classification",
            "inputs": [{"text": "I love this course.", "candidate_labels": ["happy", "sad"]}],
            "params": {"multi_label": True, "hypothesis_template": "This example is {}."},
        },
        {
            "task": "text-generation",
            "inputs": ["In this course, we will teach you how to", "Hello, I'm a language model,"],
            "params": {"max_new_tokens": 12, "num_beams": 1, "num_return_sequences": 1, "do_sample": False},
        },
        {
            "task": "text-generation",
            "inputs": ["The weather is"],
            "params": {"max_new_tokens": 8, "num_beams": 3, "num_return_sequences": 2, "do_sample": False},
        },
    ]


# --- running v4 --------------------------------------------------------------------------------


def build_tiny(project_python: str, tiny_dir: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from bot.inference.tiny import build_tiny_models; "
        "build_tiny_models(Path(sys.argv[1]))"
    )
    subprocess.run([project_python, "-c", code, str(tiny_dir)], check=True, cwd=REPO)


def cpu_description() -> str:
    """The CPU's model name, whether it has AMX, and the kernels torch picks on it (for the reader)."""
    import torch

    fields: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    amx = ", AMX" if "amx_tile" in fields.get("flags", "").split() else ""
    return (
        f"{fields.get('model name', 'unknown CPU')}{amx} (torch: {torch.backends.cpu.get_cpu_capability()})"
    )


def fingerprints(tiny_dir: Path) -> dict[str, str]:
    """sha256 of the weight files the reference depends on."""
    result = {}
    for name in sorted(p.name for p in tiny_dir.iterdir() if p.is_dir() and p.name.startswith("tiny-")):
        weights = tiny_dir / name / "model.safetensors"
        result[name] = hashlib.sha256(weights.read_bytes()).hexdigest()
    return result


def run_qa(pipeline: Any, case: dict[str, Any]) -> list[Any]:
    outputs = pipeline(case["inputs"], **case["params"])
    return [outputs] if len(case["inputs"]) == 1 else list(outputs)


def run_seq2seq(pipelines: dict[str, Any], case: dict[str, Any]) -> list[Any]:
    """Each text alone; several sequences are the list v4 returns, one is its single dict."""
    import torch

    pipe = pipelines[case["task"]]
    results = []
    for text in case["inputs"]:
        if case.get("seed") is not None:
            torch.manual_seed(case["seed"])
        outputs = pipe(text, **case["params"])
        results.append(outputs[0] if len(outputs) == 1 else outputs)
    return results


def run_pipeline_case(pipelines: dict[str, Any], case: dict[str, Any]) -> list[Any]:
    task, params = case["task"], case["params"]
    pipe = pipelines[task]
    results = []
    for item in case["inputs"]:
        if task == "sentiment-analysis":  # studybot's default top_k is None: every label
            results.append(pipe(item, top_k=params.get("top_k")))
        elif task == "ner":
            if params["aggregation_strategy"] == "simple":
                results.append(pipe(item, grouped_entities=True))
            else:
                results.append(pipe(item))
        elif task == "fill-mask":
            text = item.replace("[MASK]", pipe.tokenizer.mask_token).replace(
                "<mask>", pipe.tokenizer.mask_token
            )
            results.append(pipe(text, top_k=params["top_k"]))
        elif task == "zero-shot-classification":
            results.append(
                pipe(
                    item["text"],
                    candidate_labels=item["candidate_labels"],
                    multi_label=params["multi_label"],
                    hypothesis_template=params["hypothesis_template"],
                )
            )
        elif task == "text-generation":
            results.append(pipe(item, pad_token_id=pipe.tokenizer.eos_token_id, **params))
    return json.loads(json.dumps(results, default=float))


def generation_settings(tiny_dir: Path, case: dict[str, Any]) -> dict[str, Any]:
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, GenerationConfig, pipeline

    path = tiny_dir / f"tiny-{case['model']}"
    model = AutoModelForSeq2SeqLM.from_pretrained(path)
    tokenizer = AutoTokenizer.from_pretrained(path)
    defaults = GenerationConfig()
    for key, value in case["generation"].items():
        setattr(model.generation_config, key, getattr(defaults, key) if value is None else value)
    for key, value in case["config"].items():
        setattr(model.config, key, value)
    pipe = pipeline(case["task"], model=model, tokenizer=tokenizer)
    settings = {key: getattr(pipe.generation_config, key) for key in GENERATION_KEYS}
    settings["prefix"] = pipe.prefix or ""
    return settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project-python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument(
        "--tiny-dir", type=Path, help="an existing tiny build (default: build one in a temp dir)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    import torch
    import transformers
    from transformers import pipeline
    from transformers.utils import logging as hf_logging

    if not transformers.__version__.startswith("4.57."):
        print(f"needs transformers 4.57, found {transformers.__version__}", file=sys.stderr)
        return 2
    hf_logging.set_verbosity_error()
    torch.set_num_threads(1)

    with tempfile.TemporaryDirectory() as tmp:
        tiny_dir = args.tiny_dir or Path(tmp)
        if args.tiny_dir is None:
            build_tiny(args.project_python, tiny_dir)
        qa = pipeline("question-answering", model=str(tiny_dir / "tiny-question-answering"))
        seq2seq = {
            "summarization": pipeline("summarization", model=str(tiny_dir / "tiny-summarization")),
            "translation": pipeline("translation", model=str(tiny_dir / "tiny-translation")),
        }
        tiny_pipelines = {
            "sentiment-analysis": pipeline(
                "sentiment-analysis", model=str(tiny_dir / "tiny-sentiment-analysis")
            ),
            "ner": pipeline("ner", model=str(tiny_dir / "tiny-ner")),
            "fill-mask": pipeline("fill-mask", model=str(tiny_dir / "tiny-fill-mask")),
            "zero-shot-classification": pipeline(
                "zero-shot-classification", model=str(tiny_dir / "tiny-zero-shot-classification")
            ),
            "text-generation": pipeline("text-generation", model=str(tiny_dir / "tiny-text-generation")),
        }
        reference = {
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "cpu": cpu_description(),
            "fingerprints": fingerprints(tiny_dir),
            "question_answering": [{**case, "expected": run_qa(qa, case)} for case in qa_cases()],
            "seq2seq": [{**case, "expected": run_seq2seq(seq2seq, case)} for case in seq2seq_cases()],
            "generation_settings": [
                {**case, "expected": generation_settings(tiny_dir, case)}
                for case in GENERATION_SETTINGS_CASES
            ],
            "pipelines": [
                {**case, "expected": run_pipeline_case(tiny_pipelines, case)} for case in pipeline_cases()
            ],
        }
    args.out.write_text(json.dumps(reference, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
