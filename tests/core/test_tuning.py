"""The compression tuner: a slow link moves it to smaller bodies, a fast one to cheaper levels,
and whatever level it picks, the body decompresses to the same bytes."""

import zstandard

from app.core.tuning import LADDER, START_RUNG, Tuner

PAYLOAD = b"".join(b'{"_time":"2024-01-01T00:00:%02dZ","path":"/api/v1/users","status":200,"n":%d}\n' % (i % 60, i)
                   for i in range(20_000))


def _feed(tuner: Tuner, link_bytes_per_s: float, rounds: int = 30) -> None:
    """Compress batches and report sends that took as long as the link would need."""
    for _ in range(rounds):
        body = tuner.compress(PAYLOAD)
        tuner.note_sent(len(body), len(body) * tuner.senders / link_bytes_per_s)


def test_a_slow_link_moves_to_smaller_bodies():
    tuner = Tuner("zstd", workers=2, senders=4)
    _feed(tuner, 100_000)  # 100 kB/s: CPU time is cheap next to the wire
    assert tuner.rung > START_RUNG
    assert tuner.summary()["changes"]


def test_a_fast_link_moves_to_cheaper_levels():
    tuner = Tuner("zstd", workers=2, senders=4)
    _feed(tuner, 10e9)  # 10 GB/s: compression is the bottleneck
    assert tuner.rung < START_RUNG


def _as_measured(tuner: Tuner) -> Tuner:
    """Every rung measured at its prior speed and ratio: the decisions below depend on no clock."""
    for st, rung in zip(tuner._stats, LADDER):
        st.add(rung.prior_speed * 1e6, rung.prior_ratio)
    return tuner


def _decided(tuner: Tuner, link: float) -> int:
    for _ in range(10):
        tuner.note_sent(1 << 20, (1 << 20) * tuner.senders / link)
    return tuner.rung


def test_a_reader_that_needs_the_cpu_moves_to_cheaper_levels():
    """A text log's parsing costs CPU that the compressing threads then lack: on a fast
    link with two cores, a reader spending as much CPU per byte as lazy2/s3's
    compression leaves room for a cheaper level only; on a slow link the wire decides alone.
    (At 320 Mbit/s the compressing threads alone keep up with lazy2/s3: there it stays.)"""
    alone, parsing = (_as_measured(Tuner("zstd", workers=2, senders=4, start=3)) for _ in range(2))
    alone.cores = parsing.cores = 2
    for _ in range(5):
        parsing.note_read(4 << 20, (4 << 20) / (LADDER[3].prior_speed * 1e6))
    assert _decided(parsing, 40e6) < _decided(alone, 40e6) == 3
    assert parsing.summary()["read_mb_per_cpu_s"] == LADDER[3].prior_speed
    slow_alone, slow_parsing = (_as_measured(Tuner("zstd", workers=2, senders=4, start=3)) for _ in range(2))
    slow_parsing.note_read(4 << 20, (4 << 20) / (LADDER[3].prior_speed * 1e6))
    assert _decided(slow_parsing, 1e6) == _decided(slow_alone, 1e6) > 3


def test_every_rung_round_trips():
    d = zstandard.ZstdDecompressor()
    for i in range(len(LADDER)):
        tuner = Tuner("zstd", start=i)
        out = tuner.compress(PAYLOAD)
        assert len(out) < len(PAYLOAD) / 5
        assert d.decompressobj().decompress(out) == PAYLOAD


def test_a_given_level_is_kept():
    tuner = Tuner("zstd", fixed=3)
    _feed(tuner, 100_000)
    assert tuner.describe() == "zstd-3"
    assert zstandard.ZstdDecompressor().decompressobj().decompress(tuner.compress(PAYLOAD)) == PAYLOAD


def test_gzip_and_none():
    import gzip

    assert gzip.decompress(Tuner("gzip", fixed=5).compress(PAYLOAD)) == PAYLOAD
    assert Tuner(None).compress(PAYLOAD) == PAYLOAD


def test_the_first_batch_can_take_a_cheaper_rung_than_the_rest():
    """An upload's first request should leave early: its batch is compressed at `first`, the
    following ones at `start` (a better ratio) until measurements move the tuner."""
    tuner = Tuner("zstd", workers=2, senders=8, start=3, first=0)
    sizes = [len(tuner.compress(PAYLOAD)) for _ in range(3)]
    assert tuner.summary()["rungs"][LADDER[0].name]["batches"] == 1
    assert tuner.summary()["rungs"][LADDER[3].name]["batches"] == 2
    assert sizes[0] != sizes[1] == sizes[2]  # another level for the first, the same after


