"""Notification emails: one per immediate notification and never two, digests, retries,
the sweep, and the one-click unsubscribe link (tasks run eagerly here; the real broker and
worker are in test_broker.py)."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import Client
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone

from accounts.models import User
from notifications import emails, services, tasks
from notifications.models import EmailMode, Kind, Notification, Preference
from notifications.unsubscribe import ALL, make_token, read_token, unsubscribe_view

BASE = "https://nexus.example"


def __getattr__(name: str):
    """`urlpatterns` of this module: the project's URLs plus the unsubscribe page, used as
    ROOT_URLCONF only while notifications/urls.py does not route it (see _email_settings)."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from hub import urls as hub_urls
    from notifications import urls as notification_urls

    unsubscribe = path("unsubscribe/<str:token>/", unsubscribe_view, name="unsubscribe")
    return [
        *(p for p in hub_urls.urlpatterns if getattr(p, "namespace", None) != "notifications"),
        path(
            "notifications/",
            include(([*notification_urls.urlpatterns, unsubscribe], "notifications")),
        ),
    ]


@pytest.fixture(autouse=True)
def _email_settings(settings):
    settings.NEXUS_BASE_URL = BASE
    # Services mode sets CELERY_BROKER_URL: these tests still run tasks inline.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    try:
        reverse("notifications:unsubscribe", kwargs={"token": "x"})
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


def answer(recipient: User, actor: User, n: int = 1, **extra) -> Notification:
    options = {
        "kind": Kind.ANSWER_ON_QUESTION,
        "target_key": f"question:{n}",
        "target_title": f"How do I retry a Celery task? ({n})",
        "url": f"/q/{n}/x/",
        **extra,
    }
    (notification,) = services.notify(recipients=[recipient], actor=actor, **options)
    return notification


