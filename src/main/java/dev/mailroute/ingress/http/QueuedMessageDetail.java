package dev.mailroute.ingress.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.util.Enumeration;
import java.util.Properties;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

/**
 * The headers and a text preview of a queued message's MIME, as Jakarta Mail reads it (charset and
 * transfer encoding decoded), within bounds: {@link #MAX_HEADERS} headers of at most
 * {@link #MAX_VALUE} characters each, and {@link #MAX_PREVIEW} characters of the first text/plain
 * part (else the first text/html part, as its text: the console shows it as text, never as HTML).
 */
final class QueuedMessageDetail {

    static final int MAX_HEADERS = 100;
    /** RFC 5322's line limit: a longer value is cut there. */
    static final int MAX_VALUE = 998;
    static final int MAX_PREVIEW = 4096;
    /** Nested multiparts followed at most: a message is an untrusted tree. */
    private static final int MAX_DEPTH = 8;

    private static final Session SESSION = Session.getInstance(new Properties());

    private QueuedMessageDetail() {
    }

    /** Adds {@code headers}, {@code headersOmitted} and {@code preview} to the answer. */
    static void describe(byte[] mime, boolean cut, ObjectNode answer) {
        ArrayNode headers = answer.putArray("headers");
        MimeMessage message;
        try {
            message = new MimeMessage(SESSION, new ByteArrayInputStream(mime));
        } catch (MessagingException e) {
            answer.put("headersOmitted", 0);
            answer.putNull("preview");
            return;
        }
        int omitted = 0;
        try {
            Enumeration<Header> all = message.getAllHeaders();
            while (all.hasMoreElements()) {
                Header header = all.nextElement();
                if (headers.size() >= MAX_HEADERS) {
                    omitted++;
                    continue;
                }
                String value = decoded(header.getValue());
                ObjectNode shown = headers.addObject().put("name", bounded(header.getName()));
                shown.put("value", bounded(value));
                if (value.length() > MAX_VALUE) {
                    shown.put("truncated", true);
                }
            }
        } catch (MessagingException e) {
            // the headers read so far are shown
        }
        answer.put("headersOmitted", omitted);
        ObjectNode preview = null;
        try {
            preview = preview(message, cut, 0);
        } catch (MessagingException | IOException | RuntimeException e) {
            // no preview of content Jakarta Mail cannot decode (unknown charset, broken encoding)
        }
        if (preview == null) {
            answer.putNull("preview");
        } else {
            answer.set("preview", preview);
        }
    }

    private static ObjectNode preview(Part part, boolean cut, int depth) throws MessagingException, IOException {
        Part text = find(part, "text/plain", depth);
        if (text == null) {
            text = find(part, "text/html", depth);
        }
        if (text == null) {
            return null;
        }
        Object content = text.getContent();
        if (!(content instanceof String body)) {
            return null;
        }
        ObjectNode preview = new ObjectNode(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance);
        preview.put("contentType", text.isMimeType("text/plain") ? "text/plain" : "text/html");
        boolean longer = body.length() > MAX_PREVIEW;
        preview.put("text", longer ? body.substring(0, MAX_PREVIEW) : body);
        // a message read only in part may have more of this text than was read
        preview.put("truncated", longer || cut);
        return preview;
    }

    private static Part find(Part part, String type, int depth) throws MessagingException, IOException {
        if (part.isMimeType(type) && !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
            return part;
        }
        if (depth < MAX_DEPTH && part.isMimeType("multipart/*") && part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                Part found = find(child, type, depth + 1);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String decoded(String raw) {
        String unfolded = MimeUtility.unfold(raw == null ? "" : raw);
        try {
            return MimeUtility.decodeText(unfolded);
        } catch (UnsupportedEncodingException e) {
            return unfolded;
        }
    }

    private static String bounded(String value) {
        return value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value;
    }
}
