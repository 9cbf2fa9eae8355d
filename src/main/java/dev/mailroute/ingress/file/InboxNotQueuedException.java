package dev.mailroute.ingress.file;

/** An inbox file whose message is not on the queue after all: its poll's transaction did not commit. It stays in the inbox. */
public final class InboxNotQueuedException extends Exception {

    public InboxNotQueuedException(String reason) {
        super(reason, null, false, false);
    }
}
