"""Cut a decoded (UTF-8) input stream into ingest batches, remembering where each event came from.

Every format is streamed in ~1 MiB reads; memory is bounded by the batch size, never the input.
One reader per format (ndjson, csv_reader, json_reader), one builder that cuts batches under the
caps (builder.py), and iter_batches (iterate.py) choosing the reader for a Plan.
"""

from app.core.batching.batch import Batch
from app.core.batching.errors import InputError
from app.core.batching.iterate import iter_batches
from app.core.batching.limits import CHUNK, FORMATS, MAX_BYTES, MAX_EVENTS, MAX_RECORD
from app.core.batching.csv_refusals import refused_rows
from app.core.batching.validation import long_values, ragged_rows, validate_records

__all__ = [
    "CHUNK", "FORMATS", "MAX_BYTES", "MAX_EVENTS", "MAX_RECORD", "Batch", "InputError", "iter_batches",
    "long_values", "ragged_rows", "refused_rows", "validate_records",
]
