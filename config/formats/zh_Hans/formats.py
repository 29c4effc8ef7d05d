"""Dates and times in Chinese as in English: the shared ISO formats of config.formats.iso."""

from config.formats.iso import *  # noqa: F403
