"""The TOML config file, strictly validated.

Every problem becomes a :class:`ConfigError` whose message is one line naming
the file and the offending key, so the CLI can print it and exit. Unknown keys
are errors (with a did-you-mean suggestion) rather than silently ignored: a
misspelt ``token_env`` would otherwise surface much later as "not authorised".

- :mod:`.model`: the frozen objects the app reads, their defaults, :class:`ConfigError`;
- :mod:`.load`: reading the file and the token file-mode rule;
- :mod:`.schema`: the file's shape as msgspec structs (accounts tagged on ``platform``);
- :mod:`.build`: the checks a type cannot state, and the objects built;
- :mod:`.errors`: msgspec's errors in one-line wording, with did-you-mean;
- :mod:`.demo`: the built-in demo workspace;
- ``config.example.toml``: every key, commented (:func:`example_config`).
"""

from __future__ import annotations

from smm_tui.config.demo import DEMO_TEAMMATES, demo_config
from smm_tui.config.load import load_config
from smm_tui.config.model import (
    DEFAULT_APPLIES_TO,
    DEFAULT_DEMO_SEED,
    DEFAULT_DEPARTMENTS,
    DEFAULT_RATE_PER_MINUTE,
    FALLBACK_USER,
    AccountConfig,
    Config,
    ConfigError,
    DemoConfig,
    RuleConfig,
    SlaConfig,
    default_config,
    default_user,
)

__all__ = [
    "DEFAULT_APPLIES_TO",
    "DEFAULT_DEMO_SEED",
    "DEFAULT_DEPARTMENTS",
    "DEFAULT_RATE_PER_MINUTE",
    "DEMO_TEAMMATES",
    "EXAMPLE_FILENAME",
    "FALLBACK_USER",
    "AccountConfig",
    "Config",
    "ConfigError",
    "DemoConfig",
    "RuleConfig",
    "SlaConfig",
    "default_config",
    "default_user",
    "demo_config",
    "example_config",
    "load_config",
]

#: The commented example config shipped in this package (the README points to it).
EXAMPLE_FILENAME = "config.example.toml"


def example_config() -> str:
    """The text of the commented example ``config.toml``; it loads as it stands."""
    from importlib import resources  # ~6-40 ms of import, for a file only tests and docs read

    return resources.files(__name__).joinpath(EXAMPLE_FILENAME).read_text(encoding="utf-8")


def __getattr__(name: str) -> str:
    # EXAMPLE_CONFIG was a string constant; it is read from the file when first asked for.
    if name == "EXAMPLE_CONFIG":
        return example_config()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
