package dev.mailroute.message;

import jakarta.mail.MessagingException;

/**
 * A message on mail.outbound that mailroute did not put there: no id of the kind mailroute makes
 * (a UUID), or no readable envelope. Delivery trusts nothing of it — least of all its id, which
 * names files — and parks it with this reason instead of delivering it.
 */
public class ForeignMessageException extends MessagingException {

    public ForeignMessageException(String reason) {
        super(reason);
    }
}
