"""smm-tui: a keyboard-driven terminal inbox for social-media managers."""

__version__ = "0.1.0"
