package io.dray.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.UriBuilder;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Serves {@code /v1/jobs}, {@code /v1.0/jobs/{id}}... as the unversioned routes, as the original Dray did. */
@PreMatching
public final class VersionPrefixFilter implements ContainerRequestFilter {
    private static final Pattern VERSIONED = Pattern.compile("^/?v[0-9]+(?:\\.[0-9]+)*(/.*)$");

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath(false);
        String unversioned = unversioned(path);
        if (!unversioned.equals(path)) {
            URI base = request.getUriInfo().getBaseUri();
            request.setRequestUri(base, UriBuilder.fromUri(request.getUriInfo().getRequestUri())
                    .replacePath(base.getRawPath().replaceAll("/$", "") + unversioned)
                    .build());
        }
    }

    /** The path without its version prefix, or the path itself when it has none. */
    static String unversioned(String path) {
        if (!path.startsWith("v") && !path.startsWith("/v")) {
            return path; // the usual, unversioned route: no pattern to match on every request
        }
        Matcher m = VERSIONED.matcher(path);
        return m.matches() ? m.group(1) : path;
    }
}
