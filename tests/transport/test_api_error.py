from __future__ import annotations

import json

from offres_crawler.transport.api_error import api_error_message


def test_the_api_message_is_extracted():
    body = json.dumps({"codeErreur": "1722445850117", "codeHttp": 400,
                       "message": "La position de début doit être inférieure ou égale à 3000."})
    assert api_error_message(body.encode()) == ("La position de début doit être inférieure ou "
                                                 "égale à 3000.")


def test_other_bodies_are_shown_shortened():
    assert api_error_message(b"") == "(empty body)"
    assert api_error_message(b"<html>Bad Request</html>") == "<html>Bad Request</html>"
    long = api_error_message(b"x" * 1000)
    assert long == "x" * 300 + "... (700 more characters)"


def test_every_sample_error_body_gives_its_message(samples):
    bodies = sorted((samples / "errors").glob("search-400-*.json"))
    assert bodies, "no search-400-*.json in the samples"
    for path in bodies:
        assert api_error_message(path.read_bytes()) == json.loads(path.read_bytes())["message"]


def test_json_nested_too_deep_is_malformed_not_a_crash():
    from scrapy.http import Request, TextResponse

    from offres_crawler.transport.retry import has_malformed_json

    deep = b"[" * 100_000
    assert api_error_message(deep).startswith("[[[[") and api_error_message(deep).endswith("more characters)")
    response = TextResponse("https://api.example/v2/offres/179QWXC", status=200, body=deep,
                            request=Request("https://api.example/v2/offres/179QWXC"), encoding="utf-8")
    assert has_malformed_json(response)
