"""Errors a user can act on. The CLI prints `message` (Chinese) and exits 2; the service
returns it as JSON with a 4xx status. Never a traceback for bad input."""


class InputError(Exception):
    """The input cannot be reviewed: empty, corrupt, encrypted, scanned, not a report…"""

    def __init__(self, code: str, message: str, detail: str = ""):
        super().__init__(message)
        self.code = code  # stable machine-readable reason, e.g. "empty", "encrypted"
        self.message = message  # Chinese, for the user
        self.detail = detail  # English/technical detail for logs

    def to_json(self) -> dict:
        out = {"error": self.code, "message": self.message}
        if self.detail:
            out["detail"] = self.detail
        return out


class ModelError(Exception):
    """A shipped or user-supplied model is missing or corrupt."""
