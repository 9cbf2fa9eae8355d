package dev.mailroute.ingress.http;

import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.ledger.MessageStory;

/**
 * A message's story as the status API shows it (docs/http-api.md, "Message status"): times in
 * ISO-8601 UTC, each recipient with its state, its last reply and the replies that deferred it;
 * with {@code history}, every attempt. Jackson escapes every text.
 */
final class MessageJson {

    private final ObjectMapper mapper;

    MessageJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    ObjectNode message(MessageStory story, boolean history) {
        ObjectNode message = mapper.createObjectNode();
        message.put("id", story.id());
        message.put("messageId", story.messageId());
        message.put("ingress", story.ingress());
        message.put("submitter", story.submitter());
        message.put("sender", story.sender());
        message.put("size", story.sizeBytes());
        message.put("acceptedAt", time(story.acceptedAt()));
        message.put("subject", story.subject());
        if (story.reportOf() != null) {
            message.put("reportOf", story.reportOf()); // a report: the message it reports on
        }
        message.put("recipientCount", story.recipientCount());
        ArrayNode recipients = message.putArray("recipients");
        for (MessageStory.Recipient r : story.recipients()) {
            ObjectNode recipient = recipients.addObject();
            recipient.put("address", r.address());
            recipient.put("state", r.state());
            recipient.put("attempts", r.attemptCount());
            recipient.put("replyCode", r.replyCode());
            recipient.put("replyStatus", r.replyStatus());
            recipient.put("replyText", r.replyText());
            recipient.put("changedAt", time(r.changedAt()));
            ArrayNode deferrals = recipient.putArray("deferrals");
            for (MessageStory.Deferral d : r.deferrals()) {
                deferrals.addObject().put("reply", d.reply()).put("count", d.count());
            }
            if (history) {
                ArrayNode attempts = recipient.putArray("history");
                for (MessageStory.Attempt a : r.attempts()) {
                    attempts.addObject().put("attempt", a.attempt()).put("at", time(a.at()))
                            .put("transport", a.transport()).put("relay", a.relay()).put("outcome", a.outcome())
                            .put("replyCode", a.replyCode()).put("replyStatus", a.replyStatus())
                            .put("replyText", a.replyText()).put("durationMs", a.durationMillis());
                }
            }
        }
        return message;
    }

    static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
