"""studybot: a Discord bot for a Hugging Face course study group."""

__version__ = "0.1.0"
