"""Errors that stop a command before it can do its work (not findings: those are data).

Here rather than beside the code that raises them, so that the command line can
catch them without loading that code first.
"""


class BatchError(Exception):
    """The batch cannot start (the folder is missing, not a folder, …)."""


class PoolError(Exception):
    """The reading workers cannot be started at all."""


class RosterError(Exception):
    """The roster cannot be read; the message says what to fix."""
