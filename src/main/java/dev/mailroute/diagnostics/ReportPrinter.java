package dev.mailroute.diagnostics;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code doctor}'s output: the configuration (secrets masked), one line per check, the SMTP transcript with -v; or all of it as JSON. */
final class ReportPrinter {

    private ReportPrinter() {
    }

    /** @return the exit code: 0 when every check passed, 1 otherwise */
    static int print(PrintStream out, Report report, Map<String, String> config, List<String> transcript,
                     boolean json, boolean verbose) {
        int exit = report.passed() ? 0 : 1;
        if (json) {
            out.println(json(report, config, verbose ? transcript : null).toPrettyString());
            return exit;
        }
        out.println("mailroute doctor");
        config.forEach((k, v) -> out.println("  " + k + " = " + v));
        out.println();
        for (Report.Check check : report.checks()) {
            out.println((check.ok() ? "ok    " : "FAIL  ") + check.area() + " " + check.name() + ": " + check.detail()
                        + (check.fix() == null ? "" : " Fix: " + check.fix()));
        }
        if (verbose && !transcript.isEmpty()) {
            out.println();
            out.println("SMTP transcript:");
            transcript.forEach(line -> out.println("  " + line));
        }
        out.println();
        out.println(exit == 0 ? "all checks passed" : "some checks failed");
        return exit;
    }

    private static ObjectNode json(Report report, Map<String, String> config, List<String> transcript) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("ok", report.passed());
        config.forEach(root.putObject("config")::put);
        ArrayNode checks = root.putArray("checks");
        for (Report.Check check : report.checks()) {
            ObjectNode node = checks.addObject();
            node.put("area", check.area()).put("check", check.name()).put("ok", check.ok()).put("detail", check.detail());
            if (check.fix() != null) {
                node.put("fix", check.fix());
            }
        }
        if (transcript != null) {
            transcript.forEach(root.putArray("transcript")::add);
        }
        return root;
    }
}
