package dev.mailroute.accept;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.mailroute.settings.SettingsReader;
import dev.mailroute.settings.StartupCheckException;

/**
 * What accept checks and remembers: the size limit, how much may be held in memory at once
 * ({@code mailroute.message.maxInFlight}), the sender policy ({@code mailroute.senders.allowed}), the client keys
 * ({@code mailroute.idempotency.*}) and how many recipients a merge request may have.
 */
public record AcceptSettings(long maxBytes, long maxInFlight, List<String> sendersAllowed, Path idempotencyFile,
                             long idempotencyRetentionMillis, int mergeMaxRecipients) {

    /**
     * Accepting a JSON request takes up to this many times its size in heap for a moment (its body,
     * the parsed JSON — Jackson holds a long string as characters, twice, before it is a String —
     * the decoded attachments, the built message): measured on 2026-12-01, one 24 MB request
     * failed for want of memory in a 256 MiB heap and in 320 MiB now and then, a 10 MB one never.
     * So {@code maxInFlight = auto} is this share of the heap, and the heap must hold one message
     * of the largest size.
     */
    static final int HEAP_PER_MESSAGE_BYTE = 16;

    public static AcceptSettings from(SettingsReader r) {
        long maxBytes = r.bytes("mailroute.message.maxBytes");
        long heap = maxHeapBytes();
        if (maxBytes > heap / HEAP_PER_MESSAGE_BYTE) {
            throw new StartupCheckException("mailroute.message.maxBytes=" + r.required("mailroute.message.maxBytes")
                    + ": accepting a message of that size can take " + HEAP_PER_MESSAGE_BYTE + " times its size in"
                    + " memory, and the heap is " + heap / (1024 * 1024) + " MiB. Fix: raise -Xmx in config/jvm.options to"
                    + " at least " + (maxBytes * HEAP_PER_MESSAGE_BYTE / (1024 * 1024) + 64) + "m, or lower"
                    + " mailroute.message.maxBytes");
        }
        return new AcceptSettings(maxBytes, maxInFlight(r, maxBytes, heap),
                r.list("mailroute.senders.allowed"), r.path("mailroute.idempotency.file"),
                r.millis("mailroute.idempotency.retention"), r.atLeast("mailroute.merge.maxRecipients", 1));
    }

    /**
     * The heap as -Xmx sets it. Not {@code Runtime.maxMemory()}: under the serial collector
     * (config/jvm.options) that leaves out a survivor space, 247 MiB of -Xmx256m, and a start
     * refused for want of heap would name a size the operator never set.
     */
    static long maxHeapBytes() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        try {
            return Long.parseLong(hotspot.getVMOption("MaxHeapSize").getValue());
        } catch (RuntimeException notHotSpot) { // no such bean or option: a JVM other than HotSpot
            return Runtime.getRuntime().maxMemory();
        }
    }

    /** {@code auto}: a sixteenth of the heap, and never less than one message of the largest size. */
    static long maxInFlight(SettingsReader r, long maxBytes, long heapBytes) {
        String key = "mailroute.message.maxInFlight";
        if (r.required(key).trim().equalsIgnoreCase("auto")) {
            return Math.max(maxBytes, heapBytes / HEAP_PER_MESSAGE_BYTE);
        }
        long value = r.bytes(key);
        if (value < maxBytes) {
            throw new StartupCheckException(key + "=" + r.required(key) + " is less than mailroute.message.maxBytes="
                    + r.required("mailroute.message.maxBytes") + ": a message of the largest size allowed could never be"
                    + " received. Fix: set it to auto, or to at least mailroute.message.maxBytes");
        }
        return value;
    }
}
