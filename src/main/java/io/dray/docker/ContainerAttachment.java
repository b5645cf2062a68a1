package io.dray.docker;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A container's stdin, stdout and stderr over Docker's attach endpoint, spoken directly on the engine's socket.
 *
 * <p>Why not docker-java's attach: on the httpclient5 transport it never half-closes the connection when the input
 * ends, so the container never sees EOF on stdin and a {@code cat}-like step hangs forever (docker-java #1448, #2137).
 * Docker closes a container's stdin exactly when the attach connection is half-closed (with {@code StdinOnce}), which
 * {@link SocketChannel#shutdownOutput()} does. Attaching before the container starts, and reading the 101 answer before
 * starting it, is what makes a fast container's output impossible to lose: Docker registers the attachment before it
 * answers.
 *
 * <p>One thread may send stdin while another reads frames: a {@link SocketChannel} reads and writes independently.
 */
final class ContainerAttachment implements Closeable {
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int HEADER_BYTES = 8;

    /** Receives the payload of stdout (1) and stderr (2) frames, in pieces, in the order Docker sent them. */
    interface FrameSink {
        void write(int stream, byte[] bytes, int offset, int length) throws IOException;
    }

    private final SocketChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);

    private ContainerAttachment(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Connects and asks to attach, within {@code timeout} for each (an engine that stalls fails the step instead of
     * holding it); the stream itself then has no timeout, since a step may be quiet for hours.
     */
    static ContainerAttachment open(URI dockerHost, String apiPrefix, String containerId, boolean stdin,
            Duration timeout) throws IOException {
        SocketChannel channel = connect(dockerHost, timeout);
        ContainerAttachment attachment = new ContainerAttachment(channel);
        try {
            attachment.upgrade(apiPrefix + "/containers/" + containerId + "/attach?stream=1&stdout=1&stderr=1"
                    + (stdin ? "&stdin=1" : ""), timeout);
            return attachment;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static SocketChannel connect(URI dockerHost, Duration timeout) throws IOException {
        switch (dockerHost.getScheme()) {
            case "unix": {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(dockerHost.getPath()));
                } catch (IOException e) {
                    channel.close();
                    throw new IOException("cannot reach Docker at " + dockerHost + ": " + e.getMessage(), e);
                }
                return channel;
            }
            case "tcp": {
                SocketChannel channel = SocketChannel.open();
                try {
                    channel.socket().connect(new InetSocketAddress(dockerHost.getHost(), dockerHost.getPort()),
                            (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                } catch (IOException e) {
                    channel.close();
                    throw new IOException("cannot reach Docker at " + dockerHost + ": " + e.getMessage(), e);
                }
                return channel;
            }
            default:
                throw new IOException("unsupported Docker host " + dockerHost);
        }
    }

    private void upgrade(String path, Duration timeout) throws IOException {
        String request = "POST " + path + " HTTP/1.1\r\n"
                + "Host: docker\r\n"
                + "Content-Type: text/plain\r\n"
                + "Connection: Upgrade\r\n"
                + "Upgrade: tcp\r\n"
                + "\r\n";
        writeFully(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        long deadline = System.nanoTime() + timeout.toNanos();
        String head = readHead(deadline);
        String statusLine = head.substring(0, head.indexOf("\r\n"));
        String[] parts = statusLine.split(" ", 3);
        int status = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        if (status != 101 && status != 200) {
            throw new IOException("Docker refused to attach: " + statusLine.substring(statusLine.indexOf(' ') + 1)
                    + " " + readRest(deadline).trim());
        }
    }

    /** Reads up to the blank line that ends the HTTP head; the bytes after it stay in the buffer as the first frames. */
    private String readHead(long deadlineNanos) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        buffer.clear().flip();
        int lastFour = 0;
        while (lastFour != 0x0d0a0d0a) {
            if (!buffer.hasRemaining()) {
                buffer.clear();
                if (readBefore(deadlineNanos) < 0) {
                    throw new IOException("Docker closed the connection before it answered the attach");
                }
                buffer.flip();
            }
            byte b = buffer.get();
            head.write(b);
            lastFour = (lastFour << 8) | (b & 0xff);
            if (head.size() > 16 * 1024) {
                throw new IOException("Docker's answer to the attach has no end of headers");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** One read into the buffer, given up at the deadline: a blocking channel read has no timeout of its own. */
    private int readBefore(long deadlineNanos) throws IOException {
        long waitMillis = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            if (selector.select(waitMillis) == 0) {
                throw new SocketTimeoutException("Docker did not answer the attach within " + waitMillis + " ms");
            }
            return channel.read(buffer);
        } finally {
            // The selector is closed by now, which deregisters the channel: it may block again.
            channel.configureBlocking(true);
        }
    }

    private String readRest(long deadlineNanos) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(buffer.array(), buffer.position(), buffer.remaining());
        try {
            while (body.size() < 4096) {
                buffer.clear();
                if (readBefore(deadlineNanos) < 0) {
                    break;
                }
                body.write(buffer.array(), 0, buffer.position());
            }
        } catch (SocketTimeoutException e) {
            // The connection stays open after the error: what came is the message.
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    /**
     * Copies {@code input} to the container's stdin, then half-closes the connection so the container sees EOF. A
     * container that exits without reading all of it is not an error.
     */
    void sendStdin(InputStream input) {
        byte[] chunk = new byte[BUFFER_BYTES];
        try (input) {
            int n;
            while ((n = input.read(chunk)) > 0) {
                writeFully(ByteBuffer.wrap(chunk, 0, n));
            }
            channel.shutdownOutput();
        } catch (IOException e) {
            // The container exited or the attachment was closed: what it did not read, it did not want.
        }
    }

    /**
     * Sends a file to the container's stdin with sendfile(2), the kernel copying it straight to Docker's socket; then
     * half-closes the connection as {@link #sendStdin(InputStream)} does.
     */
    void sendStdin(Path file) {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            for (long sent = 0; sent < size; ) {
                sent += in.transferTo(sent, size - sent, channel);
            }
            channel.shutdownOutput();
        } catch (IOException e) {
            // As above: the container exited or the attachment was closed.
        }
    }

    /** Reads the multiplexed stream (8-byte header, then payload) until Docker closes it when the container exits. */
    void readFrames(FrameSink sink) throws IOException {
        while (fill(HEADER_BYTES)) {
            int stream = buffer.get();
            buffer.position(buffer.position() + 3);
            long remaining = Integer.toUnsignedLong(buffer.getInt());
            while (remaining > 0) {
                if (!buffer.hasRemaining() && !fill(1)) {
                    throw new IOException("Docker's stream ended inside a frame");
                }
                int n = (int) Math.min(remaining, buffer.remaining());
                sink.write(stream, buffer.array(), buffer.position(), n);
                buffer.position(buffer.position() + n);
                remaining -= n;
            }
        }
    }

    /** Makes at least {@code bytes} bytes readable in the buffer; false at a clean end of stream. */
    private boolean fill(int bytes) throws IOException {
        while (buffer.remaining() < bytes) {
            buffer.compact();
            int n = channel.read(buffer);
            buffer.flip();
            if (n < 0) {
                if (buffer.hasRemaining()) {
                    throw new IOException("Docker's stream ended inside a frame header");
                }
                return false;
            }
        }
        return true;
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
