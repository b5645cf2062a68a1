package io.dray.core;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which addresses a job's callback may be sent to, against server-side request forgery: whoever submits a job must not
 * make Dray POST to what only Dray can reach. With no allowed hosts configured, any host whose every address is
 * public; with some, only those: host names (exactly), addresses, and CIDR ranges such as {@code 10.1.0.0/16}, which
 * may then be private. Loopback, private (RFC 1918, IPv6 unique local), link-local, carrier-grade NAT, unspecified and
 * multicast addresses are not public. A host is checked by what it resolves to now: when the job is submitted, and
 * again before each delivery.
 */
public final class CallbackTargets {

    /** Resolves a host name to its addresses, as {@link InetAddress#getAllByName} does. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A callback URL that may not be used; the message says why. */
    public static final class NotAllowedException extends RuntimeException {
        public NotAllowedException(String message) {
            super(message);
        }
    }

    private static final List<Range> NOT_PUBLIC = List.of(
            Range.parse("0.0.0.0/8"), Range.parse("10.0.0.0/8"), Range.parse("100.64.0.0/10"),
            Range.parse("127.0.0.0/8"), Range.parse("169.254.0.0/16"), Range.parse("172.16.0.0/12"),
            Range.parse("192.168.0.0/16"), Range.parse("224.0.0.0/4"), Range.parse("240.0.0.0/4"),
            // ::/96 holds the unspecified and loopback addresses, and the IPv4-compatible ones (::127.0.0.1).
            Range.parse("::/96"), Range.parse("fc00::/7"), Range.parse("fe80::/10"),
            Range.parse("ff00::/8"));

    private final List<String> names = new ArrayList<>();
    private final List<Range> ranges = new ArrayList<>();
    private final Resolver resolver;

    /**
     * @param allowedHosts comma-separated host names, addresses and CIDR ranges; empty for any public host
     * @throws IllegalArgumentException if an entry that looks like an address or range is not one
     */
    public CallbackTargets(String allowedHosts, Resolver resolver) {
        this.resolver = resolver;
        for (String entry : allowedHosts == null ? new String[0] : allowedHosts.split(",")) {
            String host = entry.trim().toLowerCase(Locale.ROOT);
            if (host.isEmpty()) {
                continue;
            }
            if (host.contains("/") || host.contains(":") || host.matches("[0-9.]+")) {
                ranges.add(Range.parse(host));
            } else {
                names.add(host);
            }
        }
    }

    public static CallbackTargets of(String allowedHosts) {
        return new CallbackTargets(allowedHosts, InetAddress::getAllByName);
    }

    /**
     * Checks a callback URL: http or https, with a host, without credentials, and the host allowed.
     *
     * @throws NotAllowedException naming the problem
     */
    public void check(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new NotAllowedException("must be an http:// or https:// URL with a host");
        }
        if (url.getPort() > 65535) {
            throw new NotAllowedException("has a port out of range: " + url.getPort());
        }
        if (url.getRawUserInfo() != null) {
            throw new NotAllowedException("must not hold credentials: sign with the callback's secret instead");
        }
        String host = url.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (names.contains(host)) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new NotAllowedException("its host " + host + " cannot be resolved");
        }
        boolean restricted = !names.isEmpty() || !ranges.isEmpty();
        for (InetAddress address : addresses) {
            if (restricted && ranges.stream().noneMatch(range -> range.contains(address))) {
                throw new NotAllowedException("its host " + host + " is not among webhooks.allowedHosts");
            }
            if (!restricted && NOT_PUBLIC.stream().anyMatch(range -> range.contains(address))) {
                throw new NotAllowedException("its host " + host + " is a loopback, private or link-local address ("
                        + address.getHostAddress() + "); allow it in webhooks.allowedHosts if it is meant");
            }
        }
    }

    /** An address range: the addresses whose first {@code bits} bits are those of {@code network}. */
    private record Range(byte[] network, int bits) {

        static Range parse(String text) {
            String[] parts = text.split("/", 2);
            byte[] address;
            try {
                if (!parts[0].matches("[0-9a-fA-F.:]+")) {
                    throw new UnknownHostException(parts[0]);
                }
                address = InetAddress.getByName(parts[0]).getAddress(); // a literal: never a DNS query
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address or CIDR range: " + text);
            }
            int bits = address.length * 8;
            if (parts.length == 2) {
                try {
                    bits = Integer.parseInt(parts[1]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not an address or CIDR range: " + text);
                }
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException("not an address or CIDR range: " + text);
                }
            }
            return new Range(address, bits);
        }

        boolean contains(InetAddress address) {
            byte[] other = address.getAddress();
            if (other.length != network.length) {
                return false;
            }
            int shift = network.length * 8 - bits;
            return new BigInteger(1, other).shiftRight(shift).equals(new BigInteger(1, network).shiftRight(shift));
        }
    }
}
