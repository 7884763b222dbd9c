package io.thinkloop.api;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client over a plain socket that writes whatever frames a test asks for — invalid UTF-8,
 * reserved bits, oversized fragments — which no well-behaved client library will send.
 */
final class RawWebSocket implements Closeable {
    static final int TEXT = 1;
    static final int BINARY = 2;
    static final int CONTINUATION = 0;
    static final int CLOSE = 8;
    /** Pings keep a socket read from timing out, so waits have a deadline of their own. */
    private static final long DEADLINE_NANOS = 30_000_000_000L;

    /** A frame the server sent. */
    record Frame(int opcode, boolean fin, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    final String handshakeResponse;

    private RawWebSocket(Socket socket, String handshakeResponse, InputStream in) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(in);
        this.handshakeResponse = handshakeResponse;
    }

    static RawWebSocket connect(int port, String pathAndQuery, String... extraHeaders) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        StringBuilder req = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\n");
        for (String h : extraHeaders) {
            req.append(h).append("\r\n");
        }
        req.append("\r\n");
        s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed during the handshake: " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String response = head.toString(StandardCharsets.US_ASCII);
        if (!response.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("no upgrade: " + response);
        }
        return new RawWebSocket(s, response, in);
    }

    /** Writes one masked frame; {@code rsv} is the three reserved bits (RSV1 = 4, RSV2 = 2, RSV3 = 1). */
    void frame(int opcode, boolean fin, int rsv, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int len = payload.length;
        if (len < 126) {
            f.write(0x80 | len);
        } else if (len < 65536) {
            f.write(0x80 | 126);
            f.write(len >>> 8);
            f.write(len & 0xFF);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) len >>> (8 * i)) & 0xFF);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.write(mask, 0, 4);
        byte[] masked = new byte[len];
        for (int i = 0; i < len; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        f.write(masked, 0, len);
        out.write(f.toByteArray());
        out.flush();
    }

    /** Writes only a frame header announcing {@code len} payload bytes (and its mask), then nothing. */
    void announce(int opcode, long len) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(14);
        f.write(0x80 | opcode);
        f.write(0x80 | 127);
        for (int i = 7; i >= 0; i--) {
            f.write((int) (len >>> (8 * i)) & 0xFF);
        }
        f.write(new byte[4], 0, 4);
        out.write(f.toByteArray());
        out.flush();
    }

    void text(String s) throws IOException {
        frame(TEXT, true, 0, s.getBytes(StandardCharsets.UTF_8));
    }

    /** The next frame from the server, or null once the connection is closed. */
    Frame read() throws IOException {
        try {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
        } catch (EOFException | SocketException e) {
            return null;
        }
    }

    /** Reads frames until a text frame containing {@code fragment}; null when the connection closed first. */
    Frame awaitText(String fragment) throws IOException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        for (Frame f = read(); f != null; f = read()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no text frame with '" + fragment + "' within 30 s");
            }
            if (f.opcode() == TEXT && f.text().contains(fragment)) {
                return f;
            }
            if (f.opcode() == CLOSE) {
                return null;
            }
        }
        return null;
    }

    /** Reads until the server's close frame and returns its code; -1 if the connection ended without one. */
    int awaitClose() throws IOException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        try {
            for (Frame f = read(); f != null; f = read()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the server did not close within 30 s (pings keep coming)");
                }
                if (f.opcode() == CLOSE) {
                    return f.closeCode();
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither closed nor answered within the socket timeout", e);
        }
        return -1;
    }

    boolean isClosedByServer() {
        return socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
