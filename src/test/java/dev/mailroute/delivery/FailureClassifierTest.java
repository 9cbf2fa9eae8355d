package dev.mailroute.delivery;

import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;

import dev.mailroute.delivery.DeliveryFailure.Kind;
import dev.mailroute.delivery.DeliveryFailure.RecipientReply;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailConnectException;
import org.eclipse.angus.mail.util.SocketConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per row of the failure classification table (docs/architecture.md), on the exceptions Angus throws. */
class FailureClassifierTest {

    private static final InternetAddress A = address("a@example.com");
    private static final InternetAddress B = address("b@example.com");
    private static final InternetAddress C = address("c@example.com");
    private static final List<InternetAddress> ALL = List.of(A, B, C);

    private final FailureClassifier classifier = new FailureClassifier();

    @Test
    void connectionRefusedIsTransientAndConnectionLevel() {
        DeliveryFailure f = classify(new MailConnectException(new SocketConnectException("Couldn't connect",
                new ConnectException("Connection refused"), "relay", 25, 5000)));
        assertTransientForAll(f);
        assertThat(f.connectionLevel()).isTrue();
    }

    @Test
    void connectionResetIsTransient() {
        assertTransientForAll(classify(new MessagingException("Exception reading response",
                new SocketException("Connection reset"))));
    }

    /** What Angus throws when the relay closes the connection after a command, before any reply. */
    @Test
    void aConnectionClosedMidTransactionIsTransientAndConnectionLevel() {
        DeliveryFailure f = classify(new SMTPSendFailedException("MAIL FROM:<s@example.com>", -1, "[EOF]", null,
                null, null, null));
        assertTransientForAll(f);
        assertThat(f.connectionLevel()).as("counts towards the circuit breaker").isTrue();
    }

    @Test
    void timeoutIsTransient() {
        DeliveryFailure f = classify(new MessagingException("Exception reading response",
                new SocketTimeoutException("Read timed out")));
        assertTransientForAll(f);
        assertThat(f.connectionLevel()).isTrue();
    }

    @Test
    void tlsHandshakeFailureIsTransient() {
        DeliveryFailure f = classify(new MessagingException("Could not convert socket to TLS",
                new SSLHandshakeException("PKIX path building failed")));
        assertTransientForAll(f);
        assertThat(f.connectionLevel()).isTrue();
    }

    @Test
    void refusedGreetingIsTransientConnectionLevel() {
        DeliveryFailure f = classify(new MessagingException(
                "Got bad greeting from SMTP host: relay, port: 25, response: 421 4.3.2 Service not available"));
        assertTransientForAll(f);
        assertThat(f.connectionLevel()).isTrue();
        assertThat(f.replyCode()).isEqualTo(421);
        assertThat(f.enhancedCode()).isEqualTo("4.3.2");
    }

