package dev.mailroute.message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.MessagingException;
import org.eclipse.angus.mail.smtp.SMTPOutputStream;

/**
 * The pickup-folder form of a message that .NET {@code SmtpClient} and CDOSYS write and IIS SMTP
 * reads: {@code X-Sender: <from>} and one {@code X-Receiver: <rcpt>} line per recipient before
 * the message itself, CRLF line ends, no {@code Bcc:} header — and <b>byte-stuffed</b> like an SMTP
 * DATA stream: a line of the message that begins with {@code .} gets one more. IIS SMTP removes it
 * when it sends the file, and a line that is only {@code .} would end the message there; .NET
 * {@code SmtpClient} writes its files stuffed. The one reader (the inbox, HTTP and JMS raw
 * messages) and the one writer (pickup files, {@code failed/} records) of that form, so that what
 * mailroute writes, it reads back unchanged.
 */
public final class XSenderForm {

    private static final Pattern ENVELOPE_LINE = Pattern.compile("(?i)^x-(sender|receiver):[ \\t]*(.*?)[ \\t]*$");
    private static final String[] WITHOUT_BCC = {"Bcc"};

    private XSenderForm() {
    }

    /** The X-Sender value of the null sender (MAIL FROM:<>). */
    public static final String NULL_SENDER = "<>";

    /** One leading envelope line: its number (from 1), whether it is the X-Sender, and its value. */
    public record Line(int number, boolean sender, String value) {

        /** How a problem with this line is reported: {@code X-Receiver (line 2)}. */
        public String field() {
            return (sender ? "X-Sender" : "X-Receiver") + " (line " + number + ")";
        }
    }

    /**
     * The leading envelope lines of a raw message, and where the message itself begins.
     * No lines and {@code messageStart} 0 for a message that does not start with them.
     */
    public record Leading(List<Line> lines, int messageStart) {

        public boolean hasSender() {
            return lines.stream().anyMatch(Line::sender);
        }

        public boolean hasReceivers() {
            return lines.stream().anyMatch(line -> !line.sender());
        }
    }

    /** Reads the leading {@code X-Sender:} / {@code X-Receiver:} lines (any case, CRLF or LF). */
    public static Leading read(byte[] input) {
        List<Line> lines = new ArrayList<>();
        int offset = 0;
        while (offset < input.length) {
            int end = lineEnd(input, offset);
            Matcher line = ENVELOPE_LINE.matcher(new String(input, offset, end - offset, StandardCharsets.US_ASCII));
            if (!line.matches()) {
                break;
            }
            lines.add(new Line(lines.size() + 1, line.group(1).equalsIgnoreCase("sender"), line.group(2)));
            offset = skipLineBreak(input, end);
        }
        return new Leading(List.copyOf(lines), offset);
    }

    /**
     * The message in this form, for the given recipients (all of the envelope's, or only those a
     * failed/ record is about): what the inbox reads back, so such a file can be dropped into the
     * inbox again.
     */
    public static byte[] write(QueuedMessage message, List<String> recipients) throws MessagingException, IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.getSize() + 512);
        // a delivery report's null sender as the SMTP command writes it; read back as the null sender
        writeLine(bytes, "X-Sender: " + (message.envelope().nullSender() ? NULL_SENDER : message.envelope().senderAddress()));
        for (String recipient : recipients) {
            writeLine(bytes, "X-Receiver: " + recipient);
        }
        // Angus' DATA stream: CRLF line ends, and a '.' doubled at the start of a line
        try (OutputStream stuffed = new SMTPOutputStream(bytes)) {
            message.writeTo(stuffed, WITHOUT_BCC);
        }
        return bytes.toByteArray();
    }

    /**
     * The message that follows the leading lines, un-stuffed: a line beginning {@code ..} loses one
     * {@code .}. A last line that is only {@code .} is the end-of-data mark some writers add, and is
     * dropped; anywhere else such a line would end the message for a pickup service, so the file
     * is refused rather than read two ways.
     *
     * @throws IllegalArgumentException naming the line of a lone {@code .} before the end
     */
    public static byte[] unstuffedMessage(byte[] input, Leading leading) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(input.length - leading.messageStart());
        int line = leading.lines().size();
        for (int start = leading.messageStart(); start < input.length;) {
            int end = lineEnd(input, start);
            int next = skipLineBreak(input, end);
            line++;
            boolean loneDot = end - start == 1 && input[start] == '.';
            if (loneDot) {
                if (next >= input.length) {
                    break; // the end-of-data mark
                }
                throw new IllegalArgumentException("line " + line + " is a lone '.': in a pickup file that ends the"
                                                   + " message, and lines after it would be lost; a line of the"
                                                   + " message that begins with '.' is written with two");
            }
            int from = end - start >= 2 && input[start] == '.' && input[start + 1] == '.' ? start + 1 : start;
            out.write(input, from, next - from);
            start = next;
        }
        return out.toByteArray();
    }


    private static void writeLine(OutputStream out, String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }

    /** Where the line that starts at {@code from} ends (at its CR or LF, or the end of the input). */
    public static int lineEnd(byte[] input, int from) {
        int i = from;
        while (i < input.length && input[i] != '\n' && input[i] != '\r') {
            i++;
        }
        return i;
    }

    private static int skipLineBreak(byte[] input, int at) {
        if (at < input.length && input[at] == '\r') {
            at++;
        }
        if (at < input.length && input[at] == '\n') {
            at++;
        }
        return at;
    }
}
