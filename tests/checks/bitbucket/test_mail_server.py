"""bitbucket.mail.server: configured (ok) or not (info)."""

from __future__ import annotations

from atlas_health.testing.harness import analyse, evidence, findings_of, only, outcome_of, run_check
from atlas_health.testing.instances import error
from checks.bitbucket.mail_server import BitbucketMailServer
from checks.finding import Severity
from checks.runner import OutcomeStatus
from collectors.facts.bitbucket import MailServer
from collectors.model import Deployment, ErrorKind
from tests.checks.bitbucket.factory import bitbucket, facts, mail


def test_configured_is_ok_and_names_the_server():
    finding = only(run_check(BitbucketMailServer, bitbucket()))
    assert finding.severity is Severity.OK
    assert (
        finding.message == "Bitbucket sends e-mail through smtp.acme.test:587 (SMTP) as bitbucket@acme.test."
    )
    assert evidence(finding)["host"] == "smtp.acme.test"


def test_configured_without_port_or_sender():
    inst = bitbucket(bitbucket=facts(mail=mail(port=None, protocol=None, sender_address=None)))
    assert (
        only(run_check(BitbucketMailServer, inst)).message == "Bitbucket sends e-mail through smtp.acme.test."
    )


def test_not_configured_is_info():
    inst = bitbucket(Deployment.SERVER, bitbucket=facts(mail=MailServer(configured=False)))
    finding = only(run_check(BitbucketMailServer, inst))
    assert finding.severity is Severity.INFO
    assert finding.title == "No mail server configured"
    assert "password reset links never arrive" in finding.message


def test_not_collected_is_skipped_with_the_calls_error():
    failed = bitbucket(
        bitbucket=facts(mail=None), errors=[error("bitbucket.mail", ErrorKind.SERVER_ERROR, "HTTP 500: boom")]
    )
    outcome = outcome_of(analyse(failed), "bitbucket.mail.server")
    assert outcome.status is OutcomeStatus.SKIPPED
    assert outcome.reason == "bitbucket mail not collected: HTTP 500: boom"


def test_through_the_runner():
    inst = bitbucket(bitbucket=facts(mail=MailServer(configured=False)))
    assert only(findings_of(analyse(inst), "bitbucket.mail.server")).severity is Severity.INFO
