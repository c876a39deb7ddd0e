"""An open guide page updates live: through the real consumer and channel layer."""

import pytest
from asgiref.sync import sync_to_async

from guides import services
from guides.tests import factories
from hub.tests.test_live import communicator

pytestmark = pytest.mark.django_db(transaction=True)


async def _connected(topic: str):
    ws = communicator(topic)
    ok, _ = await ws.connect()
    assert ok
    while not await ws.receive_nothing(timeout=0.2):
        await ws.receive_from()
    return ws


@pytest.fixture
def section(mentor):
    return factories.section(mentor, title="Keyset pagination", body="Before.")


async def test_a_published_edit_replaces_the_section_in_open_pages(section, mentor):
    ws = await _connected(f"guide:{section.guide_id}")
    await sync_to_async(services.section_edit)(
        editor=mentor, section=section, title=section.title, body="After the edit."
    )
    html = await ws.receive_from(timeout=5)
    assert f'id="section-{section.pk}"' in html and 'hx-swap-oob="true"' in html
    assert "After the edit." in html
    assert "csrfmiddlewaretoken" not in html, "viewer-neutral: no per-viewer controls"
    await ws.disconnect()


async def test_a_review_updates_the_trust_line_live(section, mentor):
    ws = await _connected(f"guide:{section.guide_id}")
    await sync_to_async(services.section_review)(reviewer=mentor, section=section)
    html = await ws.receive_from(timeout=5)
    assert "Last reviewed by" in html and mentor.name in html
    await ws.disconnect()


async def test_a_new_section_is_appended(section, mentor):
    ws = await _connected(f"guide:{section.guide_id}")
    new = await sync_to_async(factories.section)(mentor, on=section.guide, title="Cursors")
    html = await ws.receive_from(timeout=5)
    assert 'hx-swap-oob="beforeend:#sections"' in html and f'id="{new.anchor}"' in html
    await ws.disconnect()


async def test_a_proposal_publishes_nothing(section, learner):
    ws = await _connected(f"guide:{section.guide_id}")
    await sync_to_async(services.proposal_create)(
        proposer=learner, section=section, title=section.title, body="Mine.", note="why"
    )
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


def test_catch_up_sends_what_changed_since(client, section, mentor):
    from django.utils import timezone

    since = timezone.now()
    services.section_edit(editor=mentor, section=section, title=section.title, body="Later.")
    response = client.get(
        "/live/catch-up", {"topics": f"guide:{section.guide_id}", "since": since.isoformat()}
    )
    assert response.status_code == 200 and "Later." in response.text
