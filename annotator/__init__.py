"""annotator: label entities and policy issues in news articles."""

__version__ = "0.1.0"
