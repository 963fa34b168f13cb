"""A warning, as ssh gives one, when a file holding a secret can be read by every local user: the
secret is then no longer one. A warning, not a refusal: the file is the user's, and some deployments
(a container's mounted secret) cannot change its mode."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

log = logging.getLogger(__name__)


def warn_if_others_can_read(path: Path, what: str) -> None:
    """Log a warning naming ``path`` and the fix when its mode lets every local user read it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return  # the caller reports a file it cannot read
    if mode & stat.S_IROTH:
        log.warning(
            "%s %s can be read by every user on this machine (mode %04o); make it private: chmod 600 %s",
            what,
            path,
            mode,
            path,
        )
