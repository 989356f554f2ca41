"""vnplan_nlp: read Vietnamese Party and State plan documents into checked, searchable structure."""

from .models import Document

__version__ = "0.1.0"
__all__ = ["Document", "__version__"]
