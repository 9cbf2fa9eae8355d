package dev.mailroute.diagnostics;

import dev.mailroute.config.MailrouteSettings;

/** One of {@code doctor}'s checks: looks at one thing and writes what it found into the report. */
interface DoctorCheck {

    /**
     * What every check may look at.
     *
     * @param running whether mailroute itself runs with this configuration (its health endpoint answers)
     * @param from the sender to try at the relay (--from), or null
     * @param to the recipient to try at the relay (--to), or null
     */
    record Situation(MailrouteSettings settings, boolean running, String from, String to) {
    }

    void run(Situation situation, Report report);
}
