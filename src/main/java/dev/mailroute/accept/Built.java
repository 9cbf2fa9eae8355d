package dev.mailroute.accept;

import java.util.List;

import dev.mailroute.message.AcceptedMessage;

/** What a reader built from a request: the message for the queue, and the senders it names, for the sender policy. */
record Built(AcceptedMessage message, List<SenderPolicy.Sender> senders) {
}
