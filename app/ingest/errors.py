"""Why a file could not be read: the message is shown to the user as the reason it was skipped."""


class ExtractionError(Exception):
    """A file that cannot be turned into text; the message is shown to the user as the reason."""


class UnreadableFileError(ExtractionError):
    """The file could not be read at all (it vanished, or the disk failed), whatever it holds.

    Unlike other refusals this says nothing about the file's content, so it is not remembered:
    the next ingest tries the file again.
    """
