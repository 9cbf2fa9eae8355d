package dev.mailroute.settings;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** What a configured host name means for who can reach it. */
public final class Hosts {

    private Hosts() {
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
