"""The package's version, in a module of its own so any module may read it without importing ``kg``."""

__version__ = "0.2.0"
