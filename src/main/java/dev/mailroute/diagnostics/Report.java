package dev.mailroute.diagnostics;

import java.util.ArrayList;
import java.util.List;

/** What {@code doctor}'s checks found, in the order they found it: the one result type every check writes. */
final class Report {

    /**
     * One line of the report.
     *
     * @param area what was checked (config, folders, smtp, smtpd, ports, broker)
     * @param fix what to do about a failure, or null
     */
    record Check(String area, String name, boolean ok, String detail, String fix) {
    }

    private final List<Check> checks = new ArrayList<>();

    void ok(String area, String name, String detail) {
        checks.add(new Check(area, name, true, detail, null));
    }

    void fail(String area, String name, String detail, String fix) {
        checks.add(new Check(area, name, false, detail, fix));
    }

    boolean passed() {
        return checks.stream().allMatch(Check::ok);
    }

    List<Check> checks() {
        return List.copyOf(checks);
    }
}
