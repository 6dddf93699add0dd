"""Opening an input: compression by magic bytes, transcoding to UTF-8 without a BOM."""

from __future__ import annotations

import codecs
import gzip
import io

import pytest
import zstandard

from app.core.io import SourceError, decoded, detect_compression, open_raw

TEXT = '{"city": "Zürich"}\n' * 3


@pytest.mark.parametrize("compression", [None, "gzip", "zstd"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le", "cp1252"])
def test_decoded_is_utf8_without_bom(compression, encoding):
    raw = TEXT.encode(encoding)
    if encoding == "utf-8-sig":
        assert raw.startswith(codecs.BOM_UTF8)
    if encoding == "utf-16-le":
        raw = codecs.BOM_UTF16_LE + raw
    if compression == "gzip":
        raw = gzip.compress(raw)
    elif compression == "zstd":
        raw = zstandard.ZstdCompressor().compress(raw)
    assert detect_compression(raw) == compression
    assert decoded(io.BytesIO(raw), compression, encoding).read() == TEXT.encode("utf-8")


def test_open_raw_says_why(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        open_raw(tmp_path / "gone.csv")
    with pytest.raises(SourceError, match="is a folder"):
        open_raw(tmp_path)
