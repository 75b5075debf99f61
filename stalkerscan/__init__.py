"""stalkerscan: a desk-side, read-only stalkerware scanner for Android."""

__version__ = "0.1.0"
