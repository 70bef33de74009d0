"""Settings: defaults, .env, and one clear line for every bad value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.settings import (
    VARIABLES,
    Secret,
    Settings,
    SettingsError,
    describe,
    env_example,
    load_settings,
    markdown_table,
)

THIS_FILE = str(Path(__file__))
THIS_FOLDER = str(Path(__file__).parent)

BAD_VALUES = {
    "DISCORD_TOKEN": "not a token",
    "DEV_GUILD_ID": "my-server",
    "DATABASE_PATH": "   ",
    "HEALTH_FILE": "",
    "METRICS_PORT": "http",
    "METRICS_HOST": "my laptop",
    "MODEL_PROFILE": "huge",
    "MODEL_CACHE_DIR": THIS_FILE,  # a file where a folder is expected
    "TINY_MODELS_DIR": "",
    "MODEL_CATALOG": "no-such-folder/models.toml",
    "DEVICES": "gpu0",
    "WORKERS_PER_DEVICE": "0",
    "TORCH_THREADS": "many",
    "WORKER_NICENESS": "20",
    "QUEUE_LIMIT": "-1",
    "MEMBER_INFLIGHT_LIMIT": "1.5",
    "MAX_BATCH": "0",
    "MAX_WAIT_MS": "soon",
    "MAX_BATCH_TOKENS": "10",
    "TIMEOUT_SCALE": "fast",
    "MODEL_MEMORY_BUDGET_MB": "-5",
    "MAX_MODELS_PER_DEVICE": "65",
    "PRELOAD_MODELS": "Sentiment Analysis",
    "INFERENCE_BACKEND": "kubernetes",
    "RAY_ADDRESS": "my-cluster",
    "RAY_DEPLOYMENTS": "per-model",
    "RAY_LOCAL_CPUS": "all",
    "RAY_REPLICAS_MIN": "-1",
    "RAY_REPLICAS_MAX": "0",
    "RAY_CPUS_PER_REPLICA": "0",
    "RAY_GPUS_PER_REPLICA": "1.5",
    "MODERATOR_ROLES": "x" * 101,
    "DEMO_CHANNEL_IDS": "general",
    "DEMO_RATE": "often",
    "MESSAGE_CONTENT_INTENT": "maybe",
    "LOG_LEVEL": "LOUD",
    "EVENT_LOOP": "trio",
}


def test_every_setting_has_a_bad_value_case() -> None:
    assert set(BAD_VALUES) == {variable.env for variable in VARIABLES}


@pytest.mark.parametrize("name", list(BAD_VALUES))
def test_a_bad_value_names_the_variable_and_what_is_expected(name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({name: BAD_VALUES[name]}, dotenv_path=None)
    message = str(caught.value)
    assert message.startswith(f"{name} must be ")
    assert "\n" not in message


@pytest.mark.parametrize("name", list(BAD_VALUES))
def test_every_bad_value_stops_the_cli_with_one_line_and_exit_2(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv(name, BAD_VALUES[name])
    assert main(["config"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"studybot: configuration error: {name} must be ")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DATABASE_PATH", THIS_FOLDER, "a file path, not a folder"),
        ("HEALTH_FILE", THIS_FOLDER, "a file path, not a folder"),
        ("TINY_MODELS_DIR", THIS_FILE, "a folder path, not a file"),
        ("MODEL_CACHE_DIR", THIS_FILE, "a folder path, not a file"),
        ("MODEL_CATALOG", THIS_FOLDER, "the path of an existing file, or nothing"),
    ],
)
def test_paths_of_the_wrong_kind_are_refused(name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must be {expected}; got "):
        load_settings({name: value}, dotenv_path=None)


def test_paths_that_do_not_exist_yet_are_accepted(tmp_path: Path) -> None:
    catalog = tmp_path / "models.toml"
    catalog.write_text("")
    settings = load_settings(
        {
            "DATABASE_PATH": str(tmp_path / "new" / "db.sqlite3"),
            "TINY_MODELS_DIR": str(tmp_path / "new-tiny"),
            "MODEL_CACHE_DIR": str(tmp_path),
            "MODEL_CATALOG": str(catalog),
        },
        dotenv_path=None,
    )
    assert settings.database_path == tmp_path / "new" / "db.sqlite3"
    assert settings.model_cache_dir == tmp_path and settings.catalog_path == catalog


def test_defaults() -> None:
    settings = load_settings({}, dotenv_path=None)
    assert settings.discord_token is None
    assert settings.database_path == Path("data/studybot.sqlite3")
    assert settings.devices == ("auto",)
    assert settings.model_profile == "hub"
    assert settings.moderator_roles == ("Moderator",)
    assert settings.demo_channel_ids == ()


def test_typed_values() -> None:
    settings = load_settings(
        {
            "DEV_GUILD_ID": "123456789012345678",
            "DEVICES": "cuda:0, cuda:1",
            "MODERATOR_ROLES": "Mods, Study Leads",
            "DEMO_CHANNEL_IDS": "123456789012345678,223456789012345678",
            "LOG_LEVEL": "debug",
            "PRELOAD_MODELS": "ner,text-generation=distilbert/distilgpt2",
        },
        dotenv_path=None,
    )
    assert settings.dev_guild_id == 123456789012345678
    assert settings.devices == ("cuda:0", "cuda:1")
    assert settings.moderator_roles == ("Mods", "Study Leads")
    assert settings.demo_channel_ids == (123456789012345678, 223456789012345678)
    assert settings.log_level == "DEBUG"
    assert settings.preload_models == ("ner", "text-generation=distilbert/distilgpt2")


def test_the_token_never_shows(tmp_path: Path) -> None:
    token = "MTIz.abc.def"
    settings = load_settings({"DISCORD_TOKEN": token}, dotenv_path=None)
    assert isinstance(settings.discord_token, Secret)
    assert settings.discord_token.reveal() == token
    assert token not in repr(settings) and token not in str(settings.discord_token)
    with pytest.raises(SettingsError) as caught:
        load_settings({"DISCORD_TOKEN": "bad token with spaces"}, dotenv_path=None)
    assert "spaces" not in str(caught.value) and "(hidden)" in str(caught.value)


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("QUEUE_LIMIT=7\nMAX_BATCH=3\n")
    settings = load_settings({"MAX_BATCH": "9"}, dotenv_path=dotenv)
    assert settings.queue_limit == 7
    assert settings.max_batch == 9


def test_env_example_is_current() -> None:
    text = (Path(__file__).parents[1] / ".env.example").read_text()
    for variable in VARIABLES:
        assert f"\n{variable.env}={variable.default}\n" in text, variable.env
    assert text == env_example(), "regenerate it: studybot config --env-example > .env.example"


def test_readme_documents_every_setting() -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text()
    for variable in VARIABLES:
        assert f"| `{variable.env}` |" in text, variable.env
    assert markdown_table() in text, "paste `studybot config --markdown` into the README"


def test_describe_hides_the_token() -> None:
    settings = load_settings({"DISCORD_TOKEN": "MTIz.abc.def", "DEVICES": "cpu"}, dotenv_path=None)
    text = describe(settings)
    assert "DISCORD_TOKEN=(set, hidden)" in text and "MTIz" not in text
    assert "DEVICES=cpu" in text


def test_the_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={"PATH": "/usr/bin:/bin", "DEV_GUILD_ID": "abc", "HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    expected = "DEV_GUILD_ID must be a Discord ID (15 to 21 digits), or nothing; got 'abc'."
    assert result.stderr.strip().splitlines() == [f"studybot: configuration error: {expected}"]
    assert "Traceback" not in result.stderr


def test_ray_settings_are_typed_and_checked_together() -> None:
    settings = load_settings(
        {
            "INFERENCE_BACKEND": "ray",
            "RAY_ADDRESS": "ray-head.internal:6379",
            "RAY_REPLICAS_MIN": "0",
            "RAY_REPLICAS_MAX": "4",
            "RAY_GPUS_PER_REPLICA": "0.5",
        },
        dotenv_path=None,
    )
    assert settings.inference_backend == "ray" and settings.ray_address == "ray-head.internal:6379"
    assert (settings.ray_replicas_min, settings.ray_replicas_max, settings.ray_gpus_per_replica) == (
        0,
        4,
        0.5,
    )
    assert load_settings({"RAY_ADDRESS": "ray://10.0.0.5:10001"}, dotenv_path=None).ray_address
    assert load_settings({"RAY_GPUS_PER_REPLICA": "2"}, dotenv_path=None).ray_gpus_per_replica == 2
    with pytest.raises(
        SettingsError, match=r"^RAY_REPLICAS_MAX must be at least RAY_REPLICAS_MIN \(3\); got 2\.$"
    ):
        load_settings({"RAY_REPLICAS_MIN": "3", "RAY_REPLICAS_MAX": "2"}, dotenv_path=None)


# A valid value other than the default for every variable, as an operator would write it.
OTHER_VALUES = {
    "DISCORD_TOKEN": "MTIz.abc.def",
    "DEV_GUILD_ID": "123456789012345678",
    "DATABASE_PATH": "somewhere/bot.sqlite3",
    "HEALTH_FILE": "somewhere/health.json",
    "METRICS_PORT": "9108",
    "METRICS_HOST": "0.0.0.0",
    "MODEL_PROFILE": "TINY",
    "MODEL_CACHE_DIR": THIS_FOLDER,
    "TINY_MODELS_DIR": "somewhere/tiny",
    "MODEL_CATALOG": THIS_FILE,
    "DEVICES": "cpu, cuda:0",
    "WORKERS_PER_DEVICE": "3",
    "TORCH_THREADS": " 2 ",
    "WORKER_NICENESS": "0",
    "QUEUE_LIMIT": "250",
    "MEMBER_INFLIGHT_LIMIT": "5",
    "MAX_BATCH": "8",
    "MAX_WAIT_MS": "0",
    "MAX_BATCH_TOKENS": "4096",
    "TIMEOUT_SCALE": "2.5",
    "MODEL_MEMORY_BUDGET_MB": "1500",
    "MAX_MODELS_PER_DEVICE": "2",
    "PRELOAD_MODELS": "ner, text-generation=distilbert/distilgpt2",
    "INFERENCE_BACKEND": "ray",
    "RAY_ADDRESS": "ray://10.0.0.5:10001",
    "RAY_DEPLOYMENTS": "shared",
    "RAY_LOCAL_CPUS": "6",
    "RAY_REPLICAS_MIN": "0",
    "RAY_REPLICAS_MAX": "4",
    "RAY_CPUS_PER_REPLICA": "0.25",
    "RAY_GPUS_PER_REPLICA": "0.5",
    "MODERATOR_ROLES": "Mods, Study Leads",
    "DEMO_CHANNEL_IDS": "123456789012345678, 223456789012345678",
    "DEMO_RATE": "3 / 12.5s",
    "MESSAGE_CONTENT_INTENT": "yes",
    "LOG_LEVEL": "warning",
    "EVENT_LOOP": "AsyncIO",
}


def test_every_setting_has_another_valid_value() -> None:
    assert set(OTHER_VALUES) == {variable.env for variable in VARIABLES}
    defaults = load_settings({}, dotenv_path=None)
    changed = load_settings(OTHER_VALUES, dotenv_path=None)
    same = [v.env for v in VARIABLES if getattr(changed, v.field) == getattr(defaults, v.field)]
    assert same == []


@pytest.mark.parametrize("values", [{}, OTHER_VALUES], ids=["defaults", "other-values"])
def test_describe_prints_what_load_settings_reads_back(values: dict[str, str], tmp_path: Path) -> None:
    settings = load_settings(values, dotenv_path=None)
    written = tmp_path / ".env"
    written.write_text(describe(settings))
    # The token is never printed: it comes from the environment, as it did the first time.
    token = {"DISCORD_TOKEN": values["DISCORD_TOKEN"]} if "DISCORD_TOKEN" in values else {}
    again = load_settings(token, dotenv_path=written)
    assert again == settings
    for variable in VARIABLES:
        assert getattr(again, variable.field) == getattr(settings, variable.field), variable.env
    assert describe(again) == describe(settings)


def test_describe_writes_the_rate_as_the_bot_reads_it() -> None:
    assert "\nDEMO_RATE=4/30\n" in describe(load_settings({}, dotenv_path=None))
    settings = load_settings({"DEMO_RATE": "3 / 12.5s"}, dotenv_path=None)
    assert settings.demo_rate == (3, 12.5)
    assert "\nDEMO_RATE=3/12.5\n" in describe(settings)


def test_studybot_config_output_is_accepted_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name, value in OTHER_VALUES.items():
        monkeypatch.setenv(name, value)
    assert main(["config"]) == 0
    printed = capsys.readouterr().out
    assert "MTIz" not in printed and "# DISCORD_TOKEN=(set, hidden)\n" in printed
    for name in OTHER_VALUES:
        if name != "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    (tmp_path / ".env").write_text(printed)  # what the operator would do with it
    assert main(["config"]) == 0
    assert capsys.readouterr().out == printed


def test_the_generated_docs_come_from_the_field_descriptions() -> None:
    for variable in VARIABLES:
        field = Settings.model_fields[variable.field]
        assert variable.meaning == field.description and variable.meaning, variable.env
        assert f"| `{variable.env}` |" in markdown_table()
        assert f"\n{variable.env}={variable.default}\n" in env_example()


@pytest.mark.parametrize("flag", ["--markdown", "--env-example"])
def test_studybot_config_prints_the_generated_docs(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", flag]) == 0
    printed = capsys.readouterr().out
    assert printed == (markdown_table() if flag == "--markdown" else env_example())


def test_only_the_settings_module_reads_the_environment() -> None:
    """Others may set variables for what they start (a worker's thread counts), never read one."""
    root = Path(__file__).parents[1]

    def reads(text: str) -> bool:
        text = text.replace("os.environ.update(", "")  # a worker setting its threads' variables
        return "os.environ" in text or "getenv(" in text

    readers = [
        str(path.relative_to(root))
        for folder in ("bot", "cogs")
        for path in (root / folder).rglob("*.py")
        if reads(path.read_text())
    ]
    assert readers == ["bot/settings.py"]


def test_an_explicit_environment_ignores_the_process_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUEUE_LIMIT", "7")
    assert load_settings({}, dotenv_path=None).queue_limit == 100
    assert load_settings(None, dotenv_path=None).queue_limit == 7


def test_describe_quotes_values_that_a_dotenv_file_would_change(tmp_path: Path) -> None:
    roles = "Mods #1, O'Brien's \\crew\\, \"Leads\""
    settings = load_settings({"MODERATOR_ROLES": roles}, dotenv_path=None)
    assert settings.moderator_roles == ("Mods #1", "O'Brien's \\crew\\", '"Leads"')
    written = tmp_path / ".env"
    written.write_text(describe(settings))
    assert load_settings({}, dotenv_path=written).moderator_roles == settings.moderator_roles
