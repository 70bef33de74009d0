"""The ``infer`` and ``models`` commands, through their handlers and in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.inference.catalog import TASK_NAMES, Catalog
from bot.inference.cli import EXIT_ERROR, EXIT_OK, run_cli
from bot.inference.tiny import TINY_LABEL

REPO = Path(__file__).resolve().parents[2]

TASK_INPUTS = {
    "sentiment-analysis": ['"I love this course."', '"I hate waiting."'],
    "zero-shot-classification": [
        '{"text": "A course about transformers", "candidate_labels": ["education", "sport"]}'
    ],
    "text-generation": ['"In this course, we will"'],
    "fill-mask": ['"Paris is the <mask> of France."', '"The cat is [MASK]."'],
    "ner": ['"My name is Sylvain and I work at Hugging Face in Brooklyn."'],
    "question-answering": [
        '{"question": "Where do I work?", "context": "I work at Hugging Face in Brooklyn."}'
    ],
    "summarization": ['"The study group meets every Thursday evening to read a chapter of the course."'],
    "translation": ['"Paris est la capitale de la France."', '"Le chat dort."'],
    "tokenize": ['"Using a Transformer network is simple"'],
    "attention": ['"The animal didn\'t cross the street because it was too tired"', '"Hi there"'],
}
TASK_KEYS = {
    "zero-shot-classification": {"sequence", "labels", "scores"},
    "question-answering": {"score", "start", "end", "answer"},
    "summarization": {"summary_text"},
    "translation": {"translation_text"},
    "tokenize": {"tokens", "input_ids", "token_type_ids", "attention_mask", "decoded", "vocab_size"},
    "attention": {"tokens", "special", "offsets", "layer", "head", "num_layers", "num_heads", "attention"},
}


def single_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("task", TASK_NAMES)
def test_infer_prints_one_json_line_per_input(task: str, cli_settings, capsys) -> None:
    params = ["--params", '{"max_new_tokens": 5}'] if task == "text-generation" else []
    code = run_cli(["infer", task, *params, *TASK_INPUTS[task]], cli_settings)
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    lines = out.splitlines()
    assert len(lines) == len(TASK_INPUTS[task])
    results = [json.loads(line) for line in lines]
    if task in TASK_KEYS:
        assert all(TASK_KEYS[task] <= set(result) for result in results)
    else:
        assert all(isinstance(result, list) for result in results)
    assert TINY_LABEL in err


def test_infer_with_a_local_model_directory_in_the_hub_profile(cli_settings, tiny_paths, capsys) -> None:
    cli_settings.model_profile = "hub"
    path = str(tiny_paths["question-answering"])
    item = '{"question": "Who?", "context": "Sylvain works in Brooklyn."}'
    code = run_cli(
        ["infer", "question-answering", "--model", path, "--params", '{"top_k": 2}', item], cli_settings
    )
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    answers = json.loads(out)
    assert len(answers) == 2
    assert all(
        answer["answer"] == "Sylvain works in Brooklyn."[answer["start"] : answer["end"]]
        for answer in answers
    )


def test_infer_takes_the_v4_pipeline_call_parameters(cli_settings, capsys) -> None:
    """Several sequences print a list per input; sentiment top_k=1 the best label only."""
    params = '{"num_beams": 3, "num_return_sequences": 2, "max_new_tokens": 12, "do_sample": false}'
    code = run_cli(["infer", "translation", "--params", params, *TASK_INPUTS["translation"]], cli_settings)
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [len(sequences) for sequences in lines] == [2, 2]
    assert all(set(result) == {"translation_text"} for sequences in lines for result in sequences)

    code = run_cli(
        ["infer", "sentiment-analysis", "--params", '{"top_k": 1}', '"I love this course."'], cli_settings
    )
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    ((best,),) = [json.loads(line) for line in out.splitlines()]
    assert set(best) == {"label", "score"}


def test_infer_help_lists_every_tasks_parameters_with_bounds(capsys) -> None:
    with pytest.raises(SystemExit):
        run_cli(["infer", "--help"], None)
    out = capsys.readouterr().out
    for line in (
        "sentiment-analysis: top_k 1..50 (default null)",
        "question-answering: top_k 1..20 (default 1)",
    ):
        assert line in out
    summarization = " ".join(out.split("summarization:")[1].split("translation:")[0].split())
    for words in (
        "num_beams 1..8",
        "num_return_sequences 1..4",
        "max_new_tokens 1..512",
        "do_sample true|false",
    ):
        assert words in summarization


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["infer", "summarization", "--params", '{"num_return_sequences": 3, "num_beams": 1}', '"Text."'],
            "num_return_sequences 3 needs do_sample=true or num_beams of at least 3",
        ),
        (["infer", "translation", "--params", '{"num_beams": 9}', '"Bonjour."'], "between 1 and 8"),
        (
            ["infer", "question-answering", "--params", '{"top_k": 21}', '{"question": "q", "context": "c"}'],
            "between 1 and 20",
        ),
        (["infer", "sentiment-analysis", "I love this"], "input 1 is not valid JSON"),
        (["infer", "ner", "--params", "{top_k: 1}", '"Hi"'], "--params is not valid JSON"),
        (["infer", "ner", "--params", "[1, 2]", '"Hi"'], "--params must be a JSON object"),
        (["infer", "ner", "--params", '{"top_k": 1}', '"Hi"'], "Unknown parameter 'top_k'"),
        (["infer", "fill-mask", '"No mask here."'], "Put one [MASK]"),
        (["infer", "question-answering", '"just text"'], "must be an object"),
        (["infer", "ner", "--model", "someone/evil-model", '"Hi"'], "not in the model catalog for ner"),
        (
            [
                "infer",
                "question-answering",
                "--params",
                '{"max_seq_len": 64, "doc_stride": 60}',
                json.dumps(
                    {
                        "question": "What does the study group do every Thursday evening?",
                        "context": "x " * 200,
                    }
                ),
            ],
            "doc_stride (60) is too large",
        ),
    ],
)
def test_infer_errors_are_one_line_and_exit_code_2(
    argv: list[str], message: str, cli_settings, capsys
) -> None:
    assert run_cli(argv, cli_settings) == EXIT_ERROR
    out, err = capsys.readouterr()
    assert out == ""
    assert message in single_error_line(err)


def test_models_list_shows_the_catalog_and_cache_state(cli_settings, capsys) -> None:
    assert run_cli(["models", "list"], cli_settings) == EXIT_OK
    out = capsys.readouterr().out
    for entry in Catalog.load().entries():
        assert entry.id in out and entry.label in out
    assert "not cached" in out
    assert f"Offline models (the tiny profile: {TINY_LABEL}): built" in out


def test_models_build_tiny_prints_every_task(cli_settings, tiny_dir, capsys) -> None:
    assert run_cli(["models", "build-tiny", str(tiny_dir)], cli_settings) == EXIT_OK
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines()] == list(TASK_NAMES)


def test_models_download_offline_reports_each_model(cli_settings, monkeypatch, capsys) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    assert run_cli(["models", "download", "--task", "tokenize"], cli_settings) == EXIT_ERROR
    out, err = capsys.readouterr()
    ids = [entry.id for entry in Catalog.load().entries("tokenize")]
    assert out.count("failed") == len(ids)
    for model_id in ids:
        assert model_id in out and f"The model {model_id} is not in the local cache" in err
    assert "Traceback" not in err


def run_subprocess(
    argv: list[str], settings: dict[str, str | None], env: dict[str, str]
) -> subprocess.CompletedProcess:
    """Run the CLI in a fresh interpreter, as the studybot entry point would."""
    code = (
        "import json, os, sys; from pathlib import Path; from types import SimpleNamespace; "
        "from bot.inference.cli import run_cli; "
        "raw = json.loads(os.environ['STUDYBOT_TEST_SETTINGS']); "
        "s = {k: (v if k == 'model_profile' else Path(v) if v else None) for k, v in raw.items()}; "
        "sys.exit(run_cli(sys.argv[1:], SimpleNamespace(**s)))"
    )
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "STUDYBOT_TEST_SETTINGS": json.dumps(settings), **env}
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=REPO,
        timeout=600,  # a guard against a hang only: importing torch takes a minute on a busy machine
    )


def test_subprocess_offline_uncached_default_model(tmp_path: Path, tiny_dir: Path) -> None:
    settings = {
        "model_profile": "hub",
        "model_cache_dir": None,
        "tiny_models_dir": str(tiny_dir),
        "catalog_path": None,
    }
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf-home")}
    result = run_subprocess(["infer", "sentiment-analysis", '"I love this course."'], settings, env)
    assert result.returncode == EXIT_ERROR
    assert result.stdout == ""
    line = single_error_line(result.stderr)
    assert "distilbert/distilbert-base-uncased-finetuned-sst-2-english" in line
    assert "studybot models download --task sentiment-analysis" in line


def test_subprocess_loads_a_catalog_model_from_the_hf_home_cache(
    tmp_path: Path, tiny_paths, tiny_dir, fake_hub_cache
) -> None:
    """HF_HOME decides where the cache is; an operator catalog decides what members may use."""
    fake_hub_cache(tmp_path / "hf-home" / "hub", "studybot-test/tiny-ner", tiny_paths["ner"])
    catalog = tmp_path / "models.toml"
    bundled = Catalog.load()
    lines = []
    for task in TASK_NAMES:
        model_id = "studybot-test/tiny-ner" if task == "ner" else bundled.default(task).id
        lines.append(
            f'[[model]]\nid = "{model_id}"\ntask = "{task}"\nlabel = "{task} model"\n'
            'languages = ["en"]\nsize_mb = 1\ndefault = true\n'
        )
    catalog.write_text("\n".join(lines), encoding="utf-8")
    settings = {
        "model_profile": "hub",
        "model_cache_dir": None,
        "tiny_models_dir": str(tiny_dir),
        "catalog_path": str(catalog),
    }
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf-home")}
    text = '"My name is Sylvain and I work at Hugging Face in Brooklyn."'
    result = run_subprocess(
        ["infer", "ner", "--params", '{"aggregation_strategy": "none"}', text], settings, env
    )
    assert result.returncode == EXIT_OK, result.stderr
    entities = json.loads(result.stdout)
    assert entities and all({"entity", "score", "index", "word", "start", "end"} == set(e) for e in entities)
    # The checkpoint is a tiny model (its config says so), so it is labelled even from the hub cache.
    assert f"studybot-test/tiny-ner is a {TINY_LABEL}" in result.stderr
    listing = run_subprocess(["models", "list"], settings, env)
    row = next(line for line in listing.stdout.splitlines() if "studybot-test/tiny-ner" in line)
    assert row.rstrip().endswith("cached") and "not cached" not in row
