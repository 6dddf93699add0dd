"""Possible duplicates name only lines that were sent: a batch whose response is lost is sent
again, and the lines of it that failed here (never sent) are not among the "maybe stored twice".
Real sockets: a hostile server on loopback that refuses a request holding events that are not
objects (a 400, as Axiom), then stores the good ones and drops the connection before answering."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from hostile import Hostile, ok, respond

from app.core.axiom import AxiomClient, Endpoint
from app.core.job import Backoff, Source, UploadJob
from app.core.plan import Plan

BAD = (300, 700)




def test_a_lost_response_counts_only_the_lines_sent_as_possible_duplicates(tmp_path):
    dropped = []

    def behave(n, events, headers):
        if not all(isinstance(e, dict) for e in events):  # as Axiom: the whole request refused
            bad = next(i for i, e in enumerate(events) if not isinstance(e, dict))
            return [], respond(400, {"message": f"invalid event at index {bad}: not an object"}), 0
        if not dropped:  # the first good request is stored, and its answer lost
            dropped.append(n)
            return events, None, 0
        return events, ok(events), 0

    server = Hostile(behave).start()
    path = tmp_path / "dup.ndjson"
    path.write_text("".join("[1, 2]\n" if i in BAD else json.dumps({"n": i}) + "\n"
                            for i in range(1, 1_001)))

    async def go():
        client = AxiomClient(Endpoint(server.url, server.url), "xaat-dup-spans", timeout=5)
        try:
            job = UploadJob(Source.from_path(path), Plan(format="ndjson", compression=None, encoding="utf-8"),
                            client, "ds", in_flight=1, compression=None, journal=False,
                            backoff=lambda: Backoff(start=0.01, cap=0.02, max_attempts=4))
            return await job.run()
        finally:
            await client.aclose()
    try:
        result = asyncio.run(go())
    finally:
        server.stop()
    assert (result.ingested, result.failed, result.not_sent) == (998, 2, 0), (result.error, result.requests)
    assert [f.line for f in result.failures] == list(BAD)
    twice = sorted(v for v, c in Counter(e["n"] for e in server.stored).items() if c == 2)
    assert twice == [n for n in range(1, 1_001) if n not in BAD]  # all that was sent, sent twice
    assert result.possible_duplicates == 998
    assert result.possible_duplicate_lines == [[1, 299], [301, 699], [701, 1_000]]
    [warning] = [str(w) for w in result.warnings if "stored twice" in str(w)]
    assert warning.startswith("lines 1–299, 301–699, 701–1000: "), warning
