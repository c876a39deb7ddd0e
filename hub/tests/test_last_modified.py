"""The Last-Modified rule of hub.last_modified: whole seconds, never a 304 for a newer copy."""

from django.test import RequestFactory
from django.utils.http import http_date

from hub import last_modified

rf = RequestFactory()


def test_a_copy_younger_than_its_next_second_has_no_date():
    assert last_modified.header(100.2, now=100.9) is None
    assert last_modified.header(100.2, now=101.0) == http_date(101)


def test_if_modified_since_matches_only_the_copy_it_was_given():
    sent = last_modified.header(100.2, now=102)
    request = rf.get("/", HTTP_IF_MODIFIED_SINCE=sent)
    assert last_modified.not_modified(request, 100.2, now=102)
    # A newer version computed within the same second as the date the client holds (the
    # old copy was handed out from 101 on, so the new one comes after that).
    assert not last_modified.not_modified(request, 101.3, now=103)


def test_the_etag_decides_when_the_client_sent_one():
    sent = last_modified.header(100.2, now=102)
    request = rf.get("/", HTTP_IF_MODIFIED_SINCE=sent, HTTP_IF_NONE_MATCH='"x"')
    assert not last_modified.not_modified(request, 100.2, now=102)


def test_only_reads_and_only_valid_dates():
    sent = last_modified.header(100.2, now=102)
    assert not last_modified.not_modified(rf.post("/", HTTP_IF_MODIFIED_SINCE=sent), 100.2, 102)
    assert not last_modified.not_modified(rf.get("/", HTTP_IF_MODIFIED_SINCE="soon"), 100.2, 102)
    assert not last_modified.not_modified(rf.get("/"), 100.2, 102)
