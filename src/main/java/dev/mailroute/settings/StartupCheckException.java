package dev.mailroute.settings;

/**
 * The gateway must not start: the message is the one line an operator needs (what, where, who,
 * how to fix it), and is printed as is, without a stack trace.
 */
public class StartupCheckException extends RuntimeException {

    public StartupCheckException(String message) {
        super(message, null, false, false);
    }
}
