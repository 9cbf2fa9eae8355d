package dev.mailroute.routing;

import java.nio.file.Path;

/** A routing file that does not make a table: which file, which line (0 when none applies) and why. */
public final class RoutingFileException extends Exception {

    private final int line;

    RoutingFileException(Path file, int line, String reason) {
        super(file + (line > 0 ? " line " + line : "") + ": " + reason);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
