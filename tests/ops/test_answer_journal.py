"""The answer journal (offres_crawler/answer_journal.py): what a killed run received is read back
whole or not at all, whatever byte the kill (or a power cut) stopped it at."""

from __future__ import annotations

import json

from offres_crawler.answer_journal import KEEP_SEGMENTS, Answer, AnswerJournal, Replay, decode_all, encode


def _answer(key: int, url: str = "http://api/search?range=0-149", body: bytes | None = None) -> Answer:
    body = body if body is not None else json.dumps({"resultats": [{"id": f"{key:07d}"}] * 40}).encode()
    return Answer("plan", key, url, 206, {"Content-Range": "offres 0-149/9000", "Date": "x"}, body)


def test_a_journal_cut_at_any_byte_gives_back_exactly_the_entries_written_whole():
    entries = [_answer(1), _answer(2, body=b""), _answer(3, url="http://api/search?range=150-299")]
    frames = [encode(e) for e in entries]
    data = b"".join(frames)
    ends = [sum(len(f) for f in frames[:n]) for n in range(len(frames) + 1)]
    for cut in range(len(data) + 1):
        whole = max(n for n, end in enumerate(ends) if end <= cut)
        assert list(decode_all(data[:cut])) == entries[:whole], cut


def test_a_damaged_entry_ends_the_journal_there():
    first, second = encode(_answer(1)), bytearray(encode(_answer(2)))
    second[-5] ^= 0xFF  # a flipped byte in the body: its checksum no longer matches
    assert [a.key for a in decode_all(first + bytes(second) + encode(_answer(3)))] == [1]


def test_segments_rotate_are_pruned_and_are_taken_up_once(tmp_path):
    journal = AnswerJournal(tmp_path / "answers")
    for key in range(1, KEEP_SEGMENTS + 3):
        journal.record(_answer(key))
        journal.rotate()  # one segment per checkpoint
    journal.record(_answer(99))
    names = [p.name for p in journal.segments()]
    assert len(names) == KEEP_SEGMENTS + 1 and names == sorted(names)
    again = AnswerJournal(tmp_path / "answers")  # the next run
    kept = again.take_up(lambda a: a.key % 2 == 0 or a.key == 99)
    assert [a.key for a in kept] == [k for k in range(3, KEEP_SEGMENTS + 3) if k % 2 == 0] + [99]
    assert not (tmp_path / "answers").exists()
    again.record(_answer(7))  # the run journals on, in a new segment
    assert [p.name for p in again.segments()] == ["answers-000001.bin"]


def test_a_url_asked_twice_is_replayed_with_its_two_answers_in_order():
    url = "http://api/search?range=0-149"
    replay = Replay([_answer(1, url), _answer(2, url + "&x"), _answer(3, url)])
    assert [replay.take(url).key, replay.take(url).key, replay.take(url)] == [1, 3, None]
    assert len(replay) == 1
