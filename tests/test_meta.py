"""Every extension and command meets Discord's rules and ours (checked on the synced schema)."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

from bot.app import extension_names
from bot.local.session import LocalSession

NAME_RE = re.compile(r"^[-_\w]{1,32}$")


def _walk(options: list[dict], path: str):
    for option in options:
        yield path, option
        if option["type"] in (1, 2):
            yield from _walk(option.get("options") or [], f"{path} {option['name']}")


def test_every_extension_has_setup() -> None:
    names = extension_names()
    assert "cogs.about" in names
    for name in names:
        module = importlib.import_module(name)
        assert callable(getattr(module, "setup", None)), f"{name} has no setup()"


async def test_commands_are_unique_and_described_within_discords_limits(session: LocalSession) -> None:
    schemas = session.schemas()
    names = [schema["name"] for schema in schemas]
    assert len(names) == len(set(names)), names
    for schema in schemas:
        assert NAME_RE.match(schema["name"]) and schema["name"] == schema["name"].lower()
        assert 1 <= len(schema["description"]) <= 100, schema["name"]
        assert schema["description"] != "…", f"/{schema['name']} has no docstring"
        options = schema.get("options") or []
        assert len(options) <= 25
        for path, option in _walk(options, schema["name"]):
            where = f"/{path} {option['name']}"
            assert NAME_RE.match(option["name"]) and option["name"] == option["name"].lower(), where
            assert 1 <= len(option["description"]) <= 100, where
            assert option["description"] != "…", f"{where} is not described"
            assert len(option.get("choices") or []) <= 25, where
            assert len(option.get("options") or []) <= 25, where
            if option["type"] == 3 and not option.get("choices"):
                # Discord allows 6,000 characters otherwise; each option says what it needs.
                assert option.get("max_length") is not None, f"{where} declares no max_length"
    total = sum(len(str(schema)) for schema in schemas)
    assert total < 200_000  # far under Discord's 8000 characters per command on average


async def test_readme_lists_every_slash_command(session: LocalSession) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for schema in session.schemas():
        assert f"| `/{schema['name']}" in readme, f"/{schema['name']} is missing from the README's table"


def test_the_installed_package_carries_its_data_files(tmp_path: Path) -> None:
    """A plain (non-editable) install, as in the Docker image, has the migrations and catalogs."""
    root = Path(__file__).parents[1]
    source = tmp_path / "project"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    for name in ("bot", "cogs"):
        shutil.copytree(root / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-qw", "../dist", "."],
        cwd=source,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("studybot-*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        path.relative_to(root).as_posix()
        for pattern in ("*.sql", "*.toml", "*.json", "*.txt")
        for folder in ("bot", "cogs")
        for path in (root / folder).rglob(pattern)
    }
    assert any(name.startswith("bot/db/migrations/") for name in expected)
    assert expected <= packed, sorted(expected - packed)


def test_compose_mounts_the_images_volumes_and_refuses_to_run_without_a_token() -> None:
    root = Path(__file__).parents[1]
    service = yaml.safe_load((root / "docker-compose.yml").read_text())["services"]["studybot"]
    assert service["env_file"] == ".env"
    assert service["command"] == ["studybot", "run", "--no-console"]
    image_command = re.search(r"^CMD (\[.*\])$", (root / "Dockerfile").read_text(), re.MULTILINE)
    assert image_command and json.loads(image_command.group(1)) == service["command"]
    mounted = {volume.split(":", 1)[1] for volume in service["volumes"]}
    declared = re.search(r"^VOLUME (\[.*\])$", (root / "Dockerfile").read_text(), re.MULTILINE)
    assert declared, "the Dockerfile declares no VOLUME"
    assert set(json.loads(declared.group(1))) == mounted == {"/data", "/models"}
    assert service["environment"]["DATABASE_PATH"].startswith("/data/")
