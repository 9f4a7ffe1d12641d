"""digitlab: a desktop lab for looking inside small neural networks on handwritten digits."""

__version__ = "0.1.0"
