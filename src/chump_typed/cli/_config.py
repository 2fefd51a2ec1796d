"""The command line's config file: where it lives and how it is read.

The file is TOML with string keys at the top level, e.g.::

    token = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
    user = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"

It lives in the user's config directory: ``$XDG_CONFIG_HOME/chump-typed/config.toml``
(``~/.config/chump-typed/config.toml`` when the variable is unset), or
``%APPDATA%\\chump-typed\\config.toml`` on Windows. It is read with :mod:`tomllib`
(``tomli``, the same reader, on Python 3.10).

Error messages name the file, line and key but never quote a value: the file holds
secrets.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

__all__ = [
    "KEYS",
    "ConfigError",
    "default_config_path",
    "load_config",
    "load_pushoverrc",
    "pushoverrc_path",
]

#: The keys the file may set.
KEYS: Final = frozenset({"token", "user", "base_url", "e2ee_key"})


class ConfigError(Exception):
    """The config file could not be read or says something we do not understand."""


def default_config_path(
    environ: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> Path:
    """The config file's path in the user's config directory (it may not exist)."""
    if platform == "win32":
        appdata = environ.get("APPDATA")
        base = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
    else:
        xdg = environ.get("XDG_CONFIG_HOME", "")
        # The XDG spec says a relative value is invalid and must be ignored.
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".config"
    return base / "chump-typed" / "config.toml"


def _parse(text: str) -> dict[str, Any]:
    # Imported here: only a command that reads the file pays for the TOML reader.
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The message gives the line and column, never a value.
        raise ConfigError(str(exc)) from None
    except RecursionError:  # arrays nested thousands deep
        raise ConfigError("values nested too deeply") from None


def load_config(path: Path) -> dict[str, str]:
    """Read *path*; a missing file is an empty config.

    :raises ConfigError: the file is unreadable, is not valid, sets an unknown key or a
        value that is not a string.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({type(exc).__name__})") from None
    try:
        data = _parse(text)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    config: dict[str, str] = {}
    for key, value in data.items():
        if key not in KEYS:
            known = ", ".join(sorted(KEYS))
            raise ConfigError(f"{path}: unknown key {key!r} (known: {known})")
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {key} must be a string")
        config[key] = value
    return config


#: python-pushover's file: its keys, and the setting each gives here.
PUSHOVERRC_KEYS: Final = {"api_token": "token", "user_key": "user", "device": "device"}
#: The profile read when none is named (python-pushover's).
DEFAULT_PROFILE: Final = "Default"


def pushoverrc_path(environ: Mapping[str, str] = os.environ) -> Path:
    """``~/.pushoverrc``, the file python-pushover users already have."""
    home = environ.get("HOME")
    return (Path(home) if home else Path.home()) / ".pushoverrc"


def load_pushoverrc(path: Path, profile: str | None) -> dict[str, str]:
    """The settings of *profile* (``[Default]`` when ``None``) in python-pushover's INI
    file at *path*: ``token``, ``user`` and ``device``.

    A missing file, or one in another format (some tools write shell ``KEY=value``
    lines there), is quietly empty; a profile named on the command line but absent
    from a readable file is a :class:`ConfigError`.
    """
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        text = path.read_text(encoding="utf-8")
        parser.read_string(text, source=str(path))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return {}
    name = profile or DEFAULT_PROFILE
    if not parser.has_section(name):
        if profile is not None:
            raise ConfigError(f"{path}: no profile [{profile}]")
        return {}
    section = parser[name]
    return {
        ours: section[theirs].strip()
        for theirs, ours in PUSHOVERRC_KEYS.items()
        if section.get(theirs, "").strip()
    }
