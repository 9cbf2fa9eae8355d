-- A delivery status report is a message of its own (ingress 'report'); this names the message it
-- reports on, so that its story links back. Plain SQL that SQLite and PostgreSQL both run.
ALTER TABLE ledger_message ADD COLUMN report_of VARCHAR(64);
CREATE INDEX ledger_message_report_of ON ledger_message (report_of);
