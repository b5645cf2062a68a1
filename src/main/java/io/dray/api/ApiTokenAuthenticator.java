package io.dray.api;

import io.dray.config.SecurityFactory;
import io.dropwizard.auth.Authenticator;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Checks a bearer token against the SHA-256 hashes of the configured tokens. Every hash is compared, in constant time
 * each, so the answer takes as long whichever token (if any) matches.
 */
public final class ApiTokenAuthenticator implements Authenticator<String, ApiTokenAuthenticator.ApiClient> {
    /** Whoever holds a token; named by a short fingerprint of the token's hash, never by the token. */
    public record ApiClient(String getName) implements Principal {}

    private final List<byte[]> tokenHashes;

    public ApiTokenAuthenticator(List<byte[]> tokenHashes) {
        this.tokenHashes = List.copyOf(tokenHashes);
    }

    @Override
    public Optional<ApiClient> authenticate(String token) {
        byte[] presented = SecurityFactory.sha256(token);
        boolean matches = false;
        for (byte[] hash : tokenHashes) {
            matches |= MessageDigest.isEqual(presented, hash);
        }
        return matches
                ? Optional.of(new ApiClient("token " + HexFormat.of().formatHex(presented, 0, 4)))
                : Optional.empty();
    }
}