def test_a_compressing_thread_kept_waiting_for_a_core_does_not_look_slow(monkeypatch):
    """A busy machine at the start of an upload delays the compressing threads; that waiting is
    no cost of the level, or a slow link would stay at the fastest level (and send more bytes)."""
    import time

    real = time.perf_counter
    monkeypatch.setattr(time, "perf_counter", lambda: real() * 50)  # every wall-clock second: 50
    tuner = Tuner("zstd", workers=2, senders=4)
    _feed(tuner, 1_000_000)  # 1 MB/s: a slow link, the CPU has time for a smaller body
    assert tuner.rung > START_RUNG, tuner.summary()


def test_jobs_sharing_the_compressing_threads_plan_on_their_share(monkeypatch):
    """Three uploads compressing in the queue's two threads have two thirds of a thread each: a
    link on which one upload does best with a slower, tighter level keeps three of them at a cheap
    one (planning on the whole pool each, the three kept both cores busy compressing, and the
    window's event loop waited for a core)."""
    import time

    from app.core.tuning import CompressPool

    now = [0.0]

    def thread_time() -> float:  # every compress takes the same CPU time: 100 MB/s at any rung
        now[0] += len(PAYLOAD) / 100e6 / 2
        return now[0]

    monkeypatch.setattr(time, "thread_time", thread_time)
    ratio = len(Tuner("zstd", start=START_RUNG).compress(PAYLOAD)) / len(PAYLOAD)
    link = 20e6 * ratio / LADDER[START_RUNG].prior_ratio  # a link share where the ratio counts
    alone = Tuner("zstd", workers=2, senders=4)
    _feed(alone, link)
    pool = CompressPool(2)
    try:
        for _ in range(3):
            pool.join()
        shared = Tuner("zstd", workers=2, senders=4)
        shared.pool = pool
        _feed(shared, link)
        assert pool.share() == 2 / 3
    finally:
        pool.shutdown()
    assert alone.rung > START_RUNG, alone.summary()
    assert shared.rung < START_RUNG, shared.summary()


class _Sending:
    """A loop whose sending costs `per_byte` CPU seconds per payload byte."""

    def __init__(self, per_byte: float):
        self.value = per_byte

    def per_byte(self) -> float:
        return self.value

    def note(self, nbytes: int) -> None:
        pass


def test_the_cpu_sending_takes_keeps_a_busy_machine_at_cheaper_levels():
    """On two cores, sending's own CPU (httpx and the kernel: ~2 ms a MB on the loop) is CPU the
    compressing cannot have: a link that alone would favour lazy2/s3 gets a cheaper level once
    it counts. (Requests slowed by a busy CPU read as a slow link; without this the tuner then
    climbed to costlier levels and slowed them more.) On a slow link the wire still decides."""
    free, busy = (_as_measured(Tuner("zstd", workers=2, senders=4, start=3)) for _ in range(2))
    free.cores = busy.cores = 2
    free.loop, busy.loop = _Sending(0.0), _Sending(2e-9)
    assert _decided(busy, 40e6) < _decided(free, 40e6) == 3
    assert busy.summary()["send_mb_per_cpu_s"] == 500.0
    slow_free, slow_busy = (_as_measured(Tuner("zstd", workers=2, senders=4, start=3)) for _ in range(2))
    slow_free.loop, slow_busy.loop = _Sending(0.0), _Sending(2e-9)
    assert _decided(slow_busy, 1e6) == _decided(slow_free, 1e6) > 3


def test_the_loop_cpu_is_charged_to_answers_but_not_to_idle_time(monkeypatch):
    import threading
    import time

    from app.core.tuning import LoopCpu

    clock = {"cpu": 0.0, "wall": 0.0}
    monkeypatch.setattr(time, "thread_time", lambda: clock["cpu"])
    monkeypatch.setattr(time, "monotonic", lambda: clock["wall"])
    loop = LoopCpu()
    loop.note(0)
    for _ in range(10):  # answers 50 ms apart, 4 ms of the loop's CPU for each 2 MB payload
        clock["cpu"] += 0.004
        clock["wall"] += 0.05
        loop.note(2 << 20)
    assert abs(loop.per_byte() - 0.004 / (2 << 20)) < 1e-15
    clock["cpu"] += 5.0   # the window painting for an hour between two uploads
    clock["wall"] += 3600
    loop.note(2 << 20)
    assert abs(loop.per_byte() - 0.004 / (2 << 20)) < 1e-15
    other = threading.Thread(target=loop.note, args=(2 << 20,))  # another thread's clock is not the loop's
    clock["cpu"] += 1.0
    clock["wall"] += 0.05
    other.start()
    other.join()
    assert abs(loop.per_byte() - 0.004 / (2 << 20)) < 1e-15
    assert LoopCpu().per_byte() == 0.0  # nothing measured: nothing assumed
