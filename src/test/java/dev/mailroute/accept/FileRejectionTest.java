package dev.mailroute.accept;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.Scratch;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each kind of bad inbox file lands unchanged in rejected/ with a reason file that names the
 * field, and nothing is queued for it.
 */
class FileRejectionTest {

    private static Path data;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        data = Scratch.folder("mailroute-rejections");
        gateway = TestGateway.on(data).with("mailroute.message.maxBytes", "64KiB").start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static Stream<Arguments> badFiles() {
        ObjectNode noRecipients = MailRequests.minimal();
        noRecipients.remove("to");
        ObjectNode malformedAddress = MailRequests.minimal();
        malformedAddress.putArray("to").add("ops@example.com").add("not an address@");
        ObjectNode missingFrom = MailRequests.minimal();
        missingFrom.remove("from");
        ObjectNode subjectInjection = MailRequests.minimal();
        subjectInjection.put("subject", "hello\r\nBcc: victim@example.com");
        ObjectNode headerInjection = MailRequests.minimal();
        headerInjection.putObject("headers").put("X-Ticket", "42\nBcc: victim@example.com");
        ObjectNode addressInjection = MailRequests.minimal();
        addressInjection.putArray("to").add("ops@example.com\r\nBcc: victim@example.com");
        ObjectNode badBase64 = MailRequests.minimal();
        badBase64.putArray("attachments").addObject().put("filename", "a.bin").put("content", "not*base64!");
        ObjectNode tooLarge = MailRequests.minimal();
        tooLarge.putArray("attachments").addObject().put("filename", "big.bin")
                .put("content", Base64.getEncoder().encodeToString(new byte[60 * 1024]));

        return Stream.of(
                Arguments.of("no-recipients.json", MailRequests.json(noRecipients), "to: no recipients"),
                Arguments.of("malformed-address.json", MailRequests.json(malformedAddress),
                        "to[1]: 'not an address@' is not a valid address"),
                Arguments.of("missing-from.json", MailRequests.json(missingFrom), "from: missing"),
                Arguments.of("subject-injection.json", MailRequests.json(subjectInjection),
                        "subject: contains a line break"),
                Arguments.of("header-injection.json", MailRequests.json(headerInjection),
                        "headers.X-Ticket: contains a line break"),
                Arguments.of("address-injection.json", MailRequests.json(addressInjection),
                        "to[0]: contains a line break"),
                Arguments.of("bad-base64.json", MailRequests.json(badBase64),
                        "attachments[0].content: is not valid base64"),
                Arguments.of("too-large.json", MailRequests.json(tooLarge), "too large"),
                Arguments.of("broken.json", "{\"from\": \"a@example.com\", \"to\": [", "$: not valid JSON"),
                Arguments.of("not-mime.eml", "this is not a message\n\nat all", "is not an RFC 5322 message"),
                Arguments.of("no-from.eml", "To: ops@example.com\nSubject: x\n\nbody",
                        "From: missing"),
                Arguments.of("bad-receiver.eml", "X-Sender: app@example.com\nX-Receiver: nobody@\nFrom: a@example.com\n"
                                                 + "Subject: x\n\nbody", "X-Receiver (line 2)"),
                // the IIS pickup form is byte-stuffed: a lone '.' there would end the message early
                Arguments.of("lone-dot.eml", "X-Sender: app@example.com\nX-Receiver: ops@example.com\n"
                                             + "From: app@example.com\nSubject: x\n\nfirst\n.\nlost\n",
                        "$: line 7 is a lone '.'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void landsInRejectedWithItsReason(String name, String content, String reason) throws Exception {
        double rejectedBefore = Math.max(0, gateway.metric("mailroute_messages_rejected_total\\{ingress=\"file\"}"));
        gateway.drop(name, content);

        Path reasonFile = gateway.folder("rejected").resolve(name + ".error.txt");
        // the reason file is written last (RejectedFolder): once it is there, so is the copy
        await().until(() -> Files.exists(reasonFile));
        assertThat(Files.readString(gateway.folder("rejected").resolve(name), StandardCharsets.UTF_8))
                .as("the original bytes are kept").isEqualTo(content);
        assertThat(Files.readString(reasonFile)).contains(reason);
        // the inbox file is deleted when its exchange completes, after the copy above is synced
        // and the rejection counted: from then on, what this file did is final
        await().until(() -> !Files.exists(gateway.folder("inbox").resolve(name)));
        assertThat(gateway.metric("mailroute_messages_rejected_total\\{ingress=\"file\"}") - rejectedBefore)
                .as("this file's rejection, counted once").isEqualTo(1);
        assertThat(gateway.metric("mailroute_messages_accepted_total\\{ingress=\"file\"}"))
                .as("nothing was ever queued from the inbox: the counter does not even exist").isEqualTo(-1);
    }
}
