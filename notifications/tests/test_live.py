import pytest
from asgiref.sync import sync_to_async

from discussions.tests import factories as make
from hub.tests.test_live import communicator, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_new_notification_reaches_the_recipients_tabs(client, learner, other_learner):
    question = await sync_to_async(make.question)(learner)
    ws = communicator("user:me", cookie=await sync_to_async(session_cookie)(client, learner))
    assert (await ws.connect())[0]

    await sync_to_async(make.answer)(other_learner, question, "Here is how")

    html = await ws.receive_from(timeout=3)
    assert 'id="bell-count"' in html and ">1<" in html
    assert "beforeend:#toasts" in html and "answered your question" in html
    await ws.disconnect()
