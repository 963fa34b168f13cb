"""Configuration: YAML validated at start-up, secrets by reference."""

from agent.config.loader import ConfigError, ConfigIssue, LoadedConfig, load_config, parse_config

__all__ = ["ConfigError", "ConfigIssue", "LoadedConfig", "load_config", "parse_config"]
