"""How messages travel: e-mail over SMTP and SMS through an HTTP webhook, behind one interface.

A channel sends one message or raises :class:`DeliveryError` with a reason fit for planners'
eyes: a status code, the server's short answer, never the recipient's address or number (the
reasons are stored and shown). Each message carries its key as idempotency key (``Message-ID``
for mail, ``Idempotency-Key`` for the webhook), so a receiver can drop a repeat of a message
the worker sent twice (at-least-once delivery: a worker may die between sending and recording).
"""

from __future__ import annotations

import hashlib
import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

from sitecrew.config import NotificationSettings
from sitecrew.domain.notifications import Channel

if TYPE_CHECKING:
    from sitecrew.domain.notifications import OutgoingMessage

#: Longest reason stored for a failed attempt.
MAX_REASON = 300


class DeliveryError(Exception):
    """A message could not be handed over this time (the worker retries it later)."""


class MessageChannel(Protocol):
    """Something that hands a message to a transport."""

    def send(self, message: OutgoingMessage) -> None:
        """Send ``message`` or raise :class:`DeliveryError`."""


def message_id(key: str, domain: str) -> str:
    """Return the stable ``Message-ID`` of the message with ``key`` (same key, same id)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def _reason(text: str, recipient: str) -> str:
    """Shorten a transport's reason and blank out the recipient wherever it was quoted."""
    cleaned = " ".join(text.split()).replace(recipient, "<recipient>") if recipient else text
    return cleaned[:MAX_REASON]


@dataclass(frozen=True)
class SmtpChannel:
    """E-mail through an SMTP server (optionally STARTTLS and a login)."""

    settings: NotificationSettings

    def send(self, message: OutgoingMessage) -> None:
        """Send one mail; the key's hash is its ``Message-ID``.

        Raises
        ------
        DeliveryError
            When the server cannot be reached or refuses the mail.
        """
        settings = self.settings
        mail = EmailMessage()
        mail["From"] = settings.smtp_from
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Message-ID"] = message_id(message.key, settings.smtp_from.rpartition("@")[2])
        mail.set_content(message.body)  # before Content-Language: it resets content headers
        mail["Content-Language"] = message.language.value
        try:
            with smtplib.SMTP(
                settings.smtp_host or "", settings.smtp_port, timeout=settings.smtp_timeout_s
            ) as client:
                if settings.smtp_starttls:
                    client.starttls()
                if settings.smtp_user:
                    client.login(settings.smtp_user, settings.smtp_password or "")
                client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            raise DeliveryError(f"SMTP refused the recipient ({codes})") from None
        except smtplib.SMTPResponseException as error:
            answer = (
                error.smtp_error.decode(errors="replace")
                if isinstance(error.smtp_error, bytes)
                else str(error.smtp_error)
            )
            reason = _reason(f"SMTP {error.smtp_code}: {answer}", message.recipient)
            raise DeliveryError(reason) from None
        except (smtplib.SMTPException, OSError) as error:
            reason = _reason(
                f"SMTP unavailable: {type(error).__name__}: {error}", message.recipient
            )
            raise DeliveryError(reason) from None


@dataclass(frozen=True)
class WebhookSmsChannel:
    """SMS through a gateway's HTTP webhook: POST JSON ``{id, to, text, language}``."""

    settings: NotificationSettings

    def send(self, message: OutgoingMessage) -> None:
        """Post one text message; any 2xx answer counts as delivered to the gateway.

        Raises
        ------
        DeliveryError
            When the webhook cannot be reached or answers other than 2xx.
        """
        payload = {
            "id": message.key,
            "to": message.recipient,
            "text": message.body,
            "language": message.language.value,
        }
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.key}
        if self.settings.sms_webhook_token:
            headers["Authorization"] = f"Bearer {self.settings.sms_webhook_token}"
        request = urllib.request.Request(  # noqa: S310 (an operator-configured http(s) URL)
            self.settings.sms_webhook_url or "",
            data=json.dumps(payload).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 (scheme checked in config)
                request, timeout=self.settings.smtp_timeout_s
            ) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            raise DeliveryError(f"SMS webhook answered {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryError(
                _reason(f"SMS webhook unreachable: {reason}", message.recipient)
            ) from None


@dataclass(frozen=True)
class Unconfigured:
    """A channel nobody configured: every message on it fails with the setting to set."""

    setting: str

    def send(self, message: OutgoingMessage) -> None:
        """Refuse (so planners see the message fail with the reason).

        Raises
        ------
        DeliveryError
            Always.
        """
        del message
        raise DeliveryError(f"not configured: set {self.setting}")


def channels_from_settings(settings: NotificationSettings) -> dict[Channel, MessageChannel]:
    """Return the configured channels (an unset one refuses, naming its setting)."""
    return {
        Channel.EMAIL: SmtpChannel(settings)
        if settings.smtp_host
        else Unconfigured("SITECREW_SMTP_HOST"),
        Channel.SMS: WebhookSmsChannel(settings)
        if settings.sms_webhook_url
        else Unconfigured("SITECREW_SMS_WEBHOOK_URL"),
    }
