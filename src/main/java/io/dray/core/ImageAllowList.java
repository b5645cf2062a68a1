package io.dray.core;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which images jobs may run, as glob patterns ({@code *} within a path segment, {@code **} across segments, {@code ?}
 * one character), matched against an image's repository ({@code dray-example/sh}) or its full name with tag
 * ({@code dray-example/sh:latest}). No patterns: every image may run.
 */
public final class ImageAllowList {
    private final List<Pattern> patterns;

    public ImageAllowList(List<String> globs) {
        this.patterns = globs.stream().map(ImageAllowList::toRegex).toList();
    }

    public boolean permits(String source) {
        if (patterns.isEmpty()) {
            return true;
        }
        String repository = repositoryOf(source);
        String named = source.equals(repository) ? source + ":latest" : source;
        return patterns.stream().anyMatch(p -> p.matcher(repository).matches() || p.matcher(named).matches());
    }

    private static String repositoryOf(String source) {
        String name = source.contains("@") ? source.substring(0, source.indexOf('@')) : source;
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    private static Pattern toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
