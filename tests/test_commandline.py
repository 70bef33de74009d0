"""Parsing `/command option:value` lines the way `studybot try` and the console read them."""

from __future__ import annotations

import pytest

from bot.local.commandline import CommandLineError, check_value, parse_command_line

SCHEMAS = [
    {"name": "about", "type": 1, "description": "d"},
    {
        "name": "homework",
        "type": 1,
        "description": "d",
        "options": [
            {
                "type": 1,
                "name": "post",
                "description": "d",
                "options": [
                    {"type": 3, "name": "title", "description": "d", "required": True, "max_length": 20},
                    {"type": 3, "name": "due", "description": "d"},
                    {"type": 4, "name": "week", "description": "d", "min_value": 1, "max_value": 12},
                    {"type": 5, "name": "optional", "description": "d"},
                ],
            },
            {
                "type": 2,
                "name": "admin",
                "description": "d",
                "options": [
                    {"type": 1, "name": "close", "description": "d", "options": []},
                ],
            },
        ],
    },
    {
        "name": "translate",
        "type": 1,
        "description": "d",
        "options": [
            {"type": 3, "name": "text", "description": "d", "required": True},
            {
                "type": 3,
                "name": "pair",
                "description": "d",
                "choices": [
                    {"name": "French → English", "value": "fr-en"},
                    {"name": "English → French", "value": "en-fr"},
                ],
            },
        ],
    },
]


def test_values_may_hold_spaces_and_colons() -> None:
    parsed = parse_command_line("/homework post title:Read ch. 1: intro due:2030-12-01 18:00 week:2", SCHEMAS)
    assert parsed.path == ["homework", "post"]
    assert parsed.raw_options == {"title": "Read ch. 1: intro", "due": "2030-12-01 18:00", "week": "2"}


def test_quotes_are_optional_and_removed() -> None:
    parsed = parse_command_line("/translate text:\"Bonjour: ça va ?\" pair:'fr-en'", SCHEMAS)
    assert parsed.raw_options == {"text": "Bonjour: ça va ?", "pair": "fr-en"}


def test_a_word_that_is_not_an_option_name_stays_in_the_value() -> None:
    parsed = parse_command_line("/translate text:le mot:clé est ici", SCHEMAS)
    assert parsed.raw_options == {"text": "le mot:clé est ici"}


def test_nested_subcommand_groups() -> None:
    parsed = parse_command_line("/homework admin close", SCHEMAS)
    assert parsed.path == ["homework", "admin", "close"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("about", "starts with '/'"),
        ("/nope", "unknown command /nope"),
        ("/homework", "needs one of: admin, post"),
        ("/homework post Read", "expected options as name:value"),
        ("/homework post title:a title:b", "given twice"),
        ("/about extra:1", "takes no options"),
    ],
)
def test_bad_lines_are_explained(line: str, message: str) -> None:
    with pytest.raises(CommandLineError, match=message):
        parse_command_line(line, SCHEMAS)


def test_values_are_checked_like_the_discord_client() -> None:
    post = SCHEMAS[1]["options"][0]["options"]
    title, week, optional = post[0], post[2], post[3]
    pair = SCHEMAS[2]["options"][1]
    assert check_value(week, "3") == 3
    assert check_value(optional, "yes") is True and check_value(optional, "false") is False
    assert check_value(pair, "English → French") == "en-fr"
    with pytest.raises(CommandLineError, match="between 1 and 12"):
        check_value(week, "13")
    with pytest.raises(CommandLineError, match="whole number"):
        check_value(week, "two")
    with pytest.raises(CommandLineError, match="0 to 20 characters"):
        check_value(title, "x" * 21)
    with pytest.raises(CommandLineError, match="one of fr-en, en-fr"):
        check_value(pair, "de-en")
