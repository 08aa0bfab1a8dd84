"""The JOBDIR record of the ids a detail crawl has answered (offres_crawler/offers/answer_log.py)."""

from __future__ import annotations

import json

from offres_crawler.offers.answer_log import AnswerLog


def test_ids_persisted_are_read_back_by_the_next_run(tmp_path):
    path = tmp_path / "job" / "offres_detail" / "answered.jsonl"
    first = AnswerLog(path)
    odd = "12-3/x?y\n\u00e9"  # any character, a newline too, stays one record
    for offer_id in ("179QWXC", "8521039", odd):
        assert first.claim(offer_id)
        first.persist(offer_id)
    assert not first.claim("179QWXC")  # a second answer to one id
    first.close()

    second = AnswerLog(path)
    assert second.restore() == 3
    assert "179QWXC" in second and "8521039" in second and odd in second
    assert "179QWXD" not in second
    assert not second.claim("8521039")


def test_a_torn_last_line_is_not_an_answer(tmp_path):
    path = tmp_path / "answered.jsonl"
    path.write_text(json.dumps("179QWXC") + "\n" + json.dumps("8521039") + "\n" + '"179AB',
                    encoding="utf-8")
    log = AnswerLog(path)
    assert log.restore() == 2
    assert "179AB" not in log and "179QWXC" in log
    # a line torn exactly after its closing quote is still left out: it had no newline yet
    path.write_text(json.dumps("179QWXC") + "\n" + json.dumps("1234567"), encoding="utf-8")
    assert AnswerLog(path).restore() == 1


def test_without_a_path_nothing_is_written_and_discard_removes_the_record(tmp_path):
    memory = AnswerLog()
    assert memory.restore() == 0
    memory.persist("179QWXC")  # no JOBDIR: in memory only
    assert list(tmp_path.iterdir()) == []

    path = tmp_path / "answered.jsonl"
    kept = AnswerLog(path)
    kept.persist("179QWXC")
    kept.close()
    kept.discard()
    assert not path.exists()
    kept.persist("8521039")  # discarded: nothing written any more
    assert not path.exists()
