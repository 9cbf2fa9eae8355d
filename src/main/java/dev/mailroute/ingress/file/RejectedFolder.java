package dev.mailroute.ingress.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import dev.mailroute.accept.Problem;
import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.files.AtomicFile;
import dev.mailroute.message.MessageHeaders;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a rejected inbox file: its original bytes, unchanged, under its own name in
 * {@code rejected/}, and beside it {@code <name>.error.txt} with every problem found. A name that is
 * already taken gets a counter ({@code hello-2.json}), so an earlier rejection is never overwritten.
 */
public final class RejectedFolder {

    private static final Logger LOG = LoggerFactory.getLogger(RejectedFolder.class);

    private final Path folder;

    public RejectedFolder(Path folder) {
        this.folder = folder;
    }

    public void keep(Exchange exchange) throws IOException {
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        if (name == null) {
            name = exchange.getMessage().getHeader(Exchange.FILE_NAME, "request", String.class);
        }
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        List<Problem> problems = cause instanceof RejectedMessageException rejected
                ? rejected.problems()
                : List.of(new Problem("$", String.valueOf(cause)));

        Path target = freeName(name);
        Path reasonFile = folder.resolve(target.getFileName() + ".error.txt");
        // synced: the inbox file is deleted once this returns, and this is its only copy
        AtomicFile.write(reasonFile, reasonText(name, exchange, problems).getBytes(StandardCharsets.UTF_8), true);
        try (InputStream original = exchange.getMessage().getBody(InputStream.class)) {
            AtomicFile.write(target, original, true);
        }
        LOG.warn("rejected {} from {}: {} (kept as {}, reason in {})", name,
                exchange.getMessage().getHeader(MessageHeaders.INGRESS), cause == null ? "" : cause.getMessage(),
                target, reasonFile.getFileName());
    }

    private Path freeName(String name) {
        Path candidate = folder.resolve(name);
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        for (int n = 2; Files.exists(candidate) || Files.exists(folder.resolve(candidate.getFileName() + ".error.txt"));
             n++) {
            candidate = folder.resolve(base + "-" + n + extension);
        }
        return candidate;
    }

    private static String reasonText(String name, Exchange exchange, List<Problem> problems) {
        StringBuilder text = new StringBuilder();
        text.append("mailroute rejected ").append(name)
                .append(" (ingress ").append(exchange.getMessage().getHeader(MessageHeaders.INGRESS, "file", String.class))
                .append(") at ").append(Instant.now()).append('\n');
        text.append(problems.size() == 1 ? "1 problem:\n" : problems.size() + " problems:\n");
        for (Problem problem : problems) {
            text.append("- ").append(problem).append('\n');
        }
        text.append("Fix the request and drop it into the inbox again.\n");
        return text.toString();
    }
}
