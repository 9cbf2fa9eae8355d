-- The listing by state (GET /api/v1/admin/queue/messages?state=..) and the queue operations' filters
-- look recipients up by state (held, deferred, failed, ...) and then by message: without this index
-- every one of them reads the whole ledger_recipient table. Plain SQL that SQLite and PostgreSQL both run.
CREATE INDEX ledger_recipient_state ON ledger_recipient (state, mail_id);
