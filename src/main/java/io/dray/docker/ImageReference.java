package io.dray.docker;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A step's {@code source}, read with the grammar of Docker's image references: {@code [domain[:port]/]path[:tag][@digest]}.
 * A reference with neither tag nor digest means {@code :latest}, so a pull never fetches every tag.
 */
record ImageReference(String repository, String tag, String digest) {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
            + "(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?)";
    private static final Pattern REFERENCE = Pattern.compile(
            "((?:" + DOMAIN + "/)?" + COMPONENT + "(?:/" + COMPONENT + ")*)"
                    + "(?::([\\w][\\w.-]{0,127}))?"
                    + "(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?");

    static ImageReference parse(String source) {
        Matcher m = REFERENCE.matcher(source);
        if (!m.matches() || source.length() > 255 + 128 + 80 || !hasValidDomain(m.group(1))) {
            throw new IllegalArgumentException("\"" + source + "\" is not a valid image name");
        }
        String tag = m.group(2) == null && m.group(3) == null ? "latest" : m.group(2);
        return new ImageReference(m.group(1), tag, m.group(3));
    }

    /** A first component is a registry only if it looks like a host: has a dot or a port, or is localhost. */
    private static boolean hasValidDomain(String repository) {
        int slash = repository.indexOf('/');
        if (slash < 0) {
            return true;
        }
        String first = repository.substring(0, slash);
        return first.matches(COMPONENT) || first.contains(".") || first.contains(":") || first.equals("localhost");
    }

    /**
     * The registry that holds the image, as Docker finds it: the first path component when it looks like a host,
     * otherwise Docker Hub ({@code docker.io}).
     */
    String registry() {
        int slash = repository.indexOf('/');
        if (slash < 0) {
            return RegistryCredentials.DOCKER_HUB;
        }
        String first = repository.substring(0, slash);
        boolean host = first.contains(".") || first.contains(":") || first.equals("localhost");
        return host ? first : RegistryCredentials.DOCKER_HUB;
    }

    /** The tag or digest to pull: Docker's pull takes a digest in place of a tag. */
    String version() {
        return digest != null ? digest : tag;
    }

    /** The full name to create containers from. */
    String name() {
        return repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    @Override
    public String toString() {
        return name();
    }
}
