package dev.mailroute.delivery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.delivery.DeliveryFailure.RecipientReply;
import dev.mailroute.files.AtomicFile;
import dev.mailroute.files.FileModes;
import dev.mailroute.message.QueuedMessage;
import dev.mailroute.message.XSenderForm;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;

/**
 * Parks what cannot be delivered: {@code failed/<id>.eml}, the exact message with X-Sender /
 * X-Receiver lines for the recipients that failed (drop it into the inbox to send it to them
 * again), and {@code failed/<id>.json} with why. Nothing here is ever overwritten: a second
 * record for the same message (a partial failure, then an expiry) gets {@code <id>-2.*}. The folder
 * and its files are mailroute's user's only ({@link FileModes#PRIVATE}), made again so if removed.
 */
public final class FailedFolder {

    private final Path folder;
    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public FailedFolder(Path folder) {
        this.folder = folder;
    }

    /** What is recorded about one parking. */
    public record Record(String reason, String kind, DeliveryFailure failure, List<RecipientReply> recipients,
                         int attempts, long firstAttempt, long lastAttempt, String ingress, String transport,
                         String clientId) {
    }

    /** @return the .eml file written */
    public Path park(QueuedMessage message, Record record) throws IOException, MessagingException {
        FileModes.PRIVATE.createFolder(folder);
        String base = freeBase(message.id());
        byte[] eml = XSenderForm.write(message,
                record.recipients().stream().map(RecipientReply::address).toList());
        // synced: once this returns, the message leaves the queue and this is its only copy
        AtomicFile.write(folder.resolve(base + ".json"), mapper.writeValueAsBytes(json(message, record)), true,
                AtomicFile.OWNER_ONLY);
        Path emlFile = folder.resolve(base + ".eml");
        AtomicFile.write(emlFile, eml, true, AtomicFile.OWNER_ONLY);
        return emlFile;
    }

    /**
     * Parks a message mailroute did not make (see ForeignMessageException): its bytes as they were
     * on the queue, under a new id, and why. Nothing it claims about itself names a file.
     *
     * @return the .eml file written
     */
    public Path parkForeign(byte[] bytes, String reason, long now) throws IOException {
        FileModes.PRIVATE.createFolder(folder);
        String base = freeBase(UUID.randomUUID().toString());
        ObjectNode json = mapper.createObjectNode();
        json.put("id", base);
        json.put("kind", "foreign");
        json.put("reason", reason);
        json.put("parkedAt", Instant.ofEpochMilli(now).toString());
        AtomicFile.write(folder.resolve(base + ".json"), mapper.writeValueAsBytes(json), true, AtomicFile.OWNER_ONLY);
        Path emlFile = folder.resolve(base + ".eml");
        AtomicFile.write(emlFile, bytes, true, AtomicFile.OWNER_ONLY);
        return emlFile;
    }

    /**
     * The files parked for one message: {@code <id>.eml}/{@code .json} and {@code <id>-N.*}. A
     * requeue lists them before the message leaves mail.failed, and removes exactly those once it
     * is on mail.outbound: a new parking of the requeued message (named {@code <id>-N} while these
     * exist) is not among them.
     */
    public List<Path> parkedFiles(String id) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> parkedName(id, f.getFileName().toString())).sorted().toList();
        }
    }

    /** Removes these files (a requeued message's parked files); one that is gone already is no error. */
    public void remove(List<Path> files) throws IOException {
        for (Path file : files) {
            Files.deleteIfExists(file);
        }
    }

    private static boolean parkedName(String id, String name) {
        if (!name.startsWith(id) || !(name.endsWith(".eml") || name.endsWith(".json"))) {
            return false;
        }
        String rest = name.substring(id.length(), name.lastIndexOf('.'));
        return rest.isEmpty() || rest.matches("-[0-9]+");
    }

    private ObjectNode json(QueuedMessage message, Record record) {
        DeliveryFailure failure = record.failure();
        ObjectNode json = mapper.createObjectNode();
        json.put("id", message.id());
        json.put("clientId", record.clientId());
        json.put("kind", record.kind());
        json.put("reason", record.reason());
        json.put("smtpCode", failure.replyCode() < 0 ? null : failure.replyCode());
        json.put("enhancedCode", failure.enhancedCode());
        json.put("serverText", failure.serverText());
        json.put("attempts", record.attempts());
        json.put("firstAttempt", Instant.ofEpochMilli(record.firstAttempt()).toString());
        json.put("lastAttempt", Instant.ofEpochMilli(record.lastAttempt()).toString());
        json.put("ingress", record.ingress());
        json.put("transport", record.transport());
        json.put("sender", message.envelope().senderAddress());
        ArrayNode all = json.putArray("recipients");
        message.envelope().recipients().stream().map(InternetAddress::getAddress).forEach(all::add);
        ArrayNode refused = json.putArray("refusedRecipients");
        for (RecipientReply recipient : record.recipients()) {
            ObjectNode item = refused.addObject();
            item.put("address", recipient.address());
            item.put("smtpCode", recipient.replyCode() < 0 ? null : recipient.replyCode());
            item.put("enhancedCode", recipient.enhancedCode());
            item.put("serverText", recipient.text());
        }
        ArrayNode delivered = json.putArray("deliveredRecipients");
        failure.delivered().forEach(delivered::add);
        json.put("parkedAt", Instant.now().toString());
        return json;
    }

    private String freeBase(String id) {
        String base = id;
        for (int n = 2; Files.exists(folder.resolve(base + ".eml")) || Files.exists(folder.resolve(base + ".json")); n++) {
            base = id + "-" + n;
        }
        return base;
    }
}
