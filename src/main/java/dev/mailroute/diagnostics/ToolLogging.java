package dev.mailroute.diagnostics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logging for a run of a command-line tool ({@code doctor}, {@code track}, {@code queue}): off,
 * configured in code, before logback would read logback.xml. A tool's lines are its output, and
 * the gateway's logging would only be silenced again ({@link QuietLogging}); reading the XML
 * configuration was a tenth of a second of every {@code mailroute queue} command. The gateway's own
 * run is left to logback.xml. Found by logback through META-INF/services.
 */
public final class ToolLogging extends ContextAwareBase implements Configurator {

    /** The system property the main class sets for a tool's run, before anything logs. */
    public static final String PROPERTY = "mailroute.tool";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!Boolean.getBoolean(PROPERTY)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
