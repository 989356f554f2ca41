"""The archive: index parsed documents in SQLite (FTS5) or PostgreSQL, search them, follow
their references, export them.

    from vnplan_nlp.archive import open_store, index_paths, search
    with open_store("archive.sqlite", create=True) as store:
        index_paths(store, ["docs/"])
        for row in search(store, "tuyen truyen mieng").rows: ...
"""

from .index import IndexReport, add_document, index_paths
from .search import Filters, search
from .store import Store, StoreError, open_store

__all__ = ["open_store", "index_paths", "add_document", "search", "Filters", "Store", "StoreError", "IndexReport"]
