"""Dates and times in English as in Chinese: the shared ISO formats of config.formats.iso."""

from config.formats.iso import *  # noqa: F403
