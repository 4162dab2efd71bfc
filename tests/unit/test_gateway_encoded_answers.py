"""The gateway's memo of transcoded answers: keyed by the exact answer bytes (so never stale), kept
on a second sighting, bounded by bytes with least-recently-used eviction."""

from __future__ import annotations

from hph.gateway.encoded_answers import MAX_ANSWER_BYTES, MIN_ANSWER_BYTES, SEEN_ONCE_ENTRIES, EncodedAnswers

ROUTE, OTHER_ROUTE = 1, 2


def answer(tag: str, size: int = 4096) -> bytes:
    return (tag.encode() * size)[:size]


def kept(memo: EncodedAnswers, route: int, raw: bytes, encoded: bytes) -> None:
    """Two sightings: the second one keeps it."""
    memo.put(route, raw, encoded)
    memo.put(route, raw, encoded)


def test_an_answer_is_kept_on_its_second_sighting_only() -> None:
    memo = EncodedAnswers()
    raw = answer("a")
    memo.put(ROUTE, raw, b'{"a":1}')
    assert memo.get(ROUTE, raw) is None
    memo.put(ROUTE, raw, b'{"a":1}')
    assert memo.get(ROUTE, raw) == b'{"a":1}'
    # Equal bytes in another object are the same answer.
    assert memo.get(ROUTE, bytes(bytearray(raw))) == b'{"a":1}'


def test_other_bytes_or_another_route_never_get_the_kept_json() -> None:
    memo = EncodedAnswers()
    raw = answer("a")
    kept(memo, ROUTE, raw, b'{"a":1}')
    changed = raw[:-1] + b"b"  # one byte differs: a changed answer is another key
    assert memo.get(ROUTE, changed) is None
    assert memo.get(OTHER_ROUTE, raw) is None


def test_small_and_huge_answers_are_not_kept() -> None:
    memo = EncodedAnswers()
    small, huge = answer("s", MIN_ANSWER_BYTES - 1), answer("h", MAX_ANSWER_BYTES + 1)
    assert not memo.worth_keeping(small) and not memo.worth_keeping(huge)
    for raw in (small, huge):
        kept(memo, ROUTE, raw, b"{}")
        assert memo.get(ROUTE, raw) is None
    assert len(memo) == 0


def test_the_byte_budget_evicts_the_least_recently_used() -> None:
    raw_a, raw_b, raw_c = answer("a"), answer("b"), answer("c")
    encoded = b"x" * 4096
    memo = EncodedAnswers(budget_bytes=2 * (4096 + 4096))  # room for two entries
    kept(memo, ROUTE, raw_a, encoded)
    kept(memo, ROUTE, raw_b, encoded)
    assert memo.get(ROUTE, raw_a) == encoded  # a is now the most recent
    kept(memo, ROUTE, raw_c, encoded)
    assert memo.get(ROUTE, raw_b) is None
    assert memo.get(ROUTE, raw_a) == encoded and memo.get(ROUTE, raw_c) == encoded
    assert memo.used_bytes == 2 * (4096 + 4096)


def test_a_zero_budget_keeps_nothing() -> None:
    memo = EncodedAnswers(budget_bytes=0)
    raw = answer("a")
    kept(memo, ROUTE, raw, b"{}")
    assert memo.get(ROUTE, raw) is None


def test_one_off_answers_only_fill_the_bounded_seen_once_set() -> None:
    memo = EncodedAnswers()
    hot = answer("hot")
    kept(memo, ROUTE, hot, b'{"hot":1}')
    for i in range(SEEN_ONCE_ENTRIES + 10):
        memo.put(ROUTE, answer(f"once{i}-"), b"{}")
    assert len(memo) == 1 and memo.get(ROUTE, hot) == b'{"hot":1}'
    assert len(memo._seen_once) == SEEN_ONCE_ENTRIES
