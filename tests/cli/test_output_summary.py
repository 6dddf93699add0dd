"""The text summary of a job that stopped early: every count, why it stopped, how to resume."""

from __future__ import annotations

import asyncio
import json

import httpx

from app.cli.output import describe_summary
from app.core.axiom import AxiomClient, Endpoint
from app.core.job import Backoff, Source, UploadJob
from app.core.plan import Plan


def gave_up_summary(tmp_path, answer) -> dict:
    path = tmp_path / "never.ndjson"
    path.write_text("".join(json.dumps({"n": i}) + "\n" for i in range(1, 26)))

    async def go():
        client = AxiomClient(Endpoint("https://axiom.example.test", "https://axiom.example.test"), "xaat-summary",
                             transport=httpx.MockTransport(answer))
        try:
            job = UploadJob(Source.from_path(path), Plan(format="ndjson"), client, "logs", max_events=10,
                            in_flight=1, backoff=lambda: Backoff(start=0.001, cap=0.002, max_attempts=3))
            return await job.run()
        finally:
            await client.aclose()

    return asyncio.run(go()).to_json(str(path))


def test_a_job_that_gave_up_on_a_server_that_never_answers_gives_its_counts_and_how_to_resume(tmp_path):
    def never(request):
        raise httpx.ReadTimeout("timed out", request=request)

    s = gave_up_summary(tmp_path, never)
    text = describe_summary(s)
    lines = text.splitlines()
    # the first batch went out three times unanswered: resent twice, so its 10 events may be stored twice
    assert lines[0].endswith("→ logs: 0 ingested, 0 failed, 25 not sent, 10 possible duplicates"), text
    assert lines[1].startswith("  stopped: gave up after 3 attempts: no answer from https://axiom.example.test "
                               "in time (read timeout)") and lines[1].endswith("(at line 1)")
    assert "may be stored" in text  # the last request was sent: not hidden
    assert lines[-1] == f"  continue it later with: axiom-drop resume {s['job_id']}"
    assert (s["ingested"], s["not_sent"], s["possible_duplicates"], s["error_kind"]) == (0, 25, 10, "network")
    assert s["possible_duplicate_lines"] == [[1, 10]] and s["job_id"]


def test_an_input_never_read_is_one_line():
    s = {"path": "gone.ndjson", "error": "gone.ndjson: no such file", "ingested": 0, "failed": 0,
         "not_sent": 0, "possible_duplicates": 0, "failures": [], "job_id": None}
    assert describe_summary(s) == "gone.ndjson: gone.ndjson: no such file"