class FlakyBackend(LocmemBackend):
    """A mail server that drops the connection the first `failures` times."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    def configure(failures: int) -> type[FlakyBackend]:
        FlakyBackend.failures, FlakyBackend.attempts = failures, 0
        settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FlakyBackend"}}
        # Eager apply() runs each retry in turn, without the countdown, as a worker would
        # with it; when eager errors propagate, the first Retry escapes apply() instead.
        settings.CELERY_TASK_EAGER_PROPAGATES = False
        return FlakyBackend

    return configure


# --- One immediate email ---------------------------------------------------------------


def test_immediate_notification_sends_one_email_with_html_text_and_unsubscribe(
    learner, mentor, mailoutbox
):
    n = answer(learner, mentor, target_title="Retry <b>safely</b>")

    assert emails.notification_email_send(n.pk) is True

    (message,) = mailoutbox
    assert message.to == [learner.email]
    assert message.subject == "Mia Mentor answered your question: Retry <b>safely</b>"
    assert "Mia Mentor answered your question" in message.body
    assert "Retry <b>safely</b>" in message.body  # plain text: as written
    assert f"{BASE}/q/1/x/" in message.body
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Nexus" in html
    assert "Mia Mentor answered your question" in html
    assert "Retry &lt;b&gt;safely&lt;/b&gt;" in html  # HTML: escaped
    assert f'href="{BASE}/q/1/x/"' in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{BASE}/notifications/unsubscribe/")
    assert unsubscribe.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in html  # the footer links to the same one-click URL
    token = unsubscribe[1:-1].rstrip("/").rsplit("/", 1)[1]
    assert read_token(token) == (learner.pk, Kind.ANSWER_ON_QUESTION)
    message.message()  # serialises: headers valid
    n.refresh_from_db()
    assert n.emailed_at is not None


def test_sending_twice_sends_once(learner, mentor, mailoutbox):
    n = answer(learner, mentor)

    assert emails.notification_email_send(n.pk) is True
    assert emails.notification_email_send(n.pk) is False
    tasks.notification_email.apply(args=[n.pk])

    assert len(mailoutbox) == 1


@pytest.mark.parametrize("mode", [EmailMode.DAILY, EmailMode.WEEKLY, EmailMode.OFF])
def test_non_immediate_modes_send_nothing_now(learner, mentor, mailoutbox, mode):
    services.preference_set(user=learner, kind=Kind.ANSWER_ON_QUESTION, email_mode=mode)
    n = answer(learner, mentor)

    assert n.email_mode == mode
    assert emails.notification_email_send(n.pk) is False
    assert tasks.enqueue_emails([n.pk]) == 0
    assert mailoutbox == []


def test_inactive_recipient_gets_nothing(learner, mentor, mailoutbox):
    n = answer(learner, mentor)
    User.objects.filter(pk=learner.pk).update(is_active=False)

    assert emails.notification_email_send(n.pk) is False
    assert mailoutbox == []


def test_a_missing_row_sends_nothing(mailoutbox, db):
    assert emails.notification_email_send(10**9) is False


def test_notify_queues_the_email_after_commit(
    learner, mentor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        n = answer(learner, mentor)
        assert mailoutbox == []  # nothing before commit

    assert len(mailoutbox) == 1
    n.refresh_from_db()
    assert n.emailed_at is not None


def test_enqueue_emails_queues_only_unsent_immediate_rows(learner, other_learner, mentor):
    sent = answer(learner, mentor, 1)
    Notification.objects.filter(pk=sent.pk).update(emailed_at=timezone.now())
    due = answer(other_learner, mentor, 2)
    daily = answer(learner, mentor, 3, kind=Kind.COMMENT_ON_POST)
    queued = []

    def record(*, args, queue, retry):
        queued.append((args, queue, retry))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.notification_email, "apply_async", record)
        assert tasks.enqueue_emails([sent.pk, due.pk, daily.pk]) == 1

    assert queued == [([due.pk], "celery", False)]


def test_enqueue_emails_survives_a_broker_that_is_down(learner, mentor, caplog):
    from kombu.exceptions import OperationalError

    first, second = answer(learner, mentor, 1), answer(learner, mentor, 2)
    calls = []

    def refuse(**kwargs):
        calls.append(kwargs)
        raise OperationalError("[Errno 111] Connection refused")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.notification_email, "apply_async", refuse)
        assert tasks.enqueue_emails([first.pk, second.pk]) == 0

    assert len(calls) == 1  # one attempt, not one per row
    assert "left for the sweep" in caplog.text
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2


# --- Retries -----------------------------------------------------------------------------


def test_the_task_retries_a_failing_mail_server_and_sends_once(learner, mentor, flaky):
    backend = flaky(failures=3)
    n = answer(learner, mentor)

    result = tasks.notification_email.apply(args=[n.pk])

    assert result.successful() and result.get() is True
    assert backend.attempts == 4
    assert len(mail.outbox) == 1
    n.refresh_from_db()
    assert n.emailed_at is not None


def test_a_mail_server_down_for_good_leaves_the_row_for_the_sweep(learner, mentor, flaky):
    backend = flaky(failures=100)
    n = answer(learner, mentor)

    result = tasks.notification_email.apply(args=[n.pk])

    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPServerDisconnected)
    assert backend.attempts == 1 + tasks.RETRY["max_retries"]
    n.refresh_from_db()
    assert n.emailed_at is None  # the marker rolled back with the failed send


def test_every_retry_waits_at_least_a_whole_second(learner, mentor, flaky, monkeypatch):
    """Full jitter drew waits under 1 s (Celery's own jitter: randrange(0, 2^n + 1), so 0
    on any retry), which RabbitMQ's delayed delivery drops: every email countdown now comes
    from hub.backoff, whole seconds, never under 1, even when the draw is the lowest."""
    monkeypatch.setattr("random.uniform", lambda low, high: low)  # the worst draw
    flaky(failures=4)
    countdowns: list[int] = []
    retry = tasks.notification_email.retry

    def recording(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(tasks.notification_email, "retry", recording)
    n = answer(learner, mentor)
    assert tasks.notification_email.apply(args=[n.pk]).get() is True
    assert countdowns == [1, 1, 1, 1]
    assert all(isinstance(c, int) and c >= 1 for c in countdowns)
    monkeypatch.setattr("random.uniform", lambda low, high: high)  # the longest draw
    assert [tasks.email_countdown(r) for r in (0, 1, 2, 3, 12)] == [1, 2, 4, 8, 600]


# --- Digests -----------------------------------------------------------------------------


def test_digest_gathers_notifications_into_one_email_and_marks_them_sent(
    learner, mentor, other_learner, mailoutbox
):
    rows = [
        answer(learner, actor, i, kind=Kind.COMMENT_ON_POST)
        for i, actor in enumerate([mentor, other_learner, mentor], start=1)
    ]
    old = answer(learner, mentor, 9, kind=Kind.COMMENT_ON_POST)
    Notification.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    immediate = answer(learner, mentor, 10)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            emails,
            "DIGEST_EXTRAS",
            [lambda user: [{"title": "Why is my worker idle?", "url": "/q/77/idle/"}]],
        )
        assert emails.digest_send(learner.pk, EmailMode.DAILY) is True

    (message,) = mailoutbox
    assert message.to == [learner.email]
    assert "daily" in message.subject and "3 updates" in message.subject
    html = message.alternatives[0][0]
    for i in (1, 2, 3):
        assert f"How do I retry a Celery task? ({i})" in message.body
        assert f"{BASE}/q/{i}/x/" in html
    assert "Omar Other commented on your post" in message.body
    assert "(9)" not in message.body  # outside the period
    assert "Unanswered questions where you watch" in html
    assert f'href="{BASE}/q/77/idle/"' in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.filter(pk__in=[r.pk for r in rows], emailed_at=None).count() == 0
    assert Notification.objects.get(pk=old.pk).emailed_at is None
    assert Notification.objects.get(pk=immediate.pk).emailed_at is None

    assert emails.digest_send(learner.pk, EmailMode.DAILY) is False  # idempotent
    assert len(mailoutbox) == 1


def test_a_failing_digest_hook_does_not_stop_the_digest(learner, mentor, mailoutbox):
    answer(learner, mentor, kind=Kind.COMMENT_ON_POST)

    def broken(user):
        raise RuntimeError("discussions is having a bad day")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(emails, "DIGEST_EXTRAS", [broken])
        assert emails.digest_send(learner.pk, EmailMode.DAILY) is True

    assert "Unanswered questions" not in mailoutbox[0].alternatives[0][0]


def test_digest_tasks_send_one_email_per_person_of_that_mode(
    learner, other_learner, mentor, mailoutbox
):
    answer(learner, mentor, 1, kind=Kind.COMMENT_ON_POST)
    answer(learner, mentor, 2, kind=Kind.COMMENT_ON_POST)
    answer(other_learner, mentor, 3, kind=Kind.COMMENT_ON_POST)
    answer(mentor, learner, 4, kind=Kind.VOTE_MILESTONE)  # weekly

    assert tasks.digest_daily.apply().get() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([learner.email, other_learner.email])

    assert tasks.digest_daily.apply().get() == 0
    assert tasks.digest_weekly.apply().get() == 1
    assert mailoutbox[-1].to == [mentor.email]
    assert len(mailoutbox) == 3


# --- The sweep -----------------------------------------------------------------------------


def test_sweep_queues_only_due_unsent_immediate_rows(learner, other_learner, mentor):
    minutes_ago = timezone.now() - timedelta(minutes=2)
    due = answer(learner, mentor, 1)
    fresh = answer(learner, mentor, 2)
    sent = answer(learner, mentor, 3)
    daily = answer(learner, mentor, 4, kind=Kind.COMMENT_ON_POST)
    gone = answer(other_learner, mentor, 5)
    stale = answer(learner, mentor, 6)
    Notification.objects.filter(pk__in=[due.pk, sent.pk, daily.pk, gone.pk]).update(
        updated_at=minutes_ago
    )
    Notification.objects.filter(pk=sent.pk).update(emailed_at=minutes_ago)
    Notification.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=3))
    User.objects.filter(pk=other_learner.pk).update(is_active=False)
    queued = []

    def record(*, args, queue):
        queued.append((args, queue))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.notification_email, "apply_async", record)
        assert tasks.notification_email_sweep.apply().get() == 1

    assert queued == [([due.pk], "celery")]
    assert fresh.pk not in {args[0] for args, _ in queued}


def test_sweep_sends_what_the_broker_missed_exactly_once(learner, mentor, mailoutbox):
    n = answer(learner, mentor)
    Notification.objects.filter(pk=n.pk).update(updated_at=timezone.now() - timedelta(minutes=5))

    tasks.notification_email_sweep.apply()
    tasks.notification_email_sweep.apply()

    assert len(mailoutbox) == 1


# --- Unsubscribe -----------------------------------------------------------------------------


def unsubscribe_path(user: User, kind: str) -> str:
    return reverse("notifications:unsubscribe", kwargs={"token": make_token(user.pk, kind)})


def mode(user: User, kind: str) -> str | None:
    return (
        Preference.objects.filter(user=user, kind=kind).values_list("email_mode", flat=True).first()
    )


def test_tokens_round_trip_and_refuse_tampering(learner):
    token = make_token(learner.pk, Kind.MENTION)
    assert read_token(token) == (learner.pk, Kind.MENTION)
    assert read_token(make_token(learner.pk, ALL)) == (learner.pk, None)
    forged = token.replace(f"{learner.pk}.", f"{learner.pk + 1}.", 1)
    with pytest.raises(ValueError):
        read_token(forged)
    with pytest.raises(ValueError):
        make_token(learner.pk, "no_such_kind")


def test_unsubscribe_page_asks_before_changing_anything(client, learner):
    response = client.get(unsubscribe_path(learner, Kind.ANSWER_ON_QUESTION))

    assert response.status_code == 200
    page = response.content.decode()
    assert "An answer to your question" in page
    assert 'method="post"' in page
    assert learner.email not in page  # masked: the link may have been forwarded
    assert mode(learner, Kind.ANSWER_ON_QUESTION) is None


def test_unsubscribe_post_turns_the_kind_off_without_login(client, learner, mentor, mailoutbox):
    pending = answer(learner, mentor)

    response = client.post(unsubscribe_path(learner, Kind.ANSWER_ON_QUESTION))

    assert response.status_code == 200
    assert "You're unsubscribed" in response.content.decode()
    assert mode(learner, Kind.ANSWER_ON_QUESTION) == EmailMode.OFF
    assert mode(learner, Kind.MENTION) is None  # other kinds untouched
    assert emails.notification_email_send(pending.pk) is False  # pending email stopped
    assert mailoutbox == []


def test_one_click_post_from_a_mail_client_needs_no_csrf_token(learner):
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        unsubscribe_path(learner, ALL),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert {mode(learner, kind) for kind in Kind.values} == {EmailMode.OFF}


def test_the_link_in_an_email_unsubscribes(learner, mentor, mailoutbox):
    emails.notification_email_send(answer(learner, mentor).pk)
    url = mailoutbox[0].extra_headers["List-Unsubscribe"][1:-1].removeprefix(BASE)

    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert mode(learner, Kind.ANSWER_ON_QUESTION) == EmailMode.OFF


@pytest.mark.parametrize("token", ["nonsense", "1.all:forged-signature", "1.all"])
def test_a_bad_token_is_a_400_with_a_clear_message(client, learner, token):
    url = reverse("notifications:unsubscribe", kwargs={"token": token})

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "This unsubscribe link isn't valid" in response.content.decode()
    assert not Preference.objects.exists()
