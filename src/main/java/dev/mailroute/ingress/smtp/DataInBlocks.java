package dev.mailroute.ingress.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The message of a DATA command, read from the session's buffered input in blocks: the bytes up to
 * {@code <CRLF>.<CRLF>}, with each line's leading dot removed (RFC 5321 4.5.2). The same message as
 * SubEthaSMTP's {@code DotTerminatedInputStream} and {@code DotUnstuffingInputStream}, which pass
 * it on one byte at a time through three streams, each a call into the synchronized
 * {@code BufferedInputStream}: 18% of the listener's CPU in the profile of the benchmark's listener
 * run (docs/performance.md).
 *
 * <p>Only {@code <CRLF>.<CRLF>} ends the message: a bare LF before or after the dot does not, as
 * SubEthaSMTP had it (a relay that took {@code <LF>.<LF>} as the end would let a client smuggle a
 * second message inside the first). Nothing after the terminator is read: what follows it is the
 * client's next command, left in the session's input (pipelining) — the block just read is put
 * back as far as the terminator ({@code mark}/{@code reset}).
 *
 * <p>Unlike SubEthaSMTP 7.1.7, the dot at the start of the message's first line is removed too: its
 * unstuffing began with no line before it.
 */
final class DataInBlocks extends InputStream {

    private static final int BLOCK = 8192;

    private final InputStream in;
    private final byte[] block = new byte[BLOCK];
    private final byte[] one = new byte[1];
    /** The next byte begins a line (the data itself begins one). */
    private boolean lineStart = true;
    /** The last byte read was a CR. */
    private boolean cr;
    private boolean ended;

    /** @param in the session's input; it must support mark and reset (SubEthaSMTP's is buffered) */
    DataInBlocks(InputStream in) {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("the session's input must support mark and reset");
        }
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (!ended) {
            int want = Math.min(len, BLOCK);
            in.mark(BLOCK);
            int n = in.read(block, 0, want);
            if (n == -1) {
                throw new EOFException("the connection closed before the message's <CRLF>.<CRLF>");
            }
            int out = off;
            int i = 0;
            while (i < n) {
                byte c = block[i];
                if (lineStart && c == '.') {
                    if (n - i < 3) {
                        break; // whether it ends the message is in bytes not read yet
                    }
                    i++;
                    if (block[i] == '\r' && block[i + 1] == '\n') {
                        i += 2;
                        ended = true;
                        break;
                    }
                    lineStart = false; // a stuffed dot, dropped
                    cr = false;
                    continue;
                }
                b[out++] = c;
                i++;
                lineStart = cr && c == '\n';
                cr = c == '\r';
            }
            if (i < n) {
                putBack(i);
            }
            if (out > off) {
                return out - off;
            }
            if (!ended && i < n) {
                lineDot(); // a line's dot at the end of the bytes at hand: decided on the next three
            }
        }
        return -1;
    }

    /** Rewinds to the mark and skips the {@code used} bytes: the rest is read again. */
    private void putBack(int used) throws IOException {
        in.reset();
        long left = used;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                throw new IOException("the session's input could not skip bytes it had read");
            }
            left -= skipped;
        }
    }

    /** At a line's dot: ends the message on {@code .<CRLF>}, otherwise drops the stuffed dot. */
    private void lineDot() throws IOException {
        in.mark(3);
        int dot = in.read();
        int first = in.read();
        int second = in.read();
        if (second == -1) {
            throw new EOFException("the connection closed before the message's <CRLF>.<CRLF>");
        }
        if (dot == '.' && first == '\r' && second == '\n') {
            ended = true;
            return;
        }
        putBack(1); // the stuffed dot, dropped
        lineStart = false;
        cr = false;
    }
}
