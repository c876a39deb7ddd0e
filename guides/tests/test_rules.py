"""The "may be out of date" rule: the review period and the program's versions."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from guides import selectors, services
from guides.rules import section_staleness, versions_behind, versions_parse
from guides.tests import factories

pytestmark = pytest.mark.django_db


def test_versions_parse():
    assert versions_parse("Django 6.1,  DRF 3.18 , Django 6.1") == ["Django 6.1", "DRF 3.18"]
    assert versions_parse(["Celery 5"]) == ["Celery 5"]
    with pytest.raises(ValidationError):
        versions_parse("Django")
    with pytest.raises(ValidationError):
        versions_parse(", ".join(f"Lib{n} 1.0" for n in range(9)))


def test_versions_behind_the_programs(settings):
    settings.NEXUS_PROGRAM_VERSIONS = {"Django": "6.1", "DRF": "3.18"}
    assert versions_behind(["Django 6.1", "drf 3.18"]) == ()
    assert versions_behind(["Django 6"]) == (), "a major version alone is not behind its minor"
    assert versions_behind(["Django 5.2"]) == ("Django 5.2 (the program uses Django 6.1)",)
    assert versions_behind(["DRF 3.9"]) == ("DRF 3.9 (the program uses DRF 3.18)",), "3.9 < 3.18"
    assert versions_behind(["Flask 1.0"]) == (), "libraries the program does not teach never are"


def test_a_section_goes_stale_when_the_clock_passes_the_review_period(
    mentor, monkeypatch, settings
):
    settings.NEXUS_GUIDE_REVIEW_AFTER = timedelta(days=180)
    section = factories.section(mentor, versions="Django 6.1")
    now = timezone.now()
    assert not section_staleness(section, now + timedelta(days=179))
    later = now + timedelta(days=181)
    assert section_staleness(section, later).overdue
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    assert [s.pk for s in selectors.sections_due_for_review()] == [section.pk]
    # A review starts the period again.
    services.section_review(reviewer=mentor, section=section)
    section.refresh_from_db()
    assert not section_staleness(section, later + timedelta(days=10))
    assert selectors.sections_due_for_review() == []
    assert section_staleness(section, later + timedelta(days=181)).overdue


def test_the_review_period_is_a_setting(mentor, settings):
    section = factories.section(mentor)
    settings.NEXUS_GUIDE_REVIEW_AFTER = timedelta(days=7)
    assert section_staleness(section, timezone.now() + timedelta(days=8)).overdue


def test_a_section_for_an_older_version_is_stale_at_once(mentor, settings):
    settings.NEXUS_PROGRAM_VERSIONS = {"Django": "6.1"}
    old = factories.section(mentor, versions="Django 5.2")
    factories.section(mentor, versions="Django 6.1")
    staleness = section_staleness(old)
    assert not staleness.overdue and staleness.behind
    assert [s.pk for s in selectors.sections_due_for_review()] == [old.pk]
    # The program moving on makes a current section stale too, with no write at all.
    settings.NEXUS_PROGRAM_VERSIONS = {"Django": "6.2"}
    assert len(selectors.sections_due_for_review()) == 2


def test_readers_see_the_notice(mentor, monkeypatch):
    section = factories.section(mentor, versions="Django 6.1")
    page = Client().get(section.guide.get_absolute_url()).content.decode()
    assert "may be out of date" not in page
    later = timezone.now() + timedelta(days=200)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    page = Client().get(section.guide.get_absolute_url()).content.decode()
    assert "This section may be out of date" in page
    assert "No mentor has reviewed it for over 180 days" in page
