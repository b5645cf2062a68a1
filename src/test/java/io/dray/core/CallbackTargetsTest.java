package io.dray.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallbackTargetsTest {
    /** Names resolve as this map says; literals as themselves; nothing asks a DNS server. */
    private static final CallbackTargets.Resolver RESOLVER = host -> {
        Map<String, String> names = Map.of(
                "hooks.example.com", "93.184.216.34",
                "internal.example.com", "10.1.2.3",
                "rebound.example.com", "169.254.169.254");
        String address = names.get(host);
        if (address != null) {
            return new InetAddress[] {InetAddress.getByName(address)};
        }
        if (host.matches("[0-9a-fA-F.:]+")) {
            return new InetAddress[] {InetAddress.getByName(host)};
        }
        throw new UnknownHostException(host);
    };

    private static void allowed(CallbackTargets targets, String url) {
        assertThatCode(() -> targets.check(URI.create(url))).as(url).doesNotThrowAnyException();
    }

    private static void refused(CallbackTargets targets, String url, String why) {
        assertThatThrownBy(() -> targets.check(URI.create(url))).as(url)
                .isInstanceOf(CallbackTargets.NotAllowedException.class)
                .hasMessageContaining(why);
    }

    @Test
    void withoutAnAllowListOnlyPublicAddressesAreAllowed() {
        CallbackTargets targets = new CallbackTargets("", RESOLVER);
        allowed(targets, "https://hooks.example.com/dray");
        allowed(targets, "http://93.184.216.34:8080/x");
        for (String url : new String[] {"http://127.0.0.1:9000/", "http://nowhere.invalid/",
                "http://10.0.0.5/", "http://172.16.3.4/", "http://192.168.1.1/", "http://169.254.169.254/latest/",
                "http://100.64.0.1/", "http://0.0.0.0/", "http://[::1]/", "http://[fd00::1]/", "http://[fe80::1]/",
                "http://[::ffff:127.0.0.1]/", "http://[::127.0.0.1]/", "http://[::]/", "http://internal.example.com/",
                "http://rebound.example.com/"}) {
            if (url.contains("invalid")) {
                refused(targets, url, "cannot be resolved");
            } else {
                refused(targets, url, "loopback, private or link-local");
            }
        }
    }

    @Test
    void anAllowListAllowsItsNamesAddressesAndRangesOnly() {
        CallbackTargets targets = new CallbackTargets("127.0.0.1, internal.example.com,192.168.0.0/16,fd00::/8", RESOLVER);
        allowed(targets, "http://127.0.0.1:9000/hook");
        allowed(targets, "http://internal.example.com/hook");
        allowed(targets, "http://192.168.44.2/");
        allowed(targets, "http://[fd00::2]/");
        refused(targets, "http://127.0.0.2/", "not among webhooks.allowedHosts");
        refused(targets, "https://hooks.example.com/", "not among webhooks.allowedHosts");
        refused(targets, "http://10.1.2.3/", "not among webhooks.allowedHosts");
    }

    @Test
    void onlyHttpUrlsWithAHostAndWithoutCredentials() {
        CallbackTargets targets = new CallbackTargets("", RESOLVER);
        refused(targets, "ftp://hooks.example.com/", "http:// or https://");
        refused(targets, "file:///etc/passwd", "http:// or https://");
        refused(targets, "/relative", "http:// or https://");
        refused(targets, "https://user:pass@hooks.example.com/", "must not hold credentials");
        refused(targets, "http://hooks.example.com:99999/", "port out of range");
    }

    @Test
    void anAllowListEntryThatIsNotAnAddressOrRangeIsRefused() {
        assertThatThrownBy(() -> new CallbackTargets("10.0.0.0/33", RESOLVER)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CallbackTargets("10.0.0/x", RESOLVER)).isInstanceOf(IllegalArgumentException.class);
    }
}
