"""The alarm verdicts, without a broker: each reason appears and goes by itself, and a
verdict change is one event."""

from datetime import UTC, datetime, timedelta

from attendandt.mews_ingest.alarms import (
    AlarmSettings,
    DeadLetterTrend,
    Finding,
    PropertyAlarm,
    SilenceProbe,
    dead_letter_finding,
    socket_finding,
)

T0 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_probe_asks_only_when_quiet_and_keeps_what_it_found() -> None:
    probe = SilenceProbe(
        timedelta(seconds=60), timedelta(seconds=30), timedelta(seconds=10), last_live=s(0.4)
    )
    assert probe.window(s(50)) is None  # live recently
    assert probe.window(s(61)) == (s(1), s(61))  # after the last live change's second
    probe.probed(s(61), None)
    assert probe.window(s(70)) is None  # probed recently
    assert probe.window(s(92)) == (s(1), s(92))
    probe.probed(s(92), s(90))
    assert probe.window(s(200)) is None  # found: no need to ask again
    assert probe.finding(s(95)) is None  # the push may still be on its way
    finding = probe.finding(s(101))
    assert finding is not None
    assert finding.reason == "silence"
    probe.heard(s(102))
    assert probe.finding(s(103)) is None
    assert probe.window(s(103)) is None


def test_socket_and_dead_letter_findings() -> None:
    assert socket_finding(None, s(1000), 60) is None
    assert socket_finding(s(0), s(60), 60) is None
    assert socket_finding(s(0), s(61), 60) is not None
    settings = AlarmSettings(dead_letters=2, dead_letters_window_s=100)
    trend = DeadLetterTrend(settings.dead_letters_window_s)
    assert trend.growth(s(0), 5) == 0
    assert trend.growth(s(50), 6) == 1
    assert dead_letter_finding(1, settings) is None
    assert trend.growth(s(90), 7) == 2
    assert dead_letter_finding(2, settings) is not None
    assert trend.growth(s(300), 7) == 0  # no growth within the window: cleared
    assert trend.growth(s(310), 3) == 0  # a purge is no growth


def test_a_verdict_change_is_one_event_and_clears_by_itself() -> None:
    alarm = PropertyAlarm("ent-1")
    assert alarm.judge([], s(0)) is None
    silence = Finding("silence", "quiet")
    raised = alarm.judge([silence], s(1))
    assert raised is not None
    assert raised.state == "raised"
    assert raised.reasons == ("silence",)
    assert alarm.judge([silence], s(2)) is None  # unchanged: nothing new to say
    socket = Finding("websocket_down", "down")
    changed = alarm.judge([silence, socket], s(3))
    assert changed is not None
    assert changed.state == "raised"
    assert changed.reasons == ("silence", "websocket_down")
    assert changed.raised_at == s(1)
    cleared = alarm.judge([], s(4))
    assert cleared is not None
    assert cleared.state == "cleared"
    assert cleared.reasons == ()
    assert cleared.raised_at == s(1)
    assert alarm.raised_at is None
