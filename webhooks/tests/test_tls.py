"""HTTPS receivers: a local TLS server with a certificate made here (a CA of our own, the
`cryptography` package). The delivery checks the certificate against the CA bundle the
setting names and the URL's host name, refuses an untrusted or misnamed certificate, and
sends the host name in SNI and `Host` while connecting to the address it checked."""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from discussions.tests import factories as forum
from webhooks import net, services
from webhooks.models import Delivery, DeliveryState
from webhooks.tests.conftest import RECEIVER_HOST
from webhooks.tests.receiver import receiver_running

pytestmark = pytest.mark.django_db

HEADERS = {"Content-Type": "application/json"}


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool, dns: str | None):
    """Python 3.13 checks strictly (VERIFY_X509_STRICT): key identifiers are required."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
            critical=False,
        )
    )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False
        )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
    return builder.sign(signing_key, hashes.SHA256())


class Pki:
    """A CA of our own, and server certificates it signs (files under `home`)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cert = _certificate(
            _name("Nexus test CA"), _name("Nexus test CA"), self.key.public_key(), self.key,
            ca=True, dns=None,
        )  # fmt: skip
        self.bundle = home / "ca.pem"
        self.bundle.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def server_context(self, dns: str, *, self_signed: bool = False) -> ssl.SSLContext:
        """A server-side TLS context whose certificate names `dns`: signed by the CA, or
        self-signed (trusted by nobody). The SNI name each client sends is recorded on
        its connection (`nexus_sni`)."""
        key = ec.generate_private_key(ec.SECP256R1())
        if self_signed:
            cert = _certificate(_name(dns), _name(dns), key.public_key(), key, ca=False, dns=dns)
        else:
            cert = _certificate(
                _name(dns), self.cert.subject, key.public_key(), self.key, ca=False, dns=dns
            )
        cert_file, key_file = self.home / f"{dns}-{id(key)}.pem", self.home / f"{id(key)}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(_pem_key(key))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)

        def remember_sni(sock, server_name, _context):
            sock.nexus_sni = server_name

        context.sni_callback = remember_sni
        return context


def _https(receiver) -> str:
    return f"https://{RECEIVER_HOST}:{receiver.port}/hook"


@pytest.fixture
def pki(tmp_path) -> Pki:
    return Pki(tmp_path)


@pytest.fixture
def https(dns, settings):
    """Loopback allowed, RECEIVER_HOST resolving to 127.0.0.1."""
    settings.NEXUS_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
    dns[RECEIVER_HOST] = "127.0.0.1"
    return dns


def test_a_trusted_certificate_is_checked_and_sni_and_host_are_the_name(https, pki, settings):
    settings.NEXUS_WEBHOOK_CA_BUNDLE = str(pki.bundle)
    # The name answers 127.0.0.1 once, then an address nobody listens on (rebinding): the
    # connection goes to the address that was checked, never a second answer.
    https[RECEIVER_HOST] = ["127.0.0.1", "192.0.2.1"]
    with receiver_running(tls=pki.server_context(RECEIVER_HOST)) as receiver:
        answer = net.post(_https(receiver), body=b"{}", headers=HEADERS)
    assert answer.status == 200
    [request] = receiver.requests
    assert request.server_name == RECEIVER_HOST  # SNI
    assert request.headers["host"] == f"{RECEIVER_HOST}:{receiver.port}"
    assert https.lookups == [RECEIVER_HOST]  # one lookup: connected to what was checked


def test_an_untrusted_certificate_is_refused(https, pki, settings):
    """Self-signed, and signed by our CA while the bundle is the system's: both refused
    before a byte of the body leaves."""
    settings.NEXUS_WEBHOOK_CA_BUNDLE = str(pki.bundle)
    with (
        receiver_running(tls=pki.server_context(RECEIVER_HOST, self_signed=True)) as receiver,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        net.post(_https(receiver), body=b"{}", headers=HEADERS)
    settings.NEXUS_WEBHOOK_CA_BUNDLE = None  # the system's CAs do not know ours
    with (
        receiver_running(tls=pki.server_context(RECEIVER_HOST)) as other,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        net.post(_https(other), body=b"{}", headers=HEADERS)
    assert receiver.requests == [] and other.requests == []


def test_a_certificate_for_another_name_is_refused(https, pki, settings):
    settings.NEXUS_WEBHOOK_CA_BUNDLE = str(pki.bundle)
    with (
        receiver_running(tls=pki.server_context("someone-else.example.dev")) as receiver,
        pytest.raises(ssl.SSLCertVerificationError, match=r"(?i)hostname|match"),
    ):
        net.post(_https(receiver), body=b"{}", headers=HEADERS)
    assert receiver.requests == []


def test_a_delivery_to_an_https_receiver_and_one_that_is_not_trusted(
    https, pki, settings, learner, mentor, django_capture_on_commit_callbacks
):
    settings.NEXUS_WEBHOOK_CA_BUNDLE = str(pki.bundle)
    with (
        receiver_running(tls=pki.server_context(RECEIVER_HOST)) as good,
        receiver_running(tls=pki.server_context(RECEIVER_HOST, self_signed=True)) as bad,
    ):
        for receiver in (good, bad):
            services.webhook_create(
                owner=learner,
                url=f"https://{RECEIVER_HOST}:{receiver.port}/hook",
                events=["answer.created"],
            )
        with django_capture_on_commit_callbacks(execute=True):
            forum.answer(mentor, forum.question(learner))
    delivered, refused = Delivery.objects.order_by("webhook_id")
    assert delivered.state == DeliveryState.SUCCEEDED and delivered.response_code == 200
    assert good.requests[0].server_name == RECEIVER_HOST
    assert refused.state == DeliveryState.RETRYING and refused.response_code is None
    assert "certificate verify failed" in refused.last_error and bad.requests == []
