"""The one exception every patrols service raises when a request would break a rule."""


class PatrolRuleError(Exception):
    """A request that would break a rule of the operation; the message says which.

    ``field`` names the form (and API) field the message belongs next to, when there is
    one; pages and the API put it there, or above the form when it is None.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
