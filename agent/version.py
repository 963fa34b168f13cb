"""The installed version, read from the package metadata (one source of truth: pyproject.toml)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("atlas-health")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

USER_AGENT = f"atlas-health/{__version__}"
