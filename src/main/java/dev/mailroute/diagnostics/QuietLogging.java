package dev.mailroute.diagnostics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Every library's logging off while a command-line tool runs: the tool's lines are its output, and
 * a log line (Camel reading the properties, a broker that is not there, ...) would garble them.
 */
final class QuietLogging implements AutoCloseable {

    private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final TurboFilter silence = new TurboFilter() {
        @Override
        public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level,
                                  String format, Object[] params, Throwable t) {
            return FilterReply.DENY;
        }
    };

    private QuietLogging() {
        logging.addTurboFilter(silence);
    }

    static QuietLogging start() {
        return new QuietLogging();
    }

    @Override
    public void close() {
        logging.getTurboFilterList().remove(silence);
    }
}
