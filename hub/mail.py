"""The console mail backend of the embedded default, made for a person reading a terminal.

Django's console backend prints the raw MIME message: a long link in a quoted-printable
body is wrapped with "=" at 76 characters, so a sign-up confirmation link copied from the
terminal is cut in two and 404s. This one prints each link of the plain-text body first,
whole, one per line, then the message as Django prints it.
"""

import re

from django.core.mail.backends.console import EmailBackend

LINK = re.compile(r"https?://[^\s<>\"']+")


class ConsoleEmailBackend(EmailBackend):
    def write_message(self, message) -> None:
        links = list(dict.fromkeys(LINK.findall(getattr(message, "body", "") or "")))
        if links:
            recipients = ", ".join(message.to)
            self.stream.write(f"Email to {recipients}: {message.subject}\n")
            for link in links:
                self.stream.write(f"{link}\n")
            self.stream.write("\n")
        super().write_message(message)
