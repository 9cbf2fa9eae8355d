-- The message ledger: one row per accepted message, one per recipient, one per recipient and
-- delivery attempt. Written by mailroute's stages (accept, deliver), read by the status API and
-- `track`. No message bodies: the broker holds those while a message is queued.
--
-- One script for SQLite and PostgreSQL: only types and statements both read the same way.
-- Times are epoch milliseconds (BIGINT), so that comparisons and the retention cut-off do not
-- depend on either database's time zone handling. Text lengths are bounded by mailroute before
-- the insert (SQLite does not enforce VARCHAR lengths).

CREATE TABLE ledger_message (
    id            VARCHAR(64)   NOT NULL PRIMARY KEY, -- mailroute's id (the queue id)
    message_id    VARCHAR(998),                       -- the Message-ID header
    ingress       VARCHAR(16)   NOT NULL,             -- smtp, http, jms, file, merge
    submitter     VARCHAR(300),                       -- who: SMTP user or client address, API key name, JMS user, file name
    api_key       VARCHAR(64),                        -- the name of the API key it came with (who may read it back)
    sender        VARCHAR(320),                       -- the envelope sender
    size_bytes    BIGINT        NOT NULL,
    accepted_at   BIGINT        NOT NULL,
    subject       VARCHAR(300)                        -- absent with mailroute.ledger.subjects=false
);
CREATE INDEX ledger_message_accepted ON ledger_message (accepted_at, id);
CREATE INDEX ledger_message_sender ON ledger_message (lower(sender));
CREATE INDEX ledger_message_message_id ON ledger_message (message_id);
CREATE INDEX ledger_message_api_key ON ledger_message (api_key, accepted_at);

CREATE TABLE ledger_recipient (
    mail_id       VARCHAR(64)   NOT NULL,             -- ledger_message.id (no foreign key: an instance
                                                      -- that delivers may write before the one that accepted)
    address       VARCHAR(320)  NOT NULL,             -- as queued; searched in lower case
    state         VARCHAR(16)   NOT NULL,             -- queued, deferred, delivered, bounced, failed, expired
    changed_at    BIGINT        NOT NULL,             -- when state was last set: a late write never turns it back
    attempts      INTEGER       NOT NULL,
    reply_code    INTEGER,                            -- the last answer: SMTP code, enhanced status, text
    reply_status  VARCHAR(16),
    reply_text    VARCHAR(500),
    PRIMARY KEY (mail_id, address)
);
CREATE INDEX ledger_recipient_address ON ledger_recipient (lower(address));
CREATE INDEX ledger_recipient_changed ON ledger_recipient (changed_at);

CREATE TABLE ledger_attempt (
    mail_id       VARCHAR(64)   NOT NULL,
    address       VARCHAR(320)  NOT NULL,
    attempt       INTEGER       NOT NULL,             -- 1, 2, ...: a broker redelivery of the same attempt overwrites it
    at            BIGINT        NOT NULL,
    transport     VARCHAR(16)   NOT NULL,             -- smtp, pickup
    relay         VARCHAR(300),                       -- host:port, or the pickup file written
    outcome       VARCHAR(16)   NOT NULL,             -- delivered, deferred, bounced, failed, expired
    reply_code    INTEGER,
    reply_status  VARCHAR(16),
    reply_text    VARCHAR(500),
    duration_ms   BIGINT,
    PRIMARY KEY (mail_id, address, attempt)
);
CREATE INDEX ledger_attempt_at ON ledger_attempt (at);
