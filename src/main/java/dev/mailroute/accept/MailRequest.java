package dev.mailroute.accept;

import java.util.List;
import java.util.Map;

import jakarta.mail.internet.InternetAddress;

/**
 * A validated JSON mail request (the contract in docs/submitting.md). Every value here has passed
 * {@link JsonMailRequestReader}: addresses parse, header values are one line, attachments decoded.
 */
public record MailRequest(
        String clientId,
        InternetAddress from,
        List<InternetAddress> to,
        List<InternetAddress> cc,
        List<InternetAddress> bcc,
        List<InternetAddress> replyTo,
        String subject,
        String text,
        String html,
        Map<String, String> headers,
        List<Attachment> attachments,
        Priority priority) {

    public record Attachment(String filename, String contentType, byte[] content) {
    }

    public enum Priority {
        HIGH, NORMAL, LOW
    }
}
