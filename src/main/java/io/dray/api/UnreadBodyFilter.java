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
 * Reads and drops what an answered request left of its body (a 404, 405 or 415 is answered without reading it), up
 * to {@link SizeLimitedStream#DRAINED} bytes, before the request ends. Jetty would otherwise close the connection
 * when the body had not all arrived yet, after an answer that did not say so, and the client's next request on it
 * would fail.
 */
public final class UnreadBodyFilter implements Filter {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
        if (request.isAsyncStarted() || (request.getContentLengthLong() <= 0 && !chunked(request))
                || request.getContentLengthLong() > SizeLimitedStream.DRAINED) {
            return;
        }
        if (response instanceof HttpServletResponse http && (http.getStatus() == HttpServletResponse.SC_UNAUTHORIZED
                || "close".equalsIgnoreCase(http.getHeader("Connection")))) {
            return; // nothing is read for a client without a token, nor past a body given up on already
        }
        boolean drained;
        try {
            drained = SizeLimitedStream.drain(request.getInputStream());
        } catch (IllegalStateException readAsText) {
            return; // read through getReader(): what was left is Jetty's to deal with
        }
        if (!drained && !response.isCommitted() && response instanceof HttpServletResponse http) {
            http.setHeader("Connection", "close");
        }
    }

    private static boolean chunked(ServletRequest request) {
        return request instanceof HttpServletRequest http
                && "chunked".equalsIgnoreCase(http.getHeader("Transfer-Encoding"));
    }
}
