package io.thinkloop.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket: the request line goes out exactly as written (no client normalises the path,
 * refuses a {@code Host} header or adds one of its own). Reads only the status line and headers, so a stream
 * (Server-Sent Events) or an upgraded WebSocket answers as quickly as a plain response.
 */
final class RawHttp {
    private RawHttp() {}

    /** A response head: status code, the head's text, and the body when it came with the head. */
    record Head(int status, String text) {}

    static Head send(int port, String method, String rawTarget, Map<String, String> headers, String body)
            throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            StringBuilder req =
                    new StringBuilder(method).append(' ').append(rawTarget).append(" HTTP/1.1\r\n");
            if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Host"))) {
                req.append("Host: 127.0.0.1:").append(port).append("\r\n");
            }
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                req.append("Content-Type: application/json\r\n")
                        .append("Content-Length: ")
                        .append(payload.length)
                        .append("\r\n");
            }
            if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Upgrade"))) {
                req.append("Connection: close\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            return readHead(s.getInputStream());
        }
    }

    /** Reads up to the blank line that ends the head, then whatever the body holds within 8 KiB if the peer closes. */
    private static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
            throw new IOException("not an HTTP response: " + text);
        }
        return new Head(Integer.parseInt(text.substring(9, 12)), text);
    }

    /** The headers a WebSocket upgrade needs (plus {@code mcp} as subprotocol, which only /mcp/ws selects). */
    static Map<String, String> upgrade(String subprotocol) {
        return subprotocol == null
                ? Map.of(
                        "Upgrade",
                        "websocket",
                        "Connection",
                        "Upgrade",
                        "Sec-WebSocket-Key",
                        "dGhlIHNhbXBsZSBub25jZQ==",
                        "Sec-WebSocket-Version",
                        "13")
                : Map.of(
                        "Upgrade",
                        "websocket",
                        "Connection",
                        "Upgrade",
                        "Sec-WebSocket-Key",
                        "dGhlIHNhbXBsZSBub25jZQ==",
                        "Sec-WebSocket-Version",
                        "13",
                        "Sec-WebSocket-Protocol",
                        subprotocol);
    }
}
