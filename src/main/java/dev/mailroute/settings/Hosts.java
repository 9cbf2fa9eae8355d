package dev.mailroute.settings;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** What a configured host name means for who can reach it. */
public final class Hosts {

    private Hosts() {
    }

    /**
     * This machine's name as the resolver gives it (fully qualified where it can), or "mailroute"
     * when it has none: what the SMTP listener greets with and reports are signed with, unless
     * the configuration names one.
     */
    public static String localName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "mailroute";
        }
    }

    /** 127.0.0.1, ::1, localhost — an address only this machine reaches (a name that does not resolve is not). */
    public static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
