"""Exit codes and the errors a user can cause, each with a stable code and one clear sentence."""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0  # no draft reached --fail-on
    FAILED = 1  # at least one draft reached --fail-on
    USAGE = 2  # usage, configuration or input error
    INTERNAL = 3  # a bug in coach


class CoachError(Exception):
    """An error the user can fix: bad input, bad configuration, bad usage.

    `code` is stable (E0xx) so scripts and support can refer to it; `str()` is one line.
    """

    exit_code = ExitCode.USAGE

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:  # one line, always
        return f"{self.message} [{self.code}]".replace("\n", " ")


class InputError(CoachError):
    """The draft could not be read: empty, binary, undecodable, too large, malformed."""


class ConfigError(CoachError):
    """The configuration file is invalid; the message names the key."""


class LexiconError(CoachError):
    """A rule file is invalid. Raised at load time so a broken rule never reaches a review."""
