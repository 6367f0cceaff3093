"""Domain errors raised by models; each API's wire layer maps them to its own error format."""


class DomainError(Exception):
    """A rule was broken. `status` is the HTTP-ish meaning; wire layers translate it."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None, code=None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.code = code  # provider-specific error code, if the provider has codes
        self.field = field


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class AdminError(Exception):
    """Bad input to the admin API: answered as 400 with the message."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class BackendUnavailable(Exception):
    """The state backend (e.g. redis) cannot be reached."""


class ConnectionDropped(Exception):
    """Raised while sending an answer on purpose, so a server that does not hand us the socket
    (granian) breaks the connection off: no reply, or a status line without its body (fault kinds
    drop_connection, timeout)."""


def describe(exc: Exception, limit: int = 200) -> str:
    """An unforeseen exception named in a 400's message: its type and text, cut at `limit`."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= limit else text[:limit] + "…"
