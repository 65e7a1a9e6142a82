"""evwm: a survey-backed knowledge base of efficient video generation models as world models."""

__version__ = "0.1.0"
