"""The error of an index that cannot be used as it is; its message says how to fix it."""


class CorpusIndexError(RuntimeError):
    """The index is missing or does not match this wenda; the message says how to fix it."""
