package dev.mailroute.ledger;

/**
 * What a search of the ledger asks for; every field may be null (not asked). Values are compared
 * as given, through parameters of the statement only: each is what some client sent.
 *
 * @param apiKey only messages sent with the key of this name (a submit key's view), or null for all (an admin's)
 * @param recipient an address, any case
 * @param sender an envelope sender, any case
 * @param messageId the Message-ID, with or without its angle brackets
 * @param state a recipient's state: the message has at least one recipient in it (the one asked for, if one is)
 * @param since accepted at or after, epoch milliseconds
 * @param until accepted before, epoch milliseconds
 */
public record MessageFilter(String apiKey, String recipient, String sender, String messageId, String state,
                            String ingress, Long since, Long until) {
}
