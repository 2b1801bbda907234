"""ingest/errors.py: the domain errors."""

from __future__ import annotations

import pickle

from beleidsbron.ingest.errors import DocumentError


def test_a_document_error_survives_pickling_with_its_fields() -> None:
    # a Dask worker's reading error travels back to the driver pickled (index/distributed.py)
    error = pickle.loads(pickle.dumps(DocumentError("bom.pdf", "the time limit is 0.2 s per page; not indexed")))
    assert isinstance(error, DocumentError)
    assert (error.file, error.reason) == ("bom.pdf", "the time limit is 0.2 s per page; not indexed")
    assert str(error) == "bom.pdf: the time limit is 0.2 s per page; not indexed"
