package dev.mailroute.ingress.smtp;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The client addresses the SMTP listener talks to ({@code mailroute.smtpd.allowedClients}): a list
 * of networks in CIDR notation ({@code 127.0.0.0/8}, {@code 10.1.0.0/16}, {@code ::1}); a bare
 * address is a network of one.
 *
 * <p>Every network and every client is placed in the one 128-bit IPv6 space, IPv4 as its
 * IPv4-mapped form ({@code ::ffff:a.b.c.d}): Java hands an IPv4 client on a dual-stack socket over
 * as IPv4, and {@code ::ffff:0:0/96} written by an operator means all of IPv4. So a network
 * matches the same hosts whichever way it is written, and how much of the internet a list lets in
 * ({@link #openness()}) is measured once, after merging overlaps — {@code 0.0.0.0/1, 128.0.0.0/1}
 * is as open as {@code 0.0.0.0/0}.
 */
public record ClientNetworks(List<Network> networks) {

    /**
     * More public IPv4 addresses than a /8 holds (2^24), or more public IPv6 addresses than a /32
     * (2^96, an internet registry's smallest allocation to a provider), is not a list of clients
     * but a part of the internet: judged open, like 0.0.0.0/0.
     */
    static final BigInteger MAX_PUBLIC_IPV4 = BigInteger.ONE.shiftLeft(24);
    static final BigInteger MAX_PUBLIC_IPV6 = BigInteger.ONE.shiftLeft(96);

    private static final Range IPV4 = range("::ffff:0:0/96");

    /** Not on the internet: loopback, private (RFC 1918) and link-local IPv4. */
    private static final List<Range> NON_PUBLIC_IPV4 = List.of(range("10.0.0.0/8"), range("127.0.0.0/8"),
            range("169.254.0.0/16"), range("172.16.0.0/12"), range("192.168.0.0/16"));

    /** Not on the internet: loopback, unique local and link-local IPv6. */
    private static final List<Range> NON_PUBLIC_IPV6 = List.of(range("::1"), range("fc00::/7"), range("fe80::/10"));

    /** One network as written, and the addresses it covers in the IPv6 space. */
    public record Network(String written, Range range) {

        boolean contains(InetAddress client) {
            return range.contains(number(mapped(client.getAddress())));
        }
    }

    /** The addresses {@code first} to {@code last}, both included, as 128-bit numbers. */
    public record Range(BigInteger first, BigInteger last) {

        /** The network of {@code prefix} leading bits (of 128) that {@code address} is in. */
        static Range of(BigInteger address, int prefix) {
            BigInteger size = BigInteger.ONE.shiftLeft(128 - prefix);
            BigInteger first = address.subtract(address.mod(size));
            return new Range(first, first.add(size).subtract(BigInteger.ONE));
        }

        boolean contains(BigInteger address) {
            return first.compareTo(address) <= 0 && address.compareTo(last) <= 0;
        }

        BigInteger size() {
            return last.subtract(first).add(BigInteger.ONE);
        }

        /** How many addresses this range and that one have in common. */
        BigInteger overlap(Range other) {
            BigInteger from = first.max(other.first);
            BigInteger to = last.min(other.last);
            return from.compareTo(to) > 0 ? BigInteger.ZERO : to.subtract(from).add(BigInteger.ONE);
        }
    }

    public static ClientNetworks parse(String key, List<String> written) {
        return new ClientNetworks(written.stream().map(w -> network(key, w)).toList());
    }

    private static Network network(String key, String written) {
        int slash = written.indexOf('/');
        String host = slash < 0 ? written : written.substring(0, slash);
        if (!host.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(key + ": '" + written + "' is not an address or a network such as"
                                               + " 10.0.0.0/8 (names are not allowed)");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(key + ": '" + written + "' is not an address or a network such as"
                                               + " 10.0.0.0/8");
        }
        // ::ffff:a.b.c.d comes back as IPv4, but its prefix counts the 128 bits it was written with
        int bits = host.contains(":") ? 128 : address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(written.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException(key + ": '" + written + "' has a prefix length that is not 0 to "
                                                   + bits);
            }
        }
        return new Network(written, Range.of(number(mapped(address.getAddress())), prefix + 128 - bits));
    }

    public boolean allows(InetAddress client) {
        return networks.stream().anyMatch(n -> n.contains(client));
    }

    /**
     * Why these networks are a part of the internet rather than a list of clients — how many
     * public addresses they cover, beyond {@link #MAX_PUBLIC_IPV4} or {@link #MAX_PUBLIC_IPV6} —
     * or empty when they are not. Loopback, private and link-local addresses do not count.
     */
    public Optional<String> openness() {
        List<Range> covered = merged();
        BigInteger ipv4 = overlap(covered, List.of(IPV4)).subtract(overlap(covered, NON_PUBLIC_IPV4));
        BigInteger ipv6 = total(covered).subtract(overlap(covered, List.of(IPV4)))
                .subtract(overlap(covered, NON_PUBLIC_IPV6));
        List<String> reasons = new ArrayList<>();
        if (ipv4.compareTo(MAX_PUBLIC_IPV4) > 0) {
            reasons.add(ipv4 + " public IPv4 addresses (" + share(ipv4, IPV4.size().subtract(total(NON_PUBLIC_IPV4)))
                        + " of them; more than a /8 holds)");
        }
        if (ipv6.compareTo(MAX_PUBLIC_IPV6) > 0) {
            BigInteger publicIpv6 = BigInteger.ONE.shiftLeft(128).subtract(IPV4.size()).subtract(total(NON_PUBLIC_IPV6));
            reasons.add(share(ipv6, publicIpv6) + " of the public IPv6 addresses (more than a /32 holds)");
        }
        return reasons.isEmpty() ? Optional.empty() : Optional.of("they cover " + String.join(" and ", reasons));
    }

    /** The networks as disjoint ranges, in order: overlapping and adjacent ones joined. */
    private List<Range> merged() {
        List<Range> sorted = networks.stream().map(Network::range).sorted(Comparator.comparing(Range::first)).toList();
        List<Range> merged = new ArrayList<>();
        for (Range range : sorted) {
            Range last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && range.first().compareTo(last.last().add(BigInteger.ONE)) <= 0) {
                merged.set(merged.size() - 1, new Range(last.first(), last.last().max(range.last())));
            } else {
                merged.add(range);
            }
        }
        return merged;
    }

    /** Addresses in both lists; each list's ranges are disjoint. */
    private static BigInteger overlap(List<Range> covered, List<Range> ranges) {
        BigInteger sum = BigInteger.ZERO;
        for (Range a : covered) {
            for (Range b : ranges) {
                sum = sum.add(a.overlap(b));
            }
        }
        return sum;
    }

    private static BigInteger total(List<Range> ranges) {
        return ranges.stream().map(Range::size).reduce(BigInteger.ZERO, BigInteger::add);
    }

    private static String share(BigInteger part, BigInteger whole) {
        long percent = part.multiply(BigInteger.valueOf(100)).divide(whole).longValue();
        return percent >= 100 ? "all" : percent < 1 ? "less than 1%" : percent + "%";
    }

    /** A 16-byte address as is; a 4-byte one as its IPv4-mapped IPv6 form. */
    private static byte[] mapped(byte[] address) {
        if (address.length == 16) {
            return address;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(address, 0, mapped, 12, 4);
        return mapped;
    }

    private static BigInteger number(byte[] address) {
        return new BigInteger(1, address);
    }

    private static Range range(String network) {
        return network("", network).range();
    }

    @Override
    public String toString() {
        return String.join(", ", networks.stream().map(Network::written).toList());
    }
}
