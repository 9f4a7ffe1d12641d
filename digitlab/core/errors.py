"""One exception family, so the CLI and the window show a clear message, not a traceback."""


class DigitlabError(Exception):
    """A problem the user can fix (bad file, missing data, bad argument); the message says how."""


class DataError(DigitlabError):
    """The dataset is missing, cannot be downloaded, or its files are corrupt."""


class CheckpointError(DigitlabError):
    """A model file is missing, corrupt, foreign or from an unsupported version."""


class ImageError(DigitlabError):
    """An image file cannot be read."""