    @ParameterizedTest(name = "{0} {1} on {2}")
    @CsvSource({
        "421, '421 4.7.0 closing connection', MAIL FROM:<s@example.com>",
        "450, '450 4.2.1 mailbox busy', MAIL FROM:<s@example.com>",
        "451, '451 4.3.0 local error', DATA",
        "452, '452 4.3.1 insufficient storage', .",
        "432, '432 4.3.2 too many concurrent connections', MAIL FROM:<s@example.com>",
        "550, '550 4.7.1 greylisted, try again later', MAIL FROM:<s@example.com>",
    })
    void fourXxRepliesAndEnhancedCodesAreTransient(int code, String text, String command) {
        DeliveryFailure f = classify(new SMTPSendFailedException(command, code, text, null, null, null, null));
        assertTransientForAll(f);
        assertThat(f.replyCode()).isEqualTo(code);
        assertThat(f.enhancedCode()).startsWith("4.");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "550, '550 5.7.1 relaying denied'",
        "551, '551 5.1.6 user not local'",
        "553, '553 5.1.3 bad sender address syntax'",
        "554, '554 5.6.0 message content rejected'",
        "554, '554 transaction failed'",
        "421, '421 5.7.0 policy'",
    })
    void fiveXxRepliesAndEnhancedCodesArePermanent(int code, String text) {
        DeliveryFailure f = classify(new SMTPSendFailedException(".", code, text, null, null, null, null));
        assertThat(f.kind()).isEqualTo(Kind.PERMANENT);
        assertThat(f.failed()).extracting(RecipientReply::address)
                .containsExactly("a@example.com", "b@example.com", "c@example.com");
        assertThat(f.retry()).isEmpty();
        assertThat(f.serverText()).isEqualTo(text);
    }

    @Test
    void mailboxFullOnRcptIsTreatedAs452() {
        SMTPAddressFailedException full = new SMTPAddressFailedException(B, "RCPT TO:<b@example.com>", 552,
                "552 5.2.2 mailbox full");
        DeliveryFailure f = classify(new SMTPSendFailedException(".", 250, "250 2.0.0 ok", full,
                new Address[] {A, C}, new Address[] {B}, new Address[0]));
        assertThat(f.kind()).isEqualTo(Kind.PARTIAL);
        assertThat(f.delivered()).containsExactly("a@example.com", "c@example.com");
        assertThat(f.retry()).extracting(RecipientReply::address).containsExactly("b@example.com");
        assertThat(f.retry().get(0).replyCode()).isEqualTo(552);
        assertThat(f.failed()).isEmpty();
    }

    @Test
    void someRecipientsRefusedOthersAcceptedIsPartial() {
        SMTPAddressFailedException unknown = new SMTPAddressFailedException(B, "RCPT TO:<b@example.com>", 550,
                "550 5.1.1 user unknown");
        unknown.setNextException(new SMTPAddressFailedException(C, "RCPT TO:<c@example.com>", 451,
                "451 4.2.1 try later"));
        DeliveryFailure f = classify(new SMTPSendFailedException(".", 250, "250 2.0.0 ok", unknown,
                new Address[] {A}, new Address[] {C}, new Address[] {B}));
        assertThat(f.kind()).isEqualTo(Kind.PARTIAL);
        assertThat(f.delivered()).containsExactly("a@example.com");
        assertThat(f.failed()).extracting(RecipientReply::address).containsExactly("b@example.com");
        assertThat(f.failed().get(0).enhancedCode()).isEqualTo("5.1.1");
        assertThat(f.retry()).extracting(RecipientReply::address).containsExactly("c@example.com");
    }

    @Test
    void allRecipientsRefusedIsDecidedPerRecipient() {
        SMTPAddressFailedException unknown = new SMTPAddressFailedException(A, "RCPT TO:<a@example.com>", 550,
                "550 5.1.1 user unknown");
        unknown.setNextException(new SMTPAddressFailedException(B, "RCPT TO:<b@example.com>", 450,
                "450 4.2.0 greylisted"));
        DeliveryFailure f = classifier.classify(new SendFailedException("Invalid Addresses", unknown, null,
                new Address[] {B}, new Address[] {A}), List.of(A, B));
        assertThat(f.kind()).isEqualTo(Kind.PARTIAL);
        assertThat(f.delivered()).isEmpty();
        assertThat(f.failed()).extracting(RecipientReply::address).containsExactly("a@example.com");
        assertThat(f.retry()).extracting(RecipientReply::address).containsExactly("b@example.com");
    }

    @Test
    void authenticationRefusedIsConfiguration() {
        DeliveryFailure f = classify(new AuthenticationFailedException("535 5.7.8 Authentication credentials invalid"));
        assertThat(f.kind()).isEqualTo(Kind.CONFIGURATION);
        assertThat(f.replyCode()).isEqualTo(535);
        assertThat(f.enhancedCode()).isEqualTo("5.7.8");
    }

    @Test
    void authenticationRequiredIsConfiguration() {
        DeliveryFailure f = classify(new SMTPSendFailedException("MAIL FROM:<s@example.com>", 530,
                "530 5.7.0 Authentication required", null, null, null, null));
        assertThat(f.kind()).isEqualTo(Kind.CONFIGURATION);
    }

    @Test
    void anUnknownFailureIsTransientSoThatDoubtNeverLosesMail() {
        DeliveryFailure f = classify(new IllegalStateException("something odd"));
        assertTransientForAll(f);
        assertThat(f.connectionLevel()).isFalse();
    }

    private DeliveryFailure classify(Exception error) {
        return classifier.classify(error, ALL);
    }

    private static void assertTransientForAll(DeliveryFailure f) {
        assertThat(f.kind()).isEqualTo(Kind.TRANSIENT);
        assertThat(f.retry()).extracting(RecipientReply::address)
                .containsExactly("a@example.com", "b@example.com", "c@example.com");
        assertThat(f.failed()).isEmpty();
        assertThat(f.delivered()).isEmpty();
    }

    private static InternetAddress address(String address) {
        try {
            return new InternetAddress(address);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
