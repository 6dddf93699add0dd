"""Decompressing (issue #11): every frame/member read, every byte before a cut handed out, and a
cut or damaged input raised with the byte where it stopped, never a quiet end."""

from __future__ import annotations

import gzip
import io
import os

import pytest
import zstandard

from app.core.io import CompressedDataError, decoded

TEXT = b"".join(b'{"n":%d,"pad":"%s"}\n' % (i, os.urandom(8).hex().encode()) for i in range(3000))


def frames(compression: str, parts: list[bytes], checksum: bool = False) -> bytes:
    if compression == "gzip":
        return b"".join(gzip.compress(p) for p in parts)
    c = zstandard.ZstdCompressor(write_checksum=checksum, write_content_size=not checksum)
    return b"".join(c.compress(p) for p in parts)


def read_all(data: bytes, compression: str, encoding: str | None = None) -> tuple[bytes, CompressedDataError | None]:
    s = decoded(io.BytesIO(data), compression, encoding)
    out = bytearray()
    try:
        while chunk := s.read(1 << 16):
            out += chunk
    except CompressedDataError as e:
        return bytes(out), e
    return bytes(out), None


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_several_frames_or_members_are_read_whole(compression):
    parts = [TEXT[:50_000], TEXT[50_000:50_000], TEXT[50_000:]]
    assert read_all(frames(compression, parts), compression) == (TEXT, None)


def test_skippable_zstd_frames_and_checksums_are_complete():
    skippable = b"\x50\x2a\x4d\x18" + (5).to_bytes(4, "little") + b"hello"
    data = skippable + frames("zstd", [TEXT[:9000]], checksum=True) + skippable + frames("zstd", [TEXT[9000:]])
    assert read_all(data, "zstd") == (TEXT, None)


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_a_cut_anywhere_is_raised_after_every_good_byte(compression):
    whole = frames(compression, [TEXT[:40_000], TEXT[40_000:]], checksum=compression == "zstd")
    boundary = len(frames(compression, [TEXT[:40_000]], checksum=compression == "zstd"))
    cuts = sorted({1, 5, 10, 17, boundary - 1, boundary + 3, len(whole) - 1, len(whole) - 4,
                   *range(100, len(whole), 997)})
    for cut in cuts:
        got, err = read_all(whole[:cut], compression)
        assert err is not None and err.cut and err.offset == cut, (cut, err)
        assert TEXT.startswith(got), cut
        assert f"cut off (truncated) at byte {cut:,} of the compressed file" in err.message
    assert read_all(whole[:boundary], compression) == (TEXT[:40_000], None)  # a frame's end is an end


def test_bytes_before_a_cut_survive_the_transcoder():
    text = TEXT.decode().encode("utf-16")
    data = frames("gzip", [text])
    got, err = read_all(data[: len(data) * 2 // 3], "gzip", "utf-16")
    assert err is not None and len(got) > len(TEXT) // 3 and TEXT.startswith(got)


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_damaged_data_is_named(compression):
    data = bytearray(frames(compression, [TEXT], checksum=True))  # zstd finds damage by its checksum
    data[len(data) // 2: len(data) // 2 + 64] = b"\xff" * 64
    _, err = read_all(bytes(data), compression)
    assert err is not None and not err.cut and f"the {compression} data is damaged" in err.message
