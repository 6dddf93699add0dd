"""Reading inputs: which files a drop or a paste means, opening them, decompressing by magic
bytes and transcoding to UTF-8, all streamed."""

from app.core.io.compression import CompressedDataError, Decompressing, decompressing, detect_compression
from app.core.io.open import SourceError, decoded, open_raw
from app.core.io.paths import (
    COMPRESSED_SUFFIXES,
    LOOP_SKIPPED,
    SUPPORTED_SUFFIXES,
    expand_paths,
    is_supported_name,
    paths_from_text,
    shown,
)
from app.core.io.transcode import Prepended, transcoding

__all__ = [
    "COMPRESSED_SUFFIXES", "CompressedDataError", "Decompressing", "LOOP_SKIPPED", "SUPPORTED_SUFFIXES", "Prepended", "SourceError", "decoded",
    "decompressing", "detect_compression", "expand_paths", "is_supported_name", "open_raw", "paths_from_text",
    "shown", "transcoding",
]
