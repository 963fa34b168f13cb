"""What every notification channel shares: the sender's shape and its two kinds of error."""

from __future__ import annotations

from typing import Protocol


class DeliveryError(Exception):
    """A notification that did not arrive; the outbox records the message and retries later.

    ``permanent`` marks errors a retry is unlikely to cure (a refused login, an unknown project):
    they are still retried, but logged louder so someone fixes the configuration.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the server said
        self.permanent = permanent


class CredentialError(ValueError):
    """A channel's token or password is missing, unreadable or empty; the message names the fix."""


class Sender(Protocol):
    def send(self, payload: dict[str, object], dedupe_key: str) -> str | None:
        """Deliver one notification; return an external reference (a Jira issue key) or None.

        Raises DeliveryError when it did not arrive.
        """
        ...
