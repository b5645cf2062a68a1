package io.dray.api;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Sends a browser that opens Dray's address ({@code GET /} with {@code Accept: text/html}) to the dashboard, and
 * {@code /ui} to {@code /ui/}. Any other client of {@code /} gets the API's answer, as before.
 */
public final class DashboardRedirectFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        if (isDashboardEntry(request)) {
            HttpServletResponse response = (HttpServletResponse) res;
            response.setStatus(HttpServletResponse.SC_SEE_OTHER);
            response.setHeader("Location", DashboardAssets.URI_PATH);
            return;
        }
        chain.doFilter(req, res);
    }

    private static boolean isDashboardEntry(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            return false;
        }
        String path = request.getRequestURI();
        if ("/ui".equals(path)) {
            return true;
        }
        String accept = request.getHeader("Accept");
        return "/".equals(path) && accept != null && accept.contains("text/html");
    }
}
