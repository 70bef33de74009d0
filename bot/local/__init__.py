"""The embedded Discord double and what runs the bot against it (tests, console, ``studybot try``)."""
