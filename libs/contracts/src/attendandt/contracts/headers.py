"""Header names every Attendandt message may carry (NATS headers)."""

#: JetStream de-duplication: derived from the source's id and version, so a repeat is dropped.
MSG_ID = "Nats-Msg-Id"
#: W3C trace context, so a trace started by a publisher continues in its consumers.
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
#: Ties together everything caused by one request or one Mews change.
CORRELATION_ID = "Attendandt-Correlation-Id"
#: `<schema>/v<version>` of the body, e.g. `mews.change/v1`.
SCHEMA = "Attendandt-Schema"
