package dev.mailroute.accept;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JsonMailRequestReaderTest {

    private final JsonMailRequestReader reader = new JsonMailRequestReader(1024 * 1024);

    @Test
    void readsTheWholeContract() throws Exception {
        MailRequest request = read("""
                {"id": "k-1", "from": "Alerts <alerts@example.com>", "to": ["ops@example.com"],
                 "cc": "lead@example.com", "bcc": ["audit@example.com"], "replyTo": "noreply@example.com",
                 "subject": "Disk", "text": "t", "html": "<p>h</p>", "headers": {"X-Ticket": "42"},
                 "attachments": [{"filename": "a.txt", "contentType": "text/plain", "content": "aGk="}],
                 "priority": "low"}""");
        assertThat(request.clientId()).isEqualTo("k-1");
        assertThat(request.from().getPersonal()).isEqualTo("Alerts");
        assertThat(request.cc()).hasSize(1);
        assertThat(request.attachments().get(0).content()).isEqualTo("hi".getBytes(StandardCharsets.US_ASCII));
        assertThat(request.priority()).isEqualTo(MailRequest.Priority.LOW);
    }

    @Test
    void reportsEveryProblemAtOnce() {
        RejectedMessageException rejected = reject("""
                {"from": 42, "to": ["ok@example.com", 7, "bad@"], "subject": ["x"], "text": true,
                 "headers": {"Content-Type": "text/plain", "Bad Name": "x"}, "priority": "urgent",
                 "attachments": [{"content": "aGk="}], "too": "typo@example.com"}""");
        assertThat(rejected.problems()).extracting(Problem::field).containsExactlyInAnyOrder(
                "too", "from", "to[1]", "to[2]", "subject", "text", "headers.Content-Type", "headers.Bad Name",
                "attachments[0].filename", "priority");
        assertThat(rejected.getMessage()).contains("from: must be a string, got a number")
                .contains("to[1]: must be a string, got a number")
                .contains("priority: 'urgent' is not one of high, normal, low");
    }

    @Test
    void reportsMissingRecipientsBesideOtherProblems() {
        assertThat(reject("{\"from\": \"me\", \"to\": []}").problems()).extracting(Problem::toString)
                .containsExactly("from: 'me' is not a valid address (Missing final '@domain')",
                        "to: no recipients; give at least one address in to, cc or bcc");
    }

    @Test
    void rejectsWhatIsNotAnObject() {
        assertThat(reject("[]").getMessage()).isEqualTo("$: must be a JSON object, got an array");
        assertThat(reject("").getMessage()).startsWith("$: is empty");
        assertThat(reject("{\"from\": \"a@example.com\", \"from\": \"b@example.com\"}").getMessage())
                .contains("Duplicate field 'from'");
    }

    @Test
    void rejectsTwoAddressesInOneField() {
        assertThat(reject("{\"from\": \"a@example.com, b@example.com\", \"to\": \"c@example.com\"}").getMessage())
                .isEqualTo("from: 'a@example.com, b@example.com' holds 2 addresses; give exactly one");
    }

    @Test
    void rejectsNonAsciiMailboxButAcceptsNonAsciiDisplayName() throws Exception {
        assertThat(reject("{\"from\": \"jürgen@example.com\", \"to\": \"c@example.com\"}").getMessage())
                .contains("non-ASCII characters in the address itself");
        assertThat(read("{\"from\": \"Jürgen <j@example.com>\", \"to\": \"c@example.com\"}").from().toString())
                .startsWith("=?UTF-8?");
    }

    /** Jackson's own default would refuse a string of more than 20,000,000 characters, with words of its own. */
    @Test
    void theParsersLimitsFollowTheRequestSizeLimit() throws Exception {
        String text = "x".repeat(21_000_000);
        byte[] json = ("{\"from\": \"a@example.com\", \"to\": \"b@example.com\", \"text\": \"" + text + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(new JsonMailRequestReader(25L * 1024 * 1024).read(json).text()).hasSize(21_000_000);
    }

    @Test
    void anythingAfterTheDocumentIsRefused() {
        assertThat(reject("{\"from\": \"a@example.com\", \"to\": \"b@example.com\"} {}").getMessage())
                .startsWith("$: not valid JSON: something follows the end of the document");
    }

    private MailRequest read(String json) throws RejectedMessageException {
        return reader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private RejectedMessageException reject(String json) {
        RejectedMessageException e = catchThrowableOfType(RejectedMessageException.class, () -> read(json));
        assertThat(e).as("rejected").isNotNull();
        return e;
    }
}
