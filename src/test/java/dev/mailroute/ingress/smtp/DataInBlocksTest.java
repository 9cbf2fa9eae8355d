package dev.mailroute.ingress.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.subethamail.smtp.internal.io.DotTerminatedInputStream;
import org.subethamail.smtp.internal.io.DotUnstuffingInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DATA reader gives the message SubEthaSMTP's byte-at-a-time streams give, and leaves the
 * client's next command where it was — for wire bytes made of the pieces that matter (dots, CR and
 * LF alone and together), arriving in pieces of any size.
 */
class DataInBlocksTest {

    private static final String[] PIECES = {"\r\n", ".", "..", "\n", "\r", "a", "bc", ".\r\n", "\r\n.", "\n.\n",
        "\r\n.\r", "x".repeat(300)};
    private static final byte[] NEXT = "MAIL FROM:<next@example.com>\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A socket's input: at most {@code most} bytes per read, as many as the random number says. */
    private static InputStream arriving(byte[] wire, Random random, int most) {
        InputStream bytes = new ByteArrayInputStream(wire);
        return new BufferedInputStream(new InputStream() {
            @Override
            public int read() throws IOException {
                return bytes.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return bytes.read(b, off, Math.min(len, 1 + random.nextInt(most)));
            }
        }, 8192);
    }

    private static byte[] wire(Random random) {
        StringBuilder text = new StringBuilder("X"); // SubEthaSMTP keeps a first line's dot; see below
        int pieces = random.nextInt(200);
        for (int i = 0; i < pieces; i++) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        text.append("\r\n.\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(text.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(NEXT);
        return out.toByteArray();
    }

    private static byte[] readInBlocks(InputStream in, Random random) throws IOException {
        InputStream data = new DataInBlocks(in);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 + random.nextInt(10_000)];
        for (int n; (n = data.read(buffer, 0, 1 + random.nextInt(buffer.length))) != -1; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    @Test
    void theSameMessageAsSubEthaSmtpsStreamsAndTheNextCommandLeftUnread() throws IOException {
        Random random = new Random(20261206);
        for (int round = 0; round < 5_000; round++) {
            byte[] wire = wire(random);
            int most = 1 + random.nextInt(round % 2 == 0 ? 4 : 9000);
            InputStream reference = new BufferedInputStream(new ByteArrayInputStream(wire));
            byte[] expected = new DotUnstuffingInputStream(new DotTerminatedInputStream(reference)).readAllBytes();
            InputStream session = arriving(wire, random, most);
            byte[] actual = readInBlocks(session, random);
            assertThat(actual).as("round %d", round).isEqualTo(expected);
            assertThat(session.readAllBytes()).as("round %d: after the message", round)
                    .isEqualTo(reference.readAllBytes());
        }
    }

    @Test
    void onlyCrLfDotCrLfEndsTheMessage() throws IOException {
        byte[] wire = "Subject: a\r\n\r\none\n.\nsmuggled\r\n.\nalso\n.\r\nstill\r\n.\r\nRSET\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        InputStream session = arriving(wire, new Random(1), 3);
        assertThat(new String(new DataInBlocks(session).readAllBytes(), StandardCharsets.US_ASCII))
                .isEqualTo("Subject: a\r\n\r\none\n.\nsmuggled\r\n\nalso\n.\r\nstill\r\n");
        assertThat(new String(session.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("RSET\r\n");
    }

    /** RFC 5321 4.5.2: the first line's dot is stuffed like any other (SubEthaSMTP 7.1.7 kept it). */
    @Test
    void theFirstLinesDotIsUnstuffedToo() throws IOException {
        byte[] wire = "..first\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(new DataInBlocks(arriving(wire, new Random(2), 1)).readAllBytes())
                .isEqualTo(".first\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(new DataInBlocks(arriving(".\r\n".getBytes(StandardCharsets.US_ASCII), new Random(3), 1))
                .readAllBytes()).isEmpty();
    }

    @Test
    void aConnectionClosedBeforeTheEndIsAnError() {
        byte[] wire = "Subject: cut\r\n\r\nbody\r\n.".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new DataInBlocks(arriving(wire, new Random(4), 5)).readAllBytes())
                .isInstanceOf(EOFException.class).hasMessageContaining("<CRLF>.<CRLF>");
    }
}
