"""Tests an application's mail the way a pytest suite would: send (here with smtplib, standing in for the app),
then wait for the message with Mailwright's /api/wait and assert on it."""

import smtplib
import ssl
from email.message import EmailMessage

import pytest


def send(mw, to, subject, body):
    msg = EmailMessage()
    msg["From"] = "Example Shop <no-reply@shop.example.test>"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    context = ssl.create_default_context()
    # Mailwright's certificate is generated on first start; a test of mail content need not trust it.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with smtplib.SMTP(mw.smtp_host, mw.smtp_port) as smtp:
        smtp.starttls(context=context)
        smtp.send_message(msg)


def test_password_reset_mail_arrives(mailwright):
    send(mailwright, "carol@example.test", "Reset your password", "Your code is 731904.")
    message = mailwright.wait("to:carol@example.test subject:reset")
    assert message["subject"] == "Reset your password"
    assert message["from"]["address"] == "no-reply@shop.example.test"
    assert "731904" in mailwright.message(message["id"])["text"]


def test_inbox_starts_empty_for_each_test(mailwright):
    with pytest.raises(TimeoutError):
        mailwright.wait("subject:reset", timeout="200ms")


def test_waits_for_mail_sent_after_the_wait_began(mailwright):
    send(mailwright, "dave@example.test", "Order 1 shipped", "first")
    first = mailwright.wait("to:dave@example.test")
    send(mailwright, "dave@example.test", "Order 2 shipped", "second")
    second = mailwright.wait("to:dave@example.test", after=first["id"])
    assert second["subject"] == "Order 2 shipped"
